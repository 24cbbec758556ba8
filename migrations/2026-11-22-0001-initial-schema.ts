// The initial schema: every table DOMAIN.md needs, with the indexes its use cases and reports query by.
// Frozen once landed: a later change is a new migration.
import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  PostgresAdapter,
} from 'kysely';

type Table = CreateTableBuilder<string, never>;
type Col = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

const notNull: Col = (c) => c.notNull();

export async function up(db: Kysely<unknown>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;

  // An integer key the database assigns; the seed may also set it explicitly.
  const withId = (t: Table): Table =>
    isPostgres
      ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  const ref = (table: string, onDelete: 'cascade' | 'set null' | 'restrict' = 'cascade'): Col => {
    return (c) => c.references(`${table}.id`).onDelete(onDelete);
  };
  const refNotNull = (table: string): Col => (c) => ref(table)(c).notNull();
  const text = (t: Table, name: string, col: Col = notNull) => t.addColumn(name, 'text', col);
  const int = (t: Table, name: string, col: Col = notNull) => t.addColumn(name, 'integer', col);
  const flag = (t: Table, name: string, dflt: 0 | 1) =>
    t.addColumn(name, 'integer', (c) => c.notNull().defaultTo(dflt));
  const nullable: Col = (c) => c;

  const create = async (name: string, build: (t: Table) => Table) => {
    await build(db.schema.createTable(name) as unknown as Table).execute();
  };
  const index = async (table: string, columns: string[], unique = false) => {
    let b = db.schema.createIndex(`${table}_${columns.join('_')}_${unique ? 'uq' : 'ix'}`).on(table).columns(columns);
    if (unique) b = b.unique();
    await b.execute();
  };

  await create('organisations', (t) => {
    t = withId(t);
    t = text(t, 'name');
    t = text(t, 'country');
    return text(t, 'created_at');
  });

  await create('accounts', (t) => {
    t = withId(t);
    t = t.addColumn('organisation_id', 'integer', refNotNull('organisations'));
    t = t.addColumn('parent_id', 'integer', ref('accounts', 'restrict'));
    t = text(t, 'number', (c) => c.notNull().unique());
    t = text(t, 'name');
    t = text(t, 'status');
    t = text(t, 'pin_hash');
    t = t.addColumn('pin_failed_attempts', 'integer', (c) => c.notNull().defaultTo(0));
    t = text(t, 'pin_locked_until', nullable);
    t = text(t, 'time_zone');
    t = text(t, 'currency');
    for (const c of ['billing_street', 'billing_city', 'billing_region', 'billing_postal_code', 'billing_country']) {
      t = text(t, c);
    }
    t = flag(t, 'paperless', 0);
    return text(t, 'created_at');
  });
  await index('accounts', ['organisation_id']);
  await index('accounts', ['parent_id']);

  await create('staff', (t) => {
    t = withId(t);
    t = text(t, 'email', (c) => c.notNull().unique());
    t = text(t, 'name');
    t = text(t, 'role');
    return flag(t, 'active', 1);
  });

  await create('portal_users', (t) => {
    t = withId(t);
    t = t.addColumn('organisation_id', 'integer', refNotNull('organisations'));
    t = text(t, 'email', (c) => c.notNull().unique());
    t = text(t, 'name');
    t = text(t, 'role');
    t = text(t, 'permissions');
    t = text(t, 'status');
    t = text(t, 'invited_at');
    t = text(t, 'activated_at', nullable);
    t = text(t, 'security_question', nullable);
    t = text(t, 'security_answer_hash', nullable);
    t = t.addColumn('default_account_id', 'integer', ref('accounts', 'set null'));
    t = text(t, 'created_at');
    return text(t, 'removed_at', nullable);
  });
  await index('portal_users', ['organisation_id']);

  await create('user_account_scopes', (t) => {
    t = t.addColumn('user_id', 'integer', refNotNull('portal_users'));
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = flag(t, 'include_children', 1);
    return t.addPrimaryKeyConstraint('user_account_scopes_pk', ['user_id', 'account_id'] as never);
  });

  await create('user_favorite_accounts', (t) => {
    t = t.addColumn('user_id', 'integer', refNotNull('portal_users'));
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = text(t, 'created_at');
    return t.addPrimaryKeyConstraint('user_favorite_accounts_pk', ['user_id', 'account_id'] as never);
  });

  await create('contacts', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = text(t, 'name');
    t = text(t, 'email', nullable);
    t = text(t, 'phone', nullable);
    t = text(t, 'role');
    t = text(t, 'created_at');
    return text(t, 'updated_at');
  });
  await index('contacts', ['account_id']);

  await create('account_notes', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = text(t, 'author');
    t = text(t, 'body');
    return text(t, 'created_at');
  });
  await index('account_notes', ['account_id']);

  await create('locations', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    for (const c of ['name', 'street', 'city', 'region', 'postal_code', 'country']) t = text(t, c);
    t = t.addColumn('latitude', 'real', notNull);
    return t.addColumn('longitude', 'real', notNull);
  });
  await index('locations', ['account_id']);
  await index('locations', ['city']);

  await create('services', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = t.addColumn('location_id', 'integer', ref('locations', 'set null'));
    t = text(t, 'type');
    t = text(t, 'name');
    t = text(t, 'identifier');
    t = text(t, 'status');
    t = int(t, 'monthly_cents');
    return text(t, 'started_at');
  });
  await index('services', ['account_id']);
  await index('services', ['location_id']);

  await create('service_features', (t) => {
    t = withId(t);
    t = t.addColumn('service_id', 'integer', refNotNull('services'));
    t = text(t, 'code');
    t = text(t, 'name');
    return int(t, 'monthly_cents');
  });
  await index('service_features', ['service_id']);

  await create('did_numbers', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = t.addColumn('service_id', 'integer', refNotNull('services'));
    t = text(t, 'number', (c) => c.notNull().unique());
    return text(t, 'status');
  });
  await index('did_numbers', ['account_id']);

  await create('hunt_groups', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = text(t, 'name');
    t = text(t, 'pilot_number');
    return text(t, 'strategy');
  });
  await index('hunt_groups', ['account_id']);

  await create('hunt_group_members', (t) => {
    t = t.addColumn('hunt_group_id', 'integer', refNotNull('hunt_groups'));
    t = int(t, 'position');
    t = text(t, 'number');
    return t.addPrimaryKeyConstraint('hunt_group_members_pk', ['hunt_group_id', 'position'] as never);
  });

  await create('account_codes', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = text(t, 'code');
    t = text(t, 'description');
    return flag(t, 'active', 1);
  });
  await index('account_codes', ['account_id', 'code'], true);

  await create('toll_free_numbers', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = t.addColumn('service_id', 'integer', refNotNull('services'));
    t = text(t, 'number', (c) => c.notNull().unique());
    t = text(t, 'ring_to_number');
    return text(t, 'updated_at');
  });
  await index('toll_free_numbers', ['account_id']);

  await create('e911_locations', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = text(t, 'number', (c) => c.notNull().unique());
    for (const c of ['street', 'city', 'region', 'postal_code', 'country', 'updated_at']) t = text(t, c);
    return t;
  });
  await index('e911_locations', ['account_id']);

  await create('orders', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = text(t, 'number', (c) => c.notNull().unique());
    for (const c of ['description', 'status', 'ordered_at', 'due_date']) t = text(t, c);
    return t;
  });
  await index('orders', ['account_id', 'status']);

  await create('invoices', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = text(t, 'number', (c) => c.notNull().unique());
    for (const c of ['period_start', 'period_end', 'issued_at', 'due_date']) t = text(t, c);
    t = int(t, 'subtotal_cents');
    t = int(t, 'tax_cents');
    return int(t, 'total_cents');
  });
  await index('invoices', ['account_id', 'period_start']);

  await create('invoice_lines', (t) => {
    t = withId(t);
    t = t.addColumn('invoice_id', 'integer', refNotNull('invoices'));
    t = text(t, 'bill_category');
    t = text(t, 'product_category');
    t = text(t, 'feature', nullable);
    t = text(t, 'connection_number', nullable);
    t = text(t, 'description');
    t = text(t, 'tax_name', nullable);
    return int(t, 'amount_cents');
  });
  await index('invoice_lines', ['invoice_id']);

  await create('tax_exemptions', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    for (const c of ['tax_name', 'certificate_number', 'region', 'valid_from']) t = text(t, c);
    return text(t, 'valid_to', nullable);
  });
  await index('tax_exemptions', ['account_id']);

  await create('payment_methods', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    for (const c of ['kind', 'processor_token', 'brand', 'last4']) t = text(t, c);
    t = int(t, 'exp_month', nullable);
    t = int(t, 'exp_year', nullable);
    t = text(t, 'holder_name');
    t = text(t, 'created_at');
    return text(t, 'removed_at', nullable);
  });
  await index('payment_methods', ['account_id']);

  await create('autopay', (t) => {
    t = t.addColumn('account_id', 'integer', (c) => refNotNull('accounts')(c).primaryKey());
    t = t.addColumn('payment_method_id', 'integer', ref('payment_methods', 'set null'));
    t = flag(t, 'enabled', 0);
    return text(t, 'updated_at');
  });

  await create('payments', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = t.addColumn('payment_method_id', 'integer', ref('payment_methods', 'set null'));
    t = int(t, 'amount_cents');
    for (const c of ['status', 'source', 'scheduled_for', 'submitted_at']) t = text(t, c);
    t = text(t, 'settled_at', nullable);
    return text(t, 'confirmation_number', (c) => c.notNull().unique());
  });
  await index('payments', ['account_id', 'status']);

  await create('tickets', (t) => {
    t = withId(t);
    t = text(t, 'number', (c) => c.notNull().unique());
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = t.addColumn('service_id', 'integer', ref('services', 'set null'));
    for (const c of ['title', 'description', 'status', 'priority', 'preferred_contact']) t = text(t, c);
    t = text(t, 'customer_reference', nullable);
    t = t.addColumn('created_by_user_id', 'integer', ref('portal_users', 'set null'));
    t = t.addColumn('created_by_staff_id', 'integer', ref('staff', 'set null'));
    t = text(t, 'created_at');
    t = text(t, 'updated_at');
    return text(t, 'closed_at', nullable);
  });
  await index('tickets', ['account_id', 'status']);
  await index('tickets', ['status', 'priority']);

  await create('ticket_events', (t) => {
    t = withId(t);
    t = t.addColumn('ticket_id', 'integer', refNotNull('tickets'));
    t = text(t, 'at');
    t = text(t, 'kind');
    t = text(t, 'from_value', nullable);
    t = text(t, 'to_value', nullable);
    t = text(t, 'note', nullable);
    return text(t, 'actor_label');
  });
  await index('ticket_events', ['ticket_id', 'at']);

  await create('ticket_escalations', (t) => {
    t = withId(t);
    t = t.addColumn('ticket_id', 'integer', refNotNull('tickets'));
    for (const c of ['from_priority', 'to_priority', 'reason', 'escalated_at', 'escalated_by']) t = text(t, c);
    return t;
  });
  await index('ticket_escalations', ['ticket_id']);

  await create('care_cases', (t) => {
    t = withId(t);
    t = text(t, 'number', (c) => c.notNull().unique());
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    for (const c of ['category', 'subject', 'status', 'opened_at', 'updated_at']) t = text(t, c);
    return t;
  });
  await index('care_cases', ['account_id', 'status']);

  await create('outages', (t) => {
    t = withId(t);
    t = text(t, 'reference', (c) => c.notNull().unique());
    for (const c of ['title', 'description', 'status', 'started_at']) t = text(t, c);
    return text(t, 'resolved_at', nullable);
  });
  await index('outages', ['status']);

  await create('outage_areas', (t) => {
    t = t.addColumn('outage_id', 'integer', refNotNull('outages'));
    for (const c of ['city', 'region', 'country']) t = text(t, c);
    return t;
  });
  await index('outage_areas', ['outage_id']);
  await index('outage_areas', ['city']);

  await create('outage_services', (t) => {
    t = t.addColumn('outage_id', 'integer', refNotNull('outages'));
    t = text(t, 'service_type');
    return t.addPrimaryKeyConstraint('outage_services_pk', ['outage_id', 'service_type'] as never);
  });

  await create('maintenance_windows', (t) => {
    t = withId(t);
    t = text(t, 'reference', (c) => c.notNull().unique());
    for (const c of ['title', 'description', 'status', 'starts_at', 'ends_at']) t = text(t, c);
    return t;
  });
  await index('maintenance_windows', ['starts_at']);

  await create('maintenance_areas', (t) => {
    t = t.addColumn('maintenance_id', 'integer', refNotNull('maintenance_windows'));
    for (const c of ['city', 'region', 'country']) t = text(t, c);
    return t;
  });
  await index('maintenance_areas', ['maintenance_id']);

  await create('maintenance_services', (t) => {
    t = t.addColumn('maintenance_id', 'integer', refNotNull('maintenance_windows'));
    t = text(t, 'service_type');
    return t.addPrimaryKeyConstraint('maintenance_services_pk', ['maintenance_id', 'service_type'] as never);
  });

  await create('call_detail_records', (t) => {
    t = withId(t);
    // No foreign keys here: at millions of rows their checks dominate bulk loads; the seed
    // and the rating import guarantee the references, and a test checks them.
    t = int(t, 'account_id');
    t = int(t, 'service_id');
    t = text(t, 'origin_number');
    t = text(t, 'destination_number');
    t = text(t, 'started_at');
    t = int(t, 'duration_seconds');
    t = int(t, 'charge_cents');
    t = text(t, 'account_code', nullable);
    return text(t, 'call_type');
  });
  // Reports filter by account and period first, then group by type/number/code.
  await index('call_detail_records', ['account_id', 'started_at']);
  await index('call_detail_records', ['service_id']);

  await create('internet_usage', (t) => {
    t = withId(t);
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = t.addColumn('service_id', 'integer', refNotNull('services'));
    t = text(t, 'usage_date');
    t = int(t, 'download_mb');
    return int(t, 'upload_mb');
  });
  await index('internet_usage', ['account_id', 'usage_date']);

  await create('channel_identities', (t) => {
    t = withId(t);
    t = text(t, 'channel');
    t = text(t, 'tenant_id');
    t = text(t, 'external_user_id');
    t = t.addColumn('staff_id', 'integer', ref('staff'));
    t = t.addColumn('portal_user_id', 'integer', ref('portal_users'));
    return text(t, 'created_at');
  });
  await index('channel_identities', ['channel', 'tenant_id', 'external_user_id'], true);

  await create('conversations', (t) => {
    t = text(t, 'id', (c) => c.primaryKey());
    t = text(t, 'channel');
    t = text(t, 'external_ref', nullable);
    t = t.addColumn('portal_user_id', 'integer', ref('portal_users', 'set null'));
    t = t.addColumn('staff_id', 'integer', ref('staff', 'set null'));
    t = t.addColumn('account_in_focus_id', 'integer', ref('accounts', 'set null'));
    t = text(t, 'state');
    t = t.addColumn('state_version', 'integer', (c) => c.notNull().defaultTo(0));
    t = text(t, 'status');
    t = text(t, 'created_at');
    return text(t, 'updated_at');
  });
  await index('conversations', ['channel', 'external_ref']);
  await index('conversations', ['status']);

  await create('messages', (t) => {
    t = withId(t);
    t = t.addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'));
    t = int(t, 'seq');
    t = text(t, 'direction');
    t = text(t, 'author');
    t = text(t, 'text');
    t = text(t, 'payload', nullable);
    return text(t, 'created_at');
  });
  await index('messages', ['conversation_id', 'seq'], true);

  await create('handoffs', (t) => {
    t = withId(t);
    t = t.addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'));
    t = text(t, 'reason');
    t = text(t, 'status');
    t = t.addColumn('agent_staff_id', 'integer', ref('staff', 'set null'));
    t = text(t, 'requested_at');
    t = text(t, 'accepted_at', nullable);
    return text(t, 'returned_at', nullable);
  });
  await index('handoffs', ['status', 'requested_at']);
  await index('handoffs', ['conversation_id']);

  await create('notification_subscriptions', (t) => {
    t = withId(t);
    t = t.addColumn('portal_user_id', 'integer', ref('portal_users'));
    t = t.addColumn('staff_id', 'integer', ref('staff'));
    t = t.addColumn('account_id', 'integer', ref('accounts'));
    for (const c of ['topic', 'channel', 'destination', 'created_at']) t = text(t, c);
    return t;
  });
  await index('notification_subscriptions', ['topic', 'account_id']);

  await create('scheduled_reports', (t) => {
    t = withId(t);
    t = t.addColumn('portal_user_id', 'integer', ref('portal_users'));
    t = t.addColumn('staff_id', 'integer', ref('staff'));
    t = text(t, 'report_id');
    t = t.addColumn('account_id', 'integer', refNotNull('accounts'));
    t = flag(t, 'include_children', 0);
    for (const c of ['params', 'format', 'frequency', 'time_zone', 'channel', 'destination', 'next_run_at']) {
      t = text(t, c);
    }
    t = text(t, 'last_run_at', nullable);
    return text(t, 'created_at');
  });
  await index('scheduled_reports', ['next_run_at']);

  await create('idempotency_keys', (t) => {
    t = text(t, 'scope');
    t = text(t, 'key');
    t = text(t, 'result');
    t = text(t, 'created_at');
    return t.addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'] as never);
  });

  await create('audit_log', (t) => {
    t = withId(t);
    t = text(t, 'at');
    t = text(t, 'actor_kind');
    t = text(t, 'actor_id', nullable);
    t = text(t, 'actor_label');
    t = text(t, 'action');
    t = t.addColumn('account_id', 'integer', nullable);
    t = text(t, 'target', nullable);
    return text(t, 'details', nullable);
  });
  await index('audit_log', ['account_id', 'at']);
  await index('audit_log', ['at']);
}

const TABLES_NEWEST_FIRST = [
  'audit_log',
  'idempotency_keys',
  'scheduled_reports',
  'notification_subscriptions',
  'handoffs',
  'messages',
  'conversations',
  'channel_identities',
  'internet_usage',
  'call_detail_records',
  'maintenance_services',
  'maintenance_areas',
  'maintenance_windows',
  'outage_services',
  'outage_areas',
  'outages',
  'care_cases',
  'ticket_escalations',
  'ticket_events',
  'tickets',
  'payments',
  'autopay',
  'payment_methods',
  'tax_exemptions',
  'invoice_lines',
  'invoices',
  'orders',
  'e911_locations',
  'toll_free_numbers',
  'account_codes',
  'hunt_group_members',
  'hunt_groups',
  'did_numbers',
  'service_features',
  'services',
  'locations',
  'account_notes',
  'contacts',
  'user_favorite_accounts',
  'user_account_scopes',
  'portal_users',
  'staff',
  'accounts',
  'organisations',
];

export async function down(db: Kysely<unknown>): Promise<void> {
  // SQLite empties a table before dropping it, and a parent account cannot go before its children.
  await (db as Kysely<{ accounts: { parent_id: number | null } }>).updateTable('accounts').set({ parent_id: null }).execute();
  for (const table of TABLES_NEWEST_FIRST) {
    await db.schema.dropTable(table).execute();
  }
}

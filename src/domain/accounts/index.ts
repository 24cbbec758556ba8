// Accounts: summary, hierarchy, the accounts an actor can pick from, contacts, notes, billing address,
// paperless billing, and a customer's favourites and default account.
import { sql } from 'kysely';
import type { Account, ContactRole } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import { recordAudit } from '../audit.js';
import { authorizeAccount, can, inScope } from '../authorization.js';
import { type AccountBalance, computeBalance, todayUtc } from '../billing/index.js';
import type { DomainContext } from '../context.js';
import { type Denied, forbidden, invalid, type Invalid, notFound, type Ok, ok, signInRequired } from '../result.js';
import { cleanText, isValidEmail, normaliseNanpNumber, type PostalAddress, validateAddress } from '../validation.js';
import { writeAudited } from '../write.js';

export interface AccountRef {
  number: string;
  name: string;
  status: Account['status'];
}

export interface AccountSummary extends AccountRef {
  organisation: string;
  parent: AccountRef | null;
  children: AccountRef[];
  timeZone: string;
  currency: string;
  billingAddress: PostalAddress;
  paperless: boolean;
  /** Present when the actor may see billing. */
  balance: AccountBalance | null;
  openTickets: number;
  activeServices: number;
  notes: { author: string; body: string; createdAt: string }[];
}

const ref = (a: Pick<Account, 'number' | 'name' | 'status'>): AccountRef => ({
  number: a.number,
  name: a.name,
  status: a.status,
});

export function billingAddressOf(account: Account): PostalAddress {
  return {
    street: account.billing_street,
    city: account.billing_city,
    region: account.billing_region,
    postalCode: account.billing_postal_code,
    country: account.billing_country,
  };
}

export async function getAccountSummary(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string },
): Promise<Ok<AccountSummary> | Denied> {
  const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'account.read', 'get_account_summary');
  if (allowed.kind !== 'ok') return allowed;
  const account = allowed.value;
  const [organisation, parent, children, openTickets, activeServices, notes] = await Promise.all([
    ctx.db
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', account.organisation_id)
      .executeTakeFirstOrThrow(),
    account.parent_id === null
      ? undefined
      : ctx.db
          .selectFrom('accounts')
          .select(['id', 'number', 'name', 'status'])
          .where('id', '=', account.parent_id)
          .executeTakeFirst(),
    ctx.db
      .selectFrom('accounts')
      .select(['id', 'number', 'name', 'status'])
      .where('parent_id', '=', account.id)
      .orderBy('number')
      .execute(),
    ctx.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', account.id)
      .where('status', 'not in', ['resolved', 'closed'])
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom('services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', account.id)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom('account_notes')
      .selectAll()
      .where('account_id', '=', account.id)
      .orderBy('created_at', 'desc')
      .limit(5)
      .execute(),
  ]);
  return ok({
    ...ref(account),
    organisation: organisation.name,
    // A parent outside the actor's scope is not theirs to see.
    parent: parent && inScope(actor, parent.id) ? ref(parent) : null,
    children: children.filter((c) => inScope(actor, c.id)).map(ref),
    timeZone: account.time_zone,
    currency: account.currency,
    billingAddress: billingAddressOf(account),
    paperless: account.paperless === 1,
    balance: can(actor, 'billing.read') ? await computeBalance(ctx.db, account, todayUtc(ctx)) : null,
    openTickets: Number(openTickets.n),
    activeServices: Number(activeServices.n),
    notes: notes.map((n) => ({ author: n.author, body: n.body, createdAt: n.created_at })),
  });
}

export interface AccountNode extends AccountRef {
  children: AccountNode[];
}

/**
 * The hierarchy under an account (or, with none named, under each of the actor's top-most visible
 * accounts), showing only accounts in the actor's scope.
 */
export async function getAccountHierarchy(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber?: string },
): Promise<Ok<AccountNode[]> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  let organisationId: number;
  let rootIds: number[];
  if (input.accountNumber) {
    const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'account.read', 'get_account_hierarchy');
    if (allowed.kind !== 'ok') return allowed;
    organisationId = allowed.value.organisation_id;
    rootIds = [allowed.value.id];
  } else {
    if (actor.kind === 'staff') return forbidden('Please name the account whose hierarchy you want.');
    if (actor.kind === 'customer') organisationId = actor.organisationId;
    else {
      const any = [...actor.accountIds][0];
      if (any === undefined) return ok([]);
      organisationId = (
        await ctx.db.selectFrom('accounts').select('organisation_id').where('id', '=', any).executeTakeFirstOrThrow()
      ).organisation_id;
    }
    rootIds = [];
  }
  const accounts = await ctx.db
    .selectFrom('accounts')
    .select(['id', 'parent_id', 'number', 'name', 'status'])
    .where('organisation_id', '=', organisationId)
    .orderBy('number')
    .execute();
  const visible = accounts.filter((a) => inScope(actor, a.id));
  const visibleIds = new Set(visible.map((a) => a.id));
  if (rootIds.length === 0) {
    rootIds = visible.filter((a) => a.parent_id === null || !visibleIds.has(a.parent_id)).map((a) => a.id);
  }
  const build = (id: number): AccountNode => {
    const account = visible.find((a) => a.id === id) as (typeof visible)[number];
    return { ...ref(account), children: visible.filter((a) => a.parent_id === id).map((c) => build(c.id)) };
  };
  return ok(rootIds.filter((id) => visibleIds.has(id)).map(build));
}

export interface AccessibleAccount extends AccountRef {
  /** Null for a root account, and when the parent is outside the actor's scope. */
  parentNumber: string | null;
  favorite: boolean;
  isDefault: boolean;
}

/** The accounts a customer (or an agent's customer) can pick from, with favourites and the default marked. */
export async function listAccessibleAccounts(
  ctx: DomainContext,
  actor: Actor,
): Promise<Ok<AccessibleAccount[]> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (actor.kind === 'staff') return forbidden('Staff look up accounts by number or name.');
  const ids = [...actor.accountIds];
  if (ids.length === 0) return ok([]);
  const rows = await ctx.db
    .selectFrom('accounts as a')
    .leftJoin('accounts as p', 'p.id', 'a.parent_id')
    .select(['a.id', 'a.number', 'a.name', 'a.status', 'a.parent_id', 'p.number as parent_number'])
    .where('a.id', 'in', ids)
    .orderBy('a.number')
    .execute();
  let favorites = new Set<number>();
  let defaultId: number | null = null;
  if (actor.kind === 'customer' && actor.userId !== null) {
    const favs = await ctx.db
      .selectFrom('user_favorite_accounts')
      .select('account_id')
      .where('user_id', '=', actor.userId)
      .execute();
    favorites = new Set(favs.map((f) => f.account_id));
    const user = await ctx.db
      .selectFrom('portal_users')
      .select('default_account_id')
      .where('id', '=', actor.userId)
      .executeTakeFirst();
    defaultId = user?.default_account_id ?? null;
  } else if (actor.kind === 'customer' && actor.pinAccount) {
    // A PIN sign-in has no preferences: the account whose PIN was given is the one meant by default.
    defaultId = actor.pinAccount.id;
  }
  return ok(
    rows.map((r) => ({
      number: r.number,
      name: r.name,
      status: r.status,
      parentNumber: r.parent_id !== null && actor.accountIds.has(r.parent_id) ? r.parent_number : null,
      favorite: favorites.has(r.id),
      isDefault: r.id === defaultId,
    })),
  );
}

export interface Contact {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  role: ContactRole;
}

export async function listContacts(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string },
): Promise<Ok<Contact[]> | Denied> {
  const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'account.read', 'list_contacts');
  if (allowed.kind !== 'ok') return allowed;
  const rows = await ctx.db
    .selectFrom('contacts')
    .selectAll()
    .where('account_id', '=', allowed.value.id)
    .orderBy('id')
    .execute();
  return ok(rows.map((r) => ({ id: r.id, name: r.name, email: r.email, phone: r.phone, role: r.role })));
}

export interface ContactInput {
  name: string;
  email?: string | null;
  phone?: string | null;
  role: ContactRole;
}

const CONTACT_ROLES: readonly ContactRole[] = ['primary', 'billing', 'technical'];

function validateContact(input: ContactInput): { kind: 'ok'; value: Omit<Contact, 'id'> } | Invalid {
  const name = cleanText(input.name, 120);
  if (name.length < 2) return invalid('name', "Please give the contact's name.");
  if (!CONTACT_ROLES.includes(input.role)) return invalid('role', 'The role must be primary, billing or technical.');
  const email = input.email ? input.email.trim().toLowerCase() : null;
  if (email !== null && !isValidEmail(email)) return invalid('email', "That email address doesn't look right.");
  let phone: string | null = null;
  if (input.phone) {
    phone = normaliseNanpNumber(input.phone);
    if (!phone) return invalid('phone', "That phone number isn't a valid North American number.");
  }
  if (!email && !phone) return invalid('email', 'A contact needs an email address or a phone number.');
  return { kind: 'ok', value: { name, email, phone, role: input.role } };
}

export async function addContact(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; contact: ContactInput },
): Promise<Ok<Contact> | Denied | Invalid> {
  const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'account.write', 'add_contact');
  if (allowed.kind !== 'ok') return allowed;
  const valid = validateContact(input.contact);
  if (valid.kind !== 'ok') return valid;
  const account = allowed.value;
  const id = await writeAudited(
    ctx,
    actor,
    { action: 'add_contact', accountId: account.id, details: { name: valid.value.name, role: valid.value.role } },
    async (db, now) => {
      const row = await db
        .insertInto('contacts')
        .values({ account_id: account.id, ...valid.value, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
  );
  return ok({ id, ...valid.value });
}

export async function updateContact(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; contactId: number; contact: ContactInput },
): Promise<Ok<Contact> | Denied | Invalid> {
  const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'account.write', 'update_contact');
  if (allowed.kind !== 'ok') return allowed;
  const account = allowed.value;
  const existing = await ctx.db
    .selectFrom('contacts')
    .select('id')
    .where('id', '=', input.contactId)
    .where('account_id', '=', account.id)
    .executeTakeFirst();
  if (!existing) return notFound(`contact ${input.contactId}`);
  const valid = validateContact(input.contact);
  if (valid.kind !== 'ok') return valid;
  await writeAudited(
    ctx,
    actor,
    {
      action: 'update_contact',
      accountId: account.id,
      target: `contact:${existing.id}`,
      details: { role: valid.value.role },
    },
    (db, now) =>
      db
        .updateTable('contacts')
        .set({ ...valid.value, updated_at: now })
        .where('id', '=', existing.id)
        .execute(),
  );
  return ok({ id: existing.id, ...valid.value });
}

export async function listAccountNotes(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'account.read', 'list_account_notes');
  if (allowed.kind !== 'ok') return allowed;
  const rows = await ctx.db
    .selectFrom('account_notes')
    .selectAll()
    .where('account_id', '=', allowed.value.id)
    .orderBy('created_at', 'desc')
    .execute();
  return ok(rows.map((n) => ({ author: n.author, body: n.body, createdAt: n.created_at })));
}

export async function updateBillingAddress(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; address: PostalAddress },
): Promise<Ok<PostalAddress> | Denied | Invalid> {
  const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'billing.write', 'update_billing_address');
  if (allowed.kind !== 'ok') return allowed;
  const valid = validateAddress(input.address);
  if (valid.kind !== 'ok') return valid;
  const account = allowed.value;
  const a = valid.value;
  await writeAudited(
    ctx,
    actor,
    {
      action: 'update_billing_address',
      accountId: account.id,
      details: { city: a.city, region: a.region, country: a.country },
    },
    (db) =>
      db
        .updateTable('accounts')
        .set({
          billing_street: a.street,
          billing_city: a.city,
          billing_region: a.region,
          billing_postal_code: a.postalCode,
          billing_country: a.country,
        })
        .where('id', '=', account.id)
        .execute(),
  );
  return ok(a);
}

export async function setPaperless(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; paperless: boolean },
): Promise<Ok<{ accountNumber: string; paperless: boolean }> | Denied> {
  const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'billing.write', 'set_paperless');
  if (allowed.kind !== 'ok') return allowed;
  const account = allowed.value;
  await writeAudited(
    ctx,
    actor,
    { action: 'set_paperless', accountId: account.id, details: { paperless: input.paperless } },
    (db) =>
      db
        .updateTable('accounts')
        .set({ paperless: input.paperless ? 1 : 0 })
        .where('id', '=', account.id)
        .execute(),
  );
  return ok({ accountNumber: account.number, paperless: input.paperless });
}

/** Favourites and the default account are a customer's own preferences over accounts in their scope. */
async function customerAccount(ctx: DomainContext, actor: Actor, accountNumber: string, action: string) {
  if (actor.kind === 'anonymous') return signInRequired();
  if (actor.kind !== 'customer' || actor.userId === null)
    return forbidden('Favourites and default accounts belong to portal users.');
  return authorizeAccount(ctx, actor, accountNumber, 'account.read', action);
}

export async function addFavoriteAccount(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const allowed = await customerAccount(ctx, actor, input.accountNumber, 'add_favorite_account');
  if (allowed.kind !== 'ok' || actor.kind !== 'customer' || actor.userId === null) return allowed as Denied;
  const account = allowed.value;
  const userId = actor.userId;
  await writeAudited(ctx, actor, { action: 'add_favorite_account', accountId: account.id }, async (db, now) => {
    const existing = await db
      .selectFrom('user_favorite_accounts')
      .select('account_id')
      .where('user_id', '=', userId)
      .where('account_id', '=', account.id)
      .executeTakeFirst();
    if (!existing)
      await db
        .insertInto('user_favorite_accounts')
        .values({ user_id: userId, account_id: account.id, created_at: now })
        .execute();
  });
  return ok({ accountNumber: account.number, favorite: true });
}

export async function removeFavoriteAccount(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const allowed = await customerAccount(ctx, actor, input.accountNumber, 'remove_favorite_account');
  if (allowed.kind !== 'ok' || actor.kind !== 'customer' || actor.userId === null) return allowed as Denied;
  const account = allowed.value;
  const userId = actor.userId;
  await writeAudited(ctx, actor, { action: 'remove_favorite_account', accountId: account.id }, (db) =>
    db
      .deleteFrom('user_favorite_accounts')
      .where('user_id', '=', userId)
      .where('account_id', '=', account.id)
      .execute(),
  );
  return ok({ accountNumber: account.number, favorite: false });
}

export async function setDefaultAccount(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const allowed = await customerAccount(ctx, actor, input.accountNumber, 'set_default_account');
  if (allowed.kind !== 'ok' || actor.kind !== 'customer' || actor.userId === null) return allowed as Denied;
  const account = allowed.value;
  const userId = actor.userId;
  await writeAudited(ctx, actor, { action: 'set_default_account', accountId: account.id }, (db) =>
    db.updateTable('portal_users').set({ default_account_id: account.id }).where('id', '=', userId).execute(),
  );
  return ok({ accountNumber: account.number, isDefault: true });
}

/**
 * Accounts matching a number prefix or part of a name, for pickers (e.g. the account menu of Slack's
 * ticket form): staff search every account, customers and agents only their own. Staff searches are audited.
 */
export async function searchAccounts(
  ctx: DomainContext,
  actor: Actor,
  input: { query: string; limit?: number },
): Promise<Ok<AccountRef[]> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (!can(actor, 'account.read')) return forbidden("You don't have permission for account details.");
  const query = cleanText(input.query, 60).toLowerCase();
  const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
  // LIKE wildcards typed by the user are matched literally.
  const literal = query.replace(/[\\%_]/g, (ch) => `\\${ch}`);
  let select = ctx.db.selectFrom('accounts').select(['id', 'number', 'name', 'status']);
  if (actor.kind !== 'staff') select = select.where('id', 'in', actor.accountIds.size ? [...actor.accountIds] : [-1]);
  if (query !== '') {
    select = select.where((eb) =>
      eb.or([
        eb('number', 'like', sql<string>`${`${literal}%`} escape '\\'`),
        eb(eb.fn('lower', ['name']), 'like', sql<string>`${`%${literal}%`} escape '\\'`),
      ]),
    );
  }
  const rows = await select.orderBy('number').limit(limit).execute();
  if (actor.kind === 'staff') {
    await recordAudit(ctx.db, ctx.now(), actor, {
      action: 'search_accounts',
      accountId: null,
      details: { query, results: rows.length },
    });
  }
  return ok(rows.map(ref));
}

// The Database type: one interface per table, shared by every SQL engine (SQLite, PostgreSQL).
//
// Conventions (see shared/DESIGN.md): times are UTC ISO-8601 text, calendar dates are
// 'YYYY-MM-DD' text, money is integer cents, booleans are integers 0/1 (the one
// representation both engines return alike), JSON is text, time zones are IANA names.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** 0 or 1: SQLite has no boolean type, so both engines store flags as integers. */
export type Flag = 0 | 1;
/** An id the database assigns (identity / autoincrement) unless the seed sets it. */
type Id = Generated<number>;

export type AccountStatus = 'active' | 'inactive';
export type PortalUserRole = 'admin' | 'user';
export type PortalUserStatus = 'invited' | 'active' | 'disabled';
/** Function areas a non-admin portal user may be granted. */
export type Permission = 'billing' | 'tickets' | 'services' | 'reports';
export type ContactRole = 'primary' | 'billing' | 'technical';
export type ServiceType = 'voice_line' | 'toll_free' | 'long_distance' | 'internet' | 'conferencing';
export type OrderStatus = 'received' | 'in_progress' | 'scheduled' | 'completed' | 'cancelled';
export type BillCategory = 'monthly_charges' | 'usage' | 'one_time_charges' | 'credits' | 'taxes';
export type ProductCategory = 'voice' | 'long_distance' | 'toll_free' | 'internet' | 'conferencing' | 'tax';
export type PaymentMethodKind = 'card' | 'bank';
export type PaymentStatus = 'pending' | 'completed' | 'failed';
export type PaymentSource = 'one_time' | 'autopay';
export type TicketStatus = 'open' | 'in_progress' | 'pending_customer' | 'resolved' | 'closed';
export type TicketPriority = 'low' | 'medium' | 'high' | 'critical';
export type ContactMethod = 'email' | 'phone' | 'chat';
export type TicketEventKind = 'created' | 'status_changed' | 'comment' | 'escalated';
export type CareCaseCategory = 'billing' | 'order' | 'move' | 'account';
export type CareCaseStatus = 'open' | 'in_progress' | 'resolved' | 'closed';
export type OutageStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type MaintenanceStatus = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';
export type CallType = 'long_distance' | 'toll_free' | 'local' | 'conference';
export type StaffRole = 'care_agent' | 'billing_specialist' | 'network_operations' | 'support_agent';
export type Channel = 'web' | 'slack' | 'teams' | 'cli';
export type ConversationStatus = 'bot' | 'handoff_waiting' | 'agent' | 'closed';
export type HandoffStatus = 'waiting' | 'active' | 'returned' | 'cancelled';
export type MessageDirection = 'in' | 'out';
export type ReportFrequency = 'daily' | 'weekly' | 'monthly';
export type ReportFormat = 'pdf' | 'csv';
export type NotificationTopic =
  | 'invoice_ready'
  | 'payment_due'
  | 'payment_failed'
  | 'ticket_status'
  | 'outage'
  | 'maintenance'
  | 'scheduled_report';

export interface OrganisationsTable {
  id: Id;
  name: string;
  country: string;
  created_at: string;
}

export interface AccountsTable {
  id: Id;
  organisation_id: number;
  parent_id: number | null;
  number: string;
  name: string;
  status: AccountStatus;
  /** Salted hash of the account PIN ("pbkdf2-sha256$rounds$salt$hash"; older rows "scrypt$…"); never the PIN itself. */
  pin_hash: string;
  pin_failed_attempts: ColumnType<number, number | undefined, number>;
  pin_locked_until: string | null;
  time_zone: string;
  currency: string;
  billing_street: string;
  billing_city: string;
  billing_region: string;
  billing_postal_code: string;
  billing_country: string;
  paperless: Flag;
  created_at: string;
}

export interface PortalUsersTable {
  id: Id;
  organisation_id: number;
  email: string;
  name: string;
  role: PortalUserRole;
  /** Comma-separated Permission list; admins hold every permission regardless. */
  permissions: string;
  status: PortalUserStatus;
  invited_at: string;
  /** Invitations lapse 30 days after invited_at unless activated. */
  activated_at: string | null;
  security_question: string | null;
  security_answer_hash: string | null;
  default_account_id: number | null;
  created_at: string;
  removed_at: string | null;
}

/** Which accounts a portal user may see: each row grants one account, optionally with its descendants. */
export interface UserAccountScopesTable {
  user_id: number;
  account_id: number;
  include_children: Flag;
}

export interface UserFavoriteAccountsTable {
  user_id: number;
  account_id: number;
  created_at: string;
}

export interface ContactsTable {
  id: Id;
  account_id: number;
  name: string;
  email: string | null;
  phone: string | null;
  role: ContactRole;
  created_at: string;
  updated_at: string;
}

export interface AccountNotesTable {
  id: Id;
  account_id: number;
  author: string;
  body: string;
  created_at: string;
}

export interface LocationsTable {
  id: Id;
  account_id: number;
  name: string;
  street: string;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  latitude: number;
  longitude: number;
}

export interface ServicesTable {
  id: Id;
  account_id: number;
  location_id: number | null;
  type: ServiceType;
  name: string;
  /** The service's own identifier: a phone number, a circuit id, a bridge number. */
  identifier: string;
  status: 'active' | 'suspended' | 'disconnected';
  monthly_cents: number;
  started_at: string;
}

export interface ServiceFeaturesTable {
  id: Id;
  service_id: number;
  code: string;
  name: string;
  monthly_cents: number;
}

export interface DidNumbersTable {
  id: Id;
  account_id: number;
  service_id: number;
  /** E.164, e.g. +14165550123 */
  number: string;
  status: 'active' | 'reserved' | 'ported_out';
}

export interface HuntGroupsTable {
  id: Id;
  account_id: number;
  name: string;
  pilot_number: string;
  strategy: 'linear' | 'circular' | 'simultaneous' | 'longest_idle';
}

export interface HuntGroupMembersTable {
  hunt_group_id: number;
  position: number;
  number: string;
}

export interface AccountCodesTable {
  id: Id;
  account_id: number;
  code: string;
  description: string;
  active: Flag;
}

export interface TollFreeNumbersTable {
  id: Id;
  account_id: number;
  service_id: number;
  number: string;
  ring_to_number: string;
  updated_at: string;
}

export interface E911LocationsTable {
  id: Id;
  account_id: number;
  /** The line (E.164) whose emergency calls report this address. */
  number: string;
  street: string;
  city: string;
  region: string;
  postal_code: string;
  country: string;
  updated_at: string;
}

export interface OrdersTable {
  id: Id;
  account_id: number;
  number: string;
  description: string;
  status: OrderStatus;
  ordered_at: string;
  due_date: string;
}

export interface InvoicesTable {
  id: Id;
  account_id: number;
  number: string;
  period_start: string;
  period_end: string;
  issued_at: string;
  due_date: string;
  subtotal_cents: number;
  tax_cents: number;
  /** Always subtotal_cents + tax_cents = the sum of the invoice's lines. */
  total_cents: number;
}

export interface InvoiceLinesTable {
  id: Id;
  invoice_id: number;
  bill_category: BillCategory;
  product_category: ProductCategory;
  feature: string | null;
  connection_number: string | null;
  description: string;
  /** For tax lines, the tax's name (GST, HST, QST, PST, a US state tax); null otherwise. */
  tax_name: string | null;
  amount_cents: number;
}

export interface TaxExemptionsTable {
  id: Id;
  account_id: number;
  tax_name: string;
  certificate_number: string;
  region: string;
  valid_from: string;
  valid_to: string | null;
}

/** A saved payment account: only the processor's token and display details, never a card number or security code. */
export interface PaymentMethodsTable {
  id: Id;
  account_id: number;
  kind: PaymentMethodKind;
  processor_token: string;
  brand: string;
  last4: string;
  exp_month: number | null;
  exp_year: number | null;
  holder_name: string;
  created_at: string;
  removed_at: string | null;
}

export interface AutopayTable {
  account_id: number;
  payment_method_id: number | null;
  enabled: Flag;
  updated_at: string;
}

export interface PaymentsTable {
  id: Id;
  account_id: number;
  payment_method_id: number | null;
  amount_cents: number;
  status: PaymentStatus;
  source: PaymentSource;
  /** The date the payment is to be (or was) taken, 'YYYY-MM-DD'. */
  scheduled_for: string;
  submitted_at: string;
  settled_at: string | null;
  confirmation_number: string;
}

export interface TicketsTable {
  id: Id;
  number: string;
  account_id: number;
  service_id: number | null;
  title: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  preferred_contact: ContactMethod;
  customer_reference: string | null;
  created_by_user_id: number | null;
  created_by_staff_id: number | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface TicketEventsTable {
  id: Id;
  ticket_id: number;
  at: string;
  kind: TicketEventKind;
  from_value: string | null;
  to_value: string | null;
  note: string | null;
  actor_label: string;
}

export interface TicketEscalationsTable {
  id: Id;
  ticket_id: number;
  from_priority: TicketPriority;
  to_priority: TicketPriority;
  reason: string;
  escalated_at: string;
  escalated_by: string;
}

export interface CareCasesTable {
  id: Id;
  number: string;
  account_id: number;
  category: CareCaseCategory;
  subject: string;
  status: CareCaseStatus;
  opened_at: string;
  updated_at: string;
}

export interface OutagesTable {
  id: Id;
  reference: string;
  title: string;
  description: string;
  status: OutageStatus;
  started_at: string;
  resolved_at: string | null;
}

/** Where an outage or maintenance window is felt: a city in a region (province/state). */
export interface ImpactAreaColumns {
  city: string;
  region: string;
  country: string;
}

export interface OutageAreasTable extends ImpactAreaColumns {
  outage_id: number;
}

export interface OutageServicesTable {
  outage_id: number;
  service_type: ServiceType;
}

export interface MaintenanceWindowsTable {
  id: Id;
  reference: string;
  title: string;
  description: string;
  status: MaintenanceStatus;
  starts_at: string;
  ends_at: string;
}

export interface MaintenanceAreasTable extends ImpactAreaColumns {
  maintenance_id: number;
}

export interface MaintenanceServicesTable {
  maintenance_id: number;
  service_type: ServiceType;
}

export interface CallDetailRecordsTable {
  id: Id;
  account_id: number;
  service_id: number;
  origin_number: string;
  destination_number: string;
  /** UTC ISO-8601 start of the call. */
  started_at: string;
  duration_seconds: number;
  /** Rated charge in cents. */
  charge_cents: number;
  account_code: string | null;
  call_type: CallType;
}

export interface InternetUsageTable {
  id: Id;
  account_id: number;
  service_id: number;
  usage_date: string;
  download_mb: number;
  upload_mb: number;
}

export interface StaffTable {
  id: Id;
  email: string;
  name: string;
  role: StaffRole;
  active: Flag;
}

/** Links a person in a channel (a Slack user in a workspace, a Teams user in a tenant) to staff or a portal user. */
export interface ChannelIdentitiesTable {
  id: Id;
  channel: Channel;
  /** Slack team id, Teams tenant id, or '' for the web. */
  tenant_id: string;
  external_user_id: string;
  staff_id: number | null;
  portal_user_id: number | null;
  created_at: string;
}

export interface ConversationsTable {
  id: string;
  channel: Channel;
  /** The channel's own handle for the conversation (Slack channel+thread, Teams conversation id). */
  external_ref: string | null;
  portal_user_id: number | null;
  staff_id: number | null;
  account_in_focus_id: number | null;
  /** Dialog state as JSON. */
  state: string;
  /** Incremented on each state change; a write with a stale version loses (optimistic locking). */
  state_version: number;
  status: ConversationStatus;
  created_at: string;
  updated_at: string;
}

export interface MessagesTable {
  id: Id;
  conversation_id: string;
  seq: number;
  direction: MessageDirection;
  author: 'user' | 'bot' | 'agent' | 'system';
  text: string;
  /** The neutral reply or button payload as JSON, when there is more than text. */
  payload: string | null;
  created_at: string;
}

export interface HandoffsTable {
  id: Id;
  conversation_id: string;
  reason: string;
  status: HandoffStatus;
  agent_staff_id: number | null;
  requested_at: string;
  accepted_at: string | null;
  returned_at: string | null;
}

export type ChatSessionIdentity = 'anonymous' | 'portal' | 'pin';

/** A web chat session: a bearer token (stored only as its SHA-256) bound to one conversation. */
/** Abuse-limit counters: events per key in a fixed window, and one-time marks (window_start '-'). */
export interface RateLimitsTable {
  key: string;
  window_start: string;
  count: number;
  expires_at: string;
}

/** A message sent outside a request, and how its delivery to the conversation's channel went. */
export interface DeliveriesTable {
  id: string;
  conversation_id: string;
  message_seq: number;
  channel: Channel;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ChatSessionsTable {
  /** SHA-256 of the token, base64url. */
  id: string;
  conversation_id: string;
  identity: ChatSessionIdentity;
  /** The portal user of a portal sign-in. */
  portal_user_id: number | null;
  /** The account whose PIN was given, for a PIN sign-in. */
  account_id: number | null;
  created_at: string;
  /** Moved forward as the visitor acts; the session ends after the idle timeout without activity. */
  last_seen_at: string;
  /** The absolute end of the session, whatever the activity. */
  expires_at: string;
}

/** A file (PDF, CSV) sent in a conversation, kept so the conversation's owner can download it again. */
export interface ChatFilesTable {
  /** Random, unguessable. */
  id: string;
  conversation_id: string;
  /** The message it came with. */
  message_seq: number;
  /** Its place among that message's files. */
  position: number;
  filename: string;
  media_type: string;
  bytes: number;
  content: Uint8Array;
  created_at: string;
}

export interface NotificationSubscriptionsTable {
  id: Id;
  portal_user_id: number | null;
  staff_id: number | null;
  account_id: number | null;
  topic: NotificationTopic;
  channel: Channel;
  /** Where to deliver in that channel: an email, a Slack channel id, a Teams conversation reference. */
  destination: string;
  created_at: string;
}

export interface ScheduledReportsTable {
  id: Id;
  portal_user_id: number | null;
  staff_id: number | null;
  report_id: string;
  account_id: number;
  include_children: Flag;
  /** Report-specific filters as JSON. */
  params: string;
  format: ReportFormat;
  frequency: ReportFrequency;
  time_zone: string;
  channel: Channel;
  destination: string;
  next_run_at: string;
  last_run_at: string | null;
  created_at: string;
}

/** A user's saved custom report over call records; `definition` is the validated spec as JSON. */
export interface CustomReportsTable {
  id: Id;
  portal_user_id: number | null;
  staff_id: number | null;
  /** "user:<id>" or "staff:<id>": names are unique per owner. */
  owner: string;
  name: string;
  definition: string;
  created_at: string;
  updated_at: string;
}

export interface IdempotencyKeysTable {
  /** The operation and the actor the key belongs to, so two actors' keys never collide. */
  scope: string;
  key: string;
  /** The first call's result as JSON, returned again for a repeated key. */
  result: string;
  created_at: string;
}

export interface AuditLogTable {
  id: Id;
  at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  account_id: number | null;
  target: string | null;
  /** Non-secret details as JSON. */
  details: string | null;
}

export interface Database {
  organisations: OrganisationsTable;
  accounts: AccountsTable;
  portal_users: PortalUsersTable;
  user_account_scopes: UserAccountScopesTable;
  user_favorite_accounts: UserFavoriteAccountsTable;
  contacts: ContactsTable;
  account_notes: AccountNotesTable;
  locations: LocationsTable;
  services: ServicesTable;
  service_features: ServiceFeaturesTable;
  did_numbers: DidNumbersTable;
  hunt_groups: HuntGroupsTable;
  hunt_group_members: HuntGroupMembersTable;
  account_codes: AccountCodesTable;
  toll_free_numbers: TollFreeNumbersTable;
  e911_locations: E911LocationsTable;
  orders: OrdersTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  tax_exemptions: TaxExemptionsTable;
  payment_methods: PaymentMethodsTable;
  autopay: AutopayTable;
  payments: PaymentsTable;
  tickets: TicketsTable;
  ticket_events: TicketEventsTable;
  ticket_escalations: TicketEscalationsTable;
  care_cases: CareCasesTable;
  outages: OutagesTable;
  outage_areas: OutageAreasTable;
  outage_services: OutageServicesTable;
  maintenance_windows: MaintenanceWindowsTable;
  maintenance_areas: MaintenanceAreasTable;
  maintenance_services: MaintenanceServicesTable;
  call_detail_records: CallDetailRecordsTable;
  internet_usage: InternetUsageTable;
  staff: StaffTable;
  channel_identities: ChannelIdentitiesTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  handoffs: HandoffsTable;
  chat_sessions: ChatSessionsTable;
  chat_files: ChatFilesTable;
  notification_subscriptions: NotificationSubscriptionsTable;
  scheduled_reports: ScheduledReportsTable;
  custom_reports: CustomReportsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_log: AuditLogTable;
  rate_limits: RateLimitsTable;
  deliveries: DeliveriesTable;
}

export type Account = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type PortalUser = Selectable<PortalUsersTable>;
export type Ticket = Selectable<TicketsTable>;
export type Invoice = Selectable<InvoicesTable>;
export type InvoiceLine = Selectable<InvoiceLinesTable>;
export type Payment = Selectable<PaymentsTable>;
export type PaymentMethod = Selectable<PaymentMethodsTable>;
export type Staff = Selectable<StaffTable>;

/** Tables in an order where every table comes after the tables it references. */
export const TABLES_IN_DEPENDENCY_ORDER: readonly (keyof Database)[] = [
  'organisations',
  'accounts',
  'staff',
  'portal_users',
  'user_account_scopes',
  'user_favorite_accounts',
  'contacts',
  'account_notes',
  'locations',
  'services',
  'service_features',
  'did_numbers',
  'hunt_groups',
  'hunt_group_members',
  'account_codes',
  'toll_free_numbers',
  'e911_locations',
  'orders',
  'invoices',
  'invoice_lines',
  'tax_exemptions',
  'payment_methods',
  'autopay',
  'payments',
  'tickets',
  'ticket_events',
  'ticket_escalations',
  'care_cases',
  'outages',
  'outage_areas',
  'outage_services',
  'maintenance_windows',
  'maintenance_areas',
  'maintenance_services',
  'call_detail_records',
  'internet_usage',
  'channel_identities',
  'conversations',
  'messages',
  'handoffs',
  'chat_sessions',
  'chat_files',
  'notification_subscriptions',
  'scheduled_reports',
  'custom_reports',
  'idempotency_keys',
  'audit_log',
  'rate_limits',
  'deliveries',
];

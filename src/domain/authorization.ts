// Who may do what to which account: the one place that turns an Actor into allowed capabilities and
// resolves an account the actor names. Outside an actor's scope an account does not exist for them.
import type { Kysely } from 'kysely';
import type { Account, Database, StaffRole } from '../db/schema.js';
import type { Actor } from './actor.js';
import { recordAudit } from './audit.js';
import type { DomainContext } from './context.js';
import { type Denied, forbidden, notFound, type Ok, ok, signInRequired } from './result.js';

export type Capability =
  | 'account.read'
  | 'account.write'
  | 'billing.read'
  | 'billing.write'
  | 'payments.write'
  | 'tickets.read'
  | 'tickets.write'
  | 'services.read'
  | 'services.write'
  | 'reports.read'
  | 'users.manage';

const ALL: readonly Capability[] = [
  'account.read',
  'account.write',
  'billing.read',
  'billing.write',
  'payments.write',
  'tickets.read',
  'tickets.write',
  'services.read',
  'services.write',
  'reports.read',
  'users.manage',
];

const BY_PERMISSION: Record<string, readonly Capability[]> = {
  billing: ['billing.read', 'billing.write', 'payments.write'],
  tickets: ['tickets.read', 'tickets.write'],
  services: ['services.read', 'services.write'],
  reports: ['reports.read'],
};

/** Staff never manage a customer's portal users: only the organisation's own admins do. */
const BY_STAFF_ROLE: Record<StaffRole, readonly Capability[]> = {
  care_agent: [
    'account.read',
    'account.write',
    'billing.read',
    'billing.write',
    'tickets.read',
    'tickets.write',
    'services.read',
    'services.write',
    'reports.read',
  ],
  billing_specialist: [
    'account.read',
    'account.write',
    'billing.read',
    'billing.write',
    'payments.write',
    'tickets.read',
    'tickets.write',
    'services.read',
    'reports.read',
  ],
  network_operations: ['account.read', 'tickets.read', 'tickets.write', 'services.read', 'services.write', 'reports.read'],
  support_agent: ['account.read', 'billing.read', 'tickets.read', 'tickets.write', 'services.read'],
};

/** An agent serving a conversation reads for the customer and handles tickets; money and settings stay with the customer. */
const AGENT_CAPABILITIES: readonly Capability[] = ['account.read', 'billing.read', 'tickets.read', 'tickets.write', 'services.read'];

export function capabilitiesOf(actor: Actor): ReadonlySet<Capability> {
  switch (actor.kind) {
    case 'customer':
      if (actor.role === 'admin') return new Set(ALL);
      return new Set<Capability>(['account.read', ...actor.permissions.flatMap((p) => BY_PERMISSION[p] ?? [])]);
    case 'staff':
      return new Set(BY_STAFF_ROLE[actor.role]);
    case 'agent':
      return new Set(AGENT_CAPABILITIES);
    case 'anonymous':
      return new Set();
  }
}

export function can(actor: Actor, capability: Capability): boolean {
  return capabilitiesOf(actor).has(capability);
}

/** Whether the account is inside the actor's scope (staff see every account). */
export function inScope(actor: Actor, accountId: number): boolean {
  switch (actor.kind) {
    case 'customer':
    case 'agent':
      return actor.accountIds.has(accountId);
    case 'staff':
      return true;
    case 'anonymous':
      return false;
  }
}

const READ_CAPABILITIES = new Set<Capability>(['account.read', 'billing.read', 'tickets.read', 'services.read', 'reports.read']);

/**
 * Resolves an account by number for an actor and capability. Unknown numbers and accounts outside the
 * actor's scope give the same not_found; a known account without the capability gives forbidden.
 * Staff and agent reads are audited here, so no read use case can forget to.
 */
export async function authorizeAccount(
  ctx: DomainContext,
  actor: Actor,
  accountNumber: string,
  capability: Capability,
  action: string,
): Promise<Ok<Account> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  const number = accountNumber.trim();
  if (!/^\d{1,20}$/.test(number)) return notFound(`account ${number}`);
  const account = await ctx.db.selectFrom('accounts').selectAll().where('number', '=', number).executeTakeFirst();
  if (!account || !inScope(actor, account.id)) return notFound(`account ${number}`);
  if (!can(actor, capability)) return forbidden(`You don't have permission for ${capabilityLabel(capability)}.`);
  if ((actor.kind === 'staff' || actor.kind === 'agent') && READ_CAPABILITIES.has(capability)) {
    await recordAudit(ctx.db, ctx.now(), actor, { action, accountId: account.id, target: `account:${account.number}` });
  }
  return ok(account);
}

/** Like authorizeAccount, for an account id the caller already holds (a ticket's or invoice's account). */
export async function authorizeAccountId(
  ctx: DomainContext,
  actor: Actor,
  accountId: number,
  capability: Capability,
  action: string,
  what: string,
): Promise<Ok<Account> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (!inScope(actor, accountId)) return notFound(what);
  const account = await ctx.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  if (!account) return notFound(what);
  const result = await authorizeAccount(ctx, actor, account.number, capability, action);
  return result.kind === 'not_found' ? notFound(what) : result;
}

/** The account and all its descendants' ids, via a recursive query that both engines run. */
export async function accountWithDescendantIds(db: Kysely<Database>, rootId: number): Promise<number[]> {
  const rows = await db
    .withRecursive('tree(id)', (qb) =>
      qb
        .selectFrom('accounts')
        .select('id')
        .where('id', '=', rootId)
        .unionAll(qb.selectFrom('accounts').innerJoin('tree', 'tree.id', 'accounts.parent_id').select('accounts.id')),
    )
    .selectFrom('tree')
    .select('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The accounts an actor may act on with a capability; a null value means "every account" (staff). */
export async function accountIdsFor(actor: Actor, capability: Capability): Promise<Ok<ReadonlySet<number> | null> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (!can(actor, capability)) return forbidden(`You don't have permission for ${capabilityLabel(capability)}.`);
  return ok(actor.kind === 'staff' ? null : actor.accountIds);
}

function capabilityLabel(capability: Capability): string {
  const labels: Record<Capability, string> = {
    'account.read': 'account details',
    'account.write': 'changing account details',
    'billing.read': 'billing information',
    'billing.write': 'changing billing settings',
    'payments.write': 'payments',
    'tickets.read': 'trouble tickets',
    'tickets.write': 'opening or escalating tickets',
    'services.read': 'services',
    'services.write': 'changing services',
    'reports.read': 'reports',
    'users.manage': 'managing users',
  };
  return labels[capability];
}

// Turns who someone is (a portal user's email, a staff email, a Slack or Teams identity) into an Actor.
import type { Kysely } from 'kysely';
import type { Channel, Database, Permission } from '../../db/schema.js';
import type { AgentActor, CustomerActor, StaffActor } from '../actor.js';
import { accountWithDescendantIds } from '../authorization.js';
import type { DomainContext } from '../context.js';
import { type Invalid, invalid, type NotFound, notFound, type Ok, ok } from '../result.js';

const PERMISSIONS: readonly Permission[] = ['billing', 'tickets', 'services', 'reports'];

export function parsePermissions(text: string): Permission[] {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p));
}

/** The accounts a portal user's scope grants cover, expanded through the hierarchy. */
export async function scopedAccountIds(db: Kysely<Database>, userId: number): Promise<Set<number>> {
  const grants = await db
    .selectFrom('user_account_scopes')
    .innerJoin('accounts', 'accounts.id', 'user_account_scopes.account_id')
    .select(['user_account_scopes.account_id', 'user_account_scopes.include_children'])
    .where('user_account_scopes.user_id', '=', userId)
    .execute();
  const ids = new Set<number>();
  for (const grant of grants) {
    const covered = grant.include_children ? await accountWithDescendantIds(db, grant.account_id) : [grant.account_id];
    for (const id of covered) ids.add(id);
  }
  return ids;
}

/** An active portal user as an actor; null for unknown, removed, disabled or not-yet-activated users. */
export async function loadCustomerActor(ctx: DomainContext, email: string): Promise<CustomerActor | null> {
  const user = await ctx.db
    .selectFrom('portal_users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .where('status', '=', 'active')
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  if (!user) return null;
  return customerActorFor(ctx.db, user.id);
}

/** The actor of a portal user by id (a stored session's), as they are now; null once no longer active. */
export function loadPortalUserActor(ctx: DomainContext, userId: number): Promise<CustomerActor | null> {
  return customerActorFor(ctx.db, userId);
}

async function customerActorFor(db: Kysely<Database>, userId: number): Promise<CustomerActor | null> {
  const user = await db.selectFrom('portal_users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (user?.status !== 'active' || user.removed_at) return null;
  return {
    kind: 'customer',
    userId: user.id,
    email: user.email,
    organisationId: user.organisation_id,
    role: user.role,
    permissions: parsePermissions(user.permissions),
    accountIds: await scopedAccountIds(db, user.id),
  };
}

/** An active staff member as an actor; null if unknown or inactive. */
export async function loadStaffActor(ctx: DomainContext, email: string): Promise<StaffActor | null> {
  const staff = await ctx.db
    .selectFrom('staff')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .where('active', '=', 1)
    .executeTakeFirst();
  return staff ? { kind: 'staff', staffId: staff.id, email: staff.email, role: staff.role } : null;
}

/** The actor linked to a channel identity (Slack user in a workspace, Teams user in a tenant), or null. */
export async function loadActorForChannelIdentity(
  ctx: DomainContext,
  channel: Channel,
  tenantId: string,
  externalUserId: string,
): Promise<StaffActor | CustomerActor | null> {
  const link = await ctx.db
    .selectFrom('channel_identities')
    .selectAll()
    .where('channel', '=', channel)
    .where('tenant_id', '=', tenantId)
    .where('external_user_id', '=', externalUserId)
    .executeTakeFirst();
  if (!link) return null;
  if (link.staff_id !== null) {
    const staff = await ctx.db
      .selectFrom('staff')
      .selectAll()
      .where('id', '=', link.staff_id)
      .where('active', '=', 1)
      .executeTakeFirst();
    const channelIdentity = { channel, tenantId, userId: externalUserId };
    return staff ? { kind: 'staff', staffId: staff.id, email: staff.email, role: staff.role, channelIdentity } : null;
  }
  if (link.portal_user_id !== null) {
    const customer = await customerActorFor(ctx.db, link.portal_user_id);
    return customer ? { ...customer, channelIdentity: { channel, tenantId, userId: externalUserId } } : null;
  }
  return null;
}

/**
 * A support agent serving a conversation: only staff with the support_agent or care_agent role may take
 * one over, and they see exactly the accounts of the conversation's customer.
 */
export async function loadAgentActor(
  ctx: DomainContext,
  staffEmail: string,
  conversationId: string,
): Promise<AgentActor | null> {
  const staff = await loadStaffActor(ctx, staffEmail);
  if (!staff || (staff.role !== 'support_agent' && staff.role !== 'care_agent')) return null;
  const conversation = await ctx.db
    .selectFrom('conversations')
    .select(['id', 'portal_user_id'])
    .where('id', '=', conversationId)
    .executeTakeFirst();
  if (!conversation) return null;
  let accountIds: Set<number>;
  if (conversation.portal_user_id !== null) {
    accountIds = await scopedAccountIds(ctx.db, conversation.portal_user_id);
  } else {
    // A customer who proved who they are with an account number and PIN: that account and its children.
    const pinSession = await ctx.db
      .selectFrom('chat_sessions')
      .select('account_id')
      .where('conversation_id', '=', conversation.id)
      .where('identity', '=', 'pin')
      .where('account_id', 'is not', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    accountIds = pinSession?.account_id
      ? new Set(await accountWithDescendantIds(ctx.db, pinSession.account_id))
      : new Set<number>();
  }
  return {
    kind: 'agent',
    staffId: staff.staffId,
    email: staff.email,
    servingConversationId: conversation.id,
    accountIds,
  };
}

export {
  loadPinActor,
  PIN_LOCK_MINUTES,
  PIN_MAX_FAILURES,
  PIN_PERMISSIONS,
  PIN_REFUSAL,
  type PinRefused,
  type PinVerification,
  verifyAccountPin,
} from './pin.js';

/**
 * Links a chat identity (a Slack user in a workspace, a Teams user in a tenant) to an active staff member,
 * replacing any earlier link of that identity. An operator's action (the CLI), not a chat user's.
 */
export async function linkStaffChannelIdentity(
  ctx: DomainContext,
  input: { channel: 'slack' | 'teams'; tenantId: string; externalUserId: string; staffEmail: string },
): Promise<Ok<StaffActor & { replaced: boolean }> | NotFound | Invalid> {
  const tenantId = input.tenantId.trim();
  const externalUserId = input.externalUserId.trim();
  if (input.channel === 'slack' && !/^[TE][A-Z0-9]{2,30}$/.test(tenantId)) {
    return invalid('tenantId', 'A Slack workspace id looks like T0123ABCD.');
  }
  if (input.channel === 'slack' && !/^[UW][A-Z0-9]{2,30}$/.test(externalUserId)) {
    return invalid('externalUserId', 'A Slack user id looks like U0123ABCD.');
  }
  if (tenantId === '' || externalUserId === '' || tenantId.length > 100 || externalUserId.length > 200) {
    return invalid('externalUserId', 'Give the tenant (workspace) id and the user id.');
  }
  const staff = await loadStaffActor(ctx, input.staffEmail);
  if (!staff) return notFound(`active staff member with the email ${input.staffEmail.trim().toLowerCase()}`);
  const key = { channel: input.channel, tenant_id: tenantId, external_user_id: externalUserId } as const;
  const existing = await ctx.db
    .selectFrom('channel_identities')
    .select('id')
    .where('channel', '=', key.channel)
    .where('tenant_id', '=', key.tenant_id)
    .where('external_user_id', '=', key.external_user_id)
    .executeTakeFirst();
  if (existing) {
    await ctx.db
      .updateTable('channel_identities')
      .set({ staff_id: staff.staffId, portal_user_id: null })
      .where('id', '=', existing.id)
      .execute();
  } else {
    await ctx.db
      .insertInto('channel_identities')
      .values({ ...key, staff_id: staff.staffId, portal_user_id: null, created_at: ctx.now().toISOString() })
      .execute();
  }
  return ok({
    ...staff,
    channelIdentity: { channel: input.channel, tenantId, userId: externalUserId },
    replaced: existing !== undefined,
  });
}

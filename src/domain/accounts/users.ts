// Portal users of a customer organisation: listed by anyone who can see the account, managed only by
// the organisation's own admins (never by staff), and only within the admin's own accounts.
import type { Permission, PortalUserRole, PortalUserStatus } from '../../db/schema.js';
import type { Actor, CustomerActor } from '../actor.js';
import { authorizeAccount, type Capability, can } from '../authorization.js';
import type { DomainContext } from '../context.js';
import { parsePermissions, scopedAccountIds } from '../identity/index.js';
import { conflict, type Conflict, type Denied, forbidden, invalid, type Invalid, notFound, type Ok, ok, signInRequired } from '../result.js';
import { cleanText, isValidEmail } from '../validation.js';
import { writeAudited } from '../write.js';

/** An invitation lapses if not accepted within this many days. */
export const INVITATION_DAYS = 30;

export interface PortalUserView {
  email: string;
  name: string;
  role: PortalUserRole;
  permissions: Permission[];
  status: PortalUserStatus | 'invitation_expired';
  accounts: string[];
}

/**
 * The portal users of an account's organisation, with their roles and permissions — for those who may manage
 * users (the organisation's admins), and only as far as their own scope reaches: users with no account in it
 * are left out, and other accounts are not named. Anyone else gets exactly the answer for an account they
 * cannot see.
 */
export async function listUsers(ctx: DomainContext, actor: Actor, input: { accountNumber: string }): Promise<Ok<PortalUserView[]> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (actor.kind !== 'customer' || !can(actor, 'users.manage')) return notFound(`account ${input.accountNumber.trim()}`);
  const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'users.manage', 'list_users');
  if (allowed.kind !== 'ok') return allowed;
  const users = await ctx.db
    .selectFrom('portal_users')
    .selectAll()
    .where('organisation_id', '=', allowed.value.organisation_id)
    .where('removed_at', 'is', null)
    .orderBy('email')
    .execute();
  const grants = await ctx.db
    .selectFrom('user_account_scopes')
    .innerJoin('accounts', 'accounts.id', 'user_account_scopes.account_id')
    .select(['user_account_scopes.user_id', 'accounts.id', 'accounts.number'])
    .where(
      'user_account_scopes.user_id',
      'in',
      users.length ? users.map((u) => u.id) : [-1],
    )
    .orderBy('accounts.number')
    .execute();
  const now = ctx.now().getTime();
  const inScope = grants.filter((g) => actor.accountIds.has(g.id));
  return ok(
    users
      .map((u) => ({
        email: u.email,
        name: u.name,
        role: u.role,
        permissions: u.role === 'admin' ? (['billing', 'tickets', 'services', 'reports'] as Permission[]) : parsePermissions(u.permissions),
        status:
          u.status === 'invited' && now - Date.parse(u.invited_at) > INVITATION_DAYS * 86_400_000 ? ('invitation_expired' as const) : u.status,
        accounts: inScope.filter((g) => g.user_id === u.id).map((g) => g.number),
      }))
      .filter((u) => u.accounts.length > 0),
  );
}

export interface UserInput {
  email: string;
  name?: string;
  role: PortalUserRole;
  permissions: Permission[];
  /** Accounts the user may see (each with its children); all must be within the admin's own scope. */
  accountNumbers: string[];
}

/** Checks that the actor is a customer admin and every named account is theirs; returns their ids. */
async function adminScope(
  ctx: DomainContext,
  actor: Actor,
  accountNumbers: string[],
  action: string,
): Promise<{ kind: 'ok'; admin: CustomerActor; accountIds: number[] } | Denied | Invalid> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (actor.kind !== 'customer' || !can(actor, 'users.manage')) {
    return forbidden("Only your organisation's administrators can manage portal users.");
  }
  if (accountNumbers.length === 0) return invalid('accountNumbers', 'Name at least one account the user may see.');
  const ids: number[] = [];
  for (const number of accountNumbers) {
    const allowed = await authorizeAccount(ctx, actor, number, 'users.manage', action);
    if (allowed.kind !== 'ok') return allowed;
    ids.push(allowed.value.id);
  }
  return { kind: 'ok', admin: actor, accountIds: ids };
}

function validatePermissions(permissions: Permission[]): Permission[] | Invalid {
  const valid = parsePermissions(permissions.join(','));
  if (valid.length !== permissions.length) return invalid('permissions', 'Permissions are billing, tickets, services and reports.');
  return [...new Set(valid)];
}

export async function addUser(
  ctx: DomainContext,
  actor: Actor,
  input: UserInput,
): Promise<Ok<PortalUserView> | Denied | Invalid | Conflict> {
  const scope = await adminScope(ctx, actor, input.accountNumbers, 'add_user');
  if (scope.kind !== 'ok') return scope;
  const email = input.email.trim().toLowerCase();
  if (!isValidEmail(email)) return invalid('email', "That email address doesn't look right.");
  const name = cleanText(input.name ?? email.split('@')[0], 120);
  const permissions = validatePermissions(input.permissions);
  if (!Array.isArray(permissions)) return permissions;
  if (input.role !== 'admin' && input.role !== 'user') return invalid('role', 'The role must be admin or user.');
  const taken = await ctx.db.selectFrom('portal_users').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) return conflict('A portal user with that email already exists.');
  await writeAudited(
    ctx,
    actor,
    { action: 'add_user', accountId: scope.accountIds[0] ?? null, target: `user:${email}`, details: { role: input.role, permissions } },
    async (db, now) => {
      const user = await db
        .insertInto('portal_users')
        .values({
          organisation_id: scope.admin.organisationId,
          email,
          name,
          role: input.role,
          permissions: permissions.join(','),
          status: 'invited',
          invited_at: now,
          activated_at: null,
          security_question: null,
          security_answer_hash: null,
          default_account_id: scope.accountIds[0] ?? null,
          created_at: now,
          removed_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('user_account_scopes')
        .values(scope.accountIds.map((id) => ({ user_id: user.id, account_id: id, include_children: 1 as const })))
        .execute();
    },
  );
  return ok({ email, name, role: input.role, permissions, status: 'invited', accounts: [...input.accountNumbers] });
}

/** A user of the admin's organisation, all of whose accounts are within the admin's scope. */
async function manageableUser(ctx: DomainContext, admin: CustomerActor, email: string) {
  const user = await ctx.db
    .selectFrom('portal_users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .where('organisation_id', '=', admin.organisationId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  if (!user) return undefined;
  const grants = await ctx.db.selectFrom('user_account_scopes').select('account_id').where('user_id', '=', user.id).execute();
  return grants.every((g) => admin.accountIds.has(g.account_id)) ? user : undefined;
}

export async function updateUser(
  ctx: DomainContext,
  actor: Actor,
  input: UserInput,
): Promise<Ok<PortalUserView> | Denied | Invalid> {
  const scope = await adminScope(ctx, actor, input.accountNumbers, 'update_user');
  if (scope.kind !== 'ok') return scope;
  const user = await manageableUser(ctx, scope.admin, input.email);
  if (!user) return notFound(`user ${input.email}`);
  const permissions = validatePermissions(input.permissions);
  if (!Array.isArray(permissions)) return permissions;
  if (input.role !== 'admin' && input.role !== 'user') return invalid('role', 'The role must be admin or user.');
  if (user.id === scope.admin.userId && input.role !== 'admin') return invalid('role', "You can't remove your own administrator role.");
  await writeAudited(
    ctx,
    actor,
    { action: 'update_user', accountId: scope.accountIds[0] ?? null, target: `user:${user.email}`, details: { role: input.role, permissions } },
    async (db) => {
      await db.updateTable('portal_users').set({ role: input.role, permissions: permissions.join(',') }).where('id', '=', user.id).execute();
      await db.deleteFrom('user_account_scopes').where('user_id', '=', user.id).execute();
      await db
        .insertInto('user_account_scopes')
        .values(scope.accountIds.map((id) => ({ user_id: user.id, account_id: id, include_children: 1 as const })))
        .execute();
    },
  );
  return ok({ email: user.email, name: user.name, role: input.role, permissions, status: user.status, accounts: [...input.accountNumbers] });
}

export async function removeUser(
  ctx: DomainContext,
  actor: Actor,
  input: { email: string },
): Promise<Ok<{ email: string; removed: true }> | Denied | Invalid> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (actor.kind !== 'customer' || !can(actor, 'users.manage')) {
    return forbidden("Only your organisation's administrators can manage portal users.");
  }
  const user = await manageableUser(ctx, actor, input.email);
  if (!user) return notFound(`user ${input.email}`);
  if (user.id === actor.userId) return invalid('email', "You can't remove yourself.");
  await writeAudited(ctx, actor, { action: 'remove_user', accountId: null, target: `user:${user.email}` }, async (db, now) => {
    await db.updateTable('portal_users').set({ status: 'disabled', removed_at: now }).where('id', '=', user.id).execute();
    await db.deleteFrom('user_account_scopes').where('user_id', '=', user.id).execute();
  });
  return ok({ email: user.email, removed: true });
}

/**
 * Whether the actor may use a capability at all, and if not, which administrators of their own organisation
 * can (at most three), so a refusal can point somewhere useful. Checked before a conversation asks its first
 * question, not at the final confirmation. Only admins are named, they grant permissions, and only those whose
 * scope covers every account of the actor's: they can do it for the actor, and nobody outside the actor's
 * scope (an admin of another branch) is named.
 */
export async function checkCapability(
  ctx: DomainContext,
  actor: Actor,
  capability: Capability,
): Promise<{ kind: 'allowed' } | { kind: 'refused'; who: { name: string; email: string }[] } | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (can(actor, capability)) return { kind: 'allowed' };
  // Only a portal user is told who their colleagues are; an account PIN proves the account, not a place in the organisation.
  if (actor.kind !== 'customer' || actor.userId === null) return { kind: 'refused', who: [] };
  const admins = await ctx.db
    .selectFrom('portal_users')
    .select(['id', 'name', 'email'])
    .where('organisation_id', '=', actor.organisationId)
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .where('removed_at', 'is', null)
    .where('id', '!=', actor.userId)
    .orderBy('email')
    .execute();
  const who: { name: string; email: string }[] = [];
  for (const admin of admins) {
    if (who.length === 3) break;
    const theirs = await scopedAccountIds(ctx.db, admin.id);
    if ([...actor.accountIds].every((id) => theirs.has(id))) who.push({ name: admin.name, email: admin.email });
  }
  return { kind: 'refused', who };
}

// Sign-in with an account number and PIN, as a customer proves who they are in chat: a constant-time
// check, five failures lock the account for 15 minutes, and no answer tells whether the number exists.
import type { Permission } from '../../db/schema.js';
import { ANONYMOUS, type CustomerActor } from '../actor.js';
import { recordAudit } from '../audit.js';
import { accountWithDescendantIds } from '../authorization.js';
import type { DomainContext } from '../context.js';
import { type Invalid, invalid, type Ok, ok } from '../result.js';
import { hashSecret, needsRehash, verifySecret } from '../secrets.js';

export const PIN_MAX_FAILURES = 5;
export const PIN_LOCK_MINUTES = 15;

/** The one answer to every failed attempt: wrong PIN, unknown number, inactive or locked account alike. */
export const PIN_REFUSAL = `That account number and PIN don't match. For your security, an account is locked for ${PIN_LOCK_MINUTES} minutes after ${PIN_MAX_FAILURES} failed attempts.`;

/**
 * What a PIN sign-in may do: everything a portal user with every permission may, over the account and
 * its descendants, but never manage the organisation's portal users (that needs an admin's own sign-in).
 */
export const PIN_PERMISSIONS: readonly Permission[] = ['billing', 'tickets', 'services', 'reports'];

export interface PinRefused {
  readonly kind: 'refused';
  readonly message: string;
}

export type PinVerification = Ok<CustomerActor> | PinRefused | Invalid;

// Checked against when the number matches no usable account, so that answer costs the same hashing work.
let decoy: Promise<string> | undefined;
const decoyHash = () => {
  decoy ??= hashSecret(`decoy-${Math.random()}`);
  return decoy;
};

/**
 * Checks an account number and PIN. The attempt is counted before the PIN is checked, in one atomic
 * update that also sets the lock on the fifth failure in a row, so parallel guesses cannot outrun the
 * lockout; a success clears the count. Locked, inactive and unknown accounts take the same path.
 */
export async function verifyAccountPin(ctx: DomainContext, input: { accountNumber: string; pin: string }): Promise<PinVerification> {
  const number = input.accountNumber.replace(/[\s-]/g, '');
  const pin = input.pin.trim();
  if (!/^\d{1,20}$/.test(number)) return invalid('accountNumber', 'Please enter your account number (digits only).');
  if (!/^\d{4,12}$/.test(pin)) return invalid('pin', 'Please enter your PIN (4 to 12 digits).');

  const now = ctx.now();
  const nowText = now.toISOString();
  const lockUntil = new Date(now.getTime() + PIN_LOCK_MINUTES * 60_000).toISOString();
  const reserved = await ctx.db
    .updateTable('accounts')
    .set((eb) => {
      // An expired lock starts the count again; SET expressions read the row as it was before.
      const attempts = eb.case().when('pin_locked_until', 'is', null).then(eb('pin_failed_attempts', '+', 1)).else(1).end();
      return {
        pin_failed_attempts: attempts,
        pin_locked_until: eb.case().when(attempts, '>=', PIN_MAX_FAILURES).then(lockUntil).else(null).end(),
      };
    })
    .where('number', '=', number)
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('pin_locked_until', 'is', null), eb('pin_locked_until', '<=', nowText)]))
    .returning(['id', 'number', 'pin_hash'])
    .executeTakeFirst();

  const matches = (await verifySecret(pin, reserved?.pin_hash ?? (await decoyHash()))) && reserved !== undefined;
  if (!reserved || !matches) {
    // Every refusal writes one audit line, so a known account costs what an unknown number does.
    await recordAudit(ctx.db, now, ANONYMOUS, {
      action: 'pin_sign_in_failed',
      accountId: reserved?.id ?? null,
      target: `account:${number}`,
    });
    return { kind: 'refused', message: PIN_REFUSAL };
  }
  // A hash of an older scheme or cost (checked by a runtime's legacy verifier) is replaced by a current one.
  const rehashed = needsRehash(reserved.pin_hash) ? { pin_hash: await hashSecret(pin) } : {};
  await ctx.db
    .updateTable('accounts')
    .set({ pin_failed_attempts: 0, pin_locked_until: null, ...rehashed })
    .where('id', '=', reserved.id)
    .execute();
  const actor = await loadPinActor(ctx, reserved.id);
  if (!actor) return { kind: 'refused', message: PIN_REFUSAL };
  await recordAudit(ctx.db, now, actor, { action: 'pin_sign_in', accountId: reserved.id, target: `account:${reserved.number}` });
  return ok(actor);
}

/** The actor of an earlier PIN sign-in on an account, rebuilt from the account as it is now; null once inactive. */
export async function loadPinActor(ctx: DomainContext, accountId: number): Promise<CustomerActor | null> {
  const account = await ctx.db
    .selectFrom('accounts')
    .select(['id', 'number', 'organisation_id', 'status'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (account?.status !== 'active') return null;
  return {
    kind: 'customer',
    userId: null,
    via: 'pin',
    pinAccount: { id: account.id, number: account.number },
    email: '',
    organisationId: account.organisation_id,
    role: 'user',
    permissions: PIN_PERMISSIONS,
    accountIds: new Set(await accountWithDescendantIds(ctx.db, account.id)),
  };
}

// Payments: saved payment accounts (tokens only), autopay, one-time payments, history and pending items.
// Money moves only through makeOneTimePayment, which is idempotent and audited.
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, PaymentMethod, PaymentMethodKind, PaymentSource, PaymentStatus } from '../../db/schema.js';
import { toHex } from '../../encoding.js';
import type { Actor } from '../actor.js';
import { recordAudit } from '../audit.js';
import { authorizeAccount } from '../authorization.js';
import { todayUtc } from '../billing/index.js';
import type { DomainContext } from '../context.js';
import { withIdempotency } from '../idempotency.js';
import { conflict, type Conflict, type Denied, invalid, type Invalid, notFound, type Ok, ok, type Outcome } from '../result.js';
import { cleanText } from '../validation.js';
import { writeAudited } from '../write.js';

export interface PaymentMethodView {
  id: number;
  kind: PaymentMethodKind;
  brand: string;
  last4: string;
  expires: string | null;
  holderName: string;
  /** "Visa ••4242": how the method is named in confirmations. */
  label: string;
}

export function paymentMethodLabel(method: Pick<PaymentMethod, 'brand' | 'last4'>): string {
  return `${method.brand} ••${method.last4}`;
}

function toView(m: PaymentMethod): PaymentMethodView {
  return {
    id: m.id,
    kind: m.kind,
    brand: m.brand,
    last4: m.last4,
    expires: m.exp_month && m.exp_year ? `${String(m.exp_month).padStart(2, '0')}/${m.exp_year}` : null,
    holderName: m.holder_name,
    label: paymentMethodLabel(m),
  };
}

async function activeMethods(db: Kysely<Database>, accountId: number): Promise<PaymentMethod[]> {
  return db
    .selectFrom('payment_methods')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
}

export async function listPaymentMethods(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'billing.read', 'list_payment_methods');
  if (account.kind !== 'ok') return account;
  return ok((await activeMethods(ctx.db, account.value.id)).map(toView));
}

export interface NewPaymentMethod {
  kind: PaymentMethodKind;
  /** The payment processor's token for the card or bank account; the card number itself never reaches us. */
  processorToken: string;
  brand: string;
  last4: string;
  expMonth?: number | null;
  expYear?: number | null;
  holderName: string;
}

export async function addPaymentMethod(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; method: NewPaymentMethod },
): Promise<Ok<PaymentMethodView> | Denied | Invalid> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'payments.write', 'add_payment_method');
  if (account.kind !== 'ok') return account;
  const m = input.method;
  // Anything that is not a processor token (a pasted card number, say) is refused without being echoed.
  if (!/^(tok|btok|pm)_[A-Za-z0-9]{8,64}$/.test(m.processorToken)) {
    return invalid('processorToken', 'Payment details must come from the secure card form, not be typed into chat.');
  }
  if (m.kind !== 'card' && m.kind !== 'bank') return invalid('kind', 'A payment account is a card or a bank account.');
  if (!/^\d{4}$/.test(m.last4)) return invalid('last4', 'The last four digits must be four digits.');
  const brand = cleanText(m.brand, 40);
  const holderName = cleanText(m.holderName, 120);
  if (!brand) return invalid('brand', 'Please give the card brand or bank name.');
  if (!holderName) return invalid('holderName', "Please give the account holder's name.");
  if (m.kind === 'card') {
    const month = m.expMonth ?? 0;
    const year = m.expYear ?? 0;
    if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year)) {
      return invalid('expMonth', 'The card needs an expiry month and year.');
    }
    const now = ctx.now();
    if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) {
      return invalid('expYear', 'That card has expired.');
    }
  }
  const accountId = account.value.id;
  const row = await writeAudited(
    ctx,
    actor,
    { action: 'add_payment_method', accountId, details: { kind: m.kind, brand, last4: m.last4 } },
    (db, now) =>
      db
        .insertInto('payment_methods')
        .values({
          account_id: accountId,
          kind: m.kind,
          processor_token: m.processorToken,
          brand,
          last4: m.last4,
          exp_month: m.kind === 'card' ? (m.expMonth ?? null) : null,
          exp_year: m.kind === 'card' ? (m.expYear ?? null) : null,
          holder_name: holderName,
          created_at: now,
          removed_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
  );
  return ok(toView(row));
}

export async function removePaymentMethod(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; paymentMethodId: number },
): Promise<Ok<{ removed: PaymentMethodView }> | Denied | Conflict> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'payments.write', 'remove_payment_method');
  if (account.kind !== 'ok') return account;
  const method = (await activeMethods(ctx.db, account.value.id)).find((m) => m.id === input.paymentMethodId);
  if (!method) return notFound(`payment method ${input.paymentMethodId}`);
  const autopay = await ctx.db.selectFrom('autopay').selectAll().where('account_id', '=', account.value.id).executeTakeFirst();
  if (autopay?.enabled === 1 && autopay.payment_method_id === method.id) {
    return conflict(`${paymentMethodLabel(method)} pays this account automatically. Turn autopay off or move it first.`);
  }
  await writeAudited(
    ctx,
    actor,
    { action: 'remove_payment_method', accountId: account.value.id, target: `payment_method:${method.id}` },
    (db, now) => db.updateTable('payment_methods').set({ removed_at: now }).where('id', '=', method.id).execute(),
  );
  return ok({ removed: toView(method) });
}

export interface AutopayStatus {
  accountNumber: string;
  enabled: boolean;
  paymentMethod: PaymentMethodView | null;
}

async function readAutopay(db: Kysely<Database>, accountId: number, accountNumber: string): Promise<AutopayStatus> {
  const row = await db.selectFrom('autopay').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  const method =
    row?.payment_method_id == null
      ? undefined
      : await db.selectFrom('payment_methods').selectAll().where('id', '=', row.payment_method_id).executeTakeFirst();
  return { accountNumber, enabled: row?.enabled === 1, paymentMethod: method ? toView(method) : null };
}

export async function getAutopay(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'billing.read', 'get_autopay');
  if (account.kind !== 'ok') return account;
  return ok(await readAutopay(ctx.db, account.value.id, account.value.number));
}

/** Turns autopay on (with one of the account's saved payment methods) or off. */
export async function setAutopay(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; enabled: boolean; paymentMethodId?: number },
): Promise<Ok<AutopayStatus> | Denied | Invalid> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'payments.write', 'set_autopay');
  if (account.kind !== 'ok') return account;
  const accountId = account.value.id;
  let methodId: number | null = null;
  if (input.enabled) {
    const methods = await activeMethods(ctx.db, accountId);
    const method = methods.find((m) => m.id === input.paymentMethodId);
    if (!method) return invalid('paymentMethodId', 'Choose one of the saved payment accounts for autopay.');
    methodId = method.id;
  }
  await writeAudited(
    ctx,
    actor,
    { action: 'set_autopay', accountId, details: { enabled: input.enabled, paymentMethodId: methodId } },
    async (db, now) => {
      const existing = await db.selectFrom('autopay').select('account_id').where('account_id', '=', accountId).executeTakeFirst();
      const values = { enabled: input.enabled ? (1 as const) : (0 as const), payment_method_id: methodId, updated_at: now };
      if (existing) await db.updateTable('autopay').set(values).where('account_id', '=', accountId).execute();
      else await db.insertInto('autopay').values({ account_id: accountId, ...values }).execute();
    },
  );
  return ok(await readAutopay(ctx.db, accountId, account.value.number));
}

export interface PaymentView {
  confirmationNumber: string;
  accountNumber: string;
  amountCents: number;
  currency: string;
  status: PaymentStatus;
  source: PaymentSource;
  date: string;
  paymentMethod: string | null;
}

async function listPaymentRows(
  ctx: DomainContext,
  actor: Actor,
  accountNumber: string,
  action: string,
  statuses: PaymentStatus[],
  limit: number,
): Promise<Ok<PaymentView[]> | Denied> {
  const account = await authorizeAccount(ctx, actor, accountNumber, 'billing.read', action);
  if (account.kind !== 'ok') return account;
  const rows = await ctx.db
    .selectFrom('payments')
    .leftJoin('payment_methods', 'payment_methods.id', 'payments.payment_method_id')
    .select([
      'payments.confirmation_number',
      'payments.amount_cents',
      'payments.status',
      'payments.source',
      'payments.scheduled_for',
      'payment_methods.brand',
      'payment_methods.last4',
    ])
    .where('payments.account_id', '=', account.value.id)
    .where('payments.status', 'in', statuses)
    .orderBy('payments.scheduled_for', 'desc')
    .orderBy('payments.id', 'desc')
    .limit(limit)
    .execute();
  return ok(
    rows.map((r) => ({
      confirmationNumber: r.confirmation_number,
      accountNumber: account.value.number,
      amountCents: r.amount_cents,
      currency: account.value.currency,
      status: r.status,
      source: r.source,
      date: r.scheduled_for,
      paymentMethod: r.brand && r.last4 ? paymentMethodLabel({ brand: r.brand, last4: r.last4 }) : null,
    })),
  );
}

export function listPayments(ctx: DomainContext, actor: Actor, input: { accountNumber: string; limit?: number }) {
  return listPaymentRows(ctx, actor, input.accountNumber, 'list_payments', ['completed', 'pending', 'failed'], input.limit ?? 24);
}

/** Payments submitted but not yet settled. */
export function listPendingTransactions(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  return listPaymentRows(ctx, actor, input.accountNumber, 'list_pending_transactions', ['pending'], 100);
}

/** Largest single payment accepted in chat; bigger ones go through the billing team. */
export const MAX_PAYMENT_CENTS = 10_000_000;
const MAX_DAYS_AHEAD = 60;

/**
 * A one-time payment from a saved payment account, today or on a future date. It is recorded as
 * pending (the processor settles it); the same idempotency key never pays twice.
 */
export async function makeOneTimePayment(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; amountCents: number; paymentMethodId: number; date?: string; idempotencyKey: string },
): Promise<Outcome<PaymentView> & { replayed?: boolean }> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'payments.write', 'make_one_time_payment');
  if (account.kind !== 'ok') return account;
  if (!Number.isInteger(input.amountCents) || input.amountCents <= 0) {
    return invalid('amountCents', 'The amount must be more than zero, in dollars and cents.');
  }
  if (input.amountCents > MAX_PAYMENT_CENTS) return invalid('amountCents', 'Payments over $100,000.00 are handled by our billing team.');
  // "Today" is the account's own calendar day: in Vancouver at 5 pm it is already tomorrow in UTC.
  const today = DateTime.fromJSDate(ctx.now()).setZone(account.value.time_zone).toISODate() ?? todayUtc(ctx);
  const date = input.date ?? today;
  const latest = DateTime.fromISO(today, { zone: 'UTC' }).plus({ days: MAX_DAYS_AHEAD }).toISODate() as string;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)) || date < today || date > latest) {
    return invalid('date', `The payment date must be between today and ${latest}.`);
  }
  const { id: accountId, number: accountNumber, currency } = account.value;
  const requestSummary = { accountNumber, amountCents: input.amountCents, paymentMethodId: input.paymentMethodId, date };
  return withIdempotency(ctx, actor, 'make_one_time_payment', input.idempotencyKey, requestSummary, async (db) => {
    const method = (await activeMethods(db, accountId)).find((m) => m.id === input.paymentMethodId);
    if (!method) return invalid('paymentMethodId', 'Choose one of the saved payment accounts.');
    const now = ctx.now();
    const confirmationNumber = `PAY-${toHex(crypto.getRandomValues(new Uint8Array(5))).toUpperCase()}`;
    await db
      .insertInto('payments')
      .values({
        account_id: accountId,
        payment_method_id: method.id,
        amount_cents: input.amountCents,
        status: 'pending',
        source: 'one_time',
        scheduled_for: date,
        submitted_at: now.toISOString(),
        settled_at: null,
        confirmation_number: confirmationNumber,
      })
      .execute();
    await recordAudit(db, now, actor, {
      action: 'make_one_time_payment',
      accountId,
      target: `payment:${confirmationNumber}`,
      details: { amountCents: input.amountCents, date, paymentMethod: paymentMethodLabel(method) },
    });
    return ok({
      confirmationNumber,
      accountNumber,
      amountCents: input.amountCents,
      currency,
      status: 'pending' as const,
      source: 'one_time' as const,
      date,
      paymentMethod: paymentMethodLabel(method),
    });
  });
}

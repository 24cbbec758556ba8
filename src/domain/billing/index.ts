// Billing reads: balance, invoices with their lines, tax exemptions.
import type { Kysely } from 'kysely';
import type { Account, Database, Invoice, InvoiceLine } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import { authorizeAccount, authorizeAccountId } from '../authorization.js';
import type { DomainContext } from '../context.js';
import { type Denied, notFound, type Ok, ok } from '../result.js';

export interface AccountBalance {
  accountNumber: string;
  accountName: string;
  currency: string;
  /** Everything invoiced minus every completed payment. */
  balanceCents: number;
  /** The part of the balance from invoices whose due date has passed. */
  pastDueCents: number;
  /** The latest invoice's due date, 'YYYY-MM-DD', or null with no invoices. */
  dueDate: string | null;
  amountDueCents: number;
  lastPayment: { amountCents: number; date: string } | null;
  pendingPaymentsCents: number;
}

/** Computes an account's balance from its invoices and completed payments. */
export async function computeBalance(db: Kysely<Database>, account: Account, today: string): Promise<AccountBalance> {
  const invoiced = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('total_cents'), eb.lit(0)).as('total'))
    .where('account_id', '=', account.id)
    .executeTakeFirstOrThrow();
  const notYetDue = await db
    .selectFrom('invoices')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('total_cents'), eb.lit(0)).as('total'))
    .where('account_id', '=', account.id)
    .where('due_date', '>=', today)
    .executeTakeFirstOrThrow();
  const paid = await db
    .selectFrom('payments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_cents'), eb.lit(0)).as('total'))
    .where('account_id', '=', account.id)
    .where('status', '=', 'completed')
    .executeTakeFirstOrThrow();
  const pending = await db
    .selectFrom('payments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_cents'), eb.lit(0)).as('total'))
    .where('account_id', '=', account.id)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  const latest = await db
    .selectFrom('invoices')
    .select(['due_date'])
    .where('account_id', '=', account.id)
    .orderBy('period_start', 'desc')
    .limit(1)
    .executeTakeFirst();
  const lastPayment = await db
    .selectFrom('payments')
    .select(['amount_cents', 'scheduled_for', 'settled_at'])
    .where('account_id', '=', account.id)
    .where('status', '=', 'completed')
    .orderBy('scheduled_for', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const balanceCents = Number(invoiced.total) - Number(paid.total);
  const pastDueCents = Math.max(0, balanceCents - Number(notYetDue.total));
  return {
    accountNumber: account.number,
    accountName: account.name,
    currency: account.currency,
    balanceCents,
    pastDueCents,
    dueDate: latest?.due_date ?? null,
    amountDueCents: Math.max(0, balanceCents),
    lastPayment: lastPayment
      ? { amountCents: lastPayment.amount_cents, date: lastPayment.settled_at?.slice(0, 10) ?? lastPayment.scheduled_for }
      : null,
    pendingPaymentsCents: Number(pending.total),
  };
}

export function todayUtc(ctx: DomainContext): string {
  return ctx.now().toISOString().slice(0, 10);
}

export async function getAccountBalance(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string },
): Promise<Ok<AccountBalance> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'billing.read', 'get_account_balance');
  if (account.kind !== 'ok') return account;
  return ok(await computeBalance(ctx.db, account.value, todayUtc(ctx)));
}

export interface InvoiceSummary {
  number: string;
  accountNumber: string;
  periodStart: string;
  periodEnd: string;
  issuedAt: string;
  dueDate: string;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
}

function toInvoiceSummary(invoice: Invoice, accountNumber: string): InvoiceSummary {
  return {
    number: invoice.number,
    accountNumber,
    periodStart: invoice.period_start,
    periodEnd: invoice.period_end,
    issuedAt: invoice.issued_at,
    dueDate: invoice.due_date,
    subtotalCents: invoice.subtotal_cents,
    taxCents: invoice.tax_cents,
    totalCents: invoice.total_cents,
  };
}

/** Invoices newest first, optionally those whose period starts within [from, to] ('YYYY-MM-DD'). */
export async function listInvoices(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; from?: string; to?: string; limit?: number },
): Promise<Ok<InvoiceSummary[]> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'billing.read', 'list_invoices');
  if (account.kind !== 'ok') return account;
  let query = ctx.db.selectFrom('invoices').selectAll().where('account_id', '=', account.value.id);
  if (input.from) query = query.where('period_start', '>=', input.from);
  if (input.to) query = query.where('period_start', '<=', input.to);
  const rows = await query
    .orderBy('period_start', 'desc')
    .limit(Math.min(Math.max(input.limit ?? 24, 1), 120))
    .execute();
  return ok(rows.map((r) => toInvoiceSummary(r, account.value.number)));
}

export interface InvoiceDetail extends InvoiceSummary {
  accountName: string;
  currency: string;
  billingAddress: { street: string; city: string; region: string; postalCode: string; country: string };
  lines: {
    billCategory: InvoiceLine['bill_category'];
    productCategory: InvoiceLine['product_category'];
    feature: string | null;
    connectionNumber: string | null;
    description: string;
    taxName: string | null;
    amountCents: number;
  }[];
}

/** One invoice with its lines: by invoice number, or an account's invoice for a month ('YYYY-MM'), or its latest. */
export async function getInvoice(
  ctx: DomainContext,
  actor: Actor,
  input: { invoiceNumber: string } | { accountNumber: string; month?: string },
): Promise<Ok<InvoiceDetail> | Denied> {
  let invoice: Invoice | undefined;
  let account: Account;
  if ('invoiceNumber' in input) {
    if (actor.kind === 'anonymous') return { kind: 'sign_in_required' };
    invoice = await ctx.db.selectFrom('invoices').selectAll().where('number', '=', input.invoiceNumber.trim()).executeTakeFirst();
    if (!invoice) return notFound(`invoice ${input.invoiceNumber}`);
    const allowed = await authorizeAccountId(ctx, actor, invoice.account_id, 'billing.read', 'get_invoice', `invoice ${input.invoiceNumber}`);
    if (allowed.kind !== 'ok') return allowed;
    account = allowed.value;
  } else {
    const allowed = await authorizeAccount(ctx, actor, input.accountNumber, 'billing.read', 'get_invoice');
    if (allowed.kind !== 'ok') return allowed;
    account = allowed.value;
    let query = ctx.db.selectFrom('invoices').selectAll().where('account_id', '=', account.id);
    if (input.month) query = query.where('period_start', '=', `${input.month}-01`);
    invoice = await query.orderBy('period_start', 'desc').limit(1).executeTakeFirst();
    if (!invoice) return notFound(input.month ? `an invoice for ${input.month}` : 'an invoice');
  }
  const lines = await ctx.db
    .selectFrom('invoice_lines')
    .selectAll()
    .where('invoice_id', '=', invoice.id)
    .orderBy('id')
    .execute();
  return ok({
    ...toInvoiceSummary(invoice, account.number),
    accountName: account.name,
    currency: account.currency,
    billingAddress: {
      street: account.billing_street,
      city: account.billing_city,
      region: account.billing_region,
      postalCode: account.billing_postal_code,
      country: account.billing_country,
    },
    lines: lines.map((l) => ({
      billCategory: l.bill_category,
      productCategory: l.product_category,
      feature: l.feature,
      connectionNumber: l.connection_number,
      description: l.description,
      taxName: l.tax_name,
      amountCents: l.amount_cents,
    })),
  });
}

export async function listTaxExemptions(ctx: DomainContext, actor: Actor, input: { accountNumber: string }) {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'billing.read', 'list_tax_exemptions');
  if (account.kind !== 'ok') return account;
  const rows = await ctx.db
    .selectFrom('tax_exemptions')
    .select(['tax_name', 'certificate_number', 'region', 'valid_from', 'valid_to'])
    .where('account_id', '=', account.value.id)
    .orderBy('valid_from')
    .execute();
  return ok(
    rows.map((r) => ({
      taxName: r.tax_name,
      certificateNumber: r.certificate_number,
      region: r.region,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    })),
  );
}

// Billing questions: balance, invoices, tax exemptions, billing address and paperless billing.
import { getAccountSummary, listAccessibleAccounts, setPaperless, updateBillingAddress } from '../../../domain/accounts/index.js';
import { getAccountBalance, getInvoice, type InvoiceDetail, listInvoices, listTaxExemptions } from '../../../domain/billing/index.js';
import type { PostalAddress } from '../../../domain/validation.js';
import { formatDate, formatMoney, formatMonth, humanise, todayIn } from '../../format.js';
import type { Reply, ReplyFile } from '../../reply.js';
import type { Slots } from '../state.js';
import { ask, confirm, entitiesOf, firstEntity, INTENT_PREFIX, refuse, refusedBeforeAsking, type Turn, withAccount } from '../turn.js';

/** "How much do we owe in total across all accounts": the sum over the hierarchy in scope, with a breakdown. */
const ACROSS_ACCOUNTS = /\b(in total|total (balance|owed|owing|due|amount)|across (all|every|our|the)|all (of )?(our|my|the) accounts|every account|all accounts|altogether|combined|whole (company|organi[sz]ation|hierarchy)|overall)\b/i;

async function totalBalance(turn: Turn): Promise<Reply | null> {
  if (turn.actor.kind !== 'customer') return null;
  const accessible = await listAccessibleAccounts(turn.ctx, turn.actor);
  if (accessible.kind !== 'ok' || accessible.value.length < 2) return null;
  const rows: { number: string; name: string; cents: number; pastDue: number; currency: string }[] = [];
  for (const account of accessible.value.slice(0, 200)) {
    const b = await getAccountBalance(turn.ctx, turn.actor, { accountNumber: account.number });
    if (b.kind === 'ok') rows.push({ number: b.value.accountNumber, name: b.value.accountName, cents: b.value.balanceCents, pastDue: b.value.pastDueCents, currency: b.value.currency });
  }
  if (rows.length === 0) return null;
  const byCurrency = new Map<string, { total: number; pastDue: number }>();
  for (const r of rows) {
    const t = byCurrency.get(r.currency) ?? { total: 0, pastDue: 0 };
    t.total += r.cents;
    t.pastDue += r.pastDue;
    byCurrency.set(r.currency, t);
  }
  const totals = [...byCurrency].map(([currency, t]) => `${formatMoney(t.total, currency)}${byCurrency.size > 1 ? ` ${currency}` : ''}`);
  const pastDue = [...byCurrency].filter(([, t]) => t.pastDue > 0).map(([currency, t]) => formatMoney(t.pastDue, currency));
  turn.state.last = { intent: 'balance', slots: { total: true } };
  return {
    text: `${accessible.value.length > rows.length ? `Across the first ${rows.length} of your ${accessible.value.length} accounts` : `Across your ${rows.length} accounts`} you owe ${totals.join(' and ')} in total.${pastDue.length ? ` ${pastDue.join(' and ')} of it is past due.` : ''}`,
    cards: [
      {
        title: 'Balances across your accounts',
        table: {
          columns: ['Account', 'Number', 'Balance', 'Past due'],
          rows: [
            ...rows.map((r) => [r.name, r.number, formatMoney(r.cents, r.currency), formatMoney(r.pastDue, r.currency)]),
            ...[...byCurrency].map(([currency, t]) => ['Total', byCurrency.size > 1 ? currency : '', formatMoney(t.total, currency), formatMoney(t.pastDue, currency)]),
          ],
        },
      },
    ],
  };
}

export async function balance(turn: Turn, slots: Slots): Promise<Reply> {
  // A balance is always as of today; a past month's amount is that month's invoice.
  const period = firstEntity(turn, 'period');
  if (period && period.value.to < todayIn(turn.ctx.now(), turn.timeZone) && !/\b(due|owe|owing)\b/i.test(turn.text)) {
    return {
      text: `A balance is always as of today, so I can't show it for ${period.value.label}. Would you like the invoice for ${period.value.label} instead?`,
      quickReplies: [{ label: `Invoice for ${period.value.label}`, value: `${INTENT_PREFIX}invoice:${period.value.to.slice(0, 7)}` }],
    };
  }
  if ((slots.total === true || ACROSS_ACCOUNTS.test(turn.text)) && typeof slots.account !== 'string' && entitiesOf(turn, 'account').length === 0) {
    const total = await totalBalance(turn);
    if (total) return total;
  }
  return withAccount(turn, 'balance', slots, async (accountNumber) => {
    const result = await getAccountBalance(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    const b = result.value;
    const money = (c: number) => formatMoney(c, b.currency);
    const pastDue = b.pastDueCents > 0 ? ` ${money(b.pastDueCents)} of it is past due.` : '';
    const due = b.dueDate && b.balanceCents > 0 ? ` due ${formatDate(b.dueDate)}` : '';
    const fields = [
      { label: 'Balance', value: money(b.balanceCents) },
      { label: 'Past due', value: money(b.pastDueCents) },
      { label: 'Due date', value: b.dueDate ? formatDate(b.dueDate) : '—' },
      { label: 'Last payment', value: b.lastPayment ? `${money(b.lastPayment.amountCents)} on ${formatDate(b.lastPayment.date)}` : 'None yet' },
    ];
    if (b.pendingPaymentsCents > 0) fields.push({ label: 'Pending payments', value: money(b.pendingPaymentsCents) });
    return {
      text: `The balance on ${b.accountName} (${b.accountNumber}) is ${money(b.balanceCents)}${due}.${pastDue}`,
      cards: [
        {
          title: `Balance · ${b.accountName}`,
          subtitle: b.accountNumber,
          fields,
          actions: [
            { label: 'Make a payment', value: `${INTENT_PREFIX}make_payment`, style: 'primary' },
            { label: 'Latest invoice', value: `${INTENT_PREFIX}invoice` },
          ],
        },
      ],
    };
  });
}

/** "INV-5000001-2026-10", or another number the person calls an invoice number ("invoice #85632"). */
function invoiceNumberIn(text: string): { number: string; ours: boolean } | null {
  const ours = /\bINV-\d{7}-\d{4}-\d{2}\b/i.exec(text)?.[0];
  if (ours) return { number: ours.toUpperCase(), ours: true };
  const other = /\b(?:invoice|bill|statement|facture)\s*(?:number|no\.?|num|#)?\s*#?\s*([A-Z0-9-]*\d[A-Z0-9-]{2,})\b/i.exec(text)?.[1];
  return other && !/^\d{7}$/.test(other) && !/^\d{4}-\d{2}/.test(other) ? { number: other, ours: false } : null;
}

export async function invoice(turn: Turn, slots: Slots): Promise<Reply> {
  const period = firstEntity(turn, 'period');
  const month = typeof slots.month === 'string' ? slots.month : period ? period.value.to.slice(0, 7) : undefined;
  const numbered = typeof slots.month === 'string' ? null : invoiceNumberIn(turn.original);
  if (numbered && !numbered.ours) {
    return {
      text: `I couldn't find an invoice numbered ${numbered.number}. Our invoice numbers look like INV-5000001-2026-10 (the account and the month); you can also ask for a month, e.g. "the October invoice".`,
      quickReplies: [{ label: 'Invoice history', value: `${INTENT_PREFIX}invoice_history` }],
    };
  }
  if (numbered) {
    const result = await getInvoice(turn.ctx, turn.actor, { invoiceNumber: numbered.number });
    if (result.kind !== 'ok') return refuse(turn, result);
    return showInvoice(turn, result.value.accountNumber, result.value);
  }
  return withAccount(turn, 'invoice', { ...slots, ...(month ? { month } : {}) }, async (accountNumber) => {
    const result = await getInvoice(turn.ctx, turn.actor, { accountNumber, month });
    if (result.kind !== 'ok') return refuse(turn, result);
    return showInvoice(turn, accountNumber, result.value);
  });
}

async function showInvoice(turn: Turn, accountNumber: string, inv: InvoiceDetail): Promise<Reply> {
  turn.state.last = { intent: 'invoice', slots: { account: accountNumber, month: inv.periodStart.slice(0, 7) } };
  const money = (c: number) => formatMoney(c, inv.currency);
  const byCategory = new Map<string, number>();
  for (const line of inv.lines) byCategory.set(line.billCategory, (byCategory.get(line.billCategory) ?? 0) + line.amountCents);
  let file: ReplyFile | null = null;
  if (turn.services.renderInvoicePdf) file = await turn.services.renderInvoicePdf(turn.ctx, turn.actor, inv.number);
  return {
    text: `Invoice ${inv.number} for ${formatMonth(inv.periodStart)}: ${money(inv.totalCents)}, due ${formatDate(inv.dueDate)}.${file ? ' The PDF is attached.' : ''}`,
    cards: [
      {
        title: `Invoice ${inv.number}`,
        subtitle: `${inv.accountName} · ${formatMonth(inv.periodStart)}`,
        fields: [
          ...[...byCategory].map(([category, cents]) => ({ label: humanise(category), value: money(cents) })),
          { label: 'Total', value: money(inv.totalCents) },
          { label: 'Due date', value: formatDate(inv.dueDate) },
        ],
        actions: [{ label: 'Invoice history', value: `${INTENT_PREFIX}invoice_history` }],
      },
    ],
    files: file ? [file] : undefined,
  };
}

export async function invoiceHistory(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'invoice_history', slots, async (accountNumber) => {
    const period = firstEntity(turn, 'period');
    const result = await listInvoices(turn.ctx, turn.actor, {
      accountNumber,
      from: period ? `${period.value.from.slice(0, 7)}-01` : undefined,
      to: period ? period.value.to : undefined,
      limit: 12,
    });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `There are no invoices on ${accountNumber}${period ? ` for ${period.value.label}` : ''}.` };
    const currency = (await currencyOf(turn, accountNumber)) ?? 'CAD';
    return {
      text: `Here are the latest ${result.value.length} invoices for ${accountNumber}.`,
      cards: [
        {
          title: `Invoices · ${accountNumber}`,
          table: {
            columns: ['Invoice', 'Period', 'Total', 'Due'],
            rows: result.value.map((i) => [i.number, formatMonth(i.periodStart), formatMoney(i.totalCents, currency), formatDate(i.dueDate)]),
          },
        },
      ],
    };
  });
}

async function currencyOf(turn: Turn, accountNumber: string): Promise<string | undefined> {
  const row = await turn.ctx.db.selectFrom('accounts').select('currency').where('number', '=', accountNumber).executeTakeFirst();
  return row?.currency;
}

export async function taxExemptions(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'tax_exemptions', slots, async (accountNumber) => {
    const result = await listTaxExemptions(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `Account ${accountNumber} has no tax exemptions on file.` };
    return {
      text: `Account ${accountNumber} has ${result.value.length} tax exemption${result.value.length === 1 ? '' : 's'}.`,
      cards: [
        {
          title: `Tax exemptions · ${accountNumber}`,
          table: {
            columns: ['Tax', 'Certificate', 'Region', 'Valid'],
            rows: result.value.map((t) => [t.taxName, t.certificateNumber, t.region, `${formatDate(t.validFrom)} – ${t.validTo ? formatDate(t.validTo) : 'open'}`]),
          },
        },
      ],
    };
  });
}

const formatAddress = (a: PostalAddress) => `${a.street}, ${a.city}, ${a.region} ${a.postalCode}, ${a.country}`;

/** Shows the billing address, or with an address in the message, offers to change it. */
export async function billingAddress(turn: Turn, slots: Slots): Promise<Reply> {
  const given = (slots.address as PostalAddress | undefined) ?? firstEntity(turn, 'address')?.value;
  const changing = given !== undefined || /\b(change|update|new|moved|modify|correct)\b/i.test(turn.text);
  if (changing) {
    const refused = await refusedBeforeAsking(turn, 'billing.write');
    if (refused) return refused;
  }
  return withAccount(turn, 'billing_address', slots, async (accountNumber) => {
    const summary = await getAccountSummary(turn.ctx, turn.actor, { accountNumber });
    if (summary.kind !== 'ok') return refuse(turn, summary);
    if (!given && changing) {
      return ask(
        turn,
        'billing_address',
        { ...slots, account: accountNumber },
        'address',
        `The billing address of ${accountNumber} is ${formatAddress(summary.value.billingAddress)}. What is the new address? For example: 100 Front St W, Toronto ON M5J 1E3.`,
      );
    }
    if (!given) {
      return {
        text: `The billing address of ${summary.value.name} (${accountNumber}) is ${formatAddress(summary.value.billingAddress)}. To change it, tell me the new address.`,
      };
    }
    return confirm(
      turn,
      'billing_address',
      { account: accountNumber, address: { ...given } },
      `Change the billing address of ${accountNumber} from ${formatAddress(summary.value.billingAddress)} to ${formatAddress(given)}?`,
    );
  });
}

export async function executeBillingAddress(turn: Turn, params: Slots): Promise<Reply> {
  const result = await updateBillingAddress(turn.ctx, turn.actor, {
    accountNumber: String(params.account),
    address: params.address as unknown as PostalAddress,
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  return { text: `Done: the billing address of ${params.account} is now ${formatAddress(result.value)}.` };
}

/** "on"/"off" from what the person said, or null when they only asked. */
export function requestedSwitch(text: string): boolean | null {
  const t = text.toLowerCase();
  if (/\b(turn(ed)?\s+off|disable|stop|cancel|deactivate|unenroll|opt out|désactiv|arrêt|no more)\b/.test(t)) return false;
  if (/\b(turn(ed)?\s+on|enable|start|activate|enroll|sign me up|set up|setup|switch to|go paperless|activer|activez)\b/.test(t)) return true;
  return null;
}

export async function paperless(turn: Turn, slots: Slots): Promise<Reply> {
  const wanted = typeof slots.on === 'boolean' ? slots.on : requestedSwitch(turn.text);
  if (wanted !== null) {
    const refused = await refusedBeforeAsking(turn, 'billing.write');
    if (refused) return refused;
  }
  return withAccount(turn, 'paperless', slots, async (accountNumber) => {
    const summary = await getAccountSummary(turn.ctx, turn.actor, { accountNumber });
    if (summary.kind !== 'ok') return refuse(turn, summary);
    const current = summary.value.paperless;
    if (wanted === null) {
      return {
        text: `Paperless billing is ${current ? 'on' : 'off'} for ${accountNumber}.`,
        quickReplies: [{ label: current ? 'Turn it off' : 'Turn it on', value: `${INTENT_PREFIX}paperless:${current ? 'off' : 'on'}` }],
      };
    }
    if (wanted === current) return { text: `Paperless billing is already ${current ? 'on' : 'off'} for ${accountNumber}.` };
    return confirm(
      turn,
      'paperless',
      { account: accountNumber, on: wanted },
      wanted
        ? `Turn paperless billing on for ${accountNumber}? Invoices will be emailed to the billing contact instead of mailed.`
        : `Turn paperless billing off for ${accountNumber}? Paper invoices will be mailed to the billing address.`,
    );
  });
}

export async function executePaperless(turn: Turn, params: Slots): Promise<Reply> {
  const result = await setPaperless(turn.ctx, turn.actor, { accountNumber: String(params.account), paperless: params.on === true });
  if (result.kind !== 'ok') return refuse(turn, result);
  return { text: `Done: paperless billing is now ${result.value.paperless ? 'on' : 'off'} for ${result.value.accountNumber}.` };
}

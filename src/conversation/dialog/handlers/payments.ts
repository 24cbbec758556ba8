// Payments: one-time payments (confirmed, idempotent), autopay, saved payment accounts, history.
import { DateTime } from 'luxon';
import { getAccountBalance } from '../../../domain/billing/index.js';
import {
  getAutopay,
  listPaymentMethods,
  listPayments,
  listPendingTransactions,
  makeOneTimePayment,
  type PaymentMethodView,
  type PaymentView,
  setAutopay,
} from '../../../domain/payments/index.js';
import { formatDate, formatMoney, humanise, todayIn } from '../../format.js';
import type { Reply } from '../../reply.js';
import type { Slots } from '../state.js';
import { ask, confirm, firstEntity, INTENT_PREFIX, refuse, refusedBeforeAsking, SLOT_PREFIX, type Turn, withAccount } from '../turn.js';
import { requestedSwitch } from './billing.js';

/** Brand words a person may use for a saved payment account ("the amex", "our chequing account"). */
const METHOD_WORDS: [RegExp, string, (m: PaymentMethodView) => boolean][] = [
  [/\b(amex|american express)\b/i, 'American Express card', (m) => /amex|american express/i.test(m.brand)],
  [/\bvisa\b/i, 'Visa card', (m) => /visa/i.test(m.brand)],
  [/\b(master ?card|mc)\b/i, 'Mastercard', (m) => /master/i.test(m.brand)],
  [/\bdiscover\b/i, 'Discover card', (m) => /discover/i.test(m.brand)],
  [/\b(bank|chequing|checking|savings|pad|eft|ach|debit)\b/i, 'bank account', (m) => m.kind !== 'card'],
];

/** Only the words that name a payment account ("the amex", "ending 4242"), never the rest of the message. */
export function paymentMethodWords(text: string): string | null {
  return /\b(amex|american express|visa|master ?card|mc|discover|bank( account)?|chequing|checking|savings|pad|eft|ach|debit|(ending|ends|last (4|four)( digits)?)\s*(in|with|of)?\s*\d{4})\b/i.exec(text)?.[0] ?? null;
}

/**
 * The payment account the person named, if they named one: by its last four digits or by its brand.
 * `named` is what they asked for, so one they do not have is reported, never silently replaced.
 */
function namedMethod(text: string, methods: PaymentMethodView[]): { named: string; matching: PaymentMethodView[] } | null {
  const last4 = /\b(?:ending|ends|last (?:4|four)(?: digits)?)\s*(?:in|with|of)?\s*(\d{4})\b/i.exec(text)?.[1];
  if (last4) return { named: `payment account ending ${last4}`, matching: methods.filter((m) => m.last4 === last4) };
  for (const [word, named, fits] of METHOD_WORDS) {
    if (word.test(text)) return { named, matching: methods.filter(fits) };
  }
  return null;
}

export async function makePayment(turn: Turn, slots: Slots): Promise<Reply> {
  const refused = await refusedBeforeAsking(turn, 'payments.write');
  if (refused) return refused;
  const amount = firstEntity(turn, 'money');
  const date = firstEntity(turn, 'date');
  const merged: Slots = { ...slots };
  // "Pay $X anyway" after the over-the-balance warning.
  if (typeof merged.overpayCents === 'number') {
    merged.amountCents = merged.overpayCents;
    merged.overpay = true;
    delete merged.overpayCents;
  }
  if (merged.amountCents === undefined && amount) merged.amountCents = amount.value;
  if (merged.date === undefined && date) merged.date = date.value;
  // A weekday on its own ("on friday") means the next one: a payment is never made in the past.
  if (date && merged.date === date.value && /^\s*(on\s+)?(this\s+)?(mon|tues|wednes|thurs|fri|satur|sun)day\b/i.test(date.text)) {
    const today = todayIn(turn.ctx.now(), turn.timeZone);
    if (date.value < today) merged.date = DateTime.fromISO(date.value).plus({ weeks: 1 }).toISODate();
  }
  if (merged.methodWords === undefined) {
    const said = paymentMethodWords(turn.text);
    if (said) merged.methodWords = said;
  }
  if (merged.payBalance === undefined && /\b(the )?(full|whole|entire|total) (balance|amount)\b|\bpay (it|the balance|everything|what we owe|what i owe)( off)?\b|\bpay off\b/i.test(turn.text) && !amount) merged.payBalance = true;
  return withAccount(turn, 'make_payment', merged, async (accountNumber) => {
    merged.account = accountNumber;
    const balance = await getAccountBalance(turn.ctx, turn.actor, { accountNumber });
    if (balance.kind !== 'ok') return refuse(turn, balance);
    const b = balance.value;
    const money = (cents: number) => formatMoney(cents, b.currency);
    // "the full balance" or "the past-due part" as the answer to "how much?".
    if (merged.amountCents === 'balance') merged.payBalance = true;
    if (merged.amountCents === 'past_due') merged.amountCents = b.pastDueCents > 0 ? b.pastDueCents : b.balanceCents;
    if (merged.payBalance === true && typeof merged.amountCents !== 'number' && b.balanceCents > 0) merged.amountCents = b.balanceCents;
    if (typeof merged.amountCents === 'string') delete merged.amountCents;
    if (typeof merged.amountCents !== 'number') {
      const options = b.balanceCents > 0 ? [{ label: `Full balance ${money(b.balanceCents)}`, value: `${SLOT_PREFIX}amountCents:${b.balanceCents}` }] : [];
      if (b.pastDueCents > 0 && b.pastDueCents !== b.balanceCents) {
        options.push({ label: `Past due ${money(b.pastDueCents)}`, value: `${SLOT_PREFIX}amountCents:${b.pastDueCents}` });
      }
      return ask(turn, 'make_payment', merged, 'amountCents', `How much would you like to pay on ${accountNumber}? The balance is ${money(b.balanceCents)}.`, options);
    }
    if (merged.amountCents <= 0) {
      delete merged.amountCents;
      return ask(turn, 'make_payment', merged, 'amountCents', `A payment needs an amount above zero. How much would you like to pay on ${accountNumber}? The balance is ${money(b.balanceCents)}.`);
    }
    // More than is owed is flagged before anything else, with the balance offered instead.
    if (merged.amountCents > b.balanceCents && merged.overpay !== true) {
      const amountCents = merged.amountCents;
      delete merged.amountCents;
      const over = amountCents - Math.max(0, b.balanceCents);
      const options = [
        ...(b.balanceCents > 0 ? [{ label: `Pay the balance ${money(b.balanceCents)}`, value: `${SLOT_PREFIX}amountCents:${b.balanceCents}` }] : []),
        { label: `Pay ${money(amountCents)} anyway`, value: `${SLOT_PREFIX}overpayCents:${amountCents}` },
      ];
      const text =
        b.balanceCents > 0
          ? `That is ${money(over)} more than the balance of ${money(b.balanceCents)} on ${accountNumber}. Pay the balance instead?`
          : `There is nothing owing on ${accountNumber} (the balance is ${money(b.balanceCents)}), so ${money(amountCents)} would sit as a credit. Pay it anyway?`;
      const reply = ask(turn, 'make_payment', merged, 'amountCents', text, options);
      if (turn.state.pending) turn.state.pending.yes = options[0]?.value;
      return reply;
    }
    const methods = await listPaymentMethods(turn.ctx, turn.actor, { accountNumber });
    if (methods.kind !== 'ok') return refuse(turn, methods);
    if (methods.value.length === 0) {
      return { text: `There is no saved payment account on ${accountNumber}. Add a card or bank account in the portal's secure payment form first.` };
    }
    const chooseFrom = (question: string) =>
      ask(turn, 'make_payment', merged, 'paymentMethodId', question, methods.value.map((m) => ({ label: m.label, value: `${SLOT_PREFIX}paymentMethodId:${m.id}` })));
    let method = methods.value.find((m) => m.id === Number(merged.paymentMethodId));
    if (!method && typeof merged.methodWords === 'string') {
      const named = namedMethod(merged.methodWords, methods.value);
      delete merged.methodWords;
      if (named && named.matching.length === 0) {
        return chooseFrom(`There is no ${named.named} saved on ${accountNumber}; the saved payment accounts are ${methods.value.map((m) => m.label).join(', ')}. Which one should I use?`);
      }
      if (named && named.matching.length > 1) return chooseFrom(`There is more than one ${named.named} on ${accountNumber}. Which one should I use?`);
      method = named?.matching[0];
    }
    method ??= methods.value.length === 1 ? methods.value[0] : undefined;
    if (!method) return chooseFrom('Which payment account should I use?');
    const today = todayIn(turn.ctx.now(), turn.timeZone);
    if (typeof merged.date === 'string' && merged.date < today) {
      const past = merged.date;
      delete merged.date;
      return ask(turn, 'make_payment', merged, 'date', `${formatDate(past)} has passed; a payment can be made today or on a later date. When should it be paid?`, [
        { label: 'Today', value: `${SLOT_PREFIX}date:${today}` },
      ]);
    }
    const when = typeof merged.date === 'string' && merged.date !== today ? `on ${formatDate(merged.date)}` : 'today';
    const amountText = money(merged.amountCents);
    // What is already on its way is named, so nobody pays twice by mistake.
    const notes: string[] = [];
    if (b.pendingPaymentsCents > 0) {
      notes.push(
        b.pendingPaymentsCents >= b.balanceCents
          ? `Note: pending payments of ${money(b.pendingPaymentsCents)} already cover the balance.`
          : `Note: ${money(b.pendingPaymentsCents)} in pending payments is already on its way.`,
      );
    }
    const autopayStatus = await getAutopay(turn.ctx, turn.actor, { accountNumber });
    if (autopayStatus.kind === 'ok' && autopayStatus.value.enabled && b.balanceCents > 0) {
      notes.push(`Note: autopay is on and will pay the balance from ${autopayStatus.value.paymentMethod?.label ?? 'the saved payment account'}${b.dueDate ? ` on ${formatDate(b.dueDate)}` : ''}.`);
    }
    if (merged.amountCents > b.balanceCents) notes.push(`This is ${money(merged.amountCents - Math.max(0, b.balanceCents))} more than the balance; the rest stays as a credit.`);
    return confirm(
      turn,
      'make_payment',
      { account: accountNumber, amountCents: merged.amountCents, paymentMethodId: method.id, date: typeof merged.date === 'string' ? merged.date : today },
      `Pay ${amountText} to ${accountNumber} from ${method.label} ${when}?${notes.length ? ` ${notes.join(' ')}` : ''}`,
      {
        title: 'Confirm payment',
        fields: [
          { label: 'Amount', value: amountText },
          { label: 'Account', value: accountNumber },
          { label: 'From', value: method.label },
          { label: 'Date', value: when === 'today' ? formatDate(today) : formatDate(String(merged.date)) },
          ...notes.map((n) => ({ label: 'Please note', value: n.replace(/^Note: /, '') })),
        ],
      },
    );
  });
}

export async function executePayment(turn: Turn, params: Slots, key: string): Promise<Reply> {
  const result = await makeOneTimePayment(turn.ctx, turn.actor, {
    accountNumber: String(params.account),
    amountCents: Number(params.amountCents),
    paymentMethodId: Number(params.paymentMethodId),
    date: String(params.date),
    idempotencyKey: key,
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  const p = result.value;
  return {
    text: `${result.replayed ? 'Already done — nothing was paid twice. ' : ''}Payment submitted: ${formatMoney(p.amountCents, p.currency)} to ${p.accountNumber} from ${p.paymentMethod} on ${formatDate(p.date)}. Confirmation number ${p.confirmationNumber}.`,
    cards: [
      {
        title: 'Payment submitted',
        fields: [
          { label: 'Confirmation', value: p.confirmationNumber },
          { label: 'Amount', value: formatMoney(p.amountCents, p.currency) },
          { label: 'Status', value: humanise(p.status) },
        ],
      },
    ],
  };
}

function paymentsTable(payments: PaymentView[]) {
  return {
    columns: ['Date', 'Amount', 'Status', 'From', 'Confirmation'],
    rows: payments.map((p) => [formatDate(p.date), formatMoney(p.amountCents, p.currency), humanise(p.status), p.paymentMethod ?? '—', p.confirmationNumber]),
  };
}

export async function paymentHistory(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'payment_history', slots, async (accountNumber) => {
    const result = await listPayments(turn.ctx, turn.actor, { accountNumber, limit: 10 });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `No payments on ${accountNumber} yet.` };
    return { text: `The last ${result.value.length} payments on ${accountNumber}:`, cards: [{ title: `Payments · ${accountNumber}`, table: paymentsTable(result.value) }] };
  });
}

export async function pendingPayments(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'pending_payments', slots, async (accountNumber) => {
    const result = await listPendingTransactions(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `There are no pending payments on ${accountNumber}.` };
    return {
      text: `${result.value.length} pending payment${result.value.length === 1 ? '' : 's'} on ${accountNumber}.`,
      cards: [{ title: `Pending payments · ${accountNumber}`, table: paymentsTable(result.value) }],
    };
  });
}

export async function paymentMethods(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'payment_methods', slots, async (accountNumber) => {
    const result = await listPaymentMethods(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `There are no saved payment accounts on ${accountNumber}. You can add one in the portal's secure payment form.` };
    return {
      text: `Saved payment accounts on ${accountNumber}: ${result.value.map((m) => m.label).join(', ')}. To add one, use the portal's secure payment form — never type card numbers in chat.`,
      cards: [
        {
          title: `Payment accounts · ${accountNumber}`,
          table: { columns: ['Account', 'Type', 'Holder', 'Expires'], rows: result.value.map((m) => [m.label, humanise(m.kind), m.holderName, m.expires ?? '—']) },
        },
      ],
    };
  });
}

export async function autopay(turn: Turn, slots: Slots): Promise<Reply> {
  const wanted = typeof slots.on === 'boolean' ? slots.on : requestedSwitch(turn.text);
  if (wanted !== null) {
    const refused = await refusedBeforeAsking(turn, 'payments.write');
    if (refused) return refused;
  }
  return withAccount(turn, 'autopay', slots, async (accountNumber) => {
    const status = await getAutopay(turn.ctx, turn.actor, { accountNumber });
    if (status.kind !== 'ok') return refuse(turn, status);
    const current = status.value;
    if (wanted === null) {
      return {
        text: current.enabled
          ? `Autopay is on for ${accountNumber}, paying from ${current.paymentMethod?.label ?? 'the saved payment account'} on each due date.`
          : `Autopay is off for ${accountNumber}.`,
        quickReplies: [{ label: current.enabled ? 'Turn autopay off' : 'Turn autopay on', value: `${INTENT_PREFIX}autopay:${current.enabled ? 'off' : 'on'}` }],
      };
    }
    if (!wanted) {
      if (!current.enabled) return { text: `Autopay is already off for ${accountNumber}.` };
      return confirm(turn, 'autopay', { account: accountNumber, on: false }, `Turn autopay off for ${accountNumber}? You'll need to pay each invoice yourself.`);
    }
    const methods = await listPaymentMethods(turn.ctx, turn.actor, { accountNumber });
    if (methods.kind !== 'ok') return refuse(turn, methods);
    const method = methods.value.find((m) => m.id === Number(slots.paymentMethodId)) ?? (methods.value.length === 1 ? methods.value[0] : undefined);
    if (methods.value.length === 0) return { text: `Add a payment account in the portal's secure payment form first, then I can turn autopay on.` };
    if (!method) {
      return ask(
        turn,
        'autopay',
        { ...slots, account: accountNumber, on: true },
        'paymentMethodId',
        'Which payment account should autopay use?',
        methods.value.map((m) => ({ label: m.label, value: `${SLOT_PREFIX}paymentMethodId:${m.id}` })),
      );
    }
    if (current.enabled && current.paymentMethod?.id === method.id) return { text: `Autopay is already on for ${accountNumber} with ${method.label}.` };
    return confirm(
      turn,
      'autopay',
      { account: accountNumber, on: true, paymentMethodId: method.id },
      `Turn autopay on for ${accountNumber}, paying each invoice in full from ${method.label} on its due date?`,
    );
  });
}

export async function executeAutopay(turn: Turn, params: Slots): Promise<Reply> {
  const result = await setAutopay(turn.ctx, turn.actor, {
    accountNumber: String(params.account),
    enabled: params.on === true,
    paymentMethodId: params.paymentMethodId === undefined ? undefined : Number(params.paymentMethodId),
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  return {
    text: result.value.enabled
      ? `Done: autopay is on for ${result.value.accountNumber} with ${result.value.paymentMethod?.label}.`
      : `Done: autopay is off for ${result.value.accountNumber}.`,
  };
}

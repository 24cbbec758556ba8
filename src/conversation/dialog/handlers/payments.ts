// Payments: one-time payments (confirmed, idempotent), autopay, saved payment accounts, history.
import { getAccountBalance } from '../../../domain/billing/index.js';
import {
  getAutopay,
  listPaymentMethods,
  listPayments,
  listPendingTransactions,
  makeOneTimePayment,
  type PaymentView,
  setAutopay,
} from '../../../domain/payments/index.js';
import { formatDate, formatMoney, humanise, todayIn } from '../../format.js';
import type { Reply } from '../../reply.js';
import type { Slots } from '../state.js';
import { ask, confirm, firstEntity, INTENT_PREFIX, refuse, SLOT_PREFIX, type Turn, withAccount } from '../turn.js';
import { requestedSwitch } from './billing.js';

export async function makePayment(turn: Turn, slots: Slots): Promise<Reply> {
  const amount = firstEntity(turn, 'money');
  const date = firstEntity(turn, 'date');
  const merged: Slots = { ...slots };
  if (merged.amountCents === undefined && amount) merged.amountCents = amount.value;
  if (merged.date === undefined && date) merged.date = date.value;
  return withAccount(turn, 'make_payment', merged, async (accountNumber) => {
    merged.account = accountNumber;
    const balance = await getAccountBalance(turn.ctx, turn.actor, { accountNumber });
    if (balance.kind !== 'ok') return refuse(turn, balance);
    const currency = balance.value.currency;
    if (typeof merged.amountCents !== 'number') {
      const options = balance.value.balanceCents > 0
        ? [{ label: `Full balance ${formatMoney(balance.value.balanceCents, currency)}`, value: `${SLOT_PREFIX}amountCents:${balance.value.balanceCents}` }]
        : [];
      if (balance.value.pastDueCents > 0 && balance.value.pastDueCents !== balance.value.balanceCents) {
        options.push({ label: `Past due ${formatMoney(balance.value.pastDueCents, currency)}`, value: `${SLOT_PREFIX}amountCents:${balance.value.pastDueCents}` });
      }
      return ask(turn, 'make_payment', merged, 'amountCents', `How much would you like to pay on ${accountNumber}? The balance is ${formatMoney(balance.value.balanceCents, currency)}.`, options);
    }
    const methods = await listPaymentMethods(turn.ctx, turn.actor, { accountNumber });
    if (methods.kind !== 'ok') return refuse(turn, methods);
    if (methods.value.length === 0) {
      return { text: `There is no saved payment account on ${accountNumber}. Add a card or bank account in the portal's secure payment form first.` };
    }
    const method = methods.value.find((m) => m.id === Number(merged.paymentMethodId)) ?? (methods.value.length === 1 ? methods.value[0] : undefined);
    if (!method) {
      return ask(
        turn,
        'make_payment',
        merged,
        'paymentMethodId',
        'Which payment account should I use?',
        methods.value.map((m) => ({ label: m.label, value: `${SLOT_PREFIX}paymentMethodId:${m.id}` })),
      );
    }
    const today = todayIn(turn.ctx.now(), turn.timeZone);
    const when = typeof merged.date === 'string' && merged.date !== today ? `on ${formatDate(merged.date)}` : 'today';
    const amountText = formatMoney(merged.amountCents, currency);
    return confirm(
      turn,
      'make_payment',
      { account: accountNumber, amountCents: merged.amountCents, paymentMethodId: method.id, date: typeof merged.date === 'string' ? merged.date : today },
      `Pay ${amountText} to ${accountNumber} from ${method.label} ${when}?`,
      {
        title: 'Confirm payment',
        fields: [
          { label: 'Amount', value: amountText },
          { label: 'Account', value: accountNumber },
          { label: 'From', value: method.label },
          { label: 'Date', value: when === 'today' ? formatDate(today) : formatDate(String(merged.date)) },
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
    text: `Payment submitted: ${formatMoney(p.amountCents, p.currency)} to ${p.accountNumber} from ${p.paymentMethod} on ${formatDate(p.date)}. Confirmation number ${p.confirmationNumber}.`,
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

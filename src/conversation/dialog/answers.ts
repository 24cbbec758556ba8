// Reading a message against what the bot is waiting for: whether it is a new request rather than the answer,
// which offered button it names, and what it changes in a waiting payment.
import { paymentMethodWords } from './handlers/payments.js';
import { HANDLERS } from './router.js';
import { FREE_TEXT_SLOTS } from './slots.js';
import type { PendingConfirmation, PendingQuestion, Slots } from './state.js';
import type { Turn } from './turn.js';

/** Messages that steer the dialog itself rather than ask for something. */
export const DIALOG_CONTROLS = new Set(['confirm', 'deny', 'cancel', 'restart']);
/** Intents a description of a problem is often taken for. */
const PROBLEM_INTENTS = new Set(['ticket_create', 'outages', 'tickets', 'ticket_escalate', 'maintenance', 'services']);

/** Whether what was said is a request of its own rather than the answer to the open question. */
export function isNewRequest(turn: Turn, pending: PendingQuestion, sure: boolean, fits: boolean): boolean {
  const { intent, confidence } = turn.understanding;
  if (!sure || DIALOG_CONTROLS.has(intent) || !HANDLERS[intent]) return false;
  // Handing over to a person in the middle of a question needs the words for it, not a guess.
  if (intent === 'human_agent' && !/\b(person|human|agent|representative|rep|operator|somebody|someone real|real (person|human)|live (agent|chat)|customer service|support team)\b/i.test(turn.text)) return false;
  const words = turn.text.split(/\s+/).filter(Boolean).length;
  const asks = /\?\s*$|^(what|what's|whats|how|when|where|which|who|why|is|are|can|could|do|does|show|list|give|send|tell|pay|change|update|add|remove|open|create|escalate|check|i (want|need|would like)|i'd like|please|pls|any)\b/i.test(turn.text.trim());
  if (intent === pending.intent) {
    // "now the top calls report for october as csv" while a report question is open: a new request of the same kind.
    return !fits && words >= 3 && asks;
  }
  if (FREE_TEXT_SLOTS.has(pending.awaiting)) {
    // A question ("what is the status of TT-103059?") is never the description or the reason asked for.
    const question = /\?\s*$/.test(turn.text.trim()) && /^(what|what's|whats|how|when|where|which|who|why|is|are|can|could|do|does)\b/i.test(turn.text.trim());
    if (question) return true;
    // A problem described in answer to "what's the problem?" reads like an outage or a ticket: it is the answer.
    if (pending.awaiting !== 'name' && PROBLEM_INTENTS.has(intent)) return false;
    return !fits || (asks && confidence >= 0.6);
  }
  return !fits || (words >= 3 && confidence >= 0.8 && asks);
}

/**
 * A change to the payment waiting for confirmation, said in words: another payment account, amount or date,
 * with nothing else asked for. The other details of the waiting payment are kept.
 */
export function amendment(turn: Turn, confirmation: PendingConfirmation): { intent: string; slots: Slots } | null {
  if (confirmation.intent !== 'make_payment') return null;
  const { intent, confidence } = turn.understanding;
  if (confidence >= 0.75 && !['make_payment', 'payment_methods', 'out_of_scope'].includes(intent)) return null;
  // "not the mastercard" names a card to refuse it.
  const method = /\b(not|don'?t|never|other than|except|instead of)\b/i.test(turn.text) ? null : paymentMethodWords(turn.text);
  const money = turn.understanding.entities.find((e) => e.type === 'money');
  const date = turn.understanding.entities.find((e) => e.type === 'date');
  if (!method && !money && !date) return null;
  const params = confirmation.params;
  const slots: Slots = {};
  for (const key of ['account', 'amountCents', 'date', 'paymentMethodId', 'methodWords'] as const) if (params[key] !== undefined && params[key] !== null) slots[key] = params[key];
  if (method) {
    delete slots.paymentMethodId;
    slots.methodWords = method;
  }
  if (money) delete slots.amountCents;
  if (date) delete slots.date;
  return { intent: 'make_payment', slots };
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];
const OPTION_STOP_WORDS = new Set(['the', 'one', 'use', 'with', 'from', 'pay', 'please', 'account', 'that', 'this', 'and', 'northwind', 'traders']);

/** The value of the offered button the text names: by position ("the second one") or by a distinctive word of its label. */
export function optionNamed(text: string, options: readonly { label: string; value: string }[]): string | undefined {
  if (options.length === 0 || text.split(/\s+/).length > 8) return undefined;
  // "not the mastercard" names a button in order to refuse it.
  if (/\b(not|no|don'?t|never|other than|except|instead of)\b/i.test(text)) return undefined;
  const fold = (t: string) => t.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  const lower = fold(text);
  const position = ORDINALS.findIndex((o) => new RegExp(`\\b${o}\\b`).test(lower));
  if (position >= 0 && /\b(one|option|account|card|it)\b|^\s*(the\s+)?\w+\s*$/.test(lower)) return options[position]?.value;
  const words = lower.match(/[\p{L}\p{N}]{3,}/gu)?.filter((w) => !OPTION_STOP_WORDS.has(w)) ?? [];
  if (words.length === 0) return undefined;
  const hits = options.filter((o) => {
    const label = fold(o.label);
    return words.some((w) => new RegExp(`(^|[^\\p{L}\\p{N}])${w}($|[^\\p{L}\\p{N}])`, 'u').test(label));
  });
  return hits.length === 1 ? hits[0]?.value : undefined;
}

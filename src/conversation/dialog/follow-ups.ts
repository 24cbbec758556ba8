// Follow-ups and references: a short message that only changes a detail of the last answer ("and last
// month?", "the same for 5000004", "send that as PDF"), or points back at something ("the other account",
// "and the one before", "what about montreal"), continues the last request instead of starting a new one.
import { DateTime } from 'luxon';
import type { Entity } from '../nlu/entities.js';
import type { Reply } from '../reply.js';
import type { Slots } from './state.js';
import { accountButton, accountCandidates, ask, entitiesOf, type Turn } from './turn.js';

export type FollowUp = { kind: 'run'; intent: string; slots: Slots } | { kind: 'reply'; reply: Reply } | null;

/** Which slots an entity of each type replaces in the last request. */
const REPLACES: Partial<Record<Entity['type'], string[]>> = {
  account: ['account'],
  period: ['period', 'month', 'date'],
  date: ['period', 'month', 'date'],
  report: ['reportId'],
  format: ['format'],
  ticket: ['ticket'],
  number: ['limit'],
  time_zone: ['timeZone'],
  city: ['city'],
};

/** Requests that are about one account, where "the other account" or "what about montreal" means another account. */
const ACCOUNT_INTENTS = new Set([
  'balance', 'invoice', 'invoice_history', 'payment_history', 'pending_payments', 'payment_methods', 'autopay', 'tickets', 'care_cases',
  'report', 'services', 'did_numbers', 'hunt_groups', 'account_codes', 'toll_free', 'e911', 'orders', 'account_summary', 'contacts',
  'billing_address', 'paperless', 'tax_exemptions', 'users',
]);
const PLACE_INTENTS = new Set(['outages', 'maintenance']);
const WRITE_SLOTS = [
  'adding', 'removing', 'name', 'role', 'email', 'phone', 'on', 'frequency', 'amountCents', 'paymentMethodId', 'methodWords', 'payBalance',
  'overpay', 'overpayCents', 'date', 'reason', 'description', 'preferredContact', 'address', 'ringTo', 'line', 'tollFree', 'permissions',
  'outage', 'title', 'schedule', 'destination',
];
/** Answers that can be sent as a file. */
const FILE_INTENTS = new Set(['report', 'invoice']);

const CONNECTIVE = /^(and|what about|how about|same|the same|do the same|same thing|now|then|also|ok(ay)?,? (and|now|what about)|et|pour|send (that|it|this|them)|as|in|for)\b/i;
const OTHER = /\b(the )?other (one|account|office|location)\b|^(and |what about |how about )?the other\b(?! (day|week|weekend|month|year|night|morning|afternoon|evening|time|guy|person|people|team|bill|invoice|ticket)\b)/i;
const BEFORE = /\b(the )?(one|month|invoice|period|ticket|report|bill|statement) before\b|\bprevious (one|month|invoice|ticket|bill)\b|\bthe one prior\b|\bthe (month|one) prior\b/i;

/** The slots of a request without the details of a write, for carrying a request on. */
export function withoutWriteSlots(slots: Slots): Slots {
  const rest = { ...slots };
  for (const slot of WRITE_SLOTS) delete rest[slot];
  return rest;
}

export async function followUpOf(turn: Turn): Promise<FollowUp> {
  const stored = turn.state.last;
  if (!stored) return null;
  const last = { intent: stored.intent, slots: withoutWriteSlots(stored.slots) };
  const text = turn.text.trim();
  const words = text.split(/\s+/).filter(Boolean).length;
  const { intent, confidence } = turn.understanding;
  // A clear request of another kind is not a follow-up, however short ("show my tickets").
  const otherRequest = confidence >= 0.75 && intent !== last.intent && intent !== 'out_of_scope';
  if (words > 10) return null;

  // "The other account" after something not about one account (a payment, say) switches the account in focus.
  if (OTHER.test(text) && !otherRequest) return ACCOUNT_INTENTS.has(last.intent) ? otherAccount(turn, last.intent, last.slots) : otherAccount(turn, 'account_select', {});
  if (BEFORE.test(text) && !otherRequest) {
    // "the month before" is relative to the last answer, not to today: the words are not read as a period.
    turn.understanding.entities = turn.understanding.entities.filter((e) => e.type !== 'period' && e.type !== 'date');
    const before = previousOf(turn, last.intent, last.slots);
    if (before) return before;
  }

  const found = turn.understanding.entities;
  const types = new Set(found.map((e) => e.type));
  const connective = CONNECTIVE.test(text);
  const weak = (confidence < 0.5 && intent !== 'out_of_scope') || intent === last.intent;
  if (!(connective || weak) || (otherRequest && !connective)) return null;
  // A whole new request of the same kind ("show me the top calls by cost for october") starts afresh, so a
  // second and third request work exactly like the first; only short refinements carry the last one on.
  if (!connective && intent === last.intent && confidence >= 0.5 && words >= 4) return null;

  // A follow-up asks to see something again; the details of a write (adding a contact, a schedule) never carry over.
  const slots: Slots = { ...last.slots };
  let refined = false;
  // A bare count ("top 20") only refines a report; elsewhere a number is just part of what was said.
  for (const type of types) {
    if (type === 'number' && last.intent !== 'report') continue;
    if (type === 'city' && !PLACE_INTENTS.has(last.intent)) continue;
    const replaced = REPLACES[type];
    if (!replaced) continue;
    for (const slot of replaced) delete slots[slot];
    refined = true;
  }
  // "what about montreal" after a balance: the Montréal account, even though "Montreal" is also a city.
  if (ACCOUNT_INTENTS.has(last.intent) && !entitiesOf(turn, 'account').some((a) => a.score >= 0.99 || a.score === 0)) {
    const byName = entitiesOf(turn, 'account').filter((a) => a.score >= 0.5).sort((a, b) => b.score - a.score);
    if (byName.length === 1 || (byName.length > 1 && byName[0]!.score > byName[1]!.score)) {
      slots.account = byName[0]!.value;
      refined = true;
    } else if (byName.length > 1) {
      const candidates = await accountCandidates(turn.ctx, turn.actor);
      const options = byName.map((e) => candidates.find((c) => c.number === e.value)).filter((c) => c !== undefined).slice(0, 6).map(accountButton);
      return { kind: 'reply', reply: ask(turn, last.intent, withoutAccount(last.slots), 'account', 'Which account do you mean?', options) };
    }
  }
  if (types.has('format') && !FILE_INTENTS.has(last.intent)) {
    return {
      kind: 'reply',
      reply: { text: 'I can send reports and invoices as PDF or CSV files. Which report would you like? For example: "long distance summary for last month as PDF".' },
    };
  }
  if (!refined) return null;
  return { kind: 'run', intent: last.intent, slots };
}

function withoutAccount(slots: Slots): Slots {
  const rest = { ...slots };
  delete rest.account;
  return rest;
}

/** "The other account": with two in play, the other one; with more, which (as buttons). */
async function otherAccount(turn: Turn, intent: string, slots: Slots): Promise<FollowUp> {
  const current = turn.state.focusAccount ?? (typeof slots.account === 'string' ? slots.account : undefined);
  const recent = (turn.state.recentAccounts ?? []).filter((n) => n !== current);
  const candidates = await accountCandidates(turn.ctx, turn.actor);
  if (recent.length === 1) return { kind: 'run', intent, slots: { ...slots, account: recent[0]! } };
  const others = candidates.filter((c) => c.number !== current);
  if (recent.length === 0 && others.length === 1) return { kind: 'run', intent, slots: { ...slots, account: others[0]!.number } };
  const recentFirst = [...recent.map((n) => others.find((c) => c.number === n)).filter((c) => c !== undefined), ...others.filter((c) => !recent.includes(c.number))];
  if (recentFirst.length === 0) return { kind: 'reply', reply: { text: 'That is the only account you can see here.' } };
  return {
    kind: 'reply',
    reply: ask(turn, intent, withoutAccount(slots), 'account', 'Which other account do you mean?', recentFirst.slice(0, 6).map(accountButton)),
  };
}

/** "And the one before": the month or period before the last one asked about, or the ticket before it in the list. */
function previousOf(turn: Turn, intent: string, slots: Slots): FollowUp {
  if (typeof slots.month === 'string' && /^\d{4}-\d{2}$/.test(slots.month)) {
    const month = DateTime.fromISO(`${slots.month}-01`).minus({ months: 1 }).toFormat('yyyy-LL');
    return { kind: 'run', intent, slots: { ...slots, month } };
  }
  const period = slots.period as { from?: string; to?: string; label?: string } | undefined;
  if (period?.from && period.to) {
    const from = DateTime.fromISO(period.from);
    const to = DateTime.fromISO(period.to);
    const wholeMonths = from.day === 1 && to.plus({ days: 1 }).day === 1;
    if (wholeMonths) {
      const months = Math.max(1, Math.round(to.plus({ days: 1 }).diff(from, 'months').months));
      const start = from.minus({ months });
      const end = from.minus({ days: 1 });
      const label = months === 1 ? start.toFormat('LLLL yyyy') : `${start.toFormat('LLL yyyy')} – ${end.toFormat('LLL yyyy')}`;
      return { kind: 'run', intent, slots: { ...slots, period: { from: start.toISODate(), to: end.toISODate(), label } } };
    }
    const days = Math.round(to.diff(from, 'days').days) + 1;
    const start = from.minus({ days });
    const end = from.minus({ days: 1 });
    return { kind: 'run', intent, slots: { ...slots, period: { from: start.toISODate(), to: end.toISODate(), label: `${start.toFormat('LLL d')} – ${end.toFormat('LLL d, yyyy')}` } } };
  }
  if (intent === 'tickets' && typeof slots.ticket === 'string') {
    const list = turn.state.lastTickets ?? [];
    const at = list.indexOf(slots.ticket);
    const before = at >= 0 ? list[at + 1] : undefined;
    if (before) return { kind: 'run', intent, slots: { ...slots, ticket: before } };
    return { kind: 'reply', reply: { text: `${slots.ticket} is the oldest ticket in the list I showed you.` } };
  }
  return null;
}

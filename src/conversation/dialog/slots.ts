// Reading the answer to a question the bot asked: the detail it was waiting for, if what was said fits it,
// and if not, what was expected, so the bot can say so instead of taking the wrong thing.
import { paymentMethodWords } from './handlers/payments.js';
import type { PendingQuestion, SlotValue } from './state.js';
import { entitiesOf, firstEntity, type Turn } from './turn.js';

export type SlotAnswer =
  | { kind: 'value'; value: SlotValue }
  /** Nothing that fits: `expected` says what would, in words a person can act on. */
  | { kind: 'none'; expected: string };

/** Slots answered in the person's own words; everything else is a typed value (an amount, an email…). */
export const FREE_TEXT_SLOTS = new Set(['description', 'reason', 'name']);

const EXPECTED: Record<string, string> = {
  account: 'I need an account: its number (for example 5000002) or its name, or pick one below.',
  amountCents: 'I need an amount in dollars, for example $250 or 1,200.50.',
  preferredContact: 'I need how we should reach you: email, phone or chat.',
  email: 'I need an email address such as jane.smith@example.com (or, for a contact, a phone number such as 416-555-0142).',
  ringTo: 'I need a phone number, for example 416-555-0142.',
  line: 'I need one of your phone lines, for example 416-555-0100.',
  tollFree: 'I need one of your toll-free numbers, for example 1-800-555-0199.',
  address: 'I need a full street address, for example: 100 Front St W, Toronto ON M5J 1E3.',
  ticket: 'I need a ticket number, like TT-104233.',
  reportId: 'I need the name of a report, for example "long distance summary" or "top calls by cost".',
  format: 'I need a format: PDF or CSV.',
  role: 'I need the contact’s role: primary, billing or technical.',
  permissions: 'I need what they may do: billing, tickets, services, reports — or everything.',
  paymentMethodId: 'I need one of your saved payment accounts; pick one below.',
  toPriority: 'I need a priority: high or critical.',
  date: 'I need a date, for example "today", "Friday" or "December 15".',
  description: 'Tell me in a sentence what is happening, for example "no dial tone on 416-555-0100 since 9 am".',
  reason: 'Tell me in a sentence why it is urgent, for example "the whole office has been without phones since Monday".',
  name: 'I need the person’s name, for example Jane Smith.',
};

export function expectedFor(slot: string): string {
  return EXPECTED[slot] ?? 'That doesn’t answer my question.';
}

// The lookbehind starts a match only at the beginning of a word, which keeps the search linear on long input.
const EMAIL = /(?<![^\s<>(),;:])[^\s@<>(),;:]+@[^\s@<>(),;:]+\.[A-Za-z]{2,}/;

/**
 * A contact's role said in words: primary, billing or technical. `answer`: the whole message answers "what
 * role?", so looser words count too ("main", "IT", "accounts payable").
 */
export function contactRoleIn(text: string, answer = false): 'primary' | 'billing' | 'technical' | null {
  const words = answer ? /\b(primary|main|billing|accounts payable|technical|tech|it)\b/i : /\b(primary|billing|technical|tech)\b/i;
  const role = words.exec(text)?.[1]?.toLowerCase();
  if (!role) return null;
  if (role === 'tech' || role === 'it' || role === 'technical') return 'technical';
  if (role === 'main' || role === 'primary') return 'primary';
  return 'billing';
}

/** An email address in the text, lower-cased, without the punctuation that ends a sentence. */
export function emailIn(text: string): string | undefined {
  const found = EMAIL.exec(text)?.[0];
  return found ? found.toLowerCase().replace(/[.,;:!?'")\]]+$/, '') : undefined;
}

// Words that make a phrase a request or a product term, not a person's name.
const NOT_NAME_WORDS = new Set(
  (
    'add new create contact contacts the a an as is are to for of on in at with and or our my your their his her its ' +
    'billing technical tech primary role email mail phone number cell mobile name named please pls can could would you i we ' +
    'balance invoice invoices bill bills pay payment payments ticket tickets outage outages address change update remove delete ' +
    'show what whats how when where why which who account accounts report reports service services help hi hello thanks ' +
    'yes no ok okay cancel stop person agent human need want like this that it be should will also is his her them ' +
    'escalate open close status owe due due date today tomorrow monday tuesday wednesday thursday friday saturday sunday'
  ).split(' '),
);

const NAME_WORD = /^[\p{Lu}\p{Ll}][\p{L}'’.-]*$/u;
const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** "asdf", "qwer", "zxcv": letters from one row of the keyboard, typed to get past a question. */
function keyboardMash(word: string): boolean {
  const lower = word.toLowerCase();
  return lower.length >= 3 && KEYBOARD_ROWS.some((row) => [...lower].every((c) => row.includes(c)));
}

/**
 * A person's name in what was said: a run of capitalised words ("Jane Smith"), or what is left of a short
 * answer once request words are taken out ("it's jane smith"). Null when nothing looks like a name.
 */
export function personNameIn(text: string): string | null {
  const withoutContacts = text.replace(EMAIL, ' ').replace(/[+\d][\d\s().-]{6,}\d/g, ' ');
  const capitalised = /\b(\p{Lu}[\p{Ll}'’-]+(?:\s+(?:\p{Lu}\.?|\p{Lu}[\p{Ll}'’-]+)){1,3})\b/u;
  for (const segment of withoutContacts.split(/[,;:\n]|\s[-–—]\s/)) {
    const run = capitalised.exec(segment)?.[1];
    if (run?.split(/\s+/).every((w) => !NOT_NAME_WORDS.has(w.toLowerCase().replace(/\.$/, ''))) && !run.split(/\s+/).every(keyboardMash)) return run.trim();
  }
  const stripped = withoutContacts
    .replace(/\b(it'?s|its|name is|her name is|his name is|their name is|this is|call (?:her|him|them))\b/gi, ' ')
    .split(/[\s,;:]+/)
    .filter((w) => w && !NOT_NAME_WORDS.has(w.toLowerCase()));
  if (stripped.length >= 1 && stripped.length <= 4 && stripped.every((w) => NAME_WORD.test(w) && w.length >= 2) && !stripped.every(keyboardMash)) {
    return stripped.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
  }
  return null;
}

const REQUEST_START = /^(please\s+)?(change|update|show|list|what|what's|whats|how|when|where|why|can|could|pay|send|open|escalate|cancel|add|remove|delete|give|tell|i (want|need)|is|are|do|does)\b/i;

const PRIORITY_ONLY = /^\s*(?:to\s+)?(low|medium|normal|high|higher|urgent|critical|top|asap|emergency|p[1-4])\s*(?:priority)?[.!]*\s*$/i;

/** The awaited detail if this message gives it; otherwise what was expected. */
export function readAnswer(turn: Turn, pending: PendingQuestion): SlotAnswer {
  const text = turn.original.trim();
  const none: SlotAnswer = { kind: 'none', expected: expectedFor(pending.awaiting) };
  switch (pending.awaiting) {
    case 'account': {
      const accounts = entitiesOf(turn, 'account').sort((a, b) => b.score - a.score);
      const best = accounts[0];
      if (best && (best.score >= 0.99 || accounts.length === 1 || (best.score > 0.5 && (accounts[1]?.score ?? 0) < best.score))) return { kind: 'value', value: best.value };
      return none;
    }
    case 'amountCents': {
      const money = firstEntity(turn, 'money');
      if (money) return { kind: 'value', value: money.value };
      // "the full balance" answers "how much?"; "what's my balance?" asks something else.
      const question = /\?\s*$/.test(text) || REQUEST_START.test(text);
      if (!question && /\b(past due|overdue|late)\b/i.test(text)) return { kind: 'value', value: 'past_due' };
      if (!question && /\b(full|whole|entire|total|all of it|everything|the balance|balance|what (we|i) owe|all)\b/i.test(text)) return { kind: 'value', value: 'balance' };
      const bare = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d{1,7})(?:\.(\d{1,2}))?\s*\$?$/.exec(text);
      if (bare) return { kind: 'value', value: Number(bare[1]!.replace(/,/g, '')) * 100 + Number((bare[2] ?? '0').padEnd(2, '0')) };
      return none;
    }
    case 'preferredContact': {
      if (/\b(e-?mail|courriel|mail)\b/i.test(text)) return { kind: 'value', value: 'email' };
      if (/\b(phone|call|ring|téléphone|telephone|appel)/i.test(text)) return { kind: 'value', value: 'phone' };
      if (/\b(chat|here|message|text)\b/i.test(text)) return { kind: 'value', value: 'chat' };
      return none;
    }
    case 'email': {
      const email = emailIn(text);
      if (email) return { kind: 'value', value: email };
      // For a contact, a phone number is enough: the handler reads it from the message.
      if (pending.intent === 'contacts' && firstEntity(turn, 'phone')) return { kind: 'value', value: null };
      return none;
    }
    case 'ringTo':
    case 'line':
    case 'tollFree': {
      const phone = firstEntity(turn, 'phone');
      return phone ? { kind: 'value', value: phone.value } : none;
    }
    case 'address': {
      const address = firstEntity(turn, 'address');
      return address ? { kind: 'value', value: { ...address.value } } : none;
    }
    case 'ticket': {
      const ticket = firstEntity(turn, 'ticket');
      return ticket ? { kind: 'value', value: ticket.value } : none;
    }
    case 'reportId': {
      const report = firstEntity(turn, 'report');
      return report ? { kind: 'value', value: report.value } : none;
    }
    case 'format': {
      const format = firstEntity(turn, 'format');
      return format ? { kind: 'value', value: format.value } : none;
    }
    case 'role': {
      const role = contactRoleIn(text, true);
      return role ? { kind: 'value', value: role } : none;
    }
    case 'permissions': {
      if (/\b(everything|all|full|admin)\b/i.test(text)) return { kind: 'value', value: 'billing,tickets,services,reports' };
      const said = ['billing', 'tickets', 'services', 'reports'].filter((p) => new RegExp(`\\b${p.slice(0, -1)}`, 'i').test(text));
      return said.length ? { kind: 'value', value: said.join(',') } : none;
    }
    case 'toPriority': {
      const priority = firstEntity(turn, 'priority');
      return priority ? { kind: 'value', value: priority.value } : none;
    }
    case 'date': {
      const date = firstEntity(turn, 'date');
      return date ? { kind: 'value', value: date.value } : none;
    }
    case 'paymentMethodId': {
      const said = paymentMethodWords(text);
      return said ? { kind: 'none', expected: `There is no ${said} among the saved payment accounts here; pick one below, or add a card in the portal's secure payment form.` } : none;
    }
    case 'name': {
      // A request ("change our billing address to 100 Front St W…") is not a name, however capitalised.
      if (firstEntity(turn, 'address') || REQUEST_START.test(text) || text.split(/\s+/).length > 8) return none;
      const name = personNameIn(text);
      return name ? { kind: 'value', value: name } : none;
    }
    case 'reason': {
      // A priority word alone is not a reason; a reason is a sentence.
      if (PRIORITY_ONLY.test(text)) return { kind: 'none', expected: `Got it on the priority. ${expectedFor('reason')}` };
      return sentenceLike(text) ? { kind: 'value', value: text.slice(0, 2000) } : none;
    }
    case 'description':
      return sentenceLike(text) ? { kind: 'value', value: text.slice(0, 2000) } : none;
    default:
      return none;
  }
}

/** At least two words with letters in them, and not only emoji or punctuation. */
function sentenceLike(text: string): boolean {
  const words = text.split(/\s+/).filter((w) => /\p{L}{2,}/u.test(w));
  return words.length >= 2 || (words.length === 1 && text.length >= 6 && /\p{L}{5,}/u.test(text));
}

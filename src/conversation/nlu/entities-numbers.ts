// Entities made of digits: ticket ids, money, NANP phone numbers (libphonenumber-js), account numbers and counts.
import { findPhoneNumbersInText, parsePhoneNumberFromString } from 'libphonenumber-js';
import { normaliseNanpNumber } from '../../domain/validation.js';

export interface Span {
  start: number;
  end: number;
}

// Tickets ------------------------------------------------------------------------------------------------------

export interface TicketFound extends Span {
  value: string;
}

const TICKET_RES = [
  /\btt[\s-]?#?(\d{4,8})\b/g,
  /\b(?:ticket|tkt|billet)s?\s*(?:(?:no|num|number|numero|n°|#)\.?\s*)?[:#]?\s*(?:tt[\s-]?)?(\d{4,8})\b/g,
];

/** "TT-104233", "tt104233", "ticket 104233", "ticket #104233" → TT-104233. `folded` is lower-case. */
export function findTickets(folded: string): TicketFound[] {
  const out: TicketFound[] = [];
  for (const re of TICKET_RES) {
    for (const m of folded.matchAll(re)) {
      const span = { start: m.index, end: m.index + m[0].length };
      if (!out.some((t) => t.start < span.end && span.start < t.end)) out.push({ ...span, value: `TT-${m[1]}` });
    }
  }
  return out;
}

// Money ------------------------------------------------------------------------------------------------------

export interface MoneyFound extends Span {
  cents: number;
  currency?: 'CAD' | 'USD';
}

// Grouped thousands (1,204 / 1 204 / 1.204,50) or plain digits, with an optional 1–2 digit decimal part.
const AMOUNT = String.raw`(?:\d{1,3}(?:[,.  ]\d{3})+|\d+)(?:[.,]\d{1,2})?`;
const CUR_BEFORE = String.raw`(?:(?:cad|usd|can|ca|us|c)\s?\$|\$\s?(?:cad|usd|can|ca|us)?|\b(?:cad|usd)\b)`;
const CUR_AFTER = String.raw`(?:\$\s?(?:cad|usd|can|ca|us)\b|\$|(?:cad|usd)\b|(?:canadian|american|us|cdn)\s+dollars?\b|dollars?\b|bucks?\b|piasses?\b|cents?\b)`;
const MONEY_BEFORE_RE = new RegExp(String.raw`(?<![\w$])${CUR_BEFORE}\s?(${AMOUNT})(?![\d]|[.,]\d)`, 'g');
const MONEY_AFTER_RE = new RegExp(String.raw`(?<![\d.,$])(${AMOUNT})\s?(${CUR_AFTER})`, 'g');
// A bare amount with cents ("pay 1204.50") is money too; plain integers are not.
const MONEY_BARE_RE = /(?<![\d.,$/:-])(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})(?![\d%]|[.,]\d|\s?%)/g;

/** Integer cents from an amount written with any of the usual grouping and decimal conventions, or null. */
export function parseAmountToCents(raw: string): number | null {
  const s = raw.replace(/[\s\u00A0\u202F]/g, '');
  let whole = s;
  let fraction = '';
  const separators = s.match(/[.,]/g) ?? [];
  if (separators.length > 0) {
    const last = Math.max(s.lastIndexOf(','), s.lastIndexOf('.'));
    const after = s.slice(last + 1);
    const kinds = new Set(separators).size;
    // The last separator is a decimal mark when it differs from the others (1,204.50 / 1.204,50) or stands
    // alone before one or two digits (1204.5, 1204,50); otherwise every separator groups thousands.
    if (after.length <= 2 && (kinds === 2 || separators.length === 1)) {
      whole = s.slice(0, last);
      fraction = after;
    } else if (after.length !== 3) {
      return null;
    }
  }
  whole = whole.replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole) || whole.length > 12 || !/^\d*$/.test(fraction)) return null;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(cents) ? cents : null;
}

function currencyOf(marker: string): 'CAD' | 'USD' | undefined {
  if (/cad|can|cdn|canadian|^c\s?\$|ca\s?\$/.test(marker)) return 'CAD';
  if (/usd|us|american/.test(marker)) return 'USD';
  return undefined;
}

/** "$1,204.50", "1204.50 dollars", "120 bucks", "CAD 50", "50$", "1 204,50 $" → cents. `folded` is lower-case. */
export function findMoney(folded: string): MoneyFound[] {
  const out: MoneyFound[] = [];
  const add = (found: MoneyFound) => {
    if (!out.some((m) => m.start < found.end && found.start < m.end)) out.push(found);
  };
  for (const m of folded.matchAll(MONEY_BEFORE_RE)) {
    const cents = parseAmountToCents(m[1]!);
    const marker = m[0].slice(0, m[0].length - m[1]!.length);
    if (cents !== null) add({ start: m.index, end: m.index + m[0].length, cents, currency: currencyOf(marker) });
  }
  for (const m of folded.matchAll(MONEY_AFTER_RE)) {
    const unit = m[2]!;
    let cents = parseAmountToCents(m[1]!);
    if (cents === null) continue;
    if (/^cents?$/.test(unit)) {
      if (/[.,]/.test(m[1]!)) continue;
      cents /= 100;
    }
    const found: MoneyFound = { start: m.index, end: m.index + m[0].length, cents, currency: currencyOf(unit) };
    // "50 $ CAD"
    const trailing = /^\s?(cad|usd)\b/.exec(folded.slice(found.end));
    if (trailing && !found.currency) {
      found.end += trailing[0].length;
      found.currency = currencyOf(trailing[1]!);
    }
    add(found);
  }
  for (const m of folded.matchAll(MONEY_BARE_RE)) {
    const cents = parseAmountToCents(`${m[1]}.${m[2]}`);
    if (cents !== null) add({ start: m.index, end: m.index + m[0].length, cents });
  }
  return out;
}

// Phones -------------------------------------------------------------------------------------------------------

export interface PhoneFound extends Span {
  e164: string;
}

// NANP-shaped digit groups; libphonenumber's own finder gives up on some texts ("TT-104233, 416-555-0142").
const NANP_SHAPE_RE = /(?<![\p{L}\p{N}_+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\p{L}\p{N}_]|[.-]\d)/gu;

/**
 * NANP numbers in any common layout, found and parsed by libphonenumber-js and normalised by the domain's own
 * rule, so a number read here is exactly the number a write use case will accept.
 */
export function findPhones(text: string): PhoneFound[] {
  const out: PhoneFound[] = [];
  if (!/\d{3}/.test(text.replace(/[\s().-]/g, ''))) return out;
  const add = (found: PhoneFound) => {
    if (!out.some((p) => p.start < found.end && found.start < p.end)) out.push(found);
  };
  for (const m of findPhoneNumbersInText(text, { defaultCountry: 'CA' })) {
    if (m.number.countryCallingCode !== '1') continue;
    const e164 = normaliseNanpNumber(`+1${m.number.nationalNumber}`);
    if (!e164) continue;
    // The library may swallow a trailing ", 1" as an extension: end the span at the number's last digit.
    const wanted = m.number.nationalNumber.length + (/^\D*1/.test(text.slice(m.startsAt)) ? 1 : 0);
    let end = m.startsAt;
    for (let digits = 0; end < m.endsAt && digits < wanted; end++) if (/\d/.test(text[end]!)) digits++;
    add({ start: m.startsAt, end, e164 });
  }
  for (const m of text.matchAll(NANP_SHAPE_RE)) {
    const parsed = parsePhoneNumberFromString(m[0], { defaultCountry: 'CA' });
    if (parsed?.countryCallingCode !== '1' || !parsed.isPossible()) continue;
    const e164 = normaliseNanpNumber(`+1${parsed.nationalNumber}`);
    if (e164) add({ start: m.index, end: m.index + m[0].length, e164 });
  }
  return out.sort((a, b) => a.start - b.start);
}

// Account numbers and counts -----------------------------------------------------------------------------------

export interface DigitsFound extends Span {
  digits: string;
}

/** Runs of digits that stand alone: not inside a longer number, an amount, a date or a word. */
export function findStandaloneDigits(text: string): DigitsFound[] {
  const out: DigitsFound[] = [];
  for (const m of text.matchAll(/(?<![\p{L}\p{N}_$])(?<!\p{N}[.,/:-])\d+(?![\p{L}\p{N}_%]|[.,/:-]\d|\s?\$)/gu)) {
    out.push({ start: m.index, end: m.index + m[0].length, digits: m[0] });
  }
  return out;
}

const COUNT_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, fifteen: 15, twenty: 20,
  fifty: 50, hundred: 100, cinq: 5, dix: 10, vingt: 20,
};

/** "top ten", "les dix premiers": counts written as words after "top"/"first". */
export function findCountWords(folded: string): (Span & { value: number })[] {
  const out: (Span & { value: number })[] = [];
  const re = new RegExp(`\\b(?:top|first|last|bottom|les)\\s+(${Object.keys(COUNT_WORDS).join('|')})\\b`, 'g');
  for (const m of folded.matchAll(re)) {
    const start = m.index + m[0].lastIndexOf(m[1]!);
    out.push({ start, end: start + m[1]!.length, value: COUNT_WORDS[m[1]!]! });
  }
  return out;
}

// Entities in a user's message (accounts, tickets, money, periods, phones, reports…), as pure functions of the text and the caller's candidates.
import { type AddressValue, findAddresses } from './entities-address.js';
import { findFormats, findPriorities, findServiceTypes, findTimeZones } from './entities-keywords.js';
import { findAccountNames, findCities, findReports } from './entities-names.js';
import { findCountWords, findMoney, findPhones, findStandaloneDigits, findTickets } from './entities-numbers.js';
import { REPORT_NAMES } from './entities-reports.js';
import { foldPreservingLength, sanitise, tokenize } from './entities-text.js';
import { extractTimes, type PeriodValue } from './entities-time.js';

export type { AddressValue } from './entities-address.js';
export { REPORT_NAMES, type ReportName } from './entities-reports.js';
export { MAX_SCANNED_CHARS } from './entities-text.js';
export type { PeriodValue } from './entities-time.js';

export type Entity =
  /** By number (score 1 if among the candidates, 0 if it only looks like one) or by fuzzy name (score in (0, 1]). */
  | { type: 'account'; value: string; text: string; score: number }
  /** 'TT-104233' */
  | { type: 'ticket'; value: string; text: string }
  /** Integer cents. */
  | { type: 'money'; value: number; currency?: 'CAD' | 'USD'; text: string }
  /** Inclusive 'YYYY-MM-DD' bounds in the user's zone; label like 'October 2026'. */
  | { type: 'period'; value: PeriodValue; text: string }
  /** 'YYYY-MM-DD' in the user's zone. */
  | { type: 'date'; value: string; text: string }
  /** E.164, NANP only. */
  | { type: 'phone'; value: string; text: string }
  /** A report id from the catalogue. */
  | { type: 'report'; value: string; text: string; score: number }
  | { type: 'priority'; value: 'low' | 'medium' | 'high' | 'critical'; text: string }
  | { type: 'format'; value: 'pdf' | 'csv'; text: string }
  /** One of the caller's cities, in the caller's spelling. */
  | { type: 'city'; value: string; text: string }
  | { type: 'address'; value: AddressValue; text: string }
  | { type: 'service_type'; value: 'voice_line' | 'toll_free' | 'long_distance' | 'internet' | 'conferencing'; text: string }
  /** A bare count, like the 10 of "top 10". */
  | { type: 'number'; value: number; text: string }
  /** An IANA zone name. */
  | { type: 'time_zone'; value: string; text: string };

export type EntityType = Entity['type'];

export interface EntityContext {
  /** The current instant. */
  now: Date;
  /** The user's IANA zone; periods and dates are computed in it. */
  timeZone: string;
  /** The accounts this user may see, for number and fuzzy name matching. */
  accounts?: { number: string; name: string }[];
  /** The report catalogue; REPORT_NAMES when not given. */
  reports?: { id: string; title: string; aliases?: string[] }[];
  /** Known service cities, for outage questions. */
  cities?: string[];
}

interface Candidate {
  start: number;
  end: number;
  entities: Entity[];
  /** Digit-bearing entities claim their characters: higher ranks win, and they silence word entities there. */
  rank: number;
}

const RANK = { addressOfEmailOrWeb: 110, ticket: 100, address: 95, phone: 90, money: 80, time: 70, accountNumber: 60, number: 10 } as const;
/** At or above this rank, a claimed span silences word entities (a city inside an address, "1-800" inside a phone). */
const SILENCING_RANK = 60;

function attempt<T>(find: () => T[]): T[] {
  try {
    return find();
  } catch {
    // A malformed message must never break the conversation; one extractor failing leaves the others' results.
    return [];
  }
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Every entity found in the first MAX_SCANNED_CHARS characters of `text`, in order of appearance. Never throws.
 * A span has one reading: a phone is not also an account, "TT-104233" is not also a number. Several accounts or
 * reports may share a span when the words fit several equally; their scores let the dialog ask which.
 */
export function extractEntities(text: string, ctx: EntityContext): Entity[] {
  const source = sanitise(text);
  if (!/[\p{L}\p{N}]/u.test(source)) return [];
  const folded = foldPreservingLength(source);
  const slice = (start: number, end: number) => source.slice(start, end);

  // Entities made of digits compete for their characters.
  const claims: Candidate[] = [];
  // An email address or a web address is nobody's account name or city ("sam@northwind.example"):
  // it claims its span and yields nothing.
  for (const m of source.matchAll(/[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+|\bhttps?:\/\/\S+|\bwww\.\S+/gi)) {
    claims.push({ start: m.index, end: m.index + m[0].length, rank: RANK.addressOfEmailOrWeb, entities: [] });
  }
  for (const t of attempt(() => findTickets(folded))) {
    claims.push({ ...t, rank: RANK.ticket, entities: [{ type: 'ticket', value: t.value, text: slice(t.start, t.end) }] });
  }
  for (const a of attempt(() => findAddresses(source, folded, ctx.cities))) {
    claims.push({ ...a, rank: RANK.address, entities: [{ type: 'address', value: a.value, text: slice(a.start, a.end) }] });
  }
  for (const p of attempt(() => findPhones(source))) {
    claims.push({ ...p, rank: RANK.phone, entities: [{ type: 'phone', value: p.e164, text: slice(p.start, p.end) }] });
  }
  for (const m of attempt(() => findMoney(folded))) {
    const money: Entity = { type: 'money', value: m.cents, text: slice(m.start, m.end) };
    if (m.currency) money.currency = m.currency;
    claims.push({ ...m, rank: RANK.money, entities: [money] });
  }
  for (const t of attempt(() => extractTimes(source, folded, ctx.now, ctx.timeZone))) {
    const entities: Entity[] = [];
    const spanText = slice(t.start, t.end);
    if (t.date) entities.push({ type: 'date', value: t.date, text: spanText });
    if (t.period) entities.push({ type: 'period', value: t.period, text: spanText });
    if (entities.length) claims.push({ start: t.start, end: t.end, rank: RANK.time, entities });
  }
  const known = new Set((ctx.accounts ?? []).map((a) => a.number));
  for (const d of attempt(() => findStandaloneDigits(source))) {
    const span = { start: d.start, end: d.end };
    if (known.has(d.digits) || d.digits.length === 7) {
      const score = known.has(d.digits) ? 1 : 0;
      claims.push({ ...span, rank: RANK.accountNumber, entities: [{ type: 'account', value: d.digits, text: d.digits, score }] });
    } else if (d.digits.length <= 6) {
      claims.push({ ...span, rank: RANK.number, entities: [{ type: 'number', value: Number(d.digits), text: d.digits }] });
    }
  }
  for (const c of attempt(() => findCountWords(folded))) {
    claims.push({ ...c, rank: RANK.number, entities: [{ type: 'number', value: c.value, text: slice(c.start, c.end) }] });
  }
  claims.sort((a, b) => b.rank - a.rank || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const accepted: Candidate[] = [];
  for (const c of claims) if (!accepted.some((a) => overlaps(a, c))) accepted.push(c);
  const silencing = accepted.filter((a) => a.rank >= SILENCING_RANK);

  // Entities made of words may overlap one another ("long distance" is a service and part of a report name).
  const tokens = tokenize(folded);
  const words: Candidate[] = [];
  const timeZones = attempt(() => findTimeZones(source, folded));
  for (const z of timeZones) words.push({ ...z, rank: 0, entities: [{ type: 'time_zone', value: z.value, text: slice(z.start, z.end) }] });
  const cities = attempt(() => findCities(tokens, ctx.cities ?? []));
  for (const a of attempt(() => findAccountNames(tokens, ctx.accounts ?? []))) {
    // "Montreal" alone may be the city rather than the Montréal office: too weak to pick the account unasked.
    const score = cities.some((c) => c.start <= a.start && a.end <= c.end) ? Math.min(a.score, 0.6) : a.score;
    words.push({ ...a, rank: 0, entities: [{ type: 'account', value: a.value, text: slice(a.start, a.end), score }] });
  }
  for (const r of attempt(() => findReports(tokens, ctx.reports ?? REPORT_NAMES))) {
    words.push({ ...r, rank: 0, entities: [{ type: 'report', value: r.value, text: slice(r.start, r.end), score: r.score }] });
  }
  for (const c of cities) {
    // "Vancouver time" is a time zone, not a place.
    if (timeZones.some((z) => overlaps(z, c))) continue;
    words.push({ ...c, rank: 0, entities: [{ type: 'city', value: c.value, text: slice(c.start, c.end) }] });
  }
  for (const s of attempt(() => findServiceTypes(folded))) {
    words.push({ ...s, rank: 0, entities: [{ type: 'service_type', value: s.value, text: slice(s.start, s.end) }] });
  }
  for (const p of attempt(() => findPriorities(folded))) {
    words.push({ ...p, rank: 0, entities: [{ type: 'priority', value: p.value, text: slice(p.start, p.end) }] });
  }
  for (const f of attempt(() => findFormats(folded))) {
    words.push({ ...f, rank: 0, entities: [{ type: 'format', value: f.value, text: slice(f.start, f.end) }] });
  }

  const all = [...accepted, ...words.filter((w) => !silencing.some((s) => overlaps(s, w)))];
  all.sort((a, b) => a.start - b.start || a.end - b.end);
  return dedupeAccounts(all.flatMap((c) => c.entities));
}

/** An account named twice (by number and by name) is listed once, with its best score. */
function dedupeAccounts(entities: Entity[]): Entity[] {
  const best = new Map<string, number>();
  for (const e of entities) if (e.type === 'account') best.set(e.value, Math.max(best.get(e.value) ?? -1, e.score));
  const seen = new Set<string>();
  return entities.filter((e) => {
    if (e.type !== 'account') return true;
    if (seen.has(e.value) || e.score !== best.get(e.value)) return false;
    seen.add(e.value);
    return true;
  });
}

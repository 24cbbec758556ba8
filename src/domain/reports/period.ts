// Report periods and time zones: local days to UTC instants, named periods ("last month"), and fast local times.
import { DateTime, IANAZone } from 'luxon';
import { type Invalid, invalid } from '../result.js';
import type { ReportPeriod } from './types.js';

/** Ranges longer than this are refused: a year-on-year comparison needs 13 months, nothing more. */
export const MAX_PERIOD_MONTHS = 13;

/** The years a report may cover. */
export const MIN_REPORT_YEAR = 2000;
export const MAX_REPORT_YEAR = 2100;

const zoneNames = new Map<string, string | null>();

/** The canonical IANA name ('america/vancouver' → 'America/Vancouver'), or null for an unknown zone. */
export function canonicalZone(name: string): string | null {
  const trimmed = name.trim();
  let canonical = zoneNames.get(trimmed);
  if (canonical !== undefined) return canonical;
  canonical = null;
  // Fixed offsets ("UTC+3", "+05:00") are not places and have no daylight-saving rules: IANA names only.
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(trimmed) && IANAZone.isValidZone(trimmed)) {
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
    } catch {
      canonical = null;
    }
  }
  if (zoneNames.size > 1_000) zoneNames.clear();
  zoneNames.set(trimmed, canonical);
  return canonical;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Whether text is a real calendar date written 'YYYY-MM-DD'. */
export function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(m[1]), month);
}

/** A date moved by whole months, its day kept or clamped to the month's last (Jan 31 + 1 month = Feb 28). */
function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Checks the days alone (no zone needed): real dates, in order, at most MAX_PERIOD_MONTHS apart. */
export function checkDays(from: string, to: string): Invalid | null {
  if (!isCalendarDate(from))
    return invalid('from', `The start date must be a calendar date written YYYY-MM-DD, not "${from}".`);
  if (!isCalendarDate(to))
    return invalid('to', `The end date must be a calendar date written YYYY-MM-DD, not "${to}".`);
  // Call records and invoices exist for this century only; 0000 or 9999 is a typo, and says so.
  for (const [field, date] of [['from', from], ['to', to]] as const) {
    const year = Number(date.slice(0, 4));
    if (year < MIN_REPORT_YEAR || year > MAX_REPORT_YEAR) {
      return invalid(field, `Report dates must fall between ${MIN_REPORT_YEAR} and ${MAX_REPORT_YEAR}; ${date} does not.`);
    }
  }
  if (to < from) return invalid('to', `The period ends (${to}) before it starts (${from}).`);
  if (to >= addMonths(from, MAX_PERIOD_MONTHS)) {
    return invalid('to', `A report can cover at most ${MAX_PERIOD_MONTHS} months; ${from} to ${to} is longer.`);
  }
  return null;
}

/**
 * The first instant of a local day in a zone. Two offset look-ups instead of luxon's zone parsing
 * (~100 µs); only a day that starts in a daylight-saving gap needs luxon to settle it.
 */
export function startOfLocalDay(date: string, zone: string): number {
  const wall = Date.parse(`${date}T00:00:00.000Z`);
  const iana = IANAZone.create(zone);
  const guess = iana.offset(wall);
  const instant = wall - guess * 60_000;
  if (iana.offset(instant) === guess) return instant;
  return DateTime.fromISO(date, { zone }).startOf('day').toMillis();
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function dayLabel(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]!.slice(0, 3)} ${y}`;
}

function periodLabel(from: string, to: string): string {
  const [y, m] = from.split('-').map(Number) as [number, number];
  if (from.endsWith('-01') && to === `${from.slice(0, 8)}${String(daysInMonth(y, m)).padStart(2, '0')}`)
    return `${MONTHS[m - 1]} ${y}`;
  if (from === to) return dayLabel(from);
  return `${dayLabel(from)} – ${dayLabel(to)}`;
}

/**
 * The period from the first instant of `from` to the first instant after `to`, both local days in
 * the zone: a March report in America/Vancouver runs from 2026-03-01T08:00Z to 2026-04-01T07:00Z.
 */
export function resolvePeriod(from: string, to: string, zone: string): ReportPeriod | Invalid {
  const problem = checkDays(from, to);
  if (problem) return problem;
  return {
    from,
    to,
    startUtc: new Date(startOfLocalDay(from, zone)).toISOString(),
    endUtc: new Date(startOfLocalDay(addDays(to, 1), zone)).toISOString(),
    label: periodLabel(from, to),
  };
}

export const NAMED_PERIODS = [
  'today',
  'yesterday',
  'this_week',
  'last_week',
  'last_7_days',
  'last_30_days',
  'this_month',
  'last_month',
  'this_quarter',
  'last_quarter',
  'this_year',
  'last_year',
] as const;
export type NamedPeriod = (typeof NAMED_PERIODS)[number];

/**
 * The local days a named period covers at an instant in a zone. "This" periods end today; weeks
 * start on Monday. The chat turns "last month" or "this quarter" into one of these.
 */
export function namedPeriod(name: NamedPeriod, now: Date, zone: string): { from: string; to: string } {
  const today = DateTime.fromMillis(now.getTime(), { zone }).startOf('day');
  const day = (dt: DateTime) => dt.toISODate() as string;
  switch (name) {
    case 'today':
      return { from: day(today), to: day(today) };
    case 'yesterday': {
      const y = today.minus({ days: 1 });
      return { from: day(y), to: day(y) };
    }
    case 'this_week':
      return { from: day(today.startOf('week')), to: day(today) };
    case 'last_week': {
      const start = today.startOf('week').minus({ weeks: 1 });
      return { from: day(start), to: day(start.endOf('week')) };
    }
    case 'last_7_days':
      return { from: day(today.minus({ days: 7 })), to: day(today.minus({ days: 1 })) };
    case 'last_30_days':
      return { from: day(today.minus({ days: 30 })), to: day(today.minus({ days: 1 })) };
    case 'this_month':
      return { from: day(today.startOf('month')), to: day(today) };
    case 'last_month': {
      const start = today.startOf('month').minus({ months: 1 });
      return { from: day(start), to: day(start.endOf('month')) };
    }
    case 'this_quarter':
      return { from: day(today.startOf('quarter')), to: day(today) };
    case 'last_quarter': {
      const start = today.startOf('quarter').minus({ quarters: 1 });
      return { from: day(start), to: day(start.endOf('quarter')) };
    }
    case 'this_year':
      return { from: day(today.startOf('year')), to: day(today) };
    case 'last_year': {
      const start = today.startOf('year').minus({ years: 1 });
      return { from: day(start), to: day(start.endOf('year')) };
    }
  }
}

const DAY_MS = 86_400_000;

/**
 * Offsets of a zone over a span, found once with luxon (a daily sample, then a binary search to the
 * millisecond at each change), so per-row conversions are array look-ups: luxon costs ~6 µs a call.
 */
export class ZoneClock {
  private static readonly recent = new Map<string, ZoneClock>();

  /** A clock for a zone and span, shared by the CSV, the PDF and the chat table of one report. */
  static for(zone: string, startMs: number, endMs: number): ZoneClock {
    const key = `${zone} ${startMs} ${endMs}`;
    let clock = ZoneClock.recent.get(key);
    if (!clock) {
      clock = new ZoneClock(zone, startMs, endMs);
      if (ZoneClock.recent.size > 50) ZoneClock.recent.clear();
      ZoneClock.recent.set(key, clock);
    }
    return clock;
  }

  readonly zone: string;
  private readonly startMs: number;
  private readonly endMs: number;
  /** Offsets (minutes) in force from each change instant on; changeMs[0] is startMs. */
  private readonly changeMs: number[] = [];
  private readonly offsets: number[] = [];

  constructor(zone: string, startMs: number, endMs: number) {
    this.zone = zone;
    this.startMs = startMs;
    this.endMs = endMs;
    const iana = IANAZone.create(zone);
    const offsetAt = (ms: number) => iana.offset(ms);
    let at = startMs;
    let offset = offsetAt(at);
    this.changeMs.push(at);
    this.offsets.push(offset);
    while (at < endMs) {
      const next = Math.min(at + DAY_MS, endMs);
      const nextOffset = offsetAt(next);
      if (nextOffset !== offset) {
        // The change lies in (at, next]: find the first millisecond with the new offset.
        let low = at;
        let high = next;
        while (high - low > 1) {
          const mid = Math.floor((low + high) / 2);
          if (offsetAt(mid) === offset) low = mid;
          else high = mid;
        }
        this.changeMs.push(high);
        this.offsets.push(nextOffset);
        offset = nextOffset;
      }
      at = next;
    }
  }

  /** The zone's UTC offset in minutes at an instant. */
  offsetAt(ms: number): number {
    if (ms < this.startMs || ms > this.endMs) return IANAZone.create(this.zone).offset(ms);
    const changes = this.changeMs;
    let i = changes.length - 1;
    while (i > 0 && changes[i]! > ms) i--;
    return this.offsets[i]!;
  }

  /**
   * Minutes no offset change splits and every offset is a multiple of: 60 for most zones, 10 for
   * St. John's (UTC−3:30), 1 for the odd rest. Times in one such slot share one local "prefix".
   */
  get slotMinutes(): 60 | 10 | 1 {
    if (this.slot === undefined) {
      this.slot = 1;
      for (const size of [60, 10] as const) {
        if (
          this.offsets.every((o) => o % size === 0) &&
          this.changeMs.slice(1).every((ms) => ms % (size * 60_000) === 0)
        ) {
          this.slot = size;
          break;
        }
      }
    }
    return this.slot;
  }
  private slot: 60 | 10 | 1 | undefined;
  private readonly prefixes = new Map<string, string>();
  /** The key of the UTC slot last converted ('YYYY-MM-DDTHH' for hourly slots), and its local prefix. */
  private lastSlot = '';
  private lastPrefix = '';

  /** Local wall-clock time as 'YYYY-MM-DD HH:MM:SS' for a UTC ISO-8601 instant. */
  localDateTime(utcIso: string): string {
    // Stored instants are 'YYYY-MM-DDTHH:MM:SS.sssZ': the local date and hour (or ten minutes) come
    // from a cache per UTC slot, the rest is copied. Millions of rows convert without a Date each.
    if (utcIso.length === 24 && utcIso.charCodeAt(23) === 90 /* Z */) {
      const cut = this.slotMinutes === 60 ? 13 : this.slotMinutes === 10 ? 15 : 16;
      // Rows in time order mostly share the slot of the row before: matched without cutting a key.
      if (this.lastSlot !== '' && utcIso.startsWith(this.lastSlot)) return this.lastPrefix + utcIso.slice(cut, 19);
      const key = utcIso.slice(0, cut);
      let prefix = this.prefixes.get(key);
      if (prefix === undefined) {
        const ms = Date.parse(utcIso);
        if (ms >= this.startMs && ms <= this.endMs) {
          const local = new Date(ms + this.offsetAt(ms) * 60_000).toISOString();
          prefix = `${local.slice(0, 10)} ${local.slice(11, cut)}`;
          if (this.prefixes.size > 200_000) this.prefixes.clear();
          this.prefixes.set(key, prefix);
        }
      }
      if (prefix !== undefined) {
        this.lastSlot = key;
        this.lastPrefix = prefix;
        return prefix + utcIso.slice(cut, 19);
      }
    }
    const ms = Date.parse(utcIso);
    const local = new Date(ms + this.offsetAt(ms) * 60_000).toISOString();
    return `${local.slice(0, 10)} ${local.slice(11, 19)}`;
  }

  /** Local date 'YYYY-MM-DD' of a UTC ISO-8601 instant. */
  localDate(utcIso: string): string {
    const ms = Date.parse(utcIso);
    return new Date(ms + this.offsetAt(ms) * 60_000).toISOString().slice(0, 10);
  }

  /** The offsets in force over the span, and every instant one changed. */
  get offsetsInSpan(): readonly number[] {
    return this.offsets;
  }
  get changesInSpan(): readonly number[] {
    return this.changeMs.slice(1);
  }
}

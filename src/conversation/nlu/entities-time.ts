// Periods and dates in the user's time zone: calendar periods by rule with luxon, explicit dates with chrono-node.
import * as chrono from 'chrono-node';
import { DateTime, type DurationLikeObject } from 'luxon';

export type Grain = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'range';
export interface PeriodValue {
  from: string;
  to: string;
  label: string;
  grain: Grain;
}

export interface TimeFound {
  start: number;
  end: number;
  period?: PeriodValue;
  date?: string;
  /** A date written without a year ("March 3"), so a range it starts can be placed in the past. */
  yearless?: { month: number; day: number };
}

/** A calendar anchored at "today" in the user's zone. */
interface Calendar {
  today: DateTime;
  zone: string;
}

const MONTHS: Record<string, number> = {
  january: 1, jan: 1, janvier: 1, janv: 1,
  february: 2, feb: 2, fevrier: 2, fevr: 2, fev: 2,
  march: 3, mar: 3, mars: 3,
  april: 4, apr: 4, avril: 4, avr: 4,
  may: 5, mai: 5,
  june: 6, jun: 6, juin: 6,
  july: 7, jul: 7, juillet: 7, juil: 7,
  august: 8, aug: 8, aout: 8,
  september: 9, sept: 9, sep: 9, septembre: 9,
  october: 10, oct: 10, octobre: 10,
  november: 11, nov: 11, novembre: 11,
  december: 12, dec: 12, decembre: 12,
};
const MONTH_ALT = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fourteen: 14, fifteen: 15, eighteen: 18, twenty: 20, thirty: 30, sixty: 60, ninety: 90,
  un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, sept: 7, huit: 8, neuf: 9, dix: 10, douze: 12,
  quinze: 15, vingt: 20, trente: 30, soixante: 60,
};
const NUMBER_ALT = Object.keys(NUMBER_WORDS).join('|');

const ORDINAL_QUARTERS: Record<string, number> = {
  first: 1, '1st': 1, premier: 1, '1er': 1,
  second: 2, '2nd': 2, deuxieme: 2, '2e': 2,
  third: 3, '3rd': 3, troisieme: 3, '3e': 3,
  fourth: 4, '4th': 4, quatrieme: 4, '4e': 4,
};

const YEAR = '((?:19|20)\\d{2})';

function parseCount(word: string): number | undefined {
  if (/^\d+$/.test(word)) return Number(word);
  return NUMBER_WORDS[word];
}

// Periods -------------------------------------------------------------------------------------------------

function iso(d: DateTime): string {
  return d.toISODate() ?? '';
}

function rangeLabel(from: DateTime, to: DateTime): string {
  if (from.hasSame(to, 'day')) return from.toFormat('LLLL d, yyyy');
  if (from.year === to.year) return `${from.toFormat('LLL d')} – ${to.toFormat('LLL d, yyyy')}`;
  return `${from.toFormat('LLL d, yyyy')} – ${to.toFormat('LLL d, yyyy')}`;
}

function dayPeriod(d: DateTime): PeriodValue {
  return { from: iso(d), to: iso(d), label: d.toFormat('LLLL d, yyyy'), grain: 'day' };
}

function weekPeriod(d: DateTime): PeriodValue {
  const monday = d.startOf('week');
  return { from: iso(monday), to: iso(monday.plus({ days: 6 })), label: `Week of ${monday.toFormat('LLLL d, yyyy')}`, grain: 'week' };
}

function monthPeriod(cal: Calendar, year: number, month: number): PeriodValue {
  const first = DateTime.fromObject({ year, month, day: 1 }, { zone: cal.zone, locale: 'en' });
  return { from: iso(first), to: iso(first.endOf('month')), label: first.toFormat('LLLL yyyy'), grain: 'month' };
}

function quarterPeriod(cal: Calendar, year: number, quarter: number): PeriodValue {
  const first = DateTime.fromObject({ year, month: quarter * 3 - 2, day: 1 }, { zone: cal.zone, locale: 'en' });
  return { from: iso(first), to: iso(first.endOf('quarter')), label: `Q${quarter} ${year}`, grain: 'quarter' };
}

function yearPeriod(cal: Calendar, year: number): PeriodValue {
  const first = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: cal.zone, locale: 'en' });
  return { from: iso(first), to: iso(first.endOf('year')), label: String(year), grain: 'year' };
}

function rangePeriod(from: DateTime, to: DateTime, label?: string): PeriodValue {
  if (from > to) [from, to] = [to, from];
  return { from: iso(from), to: iso(to), label: label ?? rangeLabel(from, to), grain: 'range' };
}

/** The year of a month named without one: the most recent past occurrence, or this one. */
function pastYearOfMonth(cal: Calendar, month: number, strictlyBefore = false): number {
  const current = cal.today.month;
  return month < current || (!strictlyBefore && month === current) ? cal.today.year : cal.today.year - 1;
}

function durationOf(unit: 'day' | 'week' | 'month' | 'quarter' | 'year', n: number): DurationLikeObject {
  switch (unit) {
    case 'day':
      return { days: n };
    case 'week':
      return { weeks: n };
    case 'month':
      return { months: n };
    case 'quarter':
      return { quarters: n };
    case 'year':
      return { years: n };
  }
}

function relativeUnit(cal: Calendar, which: 'this' | 'last' | 'next', unit: 'week' | 'month' | 'quarter' | 'year'): PeriodValue {
  const shift = which === 'this' ? 0 : which === 'last' ? -1 : 1;
  const d = cal.today.plus(durationOf(unit, shift));
  switch (unit) {
    case 'week':
      return weekPeriod(d);
    case 'month':
      return monthPeriod(cal, d.year, d.month);
    case 'quarter':
      return quarterPeriod(cal, d.year, d.quarter);
    case 'year':
      return yearPeriod(cal, d.year);
  }
}

const WHICH: Record<string, 'this' | 'last' | 'next'> = {
  this: 'this', current: 'this', last: 'last', previous: 'last', prior: 'last', past: 'last', next: 'next',
  derniere: 'last', dernier: 'last', passee: 'last', passe: 'last', precedente: 'last', precedent: 'last',
  prochaine: 'next', prochain: 'next', cette: 'this', ce: 'this', 'en cours': 'this',
};
const UNITS: Record<string, 'week' | 'month' | 'quarter' | 'year'> = {
  week: 'week', month: 'month', quarter: 'quarter', year: 'year',
  semaine: 'week', mois: 'month', trimestre: 'quarter', annee: 'year', an: 'year',
};

// Rules ----------------------------------------------------------------------------------------------------

interface Rule {
  re: RegExp;
  build: (m: RegExpExecArray, cal: Calendar, folded: string) => Omit<TimeFound, 'start' | 'end'> | null;
}

const DAY_NUMBER_BEFORE = /(?:\b\d{1,2}(?:st|nd|rd|th|er|e)?|\bpremier)\s*(?:of\s+|de\s+)?$/;
const DAY_NUMBER_AFTER = /^\.?\s*\d{1,2}(?:st|nd|rd|th|er|e)?\b/;
const MAY_CONTEXT = /\b(?:in|for|of|during|since|from|last|this|next|through|until|to|and|en|de|depuis|mois)\s+$/;

/** Whether a month name at [start, end) is really a month (not a date, not the verb "may"). */
function isMonthOnly(folded: string, start: number, end: number, word: string, hasYear: boolean): boolean {
  if (DAY_NUMBER_BEFORE.test(folded.slice(Math.max(0, start - 12), start))) return false;
  if (!hasYear && DAY_NUMBER_AFTER.test(folded.slice(end, end + 8))) return false;
  if (word === 'may' && !hasYear && !MAY_CONTEXT.test(folded.slice(Math.max(0, start - 12), start))) return false;
  return true;
}

const RULES: Rule[] = [
  // "last 30 days", "past two weeks", "les 30 derniers jours"
  {
    re: new RegExp(`\\b(?:last|past|previous|prior)\\s+(\\d{1,4}|${NUMBER_ALT})\\s+(days?|weeks?|months?|years?)\\b`, 'g'),
    build: (m, cal) => lastN(cal, m[1]!, m[2]!),
  },
  {
    re: new RegExp(`\\b(?:(?:les|des)\\s+)?(\\d{1,4}|${NUMBER_ALT})\\s+(?:derniers|dernieres)\\s+(jours|semaines|mois|annees|ans)\\b`, 'g'),
    build: (m, cal) => lastN(cal, m[1]!, m[2]!),
  },
  {
    re: new RegExp(`\\b(?:les|des)\\s+(?:derniers|dernieres)\\s+(\\d{1,4}|${NUMBER_ALT})\\s+(jours|semaines|mois|annees|ans)\\b`, 'g'),
    build: (m, cal) => lastN(cal, m[1]!, m[2]!),
  },
  // Year, quarter and month to date.
  {
    re: /\b(?:ytd|year[\s-]to[\s-]date|so far this year|this year so far|depuis le debut de l'annee|(?:de l')?annee a ce jour)\b/g,
    build: (_m, cal) => ({ period: rangePeriod(cal.today.startOf('year'), cal.today) }),
  },
  {
    re: /\b(?:qtd|quarter[\s-]to[\s-]date|so far this quarter|depuis le debut du trimestre)\b/g,
    build: (_m, cal) => ({ period: rangePeriod(cal.today.startOf('quarter'), cal.today) }),
  },
  {
    re: /\b(?:mtd|month[\s-]to[\s-]date|so far this month|depuis le debut du mois)\b/g,
    build: (_m, cal) => ({ period: rangePeriod(cal.today.startOf('month'), cal.today) }),
  },
  // Days.
  {
    re: /\b(?:(?:the\s+)?day\s+before\s+yesterday|avant[\s-]hier|yesterday|hier|today|tonight|this\s+morning|this\s+afternoon|aujourd'hui|tomorrow|demain|apres[\s-]demain|(?:the\s+)?day\s+after\s+tomorrow)\b/g,
    build: (m, cal) => {
      const w = m[0];
      const shift = /before|avant/.test(w) ? -2 : /after|apres/.test(w) ? 2 : /yesterday|hier/.test(w) ? -1 : /tomorrow|demain/.test(w) ? 1 : 0;
      const d = cal.today.plus({ days: shift });
      return { period: dayPeriod(d), date: iso(d) };
    },
  },
  // Quarters: "Q2", "Q2 2025", "2025 Q2", "second quarter (of 2025)", "deuxième trimestre".
  {
    re: new RegExp(`\\b(?:q([1-4])(?:\\s*(?:of\\s+|de\\s+|,\\s*)?${YEAR})?|${YEAR}[\\s-]*q([1-4]))\\b`, 'g'),
    build: (m, cal) => quarterOf(cal, Number(m[1] ?? m[4]), m[2] ?? m[3]),
  },
  {
    re: new RegExp(
      `\\b(?:the\\s+|le\\s+)?(${Object.keys(ORDINAL_QUARTERS).join('|')})\\s+(?:quarter|trimestre)(?:\\s+(?:of\\s+|de\\s+)?${YEAR})?\\b`,
      'g',
    ),
    build: (m, cal) => quarterOf(cal, ORDINAL_QUARTERS[m[1]!]!, m[2]),
  },
  // "this month", "last quarter", "next week"; "le mois dernier", "cette semaine", "l'an dernier".
  {
    re: /\b(this|current|last|previous|prior|past|next)\s+(week|month|quarter|year)\b/g,
    build: (m, cal) => ({ period: relativeUnit(cal, WHICH[m[1]!]!, UNITS[m[2]!]!) }),
  },
  {
    re: /\b(?:(?:la|le|l')\s*(semaine|mois|trimestre|annee|an)\s+(derniere|dernier|passee|passe|precedente|precedent|prochaine|prochain|en cours)|(cette|ce)\s+(semaine|mois|trimestre|annee)(?:[\s-]ci)?)\b/g,
    build: (m, cal) => {
      const unit = UNITS[m[1] ?? m[4]!]!;
      return { period: relativeUnit(cal, WHICH[m[2] ?? m[3]!]!, unit) };
    },
  },
  // Month ranges: "from March to May", "between Jan and Mar 2026", "de mars à mai".
  {
    re: new RegExp(
      `\\b(?:(from|between|du|de|entre)\\s+)?(${MONTH_ALT})\\.?(?:\\s+${YEAR})?\\s*(to|through|thru|until|till|-|and|au|a|et|jusqu'en|jusqu'a)\\s*(${MONTH_ALT})\\.?(?:\\s+${YEAR})?(?![\\w'])`,
      'g',
    ),
    build: (m, cal, folded) => {
      const [, lead, firstWord, firstYear, joiner, lastWord, lastYear] = m as unknown as (string | undefined)[];
      if ((joiner === 'and' || joiner === 'et') && lead !== 'between' && lead !== 'entre') return null;
      const firstStart = m.index + (lead ? m[0].indexOf(firstWord!, lead.length) : 0);
      if (!isMonthOnly(folded, firstStart, firstStart + firstWord!.length, firstWord!, true)) return null;
      const lastStart = m.index + m[0].lastIndexOf(lastWord!);
      if (!isMonthOnly(folded, lastStart, lastStart + lastWord!.length, lastWord!, Boolean(lastYear))) return null;
      const fromMonth = MONTHS[firstWord!]!;
      const toMonth = MONTHS[lastWord!]!;
      const wraps = toMonth < fromMonth ? 1 : 0;
      const fromYear = firstYear ? Number(firstYear) : lastYear ? Number(lastYear) - wraps : pastYearOfMonth(cal, fromMonth);
      const toYear = lastYear ? Number(lastYear) : fromYear + wraps;
      const from = DateTime.fromObject({ year: fromYear, month: fromMonth, day: 1 }, { zone: cal.zone, locale: 'en' });
      const to = DateTime.fromObject({ year: toYear, month: toMonth, day: 1 }, { zone: cal.zone, locale: 'en' }).endOf('month');
      if (!from.isValid || !to.isValid || to < from) return null;
      const label =
        from.year === to.year
          ? `${from.toFormat('LLLL')} – ${to.toFormat('LLLL yyyy')}`
          : `${from.toFormat('LLLL yyyy')} – ${to.toFormat('LLLL yyyy')}`;
      return { period: rangePeriod(from, to, label) };
    },
  },
  // Months: "October", "in March", "March 2025", "last March", "en mars", "mars 2025".
  {
    re: new RegExp(`\\b(?:(last|this|previous|past|current|next)\\s+)?(${MONTH_ALT})\\.?(?:,?\\s+(?:of\\s+|de\\s+)?${YEAR})?(?![\\w'])`, 'g'),
    build: (m, cal, folded) => {
      const word = m[2]!;
      const wordStart = m.index + m[0].indexOf(word, m[1] ? m[1].length : 0);
      if (!isMonthOnly(folded, wordStart, wordStart + word.length, word, Boolean(m[3]) || Boolean(m[1]))) return null;
      const month = MONTHS[word]!;
      let year: number;
      if (m[3]) year = Number(m[3]);
      else if (m[1] === 'this' || m[1] === 'current') year = cal.today.year;
      else if (m[1] === 'next') year = month > cal.today.month ? cal.today.year : cal.today.year + 1;
      else year = pastYearOfMonth(cal, month, Boolean(m[1]));
      return { period: monthPeriod(cal, year, month) };
    },
  },
  // A day of the month alone: "on the 15th" is the nearest 15th, before or after today.
  {
    re: new RegExp(`\\b(?:on\\s+)?the\\s+(\\d{1,2})(?:st|nd|rd|th)\\b(?!\\s+(?:of\\s+)?(?:${MONTH_ALT})\\b)`, 'g'),
    build: (m, cal) => {
      const day = Number(m[1]);
      if (day < 1 || day > 31) return null;
      const options = [-1, 0, 1]
        .map((shift) => cal.today.plus({ months: shift }).set({ day }))
        .filter((d) => d.isValid && d.day === day)
        .sort((a, b) => Math.abs(a.diff(cal.today, 'days').days) - Math.abs(b.diff(cal.today, 'days').days) || b.toMillis() - a.toMillis());
      const d = options[0];
      return d ? { period: dayPeriod(d), date: iso(d) } : null;
    },
  },
  // Years: "in 2025", "for 2025", "year 2025", "en 2025".
  {
    re: new RegExp(`(?<=\\b(?:in|for|during|of|year|fiscal|calendar|en|pour|annee|l'annee)\\s+)${YEAR}\\b(?![-/.]\\d)`, 'g'),
    build: (m, cal) => ({ period: yearPeriod(cal, Number(m[1])) }),
  },
];

function lastN(cal: Calendar, countWord: string, unitWord: string): Omit<TimeFound, 'start' | 'end'> | null {
  const n = parseCount(countWord);
  if (!n || n < 1) return null;
  const unit = /^(?:day|jour)/.test(unitWord) ? 'day' : /^(?:week|semaine)/.test(unitWord) ? 'week' : /^(?:month|mois)/.test(unitWord) ? 'month' : 'year';
  const from = cal.today.minus(durationOf(unit, n)).plus({ days: 1 });
  if (cal.today.diff(from, 'years').years > 20) return null;
  return { period: rangePeriod(from, cal.today) };
}

function quarterOf(cal: Calendar, quarter: number, yearText: string | undefined): Omit<TimeFound, 'start' | 'end'> {
  const year = yearText ? Number(yearText) : quarter <= cal.today.quarter ? cal.today.year : cal.today.year - 1;
  return { period: quarterPeriod(cal, year, quarter) };
}

// "since …" and "from …" without an end turn what follows into a range ending today.
const SINCE_BEFORE = /\b(?:since|ever\s+since|depuis|starting(?:\s+(?:from|on|in))?|as\s+of|beginning(?:\s+of)?|a\s+partir\s+d[eu]?)\s+(?:the\s+|le\s+|la\s+|l'|(?:the\s+)?(?:start|beginning)\s+of\s+|debut\s+)?$/;
const RANGE_AFTER = /^\s*(?:to|until|till|through|thru|-|au|jusqu)/;

function extendSince(found: TimeFound, folded: string, cal: Calendar): TimeFound {
  if (!found.period || found.period.grain === 'range') return found;
  const before = folded.slice(Math.max(0, found.start - 40), found.start);
  const since = SINCE_BEFORE.exec(before);
  if (!since || RANGE_AFTER.test(folded.slice(found.end, found.end + 10))) return found;
  const from = DateTime.fromISO(found.period.from, { zone: cal.zone, locale: 'en' });
  if (from > cal.today) return found;
  const start = found.start - (before.length - since.index);
  return { start, end: found.end, period: rangePeriod(from, cal.today, `Since ${from.toFormat('LLLL d, yyyy')}`) };
}

// Explicit dates with chrono -----------------------------------------------------------------------------------

const FRENCH_HINT =
  /\b(?:le|la|les|du|des|au|depuis|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|prochain|dernier)\b/;

interface ChronoDate {
  year?: number;
  month: number;
  day?: number;
  /** chrono's full guess, used for weekdays and relative expressions. */
  guess: DateTime;
}

function chronoDate(c: chrono.ParsedComponents, cal: Calendar): ChronoDate | null {
  if (!c.isCertain('month') && !c.isCertain('day') && !c.isCertain('weekday')) return null;
  const year = c.isCertain('year') ? c.get('year') ?? undefined : undefined;
  const month = c.get('month');
  const day = c.get('day');
  if (!month || !day) return null;
  const guess = DateTime.fromObject({ year: c.get('year') ?? cal.today.year, month, day }, { zone: cal.zone, locale: 'en' });
  if (!guess.isValid) return null;
  return { year, month, day: c.isCertain('day') || c.isCertain('weekday') ? day : undefined, guess };
}

/** Resolves a month/day without a year: for dates, the latest one no more than two months ahead; else the latest past one. */
function resolveYear(cal: Calendar, d: ChronoDate, mode: 'date' | 'past'): DateTime | null {
  if (d.year !== undefined || d.day === undefined) {
    const year = d.year ?? (d.day === undefined ? pastYearOfMonth(cal, d.month) : d.guess.year);
    const out = DateTime.fromObject({ year, month: d.month, day: d.day ?? 1 }, { zone: cal.zone, locale: 'en' });
    return out.isValid ? out : null;
  }
  const limit = mode === 'date' ? cal.today.plus({ days: 62 }) : cal.today;
  for (const year of [cal.today.year + 1, cal.today.year, cal.today.year - 1, cal.today.year - 2]) {
    const candidate = DateTime.fromObject({ year, month: d.month, day: d.day }, { zone: cal.zone, locale: 'en' });
    if (candidate.isValid && candidate <= limit) return candidate;
  }
  return null;
}

function fromChrono(result: chrono.ParsedResult, cal: Calendar, folded: string): TimeFound | null {
  const text = result.text;
  const start = chronoDate(result.start, cal);
  if (!start) return null;
  const weekdayOnly = !result.start.isCertain('day') && !result.start.isCertain('month') && result.start.isCertain('weekday');
  if (weekdayOnly && !/[a-z]{4}/.test(text.toLowerCase())) return null; // "sat", "sun": too ambiguous
  if (/^\d+$/.test(text.trim())) return null;
  // "now", "in a minute", "in 2 hours": moments, not days anyone asks about.
  if (/^(?:right\s+)?now$|\b(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|maintenant)\b/i.test(text.trim())) return null;
  const found = { start: result.index, end: result.index + text.length };
  const relative = result.start.isCertain('year') || weekdayOnly;
  const before = folded.slice(Math.max(0, found.start - 40), found.start);
  const isSince = SINCE_BEFORE.test(before) || Boolean(result.end);

  if (result.end) {
    const end = chronoDate(result.end, cal);
    if (!end) return null;
    const from = relative ? start.guess : resolveYear(cal, start, 'past');
    if (!from) return null;
    let to =
      end.year !== undefined
        ? DateTime.fromObject({ year: end.year, month: end.month, day: end.day ?? 1 }, { zone: cal.zone, locale: 'en' })
        : DateTime.fromObject({ year: from.year, month: end.month, day: end.day ?? 1 }, { zone: cal.zone, locale: 'en' });
    if (!to.isValid) return null;
    if (end.day === undefined) to = to.endOf('month');
    if (end.year === undefined && to < from) to = to.plus({ years: 1 });
    return { ...found, period: rangePeriod(start.day === undefined ? from.startOf('month') : from, to) };
  }
  if (start.day === undefined) {
    const year = start.year ?? pastYearOfMonth(cal, start.month);
    return { ...found, period: monthPeriod(cal, year, start.month) };
  }
  const yearless = !weekdayOnly && !result.start.isCertain('year');
  const date = yearless ? resolveYear(cal, start, isSince ? 'past' : 'date') : start.guess;
  if (!date) return null;
  return { ...found, period: dayPeriod(date), date: iso(date), ...(yearless ? { yearless: { month: start.month, day: start.day } } : {}) };
}

/** "between March 1 and March 15": two chrono dates joined into one range, placed in the past when yearless. */
function joinPair(a: TimeFound, b: TimeFound, folded: string, cal: Calendar): TimeFound | null {
  if (!a.date || !b.date || !/^\s*(?:and|et|to|au|-)\s*$/.test(folded.slice(a.end, b.start))) return null;
  if (!/\b(?:between|entre|from|du)\s+(?:the\s+|le\s+)?$/.test(folded.slice(Math.max(0, a.start - 12), a.start))) return null;
  const from = a.yearless
    ? resolveYear(cal, { ...a.yearless, guess: cal.today }, 'past')
    : DateTime.fromISO(a.date, { zone: cal.zone, locale: 'en' });
  if (!from?.isValid) return null;
  let to = b.yearless
    ? DateTime.fromObject({ year: from.year, ...b.yearless }, { zone: cal.zone, locale: 'en' })
    : DateTime.fromISO(b.date, { zone: cal.zone, locale: 'en' });
  if (!to.isValid) return null;
  if (b.yearless && to < from) to = to.plus({ years: 1 });
  return { start: a.start, end: b.end, period: rangePeriod(from, to) };
}

function joinBetween(found: TimeFound[], folded: string, cal: Calendar): TimeFound[] {
  const out: TimeFound[] = [];
  for (let i = 0; i < found.length; i++) {
    const next = found[i + 1];
    const joined = next ? joinPair(found[i]!, next, folded, cal) : null;
    if (joined) {
      out.push(joined);
      i++;
    } else {
      out.push(found[i]!);
    }
  }
  return out;
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Periods and dates in `text` (already sanitised) and its folded twin, relative to `now` in `timeZone`. */
export function extractTimes(text: string, folded: string, now: Date, timeZone: string): TimeFound[] {
  let today = DateTime.fromJSDate(now, { zone: timeZone }).setLocale('en');
  if (!today.isValid) today = DateTime.fromJSDate(now, { zone: 'utc' }).setLocale('en');
  if (!today.isValid) return [];
  today = today.startOf('day');
  const cal: Calendar = { today, zone: today.zoneName ?? 'utc' };

  const found: TimeFound[] = [];
  for (const rule of RULES) {
    rule.re.lastIndex = 0;
    for (const m of folded.matchAll(rule.re)) {
      const span = { start: m.index, end: m.index + m[0].length };
      if (found.some((f) => overlaps(f, span))) continue;
      const built = rule.build(m as RegExpExecArray, cal, folded);
      if (built) found.push({ ...span, ...built });
    }
  }

  // chrono reads the reference's local fields, so give it today's wall-clock date in the user's zone.
  const reference = new Date(today.year, today.month - 1, today.day, 12, 0, 0);
  const parsers: chrono.Chrono[] = [chrono.casual];
  if (FRENCH_HINT.test(folded)) parsers.push(chrono.fr.casual);
  const explicit: TimeFound[] = [];
  for (const parser of parsers) {
    for (const result of parser.parse(text, reference)) {
      const span = { start: result.index, end: result.index + result.text.length };
      if (found.some((f) => overlaps(f, span)) || explicit.some((f) => overlaps(f, span))) continue;
      const built = fromChrono(result, cal, folded);
      if (built) explicit.push(built);
    }
  }
  explicit.sort((a, b) => a.start - b.start);
  const all = [...found, ...joinBetween(explicit, folded, cal)].map((f) => extendSince(f, folded, cal));
  return all.sort((a, b) => a.start - b.start);
}

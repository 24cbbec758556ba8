// Entities named by a closed set of words: priorities, export formats, service types and time zones.
import { IANAZone } from 'luxon';

export interface KeywordFound<V> {
  start: number;
  end: number;
  value: V;
}

type Priority = 'low' | 'medium' | 'high' | 'critical';
type ServiceType = 'voice_line' | 'toll_free' | 'long_distance' | 'internet' | 'conferencing';

function scan<V>(folded: string, re: RegExp, value: (m: RegExpMatchArray) => V | null): KeywordFound<V>[] {
  const out: KeywordFound<V>[] = [];
  for (const m of folded.matchAll(re)) {
    const v = value(m);
    if (v !== null) out.push({ start: m.index!, end: m.index! + m[0].length, value: v });
  }
  return out;
}

// Priorities -----------------------------------------------------------------------------------------------

// Words that are a priority on their own ("urgent", "P1") and words that need a hint nearby ("high", "low").
const PRIORITY_ALWAYS_RE = /\b(?:urgent|urgente|urgently|critical|critique|top\s+priority|highest\s+priority|p[1-4]|sev(?:erity)?\s*[1-4])\b/g;
const PRIORITY_HINTED_RE = /\b(?:high|haute|elevee|medium|moyenne|normal|normale|low|basse|faible)\b/g;
const PRIORITY_HINT_NEAR = /\b(?:priority|priorities|prio|priorite|urgency|severity|importance)\b/;
const PRIORITY_HINT_BEFORE = /\b(?:to|as|a|en)\s+(?:a\s+|the\s+)?$/;
// The whole message is the answer to "Which priority?": "high", "make it low", "normal please".
const SHORT_ANSWER_RE =
  /^\s*(?:(?:make|set|mark|put)\s+(?:it\s+)?(?:as\s+|to\s+|at\s+)?)?(?:a\s+|the\s+)?(?:high|haute|elevee|medium|moyenne|normal|normale|low|basse|faible)(?:\s+(?:one|please|svp|priority))?\s*[.!]?\s*$/;

function priorityOf(word: string): Priority | null {
  if (/^(?:urgent|urgente|urgently|critical|critique|top|highest)|^p1$|^sev(?:erity)?\s*1$/.test(word)) return 'critical';
  if (/^(?:high|haute|elevee|p2|sev(?:erity)?\s*2)$/.test(word)) return 'high';
  if (/^(?:medium|moyenne|normal|normale|p3|sev(?:erity)?\s*3)$/.test(word)) return 'medium';
  if (/^(?:low|basse|faible|p4|sev(?:erity)?\s*4)$/.test(word)) return 'low';
  return null;
}

/** "urgent", "P1", "high priority", "raise it to high", or just "low" as the answer to "Which priority?". */
export function findPriorities(folded: string): KeywordFound<Priority>[] {
  const out = scan(folded, PRIORITY_ALWAYS_RE, (m) => priorityOf(m[0]));
  const shortAnswer = SHORT_ANSWER_RE.test(folded);
  for (const found of scan(folded, PRIORITY_HINTED_RE, (m) => priorityOf(m[0]))) {
    const around = folded.slice(Math.max(0, found.start - 30), found.end + 30);
    const before = folded.slice(Math.max(0, found.start - 12), found.start);
    if (shortAnswer || PRIORITY_HINT_NEAR.test(around) || PRIORITY_HINT_BEFORE.test(before)) out.push(found);
  }
  return out;
}

// Formats --------------------------------------------------------------------------------------------------

export function findFormats(folded: string): KeywordFound<'pdf' | 'csv'>[] {
  return scan(folded, /\b(?:pdf|csv|spreadsheet|excel|xlsx?|tableur|chiffrier|comma[\s-]separated)\b/g, (m) =>
    m[0] === 'pdf' ? 'pdf' : 'csv',
  );
}

// Service types --------------------------------------------------------------------------------------------

const SERVICE_RES: [RegExp, ServiceType][] = [
  [/\b(?:toll[\s-]?free|sans[\s-]frais|1[\s-]?8(?:00|33|44|55|66|77|88)(?![\s-]?\d)|8(?:00|88|77|66|55|44|33)\s+numbers?)\b/g, 'toll_free'],
  [/\b(?:long[\s-]distance|interurbains?|ld)\b/g, 'long_distance'],
  [/\b(?:internet|broadband|fibre|fiber|wi-?fi|dsl|bandwidth)\b/g, 'internet'],
  [/\b(?:audio[\s-]conferenc(?:e|ing)|conference\s+(?:bridge|calls?)|conferenc(?:e|es|ing)|bridge)\b/g, 'conferencing'],
  [
    /\b(?:voice(?:\s+lines?)?|phone\s+lines?|phone\s+service|phones?(?!\s+numbers?)|telephones?|telephonie|landlines?|dial\s+tone|lignes?\s+telephoniques?|lignes?|lines?(?!\s+items?))\b/g,
    'voice_line',
  ],
];

export function findServiceTypes(folded: string): KeywordFound<ServiceType>[] {
  const out: KeywordFound<ServiceType>[] = [];
  for (const [re, type] of SERVICE_RES) {
    for (const found of scan(folded, re, () => type)) {
      // One mention per service: "no dial tone on our lines" is about voice lines once.
      if (!out.some((o) => o.value === found.value || (o.start < found.end && found.start < o.end))) out.push(found);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

// Time zones -----------------------------------------------------------------------------------------------

const REGION_ZONES: Record<string, string> = {
  pacific: 'America/Los_Angeles',
  pacifique: 'America/Los_Angeles',
  mountain: 'America/Denver',
  rocheuses: 'America/Denver',
  central: 'America/Chicago',
  centre: 'America/Chicago',
  eastern: 'America/Toronto',
  est: 'America/Toronto',
  atlantic: 'America/Halifax',
  atlantique: 'America/Halifax',
  newfoundland: 'America/St_Johns',
  'terre-neuve': 'America/St_Johns',
  alaska: 'America/Anchorage',
  hawaii: 'Pacific/Honolulu',
  arizona: 'America/Phoenix',
  saskatchewan: 'America/Regina',
};

const ABBREVIATION_ZONES: Record<string, string> = {
  PST: 'America/Los_Angeles', PDT: 'America/Los_Angeles', PT: 'America/Los_Angeles',
  MST: 'America/Denver', MDT: 'America/Denver', MT: 'America/Denver',
  CST: 'America/Chicago', CDT: 'America/Chicago', CT: 'America/Chicago',
  EST: 'America/Toronto', EDT: 'America/Toronto', ET: 'America/Toronto',
  AST: 'America/Halifax', ADT: 'America/Halifax',
  NST: 'America/St_Johns', NDT: 'America/St_Johns',
  HNE: 'America/Toronto', HAE: 'America/Toronto', HNP: 'America/Los_Angeles', HAP: 'America/Los_Angeles',
  UTC: 'UTC', GMT: 'UTC',
};

const CITY_ZONES: Record<string, string> = {
  vancouver: 'America/Vancouver', victoria: 'America/Vancouver', kelowna: 'America/Vancouver', burnaby: 'America/Vancouver',
  calgary: 'America/Edmonton', edmonton: 'America/Edmonton', regina: 'America/Regina', saskatoon: 'America/Regina',
  winnipeg: 'America/Winnipeg', toronto: 'America/Toronto', ottawa: 'America/Toronto', montreal: 'America/Toronto',
  quebec: 'America/Toronto', halifax: 'America/Halifax', moncton: 'America/Moncton', "st john's": 'America/St_Johns',
  'st johns': 'America/St_Johns', whitehorse: 'America/Whitehorse', yellowknife: 'America/Yellowknife',
  seattle: 'America/Los_Angeles', 'los angeles': 'America/Los_Angeles', 'san francisco': 'America/Los_Angeles',
  denver: 'America/Denver', phoenix: 'America/Phoenix', chicago: 'America/Chicago', dallas: 'America/Chicago',
  houston: 'America/Chicago', 'new york': 'America/New_York', boston: 'America/New_York', detroit: 'America/Detroit',
  atlanta: 'America/New_York', miami: 'America/New_York', london: 'Europe/London', paris: 'Europe/Paris',
};

const REGION_RE = new RegExp(
  `\\b(${Object.keys(REGION_ZONES).filter((k) => !['est', 'centre', 'pacifique', 'rocheuses', 'atlantique', 'terre-neuve'].includes(k)).join('|')})(?:\\s+(?:standard|daylight))?\\s+(?:time(?:\\s*zone)?|timezone|tz|hours?)\\b`,
  'g',
);
const FRENCH_REGION_RE = /\bheure\s+(?:normale\s+|avancee\s+)?(?:de\s+l'|de\s+l\s|du\s+|des\s+)?(est|centre|pacifique|rocheuses|atlantique|terre-neuve)\b/g;
const CITY_TIME_RE = new RegExp(
  `\\b(${Object.keys(CITY_ZONES)
    .sort((a, b) => b.length - a.length)
    .map((c) => c.replace(/[.']/g, "[.']?").replace(/ /g, '\\.?\\s+'))
    .join('|')})\\s+(?:local\\s+)?time\\b|\\bheure\\s+(?:de\\s+|d')(${Object.keys(CITY_ZONES).join('|')})\\b`,
  'g',
);
const ABBREVIATION_RE = /\b(PST|PDT|PT|MST|MDT|MT|CST|CDT|CT|EST|EDT|ET|AST|ADT|NST|NDT|HNE|HAE|HNP|HAP|UTC|GMT)\b/g;
const IANA_RE = /\b(?:[A-Z][A-Za-z]+(?:_[A-Za-z]+)*\/[A-Z][A-Za-z]+(?:[_-][A-Za-z]+)*(?:\/[A-Z][A-Za-z]+(?:_[A-Za-z]+)*)?|UTC)\b/g;

/** Time zones: "Pacific time", "in ET", "EST", "Vancouver time", "America/Winnipeg". `text` is the original. */
export function findTimeZones(text: string, folded: string): KeywordFound<string>[] {
  const out: KeywordFound<string>[] = [];
  const add = (found: KeywordFound<string> | null) => {
    if (found && !out.some((o) => o.start < found.end && found.start < o.end)) out.push(found);
  };
  for (const m of text.matchAll(IANA_RE)) {
    if (IANAZone.isValidZone(m[0])) add({ start: m.index, end: m.index + m[0].length, value: m[0] === 'UTC' ? 'UTC' : m[0] });
  }
  for (const f of scan(folded, REGION_RE, (m) => REGION_ZONES[m[1]!] ?? null)) add(f);
  for (const f of scan(folded, FRENCH_REGION_RE, (m) => REGION_ZONES[m[1]!] ?? null)) add(f);
  for (const f of scan(folded, CITY_TIME_RE, (m) => {
    const city = (m[1] ?? m[2] ?? '').replace(/\.?\s+/g, ' ').replace(/\./g, '');
    return CITY_ZONES[city] ?? CITY_ZONES[city.replace(/'/g, '')] ?? null;
  })) {
    add(f);
  }
  // Abbreviations count only in capitals; two-letter ones only after "in"/"en" or a time ("3pm ET").
  for (const m of text.matchAll(ABBREVIATION_RE)) {
    const abbreviation = m[1]!;
    if (abbreviation.length === 2 && !/(?:\b(?:in|en)|\d\s?(?:[ap]\.?m\.?)?|\d)\s+$/i.test(text.slice(Math.max(0, m.index - 10), m.index))) continue;
    add({ start: m.index, end: m.index + abbreviation.length, value: ABBREVIATION_ZONES[abbreviation]! });
  }
  return out;
}

// Canadian and US civic addresses in free text, anchored on the region and postal code, checked by validateAddress.
import { validateAddress } from '../../domain/validation.js';
import { canonicalCity } from './entities-names.js';

export interface AddressValue {
  street: string;
  city: string;
  region: string;
  postalCode: string;
  country: 'CA' | 'US';
}

export interface AddressFound {
  start: number;
  end: number;
  value: AddressValue;
}

const REGION_NAMES: Record<string, string> = {
  ontario: 'ON', quebec: 'QC', 'british columbia': 'BC', alberta: 'AB', manitoba: 'MB', saskatchewan: 'SK',
  'nova scotia': 'NS', 'new brunswick': 'NB', 'newfoundland and labrador': 'NL', newfoundland: 'NL',
  'prince edward island': 'PE', yukon: 'YT', 'northwest territories': 'NT', nunavut: 'NU',
  alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO', connecticut: 'CT',
  delaware: 'DE', florida: 'FL', georgia: 'GA', hawaii: 'HI', idaho: 'ID', illinois: 'IL', indiana: 'IN', iowa: 'IA',
  kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME', maryland: 'MD', massachusetts: 'MA', michigan: 'MI',
  minnesota: 'MN', mississippi: 'MS', missouri: 'MO', montana: 'MT', nebraska: 'NE', nevada: 'NV',
  'new hampshire': 'NH', 'new jersey': 'NJ', 'new mexico': 'NM', 'new york': 'NY', 'north carolina': 'NC',
  'north dakota': 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR', pennsylvania: 'PA', 'rhode island': 'RI',
  'south carolina': 'SC', 'south dakota': 'SD', tennessee: 'TN', texas: 'TX', utah: 'UT', vermont: 'VT',
  virginia: 'VA', washington: 'WA', 'west virginia': 'WV', wisconsin: 'WI', wyoming: 'WY',
  'district of columbia': 'DC',
};

// The first letter of a Canadian postal code names the province (X is NT or NU; left to the region written).
const POSTAL_PROVINCE: Record<string, string> = {
  a: 'NL', b: 'NS', c: 'PE', e: 'NB', g: 'QC', h: 'QC', j: 'QC', k: 'ON', l: 'ON', m: 'ON', n: 'ON', p: 'ON',
  r: 'MB', s: 'SK', t: 'AB', v: 'BC', y: 'YT',
};

const CA_POSTAL = '[abceghj-nprstvxy]\\d[abceghj-nprstv-z][\\s-]?\\d[abceghj-nprstv-z]\\d';
const ZIP = '\\d{5}(?:-\\d{4})?';
const REGION = `${Object.keys(REGION_NAMES)
  .sort((a, b) => b.length - a.length)
  .join('|')}|[a-z]{2}\\.?`;
const ANCHOR_RE = new RegExp(
  `(?:,\\s*|\\s+)(?:(${REGION})(?:,\\s*|\\s+))?(${CA_POSTAL}|${ZIP})(?:,?\\s*(?:canada|usa|u\\.s\\.a\\.|united\\s+states|etats-unis))?(?![\\w-])`,
  'g',
);

const STREET_TYPES =
  'street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|way|court|ct|crescent|cres|place|pl|parkway|pkwy|highway|hwy|terrace|terr|square|sq|trail|trl|circle|cir|quay|row|plaza|gate|grove|heights|park|promenade|close|line|sideroad|concession';
const DIRECTIONS = 'n|s|e|w|ne|nw|se|sw|north|south|east|west|ouest|est|nord|sud';
const STREET_END_RE = new RegExp(`\\b(?:${STREET_TYPES})\\.?(?:\\s+(?:${DIRECTIONS})\\.?)?(?=\\s)`, 'g');
// A civic number is followed by the street's name, which may itself be a number ("335 8 Avenue SW").
const CIVIC = String.raw`(?<![\p{L}\p{N}.\-/])\d{1,6}[a-z]?(?:-\d{1,6})?\s+(?=\p{L}|\d{1,3}(?:st|nd|rd|th|e)?\s+\p{L})`;
const CIVIC_RE = new RegExp(CIVIC, 'gu');
const HAS_CIVIC_RE = new RegExp(CIVIC, 'u');
const TRIGGER_RE = /(?:\b(?:to|at|is|address|adresse|au|located|situe|from|for)\b|:)/g;
const UNIT_RE = /^\s*(?:suite|ste|unit|bureau|apt|apartment|app|floor|etage|room|local|#|\d{1,3}(?:st|nd|rd|th|e|er)\s+(?:floor|etage))/;

/** Where the street starts in a stretch of text: the first civic number after the last "to"/"at"/":". */
function streetStart(folded: string, from: number, to: number): number | null {
  const part = folded.slice(from, to);
  const civics = [...part.matchAll(CIVIC_RE)].map((m) => m.index);
  if (civics.length === 0) return null;
  const triggers = [...part.matchAll(TRIGGER_RE)].map((m) => m.index + m[0].length);
  const lastTrigger = triggers.filter((t) => t <= civics[civics.length - 1]!).pop();
  const chosen = lastTrigger === undefined ? civics[0]! : civics.find((c) => c >= lastTrigger)!;
  return from + chosen;
}

/** Addresses like "123 Main St, Toronto, ON M5V 2T6" or "233 S Wacker Dr, Chicago IL 60606". */
export function findAddresses(text: string, folded: string, cities?: readonly string[]): AddressFound[] {
  const out: AddressFound[] = [];
  let floor = 0;
  for (const m of folded.matchAll(ANCHOR_RE)) {
    const anchorStart = m.index;
    const regionText = m[1];
    const postal = m[2]!;
    const isZip = /^\d/.test(postal);
    let region = regionText ? (REGION_NAMES[regionText.replace(/\.$/, '')] ?? regionText.replace(/\.$/, '').toUpperCase()) : undefined;
    if (!region) {
      if (isZip) continue;
      region = POSTAL_PROVINCE[postal[0]!];
      if (!region) continue;
    }

    // The text before the anchor, back to the previous address or sentence break.
    let begin = Math.max(floor, anchorStart - 200);
    const lastBreak = Math.max(...['!', '?', '\n', ';'].map((c) => folded.lastIndexOf(c, anchorStart - 1)));
    if (lastBreak >= begin) begin = lastBreak + 1;

    // Either "street, [unit,] city" or, without a comma, "street city" split after the street type.
    const lastComma = folded.lastIndexOf(',', anchorStart - 1);
    const segmentStart = lastComma >= begin ? lastComma + 1 : begin;
    const lastSegment = folded.slice(segmentStart, anchorStart);
    let cityFrom: number;
    let streetEnd: number;
    let start: number | null = null;
    if (lastComma >= begin && !HAS_CIVIC_RE.test(lastSegment)) {
      cityFrom = segmentStart;
      streetEnd = lastComma;
      // Back over at most two unit segments ("bureau 2200", "10th Floor") to the civic number.
      let end = lastComma;
      for (let hops = 0; hops < 3; hops++) {
        const from = Math.max(begin, folded.lastIndexOf(',', end - 1) + 1);
        start = streetStart(folded, from, end);
        if (start !== null || from <= begin || !UNIT_RE.test(folded.slice(from, end))) break;
        end = from - 1;
      }
    } else {
      const ends = [...lastSegment.matchAll(STREET_END_RE)];
      const last = ends[ends.length - 1];
      if (!last) continue;
      cityFrom = segmentStart + last.index + last[0].length;
      streetEnd = cityFrom;
      start = streetStart(folded, segmentStart, cityFrom);
    }
    if (start === null) continue;
    const streetText = text.slice(start, streetEnd).trim().replace(/[,\s]+$/, '');
    const cityText = text.slice(cityFrom, anchorStart).trim();
    if (!/\p{L}/u.test(cityText) || /\d/.test(cityText)) continue;
    const valid = validateAddress({
      street: streetText,
      city: canonicalCity(cityText, cities),
      region,
      postalCode: postal.toUpperCase().replace('-', ' '),
      country: isZip ? 'US' : 'CA',
    });
    if (valid.kind !== 'ok') continue;
    const end = m.index + m[0].length;
    out.push({ start, end, value: { ...valid.value, country: valid.value.country === 'US' ? 'US' : 'CA' } });
    floor = end;
  }
  return out;
}

// Names matched against the caller's candidates despite typos and missing accents: accounts, reports, cities.
import type { ReportName } from './entities-reports.js';
import { FILLER_WORDS, fold, type Phrase, PhraseIndex, phraseTokens, type Token } from './entities-text.js';

export interface NameFound<V> {
  start: number;
  end: number;
  value: V;
  score: number;
}

// Accounts -------------------------------------------------------------------------------------------------

/** Words in account names that say nothing about which account it is. */
const NAME_NOISE = new Set(['inc', 'ltd', 'llc', 'corp', 'corporation', 'co', 'limited', 'ltee', 'plc', 'lp', 'llp']);

/** Words that, alone, are too ordinary to name an account ("the office", "out west", "the terminal"). */
const GENERIC_NAME_WORDS = new Set([
  'office', 'offices', 'bureau', 'west', 'east', 'north', 'south', 'central', 'region', 'regional', 'center', 'centre',
  'sales', 'store', 'shop', 'retail', 'terminal', 'warehouse', 'depot', 'clinic', 'lab', 'yard', 'port', 'hq', 'main',
  'head', 'services', 'service', 'partners', 'health', 'energy', 'energie', 'mountain', 'fleet', 'maintenance',
  'customer', 'accounts', 'account', 'payable', 'receivable', 'airport', 'freight', 'city', 'showroom', 'distribution',
  'imaging', 'harbor', 'harbour', 'marine', 'solar', 'cross', 'dock', 'traders', 'trading', 'logistics', 'group',
  'company', 'holdings', 'entrepot', 'poste', 'centrale', 'home', 'new', 'old', 'branch', 'site', 'plant', 'factory',
  'division', 'team', 'building', 'campus', 'tower', 'quay', 'billing', 'support', 'network',
]);

/** Everyday words never read as a typo of a name ("calls" is not "Halls"). */
const NO_FUZZY = new Set([
  'balance', 'invoice', 'invoices', 'payment', 'payments', 'report', 'reports', 'ticket', 'tickets', 'summary',
  'detail', 'details', 'calls', 'lines', 'phone', 'phones', 'number', 'numbers', 'services', 'outage', 'outages',
  'internet', 'month', 'today', 'there', 'their', 'about', 'status', 'escalate', 'contact', 'contacts', 'address',
  'users', 'hello', 'please', 'thanks', 'thank', 'agent', 'human', 'order', 'orders', 'where', 'which', 'would',
  'could', 'should', 'account', 'accounts', 'office', 'since', 'after', 'before', 'every', 'those', 'these', 'other',
]);

interface AccountKey {
  number: string;
  name: string;
}

const accountIndexCache = new WeakMap<readonly AccountKey[], PhraseIndex<AccountKey>>();
// Callers usually load a fresh array per message; a staff member's thousands of accounts are indexed once by content.
const accountIndexByContent = new Map<string, PhraseIndex<AccountKey>>();
const CONTENT_CACHE_SIZE = 4;

function accountIndex(accounts: readonly AccountKey[]): PhraseIndex<AccountKey> {
  const cached = accountIndexCache.get(accounts);
  if (cached) return cached;
  let content = '';
  for (const a of accounts) content += `${a.number}\u0001${a.name}\u0002`;
  const sameContent = accountIndexByContent.get(content);
  if (sameContent) {
    accountIndexCache.set(accounts, sameContent);
    return sameContent;
  }
  const index = buildAccountIndex(accounts);
  accountIndexCache.set(accounts, index);
  if (accountIndexByContent.size >= CONTENT_CACHE_SIZE) accountIndexByContent.delete(accountIndexByContent.keys().next().value!);
  accountIndexByContent.set(content, index);
  return index;
}

function buildAccountIndex(accounts: readonly AccountKey[]): PhraseIndex<AccountKey> {
  const tokenLists = accounts.map((a) => phraseTokens(a.name).filter((t) => !NAME_NOISE.has(t) && !FILLER_WORDS.has(t)));
  // Words shared by many names (the organisation's name) weigh less than the words that tell them apart.
  const df = new Map<string, number>();
  for (const tokens of tokenLists) for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = accounts.length;
  const phrases: Phrase<AccountKey>[] = [];
  accounts.forEach((account, i) => {
    const tokens = tokenLists[i]!;
    if (tokens.length === 0) return;
    phrases.push({ key: account, tokens, weights: tokens.map((t) => Math.log(1 + n / (df.get(t) ?? 1))) });
  });
  return new PhraseIndex(phrases);
}

function scoreAccountWindow(phrase: Phrase<AccountKey>, matched: Map<number, number>): number {
  if (matched.size === 1) {
    const [[pos, sim]] = [...matched] as [[number, number]];
    const word = phrase.tokens[pos]!;
    if (GENERIC_NAME_WORDS.has(word) || word.length < 3 || sim < 0.85) return 0;
  }
  let total = 0;
  let got = 0;
  let exact = matched.size === phrase.tokens.length;
  phrase.weights.forEach((w, pos) => {
    total += w;
    const sim = matched.get(pos);
    if (sim !== undefined) got += w * sim;
    if (sim !== 1) exact = false;
  });
  if (exact) return 1;
  return Math.min(0.95, 0.5 + 0.45 * (got / total));
}

/**
 * Accounts named in the message. A name given in full picks its account (or the few given in full); a partial
 * name ("Acme", "nortwind", "the Ottawa office") returns every account it fits as well as the best one does,
 * so the dialog can ask which.
 */
export function findAccountNames(tokens: Token[], accounts: readonly AccountKey[]): NameFound<string>[] {
  if (accounts.length === 0) return [];
  const windows = accountIndex(accounts).match(tokens, {
    maxExtras: 0,
    fuzzy: (t) => !NO_FUZZY.has(t),
    score: (phrase, matched) => scoreAccountWindow(phrase, matched),
  });
  if (windows.length === 0) return [];
  const complete = (w: (typeof windows)[number]) => w.matched.size === w.phrase.tokens.length;
  const best = windows.reduce((a, b) => (b.matched.size > a.matched.size || (b.matched.size === a.matched.size && b.score > a.score) ? b : a));
  let kept = complete(best)
    ? windows.filter((w) => complete(w) && w.score >= best.score - 0.15)
    : windows.filter((w) => w.matched.size === best.matched.size);
  // "Northwind Traders — Ottawa Office" names the office, not also the "Northwind Traders" inside it.
  kept = kept.filter((w) => !kept.some((o) => o !== w && o.start <= w.start && o.end >= w.end && o.end - o.start > w.end - w.start));
  return kept
    .sort((a, b) => b.score - a.score || a.key.number.localeCompare(b.key.number))
    .slice(0, 20)
    .map((w) => ({ start: w.start, end: w.end, value: w.key.number, score: Math.round(w.score * 1000) / 1000 }));
}

// Reports --------------------------------------------------------------------------------------------------

/** Words around report names that are not part of them ("the report of calls by cost"). */
const REPORT_FILLERS = new Set([
  ...FILLER_WORDS, 'by', 'per', 'par', 'report', 'reports', 'rapport', 'rapports', 'for', 'pour', 'sur', 'on', 'in',
  'with', 'avec', 'my', 'our', 'nos', 'mes',
]);

const REPORT_SYNONYMS: Record<string, string> = {
  taxes: 'tax', taxe: 'tax', taxing: 'tax', charged: 'charge', conferencing: 'conference', conferences: 'conference',
  longdistance: 'ld', interurbains: 'interurbain', detailed: 'detail', subaccount: 'sub',
};

function reportWord(word: string): string {
  const synonym = REPORT_SYNONYMS[word];
  if (synonym) return synonym;
  if (word.length > 3 && word.endsWith('s') && !/(?:ss|us|is)$/.test(word)) return REPORT_SYNONYMS[word.slice(0, -1)] ?? word.slice(0, -1);
  return word;
}

const reportIndexCache = new WeakMap<readonly ReportName[], PhraseIndex<string>>();

function reportIndex(reports: readonly ReportName[]): PhraseIndex<string> {
  const cached = reportIndexCache.get(reports);
  if (cached) return cached;
  const phrases: Phrase<string>[] = [];
  for (const report of reports) {
    const seen = new Set<string>();
    for (const name of [report.id.replace(/-/g, ' '), report.title, ...(report.aliases ?? [])]) {
      const tokens = phraseTokens(name)
        .filter((t) => !REPORT_FILLERS.has(t))
        .map(reportWord);
      const key = tokens.join(' ');
      if (tokens.length === 0 || seen.has(key)) continue;
      seen.add(key);
      phrases.push({ key: report.id, tokens, weights: tokens.map(() => 1) });
    }
  }
  const index = new PhraseIndex(phrases);
  reportIndexCache.set(reports, index);
  return index;
}

function scoreReportWindow(phrase: Phrase<string>, matched: Map<number, number>, extras: number): number {
  const k = phrase.tokens.length;
  if (matched.size < Math.max(1, Math.ceil(0.6 * k))) return 0;
  let sum = 0;
  for (const sim of matched.values()) sum += sim;
  if (k === 1 && sum < 0.85) return 0;
  const score = sum / k - 0.1 * extras;
  return score >= 0.6 ? score : 0;
}

/** Reports named in the message, fuzzily, with several when the words fit several ("long distance report"). */
export function findReports(tokens: Token[], reports: readonly ReportName[]): NameFound<string>[] {
  if (reports.length === 0) return [];
  const words = tokens.map((t) => ({ ...t, norm: reportWord(t.norm) }));
  const windows = reportIndex(reports).match(words, {
    maxExtras: 1,
    fillers: REPORT_FILLERS,
    fuzzy: (t) => t.length >= 5,
    score: scoreReportWindow,
  });
  // One entry per report: its best phrasing.
  const byReport = new Map<string, (typeof windows)[number]>();
  for (const w of windows) {
    const current = byReport.get(w.key);
    if (!current || w.score > current.score || (w.score === current.score && w.end - w.start > current.end - current.start)) {
      byReport.set(w.key, w);
    }
  }
  const candidates = [...byReport.values()];
  if (candidates.length === 0) return [];
  const best = Math.max(...candidates.map((w) => w.score));
  const kept = candidates.filter((w) => w.score >= best - 0.2);
  // "long distance call detail" names one report; the "call detail" inside it is not a second one.
  return kept
    .filter(
      (w) =>
        !kept.some(
          (o) =>
            o !== w &&
            o.start <= w.start &&
            o.end >= w.end &&
            (o.score > w.score || (o.score === w.score && o.end - o.start > w.end - w.start)),
        ),
    )
    .sort((a, b) => b.score - a.score || a.start - b.start)
    .map((w) => ({ start: w.start, end: w.end, value: w.key, score: Math.round(Math.min(1, w.score) * 1000) / 1000 }));
}

// Cities ---------------------------------------------------------------------------------------------------

const cityIndexCache = new WeakMap<readonly string[], PhraseIndex<string>>();

function cityIndex(cities: readonly string[]): PhraseIndex<string> {
  const cached = cityIndexCache.get(cities);
  if (cached) return cached;
  const phrases = cities
    .map((city) => ({ key: city, tokens: phraseTokens(city), weights: [] as number[] }))
    .filter((p) => p.tokens.length > 0)
    .map((p) => ({ ...p, weights: p.tokens.map(() => 1) }));
  const index = new PhraseIndex(phrases);
  cityIndexCache.set(cities, index);
  return index;
}

/** Known cities named in the message, accent- and case-insensitive ("montreal" → "Montréal"). */
export function findCities(tokens: Token[], cities: readonly string[]): NameFound<string>[] {
  if (cities.length === 0) return [];
  const windows = cityIndex(cities).match(tokens, {
    maxExtras: 0,
    fillers: new Set(),
    fuzzy: (t) => t.length >= 6 && !NO_FUZZY.has(t),
    score: (phrase, matched) => {
      if (matched.size !== phrase.tokens.length) return 0;
      const sims = [...matched.values()];
      return sims.every((s) => s >= 0.85) ? sims.reduce((a, b) => a + b, 0) / sims.length : 0;
    },
  });
  // Prefer the longer name where two overlap ("Quebec City" over "Quebec").
  return windows
    .filter((w) => !windows.some((o) => o !== w && o.start <= w.start && o.end >= w.end && o.end - o.start > w.end - w.start))
    .map((w) => ({ start: w.start, end: w.end, value: w.key, score: w.score }));
}

/** The caller's own spelling of a city if it knows it ("Montreal" → "Montréal"). */
export function canonicalCity(city: string, cities: readonly string[] | undefined): string {
  const key = fold(city).replace(/[^\p{L}\p{N}]+/gu, '');
  return cities?.find((c) => fold(c).replace(/[^\p{L}\p{N}]+/gu, '') === key) ?? city;
}

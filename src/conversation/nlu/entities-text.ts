// Text helpers for entity extraction: length-preserving folding, tokens with offsets, typo-tolerant phrase matching.

/** How much of a message is looked at; the rest is ignored so that huge inputs cost no more than a paragraph. */
export const MAX_SCANNED_CHARS = 1000;

/** The first MAX_SCANNED_CHARS characters, with control characters blanked (same length, so offsets hold). */
export function sanitise(text: string): string {
  let s = typeof text === 'string' ? text.slice(0, MAX_SCANNED_CHARS) : '';
  // Never end on half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: blanking control characters is the point
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/g, ' ');
}

const SPECIAL_FOLDS: Record<string, string> = {
  '\u2019': "'",
  '\u2018': "'",
  '\u02BC': "'",
  '\u00A0': ' ',
  '\u202F': ' ',
  '\u2009': ' ',
  '\u2007': ' ',
  '\u2013': '-',
  '\u2011': '-',
  '\u2010': '-',
};
const foldCache = new Map<string, string>();

/**
 * Lower case without accents, one output code unit per input code unit, so that a match found in the folded
 * text has the same offsets in the original ("Montréal" → "montreal").
 */
export function foldPreservingLength(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch.charCodeAt(0) < 128) {
      out += ch.toLowerCase();
      continue;
    }
    let folded = foldCache.get(ch);
    if (folded === undefined) {
      folded = SPECIAL_FOLDS[ch] ?? ch.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
      if (folded.length !== ch.length) {
        const lower = ch.toLowerCase();
        folded = lower.length === ch.length ? lower : ch;
      }
      if (foldCache.size < 4000) foldCache.set(ch, folded);
    }
    out += folded;
  }
  return out;
}

/** Folding for reference data (names, titles), where offsets do not matter. */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[\u2018\u2019\u02BC]/g, "'")
    .toLowerCase();
}

export interface Token {
  /** Folded and normalised: no accents, no apostrophes, no French elision, no trailing possessive. */
  norm: string;
  start: number;
  end: number;
  numeric: boolean;
}

const TOKEN_RE = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
const ELISION_RE = /^(?:qu|[ldjmnstc])'/;

/** Word tokens of already-folded text, with their offsets. */
export function tokenize(folded: string, maxTokens = 400): Token[] {
  const tokens: Token[] = [];
  for (const m of folded.matchAll(TOKEN_RE)) {
    let word = m[0];
    let start = m.index;
    const elision = ELISION_RE.exec(word);
    if (elision && word.length > elision[0].length) {
      start += elision[0].length;
      word = word.slice(elision[0].length);
    }
    if (word.endsWith("'s")) word = word.slice(0, -2);
    const norm = word.replace(/'/g, '');
    if (norm) tokens.push({ norm, start, end: m.index + m[0].length, numeric: /^\d+$/.test(norm) });
    if (tokens.length >= maxTokens) break;
  }
  return tokens;
}

/** Tokens of a reference phrase (a name, a title), folded and normalised the same way as a message. */
export function phraseTokens(s: string): string[] {
  return tokenize(fold(s)).map((t) => t.norm);
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), giving up early:
 * returns max + 1 as soon as the distance is known to exceed max.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  let prev2 = new Array<number>(lb + 1).fill(0);
  let prev = Array.from({ length: lb + 1 }, (_, j) => j);
  let cur = new Array<number>(lb + 1).fill(0);
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[lb]!;
}

/** How many typos a word of this length may carry and still count as the same word. */
function allowedTypos(length: number): number {
  if (length <= 3) return 0;
  if (length <= 5) return 1;
  return 2;
}

/** 1 for the same word, less for a likely typo of it, 0 otherwise. */
export function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  // Typos rarely touch the first letter; requiring it keeps "best" from reading as "west".
  if (a[0] !== b[0] || /\d/.test(a) || /\d/.test(b)) return 0;
  const allowed = allowedTypos(Math.min(a.length, b.length));
  if (allowed === 0) return 0;
  const d = editDistance(a, b, allowed);
  if (d > allowed) return 0;
  const sim = 1 - d / Math.max(a.length, b.length);
  return sim >= 0.75 ? sim : 0;
}

/** Small words that may sit inside a name without being part of it ("Acme's LA port", "Bureau de Québec"). */
export const FILLER_WORDS = new Set([
  'the', 'a', 'an', 'of', 'and', 'at', 'our', 'my', 'de', 'du', 'des', 'la', 'le', 'les', 'et', 'au', 'aux', 'en',
]);

export interface Phrase<K> {
  key: K;
  tokens: string[];
  weights: number[];
}

export interface PhraseHit {
  pos: number;
  sim: number;
}

export interface WindowMatch<K> {
  key: K;
  phrase: Phrase<K>;
  /** Offsets in the text. */
  start: number;
  end: number;
  /** Best similarity for each matched phrase position. */
  matched: Map<number, number>;
  /** Content words inside the window that are not part of the phrase. */
  extras: number;
  score: number;
}

export interface MatchOptions<K> {
  /** Content words (not fillers, not numbers) tolerated inside a window. */
  maxExtras: number;
  /** Whether a token may match by typo-tolerance (exact matches are always tried). */
  fuzzy: (token: string) => boolean;
  /** Words skipped inside a window without counting against it (default FILLER_WORDS). */
  fillers?: ReadonlySet<string>;
  /** Scores a window; 0 or less rejects it. */
  score: (phrase: Phrase<K>, matched: Map<number, number>, extras: number) => number;
}

/** Phrases indexed by their words, so a message is compared with the vocabulary once rather than with each phrase. */
export class PhraseIndex<K> {
  readonly phrases: Phrase<K>[];
  private readonly postings = new Map<string, { phrase: number; pos: number }[]>();
  private readonly byLength = new Map<number, string[]>();

  constructor(phrases: Phrase<K>[]) {
    this.phrases = phrases;
    phrases.forEach((p, phrase) => {
      p.tokens.forEach((t, pos) => {
        let list = this.postings.get(t);
        if (!list) {
          list = [];
          this.postings.set(t, list);
          const bucket = this.byLength.get(t.length);
          if (bucket) bucket.push(t);
          else this.byLength.set(t.length, [t]);
        }
        list.push({ phrase, pos });
      });
    });
  }

  /** Vocabulary words equal or close to `word`, with their similarity. */
  private similarWords(word: string, fuzzy: boolean): [string, number][] {
    const out: [string, number][] = [];
    if (this.postings.has(word)) out.push([word, 1]);
    if (!fuzzy || word.length < 5) return out;
    const allowed = allowedTypos(word.length);
    for (let len = word.length - allowed; len <= word.length + allowed; len++) {
      for (const candidate of this.byLength.get(len) ?? []) {
        if (candidate === word) continue;
        const sim = wordSimilarity(word, candidate);
        if (sim > 0) out.push([candidate, sim]);
      }
    }
    return out;
  }

  /** The best-scoring window of the message for every phrase that matches at all. */
  match(tokens: Token[], options: MatchOptions<K>): WindowMatch<K>[] {
    const fillerWords = options.fillers ?? FILLER_WORDS;
    // hits[i]: phrase → positions that token i can fill.
    const memo = new Map<string, Map<number, PhraseHit[]>>();
    const hits: (Map<number, PhraseHit[]> | undefined)[] = tokens.map((t) => {
      if (fillerWords.has(t.norm)) return undefined;
      let byPhrase = memo.get(t.norm);
      if (!byPhrase) {
        byPhrase = new Map();
        for (const [word, sim] of this.similarWords(t.norm, options.fuzzy(t.norm))) {
          for (const { phrase, pos } of this.postings.get(word) ?? []) {
            const list = byPhrase.get(phrase);
            if (list) list.push({ pos, sim });
            else byPhrase.set(phrase, [{ pos, sim }]);
          }
        }
        memo.set(t.norm, byPhrase);
      }
      return byPhrase.size ? byPhrase : undefined;
    });

    const best = new Map<number, WindowMatch<K>>();
    for (let i = 0; i < tokens.length; i++) {
      const startHits = hits[i];
      if (!startHits) continue;
      for (const phraseIndex of startHits.keys()) {
        const phrase = this.phrases[phraseIndex]!;
        const matched = new Map<number, number>();
        let extras = 0;
        let fillers = 0;
        for (let j = i; j < tokens.length; j++) {
          const token = tokens[j]!;
          const options_ = hits[j]?.get(phraseIndex);
          const free = options_?.filter((h) => !matched.has(h.pos)).sort((a, b) => b.sim - a.sim)[0];
          if (free) {
            matched.set(free.pos, free.sim);
            fillers = 0;
            const score = options.score(phrase, matched, extras);
            const current = best.get(phraseIndex);
            if (score > 0 && (!current || score > current.score)) {
              best.set(phraseIndex, {
                key: phrase.key,
                phrase,
                start: tokens[i]!.start,
                end: token.end,
                matched: new Map(matched),
                extras,
                score,
              });
            }
            if (matched.size === phrase.tokens.length) break;
          } else if (fillerWords.has(token.norm) || token.numeric) {
            if (++fillers > 2) break;
          } else if (extras < options.maxExtras) {
            extras++;
          } else {
            break;
          }
        }
      }
    }
    return [...best.values()];
  }
}

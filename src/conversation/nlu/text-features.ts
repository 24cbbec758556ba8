// Turns an utterance into the sparse TF-IDF vector the intent classifier reads: normalised words,
// word pairs and character n-grams inside words (these make typos and inflections land near the right intent).

/** Only this much of a message is read: intents are stated early, and the cost stays bounded for 10 KB pastes. */
export const MAX_TEXT_CHARS = 500;

export interface FeatureOptions {
  /** Smallest and largest character n-gram, taken inside each padded word. */
  readonly charNgramMin: number;
  readonly charNgramMax: number;
  /** Weight of the word block against the character block (each block is L2-normalised first). */
  readonly wordWeight: number;
  readonly charWeight: number;
  /** Also count each word cut to this many letters (a crude stemmer that works for French too); 0 = off. */
  readonly wordPrefix: number;
  /** A feature must occur in at least this many training utterances to enter the vocabulary. */
  readonly minDocumentFrequency: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  charNgramMin: 2,
  charNgramMax: 5,
  wordWeight: 1,
  charWeight: 1,
  wordPrefix: 5,
  minDocumentFrequency: 1,
};

const CONTROL_CHARS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const COMBINING_MARKS = /\p{M}+/gu;
const APOSTROPHES = /[\u2018\u2019\u02bc`´]/g;
const TOKEN = /\p{L}+|\p{N}+|[$€£%@#]/gu;

/**
 * Lower-cases, strips accents and control characters, joins contractions ("don't" → "dont") and splits
 * into tokens; numbers become shape tokens ("#" up to 4 digits, "##" longer) so "account 5000001" and
 * "account 5000002" look alike, and currency signs become "$".
 */
export function tokenize(text: string): string[] {
  const clipped = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  const normalised = clipped
    .replace(CONTROL_CHARS, ' ')
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(APOSTROPHES, "'")
    .replace(/(\p{L})'(?=\p{L})/gu, '$1');
  const tokens: string[] = [];
  for (const match of normalised.matchAll(TOKEN)) {
    const token = match[0];
    const code = token.charCodeAt(0);
    if (code >= 48 && code <= 57) tokens.push(token.length > 4 ? '##' : '#');
    else if (token === '€' || token === '£') tokens.push('$');
    else tokens.push(token);
  }
  return tokens;
}

/** Raw feature counts of one utterance: "w:" words, "b:" word pairs, "p:" word prefixes, "c:" character n-grams. */
export interface RawFeatures {
  readonly words: Map<string, number>;
  readonly chars: Map<string, number>;
}

export function rawFeatures(text: string, options: FeatureOptions): RawFeatures {
  const tokens = tokenize(text);
  const words = new Map<string, number>();
  const chars = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    add(words, `w:${token}`);
    if (i > 0) add(words, `b:${tokens[i - 1]} ${token}`);
    if (options.wordPrefix > 0 && token.length > options.wordPrefix)
      add(words, `p:${token.slice(0, options.wordPrefix)}`);
    const padded = ` ${token} `;
    for (let n = options.charNgramMin; n <= options.charNgramMax; n++) {
      if (n > padded.length) break;
      for (let start = 0; start + n <= padded.length; start++) add(chars, `c:${padded.slice(start, start + n)}`);
    }
  }
  return { words, chars };
}

/** A fitted vocabulary: feature name → column, with its inverse document frequency and block. */
export interface Vocabulary {
  readonly index: ReadonlyMap<string, number>;
  readonly idf: Float64Array;
  /** 0 for a word feature, 1 for a character feature. */
  readonly block: Uint8Array;
  readonly names: readonly string[];
}

export function fitVocabulary(documents: readonly RawFeatures[], options: FeatureOptions): Vocabulary {
  const documentFrequency = new Map<string, number>();
  for (const document of documents) {
    for (const key of document.words.keys()) documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
    for (const key of document.chars.keys()) documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
  }
  // Sorted, so that the same data gives the same columns whatever the order of the training file.
  const names = [...documentFrequency.entries()]
    .filter(([, df]) => df >= options.minDocumentFrequency)
    .map(([name]) => name)
    .sort();
  return vocabularyFrom(
    names,
    names.map((name) => Math.log((1 + documents.length) / (1 + documentFrequency.get(name)!)) + 1),
  );
}

export function vocabularyFrom(names: readonly string[], idf: readonly number[]): Vocabulary {
  const index = new Map<string, number>();
  const block = new Uint8Array(names.length);
  names.forEach((name, column) => {
    index.set(name, column);
    block[column] = name.startsWith('c:') ? 1 : 0;
  });
  return { index, idf: Float64Array.from(idf), block, names };
}

/** A sparse, L2-normalised row: parallel arrays of columns and values. */
export interface SparseVector {
  readonly columns: Int32Array;
  readonly values: Float64Array;
  /** Share of the utterance's features that the vocabulary knows (0 when it has none). */
  readonly coverage: number;
}

export function vectorize(raw: RawFeatures, vocabulary: Vocabulary, options: FeatureOptions): SparseVector {
  const columns: number[] = [];
  const values: number[] = [];
  const norms = [0, 0];
  let total = 0;
  let known = 0;
  for (const map of [raw.words, raw.chars]) {
    for (const [name, count] of map) {
      total += 1;
      const column = vocabulary.index.get(name);
      if (column === undefined) continue;
      known += 1;
      const value = (1 + Math.log(count)) * vocabulary.idf[column]!;
      columns.push(column);
      values.push(value);
      norms[vocabulary.block[column]!]! += value * value;
    }
  }
  const scale = [
    norms[0]! > 0 ? options.wordWeight / Math.sqrt(norms[0]!) : 0,
    norms[1]! > 0 ? options.charWeight / Math.sqrt(norms[1]!) : 0,
  ];
  let squared = 0;
  for (let i = 0; i < values.length; i++) {
    values[i]! *= scale[vocabulary.block[columns[i]!]!]!;
    squared += values[i]! * values[i]!;
  }
  const norm = squared > 0 ? 1 / Math.sqrt(squared) : 0;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * norm;
  return { columns: Int32Array.from(columns), values: out, coverage: total === 0 ? 0 : known / total };
}

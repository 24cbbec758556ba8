// Spelling slips and chat shorthand in the product's own vocabulary ("wats my balanse", "invioce for octobr")
// are put right before the message is classified and its entities read. Only words the product cares about
// are corrected, and never a word the training data uses as it is, so ordinary English is left alone.

/** Chat shorthand, whole words only. */
const SHORTHAND: Readonly<Record<string, string>> = {
  wat: 'what',
  wats: "what's",
  whats: "what's",
  wht: 'what',
  wut: 'what',
  u: 'you',
  ur: 'your',
  pls: 'please',
  plz: 'please',
  plse: 'please',
  thx: 'thanks',
  thnx: 'thanks',
  ty: 'thank you',
  bal: 'balance',
  acct: 'account',
  acc: 'account',
  accnt: 'account',
  accts: 'accounts',
  inv: 'invoice',
  invs: 'invoices',
  tkt: 'ticket',
  tkts: 'tickets',
  pmt: 'payment',
  pymt: 'payment',
  pmts: 'payments',
  stmt: 'statement',
  amt: 'amount',
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tmw: 'tomorrow',
  '2moro': 'tomorrow',
  '2day': 'today',
  yday: 'yesterday',
  mth: 'month',
  rn: 'right now',
  asap: 'as soon as possible',
  ppl: 'people',
  rep: 'representative',
  msg: 'message',
  cuz: 'because',
  bc: 'because',
  ld: 'long distance',
};

/** The words worth correcting towards: what people ask this product about, and the months. */
const LEXICON = [
  'balance', 'balances', 'invoice', 'invoices', 'bill', 'bills', 'billing', 'billed', 'statement', 'statements',
  'ticket', 'tickets', 'outage', 'outages', 'escalate', 'escalated', 'escalation', 'payment', 'payments',
  'autopay', 'paperless', 'account', 'accounts', 'report', 'reports', 'summary', 'distance', 'detail',
  'maintenance', 'contact', 'contacts', 'address', 'service', 'services', 'history', 'pending', 'internet',
  'phone', 'phones', 'emergency', 'orders', 'agent', 'person', 'human', 'representative', 'please', 'thanks',
  'priority', 'critical', 'urgent', 'schedule', 'monthly', 'weekly', 'daily', 'download', 'receipt', 'owing',
  'calls', 'usage', 'conferencing', 'category', 'taxing', 'exemption', 'exemptions', 'numbers', 'toll-free',
  'hunt', 'group', 'groups', 'codes', 'users', 'guide', 'guides', 'manual', 'hello', 'cancel', 'network',
  'january', 'february', 'march', 'april', 'august', 'september', 'october', 'november', 'december',
  'yesterday', 'tomorrow', 'today', 'quarter', 'month', 'last', 'previous', 'amount', 'overdue', 'problem',
  'working', 'down', 'customer', 'favourite', 'favorite', 'default', 'sub-accounts', 'technical', 'primary',
];

const LEXICON_SET = new Set(LEXICON);

/** Real words a slip away from a product word ("contract" is not "contact"): left as they are. */
const PROTECTED = new Set([
  'contract', 'contracts', 'outrage', 'ticked', 'ticker', 'months', 'groups', 'dance', 'balanced', 'billy', 'pills', 'bells', 'balls', 'bulls',
  'cancer', 'mouth', 'thinks', 'resort', 'repost', 'prone', 'phony', 'haunt', 'escalator', 'pavement', 'parson', 'pleased', 'pleases',
  'daisy', 'dairy', 'owning', 'cells', 'calms', 'taking', 'grout', 'comes', 'cones', 'cores', 'copes', 'coded', 'guile', 'guided', 'manuel',
  'marsh', 'quartet', 'wording', 'detain', 'bailed', 'billet', 'primacy', 'humane', 'penning', 'agents', 'users', 'costumer', 'summer',
]);

/** Restricted Damerau–Levenshtein distance, stopping early once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    let rowMin = Infinity;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
  }
  return d[a.length]![b.length]!;
}

/** Edits a word of this length may have and still be taken for a product word. */
const allowance = (length: number) => (length >= 8 ? 2 : length >= 5 ? 1 : 0);

export interface SpellingCorrector {
  /** The message with shorthand expanded and product words spelled right; the rest is left as typed. */
  correct(text: string): string;
}

/**
 * `knownWords` are words used as they are (the classifier's vocabulary): a known word is never "corrected",
 * so "bills" stays "bills" and "will" never becomes "bill".
 */
export function createSpellingCorrector(knownWords: ReadonlySet<string> = new Set()): SpellingCorrector {
  const cache = new Map<string, string | null>();
  const fix = (word: string): string | null => {
    const lower = word.toLowerCase();
    const short = SHORTHAND[lower];
    // A capital single letter is an initial ("Jane R. Smith"), not shorthand.
    if (short !== undefined) return word.length === 1 && word !== lower ? null : short;
    if (LEXICON_SET.has(lower) || PROTECTED.has(lower) || knownWords.has(lower)) return null;
    // A plural or past tense of a product word is spelled right.
    if (LEXICON_SET.has(lower.replace(/(s|es|ed|ing)$/, ''))) return null;
    const limit = allowance(lower.length);
    if (limit === 0) return null;
    if (cache.has(lower)) return cache.get(lower) ?? null;
    let best: string | null = null;
    let bestDistance = limit + 1;
    for (const candidate of LEXICON) {
      // The first letter is rarely the slip; requiring it keeps "pill" from being a "bill".
      if (candidate[0] !== lower[0]) continue;
      const distance = editDistance(lower, candidate, limit);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    if (cache.size > 5000) cache.clear();
    cache.set(lower, best);
    return best;
  };
  return {
    correct(text: string): string {
      // Words only: digits, emails, web addresses and ticket numbers pass untouched.
      return text.replace(/(^|[\s(,;:!?"'])([A-Za-z\u00C0-\u017F]+|2moro|2day)(?=$|[\s),.;:!?"'])/g, (match, before: string, word: string) => {
        const fixed = fix(word);
        return fixed === null ? match : `${before}${fixed}`;
      });
    },
  };
}

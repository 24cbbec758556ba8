// Card numbers, security codes, expiry dates and PINs typed into a chat are masked before the engine stores,
// logs or reads the text (PCI DSS: keep no card data). The engine calls redactSensitive on every message and
// button value first; channel adapters log no message text.

export type SensitiveKind = 'card_number' | 'security_code' | 'expiry' | 'pin';

export interface Redaction {
  /** The text with every sensitive value replaced by a mask. */
  readonly text: string;
  /** What was masked, each kind once, in order of first appearance. */
  readonly kinds: readonly SensitiveKind[];
}

/** Luhn checksum, so order numbers and long references are not taken for cards. */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// Runs of digits and the separators people type between card groups: spaces of any kind, tabs, dots, dashes.
const DIGIT_RUN = /\d(?:[\d\s\p{Zs}.\-–]*\d)?/gu;
const SEPARATOR = /[\s\p{Zs}.\-–]+/u;

/**
 * A card number inside a run of digit groups: any 13–19 consecutive digits (across the groups) that pass the
 * Luhn check, or 15–16 digits starting like a card brand. Returns the start and end group indexes, or null.
 */
function findCard(groups: readonly string[]): { from: number; to: number } | null {
  for (let from = 0; from < groups.length; from++) {
    let digits = '';
    for (let to = from; to < groups.length; to++) {
      digits += groups[to];
      if (digits.length > 19) break;
      if (digits.length < 13 || !groupedLikeACard(groups.slice(from, to + 1))) continue;
      if (passesLuhn(digits) || (/^[3-6]/.test(digits) && (digits.length === 15 || digits.length === 16))) return { from, to };
    }
  }
  return null;
}

/** One block of digits, groups of four (the last may be shorter), or 4-6-5 / 4-6-4 (American Express, Diners). */
function groupedLikeACard(groups: readonly string[]): boolean {
  if (groups.length === 1) return true;
  const lengths = groups.map((g) => g.length).join('-');
  if (lengths === '4-6-5' || lengths === '4-6-4') return true;
  return groups.every((g, i) => g.length === 4 || (i === groups.length - 1 && g.length >= 1 && g.length < 4));
}

const LABEL_GAP = String.raw`\s*(?:number|no\.?|code|#)?\s*(?:is|est|was|=|:|-|#|'s)?\s*(?:is|:)?\s*`;
// A short number introduced by the name of a card security code.
const SECURITY_CODE = new RegExp(String.raw`\b(cvv2?|cvc2?|cid|csc|security code|code de sécurité|card code|3[- ]digit code)\b(${LABEL_GAP})(\d{3,4})\b`, 'gi');
// A card's expiry date ("exp 12/28", "expires 12-2028"): card data, and never to be read as a payment date.
const EXPIRY = /\b(exp(?:iry|ires|iration)?(?: date)?|valid (?:thru|through|until)|good thru)\b(\.?\s*:?\s*)(\d{1,2}\s*[/-]\s*\d{2,4})\b/gi;
// A 3–8 digit number introduced by "PIN" (also "NIP", the French acronym), possibly after "for <account>".
const PIN = new RegExp(String.raw`\b(pin|nip|passcode|pin code|pin number)(${LABEL_GAP}(?:for (?:account |acct )?\d{5,8}\s*(?:is|:|=)?\s*)?)(\d{3,8})\b`, 'gi');
// Just after a card number: its expiry (MM/YY) and a 3–4 digit code, however they are run together.
const AFTER_CARD = /^(\s*[,;]?\s*(?:(?:exp\w*|cvv2?|cvc2?|code)\s*:?\s*)?)(\d{1,2}\s*\/\s*\d{2,4}|\d{3,4})\b/i;

/** Masks card numbers (keeping the last four digits), their expiry and code, security codes and PINs. */
export function redactSensitive(text: string): Redaction {
  const kinds: SensitiveKind[] = [];
  const note = (kind: SensitiveKind) => {
    if (!kinds.includes(kind)) kinds.push(kind);
  };
  let out = '';
  let last = 0;
  for (const match of text.matchAll(DIGIT_RUN)) {
    const run = match[0];
    const groups = run.split(SEPARATOR).filter(Boolean);
    const card = groups.length > 0 && run.replace(/\D/g, '').length >= 13 ? findCard(groups) : null;
    if (!card) continue;
    // Re-find where the card's groups start and end inside the run, so the text around them is kept.
    const starts: number[] = [];
    const ends: number[] = [];
    for (const g of run.matchAll(/\d+/g)) {
      starts.push(g.index);
      ends.push(g.index + g[0].length);
    }
    const begin = match.index + (starts[card.from] ?? 0);
    let end = match.index + (ends[card.to] ?? run.length);
    const digits = groups.slice(card.from, card.to + 1).join('');
    out += `${text.slice(last, begin)}[card number ending ${digits.slice(-4)} removed]`;
    note('card_number');
    // What follows a card number in the same breath is its expiry and security code: masked too.
    for (let i = 0; i < 2; i++) {
      const after = AFTER_CARD.exec(text.slice(end));
      if (!after) break;
      const value = after[2] ?? '';
      out += `${after[1]}[removed]`;
      note(value.includes('/') ? 'expiry' : 'security_code');
      end += after[0].length;
    }
    last = end;
  }
  out += text.slice(last);
  out = out.replace(SECURITY_CODE, (_match, label: string, between: string) => {
    note('security_code');
    return `${label}${between}[removed]`;
  });
  out = out.replace(EXPIRY, (_match, label: string, between: string) => {
    note('expiry');
    return `${label}${between}[removed]`;
  });
  out = out.replace(PIN, (_match, label: string, between: string) => {
    note('pin');
    return `${label}${between}[removed]`;
  });
  // "PIN1234", "pin-4321": the number run into the word.
  out = out.replace(/\b(pin|nip)-?(\d{3,8})\b/gi, (_match, label: string) => {
    note('pin');
    return `${label} [removed]`;
  });
  return { text: out, kinds };
}

/** What the assistant tells someone who typed card data or a PIN into the chat. */
export function redactionNotice(kinds: readonly SensitiveKind[]): string {
  const names: Record<SensitiveKind, string> = { card_number: 'card number', security_code: 'security code', expiry: 'expiry date', pin: 'PIN' };
  const what = kinds.map((k) => names[k]);
  const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what.at(-1)}` : what[0];
  const where = kinds.includes('pin') ? 'To sign in with a PIN, use the secure sign-in form instead.' : 'To add a card, use the portal’s secure payment form.';
  return `For your security I did not keep the ${list} you typed: it is masked in this conversation. Please don't type card details or PINs in chat. ${where}`;
}

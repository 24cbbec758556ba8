// Card numbers, security codes and PINs typed into a chat are masked before anything stores or logs the text
// (PCI DSS: keep no card data); the engine and every channel that logs text call redactSensitive first.

export type SensitiveKind = 'card_number' | 'security_code' | 'expiry' | 'pin';

export interface Redaction {
  /** The text with every sensitive value replaced by a mask. */
  readonly text: string;
  /** What was masked, each kind once, in order of first appearance. */
  readonly kinds: readonly SensitiveKind[];
}

// 13–19 digits, optionally grouped by single spaces, dots or dashes ("4111 1111 1111 1111", "4111-1111-1111-1111").
const CARD_CANDIDATE = /(?<![\d])\d(?:[ .-]?\d){12,18}(?![\d])/g;
// A short number introduced by the name of a card security code.
const SECURITY_CODE = /\b(cvv2?|cvc2?|cid|csc|security code|code de sécurité|card code|3[- ]digit code)\b(\s*(?:is|:|=|#|number|no\.?|code)?\s*)(\d{3,4})\b/gi;
// A card's expiry date ("exp 12/28", "expires 12-2028"): useless alone, but it is card data, and it must not be read as a date.
const EXPIRY = /\b(exp(?:iry|ires|iration)?(?: date)?|valid (?:thru|through|until)|good thru)\b(\.?\s*:?\s*)(\d{1,2}\s*[/-]\s*\d{2,4})\b/gi;
// A 3–8 digit number introduced by "PIN" (also "NIP", the French acronym).
const PIN = /\b(pin|nip|passcode|pin code|pin number)\b(\s*(?:is|est|'s|:|=|#|number|no\.?|code|was|should be)?\s*)(\d{3,8})\b/gi;

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

/** Masks card numbers (keeping the last four digits), security codes and PINs; other text is unchanged. */
export function redactSensitive(text: string): Redaction {
  const kinds: SensitiveKind[] = [];
  const note = (kind: SensitiveKind) => {
    if (!kinds.includes(kind)) kinds.push(kind);
  };
  let out = text.replace(CARD_CANDIDATE, (match) => {
    const digits = match.replace(/\D/g, '');
    // A long digit run that fails the checksum is still masked when it is 15–16 digits starting like a card brand.
    const looksLikeCard = passesLuhn(digits) || (/^[3-6]/.test(digits) && digits.length >= 15 && digits.length <= 16);
    if (!looksLikeCard) return match;
    note('card_number');
    return `[card number ending ${digits.slice(-4)} removed]`;
  });
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
  return { text: out, kinds };
}

/** What the assistant tells someone who typed card data or a PIN into the chat. */
export function redactionNotice(kinds: readonly SensitiveKind[]): string {
  const names: Record<SensitiveKind, string> = { card_number: 'card number', security_code: 'security code', expiry: 'expiry date', pin: 'PIN' };
  const what = kinds.map((k) => names[k]);
  const list = what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what.at(-1)}` : what[0];
  const where = kinds.includes('pin')
    ? 'To sign in with a PIN, use the secure sign-in form instead.'
    : 'To add a card, use the portal’s secure payment form.';
  return `For your security I did not keep the ${list} you typed: it is masked in this conversation and never stored. ${where}`;
}

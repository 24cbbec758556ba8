// Portal session tokens: how a customer portal tells the widget who is signed in. A token is
// base64url(JSON {email, exp}) "." base64url(HMAC-SHA256(PORTAL_SESSION_SECRET, that first part)).
import { hmac, sameText } from './signing.js';

export interface PortalSessionClaims {
  /** The portal user's email. */
  readonly email: string;
  /** When the token stops being accepted: seconds since 1970-01-01T00:00:00Z, as in a JWT. */
  readonly exp: number;
}

/** A portal may mint tokens at most this far ahead; a few minutes is what it needs. */
export const PORTAL_TOKEN_MAX_LIFETIME_SECONDS = 24 * 60 * 60;
const MAX_TOKEN_LENGTH = 2048;

/** Mints a token, as a portal's back end does (this is for tests and the README's example). */
export function mintPortalSessionToken(secret: string, claims: PortalSessionClaims): string {
  const payload = Buffer.from(JSON.stringify({ email: claims.email, exp: claims.exp })).toString('base64url');
  return `${payload}.${hmac(secret, payload)}`;
}

export type PortalTokenCheck = { kind: 'ok'; email: string } | { kind: 'invalid'; reason: 'malformed' | 'signature' | 'expired' | 'too_long_lived' };

/** Checks a token's signature and lifetime; the caller then loads the portal user by email. */
export function verifyPortalSessionToken(secret: string, token: string, now: Date): PortalTokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { kind: 'invalid', reason: 'malformed' };
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { kind: 'invalid', reason: 'malformed' };
  // The signature is checked before the payload is even parsed.
  if (!sameText(signature, hmac(secret, payload))) return { kind: 'invalid', reason: 'signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { kind: 'invalid', reason: 'malformed' };
  }
  if (typeof claims !== 'object' || claims === null) return { kind: 'invalid', reason: 'malformed' };
  const { email, exp } = claims as Record<string, unknown>;
  if (typeof email !== 'string' || email.length === 0 || email.length > 320 || typeof exp !== 'number' || !Number.isFinite(exp)) {
    return { kind: 'invalid', reason: 'malformed' };
  }
  // No email holds a control character: refused rather than stripped, so a signed "a@b\u0000" never
  // becomes someone's "a@b" (and a NUL never reaches PostgreSQL, which refuses it in text).
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(email)) return { kind: 'invalid', reason: 'malformed' };
  const nowSeconds = now.getTime() / 1000;
  if (exp <= nowSeconds) return { kind: 'invalid', reason: 'expired' };
  if (exp > nowSeconds + PORTAL_TOKEN_MAX_LIFETIME_SECONDS) return { kind: 'invalid', reason: 'too_long_lived' };
  return { kind: 'ok', email };
}

// The web chat's small cryptography: random bearer tokens, their stored hashes, and HMAC signatures.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new bearer token: 256 random bits, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a token: its SHA-256, so a copy of the table holds nothing usable. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** HMAC-SHA256 of the text under the key, base64url. */
export function hmac(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** Compares two strings in time that depends only on their length. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A key for one purpose derived from a master secret, so one secret can sign several kinds of thing. */
export function deriveKey(secret: string, purpose: string): string {
  return hmac(secret, `telecom-support-assistant:${purpose}`);
}

// Hashing and checking of PINs and security answers: only salted hashes are ever stored, made with
// PBKDF2-SHA256 from Web Crypto so the core runs unchanged on Node and on Workers.
import { fromBase64Url, toBase64Url } from '../encoding.js';

// A 4-digit PIN has 10,000 values, so no hash cost protects it on its own: the lockout after
// failed attempts does. A moderate cost keeps seeding and sign-in quick (about 5 ms a check on a
// development machine). Each hash carries its iteration count, so the cost can be raised later; Workers
// refuse PBKDF2 above 100,000 iterations.
const SCHEME = 'pbkdf2-sha256';
const ITERATIONS = 20_000;
const MAX_ITERATIONS = 100_000;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** Checks a secret (already normalised as hashSecret does) against a stored hash of an older scheme. */
export type LegacySecretVerifier = (normalisedSecret: string, stored: string) => boolean | Promise<boolean>;

let legacyVerifier: LegacySecretVerifier | undefined;

/**
 * Lets a runtime that can check hashes of an older scheme accept them: the Node root registers one for the
 * "scrypt$…" hashes of databases made before PBKDF2 (adapters/runtime/legacy-secrets.ts). Without one, such
 * hashes never match. undefined removes it.
 */
export function setLegacySecretVerifier(verifier: LegacySecretVerifier | undefined): void {
  legacyVerifier = verifier;
}

/** Returns "pbkdf2-sha256$<iterations>$<salt>$<hash>" (base64url parts); the salt is random unless given. */
export async function hashSecret(secret: string, salt?: Uint8Array): Promise<string> {
  const saltBytes = salt ?? crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(normalise(secret), saltBytes, ITERATIONS, KEY_BYTES);
  return `${SCHEME}$${ITERATIONS}$${toBase64Url(saltBytes)}$${toBase64Url(hash)}`;
}

/** Constant-time check of a secret against a stored hash; a malformed hash never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] !== SCHEME) {
    if (!legacyVerifier || !LEGACY.test(stored)) return false;
    try {
      return (await legacyVerifier(normalise(secret), stored)) === true;
    } catch {
      return false;
    }
  }
  if (parts.length !== 4 || !/^[1-9]\d{0,8}$/.test(parts[1]!)) return false;
  const iterations = Number(parts[1]);
  const salt = fromBase64Url(parts[2]!);
  const expected = fromBase64Url(parts[3]!);
  if (iterations > MAX_ITERATIONS || !salt?.length || !expected || expected.length < 16 || expected.length > 64) {
    return false;
  }
  const actual = await derive(normalise(secret), salt, iterations, expected.length);
  return sameBytes(actual, expected);
}

/** Whether a stored hash should be replaced (after the secret verified): an older scheme or a lower cost. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith(`${SCHEME}$${ITERATIONS}$`);
}

const LEGACY = /^scrypt\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/;

async function derive(secret: string, salt: Uint8Array, iterations: number, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

/** Compares every byte without stopping at the first difference, so the time says nothing of where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

// Security answers are compared case- and space-insensitively, as people retype them.
function normalise(secret: string): string {
  return secret.trim().replace(/\s+/g, ' ').toLowerCase();
}

// Hashing and checking of PINs and security answers: only salted scrypt hashes are ever stored.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

// A 4-digit PIN has 10,000 values, so no hash cost protects it on its own: the lockout after
// failed attempts does. A moderate cost keeps seeding and sign-in quick.
const COST = 4096;
const KEY_LENGTH = 32;

/** Returns "scrypt$<salt>$<hash>" (base64url parts) for a secret; the salt is random unless given. */
export function hashSecret(secret: string, salt: Buffer = randomBytes(16)): string {
  const hash = scryptSync(normalise(secret), salt, KEY_LENGTH, { N: COST });
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Constant-time check of a secret against a stored hash; a malformed hash never matches. */
export function verifySecret(secret: string, stored: string): boolean {
  const [scheme, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const actual = scryptSync(normalise(secret), Buffer.from(saltText, 'base64url'), expected.length, { N: COST });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// Security answers are compared case- and space-insensitively, as people retype them.
function normalise(secret: string): string {
  return secret.trim().replace(/\s+/g, ' ').toLowerCase();
}

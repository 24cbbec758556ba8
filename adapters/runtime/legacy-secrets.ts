// Accepts the PIN and security-answer hashes of databases made before the core hashed with PBKDF2 from
// Web Crypto: "scrypt$<salt>$<hash>" (base64url, N=4096, 32 bytes). Node only (node:crypto), so the Node
// root imports this module for its effect; a PIN that verifies this way is re-hashed on sign-in.
import { scrypt, timingSafeEqual } from 'node:crypto';
import { setLegacySecretVerifier } from '../../src/domain/secrets.js';

const COST = 4096;

/** Checks an already-normalised secret against a "scrypt$…" hash; false for anything else. */
export async function verifyScryptSecret(normalisedSecret: string, stored: string): Promise<boolean> {
  const [scheme, saltText, hashText, extra] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText || extra !== undefined) return false;
  const expected = Buffer.from(hashText, 'base64url');
  if (expected.length === 0) return false;
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(normalisedSecret, Buffer.from(saltText, 'base64url'), expected.length, { N: COST }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
  return timingSafeEqual(actual, expected);
}

setLegacySecretVerifier(verifyScryptSecret);

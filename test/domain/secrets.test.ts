// PIN and security-answer hashes: PBKDF2 from Web Crypto, malformed hashes never match, and the scrypt hashes
// of older databases still sign in on Node (through the legacy verifier the Node root registers), re-hashed.
import { scryptSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import { verifyScryptSecret } from '../../adapters/runtime/legacy-secrets.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { createDomainContext, type DomainContext } from '../../src/domain/context.js';
import { verifyAccountPin } from '../../src/domain/identity/index.js';
import { hashSecret, needsRehash, setLegacySecretVerifier, verifySecret } from '../../src/domain/secrets.js';
import { createTestDatabase } from '../support/databases.js';

const AS_OF = '2026-11-22';

/** A hash as the core made them before PBKDF2. */
function oldScryptHash(secret: string, salt = Buffer.from('0123456789abcdef')): string {
  const hash = scryptSync(secret.trim().replace(/\s+/g, ' ').toLowerCase(), salt, 32, { N: 4096 });
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

afterEach(() => setLegacySecretVerifier(verifyScryptSecret));

describe('secrets', () => {
  it('stores PBKDF2-SHA256 with its cost, a random salt and a 32-byte hash', async () => {
    const hash = await hashSecret('2468');
    expect(hash).toMatch(/^pbkdf2-sha256\$20000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await hashSecret('2468')).not.toBe(hash);
    expect(needsRehash(hash)).toBe(false);
  });

  it('gives the same hash for the same salt, as the seeded demo data needs', async () => {
    const salt = new Uint8Array(16).fill(7);
    expect(await hashSecret('Blue Jays', salt)).toBe(await hashSecret(' blue  JAYS', salt));
  });

  it('never matches a malformed, tampered or unknown hash', async () => {
    const hash = await hashSecret('2468');
    const [scheme, iterations, salt, digest] = hash.split('$') as [string, string, string, string];
    const flipped = `${digest.slice(0, 10)}${digest[10] === 'A' ? 'B' : 'A'}${digest.slice(11)}`;
    for (const stored of [
      '',
      'not-a-hash',
      `${scheme}$${iterations}$${salt}$${flipped}`,
      `${scheme}$${iterations}$${salt}`,
      `${scheme}$${iterations}$${salt}$${digest}$extra`,
      `${scheme}$0$${salt}$${digest}`,
      `${scheme}$1000000$${salt}$${digest}`,
      `${scheme}$${iterations}$$${digest}`,
      `${scheme}$${iterations}$${salt}$${digest.slice(0, 8)}`,
      `${scheme}$${iterations}$${salt}$not*base64`,
      `md5$${iterations}$${salt}$${digest}`,
    ]) {
      expect(await verifySecret('2468', stored), stored).toBe(false);
    }
    expect(await verifySecret('2468', hash)).toBe(true);
  });

  it('checks older scrypt hashes only where a legacy verifier is registered', async () => {
    const old = oldScryptHash('Blue Jays');
    setLegacySecretVerifier(undefined);
    expect(await verifySecret('blue jays', old)).toBe(false);
    setLegacySecretVerifier(verifyScryptSecret);
    expect(await verifySecret('  Blue  jays', old)).toBe(true);
    expect(await verifySecret('red sox', old)).toBe(false);
    expect(await verifySecret('blue jays', `${old}x`)).toBe(false);
    expect(await verifySecret('blue jays', `${old}$extra`)).toBe(false);
    expect(needsRehash(old)).toBe(true);
  });
});

describe('a PIN hashed with scrypt before PBKDF2', () => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let ctx: DomainContext;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase('sqlite'));
    await seedDemoData(handle, { cdrs: 0, asOf: AS_OF });
    ctx = createDomainContext(handle.db, () => new Date(`${AS_OF}T15:00:00.000Z`));
    await handle.db
      .updateTable('accounts')
      .set({ pin_hash: oldScryptHash('2468') })
      .where('number', '=', '5000001')
      .execute();
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  const storedHash = async () =>
    (
      await handle.db
        .selectFrom('accounts')
        .select('pin_hash')
        .where('number', '=', '5000001')
        .executeTakeFirstOrThrow()
    ).pin_hash;

  it('is refused when wrong and left as it was', async () => {
    expect((await verifyAccountPin(ctx, { accountNumber: '5000001', pin: '1111' })).kind).toBe('refused');
    expect(await storedHash()).toMatch(/^scrypt\$/);
  });

  it('signs in on Node and is replaced by a PBKDF2 hash that still verifies', async () => {
    expect((await verifyAccountPin(ctx, { accountNumber: '5000001', pin: '2468' })).kind).toBe('ok');
    const rehashed = await storedHash();
    expect(rehashed).toMatch(/^pbkdf2-sha256\$/);
    expect(await verifySecret('2468', rehashed)).toBe(true);
    expect((await verifyAccountPin(ctx, { accountNumber: '5000001', pin: '2468' })).kind).toBe('ok');
  });
});

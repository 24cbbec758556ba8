import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFileLinks } from './file-links.js';

describe('signed file links', () => {
  const clock = { now: new Date('2026-11-22T15:00:00.000Z') };
  const links = createFileLinks({ secret: 'file-link-secret-0123456789abcdef0123', ttlMs: 15 * 60_000, now: () => clock.now });

  it('signs a file for its conversation until it expires, and refuses any change to the link', async () => {
    const { query, expiresAt } = await links.sign('F1le1d0000000000', 'web-abc');
    expect(expiresAt).toBe('2026-11-22T15:15:00.000Z');
    const params = new URLSearchParams(query);
    const exp = params.get('exp') ?? undefined;
    const sig = params.get('sig') ?? undefined;
    expect(await links.check('F1le1d0000000000', 'web-abc', exp, sig)).toBe('ok');
    // Links signed before this module (Node's HMAC) stay valid: the same signature, byte for byte.
    expect(sig).toBe(createHmac('sha256', 'file-link-secret-0123456789abcdef0123').update(`F1le1d0000000000.web-abc.${exp}`).digest('base64url'));
    expect(await links.check('F1le1d0000000001', 'web-abc', exp, sig)).toBe('bad_signature');
    expect(await links.check('F1le1d0000000000', 'web-other', exp, sig)).toBe('bad_signature');
    expect(await links.check('F1le1d0000000000', 'web-abc', String(Number(exp) + 60), sig)).toBe('bad_signature');
    expect(await links.check('F1le1d0000000000', 'web-abc', exp, `${sig?.slice(0, -1)}A`)).toBe('bad_signature');
    expect(await links.check('F1le1d0000000000', 'web-abc', exp, undefined)).toBe('bad_signature');
    expect(await links.check('F1le1d0000000000', 'web-abc', 'soon', sig)).toBe('bad_signature');
    clock.now = new Date('2026-11-22T15:16:00.000Z');
    expect(await links.check('F1le1d0000000000', 'web-abc', exp, sig)).toBe('expired');
  });
});

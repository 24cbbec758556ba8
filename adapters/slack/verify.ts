// Slack request signing (v0): HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the app's signing secret,
// sent as `X-Slack-Signature: v0=<hex>` with `X-Slack-Request-Timestamp`. Stale requests are refused so a
// captured request cannot be replayed later.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Requests whose timestamp is further than this from now (either way) are refused. */
export const MAX_REQUEST_AGE_SECONDS = 5 * 60;

export function signSlackRequest(secret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export type Verification = { ok: true } | { ok: false; reason: 'unsigned' | 'stale' | 'mismatch' };

export function verifySlackRequest(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  nowMs: number,
): Verification {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !signature.startsWith('v0='))
    return { ok: false, reason: 'unsigned' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_REQUEST_AGE_SECONDS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signSlackRequest(secret, timestamp, rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}

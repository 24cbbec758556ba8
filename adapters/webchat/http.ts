// How the chat API answers and reads requests: its error shape, JSON bodies cleaned at the edge, seq and
// time-zone parameters, download headers.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import type { ErrorCode } from '../../src/errors.js';

export type ErrorStatus = ContentfulStatusCode;

export function fail(c: Context, status: ErrorStatus, code: ErrorCode, message: string, headers?: Record<string, string>) {
  return c.json({ error: { code, message } }, status, headers);
}

export function tooMany(c: Context, outcome: { retryAfterSeconds: number }, message: string) {
  return fail(c, 429, 'rate_limited', message, { 'Retry-After': String(outcome.retryAfterSeconds) });
}

/** The body as `schema` says, or the 400 answer saying what is wrong with it. */
export async function readJson<T extends z.ZodType>(c: Context, schema: T, optional = false): Promise<z.infer<T> | Response> {
  const raw = await c.req.text();
  if (raw.trim() === '' && optional) return schema.parse({});
  let value: unknown;
  try {
    // NUL and other control characters in any string are dropped here, at the edge: PostgreSQL refuses
    // U+0000 in text where SQLite keeps it, and nothing downstream should see them on either engine.
    value = JSON.parse(raw, (_key, v: unknown) => (typeof v === 'string' ? withoutControlCharacters(v) : v));
  } catch {
    return fail(c, 400, 'bad_request', 'The request body must be JSON.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return fail(c, 400, 'bad_request', `${where}${issue?.message ?? 'invalid request'}`);
  }
  return parsed.data;
}

/** Text without control characters (tabs and line breaks kept). */
export function withoutControlCharacters(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

/** A seq the client last saw: absent is 0; null when it is not a whole number. */
/** Message numbers are 32-bit integers in the database; a larger "after" means "nothing newer" (no overflow error). */
export const MAX_SEQ = 2 ** 31 - 1;

export function seqParam(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return 0;
  return /^\d{1,12}$/.test(raw) ? Math.min(Number(raw), MAX_SEQ) : null;
}

/** The zone if it is a real IANA zone, else undefined. */
export function validTimeZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  return DateTime.now().setZone(zone).isValid ? zone : undefined;
}

/** A Content-Disposition that survives any file name: an ASCII fallback and the UTF-8 original. */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

// Reads a server's captured stdout/stderr after a benchmark: secrets that must never be logged (PINs, tokens,
// signing keys, card numbers), unhandled rejections and uncaught exceptions, and 5xx answers it logged.
import { readFileSync } from 'node:fs';

export interface KnownSecrets {
  /** Exact strings: signing secrets, bot tokens (substring match). */
  readonly fixed: readonly { readonly label: string; readonly value: string }[];
  /** Session and portal tokens the clients received or sent (whole-token match). */
  readonly tokens: ReadonlySet<string>;
  /** PINs: matched as whole digit runs inside logged strings, and as any value of a key named like "pin". */
  readonly pins: ReadonlySet<string>;
}

export interface SecretHit {
  readonly kind: 'secret' | 'token' | 'pin' | 'card';
  readonly label: string;
  readonly line: number;
  /** The line around the hit with the secret itself masked, so the report does not leak it again. */
  readonly excerpt: string;
}

export interface LogScan {
  readonly lines: number;
  readonly bytes: number;
  /** Hits after the start-up banner: these count against the target. */
  readonly secrets: SecretHit[];
  /** Hits inside the start-up banner, which lists the demo sign-ins (PINs included) by design. */
  readonly bannerSecrets: SecretHit[];
  /** Lines that say a promise rejection went unhandled or an exception was uncaught. */
  readonly unhandled: { line: number; text: string }[];
  /** pino level 50 (error) and 60 (fatal) lines, by message. */
  readonly errorsByMessage: Record<string, number>;
  fatal: number;
  /** Requests the server logged with a 5xx status (also those whose client was gone). */
  readonly logged5xx: { line: number; method: string; path: string; status: number; clientHungUp: boolean }[];
}

const UNHANDLED =
  /unhandledRejection|uncaughtException|UnhandledPromiseRejection|Unhandled promise rejection|triggerUncaughtException|ERR_UNHANDLED_REJECTION|FATAL ERROR|JavaScript heap out of memory/;
const TOKEN_CANDIDATE = /[A-Za-z0-9_-]{40,}(?:\.[A-Za-z0-9_-]{20,})?/g;
const DIGIT_RUN = /(?<!\d)\d{4,8}(?!\d)/g;
// 13–19 digits, possibly grouped with single spaces or dashes, as card numbers are typed.
const CARD_CANDIDATE = /(?<![\d])(?:\d[ -]?){12,18}\d(?!\d)/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function mask(text: string, secret: string): string {
  const at = text.indexOf(secret);
  const start = Math.max(0, at - 80);
  const shown = text.slice(start, at + secret.length + 80);
  return shown.split(secret).join(`[${secret.length} chars masked]`);
}

// Request ids and conversation ids are random UUIDs: their digit groups are neither PINs nor card numbers.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Scans one string value (a log field or a raw line) for every kind of secret. */
function scanText(
  raw: string,
  key: string | null,
  secrets: KnownSecrets,
  line: number,
  lineText: string,
  out: SecretHit[],
): void {
  const text = raw.replace(UUID, 'uuid');
  for (const { label, value } of secrets.fixed) {
    if (value && text.includes(value)) out.push({ kind: 'secret', label, line, excerpt: mask(lineText, value) });
  }
  for (const match of text.matchAll(TOKEN_CANDIDATE)) {
    const candidate = match[0];
    const whole = secrets.tokens.has(candidate);
    const parts = candidate.includes('.') ? candidate.split('.') : [];
    const part = parts.find((p) => secrets.tokens.has(p));
    if (whole || part)
      out.push({
        kind: 'token',
        label: 'session or portal token',
        line,
        excerpt: mask(lineText, whole ? candidate : (part as string)),
      });
  }
  const pinKey = key !== null && /pin/i.test(key);
  for (const match of text.matchAll(DIGIT_RUN)) {
    if (secrets.pins.has(match[0]) || (pinKey && text.trim() === match[0])) {
      out.push({ kind: 'pin', label: `PIN${key ? ` in "${key}"` : ''}`, line, excerpt: mask(lineText, match[0]) });
    }
  }
  for (const match of text.matchAll(CARD_CANDIDATE)) {
    const digits = match[0].replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) {
      out.push({
        kind: 'card',
        label: `Luhn-valid ${digits.length}-digit number${key ? ` in "${key}"` : ''}`,
        line,
        excerpt: mask(lineText, match[0]),
      });
    }
  }
}

/** Walks a parsed JSON log line; numbers are only suspicious under a key named like "pin" ("time" is epoch ms). */
function walk(value: unknown, key: string | null, visit: (text: string, key: string | null) => void): void {
  if (typeof value === 'string') visit(value, key);
  else if (typeof value === 'number') {
    if (key !== null && /pin|card|token|secret/i.test(key)) visit(String(value), key);
  } else if (Array.isArray(value)) for (const item of value) walk(item, key, visit);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, null);
      walk(v, k, visit);
    }
  }
}

export function scanLogFile(path: string, secrets: KnownSecrets): LogScan {
  const raw = readFileSync(path, 'utf8');
  const lines = raw.split('\n');
  const result: LogScan = {
    lines: lines.length,
    bytes: Buffer.byteLength(raw),
    secrets: [],
    bannerSecrets: [],
    unhandled: [],
    errorsByMessage: {},
    fatal: 0,
    logged5xx: [],
  };
  // Requests whose body never fully arrived ("aborted", ECONNRESET): logged as 500 though nobody got an answer.
  const hungUp = new Set<string>();
  // The banner runs from "Support Assistant is running." to "Press Ctrl-C to stop." (each start prints one).
  let inBanner = false;
  lines.forEach((text, index) => {
    const line = index + 1;
    if (text.trim() === '') return;
    if (text.includes('Support Assistant is running.')) inBanner = true;
    const out = inBanner ? result.bannerSecrets : result.secrets;
    if (text.includes('Press Ctrl-C to stop.')) inBanner = false;
    if (UNHANDLED.test(text)) result.unhandled.push({ line, text: text.slice(0, 400) });
    let parsed: unknown;
    if (text.startsWith('{')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (parsed && typeof parsed === 'object') {
      const entry = parsed as Record<string, unknown>;
      const level = typeof entry.level === 'number' ? entry.level : 0;
      const err = entry.err as { message?: unknown; code?: unknown } | undefined;
      if (typeof entry.requestId === 'string' && err?.message === 'aborted' && err.code === 'ECONNRESET')
        hungUp.add(entry.requestId);
      if (level >= 50) {
        const message = `${String(entry.msg ?? '(no message)')}${typeof err?.message === 'string' ? `: ${err.message.slice(0, 100)}` : ''}`;
        result.errorsByMessage[message] = (result.errorsByMessage[message] ?? 0) + 1;
        if (level >= 60) result.fatal += 1;
      }
      if (entry.msg === 'request' && typeof entry.status === 'number' && entry.status >= 500) {
        result.logged5xx.push({
          line,
          method: String(entry.method),
          path: String(entry.path),
          status: entry.status,
          clientHungUp: typeof entry.requestId === 'string' && hungUp.has(entry.requestId),
        });
      }
      walk(entry, null, (value, key) => scanText(value, key, secrets, line, text, out));
    } else {
      scanText(text, null, secrets, line, text, out);
    }
  });
  return result;
}

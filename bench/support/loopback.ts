// The fault and load benchmarks send floods and garbage: they refuse any target that is not this machine.
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(bare)) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/** Throws unless the URL (http, ws or postgres) points at loopback. */
export function assertLoopbackUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${what}: ${JSON.stringify(raw)} is not a URL`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new Error(
      `${what}: refusing ${url.hostname}: this benchmark only runs against loopback (127.0.0.1, ::1, localhost)`,
    );
  }
  return url;
}

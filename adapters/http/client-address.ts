// Who is calling, for abuse limits: the connection's address, or the one a trusted reverse proxy reports.
import type { Context } from 'hono';

/** The address of the connection a request came on; the runtime provides it (undefined when it can't). */
export type ConnectionAddress = (c: Context) => string | undefined;

/**
 * The client's address as a limit key. A proxy header is believed only when configured (anyone can send
 * one), and then its last value, the one our own proxy wrote. IPv6 clients are grouped by their /64,
 * which one subscriber usually holds whole; an IPv4 address inside IPv6 is read as IPv4.
 */
export function clientAddressOf(c: Context, options: { trustedProxyHeader: string | null; connectionAddress?: ConnectionAddress }): string {
  let address: string | undefined;
  if (options.trustedProxyHeader) {
    address = c.req
      .header(options.trustedProxyHeader)
      ?.split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .at(-1);
  } else {
    try {
      address = options.connectionAddress?.(c);
    } catch {
      // No socket behind this request (an in-process call): one shared key.
      address = undefined;
    }
  }
  return normaliseAddress(address);
}

export function normaliseAddress(raw: string | undefined): string {
  if (!raw) return 'unknown';
  let address = raw.trim().toLowerCase();
  if (address.startsWith('[')) address = address.slice(1, address.indexOf(']') > 0 ? address.indexOf(']') : undefined);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (/^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$/.test(address)) return address.replace(/:\d+$/, '');
  if (address.includes(':')) return `${ipv6Prefix64(address)}::/64`;
  // Not an address (a misconfigured header): kept as given, bounded, so it still counts as one client.
  return address.slice(0, 64);
}

/** The first four groups of an IPv6 address, with '::' expanded. */
function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [''];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':');
}

// Signed download links for the files kept in conversations: any channel can hand one out (the web chat in
// its messages, Teams or Slack in a card) and the service checks it without a session. HMAC-SHA256 over the
// file, its conversation and the expiry, with Web Crypto so the core runs anywhere.
import { fromBase64Url, toBase64Url } from '../encoding.js';

export type FileLinkCheck = 'ok' | 'expired' | 'bad_signature';

export interface FileLinks {
  /** The query (`exp=…&sig=…`) that makes a link to this file valid until `expiresAt`. */
  sign(fileId: string, conversationId: string): Promise<{ query: string; expiresAt: string }>;
  check(fileId: string, conversationId: string, exp: string | undefined, sig: string | undefined): Promise<FileLinkCheck>;
}

export function createFileLinks(options: { secret: string; ttlMs: number; now: () => Date }): FileLinks {
  const key = crypto.subtle.importKey('raw', new TextEncoder().encode(options.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const signatureOf = async (text: string) => toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', await key, new TextEncoder().encode(text))));
  return {
    async sign(fileId, conversationId) {
      const exp = Math.floor((options.now().getTime() + options.ttlMs) / 1000);
      const sig = await signatureOf(`${fileId}.${conversationId}.${exp}`);
      return { query: `exp=${exp}&sig=${sig}`, expiresAt: new Date(exp * 1000).toISOString() };
    },
    async check(fileId, conversationId, exp, sig) {
      if (!exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'bad_signature';
      // verify() compares in constant time.
      const bytes = fromBase64Url(sig);
      if (!bytes) return 'bad_signature';
      const valid = await crypto.subtle.verify('HMAC', await key, bytes, new TextEncoder().encode(`${fileId}.${conversationId}.${exp}`));
      if (!valid) return 'bad_signature';
      return Number(exp) * 1000 > options.now().getTime() ? 'ok' : 'expired';
    },
  };
}

// The chat API's middleware: which page origins may use it (CORS, and the WebSocket's Origin), headers on
// every answer, the body limit, and the session a bearer token stands for.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { fail } from './http.js';
import { MAX_BODY_BYTES } from './options.js';
import type { SessionLookup, Signed } from './session-lookup.js';

/** Routes behind `requireSession` find the session in `c.var.signed`. */
export type ChatEnv = { Variables: { signed: Signed } };

/** The service's own origin (the same host, whichever scheme a proxy terminates), or one allowed. */
export function originCheck(allowedOrigins: readonly string[]): (c: Context, origin: string | undefined) => boolean {
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/$/, '')));
  return (c, origin) => {
    if (!origin) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    return url.host === host || allowed.has(url.origin);
  };
}

/** CORS for the chat API: answered only for the allowed origins. */
export function chatCors(originAllowed: (c: Context, origin: string | undefined) => boolean): MiddlewareHandler {
  return cors({
    origin: (origin, c) => (originAllowed(c, origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    exposeHeaders: ['Content-Disposition', 'Retry-After'],
    maxAge: 600,
  });
}

/** Chat answers are private and typed: never cached, never sniffed. */
export function chatHeaders(): MiddlewareHandler {
  return async function chatHeaders(c, next) {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
  };
}

/** Request bodies are small JSON: anything larger is refused before it is read. */
export function jsonBodyLimit(): MiddlewareHandler {
  return bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => fail(c, 413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KB; messages to 4 KB.`),
  });
}

/** The bearer token of a request, if it carries one. */
export function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * The request's session (`c.var.signed`), or 401. `touch`: the request counts as activity (moves the idle
 * clock); reading messages or following the stream does not.
 */
export function requireSession(lookup: SessionLookup, options: { readonly touch: boolean }): MiddlewareHandler<ChatEnv> {
  return createMiddleware<ChatEnv>(async (c, next) => {
    const signed = await lookup.signedFor(bearer(c), options.touch);
    if (!signed) return fail(c, 401, 'unauthorized', 'No chat session, or it has ended. Start a new one with POST /chat/sessions.');
    c.set('signed', signed);
    await next();
  });
}

// The chat in real time: GET /chat/events (server-sent events) and GET /chat/ws (WebSocket: hello, then
// messages and button presses in; ready, messages, typing and errors out). Both follow the conversation
// through the hub, resuming after the last seq the client saw.
import type { Context } from 'hono';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { WSContext, WSEvents } from 'hono/ws';
import { z } from 'zod';
import { CHAT_TEXT_BY_CODE } from '../../../src/errors.js';
import type { WireEvent } from '../hub.js';
import { type ErrorStatus, fail, MAX_SEQ, seqParam, tooMany, withoutControlCharacters } from '../http.js';
import { type ChatEnv, requireSession } from '../middleware.js';
import type { WebChatDeps } from '../options.js';
import type { SessionView } from '../session-lookup.js';
import type { TurnInput } from '../turns.js';

const Frame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), token: z.string().max(256), after: z.number().int().min(0).transform((v) => Math.min(v, MAX_SEQ)).optional() }).strict(),
  z.object({ type: z.literal('message'), text: z.string(), timeZone: z.string().max(64).optional() }).strict(),
  z.object({ type: z.literal('action'), value: z.string().min(1).max(512), timeZone: z.string().max(64).optional() }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);

const TOO_MANY_FROM_CLIENT = 'Too many chat connections are open from your network. Please close some and try again.';
const TOO_MANY_WINDOWS = 'This chat is already open in too many windows. Close one, or reload this page.';

export function realtimeRoutes(deps: WebChatDeps): Hono<ChatEnv> {
  const { lookup, hub, clientLimits, options } = deps;
  const app = new Hono<ChatEnv>();

  app.get('/chat/events', requireSession(lookup, { touch: false }), async (c) => {
    const signed = c.var.signed;
    const after = seqParam(c.req.header('last-event-id') ?? c.req.query('after'));
    if (after === null) return fail(c, 400, 'bad_request', 'after (or Last-Event-ID) must be a whole number (the last seq you have).');
    const client = clientLimits.clientOf(c);
    const place = clientLimits.openStream(signed.session.id, client);
    if (place !== 'ok') return tooMany(c, { retryAfterSeconds: 30 }, place === 'session_full' ? TOO_MANY_WINDOWS : TOO_MANY_FROM_CLIENT);
    let view: SessionView;
    try {
      view = await lookup.view(signed.token, signed.session, signed.actor);
    } catch (error) {
      clientLimits.closeStream(signed.session.id, client);
      throw error;
    }
    const { token: _token, ...ready } = view;
    return streamSSE(c, async (stream) => {
      let finish = () => {};
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ type: 'ready', session: ready }) });
      const unsubscribe = hub.subscribe({
        sessionId: signed.session.id,
        conversationId: signed.session.conversationId,
        cursor: after,
        send: (event) =>
          stream.writeSSE({ event: event.type, data: JSON.stringify(event), ...(event.type === 'message' ? { id: String(event.message.seq) } : {}) }),
        close: () => finish(),
      });
      stream.onAbort(() => {
        unsubscribe();
        finish();
      });
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => finish()), 15_000);
      await finished;
      clearInterval(keepAlive);
      unsubscribe();
      clientLimits.closeStream(signed.session.id, client);
    });
  });

  app.get('/chat/ws', async (c: Context) => {
    if (!options.upgradeWebSocket) {
      return fail(c, 404, 'not_found', 'WebSockets are not available here; use GET /chat/events for server-sent events.');
    }
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      return fail(c, 426 as ErrorStatus, 'bad_request', 'This is the chat WebSocket: connect with a WebSocket client (Upgrade: websocket).');
    }
    if (!deps.originAllowed(c, c.req.header('origin'))) {
      deps.logger?.warn({ origin: c.req.header('origin') ?? null }, 'web chat: WebSocket refused for its Origin');
      return fail(c, 403, 'forbidden', 'This page is not allowed to open the chat.');
    }
    // A session's share is checked at hello, when the socket says which session it is.
    const client = clientLimits.clientOf(c);
    if (clientLimits.socketsFull(client)) return tooMany(c, { retryAfterSeconds: 30 }, TOO_MANY_FROM_CLIENT);
    return options.upgradeWebSocket(c, socketEvents(deps, client));
  });

  return app;
}

/** One socket's life: it counts for its client at open, says hello with its token, then sends frames in order. */
function socketEvents(deps: WebChatDeps, client: string): WSEvents {
  const { lookup, hub, clientLimits, turns, logger, options } = deps;
  let counted: { sessionId: string | null } | undefined;
  let token: string | undefined;
  let sessionId: string | undefined;
  let unsubscribe: (() => void) | undefined;
  let helloTimer: ReturnType<typeof setTimeout> | undefined;
  // The socket's frames are read one at a time, in order (a turn is handed to the engine before the next frame).
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  const send = (ws: WSContext, event: WireEvent | { type: 'pong' }) => {
    if (!closed && ws.readyState === 1) ws.send(JSON.stringify(event));
  };
  const release = () => {
    if (counted) clientLimits.closeStream(counted.sessionId, client);
    counted = undefined;
  };
  const close = (ws: WSContext, code: number, reason: string) => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    release();
    ws.close(code, reason);
  };

  async function onFrame(data: unknown, ws: WSContext): Promise<void> {
    if (closed) return;
    if (typeof data !== 'string') return close(ws, 1003, 'malformed frame: text frames only');
    let json: unknown;
    try {
      // As for HTTP bodies: control characters are dropped at the edge, identically on both engines.
      json = JSON.parse(data, (_key, v: unknown) => (typeof v === 'string' ? withoutControlCharacters(v) : v));
    } catch {
      return close(ws, 1007, 'malformed frame: not JSON');
    }
    const parsed = Frame.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return close(ws, 1007, `malformed frame: ${issue?.path.join('.') || 'type'} ${issue?.message ?? ''}`.slice(0, 120));
    }
    const frame = parsed.data;
    if (frame.type === 'ping') return send(ws, { type: 'pong' });
    if (frame.type === 'hello') {
      if (sessionId) return close(ws, 1008, 'hello was already said');
      const signed = await lookup.signedFor(frame.token, true);
      if (closed) return;
      if (!signed) {
        send(ws, { type: 'session_ended', reason: 'unknown or expired session' });
        return close(ws, 4001, 'no such session');
      }
      clearTimeout(helloTimer);
      // The socket counted for its client at open; now it counts for its session too.
      release();
      const place = clientLimits.openStream(signed.session.id, client);
      if (place !== 'ok') {
        send(ws, { type: 'error', code: 'rate_limited', message: TOO_MANY_WINDOWS });
        return close(ws, 4029, place === 'session_full' ? 'too many sockets for this session' : 'too many sockets from this client');
      }
      counted = { sessionId: signed.session.id };
      token = frame.token;
      sessionId = signed.session.id;
      const { token: _token, ...ready } = await lookup.view(signed.token, signed.session, signed.actor);
      send(ws, { type: 'ready', session: ready });
      unsubscribe = hub.subscribe({
        sessionId: signed.session.id,
        conversationId: signed.session.conversationId,
        cursor: frame.after ?? 0,
        send: (event) => send(ws, event),
        close: (code, reason) => close(ws, code, reason),
      });
      return;
    }
    if (!token) return close(ws, 1008, 'say hello first');
    const signed = await lookup.signedFor(token, true);
    if (!signed) {
      send(ws, { type: 'session_ended', reason: 'expired' });
      return close(ws, 4001, 'session ended');
    }
    const input: TurnInput = frame.type === 'message' ? { text: frame.text, timeZone: frame.timeZone } : { action: frame.value, timeZone: frame.timeZone };
    const refused = await turns.admit(signed, input, client);
    if (refused) return send(ws, { type: 'error', code: refused.code, message: refused.message, ...(refused.retryAfterMs ? { retryAfterMs: refused.retryAfterMs } : {}) });
    // The turn runs beside later frames (a ping, another message), which the engine queues in order.
    void turns
      .converse(signed, input, client)
      .then((result) => {
        if (result.notice) send(ws, { type: 'error', code: 'refused', message: result.notice });
      })
      .catch((error) => {
        logger?.error({ err: error }, 'web chat: the turn failed');
        send(ws, { type: 'error', code: 'internal', message: CHAT_TEXT_BY_CODE.internal });
      });
  }

  return {
    onOpen(_event, ws) {
      if (clientLimits.openStream(null, client) !== 'ok') {
        send(ws, { type: 'error', code: 'rate_limited', message: TOO_MANY_FROM_CLIENT });
        return close(ws, 4029, 'too many sockets from this client');
      }
      counted = { sessionId: null };
      helloTimer = setTimeout(() => close(ws, 4000, 'no hello'), options.helloTimeoutMs ?? 10_000);
    },
    onMessage(event, ws) {
      queue = queue
        .then(() => onFrame(event.data, ws))
        .catch((error) => {
          logger?.error({ err: error }, 'web chat: socket frame failed');
          close(ws, 1011, 'internal error');
        });
    },
    onClose() {
      closed = true;
      clearTimeout(helloTimer);
      unsubscribe?.();
      release();
    },
  };
}

// The web chat channel: sessions, sign-in, messages over HTTP, WebSocket and server-sent events, files,
// transcripts and the widget script, as Hono routes any runtime can mount (createApp's `webChat`).
import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { WSContext, WSEvents } from 'hono/ws';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { INTENT_PREFIX } from '../../src/conversation/dialog/turn.js';
import type { ChannelDeliverer } from '../../src/conversation/channel.js';
import type { ConversationEngine } from '../../src/conversation/engine.js';
import type { ReplyAction } from '../../src/conversation/reply.js';
import type { Actor } from '../../src/domain/actor.js';
import { ANONYMOUS } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import { loadCustomerActor, loadPinActor, loadPortalUserActor, verifyAccountPin } from '../../src/domain/identity/index.js';
import { CHAT_TEXT_BY_CODE, type ErrorCode } from '../../src/errors.js';
import { type AbuseLimits, DEFAULT_ABUSE_LIMITS } from '../../src/config.js';
import type { ConnectionAddress } from '../http/client-address.js';
import { createClientLimits } from './client-limits.js';
import { createHub, type Hub, type WireEvent } from './hub.js';
import {
  appendMessage,
  checkFileUrl,
  type FileLinks,
  lastSeq,
  latestBotMessageSeq,
  MAX_MESSAGES_PER_READ,
  readFile,
  readMessages,
  storeFiles,
  type WireMessage,
} from './messages.js';
import { webChatComponents, webChatOpenApiPaths } from './openapi.js';
import { verifyPortalSessionToken } from './portal-token.js';
import { type ChatSession, createSessionStore, type SessionIdentity } from './sessions.js';
import { renderTranscriptText, type TranscriptLine, transcriptLines } from './transcript.js';

/** Longest message a visitor may send, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 4096;
/** Largest request body (JSON) the chat API reads. */
const MAX_BODY_BYTES = 16 * 1024;

/** Upgrades a request to a WebSocket: on Node, @hono/node-ws's upgradeWebSocket, injected by the Node root. */
export type UpgradeToWebSocket = (c: Context, events: WSEvents) => Response | Promise<Response>;

export interface WebChatLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface WebChatOptions {
  readonly ctx: DomainContext;
  readonly engine: ConversationEngine;
  /** HMAC key of the session tokens a portal hands the widget. */
  readonly portalSessionSecret: string;
  /** HMAC key of file download links. */
  readonly fileUrlSecret: string;
  /** Page origins allowed besides the service's own (same host). */
  readonly allowedOrigins?: readonly string[];
  readonly sessionIdleMinutes?: number;
  readonly sessionMaxHours?: number;
  readonly fileUrlMinutes?: number;
  /** Files sent in chats are deleted this many days after they were sent. Default 30. */
  readonly fileRetentionDays?: number;
  /** Messages (and sign-in attempts) per session in a window; applies while `limits` is on. */
  readonly rateLimit?: { readonly messages: number; readonly windowSeconds: number };
  /** Per-client, per-socket and handoff limits; undefined: the defaults; null: every limit off (load benchmarks). */
  readonly limits?: AbuseLimits | null;
  /** The address of a request's connection (the runtime's conninfo), for per-client limits. */
  readonly connectionAddress?: ConnectionAddress;
  /** Lays a transcript out as a PDF (transcript-pdf.ts on Node); without it only text transcripts are offered. */
  readonly renderTranscriptPdf?: (lines: readonly TranscriptLine[]) => Promise<Uint8Array>;
  /** The widget's JavaScript, served at /widget.js. */
  readonly widgetScript: string;
  /** Absent where the runtime has no WebSocket support: clients then use /chat/events. */
  readonly upgradeWebSocket?: UpgradeToWebSocket;
  /** How often open sockets and streams look for messages written elsewhere, and for expired sessions. */
  readonly pollMs?: number;
  /** How long a new socket may wait before saying hello. */
  readonly helloTimeoutMs?: number;
  readonly logger?: WebChatLogger;
}

export interface WebChat {
  /** The routes, to mount at the root of the service. */
  readonly routes: Hono;
  /** The OpenAPI 3.1 path items and components of these routes, for the service's /openapi.json. */
  readonly openApi: { readonly paths: Record<string, unknown>; readonly components: Record<string, Record<string, unknown>> };
  /** Something was written to a conversation outside a chat turn (an agent's message): push it to its followers. */
  notify(conversationId: string): void;
  /** The core's outbound port: a stored message is pushed to the conversation's open sockets and streams. */
  readonly deliverer: ChannelDeliverer;
  /** Closes every socket and stream (at shutdown). */
  close(): void;
  /** Open sockets and streams, for tests and health. */
  readonly followers: number;
}

type ErrorStatus = ContentfulStatusCode;

interface Signed {
  readonly token: string;
  readonly session: ChatSession;
  readonly actor: Actor;
}

const MessageBody = z
  .object({
    text: z.string().optional(),
    action: z.string().min(1).max(512).optional(),
    timeZone: z.string().max(64).optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.action === undefined), { message: 'send either text or action' });

const SignInBody = z.union([
  z.object({ accountNumber: z.string().max(40), pin: z.string().max(40) }).strict(),
  z.object({ portalToken: z.string().max(2048) }).strict(),
]);

const StartBody = z.object({ portalToken: z.string().max(2048).optional() }).strict();

const Frame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), token: z.string().max(256), after: z.number().int().min(0).optional() }).strict(),
  z.object({ type: z.literal('message'), text: z.string(), timeZone: z.string().max(64).optional() }).strict(),
  z.object({ type: z.literal('action'), value: z.string().min(1).max(512), timeZone: z.string().max(64).optional() }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);

export function createWebChat(options: WebChatOptions): WebChat {
  const { ctx, engine } = options;
  const { db } = ctx;
  const now = ctx.now;
  const logger = options.logger;
  const sessions = createSessionStore(
    db,
    { idleMs: (options.sessionIdleMinutes ?? 30) * 60_000, maxMs: (options.sessionMaxHours ?? 12) * 3_600_000 },
    now,
  );
  const links: FileLinks = { secret: options.fileUrlSecret, ttlMs: (options.fileUrlMinutes ?? 15) * 60_000, now };
  const limit = options.rateLimit ?? { messages: 20, windowSeconds: 10 };
  const limits = options.limits === undefined ? DEFAULT_ABUSE_LIMITS : options.limits;
  const { clientOf, allow, openStream, closeStream, socketsFull } = createClientLimits(ctx, limits, options.connectionAddress);
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => o.replace(/\/$/, '')));
  const hub: Hub = createHub({
    load: (conversationId, after) => readMessages(db, links, conversationId, after),
    isLive: (sessionId) => sessions.isLive(sessionId),
    pollMs: options.pollMs ?? 3000,
    onError: (error) => logger?.error({ err: error }, 'web chat: delivering messages failed'),
  });
  let lastPurge = 0;

  // ---- helpers -------------------------------------------------------------------------------

  function fail(c: Context, status: ErrorStatus, code: ErrorCode, message: string, headers?: Record<string, string>) {
    return c.json({ error: { code, message } }, status, headers);
  }

  function tooMany(c: Context, outcome: { retryAfterSeconds: number }, message: string) {
    return fail(c, 429, 'rate_limited', message, { 'Retry-After': String(outcome.retryAfterSeconds) });
  }

  /** The service's own origin (the same host, whichever scheme a proxy terminates), or one allowed. */
  function originAllowed(c: Context, origin: string | undefined): boolean {
    if (!origin) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    return url.host === host || allowedOrigins.has(url.origin);
  }

  function bearer(c: Context): string | undefined {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    return match?.[1];
  }

  async function actorOf(session: ChatSession): Promise<Actor | null> {
    switch (session.identity) {
      case 'anonymous':
        return ANONYMOUS;
      case 'portal':
        return session.portalUserId === null ? null : loadPortalUserActor(ctx, session.portalUserId);
      case 'pin':
        return session.accountId === null ? null : loadPinActor(ctx, session.accountId);
    }
  }

  /** The session and actor of a token; null when the session has ended (or its person may no longer sign in). */
  async function signedFor(token: string | undefined, touch: boolean): Promise<Signed | null> {
    if (!token) return null;
    const session = await sessions.find(token, { touch });
    if (!session) return null;
    const actor = await actorOf(session);
    if (!actor) {
      await sessions.end(session.id);
      return null;
    }
    return { token, session, actor };
  }

  async function requireSession(c: Context, touch: boolean): Promise<Signed | Response> {
    const signed = await signedFor(bearer(c), touch);
    return signed ?? fail(c, 401, 'unauthorized', 'No chat session, or it has ended. Start a new one with POST /chat/sessions.');
  }

  async function sessionView(token: string, session: ChatSession, actor: Actor) {
    let signedIn: { via: 'portal' | 'pin'; label: string; account?: string } | null = null;
    if (actor.kind === 'customer' && actor.pinAccount) {
      const account = await db.selectFrom('accounts').select('name').where('id', '=', actor.pinAccount.id).executeTakeFirst();
      signedIn = { via: 'pin', account: actor.pinAccount.number, label: `${account?.name ?? 'Account'} · ${actor.pinAccount.number}` };
    } else if (actor.kind === 'customer') {
      signedIn = { via: 'portal', label: actor.email };
    }
    return {
      token,
      conversationId: session.conversationId,
      signedIn,
      expiresAt: session.expiresAt,
      idleTimeoutSeconds: Math.round(sessions.idleMs / 1000),
      lastSeq: await lastSeq(db, session.conversationId),
      maxMessageBytes: MAX_MESSAGE_BYTES,
    };
  }

  function identityOf(actor: Actor): SessionIdentity {
    if (actor.kind === 'customer' && actor.pinAccount) return { identity: 'pin', portalUserId: null, accountId: actor.pinAccount.id };
    if (actor.kind === 'customer' && actor.userId !== null) return { identity: 'portal', portalUserId: actor.userId, accountId: null };
    return { identity: 'anonymous', portalUserId: null, accountId: null };
  }

  const sameIdentity = (a: SessionIdentity, b: SessionIdentity) =>
    a.identity === b.identity && a.portalUserId === b.portalUserId && a.accountId === b.accountId;

  /** The conversation row, made now if no message has been sent yet (the engine adopts it later). */
  async function ensureConversation(conversationId: string, actor: Actor): Promise<void> {
    const at = now().toISOString();
    await db
      .insertInto('conversations')
      .values({
        id: conversationId,
        channel: 'web',
        external_ref: null,
        portal_user_id: actor.kind === 'customer' ? actor.userId : null,
        staff_id: null,
        account_in_focus_id: null,
        state: JSON.stringify({ misunderstandings: 0 }),
        state_version: 0,
        status: 'bot',
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async function purgeNowAndThen(): Promise<void> {
    if (now().getTime() - lastPurge < 10 * 60_000) return;
    lastPurge = now().getTime();
    await sessions.purge().catch((error) => logger?.warn({ err: error }, 'web chat: purging old sessions failed'));
    // Reports and invoices sent in chats are customer data: they are not kept longer than needed.
    const keepFrom = new Date(now().getTime() - (options.fileRetentionDays ?? 30) * 86_400_000).toISOString();
    await db
      .deleteFrom('chat_files')
      .where('created_at', '<', keepFrom)
      .execute()
      .catch((error) => logger?.warn({ err: error }, 'web chat: purging old files failed'));
  }

  function validTimeZone(zone: string | undefined): string | undefined {
    if (!zone) return undefined;
    return DateTime.now().setZone(zone).isValid ? zone : undefined;
  }

  // ---- conversation turns ----------------------------------------------------------------------

  const turns = new Map<string, Promise<unknown>>();
  const working = new Map<string, number>();

  /** One turn at a time per conversation, so a reply's files attach to that reply's message. */
  function serially<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    const previous = turns.get(conversationId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(work);
    turns.set(conversationId, next);
    return next.finally(() => {
      if (turns.get(conversationId) === next) turns.delete(conversationId);
    });
  }

  type TurnInput = { text?: string; action?: string; timeZone?: string };
  type TurnRefusal = { kind: 'refused'; status: ErrorStatus; code: ErrorCode; message: string; retryAfterMs?: number };

  /** Checks a message against the size and flood limits before it reaches the engine. */
  async function admit(signed: Signed, input: TurnInput, client: string): Promise<TurnRefusal | null> {
    if (input.text !== undefined) {
      const bytes = Buffer.byteLength(input.text, 'utf8');
      if (bytes > MAX_MESSAGE_BYTES) {
        return {
          kind: 'refused',
          status: 413,
          code: 'payload_too_large',
          message: `That message is too long: ${bytes.toLocaleString('en')} bytes, and the limit is 4 KB (${MAX_MESSAGE_BYTES.toLocaleString('en')} bytes). Please shorten it or send it in parts.`,
        };
      }
    }
    const taken = await allow([
      { key: `messages:session:${signed.session.id}`, limit: limit.messages, windowSeconds: limit.windowSeconds },
      { key: `messages:client:${client}`, limit: limits?.clientMessagesPerMinute ?? 0, windowSeconds: 60 },
    ]);
    if (!taken.ok) {
      const fromSession = taken.key.startsWith('messages:session:');
      return {
        kind: 'refused',
        status: 429,
        code: 'rate_limited',
        message: fromSession
          ? `You're sending messages faster than I can answer (at most ${limit.messages} every ${limit.windowSeconds} seconds). Please wait a moment.`
          : `Too many messages are coming from your network right now. Please wait ${taken.retryAfterSeconds} seconds and try again.`,
        retryAfterMs: taken.retryAfterSeconds * 1000,
      };
    }
    return null;
  }

  async function converse(signed: Signed, input: TurnInput, client: string): Promise<{ kind: 'ok'; messages: WireMessage[]; notice?: string }> {
    const conversationId = signed.session.conversationId;
    working.set(conversationId, (working.get(conversationId) ?? 0) + 1);
    if (working.get(conversationId) === 1) hub.typing(conversationId, true);
    try {
      return await serially(conversationId, async () => {
        const before = await lastSeq(db, conversationId);
        const reply = await engine.handleMessage(
          { channel: 'web', conversationId, text: input.text, action: input.action, timeZone: validTimeZone(input.timeZone), client },
          signed.actor,
        );
        if (reply.files?.length) {
          const seq = await latestBotMessageSeq(db, conversationId, before);
          if (seq !== null) await storeFiles(db, conversationId, seq, reply.files, now());
        }
        const messages = await readMessages(db, links, conversationId, before);
        // The engine stores nothing when it refuses a conversation; its words still reach the visitor.
        // A notice (an agent has the conversation) is said now and not kept.
        return { kind: 'ok' as const, messages, ...((messages.length === 0 || reply.notice) && reply.text ? { notice: reply.text } : {}) };
      });
    } finally {
      hub.notify(conversationId);
      const left = (working.get(conversationId) ?? 1) - 1;
      if (left <= 0) {
        working.delete(conversationId);
        hub.typing(conversationId, false);
      } else working.set(conversationId, left);
    }
  }

  // ---- sign-in -----------------------------------------------------------------------------------

  type SignInOutcome = { kind: 'ok'; actor: Actor } | { kind: 'refused'; status: ErrorStatus; code: ErrorCode; message: string };

  async function checkCredentials(body: z.infer<typeof SignInBody>): Promise<SignInOutcome> {
    if ('portalToken' in body) {
      const check = verifyPortalSessionToken(options.portalSessionSecret, body.portalToken, now());
      const actor = check.kind === 'ok' ? await loadCustomerActor(ctx, check.email) : null;
      if (!actor) {
        if (check.kind !== 'ok') logger?.warn({ reason: check.reason }, 'web chat: portal session token refused');
        return { kind: 'refused', status: 401, code: 'unauthorized', message: 'Your portal sign-in could not be confirmed. Please sign in to the portal again, or use your account number and PIN.' };
      }
      return { kind: 'ok', actor };
    }
    const result = await verifyAccountPin(ctx, { accountNumber: body.accountNumber, pin: body.pin });
    if (result.kind === 'invalid') return { kind: 'refused', status: 400, code: 'bad_request', message: result.message };
    if (result.kind === 'refused') return { kind: 'refused', status: 401, code: 'unauthorized', message: result.message };
    return { kind: 'ok', actor: result.value };
  }

  /** Binds the person to the session under a new token; a different person than before gets a new conversation. */
  async function signIn(signed: Signed, actor: Actor) {
    const who = identityOf(actor);
    const before = identityOf(signed.actor);
    const keep = before.identity === 'anonymous' || sameIdentity(before, who);
    const conversationId = keep ? signed.session.conversationId : `web-${randomUUID()}`;
    const rotated = await sessions.rotate(signed.session, conversationId, who);
    hub.endSession(signed.session.id, 4001, 'session token replaced at sign-in');
    await ensureConversation(conversationId, actor);
    await appendMessage(db, conversationId, { author: 'system', text: await welcomeText(actor), payload: { event: 'signed_in', quickReplies: WELCOME_OPTIONS } }, now());
    if (keep) await answerWaitingQuestion(conversationId, actor);
    hub.notify(conversationId);
    return sessionView(rotated.token, rotated.session, actor);
  }

  /** The question that needed the sign-in is answered now, without the visitor asking again. */
  async function answerWaitingQuestion(conversationId: string, actor: Actor): Promise<void> {
    if (!engine.resumeAfterSignIn) return;
    try {
      await serially(conversationId, async () => {
        const before = await lastSeq(db, conversationId);
        const reply = await engine.resumeAfterSignIn?.(conversationId, actor);
        if (reply?.files?.length) {
          const seq = await latestBotMessageSeq(db, conversationId, before);
          if (seq !== null) await storeFiles(db, conversationId, seq, reply.files, now());
        }
      });
    } catch (error) {
      // The sign-in itself succeeded; the visitor can still ask again.
      logger?.error({ err: error }, 'web chat: answering the question asked before sign-in failed');
    }
  }

  async function welcomeText(actor: Actor): Promise<string> {
    if (actor.kind !== 'customer') return "You're signed in.";
    const count = actor.accountIds.size;
    const others = count > 1 ? ` and its ${count - 1} sub-account${count === 2 ? '' : 's'}` : '';
    if (actor.pinAccount) {
      const account = await db.selectFrom('accounts').select('name').where('id', '=', actor.pinAccount.id).executeTakeFirst();
      return `You're signed in with account ${actor.pinAccount.number}${account ? ` (${account.name})` : ''}: I can help with it${others}. What would you like to know?`;
    }
    return `You're signed in as ${actor.email}, with ${count} account${count === 1 ? '' : 's'}. What would you like to know?`;
  }

  // ---- routes ------------------------------------------------------------------------------------

  const app = new Hono();

  app.use(
    '/chat/*',
    cors({
      origin: (origin, c) => (originAllowed(c, origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
      exposeHeaders: ['Content-Disposition', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use('/chat/*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
  });
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => fail(c, 413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KB; messages to 4 KB.`),
  });

  async function readJson<T extends z.ZodType>(c: Context, schema: T, optional = false): Promise<z.infer<T> | Response> {
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

  app.get('/widget.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(options.widgetScript);
  });

  app.post('/chat/sessions', limitBody, async (c) => {
    const body = await readJson(c, StartBody, true);
    if (body instanceof Response) return body;
    void purgeNowAndThen();
    const existing = await signedFor(bearer(c), true);
    if (existing) {
      if (!body.portalToken) return c.json(await sessionView(existing.token, existing.session, existing.actor), 200);
      const checked = await checkCredentials({ portalToken: body.portalToken });
      if (checked.kind !== 'ok') return c.json({ ...(await sessionView(existing.token, existing.session, existing.actor)), notice: checked.message }, 200);
      // The portal hands the same person's token on every page: only a different person signs in anew.
      if (sameIdentity(identityOf(existing.actor), identityOf(checked.actor))) {
        return c.json(await sessionView(existing.token, existing.session, existing.actor), 200);
      }
      return c.json(await signIn(existing, checked.actor), 200);
    }
    // Only a new session counts: the widget asks again on every page with the one it has.
    const client = clientOf(c);
    const started = await allow([{ key: `sessions:client:${client}`, limit: limits?.clientSessionsPerHour ?? 0, windowSeconds: 3600 }]);
    if (!started.ok) {
      const minutes = Math.ceil(started.retryAfterSeconds / 60);
      return tooMany(c, started, `Too many chats have been started from your network in the last hour. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
    }
    let actor: Actor = ANONYMOUS;
    let notice: string | undefined;
    if (body.portalToken) {
      const checked = await checkCredentials({ portalToken: body.portalToken });
      if (checked.kind === 'ok') actor = checked.actor;
      else notice = checked.message;
    }
    const conversationId = `web-${randomUUID()}`;
    const created = await sessions.create(conversationId, identityOf(actor));
    if (actor.kind !== 'anonymous') {
      await ensureConversation(conversationId, actor);
      await appendMessage(db, conversationId, { author: 'system', text: await welcomeText(actor), payload: { event: 'signed_in', quickReplies: WELCOME_OPTIONS } }, now());
    }
    return c.json({ ...(await sessionView(created.token, created.session, actor)), ...(notice ? { notice } : {}) }, 201);
  });

  app.post('/chat/sign-in', limitBody, async (c) => {
    const signed = await requireSession(c, true);
    if (signed instanceof Response) return signed;
    const body = await readJson(c, SignInBody);
    if (body instanceof Response) return body;
    const taken = await allow([
      { key: `sign-in:session:${signed.session.id}`, limit: limit.messages, windowSeconds: limit.windowSeconds },
      { key: `sign-in:client:${clientOf(c)}`, limit: limits?.clientSignInsPerHour ?? 0, windowSeconds: 3600 },
    ]);
    if (!taken.ok) {
      const message = taken.key.startsWith('sign-in:session:')
        ? 'Too many attempts from this chat. Please wait a moment.'
        : `Too many sign-in attempts have come from your network. Please try again in ${Math.ceil(taken.retryAfterSeconds / 60)} minutes, or sign in to the portal.`;
      return tooMany(c, taken, message);
    }
    const checked = await checkCredentials(body);
    if (checked.kind !== 'ok') return fail(c, checked.status, checked.code, checked.message);
    return c.json(await signIn(signed, checked.actor), 200);
  });

  app.post('/chat/sign-out', async (c) => {
    const signed = await requireSession(c, false);
    if (signed instanceof Response) return signed;
    await sessions.end(signed.session.id);
    hub.endSession(signed.session.id, 4001, 'signed out');
    return c.json({ ended: true }, 200);
  });

  app.get('/chat/messages', async (c) => {
    const signed = await requireSession(c, false);
    if (signed instanceof Response) return signed;
    const after = seqParam(c.req.query('after'));
    if (after === null) return fail(c, 400, 'bad_request', 'after must be a whole number (the last seq you have).');
    const messages = await readMessages(db, links, signed.session.conversationId, after);
    return c.json({ messages, lastSeq: await lastSeq(db, signed.session.conversationId), more: messages.length === MAX_MESSAGES_PER_READ });
  });

  app.post('/chat/messages', limitBody, async (c) => {
    const signed = await requireSession(c, true);
    if (signed instanceof Response) return signed;
    const body = await readJson(c, MessageBody);
    if (body instanceof Response) return body;
    const client = clientOf(c);
    const refused = await admit(signed, body, client);
    if (refused) {
      const headers = refused.retryAfterMs ? { 'Retry-After': String(Math.ceil(refused.retryAfterMs / 1000)) } : undefined;
      return fail(c, refused.status, refused.code, refused.message, headers);
    }
    try {
      const result = await converse(signed, body, client);
      return c.json({ messages: result.messages, ...(result.notice ? { notice: result.notice } : {}) }, 200);
    } catch (error) {
      logger?.error({ err: error }, 'web chat: the turn failed');
      return fail(c, 500, 'internal', CHAT_TEXT_BY_CODE.internal);
    }
  });

  app.get('/chat/events', async (c) => {
    const signed = await requireSession(c, false);
    if (signed instanceof Response) return signed;
    const after = seqParam(c.req.header('last-event-id') ?? c.req.query('after'));
    if (after === null) return fail(c, 400, 'bad_request', 'after (or Last-Event-ID) must be a whole number (the last seq you have).');
    const client = clientOf(c);
    const place = openStream(signed.session.id, client);
    if (place !== 'ok') {
      const message =
        place === 'session_full'
          ? 'This chat is already open in too many windows. Close one, or reload this page.'
          : 'Too many chat connections are open from your network. Please close some and try again.';
      return tooMany(c, { retryAfterSeconds: 30 }, message);
    }
    let view: Awaited<ReturnType<typeof sessionView>>;
    try {
      view = await sessionView(signed.token, signed.session, signed.actor);
    } catch (error) {
      closeStream(signed.session.id, client);
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
      closeStream(signed.session.id, client);
    });
  });

  app.get('/chat/ws', async (c) => {
    if (!options.upgradeWebSocket) {
      return fail(c, 404, 'not_found', 'WebSockets are not available here; use GET /chat/events for server-sent events.');
    }
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      return fail(c, 426 as ErrorStatus, 'bad_request', 'This is the chat WebSocket: connect with a WebSocket client (Upgrade: websocket).');
    }
    if (!originAllowed(c, c.req.header('origin'))) {
      logger?.warn({ origin: c.req.header('origin') ?? null }, 'web chat: WebSocket refused for its Origin');
      return fail(c, 403, 'forbidden', 'This page is not allowed to open the chat.');
    }
    // A session's share is checked at hello, when the socket says which session it is.
    const client = clientOf(c);
    if (socketsFull(client)) {
      return tooMany(c, { retryAfterSeconds: 30 }, 'Too many chat connections are open from your network. Please close some and try again.');
    }
    return options.upgradeWebSocket(c, socketEvents(client));
  });

  app.get('/chat/files/:id', async (c) => {
    const signed = await requireSession(c, true);
    if (signed instanceof Response) return signed;
    const id = c.req.param('id');
    const file = await readFile(db, id);
    // Another conversation's file is "not found", exactly like a file that never existed.
    if (!file || file.conversation_id !== signed.session.conversationId) return fail(c, 404, 'not_found', 'There is no such file in this conversation.');
    const check = checkFileUrl(links, id, file.conversation_id, c.req.query('exp'), c.req.query('sig'));
    if (check === 'bad_signature') return fail(c, 403, 'forbidden', 'This download link is not valid.');
    if (check === 'expired') return fail(c, 403, 'forbidden', 'This download link has expired. Reopen the chat for a fresh link.');
    return new Response(new Uint8Array(file.content), {
      headers: {
        'Content-Type': file.media_type === 'text/csv' ? 'text/csv; charset=utf-8' : file.media_type,
        'Content-Disposition': attachment(file.filename),
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });

  app.get('/chat/transcript', async (c) => {
    const signed = await requireSession(c, true);
    if (signed instanceof Response) return signed;
    const format = c.req.query('format') ?? 'text';
    if (format !== 'text' && format !== 'pdf') return fail(c, 400, 'bad_request', 'format must be text or pdf.');
    const renderPdf = options.renderTranscriptPdf;
    if (format === 'pdf' && !renderPdf) return fail(c, 404, 'not_found', 'PDF transcripts are not available here; ask for format=text.');
    const timeZone = validTimeZone(c.req.query('timeZone')) ?? 'UTC';
    const messages: WireMessage[] = [];
    for (let after = 0; ; ) {
      const page = await readMessages(db, links, signed.session.conversationId, after);
      messages.push(...page);
      if (page.length < MAX_MESSAGES_PER_READ) break;
      after = page.at(-1)?.seq ?? after;
    }
    const lines = transcriptLines(messages, { conversationId: signed.session.conversationId, timeZone, now: now() });
    const stamp = DateTime.fromJSDate(now()).setZone(timeZone).toFormat('yyyy-LL-dd');
    if (format === 'text') {
      return new Response(renderTranscriptText(lines), {
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Disposition': attachment(`chat-transcript-${stamp}.txt`) },
      });
    }
    const pdf = await (renderPdf as NonNullable<typeof renderPdf>)(lines);
    return new Response(new Uint8Array(pdf), {
      headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': attachment(`chat-transcript-${stamp}.pdf`) },
    });
  });

  // ---- the socket --------------------------------------------------------------------------------

  function socketEvents(client: string): WSEvents {
    let counted: { sessionId: string | null } | undefined;
    let token: string | undefined;
    let sessionId: string | undefined;
    let unsubscribe: (() => void) | undefined;
    let helloTimer: ReturnType<typeof setTimeout> | undefined;
    let queue: Promise<void> = Promise.resolve();
    let closed = false;

    const send = (ws: WSContext, event: WireEvent | { type: 'pong' }) => {
      if (!closed && ws.readyState === 1) ws.send(JSON.stringify(event));
    };
    const release = () => {
      if (counted) closeStream(counted.sessionId, client);
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
        const signed = await signedFor(frame.token, true);
        if (closed) return;
        if (!signed) {
          send(ws, { type: 'session_ended', reason: 'unknown or expired session' });
          return close(ws, 4001, 'no such session');
        }
        clearTimeout(helloTimer);
        // The socket counted for its client at open; now it counts for its session too.
        release();
        const place = openStream(signed.session.id, client);
        if (place !== 'ok') {
          send(ws, { type: 'error', code: 'rate_limited', message: 'This chat is already open in too many windows. Close one, or reload this page.' });
          return close(ws, 4029, place === 'session_full' ? 'too many sockets for this session' : 'too many sockets from this client');
        }
        counted = { sessionId: signed.session.id };
        token = frame.token;
        sessionId = signed.session.id;
        const { token: _token, ...ready } = await sessionView(signed.token, signed.session, signed.actor);
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
      const signed = await signedFor(token, true);
      if (!signed) {
        send(ws, { type: 'session_ended', reason: 'expired' });
        return close(ws, 4001, 'session ended');
      }
      const input: TurnInput = frame.type === 'message' ? { text: frame.text, timeZone: frame.timeZone } : { action: frame.value, timeZone: frame.timeZone };
      const refused = await admit(signed, input, client);
      if (refused) return send(ws, { type: 'error', code: refused.code, message: refused.message, ...(refused.retryAfterMs ? { retryAfterMs: refused.retryAfterMs } : {}) });
      // The turn runs beside later frames (a ping, another message), which the engine queues in order.
      void converse(signed, input, client)
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
        if (openStream(null, client) !== 'ok') {
          send(ws, { type: 'error', code: 'rate_limited', message: 'Too many chat connections are open from your network. Please close some and try again.' });
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

  return {
    routes: app,
    openApi: { paths: webChatOpenApiPaths(options.upgradeWebSocket !== undefined), components: webChatComponents },
    notify: (conversationId) => hub.notify(conversationId),
    deliverer: {
      channel: 'web',
      // The message and its files are stored already; whoever has the chat open sees it now, anyone else at
      // their next visit (the widget catches up by seq).
      deliver: async (target) => {
        hub.notify(target.conversationId);
        return { kind: 'delivered' };
      },
    },
    close: () => hub.close(),
    get followers() {
      return hub.size;
    },
  };
}

/** Offered with the sign-in notice: the questions most people come with. */
const WELCOME_OPTIONS: ReplyAction[] = [
  { label: 'My balance', value: `${INTENT_PREFIX}balance` },
  { label: 'Latest invoice', value: `${INTENT_PREFIX}invoice` },
  { label: 'Open tickets', value: `${INTENT_PREFIX}tickets` },
  { label: 'Outages', value: `${INTENT_PREFIX}outages` },
];

function seqParam(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return 0;
  return /^\d{1,12}$/.test(raw) ? Number(raw) : null;
}

/** A Content-Disposition that survives any file name: an ASCII fallback and the UTF-8 original. */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Text without control characters (tabs and line breaks kept). */
function withoutControlCharacters(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

// The web chat channel: sessions, sign-in, messages over HTTP, WebSocket and server-sent events, files,
// transcripts and the widget script, as Hono routes any runtime can mount (createApp's channel list).
// Here the parts are built and wired; each route group, the middleware and the turn handling have their file.
import { Hono } from 'hono';
import type { ChannelDeliverer } from '../../src/conversation/channel.js';
import { createFileLinks } from '../../src/conversation/file-links.js';
import { DEFAULT_ABUSE_LIMITS } from '../../src/config.js';
import { createClientLimits } from './client-limits.js';
import { createHub } from './hub.js';
import { type FileLinks, readMessages } from './messages.js';
import { chatCors, chatHeaders, originCheck } from './middleware.js';
import { webChatComponents, webChatOpenApiPaths } from './openapi.js';
import type { WebChatDeps, WebChatOptions } from './options.js';
import { fileRoutes } from './routes/files.js';
import { messageRoutes } from './routes/messages.js';
import { realtimeRoutes } from './routes/realtime.js';
import { sessionRoutes } from './routes/sessions.js';
import { widgetRoutes } from './routes/widget.js';
import { createSessionLookup } from './session-lookup.js';
import { createSessionStore } from './sessions.js';
import { createTurns } from './turns.js';

export { MAX_MESSAGE_BYTES, type UpgradeToWebSocket, type WebChatEngine, type WebChatLogger, type WebChatOptions } from './options.js';

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

export function createWebChat(options: WebChatOptions): WebChat {
  const { ctx } = options;
  const sessions = createSessionStore(
    ctx.db,
    { idleMs: (options.sessionIdleMinutes ?? 30) * 60_000, maxMs: (options.sessionMaxHours ?? 12) * 3_600_000 },
    ctx.now,
  );
  const links: FileLinks = createFileLinks({ secret: options.fileUrlSecret, ttlMs: (options.fileUrlMinutes ?? 15) * 60_000, now: ctx.now });
  const limits = options.limits === undefined ? DEFAULT_ABUSE_LIMITS : options.limits;
  const hub = createHub({
    load: (conversationId, after) => readMessages(ctx.db, links, conversationId, after),
    isLive: (sessionId) => sessions.isLive(sessionId),
    pollMs: options.pollMs ?? 3000,
    onError: (error) => options.logger?.error({ err: error }, 'web chat: delivering messages failed'),
  });
  const shared: Omit<WebChatDeps, 'turns'> = {
    options,
    ctx,
    engine: options.engine,
    logger: options.logger,
    sessions,
    lookup: createSessionLookup(ctx, sessions),
    links,
    hub,
    clientLimits: createClientLimits(ctx, limits, options.connectionAddress),
    limits,
    rate: options.rateLimit ?? { messages: 20, windowSeconds: 10 },
    originAllowed: originCheck(options.allowedOrigins ?? []),
  };
  const deps: WebChatDeps = { ...shared, turns: createTurns(shared) };

  const app = new Hono();
  app.use('/chat/*', chatCors(deps.originAllowed));
  app.use('/chat/*', chatHeaders());
  app.route('/', widgetRoutes(options.widgetScript));
  app.route('/', sessionRoutes(deps));
  app.route('/', messageRoutes(deps));
  app.route('/', realtimeRoutes(deps));
  app.route('/', fileRoutes(deps));

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
      // The typing dots, on every open socket and stream of the conversation.
      working: async (target, on) => hub.typing(target.conversationId, on),
    },
    close: () => hub.close(),
    get followers() {
      return hub.size;
    },
  };
}

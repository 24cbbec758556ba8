// The Node service's app: the conversation engine, the web chat with WebSockets (@hono/node-ws), and
// createApp around them. Shared by the Node root and the tests that start a real server.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createNodeWebSocket } from '@hono/node-ws';
import type { Hono } from 'hono';
import { type Config, DEFAULT_ABUSE_LIMITS } from '../../src/config.js';
import {
  createConversationEngine,
  createProductUnderstanding,
  type LanguageUnderstanding,
} from '../../src/conversation/index.js';
import type { ChannelDeliverer } from '../../src/conversation/channel.js';
import { createOutbound, type Outbound } from '../../src/conversation/outbound.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { createDomainContext } from '../../src/domain/context.js';
import { type AppEnv, createApp, type DemoIdentityListing, type MountedChannel } from '../http/app.js';
import type { Logger } from '../http/logger.js';
import { createSlackChannel, type SlackChannel } from '../slack/index.js';
import { createTeamsChannel } from '../teams/index.js';
import { createWebChat, type WebChat } from '../webchat/index.js';
import { deriveKey } from '../webchat/signing.js';
import { renderTranscriptPdf } from '../webchat/transcript-pdf.js';
import { readWidgetScript } from '../webchat/widget-asset.js';
import { createChatServices } from './chat-services.js';

/** Socket frames above this close the socket (1009); messages themselves are limited to 4 KB. */
const MAX_FRAME_BYTES = 64 * 1024;

export interface NodeService {
  readonly app: Hono<AppEnv>;
  readonly webChat: WebChat;
  /** The Slack app, when configured. */
  readonly slack: SlackChannel | null;
  /** Lets the HTTP server hand WebSocket upgrades to the app. */
  attach(server: Server): void;
  /** The core's way to reach people outside a request, through each conversation's channel. */
  readonly outbound: Outbound;
  /** Closes every chat socket and stream, so the server can stop. */
  close(): void;
}

export interface NodeServiceOptions {
  readonly handle: DatabaseHandle;
  readonly logger: Logger;
  /** `limits` undefined: the defaults; null: every abuse limit off (RATE_LIMITS=off). */
  readonly config: Pick<Config, 'webChat'> & { readonly slack?: Config['slack']; readonly teams?: Config['teams'] | null; readonly limits?: Config['limits'] };
  readonly demoIdentities?: readonly DemoIdentityListing[];
  /** Tests share one loaded model between servers. */
  readonly nlu?: LanguageUnderstanding;
  readonly now?: () => Date;
  readonly pollMs?: number;
}

export function createNodeService(options: NodeServiceOptions): NodeService {
  const { handle, logger } = options;
  const settings = options.config.webChat;
  const ctx = createDomainContext(handle, options.now);
  const limits = options.config.limits === undefined ? DEFAULT_ABUSE_LIMITS : options.config.limits;
  if (!limits) logger.warn('RATE_LIMITS=off: no abuse limits apply (for a load benchmark on loopback only)');
  const engine = createConversationEngine({
    ctx,
    nlu: options.nlu ?? createProductUnderstanding(),
    services: {
      ...createChatServices(),
      ...(limits
        ? { handoffLimits: { perConversationPerHour: limits.handoffsPerConversationPerHour, anonymousPerClientPerHour: limits.anonymousHandoffsPerClientPerHour } }
        : {}),
    },
  });
  let portalSecret = settings.portalSessionSecret;
  if (!portalSecret) {
    portalSecret = randomBytes(32).toString('base64url');
    logger.warn(
      'PORTAL_SESSION_SECRET is not set: using a random key for this run, so portal session tokens minted with any other key are refused (required when NODE_ENV=production)',
    );
  }
  let nodeWs: ReturnType<typeof createNodeWebSocket> | undefined;
  const webChat = createWebChat({
    ctx,
    engine,
    portalSessionSecret: portalSecret,
    fileUrlSecret: settings.fileUrlSecret ?? deriveKey(portalSecret, 'file-urls'),
    allowedOrigins: settings.allowedOrigins,
    sessionIdleMinutes: settings.sessionIdleMinutes,
    sessionMaxHours: settings.sessionMaxHours,
    fileUrlMinutes: settings.fileUrlMinutes,
    ...(settings.fileRetentionDays !== undefined ? { fileRetentionDays: settings.fileRetentionDays } : {}),
    rateLimit: { messages: settings.rateLimitMessages, windowSeconds: settings.rateLimitWindowSeconds },
    limits,
    connectionAddress: (c) => getConnInfo(c).remote.address,
    widgetScript: readWidgetScript(),
    renderTranscriptPdf,
    // The upgrade helper needs the finished app, which needs the web chat: it is looked up per request.
    upgradeWebSocket: (c, events) => {
      if (!nodeWs) throw new Error('WebSocket upgrades are not wired yet');
      return nodeWs.upgradeWebSocket(c, events);
    },
    pollMs: options.pollMs,
    logger,
  });
  const slackSettings = options.config.slack ?? null;
  const slack = slackSettings
    ? createSlackChannel({
        ctx,
        engine,
        signingSecret: slackSettings.signingSecret,
        botToken: slackSettings.botToken,
        apiUrl: slackSettings.apiUrl,
        ...(slackSettings.progressAfterMs !== undefined ? { progressAfterMs: slackSettings.progressAfterMs } : {}),
        logger,
      })
    : null;
  // Teams runs whenever it is configured (tests, the Node root); with no app id it is in local mode.
  const teams = options.config.teams ? createTeamsChannel({ ctx, engine, config: options.config.teams, logger, connectionAddress: (c) => getConnInfo(c).remote.address }) : null;
  // A new channel is one more entry here: its routes and OpenAPI part are mounted, and its deliverer
  // joins the outbound port, so the core can reach people on it outside a request.
  const channels: { readonly name: string; readonly channel: Omit<MountedChannel, 'name'> & { readonly deliverer: ChannelDeliverer } }[] = [
    ...(slack ? [{ name: 'slack', channel: slack }] : []),
    ...(teams ? [{ name: 'teams', channel: teams }] : []),
    { name: 'web', channel: webChat },
  ];
  const app = createApp({
    handle,
    logger,
    demoIdentities: options.demoIdentities,
    channels: channels.map(({ name, channel }) => ({ name, routes: channel.routes, ...(channel.openApi ? { openApi: channel.openApi } : {}) })),
  });
  const outbound = createOutbound(
    ctx,
    channels.map(({ channel }) => channel.deliverer),
    (details, message) => logger.warn(details, message),
  );
  // Failed deliveries that may work later are tried again with backoff; unref'd, so it never holds the process.
  const retrying = setInterval(() => void outbound.retryDue().catch((error) => logger.error({ err: error }, 'delivery retries failed')), 15_000);
  retrying.unref();
  nodeWs = createNodeWebSocket({ app });
  nodeWs.wss.options.maxPayload = MAX_FRAME_BYTES;
  const sockets = nodeWs.wss;
  return {
    app,
    webChat,
    slack,
    outbound,
    attach: (server) => nodeWs?.injectWebSocket(server),
    close: () => {
      clearInterval(retrying);
      webChat.close();
      for (const socket of sockets.clients) socket.terminate();
    },
  };
}

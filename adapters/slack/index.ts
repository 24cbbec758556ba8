// The Slack app for staff, built on @slack/bolt and mounted on the service's Hono app at POST /slack/events
// (events, the /support slash command, interactivity and options on one URL, through HonoReceiver).
//
// Ways in: direct messages, mentions in channels (answered in the thread), /support (answered privately),
// buttons (back into the conversation), the "Open a ticket from this message" shortcut and the App Home tab.
// Forms are modals: opening a ticket and escalating one (priority and reason). Every listener acks first;
// the engine runs after the ack and a slow answer shows "Working on it…" that is replaced in place.
//
// Privacy: customer data goes only where a staff member asked for it — a DM, the thread of their mention,
// or privately (ephemeral, or a DM) for slash commands, shortcuts, modals and the App Home.
//
// This file wires the app; each kind of listener has its own file (messages, commands, actions, shortcuts,
// forms, home), answering and delivery are in answer.ts, and the OpenAPI fragment in openapi.ts.
import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { Hono } from 'hono';
import type { ChannelDeliverer } from '../../src/conversation/channel.js';
import type { ConversationEngine } from '../../src/conversation/engine.js';
import type { DomainContext } from '../../src/domain/context.js';
import { markOnce } from '../../src/domain/rate-limits.js';
import { claimChannelEvent } from '../../src/domain/staff/index.js';
import { DEFAULT_SLACK_API_URL } from '../../src/config.js';
import type { MountedChannel } from '../http/app.js';
import type { Logger } from '../http/logger.js';
import { registerActionListeners } from './actions.js';
import { createAnswerer, createSlackDeliverer } from './answer.js';
import { registerCommandListeners } from './commands.js';
import { registerFormListeners } from './forms.js';
import { registerHomeListeners } from './home.js';
import { registerMessageListeners } from './messages.js';
import { SLACK_OPENAPI_PATHS } from './openapi.js';
import { HonoReceiver } from './receiver.js';
import { registerShortcutListeners } from './shortcuts.js';

export { MAX_BODY_BYTES } from './receiver.js';
export { WORKING } from './answer.js';
export { COMMAND_HELP } from './commands.js';
export { conversationIdFor } from './places.js';
export { REFUSAL } from './staff.js';

export interface SlackChannelOptions {
  readonly ctx: DomainContext;
  readonly engine: ConversationEngine;
  readonly signingSecret: string;
  readonly botToken: string;
  /** Base URL of the Web API; default https://slack.com/api/. */
  readonly apiUrl?: string;
  readonly logger: Logger;
  /** Wall clock for the signature window (not the domain clock). */
  readonly nowMs?: () => number;
  /** An answer slower than this first shows "Working on it…", replaced in place when done. Default 1,000 ms; 0 = always. */
  readonly progressAfterMs?: number;
}

export interface SlackChannel extends Omit<MountedChannel, 'name'> {
  /** Messages outside a request, for the core's outbound port. */
  readonly deliverer: ChannelDeliverer;
  /** Resolves when every request taken so far has been fully handled (tests, shutdown). */
  settled(): Promise<void>;
}

export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  const { ctx, engine, logger } = options;
  const apiUrl = options.apiUrl ?? DEFAULT_SLACK_API_URL;
  const progressAfterMs = options.progressAfterMs ?? 1000;
  const clientOptions = {
    slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    logLevel: LogLevel.ERROR,
    // A 429 is waited out (Retry-After) by the client; other failures are retried a few times.
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 },
  };
  const receiver = new HonoReceiver({
    signingSecret: options.signingSecret,
    logger,
    nowMs: options.nowMs ?? Date.now,
    // Kept a little past the signature's 5-minute window, in the database so every instance sees it.
    firstTime: (key) => markOnce(ctx, key, 6 * 60),
  });

  // One workspace, one bot token. The bot's own ids (Bolt's ignore-self) come from auth.test, looked up in
  // the background: a request never waits on it, so an unreachable Web API cannot hold up an ack (the
  // listeners also skip bot messages themselves).
  const authClient = new WebClient(options.botToken, { ...clientOptions, retryConfig: { retries: 0 } });
  let botIdentity: { botId?: string; botUserId?: string } | null = null;
  let lookingUp = false;
  const lookUpBotIdentity = () => {
    if (botIdentity || lookingUp) return;
    lookingUp = true;
    authClient.auth
      .test()
      .then(
        (r) => {
          botIdentity = { ...(r.bot_id ? { botId: r.bot_id } : {}), ...(r.user_id ? { botUserId: r.user_id } : {}) };
        },
        (error: unknown) => logger.warn({ err: error }, 'slack: auth.test failed; will try again on the next request'),
      )
      .finally(() => {
        lookingUp = false;
      });
  };
  const app = new App({
    receiver,
    convoStore: false,
    logger: boltLogger(logger),
    clientOptions,
    authorize: async () => {
      lookUpBotIdentity();
      return { botToken: options.botToken, ...(botIdentity ?? {}) };
    },
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'slack: listener failed');
  });

  // Retries (X-Slack-Retry-Num) and duplicate deliveries of an event are acknowledged and not run again.
  app.use(async ({ body, next }) => {
    const envelope = body as { type?: string; event_id?: string };
    if (
      envelope.type === 'event_callback' &&
      typeof envelope.event_id === 'string' &&
      !(await claimChannelEvent(ctx, 'slack', envelope.event_id))
    )
      return;
    await next();
  });

  // Every listener that matches an incoming request runs, in the order registered here.
  const answerer = createAnswerer(engine, progressAfterMs);
  registerMessageListeners(app, ctx, answerer);
  registerHomeListeners(app, ctx);
  registerCommandListeners(app, ctx, answerer);
  registerActionListeners(app, ctx, answerer);
  registerShortcutListeners(app, ctx);
  registerFormListeners(app, ctx);

  const deliverer = createSlackDeliverer(app);

  const routes = new Hono();
  routes.post('/slack/events', (c) => receiver.handle(c.req.raw));
  return { routes, openApi: { paths: SLACK_OPENAPI_PATHS }, settled: () => receiver.settled(), deliverer };
}

/** Bolt's own log lines into the service's logger (warnings and errors only; Bolt's debug chatter is dropped). */
function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg: unknown[]) => logger.warn({ source: 'bolt' }, msg.map(String).join(' ')),
    error: (...msg: unknown[]) => logger.error({ source: 'bolt' }, msg.map(String).join(' ')),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

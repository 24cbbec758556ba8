// The Slack app for staff, on one URL: POST /slack/events takes Events API callbacks (direct messages and
// mentions), the /support slash command and interactivity (button presses). Every request is verified
// with the signing secret and acknowledged at once; the engine runs after the ack and its reply is posted
// through the Web API (@slack/web-api's WebClient, pointed at SLACK_API_URL) or the request's response_url.
//
// This implements the Slack HTTP protocol directly rather than through @slack/bolt: Bolt wants to own the
// request cycle (its own receiver and ack plumbing), while this route only needs verification, an ack and
// the Web API client — so there is no second HTTP server and nothing to adapt.
import { type FilesUploadV2Arguments, type KnownBlock, LogLevel, WebClient } from '@slack/web-api';
import { Hono } from 'hono';
import type { Logger } from '../http/logger.js';
import type { MountedChannel } from '../http/app.js';
import type { ConversationEngine } from '../../src/conversation/engine.js';
import type { Reply, ReplyFile } from '../../src/conversation/reply.js';
import type { StaffActor } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import { loadActorForChannelIdentity } from '../../src/domain/identity/index.js';
import { renderBlockKit, type SlackMessage, truncate } from './block-kit.js';
import { verifySlackRequest } from './verify.js';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
/** Slack's own payloads are far smaller; anything above this is refused with 400. */
export const MAX_BODY_BYTES = 256 * 1024;

export const REFUSAL =
  "Sorry — this assistant is for the provider's staff, and your Slack account isn't linked to a staff record. Please ask an administrator to link it.";
export const WORKING = 'Working on it…';

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
}

export interface SlackChannel extends MountedChannel {
  /** Resolves when every reply started so far has been posted (tests, shutdown). */
  settled(): Promise<void>;
}

/** Where a conversation's replies go: a DM, a thread in a channel, or a slash command's response_url. */
type Place = { team: string; channel: string; threadTs?: string; user: string };

export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  const { ctx, engine, logger } = options;
  const apiUrl = options.apiUrl ?? DEFAULT_SLACK_API_URL;
  const nowMs = options.nowMs ?? Date.now;
  const client = new WebClient(options.botToken, {
    slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    logLevel: LogLevel.ERROR,
    // A 429 is waited out (Retry-After) by the client; other failures are retried a few times.
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 },
  });
  const responseOrigins = new Set(['https://hooks.slack.com', new URL(apiUrl).origin]);
  const pending = new Set<Promise<unknown>>();

  function later(work: () => Promise<unknown>): void {
    const task = work().catch((error: unknown) => logger.error({ err: error }, 'slack: reply failed'));
    pending.add(task);
    void task.finally(() => pending.delete(task));
  }

  async function staffFor(team: string, user: string): Promise<StaffActor | null> {
    if (!team || !user) return null;
    const actor = await loadActorForChannelIdentity(ctx, 'slack', team, user);
    return actor?.kind === 'staff' ? actor : null;
  }

  /** Records an event id; false when it was seen before (a retry, or a duplicate delivery). */
  async function firstDelivery(eventId: string): Promise<boolean> {
    const result = await ctx.db
      .insertInto('idempotency_keys')
      .values({ scope: 'slack-event', key: eventId, result: '{}', created_at: ctx.now().toISOString() })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async function post(place: Place, message: SlackMessage): Promise<void> {
    await client.chat.postMessage({
      channel: place.channel,
      text: message.text,
      blocks: message.blocks as unknown as KnownBlock[],
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
    });
  }

  async function respond(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    let origin: string;
    try {
      origin = new URL(responseUrl).origin;
    } catch {
      return;
    }
    if (!responseOrigins.has(origin)) {
      logger.warn({ origin }, 'slack: response_url outside Slack refused');
      return;
    }
    const res = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) logger.warn({ status: res.status }, 'slack: response_url post failed');
  }

  async function converse(
    actor: StaffActor,
    conversationId: string,
    input: { text?: string; action?: string; messageId?: string },
  ): Promise<SlackMessage & { files: readonly ReplyFile[] }> {
    const reply: Reply = await engine.handleMessage({ channel: 'slack', conversationId, ...input }, actor);
    return { ...renderBlockKit(reply, { conversationId }), files: reply.files ?? [] };
  }

  /** Posts the message, then uploads its files into the same place with the current upload flow. */
  async function deliver(place: Place, message: SlackMessage & { files: readonly ReplyFile[] }): Promise<void> {
    await post(place, { text: message.text, blocks: message.blocks });
    if (message.files.length === 0) return;
    // files.getUploadURLExternal, the upload itself, then files.completeUploadExternal (not the retired files.upload).
    await client.filesUploadV2({
      channel_id: place.channel,
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
      file_uploads: message.files.map((file) => ({
        file: Buffer.from(file.content),
        filename: file.filename,
        title: file.description ?? file.filename,
      })),
    } as FilesUploadV2Arguments);
  }

  async function onEvent(body: EventCallback): Promise<void> {
    const event = body.event;
    if (!event || typeof event !== 'object') return;
    const isIm = event.type === 'message' && event.channel_type === 'im' && !event.subtype && !event.bot_id;
    const isMention = event.type === 'app_mention' && !event.bot_id;
    if (!isIm && !isMention) return;
    const team = String(body.team_id ?? event.team ?? '');
    const user = String(event.user ?? '');
    const channel = String(event.channel ?? '');
    if (!channel || !idPart(team) || !idPart(user) || !idPart(channel)) return;
    const actor = await staffFor(team, user);
    if (!actor) {
      await client.chat.postEphemeral({ channel, user, text: REFUSAL, ...(event.thread_ts ? { thread_ts: String(event.thread_ts) } : {}) });
      return;
    }
    const threadTs = isMention ? String(event.thread_ts ?? event.ts ?? '') : event.thread_ts ? String(event.thread_ts) : undefined;
    const place: Place = { team, channel, user, ...(threadTs ? { threadTs } : {}) };
    const text = String(event.text ?? '')
      .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ')
      .trim();
    const message = await converse(actor, conversationIdFor(place), {
      text,
      ...(typeof event.client_msg_id === 'string' ? { messageId: event.client_msg_id } : {}),
    });
    await deliver(place, message);
  }

  async function onCommand(form: URLSearchParams): Promise<Response> {
    const team = form.get('team_id') ?? '';
    const user = form.get('user_id') ?? '';
    const channel = form.get('channel_id') ?? '';
    const responseUrl = form.get('response_url') ?? '';
    if (!idPart(team) || !idPart(user) || !idPart(channel) || !responseUrl) return badRequest('Malformed slash command.');
    const actor = await staffFor(team, user);
    if (!actor) return Response.json({ response_type: 'ephemeral', text: REFUSAL });
    const text = (form.get('text') ?? '').trim();
    // The command's own conversation: per person and channel, answered privately through response_url.
    const conversationId = `slack:${team}:${channel}:u:${user}`;
    if (text === '' || text === 'help') {
      return Response.json({ response_type: 'ephemeral', text: COMMAND_HELP });
    }
    later(async () => {
      // Files are not uploaded from a command: that would show them to the whole channel.
      const { files: _files, ...message } = await converse(actor, conversationId, { text });
      await respond(responseUrl, { response_type: 'ephemeral', replace_original: true, ...message });
    });
    return Response.json({ response_type: 'ephemeral', text: WORKING });
  }

  async function onInteraction(payload: Interaction): Promise<Response> {
    if (payload.type !== 'block_actions') return new Response(null, { status: 200 });
    const team = String(payload.team?.id ?? payload.user?.team_id ?? '');
    const user = String(payload.user?.id ?? '');
    const pressed = payload.actions?.[0];
    const responseUrl = typeof payload.response_url === 'string' ? payload.response_url : '';
    if (!pressed || typeof pressed.value !== 'string' || typeof pressed.block_id !== 'string') return new Response(null, { status: 200 });
    const conversationId = conversationIdFromBlockId(pressed.block_id);
    const place = conversationId ? placeFor(conversationId) : null;
    const actor = await staffFor(team, user);
    if (!actor) {
      if (responseUrl) later(() => respond(responseUrl, { response_type: 'ephemeral', replace_original: false, text: REFUSAL }));
      return new Response(null, { status: 200 });
    }
    if (!conversationId || !place || place.team !== team) {
      if (responseUrl) later(() => respond(responseUrl, { response_type: 'ephemeral', replace_original: false, text: STALE_BUTTON }));
      return new Response(null, { status: 200 });
    }
    const value = pressed.value;
    later(async () => {
      const message = await converse(actor, conversationId, { action: value });
      // A slash command's answers (and anything ephemeral) go back through response_url; the rest to the thread.
      if (place.viaResponseUrl || payload.container?.is_ephemeral) {
        const { files: _files, ...body } = message;
        if (responseUrl) await respond(responseUrl, { response_type: 'ephemeral', replace_original: false, ...body });
      } else {
        await deliver(place, message);
      }
    });
    return new Response(null, { status: 200 });
  }

  const routes = new Hono();
  routes.post('/slack/events', async (c) => {
    const length = Number(c.req.header('content-length') ?? '0');
    if (length > MAX_BODY_BYTES) return badRequest('Request too large.');
    const raw = await c.req.text();
    if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) return badRequest('Request too large.');
    const verified = verifySlackRequest(
      options.signingSecret,
      { timestamp: c.req.header('x-slack-request-timestamp'), signature: c.req.header('x-slack-signature') },
      raw,
      nowMs(),
    );
    if (!verified.ok) {
      logger.warn({ reason: verified.reason }, 'slack: request refused');
      return c.json({ error: { code: 'unauthorized', message: 'Invalid Slack signature.' } }, 401);
    }
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(raw);
      const payload = form.get('payload');
      if (payload !== null) {
        const parsed = parseJson(payload);
        if (!parsed || typeof parsed !== 'object') return badRequest('Malformed interaction payload.');
        return onInteraction(parsed as Interaction);
      }
      if (form.get('command')) return onCommand(form);
      return badRequest('Unknown form request.');
    }
    const body = parseJson(raw);
    if (!body || typeof body !== 'object') return badRequest('Malformed JSON.');
    const envelope = body as EventCallback & { challenge?: unknown };
    if (envelope.type === 'url_verification') {
      if (typeof envelope.challenge !== 'string') return badRequest('Missing challenge.');
      return c.json({ challenge: envelope.challenge });
    }
    if (envelope.type === 'event_callback') {
      const eventId = typeof envelope.event_id === 'string' ? envelope.event_id : '';
      if (!/^[A-Za-z0-9._:-]{1,100}$/.test(eventId)) return badRequest('Missing event id.');
      // A retry (X-Slack-Retry-Num) of an event already taken is acknowledged and not run again.
      if (await firstDelivery(eventId)) later(() => onEvent(envelope));
      return c.body(null, 200);
    }
    return c.body(null, 200);
  });

  return {
    routes,
    settled: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

export const COMMAND_HELP = [
  'Ask me anything about a customer, in your own words. For example:',
  '• `/support balance 1002345`',
  '• `/support tickets acme`',
  '• `/support outages toronto`',
].join('\n');
const STALE_BUTTON = 'That button belongs to a conversation I no longer have. Please ask again.';

/** Conversation ids: `slack:T:D` (DM), `slack:T:C:t:TS:U` (a thread, per person), `slack:T:C:u:U` (slash command). */
export function conversationIdFor(place: Place): string {
  return place.threadTs ? `slack:${place.team}:${place.channel}:t:${place.threadTs}:${place.user}` : `slack:${place.team}:${place.channel}:d:${place.user}`;
}

function placeFor(conversationId: string): (Place & { viaResponseUrl: boolean }) | null {
  const parts = conversationId.split(':');
  if (parts[0] !== 'slack') return null;
  const [, team = '', channel = '', kind, a = '', b = ''] = parts;
  if (kind === 't') return { team, channel, threadTs: a, user: b, viaResponseUrl: false };
  if (kind === 'd') return { team, channel, user: a, viaResponseUrl: false };
  if (kind === 'u') return { team, channel, user: a, viaResponseUrl: true };
  return null;
}

function conversationIdFromBlockId(blockId: string): string | null {
  const id = blockId.split('|')[0] ?? '';
  return id.startsWith('slack:') && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : null;
}

function idPart(value: string): boolean {
  return /^[A-Za-z0-9]{1,40}$/.test(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function badRequest(message: string): Response {
  return Response.json({ error: { code: 'bad_request', message: truncate(message, 200) } }, { status: 400 });
}

interface SlackEvent {
  type?: string;
  subtype?: string;
  channel_type?: string;
  bot_id?: string;
  user?: string;
  team?: string;
  channel?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  client_msg_id?: string;
}

interface EventCallback {
  type?: string;
  team_id?: string;
  event_id?: string;
  event?: SlackEvent;
}

interface Interaction {
  type?: string;
  team?: { id?: string };
  user?: { id?: string; team_id?: string };
  response_url?: string;
  container?: { is_ephemeral?: boolean };
  actions?: { block_id?: string; action_id?: string; value?: string }[];
}

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
import {
  App,
  type BlockAction,
  type ButtonAction,
  LogLevel,
  type Logger as BoltLogger,
  type RespondFn,
} from '@slack/bolt';
import { type KnownBlock, type View, WebClient } from '@slack/web-api';
import { Hono } from 'hono';
import { decodeFormValues } from '../../src/conversation/actions.js';
import type { ChannelDeliverer } from '../../src/conversation/channel.js';
import type { ConversationEngine } from '../../src/conversation/engine.js';
import type { Reply, ReplyFile } from '../../src/conversation/reply.js';
import { searchAccounts } from '../../src/domain/accounts/index.js';
import type { StaffActor } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import { loadActorForChannelIdentity } from '../../src/domain/identity/index.js';
import { markOnce } from '../../src/domain/rate-limits.js';
import type { Outcome } from '../../src/domain/result.js';
import { claimChannelEvent, getStaffDashboard } from '../../src/domain/staff/index.js';
import {
  createTicket,
  escalateTicket,
  escalationBlocked,
  getTicket,
  type TicketDetail,
} from '../../src/domain/tickets/index.js';
import { DEFAULT_SLACK_API_URL } from '../../src/config.js';
import type { ContactMethod, TicketPriority } from '../../src/db/schema.js';
import type { MountedChannel } from '../http/app.js';
import type { Logger } from '../http/logger.js';
import { ACTION_ID_PREFIX, renderBlockKit, SLACK_LIMITS, type SlackMessage, truncate } from './block-kit.js';
import { HonoReceiver } from './receiver.js';
import {
  ACCOUNT_OPTIONS_ACTION,
  CREATE_TICKET_VIEW,
  createTicketModal,
  decodeMetadata,
  ESCALATE_VIEW,
  escalateModal,
  homeView,
  type ModalMetadata,
  noticeModal,
  OPEN_CREATE_TICKET_ACTION,
  OPEN_ESCALATE_ACTION,
  strangerHomeView,
  submitted,
  TICKET_SHORTCUT,
} from './views.js';

export { MAX_BODY_BYTES } from './receiver.js';

export const REFUSAL =
  "Sorry — this assistant is for the provider's staff, and your Slack account isn't linked to a staff record. Please ask an administrator to link it.";
export const WORKING = 'Working on it…';
export const COMMAND_HELP = [
  'Ask me anything about a customer, in your own words. For example:',
  '• `/support balance 1002345`',
  '• `/support tickets acme`',
  '• `/support outages toronto`',
].join('\n');
const STALE_BUTTON = 'That button belongs to a conversation I no longer have. Please ask again.';
const FAILED = 'Sorry — something went wrong while I was working on that. Please try again in a moment.';
const FILES_SENT_PRIVATELY = 'I’ve sent the file to you in a direct message.';

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

/** Where a conversation's replies go: a DM, a thread in a channel, or (slash command) the person privately. */
type Place = { team: string; channel: string; threadTs?: string; user: string };

type Answer = SlackMessage & { files: readonly ReplyFile[] };

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

  async function staffFor(team: string | undefined, user: string | undefined): Promise<StaffActor | null> {
    if (!team || !user || !idPart(team) || !idPart(user)) return null;
    const actor = await loadActorForChannelIdentity(ctx, 'slack', team, user);
    return actor?.kind === 'staff' ? actor : null;
  }

  async function converse(
    actor: StaffActor,
    conversationId: string,
    input: { text?: string; action?: string; messageId?: string },
    maxBlocks?: number,
  ): Promise<Answer> {
    const reply: Reply = await engine.handleMessage({ channel: 'slack', conversationId, ...input }, actor);
    return {
      ...renderBlockKit(reply, { conversationId, ...(maxBlocks ? { maxBlocks } : {}) }),
      files: reply.files ?? [],
    };
  }

  /**
   * Answers one person privately through response_url (a slash command, an ephemeral message's button):
   * files go to their DM with the app, never into the channel; a failure replaces "Working on it…" too.
   */
  async function answerPrivately(
    client: WebClient,
    respond: RespondFn,
    actor: StaffActor,
    user: string,
    conversationId: string,
    input: { text?: string; action?: string },
    replaceOriginal: boolean,
  ): Promise<void> {
    let answer: Answer;
    try {
      // One block is kept free for the note about files sent by DM.
      answer = await converse(actor, conversationId, input, SLACK_LIMITS.blocks - 1);
    } catch (error) {
      await respond({ response_type: 'ephemeral', replace_original: replaceOriginal, text: FAILED });
      throw error;
    }
    const { files, ...message } = answer;
    if (files.length > 0) await upload(client, await directChannel(client, user), undefined, files);
    const note = { type: 'context', elements: [{ type: 'mrkdwn', text: FILES_SENT_PRIVATELY }] };
    await respond({
      response_type: 'ephemeral',
      replace_original: replaceOriginal,
      text: message.text,
      blocks: (files.length > 0 ? [...message.blocks, note] : message.blocks) as unknown as KnownBlock[],
    });
  }

  /** Uploads files into a channel with the current flow: files.getUploadURLExternal, the upload, files.completeUploadExternal. */
  async function upload(
    client: WebClient,
    channel: string,
    threadTs: string | undefined,
    files: readonly ReplyFile[],
  ): Promise<void> {
    if (files.length === 0) return;
    await client.filesUploadV2({
      channel_id: channel,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      file_uploads: files.map((file) => ({
        file: Buffer.from(file.content),
        filename: file.filename,
        title: file.description ?? file.filename,
      })),
    } as Parameters<WebClient['filesUploadV2']>[0]);
  }

  /** The person's DM with the app, for anything private that is not a plain message (files). */
  async function directChannel(client: WebClient, user: string): Promise<string> {
    const opened = await client.conversations.open({ users: user });
    return opened.channel?.id ?? user;
  }

  async function post(
    client: WebClient,
    place: { channel: string; threadTs?: string },
    message: SlackMessage,
  ): Promise<string | undefined> {
    const posted = await client.chat.postMessage({
      channel: place.channel,
      text: message.text,
      blocks: message.blocks as unknown as KnownBlock[],
      ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
    });
    return posted.ts;
  }

  /**
   * Answers in a DM or thread. A slow answer (a report, a PDF) first shows "Working on it…", which is then
   * replaced in place by the answer; files follow in the same place.
   */
  async function answerInPlace(
    client: WebClient,
    actor: StaffActor,
    place: Place,
    input: { text?: string; action?: string; messageId?: string },
  ) {
    const work = converse(actor, conversationIdFor(place), input);
    work.catch(() => undefined); // awaited below; this only keeps a failure from counting as unhandled meanwhile
    // 0 (or less) means always: the progress message is posted first whatever the answer's speed.
    const slow =
      progressAfterMs <= 0 || (await Promise.race([work.then(() => false), sleep(progressAfterMs).then(() => true)]));
    const progressTs = slow
      ? await post(client, place, {
          text: WORKING,
          blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: `:hourglass_flowing_sand: ${WORKING}` }] }],
        })
      : undefined;
    let answer: Answer;
    try {
      answer = await work;
    } catch (error) {
      // Never leave "Working on it…" standing: say it failed, in the same message.
      if (progressTs) {
        await client.chat.update({
          channel: place.channel,
          ts: progressTs,
          text: FAILED,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: FAILED } }],
        });
      }
      throw error;
    }
    if (progressTs) {
      await client.chat.update({
        channel: place.channel,
        ts: progressTs,
        text: answer.text,
        blocks: answer.blocks as unknown as KnownBlock[],
      });
    } else {
      await post(client, place, answer);
    }
    await upload(client, place.channel, place.threadTs, answer.files);
  }

  /** Says something to one person where they are: ephemeral under a message (response_url), else in a small modal. */
  async function tell(
    client: WebClient,
    body: { response_url?: string; trigger_id?: string },
    text: string,
    respond?: (m: object) => Promise<unknown>,
  ) {
    if (respond && body.response_url) {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    } else if (body.trigger_id) {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: noticeModal('Support Assistant', text) as unknown as View,
      });
    }
  }

  /** Where the outcome of a form goes: back into its conversation when it has one in a DM or thread, else a DM. */
  async function sayOutcome(client: WebClient, user: string, metadata: ModalMetadata, message: SlackMessage) {
    const place = metadata.conversationId ? placeFor(metadata.conversationId) : null;
    if (place && !place.viaResponseUrl && place.user === user) await post(client, place, message);
    else await post(client, { channel: user }, message);
  }

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

  // Direct messages.
  app.event('message', async ({ event, body, client }) => {
    const m = event as {
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      channel?: string;
      text?: string;
      thread_ts?: string;
      client_msg_id?: string;
    };
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user || !m.channel || !idPart(m.channel)) return;
    const team = body.team_id;
    const actor = await staffFor(team, m.user);
    if (!actor) {
      await client.chat.postEphemeral({ channel: m.channel, user: m.user, text: REFUSAL });
      return;
    }
    const place: Place = { team, channel: m.channel, user: m.user, ...(m.thread_ts ? { threadTs: m.thread_ts } : {}) };
    await answerInPlace(client, actor, place, {
      text: m.text ?? '',
      ...(m.client_msg_id ? { messageId: m.client_msg_id } : {}),
    });
  });

  // Mentions in channels: the staff member asked there, so the answer goes in the thread of their message.
  app.event('app_mention', async ({ event, body, client }) => {
    if (event.bot_id || !event.user || !idPart(event.channel)) return;
    const team = body.team_id;
    const actor = await staffFor(team, event.user);
    if (!actor) {
      await client.chat.postEphemeral({
        channel: event.channel,
        user: event.user,
        text: REFUSAL,
        ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}),
      });
      return;
    }
    const place: Place = { team, channel: event.channel, user: event.user, threadTs: event.thread_ts ?? event.ts };
    const text = event.text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ').trim();
    await answerInPlace(client, actor, place, {
      text,
      ...(event.client_msg_id ? { messageId: event.client_msg_id } : {}),
    });
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, body.team_id, event.user);
  });

  async function publishHome(client: WebClient, team: string, user: string): Promise<void> {
    const actor = await staffFor(team, user);
    if (!actor) {
      await client.views.publish({ user_id: user, view: strangerHomeView(REFUSAL) as unknown as View });
      return;
    }
    const dashboard = await getStaffDashboard(ctx, actor);
    const view = dashboard.kind === 'ok' ? homeView(dashboard.value) : strangerHomeView(outcomeMessage(dashboard));
    await client.views.publish({ user_id: user, view: view as unknown as View });
  }

  // /support <anything>: answered privately (ephemeral) where it was typed.
  app.command('/support', async ({ command, ack, client }) => {
    const actor = await staffFor(command.team_id, command.user_id);
    if (!actor) {
      await ack({ response_type: 'ephemeral', text: REFUSAL });
      return;
    }
    const text = command.text.trim();
    if (text === '' || text.toLowerCase() === 'help') {
      await ack({ response_type: 'ephemeral', text: COMMAND_HELP });
      return;
    }
    await ack({ response_type: 'ephemeral', text: WORKING });
    const conversationId = `slack:${command.team_id}:${command.channel_id}:u:${command.user_id}`;
    const respond = responder(command.response_url);
    if (respond) await answerPrivately(client, respond, actor, command.user_id, conversationId, { text }, true);
  });

  // Any other command pointed at this app: help.
  app.command(/^\/(?!support$)/, async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: `I only know \`/support\`. ${COMMAND_HELP}` });
  });

  // Buttons of the conversation's replies: the press goes back into the conversation.
  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: new RegExp(`^${ACTION_ID_PREFIX}:`) },
    async ({ ack, body, action, client }) => {
      await ack();
      const respond = responder(body.response_url);
      const actor = await staffFor(body.team?.id ?? body.user.team_id, body.user.id);
      if (!actor) {
        await tell(client, body, REFUSAL, respond);
        return;
      }
      const conversationId = conversationIdFromBlockId(action.block_id);
      const place = conversationId ? placeFor(conversationId) : null;
      if (!conversationId || !place || place.team !== (body.team?.id ?? body.user.team_id)) {
        await tell(client, body, STALE_BUTTON, respond);
        return;
      }
      // Someone else's conversation (a colleague's thread): say so privately rather than answer in public.
      if (place.user !== body.user.id) {
        await tell(
          client,
          body,
          `That button belongs to <@${place.user}>'s conversation. Mention me in this thread to ask yourself.`,
          respond,
        );
        return;
      }
      // A slash command's answers (and anything ephemeral) stay private; the rest go to the DM or thread.
      if (place.viaResponseUrl || body.container?.is_ephemeral) {
        if (!respond) return; // an ephemeral message's buttons always come with a response_url
        await answerPrivately(
          client,
          respond,
          actor,
          body.user.id,
          conversationId,
          { action: action.value ?? '' },
          false,
        );
        return;
      }
      await answerInPlace(client, actor, place, { action: action.value ?? '' });
    },
  );

  // "Escalate…" on a ticket (in a reply or the App Home): the escalation form, unless the ticket moved on.
  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: new RegExp(`^${OPEN_ESCALATE_ACTION}(:|$)`) },
    async ({ ack, body, action, client }) => {
      await ack();
      const respond = responder(body.response_url);
      const actor = await staffFor(body.team?.id ?? body.user.team_id, body.user.id);
      if (!actor) return tell(client, body, REFUSAL, respond);
      // The button carries the escalation form's values (see block-kit.ts), read back through the core's codec.
      const ticketNumber = decodeFormValues('escalate_ticket', action.value)?.values.ticket;
      const found = ticketNumber ? await getTicket(ctx, actor, { ticketNumber }) : null;
      if (found?.kind !== 'ok')
        return tell(client, body, `I can't find ticket ${truncate(action.value ?? '', 20)}.`, respond);
      const ticket = found.value;
      const blocked = escalationBlocked(ticket);
      if (blocked === 'closed') {
        return tell(
          client,
          body,
          `Ticket ${ticket.number} is ${ticket.status} now, so it can't be escalated. You can open a new ticket instead.`,
          respond,
        );
      }
      if (blocked === 'highest')
        return tell(client, body, `Ticket ${ticket.number} is already at critical priority.`, respond);
      const conversationId = body.container?.type === 'message' ? conversationIdFromBlockId(action.block_id) : null;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: escalateModal(ticket, {
          ...(conversationId ? { conversationId } : {}),
          ...(body.container?.type === 'view' ? { fromHome: true } : {}),
        }) as unknown as View,
      });
    },
  );

  app.action({ type: 'block_actions', action_id: OPEN_CREATE_TICKET_ACTION }, async ({ ack, body, client }) => {
    await ack();
    const respond = responder(body.response_url);
    const actor = await staffFor(body.team?.id ?? body.user.team_id, body.user.id);
    if (!actor) return tell(client, body, REFUSAL, respond);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: createTicketModal({}, { fromHome: true }) as unknown as View,
    });
  });

  // The message shortcut "Open a ticket from this message": the ticket form, prefilled from the message.
  app.shortcut({ type: 'message_action', callback_id: TICKET_SHORTCUT }, async ({ ack, shortcut, client }) => {
    await ack();
    const actor = await staffFor(shortcut.team?.id ?? shortcut.user.team_id, shortcut.user.id);
    if (!actor) {
      await client.views.open({
        trigger_id: shortcut.trigger_id,
        view: noticeModal('Support Assistant', REFUSAL) as unknown as View,
      });
      return;
    }
    const text = (shortcut.message.text ?? '').replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();
    const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
    const view = createTicketModal(
      { title: firstLine, description: text },
      { source: { channel: shortcut.channel.id, ts: shortcut.message.ts } },
    );
    await client.views.open({ trigger_id: shortcut.trigger_id, view: view as unknown as View });
  });

  // The account menu of the ticket form: staff search every account by number or name.
  app.options<'block_suggestion'>(
    { type: 'block_suggestion', action_id: ACCOUNT_OPTIONS_ACTION },
    async ({ ack, body }) => {
      const actor = await staffFor(body.team?.id ?? body.user.team_id, body.user.id);
      const found = actor ? await searchAccounts(ctx, actor, { query: body.value, limit: 50 }) : null;
      const accounts = found?.kind === 'ok' ? found.value : [];
      await ack({
        options: accounts.map((a) => ({
          text: { type: 'plain_text', text: truncate(`${a.number} · ${a.name}`, 75) },
          value: a.number,
        })),
      });
    },
  );

  app.view(ESCALATE_VIEW, async ({ ack, body, view, client }) => {
    const actor = await staffFor(body.team?.id ?? body.user.team_id, body.user.id);
    if (!actor) return ack({ response_action: 'errors', errors: { reason: truncate(REFUSAL, 150) } });
    const metadata = decodeMetadata(view.private_metadata);
    const values = view.state.values as Parameters<typeof submitted>[0];
    const result = await escalateTicket(ctx, actor, {
      ticketNumber: metadata.ticket ?? '',
      toPriority: submitted(values, 'priority') as TicketPriority,
      reason: submitted(values, 'reason'),
      // The modal's id: a repeated submission of the same form escalates once.
      idempotencyKey: `slack-view:${view.id}`,
    });
    if (result.kind !== 'ok')
      return ack({ response_action: 'errors', errors: formErrors(result, { toPriority: 'priority' }, 'reason') });
    await ack();
    const t = result.value;
    const last = t.escalations.at(-1);
    const said = renderBlockKit({
      text: `${result.replayed ? 'Already escalated' : 'Escalated'} ${t.number} to ${t.priority} priority.`,
      cards: [ticketCard(t, last ? [{ label: 'Reason', value: last.reason }] : [])],
    });
    await sayOutcome(client, body.user.id, metadata, said);
    if (metadata.fromHome) await publishHome(client, body.team?.id ?? body.user.team_id ?? '', body.user.id);
  });

  app.view(CREATE_TICKET_VIEW, async ({ ack, body, view, client }) => {
    const actor = await staffFor(body.team?.id ?? body.user.team_id, body.user.id);
    if (!actor) return ack({ response_action: 'errors', errors: { title: truncate(REFUSAL, 150) } });
    const metadata = decodeMetadata(view.private_metadata);
    const values = view.state.values as Parameters<typeof submitted>[0];
    const accountNumber = submitted(values, 'account');
    if (!accountNumber)
      return ack({ response_action: 'errors', errors: { account: 'Please pick the customer account.' } });
    const result = await createTicket(ctx, actor, {
      accountNumber,
      title: submitted(values, 'title'),
      description: submitted(values, 'description'),
      priority: submitted(values, 'priority') as TicketPriority,
      preferredContact: submitted(values, 'contact') as ContactMethod,
      idempotencyKey: `slack-view:${view.id}`,
    });
    if (result.kind !== 'ok') {
      return ack({
        response_action: 'errors',
        errors: formErrors(
          result,
          { title: 'title', description: 'description', priority: 'priority', preferredContact: 'contact' },
          'account',
        ),
      });
    }
    await ack();
    const t = result.value;
    const from =
      metadata.source && idPart(metadata.source.channel)
        ? [{ label: 'From', value: `a message in <#${metadata.source.channel}>` }]
        : [];
    const said = renderBlockKit({
      text: `${result.replayed ? 'Already opened' : 'Opened'} ${t.number} on account ${t.accountNumber}.`,
      cards: [ticketCard(t, from)],
    });
    // Said privately (a DM), never in the channel the message came from.
    await sayOutcome(client, body.user.id, metadata, said);
    if (metadata.fromHome) await publishHome(client, body.team?.id ?? body.user.team_id ?? '', body.user.id);
  });

  /** A message outside a request (an agent's reply, a scheduled report): into the conversation's DM or thread. */
  const deliverer: ChannelDeliverer = {
    channel: 'slack',
    async deliver(target, reply) {
      const place = placeFor(target.conversationId);
      if (!place) return { kind: 'failed', reason: 'not a Slack conversation', retry: false };
      try {
        const client = app.client;
        // A slash command's conversation has no thread of its own: the person's DM with the app.
        const where = place.viaResponseUrl ? { channel: await directChannel(client, place.user) } : { channel: place.channel, ...(place.threadTs ? { threadTs: place.threadTs } : {}) };
        await post(client, where, renderBlockKit(reply, { conversationId: target.conversationId }));
        await upload(client, where.channel, 'threadTs' in where ? where.threadTs : undefined, reply.files ?? []);
        return { kind: 'delivered' };
      } catch (error) {
        // Slack's own answers say whether trying again can help: a revoked token or a closed channel cannot.
        const code = (error as { data?: { error?: string } }).data?.error;
        const final = code !== undefined && ['channel_not_found', 'is_archived', 'account_inactive', 'invalid_auth', 'not_in_channel', 'user_not_found', 'token_revoked'].includes(code);
        return { kind: 'failed', reason: code ?? (error instanceof Error ? error.message : String(error)), retry: !final };
      }
    },
  };

  const routes = new Hono();
  routes.post('/slack/events', (c) => receiver.handle(c.req.raw));
  return { routes, openApi: { paths: SLACK_OPENAPI_PATHS }, settled: () => receiver.settled(), deliverer };
}

const SLACK_OPENAPI_PATHS = {
  '/slack/events': {
    post: {
      summary: 'The Slack app: Events API callbacks, the /support slash command, interactivity and options',
      description: [
        'Called by Slack only (request URL of the app manifest, adapters/slack/manifest.json). Every request must carry',
        '`X-Slack-Signature` (v0 HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret) and',
        '`X-Slack-Request-Timestamp` within 5 minutes. Events arrive as JSON (url_verification, event_callback);',
        'slash commands as form fields; interactions (block_actions, view_submission, message_action, block_suggestion)',
        'as a form field `payload` holding JSON. Acknowledged within 3 seconds; the answer is posted through the Web API.',
      ].join(' '),
      parameters: [
        {
          name: 'X-Slack-Signature',
          in: 'header',
          required: true,
          schema: { type: 'string', pattern: '^v0=[0-9a-f]{64}$' },
        },
        {
          name: 'X-Slack-Request-Timestamp',
          in: 'header',
          required: true,
          schema: { type: 'string', pattern: '^[0-9]+$' },
        },
        {
          name: 'X-Slack-Retry-Num',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'Set on a re-delivery; an event is handled once.',
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['type'],
              properties: { type: { enum: ['url_verification', 'event_callback'] } },
            },
          },
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: { payload: { type: 'string' }, command: { type: 'string' }, text: { type: 'string' } },
            },
          },
        },
      },
      responses: {
        '200': {
          description:
            'Acknowledged: empty, the url_verification challenge, an ephemeral message, modal errors or menu options',
        },
        '400': {
          description: 'Malformed or oversized (over 256 KB)',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
        '401': {
          description: 'Unsigned, stale or tampered',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  },
} as const;

function ticketCard(t: TicketDetail, extra: { label: string; value: string }[]) {
  return {
    title: `${t.number} · ${t.title}`,
    fields: [
      { label: 'Account', value: t.accountNumber },
      { label: 'Priority', value: t.priority },
      { label: 'Status', value: t.status.replace(/_/g, ' ') },
      ...extra,
    ],
  };
}

/** A refused form submission as Slack's per-field errors; anything not about one field goes under `fallback`. */
function formErrors(
  outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>,
  fields: Record<string, string>,
  fallback: string,
): Record<string, string> {
  const message = outcomeMessage(outcome);
  const block = outcome.kind === 'invalid' ? (fields[outcome.field] ?? fallback) : fallback;
  return { [block]: truncate(message, 150) };
}

function outcomeMessage(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>): string {
  switch (outcome.kind) {
    case 'invalid':
    case 'conflict':
      return outcome.message;
    case 'not_found':
      return `I can't find ${outcome.what}.`;
    case 'forbidden':
      return outcome.reason;
    case 'sign_in_required':
      return REFUSAL;
  }
}

/** Conversation ids: `slack:T:D:d:U` (DM), `slack:T:C:t:TS:U` (a thread, per person), `slack:T:C:u:U` (slash command). */
export function conversationIdFor(place: Place): string {
  return place.threadTs
    ? `slack:${place.team}:${place.channel}:t:${place.threadTs}:${place.user}`
    : `slack:${place.team}:${place.channel}:d:${place.user}`;
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

function conversationIdFromBlockId(blockId: string | undefined): string | null {
  const id = (blockId ?? '').split('|')[0] ?? '';
  return id.startsWith('slack:') && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : null;
}

function idPart(value: string): boolean {
  return /^[A-Za-z0-9]{1,40}$/.test(value);
}

/**
 * A RespondFn for a response_url that waits out a 429's Retry-After (three tries in all), as the Web API
 * client does for its calls; Bolt's own respond() gives up at the first 429.
 */
function responder(responseUrl: string | undefined): RespondFn | undefined {
  if (!responseUrl) return undefined;
  return async (message) => {
    const body = JSON.stringify(typeof message === 'string' ? { text: message } : message);
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (response.ok) return response;
      if (response.status !== 429 || attempt >= 3) throw new Error(`response_url answered ${response.status}`);
      await sleep(Math.min(Number(response.headers.get('retry-after')) || 1, 30) * 1000);
    }
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
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

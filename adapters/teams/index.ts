// The Microsoft Teams bot, mounted on the service's Hono app at POST /api/messages: messages and card submits
// into the conversation engine, Adaptive Cards back, ticket escalation through a card, and proactive messages
// through the core's outbound port. botbuilder itself sits in bot-framework.ts only.
import { type Context, Hono } from 'hono';
import type { TeamsConfig } from '../../src/config.js';
import type { ChannelDeliverer } from '../../src/conversation/channel.js';
import type { ConversationEngine } from '../../src/conversation/engine.js';
import { WELCOME_OPTIONS } from '../../src/conversation/welcome.js';
import type { DomainContext } from '../../src/domain/context.js';
import type { MountedChannel } from '../http/app.js';
import type { ConnectionAddress } from '../http/client-address.js';
import type { Logger } from '../http/logger.js';
import type { InvokeResult, TeamsActivity, TeamsTurn } from './activity.js';
import { renderAdaptiveCards } from './adaptive-cards.js';
import { saveConversationReference } from './address.js';
import { createBotHost } from './bot-framework.js';
import { createTeamsDeliverer } from './deliver.js';
import { FILES_IN_PERSONAL_CHAT, fileConsentMessage, readFileConsent, uploadAcceptedFile } from './files.js';
import { actorFor, conversationIdFor } from './identity.js';
import { searchForExtension } from './search.js';
import { handleSubmit, submitData } from './submit.js';
import { openTicketFromTask, ticketFormTask } from './ticket-from-message.js';

export const WELCOME =
  "Hi — I'm the support assistant. Ask me about balances, invoices, tickets (\"my open tickets\", \"escalate ticket TT-104411\"), outages and reports.";
export const FAILED = 'Sorry — something went wrong while I was working on that. Please try again in a moment.';

export interface TeamsChannelOptions {
  readonly ctx: DomainContext;
  readonly engine: ConversationEngine;
  readonly config: TeamsConfig;
  readonly logger: Logger;
  /** Pause between sends into one conversation (Teams allows about 7 a second); tests set 0. */
  readonly minSendIntervalMs?: number;
  /** The address of a request's connection (the runtime's conninfo): local mode answers loopback only. */
  readonly connectionAddress?: ConnectionAddress;
}

function connectionAddressOf(c: Context, connectionAddress: ConnectionAddress | undefined): string | undefined {
  try {
    return connectionAddress?.(c);
  } catch {
    return undefined;
  }
}

function isLoopback(address: string): boolean {
  const plain = address.replace(/^::ffff:/, '');
  return plain === '::1' || /^127\./.test(plain);
}

export interface TeamsChannel extends Omit<MountedChannel, 'name'> {
  readonly deliverer: ChannelDeliverer;
}

export function createTeamsChannel(options: TeamsChannelOptions): TeamsChannel {
  const { ctx, engine, logger } = options;
  const host = createBotHost(options.config, logger);

  async function onTurn(turn: TeamsTurn): Promise<InvokeResult | undefined> {
    const activity = turn.activity;
    if (activity.type === 'conversationUpdate') {
      const others = (activity.membersAdded ?? []).filter((m) => m.id !== activity.recipient?.id);
      if (others.length > 0 && activity.conversation?.conversationType === 'personal') {
        await turn.send(renderAdaptiveCards({ text: WELCOME, quickReplies: WELCOME_OPTIONS }));
      }
      return undefined;
    }
    if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
      const data = (activity.value as { action?: { data?: unknown } } | undefined)?.action?.data;
      return answer(turn, activity, data, true);
    }
    if (activity.type === 'invoke' && activity.name === 'composeExtension/query') {
      return { status: 200, body: await searchForExtension(ctx, await actorFor(ctx, activity), activity.value) };
    }
    if (activity.type === 'invoke' && activity.name === 'composeExtension/fetchTask') {
      return { status: 200, body: await ticketFormTask(ctx, await actorFor(ctx, activity), activity.value) };
    }
    if (activity.type === 'invoke' && activity.name === 'composeExtension/submitAction') {
      return { status: 200, body: await openTicketFromTask(ctx, await actorFor(ctx, activity), activity) };
    }
    if (activity.type === 'invoke' && activity.name === 'fileConsent/invoke') {
      const consent = readFileConsent(activity.value);
      const conversationId = conversationIdFor(activity);
      if (!consent || !conversationId) return { status: 400 };
      if (consent.action === 'accept') {
        try {
          await turn.send(await uploadAcceptedFile(ctx, conversationId, consent, !host.authenticated));
        } catch (error) {
          logger.error({ err: error }, 'teams: file upload failed');
          await turn.send({ type: 'message', text: FAILED });
        }
      }
      return { status: 200 };
    }
    if (activity.type === 'message') {
      await answer(turn, activity, activity.value, false);
      return undefined;
    }
    // Other activity types (reactions, installation updates, typing…) are acknowledged and ignored.
    return undefined;
  }

  async function answer(turn: TeamsTurn, activity: TeamsActivity, value: unknown, invoke: boolean): Promise<InvokeResult | undefined> {
    const conversationId = conversationIdFor(activity);
    if (!conversationId) return invoke ? { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'no conversation' } } } : undefined;
    const actor = await actorFor(ctx, activity);
    const data = submitData(value);
    try {
      if (data?.kind === 'form') {
        const outcome = await handleSubmit(ctx, actor, activity, data.form);
        await turn.send(outcome.message);
        // The card that held the form shows the outcome in place (new priority, who and when).
        if (outcome.card && !invoke && activity.replyToId) await turn.update(activity.replyToId, { type: 'message', attachments: [outcome.card] });
        await saveConversationReference(ctx, conversationId, turn.reference());
        return invoke
          ? outcome.card
            ? { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: outcome.card.content } }
            : { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: outcome.message.text } }
          : undefined;
      }
      const text = data?.kind === 'action' ? undefined : withoutMentions(activity.text ?? '');
      if (data?.kind !== 'action' && !text) return invoke ? invokeMessage('Nothing to do.') : undefined;
      await turn.send({ type: 'typing' });
      const inbound = {
          channel: 'teams',
          conversationId,
          ...(data?.kind === 'action' ? { action: data.action } : { text }),
          ...(activity.id ? { messageId: activity.id } : {}),
          ...(activity.localTimezone ? { timeZone: activity.localTimezone } : {}),
        } as const;
      // Files are kept beside the reply's message, so the consent card can name them and hand them out later.
      const stored = engine.handleTurn ? await engine.handleTurn(inbound, actor, { keepFiles: true }) : { reply: await engine.handleMessage(inbound, actor), seqs: [] };
      const reply = stored.reply;
      await turn.send(renderAdaptiveCards(reply));
      const replySeq = stored.seqs.at(-1);
      if (reply.files?.length) {
        if (activity.conversation?.conversationType === 'personal' && replySeq !== undefined) await turn.send(fileConsentMessage(conversationId, replySeq, reply.files));
        else await turn.send({ type: 'message', text: FILES_IN_PERSONAL_CHAT });
      }
      await saveConversationReference(ctx, conversationId, turn.reference());
      return invoke ? invokeMessage(reply.text) : undefined;
    } catch (error) {
      logger.error({ err: error }, 'teams: answering failed');
      await turn.send({ type: 'message', text: FAILED }).catch(() => undefined);
      return invoke ? invokeMessage(FAILED) : undefined;
    }
  }

  const routes = new Hono();
  routes.post('/api/messages', (c) => {
    // Local mode checks no token (for the Bot Framework Emulator on this machine), so it answers this machine
    // only: anyone else could claim to be any linked Teams user. An in-process request has no socket.
    if (!options.config.appId) {
      const address = connectionAddressOf(c, options.connectionAddress);
      if (address !== undefined && !isLoopback(address)) {
        logger.warn({ address }, 'teams: local mode refused a request from another machine');
        return c.json({ error: { code: 'unauthorized', message: 'The Teams bot runs in local mode: set MicrosoftAppId to take requests from Teams.' } }, 401);
      }
    }
    return host.handle(c.req.raw, onTurn);
  });
  return {
    routes,
    openApi: { paths: TEAMS_OPENAPI_PATHS },
    deliverer: createTeamsDeliverer(host, logger, options.minSendIntervalMs ?? 150),
  };
}

function invokeMessage(text: string): InvokeResult {
  return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text } };
}

/** A mention of the bot in a channel or group chat arrives as <at>Name</at> in the text. */
function withoutMentions(text: string): string {
  return text.replace(/<at>[^<]*<\/at>/g, ' ').replace(/\s+/g, ' ').trim();
}

const TEAMS_OPENAPI_PATHS = {
  '/api/messages': {
    post: {
      tags: ['teams'],
      summary: 'Bot Framework activities from Microsoft Teams (authenticated with a Bot Framework JWT when an app id is set)',
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
      responses: { '200': { description: 'Handled (an invoke gets its invoke response)' }, '401': { description: 'Missing or invalid Bot Framework token' } },
    },
  },
};

// Messages outside a request (an agent's reply, a ticket update, a scheduled report) into the Teams conversation
// whose reference the core keeps, within Teams' throttling: a pause between sends into one conversation, and a
// 429 (or a 5xx) retried with backoff and jitter.
import type { ChannelDeliverer } from '../../src/conversation/channel.js';
import type { Logger } from '../http/logger.js';
import type { OutgoingActivity } from './activity.js';
import { renderAdaptiveCards } from './adaptive-cards.js';
import { readConversationReference } from './address.js';
import { fileConsentMessage } from './files.js';
import type { BotHost } from './bot-framework.js';

const ATTEMPTS = 4;
const BASE_DELAY_MS = 500;

export function createTeamsDeliverer(host: BotHost, logger: Logger, minIntervalMs: number): ChannelDeliverer {
  const lastSend = new Map<string, number>();

  async function paced(conversation: string): Promise<void> {
    const wait = (lastSend.get(conversation) ?? 0) + minIntervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    lastSend.set(conversation, Date.now());
    if (lastSend.size > 10_000) lastSend.clear();
  }

  return {
    channel: 'teams',
    async deliver(target, reply) {
      const reference = readConversationReference(target.address);
      if (!reference) return { kind: 'failed', reason: 'no Teams conversation reference is kept for this conversation', retry: false };
      const message: OutgoingActivity = renderAdaptiveCards(reply);
      for (let attempt = 1; ; attempt += 1) {
        try {
          await paced(target.conversationId);
          await host.continueConversation(reference, async (turn) => {
            await turn.send(message);
            // Files (a scheduled report) are offered with consent cards where Teams allows it: personal chat.
            if (reply.files?.length && turn.activity.conversation?.conversationType === 'personal') await turn.send(fileConsentMessage(target.conversationId, target.seq, reply.files));
          });
          return { kind: 'delivered' };
        } catch (error) {
          const status = statusOf(error);
          const retryable = status === 429 || status === undefined || status >= 500;
          if (!retryable) return { kind: 'failed', reason: `Teams answered ${status}`, retry: false };
          if (attempt >= ATTEMPTS) return { kind: 'failed', reason: status ? `Teams answered ${status}` : errorText(error), retry: true };
          const backoff = retryAfterMs(error) ?? BASE_DELAY_MS * 2 ** (attempt - 1);
          logger.warn({ status, attempt }, 'teams: send throttled or failed; retrying');
          await sleep(backoff + Math.random() * backoff * 0.5);
        }
      }
    },
    // Teams shows a typing indicator for a few seconds per typing activity; "off" needs nothing (the message ends it).
    async working(target, on) {
      const reference = readConversationReference(target.address);
      if (!on || !reference) return;
      try {
        await host.continueConversation(reference, async (turn) => {
          await turn.send({ type: 'typing' });
        });
      } catch (error) {
        logger.warn({ status: statusOf(error) }, 'teams: typing indicator failed');
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; response?: { status?: unknown } };
  const status = e?.statusCode ?? e?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined } } })?.response?.headers;
  const value = Number(headers?.get?.('retry-after'));
  return Number.isFinite(value) && value > 0 ? Math.min(value, 30) * 1000 : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

// A visitor's message on its way through the core: admitted against the size and flood limits, answered by
// the engine (which runs a conversation's turns one at a time, in order, and keeps the reply's files), and
// read back as the wire messages of that turn, with the typing indicator on while any turn is running.
import type { ErrorCode } from '../../src/errors.js';
import { type ErrorStatus, validTimeZone } from './http.js';
import { readMessages, type WireMessage } from './messages.js';
import { MAX_MESSAGE_BYTES, type WebChatDeps } from './options.js';
import type { Signed } from './session-lookup.js';

export type TurnInput = { text?: string; action?: string; timeZone?: string };
export type TurnRefusal = { kind: 'refused'; status: ErrorStatus; code: ErrorCode; message: string; retryAfterMs?: number };
export type TurnResult = { kind: 'ok'; messages: WireMessage[]; notice?: string };

export interface Turns {
  /** Checks a message against the size and flood limits before it reaches the engine; null: admitted. */
  admit(signed: Signed, input: TurnInput, client: string): Promise<TurnRefusal | null>;
  /**
   * Hands the message to the engine and returns the messages the turn stored. The engine takes the turn in
   * its queue before this first waits, so turns run in the order their messages were handed in.
   */
  converse(signed: Signed, input: TurnInput, client: string): Promise<TurnResult>;
}

const utf8 = new TextEncoder();

export function createTurns(deps: Omit<WebChatDeps, 'turns'>): Turns {
  const { ctx, engine, hub, links, rate, limits } = deps;
  const working = new Map<string, number>();

  async function admit(signed: Signed, input: TurnInput, client: string): Promise<TurnRefusal | null> {
    if (input.text !== undefined) {
      const bytes = utf8.encode(input.text).length;
      if (bytes > MAX_MESSAGE_BYTES) {
        return {
          kind: 'refused',
          status: 413,
          code: 'payload_too_large',
          message: `That message is too long: ${bytes.toLocaleString('en')} bytes, and the limit is 4 KB (${MAX_MESSAGE_BYTES.toLocaleString('en')} bytes). Please shorten it or send it in parts.`,
        };
      }
    }
    const taken = await deps.clientLimits.allow([
      { key: `messages:session:${signed.session.id}`, limit: rate.messages, windowSeconds: rate.windowSeconds },
      { key: `messages:client:${client}`, limit: limits?.clientMessagesPerMinute ?? 0, windowSeconds: 60 },
    ]);
    if (!taken.ok) {
      const fromSession = taken.key.startsWith('messages:session:');
      return {
        kind: 'refused',
        status: 429,
        code: 'rate_limited',
        message: fromSession
          ? `You're sending messages faster than I can answer (at most ${rate.messages} every ${rate.windowSeconds} seconds). Please wait a moment.`
          : `Too many messages are coming from your network right now. Please wait ${taken.retryAfterSeconds} seconds and try again.`,
        retryAfterMs: taken.retryAfterSeconds * 1000,
      };
    }
    return null;
  }

  async function converse(signed: Signed, input: TurnInput, client: string): Promise<TurnResult> {
    const conversationId = signed.session.conversationId;
    working.set(conversationId, (working.get(conversationId) ?? 0) + 1);
    if (working.get(conversationId) === 1) hub.typing(conversationId, true);
    try {
      // No lock of the channel's own: the engine queues the turn now, stores its messages and the reply's
      // files before the next turn of the conversation starts, and says which seqs are this turn's.
      const turn = engine.handleTurn(
        { channel: 'web', conversationId, text: input.text, action: input.action, timeZone: validTimeZone(input.timeZone), client },
        signed.actor,
        { keepFiles: true },
      );
      const { reply, seqs } = await turn;
      const first = seqs[0];
      const last = seqs.at(-1);
      const messages = first === undefined || last === undefined ? [] : await readMessages(ctx.db, links, conversationId, first - 1, { through: last });
      // The engine stores nothing when it refuses a conversation; its words still reach the visitor.
      // A notice (an agent has the conversation) is said now and not kept.
      return { kind: 'ok', messages, ...((messages.length === 0 || reply.notice) && reply.text ? { notice: reply.text } : {}) };
    } finally {
      hub.notify(conversationId);
      const left = (working.get(conversationId) ?? 1) - 1;
      if (left <= 0) {
        working.delete(conversationId);
        hub.typing(conversationId, false);
      } else working.set(conversationId, left);
    }
  }

  return { admit, converse };
}

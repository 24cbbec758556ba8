// Messages outside a request: the core stores the message in its conversation, then asks the conversation's
// channel to deliver it. A delivery that fails is kept with its reason and, where the channel says it may
// work later, retried with backoff; nothing here throws into the caller.
import type { Channel } from '../db/schema.js';
import type { DomainContext } from '../domain/context.js';
import type { ChannelDeliverer, DeliveryResult } from './channel.js';
import { storeMessage, withoutFileContents } from './conversation-store.js';
import { loadMessageFiles, storeMessageFiles } from './file-store.js';
import type { Reply } from './reply.js';

/** Waits before the 2nd, 3rd… attempt; after the last, the delivery is given up as failed. */
const BACKOFF_SECONDS = [30, 120, 600, 3600];

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly seq: number }
  /** Stored; the channel will be tried again. */
  | { readonly kind: 'pending'; readonly seq: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly seq: number | null; readonly reason: string };

export interface Outbound {
  /** Stores `reply` in the conversation as `author`'s and delivers it through the conversation's channel. */
  send(conversationId: string, reply: Reply, author?: 'bot' | 'agent' | 'system'): Promise<SendOutcome>;
  /** Tries the deliveries that are due again (a timer calls this); returns how many were tried. */
  retryDue(): Promise<number>;
  /** Shows (or stops showing) that a reply is being worked on, where the conversation's channel can. Never throws. */
  working(conversationId: string, on: boolean): Promise<void>;
}

export function createOutbound(ctx: DomainContext, deliverers: readonly ChannelDeliverer[], log?: (details: object, message: string) => void): Outbound {
  const byChannel = new Map<Channel, ChannelDeliverer>(deliverers.map((d) => [d.channel, d]));

  async function attempt(channel: Channel, target: Parameters<ChannelDeliverer['deliver']>[0], reply: Reply): Promise<DeliveryResult> {
    const deliverer = byChannel.get(channel);
    if (!deliverer) return { kind: 'failed', reason: `the ${channel} channel is not running here`, retry: false };
    try {
      return await deliverer.deliver(target, reply);
    } catch (error) {
      return { kind: 'failed', reason: error instanceof Error ? error.message : String(error), retry: true };
    }
  }

  /** Records an attempt's result; returns the delivery's state after it. */
  async function record(id: string, attempts: number, result: DeliveryResult): Promise<'delivered' | 'pending' | 'failed'> {
    const now = ctx.now();
    const wait = BACKOFF_SECONDS[attempts - 1];
    const status = result.kind === 'delivered' ? 'delivered' : result.retry && wait !== undefined ? 'pending' : 'failed';
    await ctx.db
      .updateTable('deliveries')
      .set({
        status,
        attempts,
        next_attempt_at: status === 'pending' && wait !== undefined ? new Date(now.getTime() + wait * 1000).toISOString() : null,
        last_error: result.kind === 'failed' ? result.reason.slice(0, 500) : null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute();
    if (result.kind === 'failed') log?.({ deliveryId: id, attempts, status, reason: result.reason.slice(0, 200) }, 'delivery failed');
    return status;
  }

  return {
    async send(conversationId, reply, author = 'bot') {
      try {
        const conversation = await ctx.db
          .selectFrom('conversations')
          .select(['channel', 'external_ref'])
          .where('id', '=', conversationId)
          .executeTakeFirst();
        if (!conversation) return { kind: 'failed', seq: null, reason: 'no such conversation' };
        const seq = await storeMessage(ctx.db, conversationId, 'out', author, reply.text, JSON.stringify(withoutFileContents(reply)), ctx.now());
        // Files are kept once, beside the message, so a retry (or any channel) can hand them out again.
        await storeMessageFiles(ctx.db, conversationId, seq, reply.files ?? [], ctx.now());
        const id = crypto.randomUUID();
        const at = ctx.now().toISOString();
        await ctx.db
          .insertInto('deliveries')
          .values({ id, conversation_id: conversationId, message_seq: seq, channel: conversation.channel, status: 'pending', attempts: 0, next_attempt_at: at, last_error: null, created_at: at, updated_at: at })
          .execute();
        const result = await attempt(conversation.channel, { conversationId, address: conversation.external_ref, seq, author }, reply);
        const status = await record(id, 1, result);
        if (status === 'delivered') return { kind: 'delivered', seq };
        const reason = result.kind === 'failed' ? result.reason : '';
        return status === 'pending' ? { kind: 'pending', seq, reason } : { kind: 'failed', seq, reason };
      } catch (error) {
        log?.({ err: error, conversationId }, 'sending a message outside a request failed');
        return { kind: 'failed', seq: null, reason: 'the message could not be stored' };
      }
    },

    async working(conversationId, on) {
      try {
        const conversation = await ctx.db.selectFrom('conversations').select(['channel', 'external_ref']).where('id', '=', conversationId).executeTakeFirst();
        const deliverer = conversation ? byChannel.get(conversation.channel) : undefined;
        if (conversation && deliverer?.working) await deliverer.working({ conversationId, address: conversation.external_ref }, on);
      } catch (error) {
        // Progress is a courtesy: a channel that cannot show it changes nothing else.
        log?.({ err: error, conversationId }, 'showing progress failed');
      }
    },

    async retryDue() {
      const now = ctx.now().toISOString();
      const due = await ctx.db
        .selectFrom('deliveries')
        .innerJoin('conversations', 'conversations.id', 'deliveries.conversation_id')
        .innerJoin('messages', (join) =>
          join.onRef('messages.conversation_id', '=', 'deliveries.conversation_id').onRef('messages.seq', '=', 'deliveries.message_seq'),
        )
        .select([
          'deliveries.id',
          'deliveries.attempts',
          'deliveries.channel',
          'deliveries.conversation_id',
          'deliveries.message_seq',
          'conversations.external_ref',
          'messages.author',
          'messages.text',
          'messages.payload',
        ])
        .where('deliveries.status', '=', 'pending')
        .where('deliveries.next_attempt_at', '<=', now)
        .orderBy('deliveries.next_attempt_at')
        .limit(50)
        .execute();
      for (const row of due) {
        try {
          // Claimed by moving its next attempt on: another instance running the same sweep skips it.
          const claimed = await ctx.db
            .updateTable('deliveries')
            .set({ next_attempt_at: new Date(ctx.now().getTime() + 60_000).toISOString() })
            .where('id', '=', row.id)
            .where('status', '=', 'pending')
            .where('next_attempt_at', '<=', now)
            .executeTakeFirst();
          if (Number(claimed.numUpdatedRows) !== 1) continue;
          const stored = (row.payload ? JSON.parse(row.payload) : { text: row.text }) as Reply;
          const files = await loadMessageFiles(ctx.db, row.conversation_id, row.message_seq);
          const reply: Reply = { ...stored, ...(files.length ? { files } : { files: undefined }) };
          const author = row.author === 'agent' || row.author === 'system' ? row.author : 'bot';
          const result = await attempt(row.channel, { conversationId: row.conversation_id, address: row.external_ref, seq: row.message_seq, author }, reply);
          await record(row.id, row.attempts + 1, result);
        } catch (error) {
          log?.({ err: error, deliveryId: row.id }, 'retrying a delivery failed');
        }
      }
      return due.length;
    },
  };
}

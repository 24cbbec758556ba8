// The channel port: how the core reaches a person outside a request. Each channel (web chat, Slack, Teams…)
// gives the core a ChannelDeliverer; the core stores the message and asks the conversation's channel to
// show it where the person is (a socket, a Slack thread, a Teams conversation).
import type { Channel } from '../db/schema.js';
import type { Reply } from './reply.js';

/** Where a delivery goes: the conversation, its channel's own handle for it, and the stored message. */
export interface DeliveryTarget {
  readonly conversationId: string;
  /** The channel's handle saved with the conversation (conversations.external_ref), if it keeps one. */
  readonly address: string | null;
  /** The stored message's number in the conversation. */
  readonly seq: number;
  /** Who speaks: the assistant, a person (agent), or a notice. */
  readonly author: 'bot' | 'agent' | 'system';
}

/**
 * What became of a delivery. `retry`: the channel may succeed later (rate limited, unreachable); the core
 * tries again with backoff. Otherwise a failure is final (the person left, the token was revoked).
 */
export type DeliveryResult = { readonly kind: 'delivered' } | { readonly kind: 'failed'; readonly reason: string; readonly retry: boolean };

export interface ChannelDeliverer {
  readonly channel: Channel;
  /** Shows a stored message in the channel. Should not throw; a throw counts as a failure to retry. */
  deliver(target: DeliveryTarget, reply: Reply): Promise<DeliveryResult>;
  /**
   * Progress: someone (the assistant on a slow answer, an agent typing) is working on a reply. Each channel
   * shows it its own way (the web chat's typing dots, Teams' typing activity); absent where a channel has none.
   */
  working?(target: Pick<DeliveryTarget, 'conversationId' | 'address'>, on: boolean): Promise<void>;
}

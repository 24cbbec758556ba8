// The channel-neutral message shapes: what a channel hands the core (InboundMessage) and what the core
// answers (Reply). Each channel renders a Reply into its own format (HTML, Block Kit, Adaptive Cards).
import type { Channel } from '../db/schema.js';

/** What a person sent: typed text, or the payload of a button they pressed. */
export interface InboundMessage {
  readonly channel: Channel;
  /** The conversation this belongs to (created by the channel adapter or the engine). */
  readonly conversationId: string;
  readonly text?: string;
  /** A button press: the `value` of the ReplyAction that was pressed. */
  readonly action?: string;
  /** The channel's id for this message, so a re-delivered message is handled once. */
  readonly messageId?: string;
  /** The person's IANA time zone, when the channel knows it. */
  readonly timeZone?: string;
  /** Where the message came from (a client network address as the channel saw it), for abuse limits. */
  readonly client?: string;
}

export interface ReplyField {
  readonly label: string;
  readonly value: string;
}

export interface ReplyTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** A form the core knows by name, with the values it opens with (e.g. escalate_ticket for one ticket). */
export interface ReplyForm {
  readonly name: string;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * What pressing a button does. `value` is always there: it is sent back as InboundMessage.action when the
 * action is a plain reply, and it is what a channel that does not know the action's kind sends instead.
 * Build these with src/conversation/actions.ts.
 */
export type ReplyAction = {
  readonly label: string;
  /** Sent back as InboundMessage.action when pressed (for every kind a channel does not show its own way). */
  readonly value: string;
  readonly style?: 'primary' | 'danger';
} & (
  | { readonly kind?: 'reply' }
  /** Open a form (a modal, a card with inputs) prefilled with `form.values`. */
  | { readonly kind: 'form'; readonly form: ReplyForm }
  /** Open a web page. */
  | { readonly kind: 'link'; readonly url: string }
  /** Ask the person to sign in, the channel's own way. */
  | { readonly kind: 'sign_in' }
);

export interface ReplyCard {
  readonly title: string;
  readonly subtitle?: string;
  readonly fields?: readonly ReplyField[];
  readonly table?: ReplyTable;
  readonly actions?: readonly ReplyAction[];
}

export interface ReplyFile {
  readonly filename: string;
  readonly mediaType: 'application/pdf' | 'text/csv';
  readonly content: Uint8Array;
  readonly description?: string;
}

export interface Reply {
  /** Plain text, always present, so every channel (and a screen reader) has something to say. */
  readonly text: string;
  readonly cards?: readonly ReplyCard[];
  /** Short suggested answers shown as chips. */
  readonly quickReplies?: readonly ReplyAction[];
  readonly files?: readonly ReplyFile[];
  /** Set when the conversation has been handed to a human. */
  readonly handoff?: { readonly status: 'waiting' | 'active' };
  /** A person joined or left the conversation (channels show it as a notice, not a bubble). */
  readonly event?: 'agent_joined' | 'agent_left';
  /** Said to the person now but not kept in the conversation (e.g. "an agent has this conversation"). */
  readonly notice?: boolean;
}

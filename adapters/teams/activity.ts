// The Bot Framework activity as this adapter reads and writes it: plain JSON shapes, independent of the SDK.

export interface TeamsActivity {
  readonly type: string;
  readonly id?: string;
  readonly name?: string;
  readonly text?: string;
  readonly value?: unknown;
  readonly replyToId?: string;
  readonly serviceUrl?: string;
  readonly channelId?: string;
  readonly locale?: string;
  readonly localTimezone?: string;
  readonly from?: { readonly id?: string; readonly name?: string; readonly aadObjectId?: string };
  readonly recipient?: { readonly id?: string; readonly name?: string };
  readonly conversation?: { readonly id?: string; readonly conversationType?: string; readonly tenantId?: string; readonly isGroup?: boolean };
  readonly membersAdded?: readonly { readonly id?: string; readonly aadObjectId?: string }[];
  readonly channelData?: { readonly tenant?: { readonly id?: string } };
}

export interface AdaptiveCardAttachment {
  readonly contentType: 'application/vnd.microsoft.card.adaptive';
  readonly content: Record<string, unknown>;
}

/** What the bot sends: a message with text and cards, or a typing indicator. */
export interface OutgoingActivity {
  readonly type: 'message' | 'typing';
  readonly text?: string;
  readonly textFormat?: 'plain' | 'markdown';
  readonly attachments?: readonly (AdaptiveCardAttachment | { readonly contentType: string; readonly contentUrl?: string; readonly name?: string; readonly content?: unknown })[];
  readonly suggestedActions?: { readonly to?: readonly string[]; readonly actions: readonly { type: 'imBack'; title: string; value: string }[] };
}

/** The answer to an invoke (adaptiveCard/action): its HTTP status and body. */
export interface InvokeResult {
  readonly status: number;
  readonly body?: unknown;
}

/** One incoming activity being handled: what came in, and how to answer in its conversation. */
export interface TeamsTurn {
  readonly activity: TeamsActivity;
  /** Sends into the activity's conversation; returns the new message's id. */
  send(activity: OutgoingActivity): Promise<string | undefined>;
  /** Replaces a message the bot sent earlier (a card updated in place). */
  update(id: string, activity: OutgoingActivity): Promise<void>;
  /** The conversation reference, kept for proactive messages. */
  reference(): Record<string, unknown>;
}

// What the web chat is built from (its options) and what its routes, middleware and turn handling share.
import type { Context } from 'hono';
import type { WSEvents } from 'hono/ws';
import type { ConversationEngine } from '../../src/conversation/engine.js';
import type { AbuseLimits } from '../../src/config.js';
import type { DomainContext } from '../../src/domain/context.js';
import type { ConnectionAddress } from '../http/client-address.js';
import type { ClientLimits } from './client-limits.js';
import type { Hub } from './hub.js';
import type { FileLinks } from './messages.js';
import type { SessionLookup } from './session-lookup.js';
import type { SessionStore } from './sessions.js';
import type { TranscriptLine } from './transcript.js';
import type { Turns } from './turns.js';

/** Longest message a visitor may send, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 4096;
/** Largest request body (JSON) the chat API reads. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Upgrades a request to a WebSocket: on Node, @hono/node-ws's upgradeWebSocket, injected by the Node root. */
export type UpgradeToWebSocket = (c: Context, events: WSEvents) => Response | Promise<Response>;

export interface WebChatLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** The engine as the web chat uses it: it reads each turn's messages back, so it needs what the turn stored. */
export type WebChatEngine = ConversationEngine & Pick<Required<ConversationEngine>, 'handleTurn'>;

export interface WebChatOptions {
  readonly ctx: DomainContext;
  readonly engine: WebChatEngine;
  /** HMAC key of the session tokens a portal hands the widget. */
  readonly portalSessionSecret: string;
  /** HMAC key of file download links. */
  readonly fileUrlSecret: string;
  /** Page origins allowed besides the service's own (same host). */
  readonly allowedOrigins?: readonly string[];
  readonly sessionIdleMinutes?: number;
  readonly sessionMaxHours?: number;
  readonly fileUrlMinutes?: number;
  /** Files sent in chats are deleted this many days after they were sent. Default 30. */
  readonly fileRetentionDays?: number;
  /** Messages (and sign-in attempts) per session in a window; applies while `limits` is on. */
  readonly rateLimit?: { readonly messages: number; readonly windowSeconds: number };
  /** Per-client, per-socket and handoff limits; undefined: the defaults; null: every limit off (load benchmarks). */
  readonly limits?: AbuseLimits | null;
  /** The address of a request's connection (the runtime's conninfo), for per-client limits. */
  readonly connectionAddress?: ConnectionAddress;
  /** Lays a transcript out as a PDF (transcript-pdf.ts on Node); without it only text transcripts are offered. */
  readonly renderTranscriptPdf?: (lines: readonly TranscriptLine[]) => Promise<Uint8Array>;
  /** The widget's JavaScript, served at /widget.js. */
  readonly widgetScript: string;
  /** Absent where the runtime has no WebSocket support: clients then use /chat/events. */
  readonly upgradeWebSocket?: UpgradeToWebSocket;
  /** How often open sockets and streams look for messages written elsewhere, and for expired sessions. */
  readonly pollMs?: number;
  /** How long a new socket may wait before saying hello. */
  readonly helloTimeoutMs?: number;
  readonly logger?: WebChatLogger;
}

/** Built once per web chat (createWebChat) and handed to each part of it. */
export interface WebChatDeps {
  readonly options: WebChatOptions;
  readonly ctx: DomainContext;
  readonly engine: WebChatEngine;
  readonly logger: WebChatLogger | undefined;
  readonly sessions: SessionStore;
  readonly lookup: SessionLookup;
  readonly links: FileLinks;
  readonly hub: Hub;
  readonly clientLimits: ClientLimits;
  /** The abuse limits in force; null when they are off. */
  readonly limits: AbuseLimits | null;
  /** Messages and sign-in attempts per session in a window. */
  readonly rate: { readonly messages: number; readonly windowSeconds: number };
  /** Whether a page origin may use the chat: the service's own, or one allowed. */
  readonly originAllowed: (c: Context, origin: string | undefined) => boolean;
  readonly turns: Turns;
}

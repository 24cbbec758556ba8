// The conversation as the web chat sends it: stored messages (with their seq) turned into wire messages,
// files kept per message and linked by signed URLs, and the few messages the channel itself writes.
import type { Kysely } from 'kysely';
import type { Reply, ReplyAction, ReplyCard } from '../../src/conversation/reply.js';
import type { Database } from '../../src/db/schema.js';
import { hmac, sameText } from './signing.js';

export interface WireFile {
  readonly id: string;
  readonly filename: string;
  readonly mediaType: string;
  readonly bytes: number;
  /** A signed, expiring link; it also needs the conversation's session token to open. */
  readonly url: string;
  readonly expiresAt: string;
}

/** One message of the conversation, in and out, numbered by `seq` (1, 2, 3… per conversation). */
export interface WireMessage {
  readonly seq: number;
  readonly direction: 'in' | 'out';
  readonly author: 'user' | 'bot' | 'agent' | 'system';
  readonly text: string;
  readonly createdAt: string;
  /** For a button press: the value pressed. */
  readonly action?: string;
  readonly cards?: readonly ReplyCard[];
  readonly quickReplies?: readonly ReplyAction[];
  readonly files?: readonly WireFile[];
  readonly handoff?: Reply['handoff'];
  /** A notice the channel adds: 'signed_in', 'agent_joined', 'agent_left'. */
  readonly event?: string;
}

/** At most this many messages per read; a client catches up in pages. */
export const MAX_MESSAGES_PER_READ = 200;

export interface FileLinks {
  readonly secret: string;
  readonly ttlMs: number;
  readonly now: () => Date;
}

/** The path and query of a file's download link, signed over the file, its conversation and the expiry. */
export function signFileUrl(links: FileLinks, fileId: string, conversationId: string): { url: string; expiresAt: string } {
  const exp = Math.floor((links.now().getTime() + links.ttlMs) / 1000);
  const sig = hmac(links.secret, `${fileId}.${conversationId}.${exp}`);
  return { url: `/chat/files/${fileId}?exp=${exp}&sig=${sig}`, expiresAt: new Date(exp * 1000).toISOString() };
}

export type FileUrlCheck = 'ok' | 'expired' | 'bad_signature';

export function checkFileUrl(links: FileLinks, fileId: string, conversationId: string, exp: string | undefined, sig: string | undefined): FileUrlCheck {
  if (!exp || !/^\d{1,12}$/.test(exp) || !sig) return 'bad_signature';
  if (!sameText(sig, hmac(links.secret, `${fileId}.${conversationId}.${exp}`))) return 'bad_signature';
  return Number(exp) * 1000 > links.now().getTime() ? 'ok' : 'expired';
}

/** Keeps the files of the bot message `seq`, in order, so they can be downloaded later. */
/** The core's file store, under the names this channel has always used. */
export { readStoredFile as readFile, storeMessageFiles as storeFiles } from '../../src/conversation/file-store.js';

export async function lastSeq(db: Kysely<Database>, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.max<number>('seq').as('seq'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** The latest message the bot wrote after `after`: where the files of the reply just made belong. */
export async function latestBotMessageSeq(db: Kysely<Database>, conversationId: string, after: number): Promise<number | null> {
  const row = await db
    .selectFrom('messages')
    .select('seq')
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', after)
    .where('direction', '=', 'out')
    .where('author', '=', 'bot')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.seq) : null;
}

/** Messages after `after`, oldest first, as the wire shows them, with fresh links to their files. */
export async function readMessages(
  db: Kysely<Database>,
  links: FileLinks,
  conversationId: string,
  after: number,
  limit = MAX_MESSAGES_PER_READ,
): Promise<WireMessage[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['seq', 'direction', 'author', 'text', 'payload', 'created_at'])
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  if (rows.length === 0) return [];
  const files = await db
    .selectFrom('chat_files')
    .select(['id', 'message_seq', 'position', 'filename', 'media_type', 'bytes'])
    .where('conversation_id', '=', conversationId)
    .where('message_seq', 'in', rows.map((r) => Number(r.seq)))
    .orderBy('message_seq')
    .orderBy('position')
    .execute();
  return rows.map((row) => {
    const seq = Number(row.seq);
    const own = files
      .filter((f) => Number(f.message_seq) === seq)
      .map((f): WireFile => ({ id: f.id, filename: f.filename, mediaType: f.media_type, bytes: Number(f.bytes), ...signFileUrl(links, f.id, conversationId) }));
    return toWire({ ...row, seq }, own);
  });
}

function toWire(
  row: { seq: number; direction: 'in' | 'out'; author: WireMessage['author']; text: string; payload: string | null; created_at: string },
  files: WireFile[],
): WireMessage {
  const base = { seq: row.seq, direction: row.direction, author: row.author, createdAt: row.created_at };
  if (row.direction === 'in') {
    // The engine keeps a button press as "[value]" with the value as the payload.
    return row.payload !== null ? { ...base, text: '', action: row.payload } : { ...base, text: row.text };
  }
  const payload = parsePayload(row.payload);
  return {
    ...base,
    text: row.text,
    ...(payload.cards ? { cards: payload.cards } : {}),
    ...(payload.quickReplies ? { quickReplies: payload.quickReplies } : {}),
    ...(files.length ? { files } : {}),
    ...(payload.handoff ? { handoff: payload.handoff } : {}),
    ...(payload.event ? { event: payload.event } : {}),
  };
}

interface StoredPayload {
  cards?: ReplyCard[];
  quickReplies?: ReplyAction[];
  handoff?: Reply['handoff'];
  event?: string;
}

/** Only the parts the wire shows, each checked for shape: payloads are written by several writers. */
function parsePayload(text: string | null): StoredPayload {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null) return {};
  const p = value as Record<string, unknown>;
  const out: StoredPayload = {};
  if (Array.isArray(p.cards)) out.cards = p.cards as ReplyCard[];
  if (Array.isArray(p.quickReplies)) out.quickReplies = p.quickReplies as ReplyAction[];
  const handoff = p.handoff as { status?: unknown } | undefined;
  if (handoff && (handoff.status === 'waiting' || handoff.status === 'active')) out.handoff = { status: handoff.status };
  if (typeof p.event === 'string') out.event = p.event;
  return out;
}

/** Adds a message the channel itself writes (a sign-in notice), with the next seq of the conversation. */
export async function appendMessage(
  db: Kysely<Database>,
  conversationId: string,
  message: { author: 'system'; text: string; payload: Record<string, unknown> },
  now: Date,
): Promise<number> {
  // As the engine does: the next number after the highest; the unique index turns a race into a retry.
  for (let attempt = 0; ; attempt++) {
    const seq = (await lastSeq(db, conversationId)) + 1;
    try {
      await db
        .insertInto('messages')
        .values({
          conversation_id: conversationId,
          seq,
          direction: 'out',
          author: message.author,
          text: message.text,
          payload: JSON.stringify({ text: message.text, ...message.payload }),
          created_at: now.toISOString(),
        })
        .execute();
      return seq;
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
}

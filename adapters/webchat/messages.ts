// The conversation as the web chat sends it: stored messages (with their seq) turned into wire messages,
// files kept per message (in the core's file store) and linked by signed URLs.
import type { Kysely } from 'kysely';
import type { Reply, ReplyAction, ReplyCard } from '../../src/conversation/reply.js';
import type { Database } from '../../src/db/schema.js';
import type { FileLinks } from '../../src/conversation/file-links.js';

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

export type { FileLinks } from '../../src/conversation/file-links.js';

/** The path and query of a file's download link in this chat (the session is checked there too). */
export async function signFileUrl(links: FileLinks, fileId: string, conversationId: string): Promise<{ url: string; expiresAt: string }> {
  const signed = await links.sign(fileId, conversationId);
  return { url: `/chat/files/${fileId}?${signed.query}`, expiresAt: signed.expiresAt };
}

/** The core's file store, under the name this channel has always used. */
export { readStoredFile as readFile } from '../../src/conversation/file-store.js';

export async function lastSeq(db: Kysely<Database>, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.max<number>('seq').as('seq'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/**
 * Messages after `after` (and up to `through`, when given), oldest first, as the wire shows them, with fresh
 * links to their files.
 */
export async function readMessages(
  db: Kysely<Database>,
  links: FileLinks,
  conversationId: string,
  after: number,
  options: { readonly limit?: number; readonly through?: number } = {},
): Promise<WireMessage[]> {
  let query = db
    .selectFrom('messages')
    .select(['seq', 'direction', 'author', 'text', 'payload', 'created_at'])
    .where('conversation_id', '=', conversationId)
    .where('seq', '>', after);
  if (options.through !== undefined) query = query.where('seq', '<=', options.through);
  const rows = await query
    .orderBy('seq')
    .limit(options.limit ?? MAX_MESSAGES_PER_READ)
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
  const signed = new Map(await Promise.all(files.map(async (f) => [f.id, await signFileUrl(links, f.id, conversationId)] as const)));
  return rows.map((row) => {
    const seq = Number(row.seq);
    const own = files
      .filter((f) => Number(f.message_seq) === seq)
      .map((f): WireFile => ({ id: f.id, filename: f.filename, mediaType: f.media_type, bytes: Number(f.bytes), ...(signed.get(f.id) as { url: string; expiresAt: string }) }));
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

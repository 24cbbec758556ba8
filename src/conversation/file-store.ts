// Files sent in conversations (reports, invoices, transcripts), stored once beside the message that carries
// them, for every channel to hand out: the web chat by signed link, Slack and Teams by upload.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ReplyFile } from './reply.js';

/** An unguessable file id: 18 random bytes, base64url. */
function newFileId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function storeMessageFiles(db: Kysely<Database>, conversationId: string, seq: number, files: readonly ReplyFile[], now: Date): Promise<void> {
  if (files.length === 0) return;
  await db
    .insertInto('chat_files')
    .values(
      files.map((file, position) => ({
        id: newFileId(),
        conversation_id: conversationId,
        message_seq: seq,
        position,
        filename: file.filename,
        media_type: file.mediaType,
        bytes: file.content.byteLength,
        content: file.content,
        created_at: now.toISOString(),
      })),
    )
    .execute();
}

/** The files of one message, in the order they were sent. */
export async function loadMessageFiles(db: Kysely<Database>, conversationId: string, seq: number): Promise<ReplyFile[]> {
  const rows = await db
    .selectFrom('chat_files')
    .select(['filename', 'media_type', 'content'])
    .where('conversation_id', '=', conversationId)
    .where('message_seq', '=', seq)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ filename: r.filename, mediaType: r.media_type as ReplyFile['mediaType'], content: new Uint8Array(r.content) }));
}

/** One stored file by its id (for a signed download link). */
export async function readStoredFile(db: Kysely<Database>, fileId: string) {
  if (!/^[A-Za-z0-9_-]{10,64}$/.test(fileId)) return undefined;
  return db.selectFrom('chat_files').selectAll().where('id', '=', fileId).executeTakeFirst();
}

/** Deletes the files sent before `before` (customer data is not kept longer than needed); returns how many. */
export async function purgeStoredFiles(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom('chat_files').where('created_at', '<', before.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

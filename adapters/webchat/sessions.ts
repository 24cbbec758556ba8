// Web chat sessions: a random bearer token per visitor, bound to one conversation, with idle and absolute
// timeouts. Only the token's SHA-256 is stored; a sign-in replaces the token (the old one stops working).
import type { Kysely } from 'kysely';
import type { ChatSessionIdentity, Database } from '../../src/db/schema.js';
import { hashToken, newToken } from './signing.js';

export interface ChatSession {
  /** The stored hash of the token; the token itself is never kept. */
  readonly id: string;
  readonly conversationId: string;
  readonly identity: ChatSessionIdentity;
  readonly portalUserId: number | null;
  readonly accountId: number | null;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
}

export interface SessionIdentity {
  readonly identity: ChatSessionIdentity;
  readonly portalUserId: number | null;
  readonly accountId: number | null;
}

export interface SessionStore {
  create(conversationId: string, who: SessionIdentity): Promise<{ token: string; session: ChatSession }>;
  /** The live session for a token, or null (unknown, idle too long, or past its absolute end). */
  find(token: string, options?: { touch?: boolean }): Promise<ChatSession | null>;
  /** Whether the session still stands, without moving its idle clock (for open sockets and streams). */
  isLive(sessionId: string): Promise<boolean>;
  /** Ends the session and starts a new one, with a new token, for the same or another conversation. */
  rotate(old: ChatSession, conversationId: string, who: SessionIdentity): Promise<{ token: string; session: ChatSession }>;
  end(sessionId: string): Promise<void>;
  /** Deletes sessions that can no longer be used. */
  purge(): Promise<number>;
  readonly idleMs: number;
}

/** Activity moves last_seen_at at most this often, so a busy session does not write on every message. */
const TOUCH_EVERY_MS = 15_000;

export function createSessionStore(
  db: Kysely<Database>,
  policy: { idleMs: number; maxMs: number },
  now: () => Date = () => new Date(),
): SessionStore {
  const { idleMs, maxMs } = policy;

  const live = (row: { last_seen_at: string; expires_at: string }, at: Date) =>
    Date.parse(row.expires_at) > at.getTime() && Date.parse(row.last_seen_at) + idleMs > at.getTime();

  async function create(conversationId: string, who: SessionIdentity) {
    const token = newToken();
    const at = now();
    const session: ChatSession = {
      id: hashToken(token),
      conversationId,
      identity: who.identity,
      portalUserId: who.portalUserId,
      accountId: who.accountId,
      createdAt: at.toISOString(),
      lastSeenAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + maxMs).toISOString(),
    };
    await db
      .insertInto('chat_sessions')
      .values({
        id: session.id,
        conversation_id: conversationId,
        identity: who.identity,
        portal_user_id: who.portalUserId,
        account_id: who.accountId,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
      })
      .execute();
    return { token, session };
  }

  async function find(token: string, options: { touch?: boolean } = {}): Promise<ChatSession | null> {
    if (!/^[A-Za-z0-9_-]{20,128}$/.test(token)) return null;
    const id = hashToken(token);
    const row = await db.selectFrom('chat_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const at = now();
    if (!live(row, at)) {
      await db.deleteFrom('chat_sessions').where('id', '=', id).execute();
      return null;
    }
    let lastSeen = row.last_seen_at;
    if (options.touch && at.getTime() - Date.parse(row.last_seen_at) >= TOUCH_EVERY_MS) {
      lastSeen = at.toISOString();
      await db.updateTable('chat_sessions').set({ last_seen_at: lastSeen }).where('id', '=', id).execute();
    }
    return {
      id,
      conversationId: row.conversation_id,
      identity: row.identity,
      portalUserId: row.portal_user_id,
      accountId: row.account_id,
      createdAt: row.created_at,
      lastSeenAt: lastSeen,
      expiresAt: row.expires_at,
    };
  }

  async function isLive(sessionId: string): Promise<boolean> {
    const row = await db.selectFrom('chat_sessions').select(['last_seen_at', 'expires_at']).where('id', '=', sessionId).executeTakeFirst();
    return row !== undefined && live(row, now());
  }

  async function end(sessionId: string): Promise<void> {
    await db.deleteFrom('chat_sessions').where('id', '=', sessionId).execute();
  }

  async function rotate(old: ChatSession, conversationId: string, who: SessionIdentity) {
    await end(old.id);
    return create(conversationId, who);
  }

  async function purge(): Promise<number> {
    const at = now();
    const result = await db
      .deleteFrom('chat_sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', at.toISOString()), eb('last_seen_at', '<=', new Date(at.getTime() - idleMs).toISOString())]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  return { create, find, isLive, rotate, end, purge, idleMs };
}

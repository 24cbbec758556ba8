// Where a conversation lives: its row (owner, dialog state with an optimistic version), its messages in
// order, and the time zone of the account in focus. The engine and the channels write conversations only through here.
import type { Kysely } from 'kysely';
import type { Channel, Database } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import { type DialogState, parseState } from './dialog/state.js';
import type { InboundMessage, Reply, ReplyAction } from './reply.js';

export async function focusZone(db: Kysely<Database>, accountNumber: string | undefined): Promise<string | undefined> {
  if (!accountNumber) return undefined;
  const row = await db.selectFrom('accounts').select('time_zone').where('number', '=', accountNumber).executeTakeFirst();
  return row?.time_zone;
}

type ConversationRow = Awaited<ReturnType<typeof readConversation>> & object;

export function readConversation(db: Kysely<Database>, id: string) {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Any channel's conversation id: up to 512 characters of printable text (Teams ids carry '@', ';', '=' and
 * run long). Stored as a bound parameter like any text, so no character is special to the database.
 */
export function validConversationId(id: string): boolean {
  return id.length >= 1 && id.length <= 512 && /^[\p{L}\p{N}\p{P}\p{S} ]+$/u.test(id) && id.trim() === id;
}

/**
 * The conversation's row, made now unless it exists (a channel may open a conversation before anything is
 * said in it, e.g. to greet a person who signed in; the first message then finds it). An existing row is left as it is.
 */
export async function ensureConversation(
  db: Kysely<Database>,
  conversation: { readonly id: string; readonly channel: Channel; readonly actor: Actor; readonly now: Date },
): Promise<void> {
  const { actor } = conversation;
  const at = conversation.now.toISOString();
  await db
    .insertInto('conversations')
    .values({
      id: conversation.id,
      channel: conversation.channel,
      external_ref: null,
      portal_user_id: actor.kind === 'customer' ? actor.userId : null,
      staff_id: actor.kind === 'staff' ? actor.staffId : null,
      account_in_focus_id: null,
      state: JSON.stringify({ misunderstandings: 0 }),
      state_version: 0,
      status: 'bot',
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Whether a question asked before signing in is kept, to be answered once the person has signed in. */
export async function questionWaitingForSignIn(db: Kysely<Database>, id: string): Promise<boolean> {
  const row = await readConversation(db, id);
  return row !== undefined && parseState(row.state).afterSignIn !== undefined;
}

/** Loads the conversation, creating it on first message; someone else's conversation is refused. */
export async function loadConversation(
  db: Kysely<Database>,
  inbound: InboundMessage,
  actor: Actor,
  now: string,
): Promise<{ kind: 'ok'; row: ConversationRow } | { kind: 'refused'; reply: Reply }> {
  if (!validConversationId(inbound.conversationId)) return { kind: 'refused', reply: { text: 'That conversation id is not valid.' } };
  let row = await readConversation(db, inbound.conversationId);
  const userId = actor.kind === 'customer' ? actor.userId : null;
  const staffId = actor.kind === 'staff' ? actor.staffId : null;
  if (!row) {
    await ensureConversation(db, { id: inbound.conversationId, channel: inbound.channel, actor, now: new Date(now) });
    row = await readConversation(db, inbound.conversationId);
    if (!row) throw new Error('conversation could not be created');
  }
  const ownedByOther = (row.portal_user_id !== null && row.portal_user_id !== userId) || (row.staff_id !== null && row.staff_id !== staffId);
  if (ownedByOther) return { kind: 'refused', reply: { text: 'This conversation belongs to someone else. Please start a new one.' } };
  if (row.portal_user_id === null && row.staff_id === null && (userId !== null || staffId !== null)) {
    // An anonymous conversation becomes the signed-in person's; of the old state only the question that
    // needed the sign-in is carried over, to be answered now.
    const waiting = parseState(row.state).afterSignIn;
    const fresh = JSON.stringify({ misunderstandings: 0, ...(waiting ? { afterSignIn: waiting } : {}) });
    await db.updateTable('conversations').set({ portal_user_id: userId, staff_id: staffId, state: fresh, updated_at: now }).where('id', '=', row.id).execute();
    row = { ...row, portal_user_id: userId, staff_id: staffId, state: fresh };
  }
  return { kind: 'ok', row };
}

/** Saves the state if nobody else changed it since it was read; false when another turn got there first. */
export async function saveState(db: Kysely<Database>, id: string, state: DialogState, version: { value: number }): Promise<boolean> {
  const focus = state.focusAccount
    ? await db.selectFrom('accounts').select('id').where('number', '=', state.focusAccount).executeTakeFirst()
    : undefined;
  const result = await db
    .updateTable('conversations')
    .set({ state: JSON.stringify(state), state_version: version.value + 1, account_in_focus_id: focus?.id ?? null, updated_at: new Date().toISOString() })
    .where('id', '=', id)
    .where('state_version', '=', version.value)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  version.value += 1;
  return true;
}

export async function storeMessage(
  db: Kysely<Database>,
  conversationId: string,
  direction: 'in' | 'out',
  author: 'user' | 'bot' | 'agent' | 'system',
  text: string,
  payload: string | null,
  now: Date,
): Promise<number> {
  // The sequence number is the next after the highest; the unique index turns a race into a retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const last = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.max<number>('seq').as('seq'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    try {
      await db.insertInto('messages').values({ conversation_id: conversationId, seq, direction, author, text, payload, created_at: now.toISOString() }).execute();
      return seq;
    } catch (error) {
      if (attempt === 4) throw error;
    }
  }
  throw new Error('unreachable');
}

/** A notice the core writes into a conversation of its own accord (the welcome after a sign-in), not a reply to a message. */
export interface SystemNotice {
  readonly text: string;
  /** What happened, for channels that show notices their own way ('signed_in'). */
  readonly event: string;
  readonly quickReplies?: readonly ReplyAction[];
}

/** Stores a system notice as the conversation's next message; returns its seq. */
export function appendSystemMessage(db: Kysely<Database>, conversationId: string, notice: SystemNotice, now: Date): Promise<number> {
  const payload = { text: notice.text, event: notice.event, ...(notice.quickReplies ? { quickReplies: notice.quickReplies } : {}) };
  return storeMessage(db, conversationId, 'out', 'system', notice.text, JSON.stringify(payload), now);
}

export function withoutFileContents(reply: Reply): unknown {
  return { ...reply, files: reply.files?.map((f) => ({ filename: f.filename, mediaType: f.mediaType, bytes: f.content.length })) };
}

/**
 * Keeps a channel's address for a conversation (conversations.external_ref: a Teams conversation reference,
 * say), so the core can reach the person outside a request. Written only when it changed.
 */
export async function saveChannelAddress(db: Kysely<Database>, conversationId: string, channel: Channel, address: string): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ external_ref: address })
    .where('id', '=', conversationId)
    .where('channel', '=', channel)
    .where((eb) => eb.or([eb('external_ref', 'is', null), eb('external_ref', '!=', address)]))
    .execute();
}

// The conversation engine: handleMessage(inbound, actor) → Reply. Every channel calls this; it keeps the
// dialog state in the database, understands the message, asks for what is missing, confirms writes.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import type { DomainContext } from '../domain/context.js';
import { resumeOrFill } from './dialog/slots.js';
import { EXECUTORS, HANDLERS, INTENT_LABELS, slotsFromIntentArgument } from './dialog/router.js';
import { type DialogState, parseState, type Slots } from './dialog/state.js';
import {
  accountCandidates,
  CANCEL_PREFIX,
  CONFIRM_PREFIX,
  type ConversationServices,
  INTENT_PREFIX,
  SLOT_PREFIX,
  type Turn,
  type Understanding,
} from './dialog/turn.js';
import type { Entity, EntityContext } from './nlu/entities.js';
import type { InboundMessage, Reply, ReplyAction } from './reply.js';

/** Understands text: the intent with its confidence, and the entities in it. */
export interface LanguageUnderstanding {
  classify(text: string): { intent: string; confidence: number; ranking: { intent: string; score: number }[] };
  extract(text: string, context: EntityContext): Entity[];
}

export interface EngineOptions {
  readonly ctx: DomainContext;
  readonly nlu: LanguageUnderstanding;
  readonly services?: ConversationServices;
  /** At or above: act on the intent. Between this and `clarifyBelow`: ask which of the top guesses. */
  readonly actThreshold?: number;
  readonly clarifyThreshold?: number;
  readonly defaultTimeZone?: string;
}

export interface ConversationEngine {
  handleMessage(inbound: InboundMessage, actor: Actor): Promise<Reply>;
}

/** Longest text considered; longer messages are cut (channels refuse far larger ones before this). */
export const MAX_TEXT_LENGTH = 4000;
const DIALOG_CONTROLS = new Set(['confirm', 'deny', 'cancel', 'restart']);

export function createConversationEngine(options: EngineOptions): ConversationEngine {
  const { ctx, nlu } = options;
  const actAt = options.actThreshold ?? 0.5;
  const clarifyAt = options.clarifyThreshold ?? 0.3;
  const defaultZone = options.defaultTimeZone ?? 'America/Toronto';
  // One turn at a time per conversation in this process; across processes the state version decides.
  const running = new Map<string, Promise<unknown>>();
  let cities: { list: string[]; loadedAt: number } | undefined;

  async function knownCities(): Promise<string[]> {
    if (cities && Date.now() - cities.loadedAt < 300_000) return cities.list;
    const rows = await ctx.db.selectFrom('locations').select('city').distinct().execute();
    const outageRows = await ctx.db.selectFrom('outage_areas').select('city').distinct().execute();
    cities = { list: [...new Set([...rows, ...outageRows].map((r) => r.city))], loadedAt: Date.now() };
    return cities.list;
  }

  async function handleMessage(inbound: InboundMessage, actor: Actor): Promise<Reply> {
    const previous = running.get(inbound.conversationId) ?? Promise.resolve();
    const turn = previous.catch(() => {}).then(() => handleSerially(inbound, actor));
    running.set(inbound.conversationId, turn);
    try {
      return await turn;
    } finally {
      if (running.get(inbound.conversationId) === turn) running.delete(inbound.conversationId);
    }
  }

  async function handleSerially(inbound: InboundMessage, actor: Actor): Promise<Reply> {
    const text = cleanText(inbound.text ?? '');
    const conversation = await loadConversation(ctx.db, inbound, actor, ctx.now().toISOString());
    if (conversation.kind === 'refused') return conversation.reply;
    const { row } = conversation;
    await storeMessage(ctx.db, row.id, 'in', 'user', inbound.action ? `[${inbound.action}]` : text, inbound.action ?? null, ctx.now());

    if (row.status === 'agent') return { text: '', handoff: { status: 'active' } };

    const state = parseState(row.state);
    const version = { value: row.state_version };
    const timeZone = inbound.timeZone ?? (await focusZone(ctx.db, state.focusAccount)) ?? defaultZone;
    const understanding = await understand(text, actor, timeZone);
    const turn: Turn = {
      ctx,
      actor,
      services: options.services ?? {},
      conversationId: row.id,
      state,
      text,
      understanding,
      timeZone,
    };
    let reply: Reply;
    if (!inbound.action && text === '') {
      reply = { text: "I didn't catch anything there. What can I help you with?" };
    } else {
      reply = inbound.action ? await onAction(turn, inbound.action, version) : await onText(turn, version);
    }
    if (row.status === 'handoff_waiting' && !reply.handoff) {
      reply = { ...reply, text: `${reply.text}\n\n(A support agent will join shortly.)`.trim() };
    }
    await saveState(ctx.db, row.id, state, version);
    await storeMessage(ctx.db, row.id, 'out', 'bot', reply.text, JSON.stringify(withoutFileContents(reply)), ctx.now());
    return reply;
  }

  async function understand(text: string, actor: Actor, timeZone: string): Promise<Understanding> {
    if (text === '') return { intent: 'out_of_scope', confidence: 0, ranking: [], entities: [] };
    const classified = nlu.classify(text);
    const entities = nlu.extract(text, {
      now: ctx.now(),
      timeZone,
      accounts: await accountCandidates(ctx, actor),
      cities: await knownCities(),
    });
    return { ...classified, entities };
  }

  async function onAction(turn: Turn, action: string, version: { value: number }): Promise<Reply> {
    const { state } = turn;
    if (action.startsWith(CONFIRM_PREFIX)) return confirmWrite(turn, action.slice(CONFIRM_PREFIX.length), version);
    if (action.startsWith(CANCEL_PREFIX)) return cancel(turn);
    if (action === 'resume' && state.suspended) {
      state.pending = state.suspended;
      state.suspended = undefined;
      return { text: state.pending.question };
    }
    if (action.startsWith(SLOT_PREFIX)) {
      const [name, ...rest] = action.slice(SLOT_PREFIX.length).split(':');
      const value = parseSlotValue(rest.join(':'));
      if (!name) return staleButton();
      if (state.pending) {
        const pending = state.pending;
        state.pending = undefined;
        return run(turn, pending.intent, { ...pending.slots, [name]: value });
      }
      if (name === 'account' && typeof value === 'string') {
        if (state.last) return run(turn, state.last.intent, { ...state.last.slots, account: value });
        return run(turn, 'account_select', { account: value });
      }
      return staleButton();
    }
    if (action.startsWith(INTENT_PREFIX)) {
      const [intent = '', argument] = action.slice(INTENT_PREFIX.length).split(':');
      if (!HANDLERS[intent]) return staleButton();
      state.pending = undefined;
      return run(turn, intent, slotsFromIntentArgument(intent, argument));
    }
    if (action === 'sign_in') {
      return { text: 'To sign in, give me your account number and PIN in the secure sign-in form above the chat, or sign in to the portal.' };
    }
    return staleButton();
  }

  async function onText(turn: Turn, version: { value: number }): Promise<Reply> {
    const { state, understanding } = turn;
    const { intent, confidence } = understanding;
    const sure = confidence >= actAt && intent !== 'out_of_scope';

    if (state.confirmation) {
      if (intent === 'confirm' && confidence >= clarifyAt) return confirmWrite(turn, state.confirmation.id, version);
      if ((intent === 'deny' || intent === 'cancel') && confidence >= clarifyAt) return cancel(turn);
      if (sure && !DIALOG_CONTROLS.has(intent)) {
        const dropped = state.confirmation;
        state.confirmation = undefined;
        const reply = await run(turn, intent, {});
        return { ...reply, text: `(I did not go ahead with: ${dropped.summary.replace(/\?$/, '')}.)\n${reply.text}` };
      }
      return { text: `Please confirm or cancel: ${state.confirmation.summary}`, quickReplies: confirmButtons(state.confirmation.id) };
    }

    if (intent === 'restart' && confidence >= clarifyAt) {
      const focus = state.focusAccount;
      Object.assign(state, { pending: undefined, suspended: undefined, last: undefined, lastTicket: undefined, misunderstandings: 0, focusAccount: focus });
      return { text: "Let's start over. What can I help you with?" };
    }
    if (state.pending) {
      if ((intent === 'cancel' || intent === 'deny') && confidence >= actAt) return cancel(turn);
      const filled = resumeOrFill(turn, state.pending);
      if (filled) {
        const pending = state.pending;
        state.pending = undefined;
        return run(turn, pending.intent, { ...pending.slots, [pending.awaiting]: filled.value });
      }
      if (sure && !DIALOG_CONTROLS.has(intent) && intent !== state.pending.intent) {
        // A change of topic: answer it, and offer to come back to what was being asked.
        const suspended = state.pending;
        state.pending = undefined;
        const reply = await run(turn, intent, {});
        if (state.pending || state.confirmation) return reply;
        state.suspended = suspended;
        const back: ReplyAction = { label: `Back to ${INTENT_LABELS[suspended.intent] ?? 'what we were doing'}`, value: 'resume' };
        return { ...reply, quickReplies: [...(reply.quickReplies ?? []), back] };
      }
      return misunderstood(turn, state.pending.question);
    }
    if (DIALOG_CONTROLS.has(intent) && confidence >= actAt) {
      return { text: intent === 'confirm' ? "There's nothing waiting for a confirmation right now. What can I help you with?" : 'Okay. What else can I help you with?' };
    }
    const followUp = followUpOf(turn);
    if (followUp) return run(turn, followUp.intent, followUp.slots);
    if (sure) return run(turn, intent, {});
    if (intent !== 'out_of_scope' && confidence >= clarifyAt) return clarify(turn);
    return misunderstood(turn);
  }

  async function run(turn: Turn, intent: string, slots: Slots): Promise<Reply> {
    const handler = HANDLERS[intent];
    if (!handler) return misunderstood(turn);
    if (intent !== 'out_of_scope') turn.state.misunderstandings = 0;
    return handler(turn, slots);
  }

  /** The write waiting for this confirmation id is claimed (so it runs once), then carried out. */
  async function confirmWrite(turn: Turn, id: string, version: { value: number }): Promise<Reply> {
    const confirmation = turn.state.confirmation;
    if (!confirmation || confirmation.id !== id) {
      return { text: 'That confirmation is no longer open, so nothing was done. What would you like to do?' };
    }
    turn.state.confirmation = undefined;
    // Claiming before acting: a second "confirm" racing this one finds the confirmation gone.
    if (!(await saveState(ctx.db, turn.conversationId, turn.state, version))) {
      return { text: 'That request was already handled.' };
    }
    const execute = EXECUTORS[confirmation.intent];
    if (!execute) return { text: 'Sorry, I can no longer do that. Nothing was changed.' };
    return execute(turn, confirmation.params, `conv.${turn.conversationId}.${confirmation.id}`.slice(0, 128));
  }

  function cancel(turn: Turn): Reply {
    const had = turn.state.confirmation ?? turn.state.pending;
    turn.state.confirmation = undefined;
    turn.state.pending = undefined;
    return { text: had ? 'Cancelled — nothing was changed. What else can I help you with?' : 'Okay. What else can I help you with?' };
  }

  function clarify(turn: Turn): Reply {
    const guesses = turn.understanding.ranking
      .filter((r) => HANDLERS[r.intent] && !DIALOG_CONTROLS.has(r.intent) && r.intent !== 'out_of_scope')
      .slice(0, 3);
    turn.state.misunderstandings += 1;
    if (turn.state.misunderstandings >= 2) return offerHuman();
    return {
      text: 'I want to be sure I get this right. Did you mean one of these?',
      quickReplies: guesses.map((g) => ({ label: GUESS_LABELS[g.intent] ?? g.intent.replace(/_/g, ' '), value: `${INTENT_PREFIX}${g.intent}` })),
    };
  }

  function misunderstood(turn: Turn, question?: string): Promise<Reply> | Reply {
    turn.state.misunderstandings += 1;
    if (turn.state.misunderstandings >= 2) return offerHuman();
    if (question) return { text: `Sorry, I didn't get that. ${question}` };
    return HANDLERS.out_of_scope?.(turn, {}) ?? { text: "Sorry, I can't help with that." };
  }

  function offerHuman(): Reply {
    return {
      text: "Sorry, I'm not getting this right. Would you like to talk to a person?",
      quickReplies: [
        { label: 'Talk to a person', value: `${INTENT_PREFIX}human_agent`, style: 'primary' },
        { label: 'Show what you can do', value: `${INTENT_PREFIX}help` },
      ],
    };
  }

  return { handleMessage };
}

const GUESS_LABELS: Record<string, string> = {
  balance: 'My balance',
  invoice: 'An invoice',
  invoice_history: 'Past invoices',
  make_payment: 'Make a payment',
  payment_history: 'Payment history',
  tickets: 'My tickets',
  ticket_create: 'Report a problem',
  ticket_escalate: 'Escalate a ticket',
  outages: 'Outages',
  report: 'A report',
  services: 'My services',
  human_agent: 'Talk to a person',
};

function confirmButtons(id: string): ReplyAction[] {
  return [
    { label: 'Confirm', value: `${CONFIRM_PREFIX}${id}`, style: 'primary' },
    { label: 'Cancel', value: `${CANCEL_PREFIX}${id}`, style: 'danger' },
  ];
}

function staleButton(): Reply {
  return { text: "That button is from an earlier question that's already closed. What would you like to do?" };
}

/** A short message that only adds details ("and last month?", "as CSV", "for 5000002") continues the last request. */
function followUpOf(turn: Turn): { intent: string; slots: Slots } | null {
  const last = turn.state.last;
  if (!last) return null;
  const types = new Set(turn.understanding.entities.map((e) => e.type));
  // A bare count ("top 20") only refines a report; elsewhere a number is just part of what was said.
  const refining: Entity['type'][] = ['period', 'date', 'account', 'format', 'time_zone', ...(last.intent === 'report' ? (['number'] as const) : [])];
  if (!refining.some((t) => types.has(t))) return null;
  const words = turn.text.split(/\s+/).filter(Boolean).length;
  const connective = /^(and|what about|how about|same|now|then|also|et|pour|send (that|it|this)|as|in|for)\b/i.test(turn.text.trim());
  // Something plainly out of scope ("I have 3 kids") is not a follow-up unless it reads like one.
  const { intent, confidence } = turn.understanding;
  const weak = (confidence < 0.5 && intent !== 'out_of_scope') || intent === last.intent;
  if (words > 8 || !(connective || weak)) return null;
  const slots: Slots = { ...last.slots };
  if (types.has('account')) delete slots.account;
  if (types.has('period') || types.has('date')) {
    delete slots.period;
    delete slots.month;
  }
  return { intent: last.intent, slots };
}

function parseSlotValue(raw: string): string | number | boolean {
  if (/^-?\d+$/.test(raw) && raw.length < 12 && !/^0\d/.test(raw) && raw.length !== 7) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

/** Strips control characters and cuts overlong text, so nothing downstream sees them. */
function cleanText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim().slice(0, MAX_TEXT_LENGTH);
}

async function focusZone(db: Kysely<Database>, accountNumber: string | undefined): Promise<string | undefined> {
  if (!accountNumber) return undefined;
  const row = await db.selectFrom('accounts').select('time_zone').where('number', '=', accountNumber).executeTakeFirst();
  return row?.time_zone;
}

type ConversationRow = Awaited<ReturnType<typeof readConversation>> & object;

function readConversation(db: Kysely<Database>, id: string) {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Loads the conversation, creating it on first message; someone else's conversation is refused. */
async function loadConversation(
  db: Kysely<Database>,
  inbound: InboundMessage,
  actor: Actor,
  now: string,
): Promise<{ kind: 'ok'; row: ConversationRow } | { kind: 'refused'; reply: Reply }> {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(inbound.conversationId)) return { kind: 'refused', reply: { text: 'That conversation id is not valid.' } };
  let row = await readConversation(db, inbound.conversationId);
  const userId = actor.kind === 'customer' ? actor.userId : null;
  const staffId = actor.kind === 'staff' ? actor.staffId : null;
  if (!row) {
    await db
      .insertInto('conversations')
      .values({
        id: inbound.conversationId,
        channel: inbound.channel,
        external_ref: null,
        portal_user_id: userId,
        staff_id: staffId,
        account_in_focus_id: null,
        state: JSON.stringify({ misunderstandings: 0 }),
        state_version: 0,
        status: 'bot',
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    row = await readConversation(db, inbound.conversationId);
    if (!row) throw new Error('conversation could not be created');
  }
  const ownedByOther = (row.portal_user_id !== null && row.portal_user_id !== userId) || (row.staff_id !== null && row.staff_id !== staffId);
  if (ownedByOther) return { kind: 'refused', reply: { text: 'This conversation belongs to someone else. Please start a new one.' } };
  if (row.portal_user_id === null && row.staff_id === null && (userId !== null || staffId !== null)) {
    // An anonymous conversation becomes the signed-in person's; the old state is not carried into it.
    await db
      .updateTable('conversations')
      .set({ portal_user_id: userId, staff_id: staffId, state: JSON.stringify({ misunderstandings: 0 }), updated_at: now })
      .where('id', '=', row.id)
      .execute();
    row = { ...row, portal_user_id: userId, staff_id: staffId, state: JSON.stringify({ misunderstandings: 0 }) };
  }
  return { kind: 'ok', row };
}

/** Saves the state if nobody else changed it since it was read; false when another turn got there first. */
async function saveState(db: Kysely<Database>, id: string, state: DialogState, version: { value: number }): Promise<boolean> {
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

async function storeMessage(
  db: Kysely<Database>,
  conversationId: string,
  direction: 'in' | 'out',
  author: 'user' | 'bot',
  text: string,
  payload: string | null,
  now: Date,
): Promise<void> {
  // The sequence number is the next after the highest; the unique index turns a race into a retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const last = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.max<number>('seq').as('seq'))
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    try {
      await db
        .insertInto('messages')
        .values({ conversation_id: conversationId, seq: Number(last?.seq ?? 0) + 1, direction, author, text, payload, created_at: now.toISOString() })
        .execute();
      return;
    } catch (error) {
      if (attempt === 4) throw error;
    }
  }
}

function withoutFileContents(reply: Reply): unknown {
  return { ...reply, files: reply.files?.map((f) => ({ filename: f.filename, mediaType: f.mediaType, bytes: f.content.length })) };
}


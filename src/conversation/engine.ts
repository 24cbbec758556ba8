// The conversation engine: handleMessage(inbound, actor) → Reply. Every channel calls this; it keeps the
// dialog state in the database, understands the message, asks for what is missing, confirms writes.
import type { Actor } from '../domain/actor.js';
import type { DomainContext } from '../domain/context.js';
import { focusZone, loadConversation, readConversation, saveState, storeMessage, withoutFileContents } from './conversation-store.js';
import { storeMessageFiles } from './file-store.js';
import { amendment, DIALOG_CONTROLS, isNewRequest, optionNamed } from './dialog/answers.js';
import { followUpOf, withoutWriteSlots } from './dialog/follow-ups.js';
import { cancel, offerBack, restart, resume, staleButton } from './dialog/controls.js';
import { confirmWrite } from './dialog/confirmations.js';
import { clarify, misunderstood } from './dialog/misunderstanding.js';
import { readAnswer } from './dialog/slots.js';
import { EXECUTORS, HANDLERS, INTENT_LABELS, slotsFromIntentArgument } from './dialog/router.js';
import { type PendingQuestion, parseState, type Slots } from './dialog/state.js';
import { acknowledgement, disruptionAffecting, disruptionFirst, isUpset } from './dialog/tone.js';
import {
  accountCandidates,
  CANCEL_PREFIX,
  confirmActions,
  CONFIRM_PREFIX,
  type ConversationServices,
  INTENT_PREFIX,
  SLOT_PREFIX,
  type Turn,
  type Understanding,
} from './dialog/turn.js';
import type { Entity, EntityContext } from './nlu/entities.js';
import type { InboundMessage, Reply } from './reply.js';
import { otherLanguage } from './nlu/keyword-rules.js';
import { redactionNotice, redactSensitive } from './sensitive.js';

/** Understands text: the intent with its confidence, and the entities in it. */
export interface LanguageUnderstanding {
  /** Puts spelling slips and chat shorthand right before classifying and reading entities (optional). */
  normalise?(text: string): string;
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
  /**
   * handleMessage for a channel that reads the turn's messages back from the conversation: also says which
   * messages the turn stored, and (with `keepFiles`) keeps the reply's files beside its message, all before
   * the conversation's next turn begins. Turns of one conversation run one at a time, in the order called.
   */
  handleTurn?(inbound: InboundMessage, actor: Actor, options?: TurnOptions): Promise<StoredTurn>;
  /**
   * Right after a person signs in: answers the question that needed the sign-in, without them asking again.
   * Null when nothing was waiting. The reply is stored in the conversation like any other.
   */
  resumeAfterSignIn?(conversationId: string, actor: Actor, options?: TurnOptions): Promise<Reply | null>;
}

export interface TurnOptions {
  /** Keep the reply's files in the core's file store beside the reply's message (a channel that hands files out by link). */
  readonly keepFiles?: boolean;
}

/** A turn's reply and what it stored. */
export interface StoredTurn {
  readonly reply: Reply;
  /**
   * The seqs of the messages the turn stored, oldest first: the person's message (not for a question answered
   * after sign-in, which was stored when asked), then the reply (not for a notice). Empty when refused.
   */
  readonly seqs: readonly number[];
}

/** Longest text considered; longer messages are cut (channels refuse far larger ones before this). */
export const MAX_TEXT_LENGTH = 4000;

export function createConversationEngine(options: EngineOptions): Required<ConversationEngine> {
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

  async function handleTurn(inbound: InboundMessage, actor: Actor, turnOptions: TurnOptions = {}, replay = false): Promise<StoredTurn> {
    const previous = running.get(inbound.conversationId) ?? Promise.resolve();
    const turn = previous.catch(() => {}).then(() => handleSerially(inbound, actor, replay, turnOptions));
    running.set(inbound.conversationId, turn);
    try {
      return await turn;
    } finally {
      if (running.get(inbound.conversationId) === turn) running.delete(inbound.conversationId);
    }
  }

  async function resumeAfterSignIn(conversationId: string, actor: Actor, turnOptions: TurnOptions = {}): Promise<Reply | null> {
    if (actor.kind === 'anonymous') return null;
    const row = await readConversation(ctx.db, conversationId);
    const waiting = row ? parseState(row.state).afterSignIn : undefined;
    if (!row || !waiting) return null;
    return (await handleTurn({ channel: row.channel, conversationId, text: waiting }, actor, turnOptions, true)).reply;
  }

  /** `replay`: the text was stored when first said (before a sign-in) and is answered now, not stored again. */
  async function handleSerially(inbound: InboundMessage, actor: Actor, replay: boolean, turnOptions: TurnOptions): Promise<StoredTurn> {
    // Card numbers, security codes and PINs are masked before anything is stored, logged or understood.
    const redaction = redactSensitive(cleanText(inbound.text ?? ''));
    const original = redaction.text;
    const conversation = await loadConversation(ctx.db, inbound, actor, ctx.now().toISOString());
    if (conversation.kind === 'refused') return { reply: conversation.reply, seqs: [] };
    const { row } = conversation;
    const action = inbound.action === undefined ? undefined : redactSensitive(cleanText(inbound.action)).text;
    const seqs: number[] = [];
    if (!replay) seqs.push(await storeMessage(ctx.db, row.id, 'in', 'user', action !== undefined ? `[${action}]` : original, action ?? null, ctx.now()));

    // A person has the conversation: the message is kept for them, and the bot stays quiet but for a notice.
    if (row.status === 'agent') {
      return { reply: { text: 'A support agent is with you in this conversation and will answer here.', handoff: { status: 'active' }, notice: true }, seqs };
    }

    const state = parseState(row.state);
    if (replay) state.afterSignIn = undefined;
    const version = { value: row.state_version };
    const timeZone = inbound.timeZone ?? (await focusZone(ctx.db, state.focusAccount)) ?? defaultZone;
    const masked = original.replace(/\[card number ending \d{4} removed\]|\[removed\]/g, ' ').replace(/\s+/g, ' ').trim();
    const text = nlu.normalise ? nlu.normalise(masked) : masked;
    const understanding = await understand(text, actor, timeZone);
    const turn: Turn = {
      ctx,
      actor,
      services: options.services ?? {},
      conversationId: row.id,
      state,
      text,
      original,
      channel: inbound.channel,
      understanding,
      timeZone,
      ...(inbound.client ? { client: inbound.client } : {}),
    };
    let reply: Reply;
    if (redaction.kinds.length > 0 && !/\p{L}{3,}.*\p{L}{3,}.*\p{L}{3,}/u.test(masked)) {
      // Little else was said: the card data was the message. Say why it is gone and carry on where we were.
      reply = state.confirmation
        ? { text: `Please confirm or cancel: ${state.confirmation.summary}`, quickReplies: confirmActions(state.confirmation.id) }
        : { text: state.pending ? state.pending.question : 'What can I help you with?', quickReplies: state.pending?.options };
    } else if (!inbound.action && text === '') {
      reply = { text: "I didn't catch anything there. What can I help you with?" };
    } else {
      reply = action ? await onAction(turn, action, version) : await onText(turn, version);
    }
    if (redaction.kinds.length > 0) reply = { ...reply, text: `${redactionNotice(redaction.kinds)}\n\n${reply.text}` };
    // A question that needed a sign-in is kept, so it is answered right after the person signs in; once the
    // visitor moves on to something else, it is no longer waiting.
    if (actor.kind === 'anonymous' && !inbound.action) state.afterSignIn = asksToSignIn(reply) ? original.slice(0, 1000) : undefined;
    if (row.status === 'handoff_waiting' && !reply.handoff) {
      reply = { ...reply, text: `${reply.text}\n\n(A support agent will join shortly.)`.trim() };
    }
    await saveState(ctx.db, row.id, state, version);
    const seq = await storeMessage(ctx.db, row.id, 'out', 'bot', reply.text, JSON.stringify(withoutFileContents(reply)), ctx.now());
    seqs.push(seq);
    if (turnOptions.keepFiles) await storeMessageFiles(ctx.db, row.id, seq, reply.files ?? [], ctx.now());
    return { reply, seqs };
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
    if (state.confirmation) {
      // Any other button moves on: the waiting write is dropped, so a later "yes" can never carry it out unseen.
      const dropped = state.confirmation;
      state.confirmation = undefined;
      const reply = await onAction(turn, action, version);
      return { ...reply, text: `(I did not go ahead with: ${dropped.summary.replace(/[?.]+$/, '')}.)\n${reply.text}` };
    }
    if (action === 'resume') return resume(turn);
    if (action === 'restart') return restart(turn);
    if (action.startsWith(SLOT_PREFIX)) {
      const [name, ...rest] = action.slice(SLOT_PREFIX.length).split(':');
      const value = parseSlotValue(rest.join(':'));
      if (!name) return staleButton();
      if (state.pending) {
        const pending = state.pending;
        state.pending = undefined;
        return run(turn, pending.intent, { ...pending.slots, [name]: value });
      }
      // A button on an answer (a report's "As PDF", an account) refines the request it answered; a button from
      // a write that is over is stale (it would start the write again).
      if (state.last && !EXECUTORS[state.last.intent]) return run(turn, state.last.intent, { ...withoutWriteSlots(state.last.slots), [name]: value });
      if (state.last?.intent === 'report' && (name === 'format' || name === 'account')) return run(turn, 'report', { ...withoutWriteSlots(state.last.slots), [name]: value });
      if (name === 'account' && typeof value === 'string') return run(turn, 'account_select', { account: value });
      return staleButton();
    }
    if (action.startsWith(INTENT_PREFIX)) {
      const [intent = '', ...argument] = action.slice(INTENT_PREFIX.length).split(':');
      if (!HANDLERS[intent]) return staleButton();
      state.pending = undefined;
      return run(turn, intent, slotsFromIntentArgument(intent, argument.join(':') || undefined));
    }
    if (action === 'sign_in') {
      // Each channel shows its own way to sign in (a sign_in action); the core only says never to type a PIN here.
      return { text: "To sign in, use this chat's Sign in option or sign in to the portal. Please don't type your PIN into the conversation itself." };
    }
    return staleButton();
  }

  async function onText(turn: Turn, version: { value: number }): Promise<Reply> {
    const { state, understanding } = turn;
    const { intent, confidence } = understanding;
    const sure = confidence >= actAt && intent !== 'out_of_scope';

    if (state.confirmation) {
      // A typed "yes" moves money or opens tickets: it must be clearly one (a stray "o" scored 0.45 once).
      if (intent === 'confirm' && confidence >= actAt && clearlyWords(turn.text)) return confirmWrite(turn, state.confirmation.id, version);
      if ((intent === 'deny' || intent === 'cancel') && confidence >= clarifyAt) return cancel(turn);
      const amended = amendment(turn, state.confirmation);
      if (amended) {
        // "use the visa", "make it $100", "friday instead": the same write with that detail changed, confirmed anew.
        state.confirmation = undefined;
        return run(turn, amended.intent, amended.slots);
      }
      if (sure && clearlyWords(turn.text) && !DIALOG_CONTROLS.has(intent)) {
        const dropped = state.confirmation;
        state.confirmation = undefined;
        const reply = await run(turn, intent, {});
        return { ...reply, text: `(I did not go ahead with: ${dropped.summary.replace(/[?.]+$/, '')}.)\n${reply.text}` };
      }
      return { text: `Please confirm or cancel: ${state.confirmation.summary}`, quickReplies: confirmActions(state.confirmation.id) };
    }

    if (intent === 'restart' && confidence >= clarifyAt) return restart(turn);

    // What an upset person said is kept only for the "open a ticket" button of the reply that follows it.
    state.lastProblem = undefined;
    // Someone upset hears a human word first; if an outage is behind it, that comes before anything else.
    const upset = isUpset(turn.original);
    if (upset && !state.pending) {
      const disruption = await disruptionAffecting(turn);
      if (disruption) return disruptionFirst(turn, disruption);
    }
    // Venting reads like many things at once; only a confident reading or a concrete detail (a ticket, a
    // number, an amount) is acted on.
    const concrete = turn.understanding.entities.some((e) => e.type !== 'priority');
    if (upset && !state.pending && (!sure || (confidence < 0.75 && !concrete))) {
      // Upset and not clearly asking for anything: a human word and the two ways forward, not "I can't help".
      state.lastProblem = turn.original.slice(0, 1000);
      return {
        text: `${acknowledgement()} Tell me what isn't working — which line, service or bill — and I'll open a ticket or look into it, or I can get you a person right away.`,
        quickReplies: [
          { label: 'Report a problem', value: `${INTENT_PREFIX}ticket_create`, style: 'primary' },
          { label: 'Talk to a person', value: `${INTENT_PREFIX}human_agent` },
          { label: 'Outages', value: `${INTENT_PREFIX}outages` },
        ],
      };
    }
    const reply = await answerText(turn, sure);
    if (!upset) return reply;
    if (turn.understanding.intent === 'ticket_create' || turn.understanding.intent === 'outages') state.lastProblem = turn.original.slice(0, 1000);
    return { ...reply, text: `${acknowledgement()} ${reply.text}` };
  }

  async function answerText(turn: Turn, sure: boolean): Promise<Reply> {
    const { state, understanding } = turn;
    const { intent, confidence } = understanding;
    if (state.pending) return answerPending(turn, state.pending, sure);
    // "Back to …?" was offered last turn; anything but a yes or a no moves on from it.
    if (state.suspended?.offered && !((intent === 'confirm' || intent === 'deny') && confidence >= clarifyAt)) state.suspended = undefined;
    if (state.suspended && (intent === 'confirm' || intent === 'deny') && confidence >= clarifyAt) {
      if (intent === 'confirm') return resume(turn);
      const label = INTENT_LABELS[state.suspended.intent] ?? 'that';
      state.suspended = undefined;
      return { text: `Okay, I've dropped ${label}. What else can I help you with?` };
    }
    const followUp = await followUpOf(turn);
    if (followUp?.kind === 'reply') return followUp.reply;
    if (followUp?.kind === 'run') return run(turn, followUp.intent, followUp.slots);
    if (DIALOG_CONTROLS.has(intent) && confidence >= actAt) {
      return { text: intent === 'confirm' ? "There's nothing waiting for a confirmation right now. What can I help you with?" : 'Okay. What else can I help you with?' };
    }
    if (otherLanguage(turn.original)) {
      return {
        text: "Sorry, I can only help in English or French. I can help with balances, invoices, payments, tickets, outages, services and reports. / Désolé, je ne peux répondre qu'en anglais ou en français.",
        quickReplies: [
          { label: 'My balance', value: `${INTENT_PREFIX}balance` },
          { label: 'Open tickets', value: `${INTENT_PREFIX}tickets` },
          { label: 'Talk to a person', value: `${INTENT_PREFIX}human_agent` },
        ],
      };
    }
    if (sure) return run(turn, intent, {});
    if (intent !== 'out_of_scope' && confidence >= clarifyAt) return clarify(turn);
    return misunderstood(turn);
  }

  /**
   * A message while a question is open is first read as a possible new request: a clear one is answered
   * (and the question offered again after it); an answer that fits is taken; anything else gets a calm
   * "here is what I expected", and after two misses an offer to start over or to talk to a person.
   */
  async function answerPending(turn: Turn, pending: PendingQuestion, sure: boolean): Promise<Reply> {
    const { state, understanding } = turn;
    const { intent, confidence } = understanding;
    if ((intent === 'cancel' || intent === 'deny') && confidence >= actAt) return cancel(turn);
    if (intent === 'confirm' && confidence >= clarifyAt && pending.yes) return onAction(turn, pending.yes, NO_VERSION);
    // "the visa", "the second one", "Scotiabank": an answer that names one of the offered buttons presses it.
    // A short answer that names a button ("use the mastercard") presses it, even if it reads like another request.
    const elsewhere = sure && !DIALOG_CONTROLS.has(intent) && intent !== pending.intent && confidence >= 0.8;
    const asking = /\?\s*$|^(what|what's|whats|how|when|where|which|who|why|is|are|can|could|do|does|show|list|tell|give)\b/i.test(turn.text.trim());
    const short = turn.text.split(/\s+/).length <= 4 && !asking;
    const option = elsewhere && !short ? undefined : optionNamed(turn.text, pending.options ?? []);
    if (option) return onAction(turn, option, NO_VERSION);
    // "actually make it $100", "on friday instead", "the amex" while the payment asks something else: that detail changes.
    const changed = pending.intent === 'make_payment' ? amendment(turn, { id: '', intent: 'make_payment', params: pending.slots, summary: '' }) : null;
    if (changed && !elsewhere) {
      state.pending = undefined;
      return run(turn, 'make_payment', changed.slots);
    }
    const answer = readAnswer(turn, pending);
    if (answer.kind === 'value' && !isNewRequest(turn, pending, sure, true)) {
      state.pending = undefined;
      return run(turn, pending.intent, { ...pending.slots, [pending.awaiting]: answer.value });
    }
    if (isNewRequest(turn, pending, sure, answer.kind === 'value')) {
      state.pending = undefined;
      // The same request again, with its own details, starts afresh rather than answering the old question.
      if (intent === pending.intent) return run(turn, intent, {});
      // A question that only chose what to look at (which account for the balance) is simply replaced. A write
      // in progress is set aside and offered again once this request is answered (or confirmed, or cancelled).
      if (INTENT_LABELS[pending.intent]) state.suspended = pending;
      const reply = await run(turn, intent, {});
      if (state.suspended?.intent === intent) state.suspended = undefined;
      return offerBack(turn, reply);
    }
    // A priority given where a reason was asked for is kept; the reason is still needed.
    const priority = turn.understanding.entities.find((e) => e.type === 'priority');
    if (pending.intent === 'ticket_escalate' && priority) pending.slots = { ...pending.slots, toPriority: priority.value };
    pending.misses = (pending.misses ?? 0) + 1;
    if (pending.misses >= 2) {
      return {
        text: `${answer.kind === 'none' ? answer.expected : ''} We seem to be stuck — shall we start over, or would you like to talk to a person?`.trim(),
        quickReplies: [
          ...(pending.options ?? []).slice(0, 4),
          { label: 'Start over', value: 'restart' },
          { label: 'Talk to a person', value: `${INTENT_PREFIX}human_agent` },
        ],
      };
    }
    return { text: `${answer.kind === 'none' ? answer.expected : ''} ${pending.question}`.trim(), quickReplies: pending.options };
  }

  async function run(turn: Turn, intent: string, slots: Slots): Promise<Reply> {
    const handler = HANDLERS[intent];
    if (!handler) return misunderstood(turn);
    if (intent !== 'out_of_scope') turn.state.misunderstandings = 0;
    return handler(turn, slots);
  }

  return {
    handleMessage: async (inbound, actor) => (await handleTurn(inbound, actor)).reply,
    handleTurn: (inbound, actor, turnOptions) => handleTurn(inbound, actor, turnOptions),
    resumeAfterSignIn,
  };
}

/** Slot and intent buttons never need the state version; only a confirmation does. */
const NO_VERSION = { value: -1 };

function asksToSignIn(reply: Reply): boolean {
  return [...(reply.quickReplies ?? []), ...(reply.cards ?? []).flatMap((c) => c.actions ?? [])].some((a) => a.value === 'sign_in');
}

function parseSlotValue(raw: string): string | number | boolean {
  if (/^-?\d+$/.test(raw) && raw.length < 12 && !/^0\d/.test(raw) && raw.length !== 7) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

/** Two letters or more, or a one-letter answer people really give ("y", "k"). */
function clearlyWords(text: string): boolean {
  const letters = text.normalize('NFKD').replace(/[^a-z]/gi, '');
  return letters.length >= 2 || /^\s*[yk]\s*[.!]?\s*$/i.test(text);
}

/** Strips control characters and cuts overlong text, so nothing downstream sees them. */
function cleanText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim().slice(0, MAX_TEXT_LENGTH);
}

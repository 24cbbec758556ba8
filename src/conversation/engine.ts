// The conversation engine: handleMessage(inbound, actor) → Reply. Every channel calls this; it keeps the
// dialog state in the database, understands the message, asks for what is missing, confirms writes.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import type { DomainContext } from '../domain/context.js';
import { followUpOf, withoutWriteSlots } from './dialog/follow-ups.js';
import { FREE_TEXT_SLOTS, readAnswer } from './dialog/slots.js';
import { paymentMethodWords } from './dialog/handlers/payments.js';
import { EXECUTORS, HANDLERS, INTENT_LABELS, slotsFromIntentArgument } from './dialog/router.js';
import { type DialogState, type PendingConfirmation, type PendingQuestion, parseState, type Slots } from './dialog/state.js';
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
import type { InboundMessage, Reply, ReplyAction } from './reply.js';
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
   * Right after a person signs in: answers the question that needed the sign-in, without them asking again.
   * Null when nothing was waiting. The reply is stored in the conversation like any other.
   */
  resumeAfterSignIn?(conversationId: string, actor: Actor): Promise<Reply | null>;
}

/** Longest text considered; longer messages are cut (channels refuse far larger ones before this). */
export const MAX_TEXT_LENGTH = 4000;
const DIALOG_CONTROLS = new Set(['confirm', 'deny', 'cancel', 'restart']);
/**
 * Writes that may safely be carried out again with the same confirmation after a crash: idempotent by their
 * key (payments, tickets, escalations) or setting a value that is the same the second time.
 */
const REPEATABLE = new Set(['make_payment', 'ticket_create', 'ticket_escalate', 'paperless', 'autopay', 'billing_address', 'e911', 'toll_free']);
/** Intents a description of a problem is often taken for. */
const PROBLEM_INTENTS = new Set(['ticket_create', 'outages', 'tickets', 'ticket_escalate', 'maintenance', 'services']);

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

  async function handleMessage(inbound: InboundMessage, actor: Actor, replay = false): Promise<Reply> {
    const previous = running.get(inbound.conversationId) ?? Promise.resolve();
    const turn = previous.catch(() => {}).then(() => handleSerially(inbound, actor, replay));
    running.set(inbound.conversationId, turn);
    try {
      return await turn;
    } finally {
      if (running.get(inbound.conversationId) === turn) running.delete(inbound.conversationId);
    }
  }

  async function resumeAfterSignIn(conversationId: string, actor: Actor): Promise<Reply | null> {
    if (actor.kind === 'anonymous') return null;
    const row = await readConversation(ctx.db, conversationId);
    const waiting = row ? parseState(row.state).afterSignIn : undefined;
    if (!row || !waiting) return null;
    return handleMessage({ channel: row.channel, conversationId, text: waiting }, actor, true);
  }

  /** `replay`: the text was stored when first said (before a sign-in) and is answered now, not stored again. */
  async function handleSerially(inbound: InboundMessage, actor: Actor, replay: boolean): Promise<Reply> {
    // Card numbers, security codes and PINs are masked before anything is stored, logged or understood.
    const redaction = redactSensitive(cleanText(inbound.text ?? ''));
    const original = redaction.text;
    const conversation = await loadConversation(ctx.db, inbound, actor, ctx.now().toISOString());
    if (conversation.kind === 'refused') return conversation.reply;
    const { row } = conversation;
    const action = inbound.action === undefined ? undefined : redactSensitive(cleanText(inbound.action)).text;
    if (!replay) await storeMessage(ctx.db, row.id, 'in', 'user', action !== undefined ? `[${action}]` : original, action ?? null, ctx.now());

    if (row.status === 'agent') return { text: '', handoff: { status: 'active' } };

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
    if (state.confirmation) {
      // Any other button moves on: the waiting write is dropped, so a later "yes" can never carry it out unseen.
      const dropped = state.confirmation;
      state.confirmation = undefined;
      const reply = await onAction(turn, action, version);
      return { ...reply, text: `(I did not go ahead with: ${dropped.summary.replace(/\?$/, '')}.)\n${reply.text}` };
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
      const amended = amendment(turn, state.confirmation);
      if (amended) {
        // "use the visa", "make it $100", "friday instead": the same write with that detail changed, confirmed anew.
        state.confirmation = undefined;
        return run(turn, amended.intent, amended.slots);
      }
      if (sure && !DIALOG_CONTROLS.has(intent)) {
        const dropped = state.confirmation;
        state.confirmation = undefined;
        const reply = await run(turn, intent, {});
        return { ...reply, text: `(I did not go ahead with: ${dropped.summary.replace(/\?$/, '')}.)\n${reply.text}` };
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

  /** Whether what was said is a request of its own rather than the answer to the open question. */
  function isNewRequest(turn: Turn, pending: PendingQuestion, sure: boolean, fits: boolean): boolean {
    const { intent, confidence } = turn.understanding;
    if (!sure || DIALOG_CONTROLS.has(intent) || !HANDLERS[intent]) return false;
    // Handing over to a person in the middle of a question needs the words for it, not a guess.
    if (intent === 'human_agent' && !/\b(person|human|agent|representative|rep|operator|somebody|someone real|real (person|human)|live (agent|chat)|customer service|support team)\b/i.test(turn.text)) return false;
    const words = turn.text.split(/\s+/).filter(Boolean).length;
    const asks = /\?\s*$|^(what|what's|whats|how|when|where|which|who|why|is|are|can|could|do|does|show|list|give|send|tell|pay|change|update|add|remove|open|create|escalate|check|i (want|need|would like)|i'd like|please|pls|any)\b/i.test(turn.text.trim());
    if (intent === pending.intent) {
      // "now the top calls report for october as csv" while a report question is open: a new request of the same kind.
      return !fits && words >= 3 && asks;
    }
    if (FREE_TEXT_SLOTS.has(pending.awaiting)) {
      // A question ("what is the status of TT-103059?") is never the description or the reason asked for.
      const question = /\?\s*$/.test(turn.text.trim()) && /^(what|what's|whats|how|when|where|which|who|why|is|are|can|could|do|does)\b/i.test(turn.text.trim());
      if (question) return true;
      // A problem described in answer to "what's the problem?" reads like an outage or a ticket: it is the answer.
      if (pending.awaiting !== 'name' && PROBLEM_INTENTS.has(intent)) return false;
      return !fits || (asks && confidence >= 0.6);
    }
    return !fits || (words >= 3 && confidence >= 0.8 && asks);
  }

  function resume(turn: Turn): Reply {
    const { state } = turn;
    if (!state.suspended) return staleButton();
    state.pending = { ...state.suspended, offered: undefined };
    state.suspended = undefined;
    return { text: state.pending.question, quickReplies: state.pending.options };
  }

  function restart(turn: Turn): Reply {
    const { state } = turn;
    const focus = state.focusAccount;
    Object.assign(state, {
      pending: undefined,
      suspended: undefined,
      confirmation: undefined,
      last: undefined,
      lastTicket: undefined,
      lastTickets: undefined,
      lastProblem: undefined,
      afterSignIn: undefined,
      recentAccounts: focus ? [focus] : undefined,
      misunderstandings: 0,
      focusAccount: focus,
    });
    return { text: "Let's start over. What can I help you with?" };
  }

  async function run(turn: Turn, intent: string, slots: Slots): Promise<Reply> {
    const handler = HANDLERS[intent];
    if (!handler) return misunderstood(turn);
    if (intent !== 'out_of_scope') turn.state.misunderstandings = 0;
    return handler(turn, slots);
  }

  /** The write waiting for this confirmation id is claimed (so it runs once), then carried out. */
  async function confirmWrite(turn: Turn, id: string, version: { value: number }): Promise<Reply> {
    const { state } = turn;
    let confirmation = state.confirmation;
    if (confirmation?.id === id) {
      state.confirmation = undefined;
      // Claimed before acting: a second "confirm" racing this one finds the confirmation gone. The claim is
      // kept until the reply is stored, so if the process dies in between, pressing Confirm again finds it.
      state.claimed = confirmation;
      if (!(await saveState(ctx.db, turn.conversationId, state, version))) {
        return { text: 'That request was already handled.' };
      }
    } else if (state.claimed?.id === id) {
      // Claimed in a turn that never finished (a crash between the write and the reply).
      confirmation = state.claimed;
      if (!REPEATABLE.has(confirmation.intent)) {
        state.claimed = undefined;
        return {
          text: `I couldn't confirm whether this went through: ${confirmation.summary.replace(/\?$/, '')}. Please check before asking again, so it isn't done twice.`,
        };
      }
    } else {
      const done = state.done?.find((d) => d.id === id);
      if (done) return { text: `That was already done: ${done.outcome}` };
      return { text: 'That confirmation is no longer open, so nothing was done. What would you like to do?' };
    }
    const execute = EXECUTORS[confirmation.intent];
    if (!execute) return { text: 'Sorry, I can no longer do that. Nothing was changed.' };
    // The same key every time: a write that already happened is reported, not repeated.
    const reply = await execute(turn, confirmation.params, `conv.${turn.conversationId}.${confirmation.id}`.slice(0, 128));
    state.claimed = undefined;
    // Remembered, so a Confirm pressed again (a retry after a lost reply) hears what happened.
    state.done = [{ id: confirmation.id, outcome: reply.text.slice(0, 300) }, ...(state.done ?? [])].slice(0, 5);
    return offerBack(turn, reply);
  }

  function cancel(turn: Turn): Reply {
    const had = turn.state.confirmation ?? turn.state.pending;
    turn.state.confirmation = undefined;
    turn.state.pending = undefined;
    if (had && turn.state.suspended) return offerBack(turn, { text: 'Cancelled — nothing was changed.' });
    turn.state.suspended = undefined;
    return { text: had ? 'Cancelled — nothing was changed. What else can I help you with?' : 'Okay. What else can I help you with?' };
  }

  /** After an interruption is dealt with, the question it interrupted is offered again ("Back to the new contact?"). */
  function offerBack(turn: Turn, reply: Reply): Reply {
    const { state } = turn;
    if (!state.suspended || state.pending || state.confirmation) return reply;
    if (state.suspended.offered) {
      // Offered once already and not taken up: the person has moved on.
      state.suspended = undefined;
      return reply;
    }
    state.suspended.offered = true;
    const label = INTENT_LABELS[state.suspended.intent] ?? 'what we were doing';
    const back: ReplyAction = { label: `Back to ${label}`, value: 'resume' };
    return { ...reply, text: `${reply.text}\n\nBack to ${label}?`, quickReplies: [...(reply.quickReplies ?? []), back] };
  }

  function clarify(turn: Turn): Reply {
    const guesses = turn.understanding.ranking
      .filter((r) => HANDLERS[r.intent] && !DIALOG_CONTROLS.has(r.intent) && r.intent !== 'out_of_scope')
      .slice(0, 3);
    turn.state.misunderstandings += 1;
    if (turn.state.misunderstandings >= 2) return offerHuman();
    return {
      text: 'I want to be sure I get this right. Did you mean one of these?',
      quickReplies: guesses.map((g) => ({ label: GUESS_LABELS[g.intent] ?? capitalise(g.intent.replace(/_/g, ' ')), value: `${INTENT_PREFIX}${g.intent}` })),
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
      text: "Sorry, I'm not getting this right. I can help with balances, invoices, payments, tickets, outages, services and reports, in English or French — or would you like to talk to a person?",
      quickReplies: [
        { label: 'Talk to a person', value: `${INTENT_PREFIX}human_agent`, style: 'primary' },
        { label: 'Show what you can do', value: `${INTENT_PREFIX}help` },
      ],
    };
  }

  return { handleMessage: (inbound, actor) => handleMessage(inbound, actor), resumeAfterSignIn };
}

/**
 * A change to the payment waiting for confirmation, said in words: another payment account, amount or date,
 * with nothing else asked for. The other details of the waiting payment are kept.
 */
function amendment(turn: Turn, confirmation: PendingConfirmation): { intent: string; slots: Slots } | null {
  if (confirmation.intent !== 'make_payment') return null;
  const { intent, confidence } = turn.understanding;
  if (confidence >= 0.75 && !['make_payment', 'payment_methods', 'out_of_scope'].includes(intent)) return null;
  // "not the mastercard" names a card to refuse it.
  const method = /\b(not|don'?t|never|other than|except|instead of)\b/i.test(turn.text) ? null : paymentMethodWords(turn.text);
  const money = turn.understanding.entities.find((e) => e.type === 'money');
  const date = turn.understanding.entities.find((e) => e.type === 'date');
  if (!method && !money && !date) return null;
  const params = confirmation.params;
  const slots: Slots = {};
  for (const key of ['account', 'amountCents', 'date', 'paymentMethodId', 'methodWords'] as const) if (params[key] !== undefined && params[key] !== null) slots[key] = params[key];
  if (method) {
    delete slots.paymentMethodId;
    slots.methodWords = method;
  }
  if (money) delete slots.amountCents;
  if (date) delete slots.date;
  return { intent: 'make_payment', slots };
}

/** Slot and intent buttons never need the state version; only a confirmation does. */
const NO_VERSION = { value: -1 };

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];
const OPTION_STOP_WORDS = new Set(['the', 'one', 'use', 'with', 'from', 'pay', 'please', 'account', 'that', 'this', 'and', 'northwind', 'traders']);

/** The value of the offered button the text names: by position ("the second one") or by a distinctive word of its label. */
function optionNamed(text: string, options: readonly { label: string; value: string }[]): string | undefined {
  if (options.length === 0 || text.split(/\s+/).length > 8) return undefined;
  // "not the mastercard" names a button in order to refuse it.
  if (/\b(not|no|don'?t|never|other than|except|instead of)\b/i.test(text)) return undefined;
  const fold = (t: string) => t.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  const lower = fold(text);
  const position = ORDINALS.findIndex((o) => new RegExp(`\\b${o}\\b`).test(lower));
  if (position >= 0 && /\b(one|option|account|card|it)\b|^\s*(the\s+)?\w+\s*$/.test(lower)) return options[position]?.value;
  const words = lower.match(/[\p{L}\p{N}]{3,}/gu)?.filter((w) => !OPTION_STOP_WORDS.has(w)) ?? [];
  if (words.length === 0) return undefined;
  const hits = options.filter((o) => {
    const label = fold(o.label);
    return words.some((w) => new RegExp(`(^|[^\\p{L}\\p{N}])${w}($|[^\\p{L}\\p{N}])`, 'u').test(label));
  });
  return hits.length === 1 ? hits[0]?.value : undefined;
}

function asksToSignIn(reply: Reply): boolean {
  return [...(reply.quickReplies ?? []), ...(reply.cards ?? []).flatMap((c) => c.actions ?? [])].some((a) => a.value === 'sign_in');
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

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);


function staleButton(): Reply {
  return { text: "That button is from an earlier question that's already closed. What would you like to do?" };
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


// One turn of a conversation: who is asking, what they said as understood, the dialog state, and the
// helpers every intent handler uses (find the account, ask for a detail, ask for a confirmation).
import type { Actor } from '../../domain/actor.js';
import type { DomainContext } from '../../domain/context.js';
import { listAccessibleAccounts } from '../../domain/accounts/index.js';
import type { Conflict, Denied, Invalid } from '../../domain/result.js';
import type { Entity } from '../nlu/entities.js';
import type { Reply, ReplyAction, ReplyCard, ReplyFile } from '../reply.js';
import type { Channel } from '../../db/schema.js';
import { checkCapability } from '../../domain/accounts/users.js';
import { findAccountOfNumber } from '../../domain/services/index.js';
import type { Capability } from '../../domain/authorization.js';
import type { DialogState, Slots } from './state.js';

export interface Understanding {
  intent: string;
  confidence: number;
  ranking: { intent: string; score: number }[];
  entities: Entity[];
}

/** Optional services a handler may call; the engine works (with less) without them. */
export interface ConversationServices {
  /** Renders an invoice as a PDF file. */
  renderInvoicePdf?: (ctx: DomainContext, actor: Actor, invoiceNumber: string) => Promise<ReplyFile | null>;
  /** Runs a report for chat: a short table card and/or a file, or a refusal in words. */
  runChatReport?: (ctx: DomainContext, actor: Actor, request: ChatReportRequest) => Promise<ChatReportResult>;
  /** How many new requests for a person may be made; absent: no limit (limits off). */
  handoffLimits?: HandoffLimits;
}

export interface HandoffLimits {
  readonly perConversationPerHour: number;
  /** For visitors who have not signed in, per client address. */
  readonly anonymousPerClientPerHour: number;
}

export interface ChatReportRequest {
  reportId: string;
  accountNumber: string;
  includeChildren: boolean;
  from: string;
  to: string;
  timeZone: string;
  format: 'pdf' | 'csv' | null;
  limit: number | null;
}

export type ChatReportResult =
  | { kind: 'ok'; title: string; periodLabel: string; table?: { columns: string[]; rows: string[][] }; totalRows: number; file?: ReplyFile }
  | Denied
  | Invalid
  | Conflict;

export interface Turn {
  readonly ctx: DomainContext;
  readonly actor: Actor;
  readonly services: ConversationServices;
  readonly conversationId: string;
  readonly state: DialogState;
  /** What was said, with spelling and shorthand put right (card data already masked). */
  readonly text: string;
  /** What was said as typed (card data masked): for free text such as a problem description or a name. */
  readonly original: string;
  /** The channel the person is on. */
  readonly channel: Channel;
  readonly understanding: Understanding;
  readonly timeZone: string;
  /** The sender's client address when the channel knows it (InboundMessage.client). */
  readonly client?: string;
}

export type Handler = (turn: Turn, slots: Slots) => Promise<Reply>;

export const CONFIRM_PREFIX = 'confirm:';
export const CANCEL_PREFIX = 'cancel:';
export const SLOT_PREFIX = 'slot:';
export const INTENT_PREFIX = 'intent:';

export function entitiesOf<T extends Entity['type']>(turn: Turn, type: T): Extract<Entity, { type: T }>[] {
  return turn.understanding.entities.filter((e): e is Extract<Entity, { type: T }> => e.type === type);
}

export function firstEntity<T extends Entity['type']>(turn: Turn, type: T): Extract<Entity, { type: T }> | undefined {
  return entitiesOf(turn, type)[0];
}

/** Asks for a missing detail, remembering the request so the answer continues it. */
export function ask(turn: Turn, intent: string, slots: Slots, awaiting: string, question: string, options: ReplyAction[] = []): Reply {
  const misses = turn.state.pending?.intent === intent && turn.state.pending.awaiting === awaiting ? turn.state.pending.misses : undefined;
  turn.state.pending = { intent, slots, awaiting, question, ...(options.length ? { options: options.map((o) => ({ label: o.label, value: o.value })) } : {}), ...(misses ? { misses } : {}) };
  return { text: question, quickReplies: options.length ? options : undefined };
}

/** The Confirm and Cancel buttons of the confirmation with this id. */
export function confirmActions(id: string): ReplyAction[] {
  return [
    { label: 'Confirm', value: `${CONFIRM_PREFIX}${id}`, style: 'primary' },
    { label: 'Cancel', value: `${CANCEL_PREFIX}${id}`, style: 'danger' },
  ];
}

/** Summarises a write and waits for an explicit confirmation; nothing happens until then. */
export function confirm(turn: Turn, intent: string, params: Slots, summary: string, card?: ReplyCard): Reply {
  const id = randomId();
  turn.state.confirmation = { id, intent, params, summary };
  turn.state.pending = undefined;
  const actions = confirmActions(id);
  return {
    text: summary,
    cards: [{ ...(card ?? { title: 'Please confirm' }), actions }],
  };
}

/** What a refused or failed outcome says to the person, without revealing anything outside their scope. */
export function explainOutcome(outcome: Denied | Invalid | Conflict): Reply {
  switch (outcome.kind) {
    case 'not_found':
      return outcome.what.startsWith('account ')
        ? { text: `I couldn't find ${outcome.what} among the accounts you can access. Please check the number.` }
        : { text: `I couldn't find ${outcome.what}.` };
    case 'forbidden':
      return { text: outcome.reason };
    case 'sign_in_required':
      return {
        text: 'Please sign in first, so I can look at your account. You can verify with your account number and PIN.',
        quickReplies: [{ label: 'Sign in', value: 'sign_in' }],
      };
    case 'invalid':
      return { text: outcome.message };
    case 'conflict':
      return { text: outcome.message };
  }
}

export interface AccountCandidate {
  number: string;
  name: string;
}

/** The accounts a person can name in this conversation: their own, or for staff every account. */
export async function accountCandidates(ctx: DomainContext, actor: Actor): Promise<AccountCandidate[]> {
  if (actor.kind === 'anonymous') return [];
  if (actor.kind === 'staff') {
    return ctx.db.selectFrom('accounts').select(['number', 'name']).orderBy('number').limit(5000).execute();
  }
  const accessible = await listAccessibleAccounts(ctx, actor);
  if (accessible.kind !== 'ok') return [];
  // Favourites and the default first, so the buttons offered are the likely ones.
  return [...accessible.value]
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || Number(b.favorite) - Number(a.favorite) || a.number.localeCompare(b.number))
    .map((a) => ({ number: a.number, name: a.name }));
}

export const accountButton = (a: AccountCandidate): ReplyAction => ({ label: `${a.name} · ${a.number}`, value: `${SLOT_PREFIX}account:${a.number}` });

/**
 * The account a request is about: one named now (by number, or a clear name match), else the account
 * in focus, else the default or only account. Returns a question instead when it cannot tell.
 */
export async function resolveAccount(
  turn: Turn,
  intent: string,
  slots: Slots,
): Promise<{ kind: 'account'; number: string } | { kind: 'ask'; reply: Reply }> {
  if (typeof slots.account === 'string') return useAccount(turn, slots.account);
  const named = entitiesOf(turn, 'account');
  // A number that matches none of the person's accounts is still used: the domain then answers
  // "not found" exactly as for a number that does not exist, revealing nothing.
  const exact =
    named.find((e) => e.score >= 0.99) ??
    named.find((e) => e.score === 0 && e.text === e.value) ??
    (named.length === 1 && named[0] && named[0].score > 0.6 ? named[0] : undefined);
  if (exact) return useAccount(turn, exact.value);
  if (named.length > 1) {
    const candidates = await accountCandidates(turn.ctx, turn.actor);
    const options = named
      .map((e) => candidates.find((c) => c.number === e.value))
      .filter((c): c is AccountCandidate => c !== undefined)
      .slice(0, 6)
      .map(accountButton);
    return { kind: 'ask', reply: ask(turn, intent, slots, 'account', 'Which account do you mean?', options) };
  }
  if (turn.state.focusAccount) return useAccount(turn, turn.state.focusAccount);
  if (turn.actor.kind === 'anonymous') {
    return { kind: 'ask', reply: explainOutcome({ kind: 'sign_in_required' }) };
  }
  if (turn.actor.kind === 'staff') {
    return {
      kind: 'ask',
      reply: ask(turn, intent, slots, 'account', 'Which customer account? Give me the account number or the customer’s name.'),
    };
  }
  const accessible = await listAccessibleAccounts(turn.ctx, turn.actor);
  if (accessible.kind === 'ok') {
    const preferred = accessible.value.find((a) => a.isDefault) ?? (accessible.value.length === 1 ? accessible.value[0] : undefined);
    if (preferred) return useAccount(turn, preferred.number);
  }
  const candidates = await accountCandidates(turn.ctx, turn.actor);
  if (candidates.length === 0) return { kind: 'ask', reply: { text: 'You don’t have access to any accounts yet. Your organisation’s administrator can grant it.' } };
  return { kind: 'ask', reply: ask(turn, intent, slots, 'account', 'Which account?', candidates.slice(0, 6).map(accountButton)) };
}

function useAccount(turn: Turn, number: string): { kind: 'account'; number: string } {
  turn.state.focusAccount = number;
  turn.state.recentAccounts = [number, ...(turn.state.recentAccounts ?? []).filter((n) => n !== number)].slice(0, 6);
  return { kind: 'account', number };
}

const DOING: Partial<Record<Capability, string>> = {
  'tickets.write': 'open or escalate tickets',
  'payments.write': 'make payments or change autopay',
  'billing.write': 'change billing settings',
  'account.write': 'change account details and contacts',
  'services.write': 'change service settings',
  'users.manage': 'manage portal users',
  'reports.read': 'run reports',
};

/**
 * Checks that the person may do this at all before the first question is asked: a person without the
 * permission hears it at once, and who in their organisation can help. Null when they may go ahead.
 */
export async function refusedBeforeAsking(turn: Turn, capability: Capability): Promise<Reply | null> {
  const checked = await checkCapability(turn.ctx, turn.actor, capability);
  if (checked.kind === 'allowed') return null;
  if (checked.kind !== 'refused') {
    return explainOutcome(checked);
  }
  turn.state.pending = undefined;
  const doing = DOING[capability] ?? 'do that';
  if (turn.actor.kind === 'staff' || turn.actor.kind === 'agent') return { text: `Your staff role doesn't let you ${doing}. A colleague whose role covers it can.` };
  const who = checked.who.map((w) => `${w.name} (${w.email})`);
  const helpers = who.length === 0 ? 'an administrator of your organisation' : who.length === 1 ? who[0] : `${who.slice(0, -1).join(', ')} or ${who.at(-1)}`;
  return { text: `Your access doesn't let you ${doing}. In your organisation, ${helpers} can do it for you, or give you that permission.` };
}

/** Runs a request about one account: finds the account (or asks), then answers with what `answer` makes of it. */
export async function withAccount(
  turn: Turn,
  intent: string,
  slots: Slots,
  answer: (accountNumber: string) => Promise<Reply>,
): Promise<Reply> {
  const account = await resolveAccount(turn, intent, slots);
  if (account.kind === 'ask') return account.reply;
  turn.state.last = { intent, slots: { ...slots, account: account.number } };
  return answer(account.number);
}

/** explainOutcome, and an account that turned out not to be theirs leaves the focus. */
export function refuse(turn: Turn, outcome: Denied | Invalid | Conflict): Reply {
  if (outcome.kind === 'not_found' && outcome.what === `account ${turn.state.focusAccount}`) {
    turn.state.focusAccount = undefined;
    turn.state.last = undefined;
  }
  return explainOutcome(outcome);
}

/**
 * A phone number said without an account ("no dial tone on 613-555-0100") points at the account that line
 * belongs to, when it is one of the person's: the slots get that account unless one was named.
 */
export async function accountFromPhone(turn: Turn, slots: Slots, phone: string | undefined): Promise<void> {
  if (!phone || typeof slots.account === 'string' || entitiesOf(turn, 'account').length > 0) return;
  const found = await findAccountOfNumber(turn.ctx, turn.actor, { number: phone });
  if (found) slots.account = found;
}

/** 72 random bits as base64url (12 characters), from Web Crypto so the core runs on any runtime. */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

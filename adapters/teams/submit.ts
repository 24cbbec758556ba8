// A card's Action.Submit (or Action.Execute) data: a value that goes back into the conversation, or a form the
// core opened (read back only through the core's action codec) that a use case checks and carries out.
import { createHash } from 'node:crypto';
import { decodeForm } from '../../src/conversation/actions.js';
import { outcomeText } from '../../src/conversation/format.js';
import type { Actor } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import type { Outcome } from '../../src/domain/result.js';
import { escalateTicket, isPriority, type TicketDetail } from '../../src/domain/tickets/index.js';
import type { AdaptiveCardAttachment, OutgoingActivity, TeamsActivity } from './activity.js';
import { adaptiveCard, attachment, factSet, renderAdaptiveCards } from './adaptive-cards.js';

export const STALE_FORM = "That card's form was changed or is out of date, so nothing was done. Please ask again (for example \"escalate ticket TT-104411\").";
export const SIGN_IN_FIRST = "Your Teams account isn't linked to a portal user or staff record, so I can only answer general questions. Please ask your administrator to link it.";

export type SubmitData =
  | { readonly kind: 'action'; readonly action: string }
  | { readonly kind: 'form'; readonly form: Readonly<Record<string, unknown>> };

/** What a submit carries, or null for a plain message. */
export function submitData(value: unknown): SubmitData | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const data = value as Record<string, unknown>;
  if (typeof data.form === 'string') return { kind: 'form', form: data };
  if (typeof data.action === 'string' && data.action.length > 0 && data.action.length <= 2000) return { kind: 'action', action: data.action };
  return null;
}

export interface SubmitOutcome {
  readonly message: OutgoingActivity;
  /** The card to show in place of the one that held the form, when something was done. */
  readonly card?: AdaptiveCardAttachment;
}

export async function handleSubmit(ctx: DomainContext, actor: Actor, activity: TeamsActivity, data: Readonly<Record<string, unknown>>): Promise<SubmitOutcome> {
  const form = decodeForm(data.form);
  if (form?.name !== 'escalate_ticket' || !form.values.ticket) return say(STALE_FORM);
  if (actor.kind === 'anonymous') return say(SIGN_IN_FIRST);
  const priority = data.priority;
  if (!isPriority(priority)) return say('Please pick the new priority for the ticket; nothing was changed.');
  const reason = typeof data.reason === 'string' ? data.reason : '';
  const result = await escalateTicket(ctx, actor, {
    ticketNumber: form.values.ticket,
    toPriority: priority,
    reason,
    // The same submit delivered twice (a Teams retry) escalates once.
    idempotencyKey: `teams-submit:${createHash('sha256').update(`${activity.conversation?.id ?? ''}\n${activity.id ?? crypto.randomUUID()}`).digest('base64url').slice(0, 40)}`,
  });
  if (result.kind !== 'ok') return say(`${outcomeMessage(result)} Nothing was changed.`);
  const t = result.value;
  const last = t.escalations.at(-1);
  const who = activity.from?.name ? `${activity.from.name} in Teams` : (last?.by ?? 'you');
  const card = attachment(ticketCard(t, [...(last ? [{ label: 'Reason', value: last.reason }] : []), { label: 'Escalated', value: `by ${who}, ${when(last?.at ?? t.updatedAt)}` }]));
  const text = `${result.replayed ? 'Already escalated' : 'Escalated'} ${t.number} to ${t.priority} priority.`;
  return { message: { type: 'message', text, textFormat: 'plain', attachments: [card] }, card };
}

function say(text: string): SubmitOutcome {
  return { message: renderAdaptiveCards({ text }) };
}

function ticketCard(t: TicketDetail, extra: { label: string; value: string }[]) {
  return adaptiveCard([
    { type: 'TextBlock', text: `${t.number} · ${t.title}`, weight: 'Bolder', size: 'Medium', wrap: true },
    factSet([
      { label: 'Account', value: t.accountNumber },
      { label: 'Priority', value: t.priority },
      { label: 'Status', value: t.status.replace(/_/g, ' ') },
      ...extra,
    ]),
  ]);
}

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function outcomeMessage(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>): string {
  return outcomeText(outcome, SIGN_IN_FIRST);
}

// The message extension's action command "Open a ticket from this message": a task module with the ticket form,
// prefilled from the message (first line as the title, the text as the description); the submitted form is
// checked by the domain's createTicket. The outcome is shown only to the person who asked.
import { createHash } from 'node:crypto';
import { outcomeText } from '../../src/conversation/format.js';
import type { ContactMethod, TicketPriority } from '../../src/db/schema.js';
import { searchAccounts } from '../../src/domain/accounts/index.js';
import type { Actor } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import { createTicket, PRIORITIES } from '../../src/domain/tickets/index.js';
import type { TeamsActivity } from './activity.js';
import { adaptiveCard, attachment, truncate } from './adaptive-cards.js';
import { SIGN_IN_FIRST } from './submit.js';

export const TICKET_FROM_MESSAGE_COMMAND = 'openTicketFromMessage';
type Json = Record<string, unknown>;

const taskMessage = (text: string): Json => ({ task: { type: 'message', value: text } });

/** composeExtension/fetchTask: the ticket form, prefilled from the message the command was used on. */
export async function ticketFormTask(ctx: DomainContext, actor: Actor, value: unknown): Promise<Json> {
  const v = value as { commandId?: unknown; messagePayload?: { body?: { content?: unknown } } } | undefined;
  if (v?.commandId !== TICKET_FROM_MESSAGE_COMMAND) return taskMessage('I do not know that command.');
  if (actor.kind === 'anonymous') return taskMessage(SIGN_IN_FIRST);
  const found = await searchAccounts(ctx, actor, { query: '', limit: 100 });
  if (found.kind !== 'ok') return taskMessage(found.kind === 'forbidden' ? found.reason : SIGN_IN_FIRST);
  const text = plainText(typeof v.messagePayload?.body?.content === 'string' ? v.messagePayload.body.content : '');
  const card = adaptiveCard(
    [
      { type: 'Input.ChoiceSet', id: 'account', label: 'Account', isRequired: true, errorMessage: 'Please pick the account.', style: 'filtered', choices: found.value.map((a) => ({ title: truncate(`${a.number} · ${a.name}`, 75), value: a.number })) },
      { type: 'Input.Text', id: 'title', label: 'Title', isRequired: true, maxLength: 120, value: truncate(text.split('\n')[0] ?? '', 120), errorMessage: 'Please give the ticket a title.' },
      { type: 'Input.Text', id: 'description', label: 'Description', isMultiline: true, maxLength: 2000, value: truncate(text, 2000) },
      { type: 'Input.ChoiceSet', id: 'priority', label: 'Priority', value: 'medium', choices: PRIORITIES.map((p) => ({ title: p, value: p })) },
      { type: 'Input.ChoiceSet', id: 'contact', label: 'Preferred contact', value: 'email', choices: (['email', 'phone', 'chat'] as const).map((c) => ({ title: c, value: c })) },
    ],
    [{ type: 'Action.Submit', title: 'Open ticket', style: 'positive' }],
  );
  return { task: { type: 'continue', value: { title: 'Open a ticket', height: 'large', width: 'medium', card: attachment(card) } } };
}

/** composeExtension/submitAction: opens the ticket, or says why not (nothing is opened). */
export async function openTicketFromTask(ctx: DomainContext, actor: Actor, activity: TeamsActivity): Promise<Json> {
  const v = activity.value as { commandId?: unknown; data?: Record<string, unknown> } | undefined;
  if (v?.commandId !== TICKET_FROM_MESSAGE_COMMAND) return taskMessage('I do not know that command.');
  if (actor.kind === 'anonymous') return taskMessage(SIGN_IN_FIRST);
  const data = v.data ?? {};
  const field = (name: string) => (typeof data[name] === 'string' ? (data[name] as string) : '');
  const result = await createTicket(ctx, actor, {
    accountNumber: field('account'),
    title: field('title'),
    description: field('description'),
    priority: field('priority') as TicketPriority,
    preferredContact: field('contact') as ContactMethod,
    idempotencyKey: `teams-task:${createHash('sha256').update(`${activity.conversation?.id ?? ''}\n${activity.id ?? crypto.randomUUID()}`).digest('base64url').slice(0, 40)}`,
  });
  if (result.kind !== 'ok') {
    const why = outcomeText(result, SIGN_IN_FIRST);
    return taskMessage(`${why} No ticket was opened.`);
  }
  return taskMessage(`${result.replayed ? 'Already opened' : 'Opened'} ${result.value.number} on account ${result.value.accountNumber}.`);
}

/** The text of a Teams message body (HTML) as plain lines. */
function plainText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

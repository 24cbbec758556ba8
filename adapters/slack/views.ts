// Slack surfaces that are not messages: the modals for forms (open a ticket; escalate with priority and
// reason), a one-line notice modal, and each staff member's App Home tab. Every text is cut to Slack's limits.
import { encodeFormValues, escalateTicketForm } from '../../src/conversation/actions.js';
import type { HandoffView } from '../../src/domain/handoff/index.js';
import type { OutageView } from '../../src/domain/outages/index.js';
import { canEscalate, PRIORITIES, prioritiesAbove, type TicketSummary } from '../../src/domain/tickets/index.js';
import type { TicketPriority } from '../../src/db/schema.js';
import { escapeMrkdwn, OPEN_ESCALATE_ACTION, truncate } from './block-kit.js';

export { OPEN_ESCALATE_ACTION };

export const CREATE_TICKET_VIEW = 'create_ticket';
export const ESCALATE_VIEW = 'escalate_ticket';
export const ACCOUNT_OPTIONS_ACTION = 'ticket_account';
export const OPEN_CREATE_TICKET_ACTION = 'open_create_ticket_modal';
export const TICKET_SHORTCUT = 'open_ticket_from_message';

/** Slack's limits for views: modal titles 24 characters, 100 blocks, private_metadata 3,000. */
const VIEW_LIMITS = { title: 24, blocks: 100, metadata: 3000, input: 3000 } as const;

const priorityLabel = (p: TicketPriority): string => p.charAt(0).toUpperCase() + p.slice(1);

type Json = Record<string, unknown>;

const plain = (text: string, max = 150): Json => ({
  type: 'plain_text',
  text: truncate(text.trim() === '' ? ' ' : text, max),
  emoji: true,
});
const mrkdwn = (text: string): Json => ({ type: 'mrkdwn', text: truncate(text, 3000) });
const option = (label: string, value: string): Json => ({ text: plain(label, 75), value });

/** What a modal remembers between opening and submission (kept small: Slack allows 3,000 characters). */
export interface ModalMetadata {
  /** The conversation the form was opened from, so the result is said there. */
  conversationId?: string;
  ticket?: string;
  /** For a ticket opened from a message: where that message is. */
  source?: { channel: string; ts: string };
  /** Opened from the App Home, which is published again once the form has done its work. */
  fromHome?: boolean;
}

export function encodeMetadata(metadata: ModalMetadata): string {
  const text = JSON.stringify(metadata);
  return text.length <= VIEW_LIMITS.metadata ? text : JSON.stringify({ ticket: metadata.ticket });
}

export function decodeMetadata(text: string | undefined): ModalMetadata {
  try {
    const parsed = JSON.parse(text ?? '{}') as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ModalMetadata) : {};
  } catch {
    return {};
  }
}

/** The escalation form: a priority above the current one (the next one preselected) and a reason. */
export function escalateModal(
  ticket: { number: string; title: string; priority: TicketPriority },
  metadata: ModalMetadata,
): Json {
  const options = prioritiesAbove(ticket.priority).map((p) => option(priorityLabel(p), p));
  return {
    type: 'modal',
    callback_id: ESCALATE_VIEW,
    private_metadata: encodeMetadata({ ...metadata, ticket: ticket.number }),
    title: plain(`Escalate ${ticket.number}`, VIEW_LIMITS.title),
    submit: plain('Escalate', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `*${ticket.number}* · ${escapeMrkdwn(truncate(ticket.title, 200))}\nNow *${ticket.priority}* priority.`,
        ),
      },
      {
        type: 'input',
        block_id: 'priority',
        label: plain('New priority'),
        element: {
          type: 'static_select',
          action_id: 'value',
          options,
          ...(options[0] ? { initial_option: options[0] } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'reason',
        label: plain('Reason'),
        hint: plain('Said to the customer and kept in the ticket history.'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, min_length: 3, max_length: 500 },
      },
    ],
  };
}

/** The new-ticket form; prefilled from a message when opened by the "Open a ticket from this message" shortcut. */
export function createTicketModal(prefill: { title?: string; description?: string }, metadata: ModalMetadata): Json {
  const priorities = PRIORITIES.map((p) => option(priorityLabel(p), p));
  const contacts = [option('Phone', 'phone'), option('Email', 'email'), option('Chat', 'chat')];
  const title = prefill.title ? truncate(prefill.title, 120) : undefined;
  const description = prefill.description ? truncate(prefill.description, VIEW_LIMITS.input) : undefined;
  return {
    type: 'modal',
    callback_id: CREATE_TICKET_VIEW,
    private_metadata: encodeMetadata(metadata),
    title: plain('Open a ticket', VIEW_LIMITS.title),
    submit: plain('Open ticket', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'input',
        block_id: 'account',
        label: plain('Customer account'),
        hint: plain('Type an account number or part of the name.'),
        element: {
          type: 'external_select',
          action_id: ACCOUNT_OPTIONS_ACTION,
          min_query_length: 1,
          placeholder: plain('Account'),
        },
      },
      {
        type: 'input',
        block_id: 'title',
        label: plain('Problem in a few words'),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          min_length: 3,
          max_length: 120,
          ...(title ? { initial_value: title } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'description',
        label: plain('What is happening'),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          multiline: true,
          min_length: 3,
          max_length: VIEW_LIMITS.input,
          ...(description ? { initial_value: description } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'priority',
        label: plain('Priority'),
        element: { type: 'static_select', action_id: 'value', options: priorities, initial_option: priorities[1] },
      },
      {
        type: 'input',
        block_id: 'contact',
        label: plain('Reach the customer by'),
        element: { type: 'static_select', action_id: 'value', options: contacts, initial_option: contacts[0] },
      },
    ],
  };
}

/** A modal that only says something (used where there is no message to answer under, e.g. the App Home). */
export function noticeModal(title: string, text: string): Json {
  return {
    type: 'modal',
    title: plain(title, VIEW_LIMITS.title),
    close: plain('OK', 24),
    blocks: [{ type: 'section', text: mrkdwn(escapeMrkdwn(text)) }],
  };
}

export interface HomeContent {
  staff: { email: string; role: string };
  tickets: readonly TicketSummary[];
  outages: readonly OutageView[];
  handoffs: readonly HandoffView[];
}

const HOME_LIST_MAX = 15;

/** A staff member's App Home: open high-priority tickets (with escalate buttons), current outages, their handoffs. */
export function homeView(content: HomeContent): Json {
  const blocks: Json[] = [
    { type: 'header', text: plain('Support Assistant') },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `Signed in as ${escapeMrkdwn(content.staff.email)} (${escapeMrkdwn(content.staff.role.replace(/_/g, ' '))})`,
        ),
      ],
    },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: OPEN_CREATE_TICKET_ACTION,
          text: plain('Open a ticket', 75),
          style: 'primary',
          value: 'new',
        },
      ],
    },
    { type: 'divider' },
    { type: 'header', text: plain(`High-priority open tickets (${content.tickets.length})`) },
  ];
  if (content.tickets.length === 0) blocks.push({ type: 'section', text: mrkdwn('None right now.') });
  for (const t of content.tickets.slice(0, HOME_LIST_MAX)) {
    const escalateValue = encodeFormValues(escalateTicketForm(t.number));
    const text = mrkdwn(
      `*${t.number}* · ${t.priority} · ${t.status.replace(/_/g, ' ')} · account ${t.accountNumber}\n${escapeMrkdwn(truncate(t.title, 200))}`,
    );
    blocks.push(
      !canEscalate(t) || escalateValue === null
        ? { type: 'section', text }
        : {
            type: 'section',
            text,
            accessory: {
              type: 'button',
              action_id: `${OPEN_ESCALATE_ACTION}:${t.number}`,
              text: plain('Escalate…', 75),
              value: escalateValue,
            },
          },
    );
  }
  if (content.tickets.length > HOME_LIST_MAX)
    blocks.push({ type: 'context', elements: [mrkdwn(`… and ${content.tickets.length - HOME_LIST_MAX} more.`)] });

  blocks.push({ type: 'divider' }, { type: 'header', text: plain(`Current outages (${content.outages.length})`) });
  if (content.outages.length === 0) blocks.push({ type: 'section', text: mrkdwn('No outages right now.') });
  for (const o of content.outages.slice(0, HOME_LIST_MAX)) {
    const where = o.areas.map((a) => a.city).join(', ');
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*${o.reference} · ${escapeMrkdwn(truncate(o.title, 150))}*${where ? ` · ${escapeMrkdwn(truncate(where, 200))}` : ''}\n` +
          escapeMrkdwn(
            truncate(`${o.status} since ${o.startedAt.slice(0, 16).replace('T', ' ')} UTC — ${o.description}`, 400),
          ),
      ),
    });
  }

  blocks.push(
    { type: 'divider' },
    { type: 'header', text: plain(`Handoffs waiting for you (${content.handoffs.length})`) },
  );
  if (content.handoffs.length === 0) blocks.push({ type: 'section', text: mrkdwn('No one is waiting for a person.') });
  for (const h of content.handoffs.slice(0, HOME_LIST_MAX)) {
    const who = h.accountNumber
      ? `account ${h.accountNumber}${h.accountName ? ` (${escapeMrkdwn(truncate(h.accountName, 80))})` : ''}`
      : 'a visitor';
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*${h.status === 'active' ? 'With you' : 'Waiting'}* · ${h.channel} · ${who} · since ${h.requestedAt.slice(0, 16).replace('T', ' ')} UTC\n${escapeMrkdwn(truncate(h.reason, 300))}`,
      ),
    });
  }
  return { type: 'home', blocks: blocks.slice(0, VIEW_LIMITS.blocks) };
}

/** The App Home of a Slack user who is not linked to staff. */
export function strangerHomeView(refusal: string): Json {
  return { type: 'home', blocks: [{ type: 'section', text: mrkdwn(escapeMrkdwn(refusal)) }] };
}

/** The submitted value of an input block: text, or a select's chosen value. */
export function submitted(
  values: Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null }>>,
  block: string,
): string {
  const field = Object.values(values[block] ?? {})[0];
  return (field?.selected_option?.value ?? field?.value ?? '').trim();
}

// Trouble tickets and care cases: list, status, open (confirmed) and escalate (confirmed).
import type { ContactMethod, TicketPriority } from '../../../db/schema.js';
import {
  canEscalate,
  createTicket,
  escalateTicket,
  escalationBlocked,
  escalationTarget,
  getTicket,
  isPriority,
  listCareCases,
  listTickets,
  nextPriority,
  TICKET_CHARGES_NOTICE,
  type TicketDetail,
} from '../../../domain/tickets/index.js';
import { escalateTicketForm, formAction } from '../../actions.js';
import { formatDateTime, humanise } from '../../format.js';
import type { Reply, ReplyAction } from '../../reply.js';
import type { Slots } from '../state.js';
import { accountFromPhone, ask, CANCEL_PREFIX, confirm, firstEntity, INTENT_PREFIX, refuse, refusedBeforeAsking, SLOT_PREFIX, type Turn, withAccount } from '../turn.js';

/** "Escalate": the escalation form where a channel has forms, else the same request typed into the conversation. */
function escalateAction(ticket: string): ReplyAction {
  return formAction('Escalate', `${INTENT_PREFIX}ticket_escalate:${ticket}`, escalateTicketForm(ticket));
}

function ticketCard(turn: Turn, t: TicketDetail): Reply {
  const lastEvents = t.history.slice(-4).map((h) => [formatDateTime(h.at, turn.timeZone), humanise(h.kind), h.to ? humanise(h.to) : '', h.note ?? '']);
  return {
    text: `Ticket ${t.number} (${t.title}) is ${humanise(t.status).toLowerCase()}, priority ${t.priority}.`,
    cards: [
      {
        title: `${t.number} · ${t.title}`,
        subtitle: `Account ${t.accountNumber}`,
        fields: [
          { label: 'Status', value: humanise(t.status) },
          { label: 'Priority', value: humanise(t.priority) },
          { label: 'Opened', value: formatDateTime(t.createdAt, turn.timeZone) },
          { label: 'Updated', value: formatDateTime(t.updatedAt, turn.timeZone) },
          ...(t.service ? [{ label: 'Service', value: `${t.service.name} (${t.service.identifier})` }] : []),
        ],
        table: lastEvents.length ? { columns: ['When', 'Event', 'To', 'Note'], rows: lastEvents } : undefined,
        actions: canEscalate(t) ? [escalateAction(t.number)] : undefined,
      },
    ],
  };
}

export async function tickets(turn: Turn, slots: Slots): Promise<Reply> {
  const named = (typeof slots.ticket === 'string' ? slots.ticket : undefined) ?? firstEntity(turn, 'ticket')?.value;
  if (named) {
    const result = await getTicket(turn.ctx, turn.actor, { ticketNumber: named });
    if (result.kind !== 'ok') return refuse(turn, result);
    turn.state.lastTicket = result.value.number;
    turn.state.last = { intent: 'tickets', slots: { ticket: result.value.number } };
    return ticketCard(turn, result.value);
  }
  // "My tickets" usually means the company's; only tickets the person opened themselves when they say so.
  const mine = /\b(mine|i opened|i created|i raised|i logged|i reported|opened by me)\b/i.test(turn.text);
  const all = /\b(all|every|closed|resolved|history|tous|toutes)\b/i.test(turn.text);
  const priority = firstEntity(turn, 'priority')?.value;
  // Customers with one visible account set don't have to name an account; staff do.
  const listFor = async (accountNumber?: string) => {
    const result = await listTickets(turn.ctx, turn.actor, { accountNumber, includeChildren: true, mine, openOnly: !all, priority, limit: 10 });
    if (result.kind !== 'ok') return refuse(turn, result);
    const scope = accountNumber ? ` on ${accountNumber}` : '';
    if (result.value.length === 0) return { text: `There are no ${all ? '' : 'open '}tickets${scope}${mine ? ' opened by you' : ''}.` };
    const first = result.value[0];
    if (result.value.length === 1 && first) turn.state.lastTicket = first.number;
    turn.state.lastTickets = result.value.map((t) => t.number);
    return {
      text: `${result.value.length} ${all ? '' : 'open '}ticket${result.value.length === 1 ? '' : 's'}${scope}: ${result.value.map((t) => `${t.number} (${t.status.replace('_', ' ')}, ${t.priority})`).join(', ')}.`,
      cards: [
        {
          title: `${all ? 'Tickets' : 'Open tickets'}${scope}`,
          table: {
            columns: ['Ticket', 'Account', 'Title', 'Status', 'Priority'],
            rows: result.value.map((t) => [t.number, t.accountNumber, t.title, humanise(t.status), humanise(t.priority)]),
          },
          actions: result.value.slice(0, 5).map((t) => ({ label: `Details ${t.number}`, value: `${INTENT_PREFIX}tickets:${t.number}` })),
        },
      ],
    };
  };
  const namedAccount = firstEntity(turn, 'account');
  if (!namedAccount && !slots.account && !turn.state.focusAccount && turn.actor.kind !== 'staff') {
    turn.state.last = { intent: 'tickets', slots: {} };
    return listFor(undefined);
  }
  return withAccount(turn, 'tickets', slots, (accountNumber) => listFor(accountNumber));
}

const CONTACT_OPTIONS = [
  { label: 'Email', value: `${SLOT_PREFIX}preferredContact:email` },
  { label: 'Phone', value: `${SLOT_PREFIX}preferredContact:phone` },
  { label: 'Chat', value: `${SLOT_PREFIX}preferredContact:chat` },
];

/** The problem as the person put it, if the request itself describes one ("open a ticket: no dial tone since 9"). */
function describedProblem(text: string): string | null {
  const stripped = text
    .replace(/\b(please|can you|could you|i want to|i'd like to|i need to|open|create|log|file|raise|submit|a|new|trouble|support|ticket|report)\b/gi, ' ')
    .replace(/[:\-–]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (stripped.split(' ').length < 4) return null;
  // The problem, without the request around it ("open a ticket: …").
  const problem = text
    .trim()
    .replace(/^(please\s+)?((can|could|would) you\s+)?(please\s+)?(i (want|need) to\s+|i'?d like to\s+)?(open|create|log|file|raise|submit|start)( me)?( a| an)?( new)?( trouble| support| repair| service)? ticket\b( please)?\s*(for|about|because|regarding|re)?\s*[:\-–—,.]?\s*/i, '')
    .trim();
  return (problem.length >= 3 ? problem[0]!.toUpperCase() + problem.slice(1) : text.trim()).slice(0, 2000);
}

export async function ticketCreate(turn: Turn, slots: Slots): Promise<Reply> {
  const refused = await refusedBeforeAsking(turn, 'tickets.write');
  if (refused) return refused;
  const merged: Slots = { ...slots };
  if (typeof merged.outage === 'string') {
    // Only a real, open outage is linked; a made-up reference is ignored.
    const outage = await turn.ctx.db.selectFrom('outages').select('reference').where('reference', '=', merged.outage).where('status', '!=', 'resolved').executeTakeFirst();
    if (!outage) delete merged.outage;
  }
  if (typeof merged.outage === 'string' && merged.description === undefined) {
    // Opened from an outage notice: linked to it by reference, in the customer's own words when we have them.
    const said = turn.state.lastProblem ? `"${turn.state.lastProblem}" — ` : '';
    merged.description = `${said}affected by outage ${merged.outage}.`;
    merged.title = `Affected by outage ${merged.outage}`;
    merged.priority ??= 'high';
  }
  if (merged.description === undefined) {
    const described = describedProblem(turn.original);
    if (described) merged.description = described;
    // "Report a problem" pressed right after the person described it (upset): their own words are the description.
    else if (turn.original === '' && turn.state.lastProblem) merged.description = turn.state.lastProblem;
  }
  if (merged.preferredContact === undefined) {
    const how = /\b(call me|phone me|give me a call|by phone|reach me by phone|on my cell)\b/i.test(turn.original)
      ? 'phone'
      : /\b(e-?mail me|by e-?mail|reach me by e-?mail|send me an e-?mail)\b/i.test(turn.original)
        ? 'email'
        : /\b(here in (the )?chat|in this chat|by chat)\b/i.test(turn.original)
          ? 'chat'
          : undefined;
    if (how) merged.preferredContact = how;
  }
  await accountFromPhone(turn, merged, firstEntity(turn, 'phone')?.value);
  if (merged.priority === undefined) {
    const priority = firstEntity(turn, 'priority');
    if (priority) merged.priority = priority.value;
  }
  return withAccount(turn, 'ticket_create', merged, async (accountNumber) => {
    merged.account = accountNumber;
    if (typeof merged.description !== 'string' || merged.description.trim().length < 3) {
      return ask(turn, 'ticket_create', merged, 'description', `What's the problem on ${accountNumber}? Describe what is happening and since when.`);
    }
    if (typeof merged.preferredContact !== 'string') {
      return ask(turn, 'ticket_create', merged, 'preferredContact', 'How should our technicians reach you about it?', CONTACT_OPTIONS);
    }
    const description = merged.description.trim();
    const title = typeof merged.title === 'string' ? merged.title : description.length > 60 ? `${description.slice(0, 57).trimEnd()}…` : description;
    const priority = (typeof merged.priority === 'string' ? merged.priority : 'medium') as TicketPriority;
    return confirm(
      turn,
      'ticket_create',
      { account: accountNumber, title, description, preferredContact: merged.preferredContact, priority },
      `Open a ${priority}-priority ticket on ${accountNumber}: "${title}", and contact you by ${merged.preferredContact}? ${TICKET_CHARGES_NOTICE}`,
      {
        title: 'Open this ticket?',
        fields: [
          { label: 'Account', value: accountNumber },
          { label: 'Problem', value: description.slice(0, 500) },
          { label: 'Priority', value: humanise(priority) },
          { label: 'Contact by', value: humanise(String(merged.preferredContact)) },
          { label: 'Please note', value: TICKET_CHARGES_NOTICE },
        ],
      },
    );
  });
}

export async function executeTicketCreate(turn: Turn, params: Slots, key: string): Promise<Reply> {
  const result = await createTicket(turn.ctx, turn.actor, {
    accountNumber: String(params.account),
    title: String(params.title),
    description: String(params.description),
    preferredContact: params.preferredContact as ContactMethod,
    priority: params.priority as TicketPriority,
    idempotencyKey: key,
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  turn.state.lastTicket = result.value.number;
  turn.state.last = { intent: 'tickets', slots: { ticket: result.value.number } };
  const reply = ticketCard(turn, result.value);
  const again = result.replayed ? 'Already done — no second ticket was opened. ' : '';
  return { ...reply, text: `${again}Ticket ${result.value.number} is open. We'll contact you by ${result.value.preferredContact}.` };
}

/**
 * The reason given with the request itself ("TT-103033 needs to be escalated to high, we've been waiting
 * 3 days"): what is left once the ticket, the escalation words and the priority are taken out, if it is a sentence.
 */
function reasonIn(text: string): string | null {
  const after = /(?:\bbecause\b|\bsince\b|\bas\b|\bcuz\b|[,;:–—]|\s-\s)\s*(.+)$/i.exec(text)?.[1];
  const candidate = after ?? text;
  const rest = candidate
    .replace(/\bTT-?\d+\b/gi, ' ')
    .replace(/\b(please|pls|can you|could you|i want to|i'd like to|we need to|need(s)? to|needs|be|get|to|escalate[ds]?|escalation|escalating|bump(ed)?|raise[ds]?|expedite[ds]?|the|this|that|it|ticket|priority|up|low|medium|high|critical|urgent)\b/gi, ' ')
    .replace(/[^\p{L}\p{N}' ]/gu, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (rest.length < 3) return null;
  return (after ?? text).trim().slice(0, 500);
}

export async function ticketEscalate(turn: Turn, slots: Slots): Promise<Reply> {
  const refused = await refusedBeforeAsking(turn, 'tickets.write');
  if (refused) return refused;
  const merged: Slots = { ...slots };
  if (merged.reason === undefined) {
    const reason = reasonIn(turn.original);
    if (reason) merged.reason = reason;
  }
  merged.ticket ??= firstEntity(turn, 'ticket')?.value ?? turn.state.lastTicket ?? null;
  if (merged.toPriority === undefined) {
    const priority = firstEntity(turn, 'priority');
    if (priority) merged.toPriority = priority.value;
  }
  if (typeof merged.ticket !== 'string') {
    const open = await listTickets(turn.ctx, turn.actor, { accountNumber: turn.state.focusAccount, openOnly: true, limit: 6 });
    if (open.kind !== 'ok') return refuse(turn, open);
    if (open.value.length === 0) return { text: 'There are no open tickets to escalate.' };
    return ask(
      turn,
      'ticket_escalate',
      merged,
      'ticket',
      'Which ticket should I escalate?',
      open.value.map((t) => ({ label: `${t.number} · ${t.title.slice(0, 30)}`, value: `${SLOT_PREFIX}ticket:${t.number}` })),
    );
  }
  const found = await getTicket(turn.ctx, turn.actor, { ticketNumber: merged.ticket });
  if (found.kind !== 'ok') return refuse(turn, found);
  const ticket = found.value;
  turn.state.lastTicket = ticket.number;
  const blocked = escalationBlocked(ticket);
  if (blocked === 'closed') {
    return { text: `Ticket ${ticket.number} is ${ticket.status}, so it can't be escalated. Would you like to open a new ticket?`, quickReplies: [{ label: 'Open a ticket', value: `${INTENT_PREFIX}ticket_create` }] };
  }
  if (blocked === 'highest') return { text: `Ticket ${ticket.number} is already at critical priority, the highest.` };
  if (typeof merged.reason !== 'string' || merged.reason.trim().length < 3) {
    return ask(turn, 'ticket_escalate', merged, 'reason', `Why does ${ticket.number} need escalating? (For example: the whole office is down.)`);
  }
  // Not at the top (refused above), so there is a next priority.
  const next = nextPriority(ticket.priority) as TicketPriority;
  const requested = isPriority(merged.toPriority) ? merged.toPriority : undefined;
  const raisedTo = requested ? escalationTarget(ticket.priority, requested) : next;
  if (raisedTo === null && merged.higherAnyway !== true) {
    // Asked for a priority it already has (or a lower one): say so, and offer the next step up rather than guess.
    const reply = ask(
      turn,
      'ticket_escalate',
      { ...merged, toPriority: null },
      'toPriority',
      `${ticket.number} is already at ${ticket.priority} priority. Escalate it to ${next} instead?`,
      [
        { label: `Escalate to ${next}`, value: `${SLOT_PREFIX}higherAnyway:true` },
        { label: `Keep it at ${ticket.priority}`, value: `${CANCEL_PREFIX}keep` },
      ],
    );
    if (turn.state.pending) turn.state.pending.yes = `${SLOT_PREFIX}higherAnyway:true`;
    return reply;
  }
  const target = raisedTo ?? next;
  return confirm(
    turn,
    'ticket_escalate',
    { ticket: ticket.number, toPriority: target, reason: merged.reason.trim().slice(0, 500) },
    `Escalate ticket ${ticket.number} from ${ticket.priority} to ${target} priority, because: "${merged.reason.trim().slice(0, 200)}"?`,
  );
}

export async function executeTicketEscalate(turn: Turn, params: Slots, key: string): Promise<Reply> {
  const result = await escalateTicket(turn.ctx, turn.actor, {
    ticketNumber: String(params.ticket),
    reason: String(params.reason),
    toPriority: params.toPriority as TicketPriority,
    idempotencyKey: key,
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  const reply = ticketCard(turn, result.value);
  const again = result.replayed ? 'Already done — it was escalated once. ' : '';
  return { ...reply, text: `${again}Done: ticket ${result.value.number} is now ${result.value.priority} priority. The team has been told why.` };
}

export async function careCases(turn: Turn, slots: Slots): Promise<Reply> {
  return withAccount(turn, 'care_cases', slots, async (accountNumber) => {
    const result = await listCareCases(turn.ctx, turn.actor, { accountNumber });
    if (result.kind !== 'ok') return refuse(turn, result);
    if (result.value.length === 0) return { text: `There are no care cases on ${accountNumber}.` };
    return {
      text: `${result.value.length} care case${result.value.length === 1 ? '' : 's'} on ${accountNumber}: ${result.value.map((c) => `${c.number} (${c.status.replace('_', ' ')})`).join(', ')}.`,
      cards: [
        {
          title: `Care cases · ${accountNumber}`,
          table: {
            columns: ['Case', 'Category', 'Subject', 'Status', 'Opened'],
            rows: result.value.map((c) => [c.number, humanise(c.category), c.subject, humanise(c.status), formatDateTime(c.openedAt, turn.timeZone)]),
          },
        },
      ],
    };
  });
}

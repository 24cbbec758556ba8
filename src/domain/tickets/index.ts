// Trouble tickets and care cases: list, detail with history, create and escalate (both idempotent).
import { type Kysely, sql } from 'kysely';
import type { CareCaseStatus, ContactMethod, Database, Ticket, TicketPriority, TicketStatus } from '../../db/schema.js';
import { type Actor, actorLabel } from '../actor.js';
import { recordAudit } from '../audit.js';
import {
  accountIdsFor,
  accountWithDescendantIds,
  authorizeAccount,
  authorizeAccountId,
  inScope,
} from '../authorization.js';
import type { DomainContext } from '../context.js';
import { withIdempotency } from '../idempotency.js';
import { conflict, type Denied, invalid, notFound, type Ok, ok, type Outcome } from '../result.js';
import { cleanText } from '../validation.js';
import { escalationBlocked, escalationTarget, isPriority, OPEN_STATUSES, prioritiesFrom } from './priorities.js';

export * from './priorities.js';
/** Shown to whoever opens a ticket, before they confirm. */
export const TICKET_CHARGES_NOTICE =
  'If the problem turns out to be on your side of the network (your equipment or wiring), a service charge may apply.';

export interface TicketSummary {
  number: string;
  accountNumber: string;
  title: string;
  status: TicketStatus;
  priority: TicketPriority;
  createdAt: string;
  updatedAt: string;
}

export interface TicketDetail extends TicketSummary {
  description: string;
  service: { name: string; identifier: string } | null;
  preferredContact: ContactMethod;
  customerReference: string | null;
  closedAt: string | null;
  history: { at: string; kind: string; from: string | null; to: string | null; note: string | null; by: string }[];
  escalations: { at: string; from: TicketPriority; to: TicketPriority; reason: string; by: string }[];
}

/**
 * Tickets newest first: for one account (optionally with its children), or every account the actor
 * may see; `mine` keeps those the customer opened; `openOnly` drops resolved and closed ones.
 */
export async function listTickets(
  ctx: DomainContext,
  actor: Actor,
  input: {
    accountNumber?: string;
    includeChildren?: boolean;
    mine?: boolean;
    openOnly?: boolean;
    priority?: TicketPriority;
    /** Keeps tickets at this priority or above (e.g. 'high' keeps high and critical). */
    minPriority?: TicketPriority;
    limit?: number;
  },
): Promise<Ok<TicketSummary[]> | Denied> {
  let accountIds: ReadonlySet<number> | null;
  if (input.accountNumber) {
    const account = await authorizeAccount(ctx, actor, input.accountNumber, 'tickets.read', 'list_tickets');
    if (account.kind !== 'ok') return account;
    accountIds = new Set([account.value.id]);
    if (input.includeChildren) {
      const ids = await accountWithDescendantIds(ctx.db, account.value.id);
      accountIds = new Set(ids.filter((id) => inScope(actor, id)));
    }
  } else {
    const scope = await accountIdsFor(actor, 'tickets.read');
    if (scope.kind !== 'ok') return scope;
    accountIds = scope.value;
    // Staff listing across every customer (e.g. the Slack App Home) is a look-up too.
    if (actor.kind === 'staff') {
      await recordAudit(ctx.db, ctx.now(), actor, {
        action: 'list_tickets',
        accountId: null,
        details: { openOnly: input.openOnly ?? false, ...(input.priority ? { priority: input.priority } : {}), ...(input.minPriority ? { minPriority: input.minPriority } : {}) },
      });
    }
  }
  let query = ctx.db
    .selectFrom('tickets')
    .innerJoin('accounts', 'accounts.id', 'tickets.account_id')
    .select([
      'tickets.number',
      'accounts.number as account_number',
      'tickets.title',
      'tickets.status',
      'tickets.priority',
      'tickets.created_at',
      'tickets.updated_at',
    ]);
  if (accountIds !== null) query = query.where('tickets.account_id', 'in', accountIds.size ? [...accountIds] : [-1]);
  if (input.mine) {
    // A PIN sign-in is an account, not a person: "mine" is then every ticket on its accounts.
    if (actor.kind === 'customer' && actor.userId !== null)
      query = query.where('tickets.created_by_user_id', '=', actor.userId);
    else if (actor.kind === 'staff') query = query.where('tickets.created_by_staff_id', '=', actor.staffId);
  }
  if (input.openOnly) query = query.where('tickets.status', 'in', [...OPEN_STATUSES]);
  if (input.priority) query = query.where('tickets.priority', '=', input.priority);
  if (input.minPriority)
    query = query.where('tickets.priority', 'in', prioritiesFrom(input.minPriority));
  const rows = await query
    .orderBy('tickets.created_at', 'desc')
    .orderBy('tickets.id', 'desc')
    .limit(Math.min(Math.max(input.limit ?? 50, 1), 500))
    .execute();
  return ok(
    rows.map((r) => ({
      number: r.number,
      accountNumber: r.account_number,
      title: r.title,
      status: r.status,
      priority: r.priority,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
  );
}

async function findTicket(
  ctx: DomainContext,
  actor: Actor,
  ticketNumber: string,
  capability: 'tickets.read' | 'tickets.write',
  action: string,
): Promise<Ok<{ ticket: Ticket; accountNumber: string }> | Denied> {
  if (actor.kind === 'anonymous') return { kind: 'sign_in_required' };
  const number = ticketNumber.trim().toUpperCase();
  const ticket = await ctx.db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirst();
  if (!ticket) return notFound(`ticket ${number}`);
  const account = await authorizeAccountId(ctx, actor, ticket.account_id, capability, action, `ticket ${number}`);
  if (account.kind !== 'ok') return account;
  return ok({ ticket, accountNumber: account.value.number });
}

async function ticketDetail(db: Kysely<Database>, ticket: Ticket, accountNumber: string): Promise<TicketDetail> {
  const [events, escalations, service] = await Promise.all([
    db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticket.id).orderBy('at').orderBy('id').execute(),
    db
      .selectFrom('ticket_escalations')
      .selectAll()
      .where('ticket_id', '=', ticket.id)
      .orderBy('escalated_at')
      .execute(),
    ticket.service_id === null
      ? undefined
      : db.selectFrom('services').select(['name', 'identifier']).where('id', '=', ticket.service_id).executeTakeFirst(),
  ]);
  return {
    number: ticket.number,
    accountNumber,
    title: ticket.title,
    status: ticket.status,
    priority: ticket.priority,
    createdAt: ticket.created_at,
    updatedAt: ticket.updated_at,
    description: ticket.description,
    service: service ?? null,
    preferredContact: ticket.preferred_contact,
    customerReference: ticket.customer_reference,
    closedAt: ticket.closed_at,
    history: events.map((e) => ({
      at: e.at,
      kind: e.kind,
      from: e.from_value,
      to: e.to_value,
      note: e.note,
      by: e.actor_label,
    })),
    escalations: escalations.map((e) => ({
      at: e.escalated_at,
      from: e.from_priority,
      to: e.to_priority,
      reason: e.reason,
      by: e.escalated_by,
    })),
  };
}

export async function getTicket(
  ctx: DomainContext,
  actor: Actor,
  input: { ticketNumber: string },
): Promise<Ok<TicketDetail> | Denied> {
  const found = await findTicket(ctx, actor, input.ticketNumber, 'tickets.read', 'get_ticket');
  if (found.kind !== 'ok') return found;
  return ok(await ticketDetail(ctx.db, found.value.ticket, found.value.accountNumber));
}

export interface NewTicket {
  accountNumber: string;
  /** The affected service, by its identifier (phone number, circuit id) or id. */
  service?: string | number | null;
  title: string;
  description: string;
  preferredContact: ContactMethod;
  customerReference?: string | null;
  priority?: TicketPriority;
  idempotencyKey: string;
}

const CONTACT_METHODS: readonly ContactMethod[] = ['email', 'phone', 'chat'];

export async function createTicket(
  ctx: DomainContext,
  actor: Actor,
  input: NewTicket,
): Promise<Outcome<TicketDetail & { chargesNotice: string }> & { replayed?: boolean }> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'tickets.write', 'create_ticket');
  if (account.kind !== 'ok') return account;
  const title = cleanText(input.title, 120);
  const description = (input.description ?? '').trim().slice(0, 4000);
  if (title.length < 3) return invalid('title', 'Please describe the problem in a few words.');
  if (description.length < 3) return invalid('description', 'Please describe what is happening.');
  if (!CONTACT_METHODS.includes(input.preferredContact)) {
    return invalid('preferredContact', 'How should we reach you: email, phone or chat?');
  }
  const priority = input.priority ?? 'medium';
  if (!isPriority(priority)) return invalid('priority', 'Priority is low, medium, high or critical.');
  const customerReference = input.customerReference ? cleanText(input.customerReference, 60) : null;
  const { id: accountId, number: accountNumber } = account.value;
  const request = {
    accountNumber,
    service: input.service ?? null,
    title,
    description,
    preferredContact: input.preferredContact,
    customerReference,
    priority,
  };

  // Two tickets opened at the same instant can pick the same next number; the loser's transaction rolls
  // back whole and is simply run again (with the same idempotency key, so nothing is done twice).
  for (let attempt = 1; ; attempt++) {
    try {
      return await createTicketOnce();
    } catch (error) {
      if (attempt >= 12 || !isTicketNumberClash(error)) throw error;
      // A little random wait, so the ones that clashed do not clash again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }

  function createTicketOnce() {
    return withIdempotency(ctx, actor, 'create_ticket', input.idempotencyKey, request, async (db) => {
      let serviceId: number | null = null;
      if (input.service !== undefined && input.service !== null && input.service !== '') {
        const service = await db
          .selectFrom('services')
          .select('id')
          .where('account_id', '=', accountId)
          .where((eb) =>
            typeof input.service === 'number'
              ? eb('id', '=', input.service)
              : eb('identifier', '=', String(input.service).trim()),
          )
          .executeTakeFirst();
        if (!service) return invalid('service', `That service isn't on account ${accountNumber}.`);
        serviceId = service.id;
      }
      const now = ctx.now().toISOString();
      const number = await nextTicketNumber(db);
      const ticket = await db
        .insertInto('tickets')
        .values({
          number,
          account_id: accountId,
          service_id: serviceId,
          title,
          description,
          status: 'open',
          priority,
          preferred_contact: input.preferredContact,
          customer_reference: customerReference,
          created_by_user_id: actor.kind === 'customer' ? actor.userId : null,
          created_by_staff_id: actor.kind === 'staff' || actor.kind === 'agent' ? actor.staffId : null,
          created_at: now,
          updated_at: now,
          closed_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await db
        .insertInto('ticket_events')
        .values({
          ticket_id: ticket.id,
          at: now,
          kind: 'created',
          from_value: null,
          to_value: 'open',
          note: null,
          actor_label: actorLabel(actor),
        })
        .execute();
      await recordAudit(db, ctx.now(), actor, {
        action: 'create_ticket',
        accountId,
        target: `ticket:${number}`,
        details: { priority },
      });
      return ok({ ...(await ticketDetail(db, ticket, accountNumber)), chargesNotice: TICKET_CHARGES_NOTICE });
    });
  }
}

/** A unique-key clash on the ticket number (SQLite or PostgreSQL wording). */
function isTicketNumberClash(error: unknown): boolean {
  const text = `${(error as { code?: unknown })?.code ?? ''} ${error instanceof Error ? error.message : ''} ${(error as { constraint?: unknown })?.constraint ?? ''}`;
  return /tickets_number|tickets\.number/.test(text) && /23505|UNIQUE|unique|duplicate/.test(text);
}

/** Ticket numbers are TT- and six or more digits, one above the highest so far. */
async function nextTicketNumber(db: Kysely<Database>): Promise<string> {
  // The highest is the longest, then the greatest, of the numbers: one row read, not every ticket.
  const top = await db
    .selectFrom('tickets')
    .select('number')
    .where('number', 'like', 'TT-%')
    .orderBy(sql`length(number)`, 'desc')
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
  const highest = Math.max(100_000, Number.parseInt(top?.number.slice(3) ?? '', 10) || 0);
  return `TT-${highest + 1}`;
}

/**
 * Raises a ticket's priority with a reason. Without a target priority it goes up one level.
 * Resolved, closed and already-critical tickets cannot be escalated.
 */
export async function escalateTicket(
  ctx: DomainContext,
  actor: Actor,
  input: { ticketNumber: string; reason: string; toPriority?: TicketPriority; idempotencyKey: string },
): Promise<Outcome<TicketDetail> & { replayed?: boolean }> {
  const found = await findTicket(ctx, actor, input.ticketNumber, 'tickets.write', 'escalate_ticket');
  if (found.kind !== 'ok') return found;
  const reason = cleanText(input.reason, 500);
  if (reason.length < 3) return invalid('reason', 'Please say why the ticket needs escalating.');
  if (input.toPriority !== undefined && !isPriority(input.toPriority)) {
    return invalid('toPriority', 'Priority is low, medium, high or critical.');
  }
  const { ticket: seen, accountNumber } = found.value;
  const request = { ticket: seen.number, reason, toPriority: input.toPriority ?? null };
  return withIdempotency(ctx, actor, 'escalate_ticket', input.idempotencyKey, request, async (db) => {
    // Re-read inside the transaction: the ticket may have changed since the customer last looked.
    const ticket = await db.selectFrom('tickets').selectAll().where('id', '=', seen.id).executeTakeFirstOrThrow();
    const blocked = escalationBlocked(ticket);
    if (blocked === 'closed') {
      return conflict(
        `Ticket ${ticket.number} is ${ticket.status}, so it can't be escalated. You can open a new ticket instead.`,
      );
    }
    if (blocked === 'highest') return conflict(`Ticket ${ticket.number} is already at critical priority.`);
    const toPriority = escalationTarget(ticket.priority, input.toPriority);
    if (toPriority === null) {
      return invalid(
        'toPriority',
        `Ticket ${ticket.number} is already ${ticket.priority}; an escalation must raise the priority.`,
      );
    }
    const now = ctx.now().toISOString();
    const by = actorLabel(actor);
    await db
      .updateTable('tickets')
      .set({ priority: toPriority, updated_at: now })
      .where('id', '=', ticket.id)
      .execute();
    await db
      .insertInto('ticket_escalations')
      .values({
        ticket_id: ticket.id,
        from_priority: ticket.priority,
        to_priority: toPriority,
        reason,
        escalated_at: now,
        escalated_by: by,
      })
      .execute();
    await db
      .insertInto('ticket_events')
      .values({
        ticket_id: ticket.id,
        at: now,
        kind: 'escalated',
        from_value: ticket.priority,
        to_value: toPriority,
        note: reason,
        actor_label: by,
      })
      .execute();
    await recordAudit(db, ctx.now(), actor, {
      action: 'escalate_ticket',
      accountId: ticket.account_id,
      target: `ticket:${ticket.number}`,
      details: { from: ticket.priority, to: toPriority },
    });
    const updated = await db.selectFrom('tickets').selectAll().where('id', '=', ticket.id).executeTakeFirstOrThrow();
    return ok(await ticketDetail(db, updated, accountNumber));
  });
}

export interface CareCaseView {
  number: string;
  accountNumber: string;
  category: string;
  subject: string;
  status: CareCaseStatus;
  openedAt: string;
  updatedAt: string;
}

export async function listCareCases(
  ctx: DomainContext,
  actor: Actor,
  input: { accountNumber: string; openOnly?: boolean },
): Promise<Ok<CareCaseView[]> | Denied> {
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'tickets.read', 'list_care_cases');
  if (account.kind !== 'ok') return account;
  let query = ctx.db.selectFrom('care_cases').selectAll().where('account_id', '=', account.value.id);
  if (input.openOnly) query = query.where('status', 'in', ['open', 'in_progress']);
  const rows = await query.orderBy('opened_at', 'desc').execute();
  return ok(
    rows.map((r) => ({
      number: r.number,
      accountNumber: account.value.number,
      category: r.category,
      subject: r.subject,
      status: r.status,
      openedAt: r.opened_at,
      updatedAt: r.updated_at,
    })),
  );
}

// The one list of ticket priorities and the one escalation rule: the use cases, the dialog and every channel's
// forms ask here which priorities exist, which are above a ticket's, and whether a ticket can be escalated.
import type { TicketPriority, TicketStatus } from '../../db/schema.js';

/** Lowest first. */
export const PRIORITIES: readonly TicketPriority[] = ['low', 'medium', 'high', 'critical'];
export const OPEN_STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'pending_customer'];

export function isPriority(value: unknown): value is TicketPriority {
  return typeof value === 'string' && (PRIORITIES as readonly string[]).includes(value);
}

/** This priority and every one above it, lowest first (a "high or above" filter). */
export function prioritiesFrom(min: TicketPriority): TicketPriority[] {
  return PRIORITIES.slice(Math.max(PRIORITIES.indexOf(min), 0));
}

/** What an escalation may raise a ticket to: the priorities above its own, lowest first; none at the top. */
export function prioritiesAbove(priority: TicketPriority): TicketPriority[] {
  return PRIORITIES.slice(PRIORITIES.indexOf(priority) + 1);
}

/** The next priority up, or null at the top. */
export function nextPriority(priority: TicketPriority): TicketPriority | null {
  return prioritiesAbove(priority)[0] ?? null;
}

/**
 * Why a ticket cannot be escalated: it is resolved or closed ('closed'), or already at the highest priority
 * ('highest'); null when it can be. Each caller words the refusal its own way.
 */
export function escalationBlocked(ticket: {
  status: TicketStatus;
  priority: TicketPriority;
}): 'closed' | 'highest' | null {
  if (!OPEN_STATUSES.includes(ticket.status)) return 'closed';
  return nextPriority(ticket.priority) === null ? 'highest' : null;
}

export function canEscalate(ticket: { status: TicketStatus; priority: TicketPriority }): boolean {
  return escalationBlocked(ticket) === null;
}

/**
 * Where an escalation takes a ticket at `current`: the priority asked for, or one level up when none is asked;
 * null when the one asked for would not raise it (or there is nothing above).
 */
export function escalationTarget(current: TicketPriority, requested?: TicketPriority): TicketPriority | null {
  if (requested === undefined) return nextPriority(current);
  return prioritiesAbove(current).includes(requested) ? requested : null;
}

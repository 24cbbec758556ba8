// The staff dashboard (Slack's App Home, the agent console): open high-priority tickets across customers,
// current outages, and the handoffs waiting for the staff member or being served by them.
import type { StaffRole } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { DomainContext } from '../context.js';
import { type HandoffView, listHandoffQueue } from '../handoff/index.js';
import { listPublicOutages, type OutageView } from '../outages/index.js';
import { type Denied, forbidden, type Ok, ok, signInRequired } from '../result.js';
import { listTickets, type TicketSummary } from '../tickets/index.js';

export interface StaffDashboard {
  staff: { email: string; role: StaffRole };
  /** Open tickets at high priority or above, newest first (at most 500): every customer's. */
  tickets: TicketSummary[];
  outages: OutageView[];
  /** Empty for roles that don't take conversations over from the bot. */
  handoffs: HandoffView[];
}

/**
 * What a staff member sees first. Staff only; what each role may see is decided by the lists it is made of
 * (tickets need tickets.read, handoffs are for roles that take chats), each audited as the look-up it is.
 */
export async function getStaffDashboard(ctx: DomainContext, actor: Actor): Promise<Ok<StaffDashboard> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (actor.kind !== 'staff') return forbidden('Only staff see the staff dashboard.');
  const [tickets, outages, handoffs] = await Promise.all([
    listTickets(ctx, actor, { openOnly: true, minPriority: 'high', limit: 500 }),
    listPublicOutages(ctx, actor),
    listHandoffQueue(ctx, actor),
  ]);
  return ok({
    staff: { email: actor.email, role: actor.role },
    tickets: tickets.kind === 'ok' ? tickets.value : [],
    outages: outages.value,
    handoffs: handoffs.kind === 'ok' ? handoffs.value : [],
  });
}

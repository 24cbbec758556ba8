// Handoffs from the bot to a person: the queue a staff member sees (waiting conversations nobody has taken
// yet, and the ones they are serving now).
import type { Channel, HandoffStatus } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import { recordAudit } from '../audit.js';
import type { DomainContext } from '../context.js';
import { type Denied, forbidden, type Ok, ok, signInRequired } from '../result.js';

export interface HandoffView {
  conversationId: string;
  channel: Channel;
  status: HandoffStatus;
  reason: string;
  requestedAt: string;
  /** The customer's account in focus, when the conversation has one. */
  accountNumber: string | null;
  accountName: string | null;
}

/** Staff who may take a conversation over from the bot. */
const TAKES_HANDOFFS = new Set(['support_agent', 'care_agent']);

/** Waiting handoffs (oldest first) and those the staff member is serving; empty for roles that don't take chats. */
export async function listHandoffQueue(
  ctx: DomainContext,
  actor: Actor,
  input: { limit?: number } = {},
): Promise<Ok<HandoffView[]> | Denied> {
  if (actor.kind === 'anonymous') return signInRequired();
  if (actor.kind !== 'staff') return forbidden('Only staff see the handoff queue.');
  if (!TAKES_HANDOFFS.has(actor.role)) return ok([]);
  await recordAudit(ctx.db, ctx.now(), actor, { action: 'list_handoffs', accountId: null });
  const rows = await ctx.db
    .selectFrom('handoffs')
    .innerJoin('conversations', 'conversations.id', 'handoffs.conversation_id')
    .leftJoin('accounts', 'accounts.id', 'conversations.account_in_focus_id')
    .select([
      'handoffs.conversation_id',
      'conversations.channel',
      'handoffs.status',
      'handoffs.reason',
      'handoffs.requested_at',
      'accounts.number as account_number',
      'accounts.name as account_name',
    ])
    .where((eb) =>
      eb.or([
        eb('handoffs.status', '=', 'waiting'),
        eb.and([eb('handoffs.status', '=', 'active'), eb('handoffs.agent_staff_id', '=', actor.staffId)]),
      ]),
    )
    .orderBy('handoffs.requested_at')
    .orderBy('handoffs.id')
    .limit(Math.min(Math.max(input.limit ?? 20, 1), 100))
    .execute();
  return ok(
    rows.map((r) => ({
      conversationId: r.conversation_id,
      channel: r.channel,
      status: r.status,
      reason: r.reason,
      requestedAt: r.requested_at,
      accountNumber: r.account_number,
      accountName: r.account_name,
    })),
  );
}

// A person asks for a person: the conversation joins the handoff queue once, within limits that stop one
// client filling the queue with conversations nobody is in.
import type { Actor } from '../actor.js';
import type { DomainContext } from '../context.js';
import { type Allowance, takeAllowances } from '../rate-limits.js';

export interface HandoffRequestLimits {
  readonly perConversationPerHour: number;
  /** Visitors who have not signed in, per client address. */
  readonly anonymousPerClientPerHour: number;
}

export type HandoffRequestOutcome =
  | { readonly kind: 'queued' }
  | { readonly kind: 'already_queued'; readonly since: string }
  /** Too many requests from this conversation or this client lately; try again after a while. */
  | { readonly kind: 'limited'; readonly retryAfterSeconds: number }
  | { readonly kind: 'staff' };

export async function requestHandoff(
  ctx: DomainContext,
  actor: Actor,
  input: { conversationId: string; reason: string; client?: string; limits?: HandoffRequestLimits },
): Promise<HandoffRequestOutcome> {
  if (actor.kind === 'staff') return { kind: 'staff' };
  const open = await ctx.db
    .selectFrom('handoffs')
    .select('requested_at')
    .where('conversation_id', '=', input.conversationId)
    .where('status', 'in', ['waiting', 'active'])
    .executeTakeFirst();
  if (open) return { kind: 'already_queued', since: open.requested_at };
  if (input.limits) {
    const allowances: Allowance[] = [
      { key: `handoff:conversation:${input.conversationId}`, limit: input.limits.perConversationPerHour, windowSeconds: 3600 },
    ];
    // Signed-in people are known and accountable; anonymous visitors are counted by where they come from.
    if (actor.kind === 'anonymous') {
      allowances.push({ key: `handoff:anonymous:${input.client ?? 'unknown'}`, limit: input.limits.anonymousPerClientPerHour, windowSeconds: 3600 });
    }
    const taken = await takeAllowances(ctx, allowances);
    if (!taken.ok) return { kind: 'limited', retryAfterSeconds: taken.retryAfterSeconds };
  }
  const now = ctx.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('handoffs')
      .values({
        conversation_id: input.conversationId,
        reason: input.reason.slice(0, 500) || 'asked for a person',
        status: 'waiting',
        agent_staff_id: null,
        requested_at: now,
        accepted_at: null,
        returned_at: null,
      })
      .execute();
    await trx.updateTable('conversations').set({ status: 'handoff_waiting', updated_at: now }).where('id', '=', input.conversationId).execute();
  });
  return { kind: 'queued' };
}

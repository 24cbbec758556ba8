// A person in the conversation: a support agent takes it over from the bot, speaks in it, and hands it
// back. Each step is a message through the outbound port, so the customer sees it on whatever channel
// they are on, and the transcript keeps who said what.
import type { Actor } from '../domain/actor.js';
import type { DomainContext } from '../domain/context.js';
import type { Outbound, SendOutcome } from './outbound.js';

/** Staff who may take a conversation over from the bot. */
const TAKES_CONVERSATIONS = new Set(['support_agent', 'care_agent']);

export type AgentOutcome =
  | { readonly kind: 'ok'; readonly sent: SendOutcome }
  | { readonly kind: 'forbidden'; readonly message: string }
  | { readonly kind: 'not_found'; readonly message: string }
  | { readonly kind: 'conflict'; readonly message: string };

function refusal(actor: Actor): AgentOutcome | null {
  if (actor.kind !== 'staff' || !TAKES_CONVERSATIONS.has(actor.role)) return { kind: 'forbidden', message: 'Only support and care agents take conversations over.' };
  return null;
}

/** The agent takes a waiting (or bot-held) conversation; the customer is told a person joined. */
export async function joinConversation(ctx: DomainContext, outbound: Outbound, actor: Actor, conversationId: string): Promise<AgentOutcome> {
  const refused = refusal(actor);
  if (refused || actor.kind !== 'staff') return refused as AgentOutcome;
  const now = ctx.now().toISOString();
  const taken = await ctx.db.transaction().execute(async (trx) => {
    const conversation = await trx.selectFrom('conversations').select(['status']).where('id', '=', conversationId).executeTakeFirst();
    if (!conversation) return 'not_found' as const;
    const held = await trx
      .selectFrom('handoffs')
      .select(['id', 'status', 'agent_staff_id'])
      .where('conversation_id', '=', conversationId)
      .where('status', 'in', ['waiting', 'active'])
      .executeTakeFirst();
    if (held?.status === 'active' && held.agent_staff_id !== actor.staffId) return 'taken' as const;
    if (held?.status === 'active') return 'already' as const;
    if (held) {
      const claimed = await trx
        .updateTable('handoffs')
        .set({ status: 'active', agent_staff_id: actor.staffId, accepted_at: now })
        .where('id', '=', held.id)
        .where('status', '=', 'waiting')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return 'taken' as const;
    } else {
      await trx
        .insertInto('handoffs')
        .values({ conversation_id: conversationId, reason: 'taken over by an agent', status: 'active', agent_staff_id: actor.staffId, requested_at: now, accepted_at: now, returned_at: null })
        .execute();
    }
    await trx.updateTable('conversations').set({ status: 'agent', updated_at: now }).where('id', '=', conversationId).execute();
    return 'joined' as const;
  });
  if (taken === 'not_found') return { kind: 'not_found', message: 'There is no such conversation.' };
  if (taken === 'taken') return { kind: 'conflict', message: 'Another agent already has this conversation.' };
  if (taken === 'already') return { kind: 'conflict', message: 'You already have this conversation.' };
  const sent = await outbound.send(conversationId, { text: `${await agentName(ctx, actor.staffId)} from support joined the conversation.`, event: 'agent_joined', handoff: { status: 'active' } }, 'system');
  return { kind: 'ok', sent };
}

/** The agent speaks in a conversation they hold. */
export async function sayAsAgent(ctx: DomainContext, outbound: Outbound, actor: Actor, conversationId: string, text: string): Promise<AgentOutcome> {
  const refused = refusal(actor);
  if (refused || actor.kind !== 'staff') return refused as AgentOutcome;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim().slice(0, 4000);
  if (!clean) return { kind: 'conflict', message: 'There is nothing to send.' };
  if (!(await holds(ctx, actor.staffId, conversationId))) return { kind: 'not_found', message: 'You do not have this conversation; take it first.' };
  return { kind: 'ok', sent: await outbound.send(conversationId, { text: clean }, 'agent') };
}

/** The agent hands the conversation back to the bot; the customer is told the person left. */
export async function leaveConversation(ctx: DomainContext, outbound: Outbound, actor: Actor, conversationId: string): Promise<AgentOutcome> {
  const refused = refusal(actor);
  if (refused || actor.kind !== 'staff') return refused as AgentOutcome;
  const now = ctx.now().toISOString();
  const left = await ctx.db
    .updateTable('handoffs')
    .set({ status: 'returned', returned_at: now })
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'active')
    .where('agent_staff_id', '=', actor.staffId)
    .executeTakeFirst();
  if (Number(left.numUpdatedRows) !== 1) return { kind: 'not_found', message: 'You do not have this conversation.' };
  await ctx.db.updateTable('conversations').set({ status: 'bot', updated_at: now }).where('id', '=', conversationId).execute();
  const sent = await outbound.send(conversationId, { text: `${await agentName(ctx, actor.staffId)} left the conversation. I'm here if you need anything else.`, event: 'agent_left' }, 'system');
  return { kind: 'ok', sent };
}

async function holds(ctx: DomainContext, staffId: number, conversationId: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('handoffs')
    .select('id')
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'active')
    .where('agent_staff_id', '=', staffId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The first name customers see: agents are people, not staff ids. */
async function agentName(ctx: DomainContext, staffId: number): Promise<string> {
  const row = await ctx.db.selectFrom('staff').select('name').where('id', '=', staffId).executeTakeFirst();
  return row?.name.split(' ')[0] || 'An agent';
}

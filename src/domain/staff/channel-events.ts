// Each event a chat app receives from its platform (Slack's Events API) is run once: a retry or a duplicate
// delivery of the same event id is recognised on every instance, since the ids are kept in the database.
import type { Channel } from '../../db/schema.js';
import type { DomainContext } from '../context.js';

/** How long an event id is remembered: platforms stop retrying an event within minutes. */
const REMEMBER_MS = 86_400_000;
/** How often (at most) old ids are forgotten, per database and channel. */
const FORGET_EVERY_MS = 3_600_000;
const lastForgotten = new WeakMap<object, Map<string, number>>();

/** Records the channel's event id; true the first time, false when it was seen before (a retry, a duplicate). */
export async function claimChannelEvent(ctx: DomainContext, channel: Channel, eventId: string): Promise<boolean> {
  const scope = `${channel}-event`;
  const result = await ctx.db
    .insertInto('idempotency_keys')
    .values({ scope, key: eventId, result: '{}', created_at: ctx.now().toISOString() })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .executeTakeFirst();
  const first = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  if (first) await forgetOldEvents(ctx, scope);
  return first;
}

async function forgetOldEvents(ctx: DomainContext, scope: string): Promise<void> {
  const now = ctx.now().getTime();
  const byScope = lastForgotten.get(ctx.db) ?? new Map<string, number>();
  lastForgotten.set(ctx.db, byScope);
  if (now - (byScope.get(scope) ?? 0) < FORGET_EVERY_MS) return;
  byScope.set(scope, now);
  await ctx.db
    .deleteFrom('idempotency_keys')
    .where('scope', '=', scope)
    .where('created_at', '<', new Date(now - REMEMBER_MS).toISOString())
    .execute();
}

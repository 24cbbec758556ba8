// Abuse limits kept in the database, so every instance of the service counts the same events: fixed-window
// counters per key (a client address, a session, a conversation) and one-time marks (a request already run).
import { sql } from 'kysely';
import type { DomainContext } from './context.js';

/** At most `limit` events per `windowSeconds` for `key`. */
export interface Allowance {
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export type AllowanceOutcome = { readonly ok: true } | { readonly ok: false; readonly key: string; readonly retryAfterSeconds: number };

/** How often (at most) a process sweeps expired counters away. */
const PURGE_EVERY_MS = 60_000;
const lastPurgeByDb = new WeakMap<object, number>();

/**
 * Counts one event against each allowance, in one statement, and says whether all of them still hold.
 * Refused events are counted too: a client that keeps hammering stays refused until its window passes.
 * Fixed windows let a burst of up to twice the limit straddle a window's edge, which is fine for abuse.
 */
export async function takeAllowances(ctx: DomainContext, allowances: readonly Allowance[]): Promise<AllowanceOutcome> {
  if (allowances.length === 0) return { ok: true };
  const at = ctx.now().getTime();
  const rows = new Map<string, { key: string; window_start: string; count: number; expires_at: string }>();
  for (const a of allowances) {
    const windowMs = a.windowSeconds * 1000;
    const start = Math.floor(at / windowMs) * windowMs;
    const row = { key: a.key, window_start: new Date(start).toISOString(), count: 1, expires_at: new Date(start + windowMs).toISOString() };
    // PostgreSQL refuses to update one row twice in a statement.
    rows.set(`${row.key}|${row.window_start}`, row);
  }
  const counted = await ctx.db
    .insertInto('rate_limits')
    .values([...rows.values()])
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ count: sql<number>`rate_limits.count + 1` }))
    .returning(['key', 'count', 'expires_at'])
    .execute();
  void purgeNowAndThen(ctx, at);
  let refused: AllowanceOutcome = { ok: true };
  for (const allowance of allowances) {
    const row = counted.find((r) => r.key === allowance.key);
    if (!row || Number(row.count) <= allowance.limit) continue;
    const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(row.expires_at) - at) / 1000));
    if (refused.ok || retryAfterSeconds > refused.retryAfterSeconds) refused = { ok: false, key: allowance.key, retryAfterSeconds };
  }
  return refused;
}

/**
 * Marks `key` as seen for `ttlSeconds`; true the first time, false while the mark lasts (a replay).
 * One statement, so two instances racing on the same key cannot both see "first".
 */
export async function markOnce(ctx: DomainContext, key: string, ttlSeconds: number): Promise<boolean> {
  const at = ctx.now().getTime();
  const expiresAt = new Date(at + ttlSeconds * 1000).toISOString();
  const row = await ctx.db
    .insertInto('rate_limits')
    .values({ key, window_start: '-', count: 1, expires_at: expiresAt })
    .onConflict((oc) =>
      oc.columns(['key', 'window_start']).doUpdateSet({
        // An expired mark starts afresh; a live one counts the replay.
        count: sql<number>`case when rate_limits.expires_at <= ${new Date(at).toISOString()} then 1 else rate_limits.count + 1 end`,
        expires_at: sql<string>`case when rate_limits.expires_at <= ${new Date(at).toISOString()} then ${expiresAt} else rate_limits.expires_at end`,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  void purgeNowAndThen(ctx, at);
  return Number(row.count) === 1;
}

async function purgeNowAndThen(ctx: DomainContext, at: number): Promise<void> {
  const last = lastPurgeByDb.get(ctx.db) ?? 0;
  if (at - last < PURGE_EVERY_MS && at >= last) return;
  lastPurgeByDb.set(ctx.db, at);
  try {
    await ctx.db.deleteFrom('rate_limits').where('expires_at', '<', new Date(at).toISOString()).execute();
  } catch {
    // A sweep that fails (a busy database) is tried again on a later event; counting goes on.
  }
}

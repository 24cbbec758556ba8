// Idempotent writes: the same key from the same actor for the same operation does the work once
// and returns the first result again; the same key with different input is refused.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { toHex } from '../encoding.js';
import { type Actor, actorId } from './actor.js';
import type { DomainContext } from './context.js';
import { conflict, invalid, type Outcome } from './result.js';

interface StoredResult {
  fingerprint: string;
  value: unknown;
}

/** Raised inside the transaction to roll back work whose outcome was not ok. */
class NotOk {
  constructor(readonly outcome: Outcome<unknown>) {}
}

/**
 * Runs `work` in a transaction and stores its ok value under (actor, operation, key) in the same
 * transaction, so a crash never leaves work done without its key or a key without its work.
 * Only ok outcomes are stored: a refused or invalid request can be retried with the same key.
 */
export async function withIdempotency<T>(
  ctx: DomainContext,
  actor: Actor,
  operation: string,
  key: string,
  input: unknown,
  work: (db: Kysely<Database>) => Promise<Outcome<T>>,
): Promise<Outcome<T> & { replayed?: boolean }> {
  if (!/^[A-Za-z0-9._:-]{8,128}$/.test(key)) {
    return invalid('idempotencyKey', 'An idempotency key of 8–128 letters, digits or . _ : - is required.');
  }
  const scope = `${actorId(actor) ?? 'anonymous'}|${operation}`;
  const fingerprint = toHex(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(input)))),
  );

  const previous = await readStored(ctx.db, scope, key);
  if (previous) return replay<T>(previous, fingerprint);

  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const outcome = await work(trx);
      if (outcome.kind !== 'ok') throw new NotOk(outcome);
      const stored: StoredResult = { fingerprint, value: outcome.value };
      await trx
        .insertInto('idempotency_keys')
        .values({ scope, key, result: JSON.stringify(stored), created_at: ctx.now().toISOString() })
        .execute();
      return outcome;
    });
  } catch (error) {
    if (error instanceof NotOk) return error.outcome as Outcome<T>;
    // A concurrent request with the same key committed first: its result is the answer.
    const winner = await readStored(ctx.db, scope, key);
    if (winner) return replay<T>(winner, fingerprint);
    throw error;
  }
}

async function readStored(db: Kysely<Database>, scope: string, key: string): Promise<StoredResult | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select('result')
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? (JSON.parse(row.result) as StoredResult) : undefined;
}

function replay<T>(stored: StoredResult, fingerprint: string): Outcome<T> & { replayed?: boolean } {
  if (stored.fingerprint !== fingerprint) {
    return conflict('This request key was already used for a different request.');
  }
  return { kind: 'ok', value: stored.value as T, replayed: true };
}

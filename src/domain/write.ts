// The shape of every non-idempotent write: one transaction holding the change and its audit entry.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor } from './actor.js';
import { type AuditEntry, recordAudit } from './audit.js';
import type { DomainContext } from './context.js';

export async function writeAudited<T>(
  ctx: DomainContext,
  actor: Actor,
  audit: AuditEntry,
  change: (db: Kysely<Database>, now: string) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.now();
    const result = await change(trx, now.toISOString());
    await recordAudit(trx, now, actor, audit);
    return result;
  });
}

// The audit log: every staff or agent read of a customer account and every write, with who did it.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type Actor, actorId, actorLabel } from './actor.js';

export interface AuditEntry {
  readonly action: string;
  readonly accountId: number | null;
  readonly target?: string | null;
  /** Non-secret details only: never a PIN, token, card number or security answer. */
  readonly details?: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<Database>, now: Date, actor: Actor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: now.toISOString(),
      actor_kind: actor.kind,
      actor_id: actorId(actor),
      actor_label: actorLabel(actor),
      action: entry.action,
      account_id: entry.accountId,
      target: entry.target ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
    .execute();
}

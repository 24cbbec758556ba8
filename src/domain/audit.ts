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
  // Who exactly asked, in the channel's own terms (e.g. slack:T0DEMO:U0DEMOSTAFF), beside the staff record.
  const identity = 'channelIdentity' in actor ? actor.channelIdentity : undefined;
  const via = identity ? { via: `${identity.channel}:${identity.tenantId}:${identity.userId}` } : {};
  const details = entry.details || identity ? { ...entry.details, ...via } : null;
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
      details: details ? JSON.stringify(details) : null,
    })
    .execute();
}

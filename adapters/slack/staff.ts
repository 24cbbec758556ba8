// Who may use the Slack app (staff members linked to their Slack user) and what a refused outcome says to them.
import { outcomeText } from '../../src/conversation/format.js';
import type { StaffActor } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import { loadActorForChannelIdentity } from '../../src/domain/identity/index.js';
import type { Outcome } from '../../src/domain/result.js';
import { idPart } from './places.js';

export const REFUSAL =
  "Sorry — this assistant is for the provider's staff, and your Slack account isn't linked to a staff record. Please ask an administrator to link it.";

/** The staff member a Slack user is linked to, or null (not linked, not staff, or ids that are not Slack's). */
export async function staffFor(
  ctx: DomainContext,
  team: string | undefined,
  user: string | undefined,
): Promise<StaffActor | null> {
  if (!team || !user || !idPart(team) || !idPart(user)) return null;
  const actor = await loadActorForChannelIdentity(ctx, 'slack', team, user);
  return actor?.kind === 'staff' ? actor : null;
}

export function outcomeMessage(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>): string {
  return outcomeText(outcome, REFUSAL);
}

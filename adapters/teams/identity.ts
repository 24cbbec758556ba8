// Who is writing in Teams and which conversation it is: tenant id + Entra object id (from.aadObjectId) name the
// person (the 29: id differs per bot registration, so it is never the key); the Teams conversation id names the
// conversation, one per person in a group chat or channel.
import { ANONYMOUS, type Actor } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import { loadActorForChannelIdentity } from '../../src/domain/identity/index.js';
import type { TeamsActivity } from './activity.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Teams user's tenant and Entra object id, when the activity carries both in the right shape. */
export function teamsIdentity(activity: TeamsActivity): { tenantId: string; userId: string } | null {
  const tenantId = activity.conversation?.tenantId ?? activity.channelData?.tenant?.id;
  const userId = activity.from?.aadObjectId;
  if (!tenantId || !userId || !GUID.test(tenantId) || !GUID.test(userId)) return null;
  return { tenantId: tenantId.toLowerCase(), userId: userId.toLowerCase() };
}

/** The linked staff member or portal user; anyone else is anonymous (public answers only). */
export async function actorFor(ctx: DomainContext, activity: TeamsActivity): Promise<Actor> {
  const identity = teamsIdentity(activity);
  if (!identity) return ANONYMOUS;
  return (await loadActorForChannelIdentity(ctx, 'teams', identity.tenantId, identity.userId)) ?? ANONYMOUS;
}

/**
 * The engine's conversation id: the Teams conversation id, and in a group chat or channel the person's object
 * id too, so each person there keeps a dialog of their own. Null when it would not be a valid id.
 */
export function conversationIdFor(activity: TeamsActivity): string | null {
  const id = activity.conversation?.id;
  if (!id) return null;
  const personal = activity.conversation?.conversationType === 'personal' || activity.conversation?.conversationType === undefined;
  const person = activity.from?.aadObjectId ?? activity.from?.id;
  const full = personal || !person ? `teams:${id}` : `teams:${id}|${person}`;
  return full.length <= 512 && /^[\p{L}\p{N}\p{P}\p{S} ]+$/u.test(full) ? full : null;
}

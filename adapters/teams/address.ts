// Where a Teams conversation can be reached outside a request: its Bot Framework conversation reference
// (service URL, conversation, bot, tenant), kept as the conversation's channel address (external_ref).
import { saveChannelAddress } from '../../src/conversation/conversation-store.js';
import type { DomainContext } from '../../src/domain/context.js';

/** The reference fields continueConversation needs; anything else the SDK put there is left out. */
function compact(reference: Record<string, unknown>): Record<string, unknown> {
  const pick = ['channelId', 'serviceUrl', 'conversation', 'bot', 'user', 'locale'];
  return Object.fromEntries(pick.filter((k) => reference[k] !== undefined).map((k) => [k, reference[k]]));
}

/** Saves the reference as the conversation's channel address, through the core's conversation store. */
export async function saveConversationReference(ctx: DomainContext, conversationId: string, reference: Record<string, unknown>): Promise<void> {
  await saveChannelAddress(ctx.db, conversationId, 'teams', JSON.stringify(compact(reference)));
}

/** The stored reference, or null when there is none or it is not one this adapter wrote. */
export function readConversationReference(address: string | null): Record<string, unknown> | null {
  if (!address) return null;
  try {
    const reference = JSON.parse(address) as Record<string, unknown>;
    const conversation = reference.conversation as { id?: unknown } | undefined;
    return typeof reference.serviceUrl === 'string' && typeof conversation?.id === 'string' ? reference : null;
  } catch {
    return null;
  }
}

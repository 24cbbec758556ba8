// What the assistant says when a person signs in: who they are signed in as, what it can help with, and the
// questions most people come with. Every channel with a sign-in of its own greets people with these words.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Actor } from '../domain/actor.js';
import type { SystemNotice } from './conversation-store.js';
import { STARTERS } from './dialog/handlers/small-talk.js';
import { INTENT_PREFIX } from './dialog/turn.js';
import type { ReplyAction } from './reply.js';

const LATEST_INVOICE: ReplyAction = { label: 'Latest invoice', value: `${INTENT_PREFIX}invoice` };

/**
 * Offered with the welcome: the starters, with the latest invoice in place of reports (someone who has just
 * signed in asks about their bill long before they run a report).
 */
export const WELCOME_OPTIONS: readonly ReplyAction[] = STARTERS.flatMap((starter) =>
  starter.value === `${INTENT_PREFIX}report`
    ? []
    : starter.value === `${INTENT_PREFIX}balance`
      ? [starter, LATEST_INVOICE]
      : [starter],
);

/** How a signed-in person is shown: by their account (a PIN sign-in) or their portal email. Null when anonymous. */
export type SignedInAs =
  | { readonly via: 'pin'; readonly label: string; readonly account: string }
  | { readonly via: 'portal'; readonly label: string };

export async function signedInAs(db: Kysely<Database>, actor: Actor): Promise<SignedInAs | null> {
  if (actor.kind !== 'customer') return null;
  if (!actor.pinAccount) return { via: 'portal', label: actor.email };
  const name = await accountName(db, actor.pinAccount.id);
  return { via: 'pin', account: actor.pinAccount.number, label: `${name ?? 'Account'} · ${actor.pinAccount.number}` };
}

/**
 * The notice written into the conversation right after a sign-in. `answerFollows`: the question asked before
 * signing in is answered right after it, so the welcome does not ask what they would like to know.
 */
export async function welcomeAfterSignIn(
  db: Kysely<Database>,
  actor: Actor,
  options: { readonly answerFollows?: boolean } = {},
): Promise<SystemNotice> {
  const ask = actor.kind === 'customer' && !options.answerFollows ? ' What would you like to know?' : '';
  return { text: `${await welcomeText(db, actor)}${ask}`, event: 'signed_in', quickReplies: WELCOME_OPTIONS };
}

async function welcomeText(db: Kysely<Database>, actor: Actor): Promise<string> {
  if (actor.kind !== 'customer') return "You're signed in.";
  const count = actor.accountIds.size;
  const others = count > 1 ? ` and its ${count - 1} sub-account${count === 2 ? '' : 's'}` : '';
  if (actor.pinAccount) {
    const name = await accountName(db, actor.pinAccount.id);
    return `You're signed in with account ${actor.pinAccount.number}${name !== undefined ? ` (${name})` : ''}: I can help with it${others}.`;
  }
  return `You're signed in as ${actor.email}, with ${count} account${count === 1 ? '' : 's'}.`;
}

async function accountName(db: Kysely<Database>, accountId: number): Promise<string | undefined> {
  const row = await db.selectFrom('accounts').select('name').where('id', '=', accountId).executeTakeFirst();
  return row?.name;
}

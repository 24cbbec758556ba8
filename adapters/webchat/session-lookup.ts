// Who a chat session is: the session of a bearer token with the person (actor) behind it, how a person is
// bound to a session, and the session as the client is told about it.
import { type SignedInAs, signedInAs } from '../../src/conversation/welcome.js';
import { type Actor, ANONYMOUS } from '../../src/domain/actor.js';
import type { DomainContext } from '../../src/domain/context.js';
import { loadPinActor, loadPortalUserActor } from '../../src/domain/identity/index.js';
import { lastSeq } from './messages.js';
import { MAX_MESSAGE_BYTES } from './options.js';
import type { ChatSession, SessionIdentity, SessionStore } from './sessions.js';

/** A live session, its token and the person it is for. */
export interface Signed {
  readonly token: string;
  readonly session: ChatSession;
  readonly actor: Actor;
}

/** The session as the client is told about it (answer to POST /chat/sessions and sign-in; `ready` on sockets and streams). */
export interface SessionView {
  readonly token: string;
  readonly conversationId: string;
  readonly signedIn: SignedInAs | null;
  readonly expiresAt: string;
  readonly idleTimeoutSeconds: number;
  readonly lastSeq: number;
  readonly maxMessageBytes: number;
}

export interface SessionLookup {
  /** The session and actor of a token; null when the session has ended (or its person may no longer sign in). */
  signedFor(token: string | undefined, touch: boolean): Promise<Signed | null>;
  view(token: string, session: ChatSession, actor: Actor): Promise<SessionView>;
}

export function createSessionLookup(ctx: DomainContext, sessions: SessionStore): SessionLookup {
  async function actorOf(session: ChatSession): Promise<Actor | null> {
    switch (session.identity) {
      case 'anonymous':
        return ANONYMOUS;
      case 'portal':
        return session.portalUserId === null ? null : loadPortalUserActor(ctx, session.portalUserId);
      case 'pin':
        return session.accountId === null ? null : loadPinActor(ctx, session.accountId);
    }
  }

  return {
    async signedFor(token, touch) {
      if (!token) return null;
      const session = await sessions.find(token, { touch });
      if (!session) return null;
      const actor = await actorOf(session);
      if (!actor) {
        await sessions.end(session.id);
        return null;
      }
      return { token, session, actor };
    },
    async view(token, session, actor) {
      return {
        token,
        conversationId: session.conversationId,
        signedIn: await signedInAs(ctx.db, actor),
        expiresAt: session.expiresAt,
        idleTimeoutSeconds: Math.round(sessions.idleMs / 1000),
        lastSeq: await lastSeq(ctx.db, session.conversationId),
        maxMessageBytes: MAX_MESSAGE_BYTES,
      };
    },
  };
}

/** How a session remembers its person: a PIN's account, a portal user, or nobody. */
export function identityOf(actor: Actor): SessionIdentity {
  if (actor.kind === 'customer' && actor.pinAccount) return { identity: 'pin', portalUserId: null, accountId: actor.pinAccount.id };
  if (actor.kind === 'customer' && actor.userId !== null) return { identity: 'portal', portalUserId: actor.userId, accountId: null };
  return { identity: 'anonymous', portalUserId: null, accountId: null };
}

export const sameIdentity = (a: SessionIdentity, b: SessionIdentity) =>
  a.identity === b.identity && a.portalUserId === b.portalUserId && a.accountId === b.accountId;

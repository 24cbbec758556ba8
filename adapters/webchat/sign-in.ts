// Signing a visitor in: checking an account number and PIN or a portal session token, binding the person to
// the session under a new token, the core's welcome, and the answer to the question asked before signing in.
import { appendSystemMessage, ensureConversation, questionWaitingForSignIn } from '../../src/conversation/conversation-store.js';
import { welcomeAfterSignIn } from '../../src/conversation/welcome.js';
import type { Actor } from '../../src/domain/actor.js';
import { loadCustomerActor, verifyAccountPin } from '../../src/domain/identity/index.js';
import type { ErrorCode } from '../../src/errors.js';
import type { ErrorStatus } from './http.js';
import type { WebChatDeps } from './options.js';
import { verifyPortalSessionToken } from './portal-token.js';
import { identityOf, type SessionView, type Signed, sameIdentity } from './session-lookup.js';

export type Credentials = { accountNumber: string; pin: string } | { portalToken: string };
export type SignInOutcome = { kind: 'ok'; actor: Actor } | { kind: 'refused'; status: ErrorStatus; code: ErrorCode; message: string };

export interface SignIn {
  /** The person the credentials prove, or why not (every PIN failure gets the same words). */
  checkCredentials(credentials: Credentials): Promise<SignInOutcome>;
  /** Binds the person to the session under a new token; a different person than before gets a new conversation. */
  signIn(signed: Signed, actor: Actor): Promise<SessionView>;
  /** Opens the conversation (if nothing was said in it yet) with the core's welcome for the person. */
  greet(conversationId: string, actor: Actor, answerFollows: boolean): Promise<void>;
}

/** A new conversation of the web chat. */
export function newConversationId(): string {
  return `web-${crypto.randomUUID()}`;
}

export function createSignIn(deps: WebChatDeps): SignIn {
  const { ctx, engine, hub, sessions, lookup, logger, options } = deps;

  async function checkCredentials(credentials: Credentials): Promise<SignInOutcome> {
    if ('portalToken' in credentials) {
      const check = verifyPortalSessionToken(options.portalSessionSecret, credentials.portalToken, ctx.now());
      const actor = check.kind === 'ok' ? await loadCustomerActor(ctx, check.email) : null;
      if (!actor) {
        if (check.kind !== 'ok') logger?.warn({ reason: check.reason }, 'web chat: portal session token refused');
        return { kind: 'refused', status: 401, code: 'unauthorized', message: 'Your portal sign-in could not be confirmed. Please sign in to the portal again, or use your account number and PIN.' };
      }
      return { kind: 'ok', actor };
    }
    const result = await verifyAccountPin(ctx, { accountNumber: credentials.accountNumber, pin: credentials.pin });
    if (result.kind === 'invalid') return { kind: 'refused', status: 400, code: 'bad_request', message: result.message };
    if (result.kind === 'refused') return { kind: 'refused', status: 401, code: 'unauthorized', message: result.message };
    return { kind: 'ok', actor: result.value };
  }

  async function greet(conversationId: string, actor: Actor, answerFollows: boolean): Promise<void> {
    await ensureConversation(ctx.db, { id: conversationId, channel: 'web', actor, now: ctx.now() });
    await appendSystemMessage(ctx.db, conversationId, await welcomeAfterSignIn(ctx.db, actor, { answerFollows }), ctx.now());
  }

  async function signIn(signed: Signed, actor: Actor): Promise<SessionView> {
    const who = identityOf(actor);
    const before = identityOf(signed.actor);
    const keep = before.identity === 'anonymous' || sameIdentity(before, who);
    const conversationId = keep ? signed.session.conversationId : newConversationId();
    const rotated = await sessions.rotate(signed.session, conversationId, who);
    hub.endSession(signed.session.id, 4001, 'session token replaced at sign-in');
    const answerFollows = keep && engine.resumeAfterSignIn !== undefined && actor.kind !== 'anonymous' && (await questionWaitingForSignIn(ctx.db, conversationId));
    await greet(conversationId, actor, answerFollows);
    if (keep) await answerWaitingQuestion(conversationId, actor);
    hub.notify(conversationId);
    return lookup.view(rotated.token, rotated.session, actor);
  }

  /** The question that needed the sign-in is answered now, without the visitor asking again. */
  async function answerWaitingQuestion(conversationId: string, actor: Actor): Promise<void> {
    try {
      // The engine runs it as a turn of the conversation, after any turn still running, and keeps its files.
      await engine.resumeAfterSignIn?.(conversationId, actor, { keepFiles: true });
    } catch (error) {
      // The sign-in itself succeeded; the visitor can still ask again.
      logger?.error({ err: error }, 'web chat: answering the question asked before sign-in failed');
    }
  }

  return { checkCredentials, signIn, greet };
}

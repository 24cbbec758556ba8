// Sessions and sign-in: POST /chat/sessions (start or resume, optionally with a portal token),
// /chat/sign-in and /chat/sign-out. Old sessions and files are purged now and then from here.
import { Hono } from 'hono';
import { z } from 'zod';
import { purgeStoredFiles } from '../../../src/conversation/file-store.js';
import { type Actor, ANONYMOUS } from '../../../src/domain/actor.js';
import { fail, readJson, tooMany } from '../http.js';
import { bearer, type ChatEnv, jsonBodyLimit, requireSession } from '../middleware.js';
import type { WebChatDeps } from '../options.js';
import { identityOf, sameIdentity } from '../session-lookup.js';
import { createSignIn, newConversationId } from '../sign-in.js';

const SignInBody = z.union([
  z.object({ accountNumber: z.string().max(40), pin: z.string().max(40) }).strict(),
  z.object({ portalToken: z.string().max(2048) }).strict(),
]);

const StartBody = z.object({ portalToken: z.string().max(2048).optional() }).strict();

export function sessionRoutes(deps: WebChatDeps): Hono<ChatEnv> {
  const { ctx, sessions, lookup, clientLimits, limits, rate, logger, options } = deps;
  const { checkCredentials, signIn, greet } = createSignIn(deps);
  const limitBody = jsonBodyLimit();
  let lastPurge = 0;

  async function purgeNowAndThen(): Promise<void> {
    const now = ctx.now().getTime();
    if (now - lastPurge < 10 * 60_000) return;
    lastPurge = now;
    await sessions.purge().catch((error) => logger?.warn({ err: error }, 'web chat: purging old sessions failed'));
    // Reports and invoices sent in chats are customer data: they are not kept longer than needed.
    const keepFrom = new Date(now - (options.fileRetentionDays ?? 30) * 86_400_000);
    await purgeStoredFiles(ctx.db, keepFrom).catch((error) => logger?.warn({ err: error }, 'web chat: purging old files failed'));
  }

  const app = new Hono<ChatEnv>();

  app.post('/chat/sessions', limitBody, async (c) => {
    const body = await readJson(c, StartBody, true);
    if (body instanceof Response) return body;
    void purgeNowAndThen();
    const existing = await lookup.signedFor(bearer(c), true);
    if (existing) {
      if (!body.portalToken) return c.json(await lookup.view(existing.token, existing.session, existing.actor), 200);
      const checked = await checkCredentials({ portalToken: body.portalToken });
      if (checked.kind !== 'ok') return c.json({ ...(await lookup.view(existing.token, existing.session, existing.actor)), notice: checked.message }, 200);
      // The portal hands the same person's token on every page: only a different person signs in anew.
      if (sameIdentity(identityOf(existing.actor), identityOf(checked.actor))) {
        return c.json(await lookup.view(existing.token, existing.session, existing.actor), 200);
      }
      return c.json(await signIn(existing, checked.actor), 200);
    }
    // Only a new session counts: the widget asks again on every page with the one it has.
    const client = clientLimits.clientOf(c);
    const started = await clientLimits.allow([{ key: `sessions:client:${client}`, limit: limits?.clientSessionsPerHour ?? 0, windowSeconds: 3600 }]);
    if (!started.ok) {
      const minutes = Math.ceil(started.retryAfterSeconds / 60);
      return tooMany(c, started, `Too many chats have been started from your network in the last hour. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
    }
    let actor: Actor = ANONYMOUS;
    let notice: string | undefined;
    if (body.portalToken) {
      const checked = await checkCredentials({ portalToken: body.portalToken });
      if (checked.kind === 'ok') actor = checked.actor;
      else notice = checked.message;
    }
    const conversationId = newConversationId();
    const created = await sessions.create(conversationId, identityOf(actor));
    if (actor.kind !== 'anonymous') await greet(conversationId, actor, false);
    return c.json({ ...(await lookup.view(created.token, created.session, actor)), ...(notice ? { notice } : {}) }, 201);
  });

  app.post('/chat/sign-in', limitBody, requireSession(lookup, { touch: true }), async (c) => {
    const signed = c.var.signed;
    const body = await readJson(c, SignInBody);
    if (body instanceof Response) return body;
    const taken = await clientLimits.allow([
      { key: `sign-in:session:${signed.session.id}`, limit: rate.messages, windowSeconds: rate.windowSeconds },
      { key: `sign-in:client:${clientLimits.clientOf(c)}`, limit: limits?.clientSignInsPerHour ?? 0, windowSeconds: 3600 },
    ]);
    if (!taken.ok) {
      const message = taken.key.startsWith('sign-in:session:')
        ? 'Too many attempts from this chat. Please wait a moment.'
        : `Too many sign-in attempts have come from your network. Please try again in ${Math.ceil(taken.retryAfterSeconds / 60)} minutes, or sign in to the portal.`;
      return tooMany(c, taken, message);
    }
    const checked = await checkCredentials(body);
    if (checked.kind !== 'ok') return fail(c, checked.status, checked.code, checked.message);
    return c.json(await signIn(signed, checked.actor), 200);
  });

  app.post('/chat/sign-out', requireSession(lookup, { touch: false }), async (c) => {
    const signed = c.var.signed;
    await sessions.end(signed.session.id);
    deps.hub.endSession(signed.session.id, 4001, 'signed out');
    return c.json({ ended: true }, 200);
  });

  return app;
}

// Messages over plain HTTP: GET /chat/messages (catch up after a seq) and POST /chat/messages (say something
// or press a button, and get the messages of that turn back).
import { Hono } from 'hono';
import { z } from 'zod';
import { CHAT_TEXT_BY_CODE } from '../../../src/errors.js';
import { fail, readJson, seqParam } from '../http.js';
import { lastSeq, MAX_MESSAGES_PER_READ, readMessages } from '../messages.js';
import { type ChatEnv, jsonBodyLimit, requireSession } from '../middleware.js';
import type { WebChatDeps } from '../options.js';

const MessageBody = z
  .object({
    text: z.string().optional(),
    action: z.string().min(1).max(512).optional(),
    timeZone: z.string().max(64).optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.action === undefined), { message: 'send either text or action' });

export function messageRoutes(deps: WebChatDeps): Hono<ChatEnv> {
  const { ctx, lookup, links, turns, clientLimits, logger } = deps;
  const app = new Hono<ChatEnv>();

  app.get('/chat/messages', requireSession(lookup, { touch: false }), async (c) => {
    const { session } = c.var.signed;
    const after = seqParam(c.req.query('after'));
    if (after === null) return fail(c, 400, 'bad_request', 'after must be a whole number (the last seq you have).');
    const messages = await readMessages(ctx.db, links, session.conversationId, after);
    return c.json({ messages, lastSeq: await lastSeq(ctx.db, session.conversationId), more: messages.length === MAX_MESSAGES_PER_READ });
  });

  app.post('/chat/messages', jsonBodyLimit(), requireSession(lookup, { touch: true }), async (c) => {
    const signed = c.var.signed;
    const body = await readJson(c, MessageBody);
    if (body instanceof Response) return body;
    const client = clientLimits.clientOf(c);
    const refused = await turns.admit(signed, body, client);
    if (refused) {
      const headers = refused.retryAfterMs ? { 'Retry-After': String(Math.ceil(refused.retryAfterMs / 1000)) } : undefined;
      return fail(c, refused.status, refused.code, refused.message, headers);
    }
    try {
      const result = await turns.converse(signed, body, client);
      return c.json({ messages: result.messages, ...(result.notice ? { notice: result.notice } : {}) }, 200);
    } catch (error) {
      logger?.error({ err: error }, 'web chat: the turn failed');
      return fail(c, 500, 'internal', CHAT_TEXT_BY_CODE.internal);
    }
  });

  return app;
}

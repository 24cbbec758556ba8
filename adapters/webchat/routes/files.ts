// Files and transcripts: GET /chat/files/{id} (a file of the conversation, by signed link and the same
// conversation's session) and GET /chat/transcript (the whole conversation as text or PDF).
import { Hono } from 'hono';
import { DateTime } from 'luxon';
import { attachment, fail, validTimeZone } from '../http.js';
import { MAX_MESSAGES_PER_READ, readFile, readMessages, type WireMessage } from '../messages.js';
import { type ChatEnv, requireSession } from '../middleware.js';
import type { WebChatDeps } from '../options.js';
import { renderTranscriptText, transcriptLines } from '../transcript.js';

export function fileRoutes(deps: WebChatDeps): Hono<ChatEnv> {
  const { ctx, lookup, links, options } = deps;
  const app = new Hono<ChatEnv>();

  app.get('/chat/files/:id', requireSession(lookup, { touch: true }), async (c) => {
    const { session } = c.var.signed;
    const id = c.req.param('id');
    const file = await readFile(ctx.db, id);
    // Another conversation's file is "not found", exactly like a file that never existed.
    if (!file || file.conversation_id !== session.conversationId) return fail(c, 404, 'not_found', 'There is no such file in this conversation.');
    const check = await links.check(id, file.conversation_id, c.req.query('exp'), c.req.query('sig'));
    if (check === 'bad_signature') return fail(c, 403, 'forbidden', 'This download link is not valid.');
    if (check === 'expired') return fail(c, 403, 'forbidden', 'This download link has expired. Reopen the chat for a fresh link.');
    return new Response(new Uint8Array(file.content), {
      headers: {
        'Content-Type': file.media_type === 'text/csv' ? 'text/csv; charset=utf-8' : file.media_type,
        'Content-Disposition': attachment(file.filename),
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });

  app.get('/chat/transcript', requireSession(lookup, { touch: true }), async (c) => {
    const { session } = c.var.signed;
    const format = c.req.query('format') ?? 'text';
    if (format !== 'text' && format !== 'pdf') return fail(c, 400, 'bad_request', 'format must be text or pdf.');
    const renderPdf = options.renderTranscriptPdf;
    if (format === 'pdf' && !renderPdf) return fail(c, 404, 'not_found', 'PDF transcripts are not available here; ask for format=text.');
    const timeZone = validTimeZone(c.req.query('timeZone')) ?? 'UTC';
    const messages: WireMessage[] = [];
    for (let after = 0; ; ) {
      const page = await readMessages(ctx.db, links, session.conversationId, after);
      messages.push(...page);
      if (page.length < MAX_MESSAGES_PER_READ) break;
      after = page.at(-1)?.seq ?? after;
    }
    const now = ctx.now();
    const lines = transcriptLines(messages, { conversationId: session.conversationId, timeZone, now });
    const stamp = DateTime.fromJSDate(now).setZone(timeZone).toFormat('yyyy-LL-dd');
    if (format === 'text') {
      return new Response(renderTranscriptText(lines), {
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Disposition': attachment(`chat-transcript-${stamp}.txt`) },
      });
    }
    const pdf = await (renderPdf as NonNullable<typeof renderPdf>)(lines);
    return new Response(new Uint8Array(pdf), {
      headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': attachment(`chat-transcript-${stamp}.pdf`) },
    });
  });

  return app;
}

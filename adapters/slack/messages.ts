// Direct messages and mentions in channels: each answered in place (the DM, or the thread of the mention).
import type { App } from '@slack/bolt';
import type { DomainContext } from '../../src/domain/context.js';
import type { Answerer } from './answer.js';
import { idPart, type Place } from './places.js';
import { REFUSAL, staffFor } from './staff.js';

export function registerMessageListeners(app: App, ctx: DomainContext, answerer: Answerer): void {
  // Direct messages.
  app.event('message', async ({ event, body, client }) => {
    const m = event as {
      channel_type?: string;
      subtype?: string;
      bot_id?: string;
      user?: string;
      channel?: string;
      text?: string;
      thread_ts?: string;
      client_msg_id?: string;
    };
    if (m.channel_type !== 'im' || m.subtype || m.bot_id || !m.user || !m.channel || !idPart(m.channel)) return;
    const team = body.team_id;
    const actor = await staffFor(ctx, team, m.user);
    if (!actor) {
      await client.chat.postEphemeral({ channel: m.channel, user: m.user, text: REFUSAL });
      return;
    }
    const place: Place = { team, channel: m.channel, user: m.user, ...(m.thread_ts ? { threadTs: m.thread_ts } : {}) };
    await answerer.answerInPlace(client, actor, place, {
      text: m.text ?? '',
      ...(m.client_msg_id ? { messageId: m.client_msg_id } : {}),
    });
  });

  // Mentions in channels: the staff member asked there, so the answer goes in the thread of their message.
  app.event('app_mention', async ({ event, body, client }) => {
    if (event.bot_id || !event.user || !idPart(event.channel)) return;
    const team = body.team_id;
    const actor = await staffFor(ctx, team, event.user);
    if (!actor) {
      await client.chat.postEphemeral({
        channel: event.channel,
        user: event.user,
        text: REFUSAL,
        ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}),
      });
      return;
    }
    const place: Place = { team, channel: event.channel, user: event.user, threadTs: event.thread_ts ?? event.ts };
    const text = event.text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ').trim();
    await answerer.answerInPlace(client, actor, place, {
      text,
      ...(event.client_msg_id ? { messageId: event.client_msg_id } : {}),
    });
  });
}

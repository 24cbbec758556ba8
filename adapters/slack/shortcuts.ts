// The message shortcut "Open a ticket from this message": the ticket form, prefilled from the message.
import type { App } from '@slack/bolt';
import type { View } from '@slack/web-api';
import type { DomainContext } from '../../src/domain/context.js';
import { REFUSAL, staffFor } from './staff.js';
import { createTicketModal, noticeModal, TICKET_SHORTCUT } from './views.js';

export function registerShortcutListeners(app: App, ctx: DomainContext): void {
  app.shortcut({ type: 'message_action', callback_id: TICKET_SHORTCUT }, async ({ ack, shortcut, client }) => {
    await ack();
    const actor = await staffFor(ctx, shortcut.team?.id ?? shortcut.user.team_id, shortcut.user.id);
    if (!actor) {
      await client.views.open({
        trigger_id: shortcut.trigger_id,
        view: noticeModal('Support Assistant', REFUSAL) as unknown as View,
      });
      return;
    }
    const text = (shortcut.message.text ?? '').replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();
    const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
    const view = createTicketModal(
      { title: firstLine, description: text },
      { source: { channel: shortcut.channel.id, ts: shortcut.message.ts } },
    );
    await client.views.open({ trigger_id: shortcut.trigger_id, view: view as unknown as View });
  });
}

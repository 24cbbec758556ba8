// Buttons: a reply's buttons go back into their conversation; "Escalate…" and "Open a ticket" open their forms.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { View, WebClient } from '@slack/web-api';
import { decodeFormValues } from '../../src/conversation/actions.js';
import type { DomainContext } from '../../src/domain/context.js';
import { escalationBlocked, getTicket } from '../../src/domain/tickets/index.js';
import { type Answerer, responder } from './answer.js';
import { ACTION_ID_PREFIX, truncate } from './block-kit.js';
import { conversationIdFromBlockId, placeFor } from './places.js';
import { REFUSAL, staffFor } from './staff.js';
import {
  createTicketModal,
  escalateModal,
  noticeModal,
  OPEN_CREATE_TICKET_ACTION,
  OPEN_ESCALATE_ACTION,
} from './views.js';

const STALE_BUTTON = 'That button belongs to a conversation I no longer have. Please ask again.';

export function registerActionListeners(app: App, ctx: DomainContext, answerer: Answerer): void {
  // Buttons of the conversation's replies: the press goes back into the conversation.
  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: new RegExp(`^${ACTION_ID_PREFIX}:`) },
    async ({ ack, body, action, client }) => {
      await ack();
      const respond = responder(body.response_url);
      const actor = await staffFor(ctx, body.team?.id ?? body.user.team_id, body.user.id);
      if (!actor) {
        await tell(client, body, REFUSAL, respond);
        return;
      }
      const conversationId = conversationIdFromBlockId(action.block_id);
      const place = conversationId ? placeFor(conversationId) : null;
      if (!conversationId || !place || place.team !== (body.team?.id ?? body.user.team_id)) {
        await tell(client, body, STALE_BUTTON, respond);
        return;
      }
      // Someone else's conversation (a colleague's thread): say so privately rather than answer in public.
      if (place.user !== body.user.id) {
        await tell(
          client,
          body,
          `That button belongs to <@${place.user}>'s conversation. Mention me in this thread to ask yourself.`,
          respond,
        );
        return;
      }
      // A slash command's answers (and anything ephemeral) stay private; the rest go to the DM or thread.
      if (place.viaResponseUrl || body.container?.is_ephemeral) {
        if (!respond) return; // an ephemeral message's buttons always come with a response_url
        await answerer.answerPrivately(
          client,
          respond,
          actor,
          body.user.id,
          conversationId,
          { action: action.value ?? '' },
          false,
        );
        return;
      }
      await answerer.answerInPlace(client, actor, place, { action: action.value ?? '' });
    },
  );

  // "Escalate…" on a ticket (in a reply or the App Home): the escalation form, unless the ticket moved on.
  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: new RegExp(`^${OPEN_ESCALATE_ACTION}(:|$)`) },
    async ({ ack, body, action, client }) => {
      await ack();
      const respond = responder(body.response_url);
      const actor = await staffFor(ctx, body.team?.id ?? body.user.team_id, body.user.id);
      if (!actor) return tell(client, body, REFUSAL, respond);
      // The button carries the escalation form's values (see block-kit.ts), read back through the core's codec.
      const ticketNumber = decodeFormValues('escalate_ticket', action.value)?.values.ticket;
      const found = ticketNumber ? await getTicket(ctx, actor, { ticketNumber }) : null;
      if (found?.kind !== 'ok')
        return tell(client, body, `I can't find ticket ${truncate(action.value ?? '', 20)}.`, respond);
      const ticket = found.value;
      const blocked = escalationBlocked(ticket);
      if (blocked === 'closed') {
        return tell(
          client,
          body,
          `Ticket ${ticket.number} is ${ticket.status} now, so it can't be escalated. You can open a new ticket instead.`,
          respond,
        );
      }
      if (blocked === 'highest')
        return tell(client, body, `Ticket ${ticket.number} is already at critical priority.`, respond);
      const conversationId = body.container?.type === 'message' ? conversationIdFromBlockId(action.block_id) : null;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: escalateModal(ticket, {
          ...(conversationId ? { conversationId } : {}),
          ...(body.container?.type === 'view' ? { fromHome: true } : {}),
        }) as unknown as View,
      });
    },
  );

  app.action({ type: 'block_actions', action_id: OPEN_CREATE_TICKET_ACTION }, async ({ ack, body, client }) => {
    await ack();
    const respond = responder(body.response_url);
    const actor = await staffFor(ctx, body.team?.id ?? body.user.team_id, body.user.id);
    if (!actor) return tell(client, body, REFUSAL, respond);
    await client.views.open({
      trigger_id: body.trigger_id,
      view: createTicketModal({}, { fromHome: true }) as unknown as View,
    });
  });
}

/** Says something to one person where they are: ephemeral under a message (response_url), else in a small modal. */
async function tell(
  client: WebClient,
  body: { response_url?: string; trigger_id?: string },
  text: string,
  respond?: (m: object) => Promise<unknown>,
) {
  if (respond && body.response_url) {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  } else if (body.trigger_id) {
    await client.views.open({
      trigger_id: body.trigger_id,
      view: noticeModal('Support Assistant', text) as unknown as View,
    });
  }
}

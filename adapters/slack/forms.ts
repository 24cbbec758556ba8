// The forms' listeners: the ticket form's account menu, and submitting the escalation and new-ticket modals
// (checked by the domain; a refusal shows on its field; the outcome is said in the conversation or a DM).
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ContactMethod, TicketPriority } from '../../src/db/schema.js';
import { searchAccounts } from '../../src/domain/accounts/index.js';
import type { DomainContext } from '../../src/domain/context.js';
import type { Outcome } from '../../src/domain/result.js';
import { createTicket, escalateTicket, type TicketDetail } from '../../src/domain/tickets/index.js';
import { post } from './answer.js';
import { renderBlockKit, type SlackMessage, truncate } from './block-kit.js';
import { publishHome } from './home.js';
import { idPart, placeFor } from './places.js';
import { outcomeMessage, REFUSAL, staffFor } from './staff.js';
import {
  ACCOUNT_OPTIONS_ACTION,
  CREATE_TICKET_VIEW,
  decodeMetadata,
  ESCALATE_VIEW,
  type ModalMetadata,
  submitted,
} from './views.js';

export function registerFormListeners(app: App, ctx: DomainContext): void {
  // The account menu of the ticket form: staff search every account by number or name.
  app.options<'block_suggestion'>(
    { type: 'block_suggestion', action_id: ACCOUNT_OPTIONS_ACTION },
    async ({ ack, body }) => {
      const actor = await staffFor(ctx, body.team?.id ?? body.user.team_id, body.user.id);
      const found = actor ? await searchAccounts(ctx, actor, { query: body.value, limit: 50 }) : null;
      const accounts = found?.kind === 'ok' ? found.value : [];
      await ack({
        options: accounts.map((a) => ({
          text: { type: 'plain_text', text: truncate(`${a.number} · ${a.name}`, 75) },
          value: a.number,
        })),
      });
    },
  );

  app.view(ESCALATE_VIEW, async ({ ack, body, view, client }) => {
    const actor = await staffFor(ctx, body.team?.id ?? body.user.team_id, body.user.id);
    if (!actor) return ack({ response_action: 'errors', errors: { reason: truncate(REFUSAL, 150) } });
    const metadata = decodeMetadata(view.private_metadata);
    const values = view.state.values as Parameters<typeof submitted>[0];
    const result = await escalateTicket(ctx, actor, {
      ticketNumber: metadata.ticket ?? '',
      toPriority: submitted(values, 'priority') as TicketPriority,
      reason: submitted(values, 'reason'),
      // The modal's id: a repeated submission of the same form escalates once.
      idempotencyKey: `slack-view:${view.id}`,
    });
    if (result.kind !== 'ok')
      return ack({ response_action: 'errors', errors: formErrors(result, { toPriority: 'priority' }, 'reason') });
    await ack();
    const t = result.value;
    const last = t.escalations.at(-1);
    const said = renderBlockKit({
      text: `${result.replayed ? 'Already escalated' : 'Escalated'} ${t.number} to ${t.priority} priority.`,
      cards: [ticketCard(t, last ? [{ label: 'Reason', value: last.reason }] : [])],
    });
    await sayOutcome(client, body.user.id, metadata, said);
    if (metadata.fromHome) await publishHome(ctx, client, body.team?.id ?? body.user.team_id ?? '', body.user.id);
  });

  app.view(CREATE_TICKET_VIEW, async ({ ack, body, view, client }) => {
    const actor = await staffFor(ctx, body.team?.id ?? body.user.team_id, body.user.id);
    if (!actor) return ack({ response_action: 'errors', errors: { title: truncate(REFUSAL, 150) } });
    const metadata = decodeMetadata(view.private_metadata);
    const values = view.state.values as Parameters<typeof submitted>[0];
    const accountNumber = submitted(values, 'account');
    if (!accountNumber)
      return ack({ response_action: 'errors', errors: { account: 'Please pick the customer account.' } });
    const result = await createTicket(ctx, actor, {
      accountNumber,
      title: submitted(values, 'title'),
      description: submitted(values, 'description'),
      priority: submitted(values, 'priority') as TicketPriority,
      preferredContact: submitted(values, 'contact') as ContactMethod,
      idempotencyKey: `slack-view:${view.id}`,
    });
    if (result.kind !== 'ok') {
      return ack({
        response_action: 'errors',
        errors: formErrors(
          result,
          { title: 'title', description: 'description', priority: 'priority', preferredContact: 'contact' },
          'account',
        ),
      });
    }
    await ack();
    const t = result.value;
    const from =
      metadata.source && idPart(metadata.source.channel)
        ? [{ label: 'From', value: `a message in <#${metadata.source.channel}>` }]
        : [];
    const said = renderBlockKit({
      text: `${result.replayed ? 'Already opened' : 'Opened'} ${t.number} on account ${t.accountNumber}.`,
      cards: [ticketCard(t, from)],
    });
    // Said privately (a DM), never in the channel the message came from.
    await sayOutcome(client, body.user.id, metadata, said);
    if (metadata.fromHome) await publishHome(ctx, client, body.team?.id ?? body.user.team_id ?? '', body.user.id);
  });
}

/** Where the outcome of a form goes: back into its conversation when it has one in a DM or thread, else a DM. */
async function sayOutcome(client: WebClient, user: string, metadata: ModalMetadata, message: SlackMessage) {
  const place = metadata.conversationId ? placeFor(metadata.conversationId) : null;
  if (place && !place.viaResponseUrl && place.user === user) await post(client, place, message);
  else await post(client, { channel: user }, message);
}

function ticketCard(t: TicketDetail, extra: { label: string; value: string }[]) {
  return {
    title: `${t.number} · ${t.title}`,
    fields: [
      { label: 'Account', value: t.accountNumber },
      { label: 'Priority', value: t.priority },
      { label: 'Status', value: t.status.replace(/_/g, ' ') },
      ...extra,
    ],
  };
}

/** A refused form submission as Slack's per-field errors; anything not about one field goes under `fallback`. */
function formErrors(
  outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>,
  fields: Record<string, string>,
  fallback: string,
): Record<string, string> {
  const message = outcomeMessage(outcome);
  const block = outcome.kind === 'invalid' ? (fields[outcome.field] ?? fallback) : fallback;
  return { [block]: truncate(message, 150) };
}

// Scheduled reports reach their owner where they talk to the assistant: the report, file attached, goes
// through the outbound port into the owner's latest conversation on the schedule's channel (their open web
// chat, their Slack DM or thread), or, when they have none, into a conversation kept for report deliveries.
import type { DomainContext } from '../domain/context.js';
import { deliveryConversation } from '../domain/reports/delivery.js';
import type { DeliverReport, ScheduledDelivery } from '../domain/reports/scheduler.js';
import type { Outbound } from './outbound.js';

async function ownersConversation(ctx: DomainContext, delivery: ScheduledDelivery): Promise<string> {
  let latest = ctx.db
    .selectFrom('conversations')
    .select('id')
    .where('channel', '=', delivery.channel)
    // Not another schedule's delivery conversation: a place the person actually talks in.
    .where((eb) => eb.or([eb('external_ref', 'is', null), eb('external_ref', 'not like', 'scheduled-reports:%')]));
  if (delivery.portalUserId !== null) latest = latest.where('portal_user_id', '=', delivery.portalUserId);
  else if (delivery.staffId !== null) latest = latest.where('staff_id', '=', delivery.staffId);
  else return deliveryConversation(ctx.db, delivery, ctx.now().toISOString());
  const row = await latest.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? deliveryConversation(ctx.db, delivery, ctx.now().toISOString());
}

/** A DeliverReport for the scheduler that sends through the channels; a report that cannot even be stored throws (the run is retried). */
export function createOutboundReportDelivery(ctx: DomainContext, outbound: Outbound): DeliverReport {
  return async (delivery, file) => {
    const conversationId = await ownersConversation(ctx, delivery);
    const text = `Your scheduled report "${delivery.reportTitle}" for ${delivery.period.from} to ${delivery.period.to} is ready: ${file.filename}.${delivery.note ? ` ${delivery.note}` : ''}`;
    const sent = await outbound.send(conversationId, { text, files: [file] });
    // Stored but not shown yet (the channel is down): outbound retries it; only a message never stored is lost.
    if (sent.kind === 'failed' && sent.seq === null) throw new Error(`scheduled report not delivered: ${sent.reason}`);
  };
}

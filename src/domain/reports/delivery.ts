// Delivery of scheduled reports into the conversation store: until the channels deliver on their own, a
// report goes as a bot message (with the file) into the owner's report-delivery conversation for the channel.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { toBase64 } from '../../encoding.js';
import type { DeliverReport, ScheduledDelivery } from './scheduler.js';
import type { ReportFile } from './types.js';

/** The payload of a delivered report message, for a channel adapter to render or forward. */
export interface DeliveredReportPayload {
  readonly type: 'scheduled_report';
  readonly scheduleId: number;
  readonly reportId: string;
  readonly destination: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly file: {
    readonly filename: string;
    readonly mediaType: ReportFile['mediaType'];
    readonly description?: string;
    readonly bytes: number;
    readonly contentBase64: string;
  };
}

/** The conversation a schedule's reports go to: one per owner, channel and destination, made on first use. */
export async function deliveryConversation(db: Kysely<Database>, delivery: ScheduledDelivery, now: string): Promise<string> {
  const ref = `scheduled-reports:${delivery.destination}`;
  let q = db
    .selectFrom('conversations')
    .select('id')
    .where('channel', '=', delivery.channel)
    .where('external_ref', '=', ref);
  q =
    delivery.portalUserId !== null
      ? q.where('portal_user_id', '=', delivery.portalUserId)
      : q.where('staff_id', '=', delivery.staffId);
  const existing = await q.executeTakeFirst();
  if (existing) return existing.id;
  const id = crypto.randomUUID();
  await db
    .insertInto('conversations')
    .values({
      id,
      channel: delivery.channel,
      external_ref: ref,
      portal_user_id: delivery.portalUserId,
      staff_id: delivery.staffId,
      account_in_focus_id: null,
      state: '{}',
      state_version: 0,
      status: 'bot',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** A DeliverReport that appends the report, file included, as a bot message to the owner's delivery conversation. */
export function createConversationDelivery(db: Kysely<Database>, now: () => Date = () => new Date()): DeliverReport {
  return async (delivery, file) => {
    const at = now().toISOString();
    const payload: DeliveredReportPayload = {
      type: 'scheduled_report',
      scheduleId: delivery.scheduleId,
      reportId: delivery.reportId,
      destination: delivery.destination,
      period: delivery.period,
      file: {
        filename: file.filename,
        mediaType: file.mediaType,
        description: file.description,
        bytes: file.content.byteLength,
        contentBase64: toBase64(file.content),
      },
    };
    const text = `Your scheduled report "${delivery.reportTitle}" for ${delivery.period.from} to ${delivery.period.to} is ready: ${file.filename}.${delivery.note ? ` ${delivery.note}` : ''}`;
    await db.transaction().execute(async (trx) => {
      const conversationId = await deliveryConversation(trx, delivery, at);
      const last = await trx
        .selectFrom('messages')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      await trx
        .insertInto('messages')
        .values({
          conversation_id: conversationId,
          seq: Number(last?.seq ?? 0) + 1,
          direction: 'out',
          author: 'bot',
          text,
          payload: JSON.stringify(payload),
          created_at: at,
        })
        .execute();
      await trx.updateTable('conversations').set({ updated_at: at }).where('id', '=', conversationId).execute();
    });
  };
}

// Scheduled reports: create, list and delete a user's schedules, and the calendar they run on
// (06:00 in the schedule's zone: daily, Mondays, or the 1st; each run covers the day, week or month before).
import { DateTime } from 'luxon';
import type { Channel, ReportFrequency } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import { authorizeAccount } from '../authorization.js';
import type { DomainContext } from '../context.js';
import { type Denied, forbidden, invalid, notFound, type Ok, ok, type Outcome, signInRequired } from '../result.js';
import { writeAudited } from '../write.js';
import { findReport } from './catalogue.js';
import { customReportDefinition, isCustomReportId } from './custom-reports.js';
import { parseFilters } from './filters.js';
import { canonicalZone } from './period.js';
import type { ReportFormat } from './types.js';

export const FREQUENCIES: readonly ReportFrequency[] = ['daily', 'weekly', 'monthly'];
export const SCHEDULE_CHANNELS: readonly Channel[] = ['web', 'slack', 'teams'];
/** Local hour a scheduled report is generated: the night's calls are in, the working day has not begun. */
export const RUN_HOUR = 6;

const iso = (dt: DateTime) => new Date(dt.toMillis()).toISOString();

/** The first run slot strictly after an instant: 06:00 local the next day, next Monday, or next 1st. */
export function nextRunAfter(frequency: ReportFrequency, after: Date, zone: string): string {
  const local = DateTime.fromMillis(after.getTime(), { zone });
  let slot: DateTime;
  switch (frequency) {
    case 'daily':
      slot = local.startOf('day').set({ hour: RUN_HOUR });
      if (slot <= local) slot = slot.plus({ days: 1 }).set({ hour: RUN_HOUR });
      break;
    case 'weekly':
      slot = local.startOf('week').set({ hour: RUN_HOUR });
      if (slot <= local) slot = slot.plus({ weeks: 1 }).set({ hour: RUN_HOUR });
      break;
    case 'monthly':
      slot = local.startOf('month').set({ hour: RUN_HOUR });
      if (slot <= local) slot = slot.plus({ months: 1 }).set({ hour: RUN_HOUR });
      break;
  }
  return iso(slot);
}

/** The local days a run at a slot reports on: the day, the Monday–Sunday week, or the month before it. */
export function scheduledPeriod(
  frequency: ReportFrequency,
  slotUtc: string,
  zone: string,
): { from: string; to: string } {
  const day = DateTime.fromISO(slotUtc, { zone }).startOf('day');
  const text = (dt: DateTime) => dt.toISODate() as string;
  switch (frequency) {
    case 'daily':
      return { from: text(day.minus({ days: 1 })), to: text(day.minus({ days: 1 })) };
    case 'weekly': {
      const start = day.startOf('week').minus({ weeks: 1 });
      return { from: text(start), to: text(start.plus({ days: 6 })) };
    }
    case 'monthly': {
      const start = day.startOf('month').minus({ months: 1 });
      return { from: text(start), to: text(start.endOf('month')) };
    }
  }
}

export interface ScheduleReportInput {
  readonly reportId: string;
  readonly accountNumber: string;
  readonly includeChildren?: boolean;
  readonly filters?: Readonly<Record<string, string | number | undefined>>;
  readonly format: ReportFormat;
  readonly frequency: ReportFrequency;
  /** Default: the account's zone. */
  readonly timeZone?: string;
  /** Where the file goes: the channel, and there an email, a Slack channel id or a Teams conversation reference. */
  readonly channel: Channel;
  readonly destination: string;
}

export interface ScheduledReportSummary {
  readonly id: number;
  readonly reportId: string;
  readonly reportTitle: string;
  readonly accountNumber: string;
  readonly includeChildren: boolean;
  readonly filters: Readonly<Record<string, string>>;
  readonly format: ReportFormat;
  readonly frequency: ReportFrequency;
  readonly timeZone: string;
  readonly channel: Channel;
  readonly destination: string;
  readonly nextRunAt: string;
  readonly lastRunAt: string | null;
}

function ownerColumns(actor: Actor): { portal_user_id: number | null; staff_id: number | null } | Denied {
  if (actor.kind === 'anonymous') return signInRequired();
  if (actor.kind === 'customer') {
    // A schedule runs later as its owner; a PIN sign-in has no portal user to run it as.
    if (actor.userId === null) return forbidden('Scheduling reports needs a portal sign-in; an account PIN alone is not enough.');
    return { portal_user_id: actor.userId, staff_id: null };
  }
  if (actor.kind === 'staff') return { portal_user_id: null, staff_id: actor.staffId };
  return forbidden('An agent cannot schedule reports for a customer; the customer can ask for one themselves.');
}

export interface ScheduleParams {
  filters: Record<string, string>;
}

/** Schedules a report for the actor; it runs with the actor's permissions at every run. */
export async function scheduleReport(
  ctx: DomainContext,
  actor: Actor,
  input: ScheduleReportInput,
): Promise<Outcome<ScheduledReportSummary>> {
  const owner = ownerColumns(actor);
  if ('kind' in owner) return owner;
  const definition = isCustomReportId(input.reportId)
    ? await customReportDefinition(ctx, actor, input.reportId)
    : findReport(input.reportId);
  if (!definition) return invalid('reportId', `There is no report called "${input.reportId}".`);
  if (!FREQUENCIES.includes(input.frequency)) return invalid('frequency', 'A schedule runs daily, weekly or monthly.');
  if (input.format !== 'pdf' && input.format !== 'csv')
    return invalid('format', 'A scheduled report is sent as PDF or CSV.');
  if (!SCHEDULE_CHANNELS.includes(input.channel))
    return invalid('channel', 'Scheduled reports go to the web chat, Slack or Teams.');
  const destination = input.destination.trim();
  if (destination.length === 0 || destination.length > 300)
    return invalid('destination', 'Say where in that channel the report should go.');
  let zone: string | null = null;
  if (input.timeZone !== undefined) {
    zone = canonicalZone(input.timeZone);
    if (!zone)
      return invalid(
        'timeZone',
        `"${input.timeZone}" is not a time zone I know; use an IANA name such as America/Toronto.`,
      );
  }
  const filters = parseFilters(definition.filters, input.filters, definition.title);
  if (filters.kind !== 'ok') return filters;
  const account = await authorizeAccount(ctx, actor, input.accountNumber, 'reports.read', 'schedule_report');
  if (account.kind !== 'ok') return account;
  const timeZone = zone ?? canonicalZone(account.value.time_zone) ?? 'UTC';
  const params: ScheduleParams = { filters: Object.fromEntries(filters.applied.map((f) => [f.name, f.value])) };
  const nextRunAt = nextRunAfter(input.frequency, ctx.now(), timeZone);
  const id = await writeAudited(
    ctx,
    actor,
    {
      action: 'schedule_report',
      accountId: account.value.id,
      target: `report:${definition.id}`,
      details: { frequency: input.frequency, format: input.format, channel: input.channel },
    },
    async (db, now) => {
      const row = await db
        .insertInto('scheduled_reports')
        .values({
          ...owner,
          report_id: definition.id,
          account_id: account.value.id,
          include_children: input.includeChildren ? 1 : 0,
          params: JSON.stringify(params),
          format: input.format,
          frequency: input.frequency,
          time_zone: timeZone,
          channel: input.channel,
          destination,
          next_run_at: nextRunAt,
          last_run_at: null,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
  );
  const [summary] = await schedulesOf(ctx, actor, owner, id);
  return ok(summary as ScheduledReportSummary);
}

/**
 * The owner's schedules on accounts still in the actor's scope: one left on an account the owner no longer
 * sees (their access was narrowed) is not shown, nor can it be deleted, and it no longer runs.
 */
async function schedulesOf(
  ctx: DomainContext,
  actor: Actor,
  owner: { portal_user_id: number | null; staff_id: number | null },
  id?: number,
): Promise<ScheduledReportSummary[]> {
  let q = ctx.db
    .selectFrom('scheduled_reports as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select([
      's.id',
      's.report_id',
      'a.number as account_number',
      's.include_children',
      's.params',
      's.format',
      's.frequency',
      's.time_zone',
      's.channel',
      's.destination',
      's.next_run_at',
      's.last_run_at',
    ]);
  q =
    owner.portal_user_id !== null
      ? q.where('s.portal_user_id', '=', owner.portal_user_id)
      : q.where('s.staff_id', '=', owner.staff_id as number);
  if (id !== undefined) q = q.where('s.id', '=', id);
  if (actor.kind === 'customer') q = q.where('s.account_id', 'in', actor.accountIds.size ? [...actor.accountIds] : [-1]);
  const rows = await q.orderBy('s.id').execute();
  const customTitles = new Map<string, string>();
  const customIds = rows
    .map((r) => /^custom:(\d+)$/.exec(r.report_id)?.[1])
    .filter((x): x is string => x !== undefined);
  if (customIds.length > 0) {
    const customs = await ctx.db
      .selectFrom('custom_reports')
      .select(['id', 'name'])
      .where('id', 'in', customIds.map(Number))
      .execute();
    for (const c of customs) customTitles.set(`custom:${c.id}`, c.name);
  }
  return rows.map((r) => ({
    id: r.id,
    reportId: r.report_id,
    reportTitle: findReport(r.report_id)?.title ?? customTitles.get(r.report_id) ?? r.report_id,
    accountNumber: r.account_number,
    includeChildren: r.include_children === 1,
    filters: (JSON.parse(r.params) as Partial<ScheduleParams>).filters ?? {},
    format: r.format,
    frequency: r.frequency,
    timeZone: r.time_zone,
    channel: r.channel,
    destination: r.destination,
    nextRunAt: r.next_run_at,
    lastRunAt: r.last_run_at,
  }));
}

/** The actor's own schedules. */
export async function listScheduledReports(
  ctx: DomainContext,
  actor: Actor,
): Promise<Ok<ScheduledReportSummary[]> | Denied> {
  const owner = ownerColumns(actor);
  if ('kind' in owner) return owner;
  return ok(await schedulesOf(ctx, actor, owner));
}

/** Deletes one of the actor's schedules; anyone else's is not_found. */
export async function deleteScheduledReport(
  ctx: DomainContext,
  actor: Actor,
  input: { id: number },
): Promise<Ok<ScheduledReportSummary> | Denied> {
  const owner = ownerColumns(actor);
  if ('kind' in owner) return owner;
  const [existing] = Number.isInteger(input.id) ? await schedulesOf(ctx, actor, owner, input.id) : [];
  if (!existing) return notFound(`scheduled report ${input.id}`);
  const account = await ctx.db
    .selectFrom('accounts')
    .select('id')
    .where('number', '=', existing.accountNumber)
    .executeTakeFirst();
  await writeAudited(
    ctx,
    actor,
    { action: 'delete_scheduled_report', accountId: account?.id ?? null, target: `schedule:${existing.id}` },
    (db) => db.deleteFrom('scheduled_reports').where('id', '=', existing.id).execute(),
  );
  return ok(existing);
}

// Runs due scheduled reports inside the service. Each due row is claimed with a compare-and-set on its
// next_run_at, so with several instances running exactly one of them generates and delivers each run.
import type { Selectable } from 'kysely';
import type { Channel, ScheduledReportsTable } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { DomainContext } from '../context.js';
import { loadCustomerActor, loadStaffActor } from '../identity/index.js';
import { renderReportFile, type ReportRenderers, runReport } from './run-report.js';
import { nextRunAfter, type ScheduleParams, scheduledPeriod } from './schedules.js';
import type { ReportFile } from './types.js';

export interface ScheduledDelivery {
  readonly scheduleId: number;
  readonly reportId: string;
  readonly reportTitle: string;
  readonly accountNumber: string;
  readonly channel: Channel;
  readonly destination: string;
  readonly portalUserId: number | null;
  readonly staffId: number | null;
  /** The slot this run was for (UTC ISO-8601). */
  readonly slot: string;
  readonly period: { readonly from: string; readonly to: string };
  /** Why the file is not in the format asked for (a detail report too long for a PDF goes as CSV). */
  readonly note?: string;
}

/** The port a channel (or, for now, the Node runtime's conversation outbox) implements. */
export type DeliverReport = (delivery: ScheduledDelivery, file: ReportFile) => Promise<void>;

export type ScheduledRunOutcome =
  | { readonly scheduleId: number; readonly outcome: 'delivered'; readonly filename: string }
  | { readonly scheduleId: number; readonly outcome: 'claimed_elsewhere' }
  | { readonly scheduleId: number; readonly outcome: 'skipped' | 'failed'; readonly reason: string };

export interface ReportSchedulerOptions {
  readonly ctx: DomainContext;
  readonly deliver: DeliverReport;
  readonly renderers: Pick<ReportRenderers, 'reportPdf'>;
  /** How often to look for due schedules; default one minute. */
  readonly intervalMs?: number;
  /** Due schedules handled per tick; the rest wait for the next one. */
  readonly batchSize?: number;
  /** Told about every run (for logs); never throws into the scheduler. */
  readonly onRun?: (run: ScheduledRunOutcome) => void;
  readonly onError?: (error: unknown) => void;
}

export interface ReportScheduler {
  start(): void;
  /** Stops ticking and waits for a run in progress. */
  stop(): Promise<void>;
  /** One tick: claims and runs what is due now (tests and the CLI call it directly). */
  runDue(): Promise<ScheduledRunOutcome[]>;
}

type ScheduleRow = Selectable<ScheduledReportsTable>;

async function ownerActor(
  ctx: DomainContext,
  row: { portal_user_id: number | null; staff_id: number | null },
): Promise<Actor | null> {
  if (row.portal_user_id !== null) {
    const user = await ctx.db
      .selectFrom('portal_users')
      .select('email')
      .where('id', '=', row.portal_user_id)
      .executeTakeFirst();
    return user ? loadCustomerActor(ctx, user.email) : null;
  }
  if (row.staff_id !== null) {
    const staff = await ctx.db.selectFrom('staff').select('email').where('id', '=', row.staff_id).executeTakeFirst();
    return staff ? loadStaffActor(ctx, staff.email) : null;
  }
  return null;
}

export function createReportScheduler(options: ReportSchedulerOptions): ReportScheduler {
  const { ctx } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const batchSize = options.batchSize ?? 20;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running: Promise<unknown> | null = null;

  async function runOne(row: ScheduleRow, now: Date): Promise<ScheduledRunOutcome> {
    const next = nextRunAfter(row.frequency, now, row.time_zone);
    const claim = await ctx.db
      .updateTable('scheduled_reports')
      .set({ next_run_at: next, last_run_at: now.toISOString() })
      .where('id', '=', row.id)
      .where('next_run_at', '=', row.next_run_at)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return { scheduleId: row.id, outcome: 'claimed_elsewhere' };

    // From here this instance owns the run: it is delivered at most once, even if delivery fails.
    const actor = await ownerActor(ctx, row);
    if (!actor)
      return { scheduleId: row.id, outcome: 'skipped', reason: 'the owner of the schedule can no longer sign in' };
    const account = await ctx.db
      .selectFrom('accounts')
      .select('number')
      .where('id', '=', row.account_id)
      .executeTakeFirst();
    if (!account) return { scheduleId: row.id, outcome: 'skipped', reason: 'the account no longer exists' };
    const params = JSON.parse(row.params) as Partial<ScheduleParams>;
    const period = scheduledPeriod(row.frequency, row.next_run_at, row.time_zone);
    const input = {
      reportId: row.report_id,
      accountNumber: account.number,
      includeChildren: row.include_children === 1,
      from: period.from,
      to: period.to,
      timeZone: row.time_zone,
      filters: params.filters ?? {},
    };
    let run = await runReport(ctx, actor, { ...input, format: row.format });
    let format = row.format;
    let note: string | undefined;
    if (run.kind === 'too_large_for_pdf') {
      note = run.message;
      format = 'csv';
      run = await runReport(ctx, actor, { ...input, format: 'csv' });
    }
    if (run.kind !== 'ok') {
      const reason =
        run.kind === 'invalid'
          ? run.message
          : run.kind === 'not_found'
            ? `${run.what} was not found`
            : run.kind === 'forbidden'
              ? run.reason
              : run.kind;
      return { scheduleId: row.id, outcome: 'skipped', reason };
    }
    const file = await renderReportFile(run.value, format, options.renderers);
    await options.deliver(
      {
        scheduleId: row.id,
        reportId: row.report_id,
        reportTitle: run.value.report.title,
        accountNumber: account.number,
        channel: row.channel,
        destination: row.destination,
        portalUserId: row.portal_user_id,
        staffId: row.staff_id,
        slot: row.next_run_at,
        period,
        note,
      },
      note ? { ...file, description: `${file.description ?? ''} (${note})` } : file,
    );
    return { scheduleId: row.id, outcome: 'delivered', filename: file.filename };
  }

  async function runDue(): Promise<ScheduledRunOutcome[]> {
    const now = ctx.now();
    const due = (await ctx.db
      .selectFrom('scheduled_reports')
      .selectAll()
      .where('next_run_at', '<=', now.toISOString())
      .orderBy('next_run_at')
      .orderBy('id')
      .limit(batchSize)
      .execute()) as ScheduleRow[];
    const outcomes: ScheduledRunOutcome[] = [];
    for (const row of due) {
      let outcome: ScheduledRunOutcome;
      try {
        outcome = await runOne(row, now);
      } catch (error) {
        options.onError?.(error);
        outcome = {
          scheduleId: row.id,
          outcome: 'failed',
          reason: error instanceof Error ? error.message : String(error),
        };
      }
      outcomes.push(outcome);
      try {
        options.onRun?.(outcome);
      } catch {
        // A logger's failure must not stop the other runs.
      }
    }
    return outcomes;
  }

  const tick = () => {
    if (running) return; // a slow tick is still going: never two at once in one instance
    running = runDue()
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = null;
      });
  };

  return {
    start() {
      if (timer) return;
      timer = setInterval(tick, intervalMs);
      timer.unref?.();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
    runDue,
  };
}

// Report requests: which report, for which account and period, in which format and time zone.
import { DateTime } from 'luxon';
import type { ReportFrequency } from '../../../db/schema.js';
import { findReport } from '../../../domain/reports/catalogue.js';
import { scheduleReport } from '../../../domain/reports/schedules.js';
import type { Reply } from '../../reply.js';
import type { Slots } from '../state.js';
import { ask, confirm, firstEntity, refuse, refusedBeforeAsking, SLOT_PREFIX, type Turn, withAccount } from '../turn.js';

const POPULAR = [
  ['long-distance-summary', 'Long distance summary'],
  ['top-calls-by-charge', 'Top calls by cost'],
  ['billed-amount-by-category', 'Billed amount by category'],
  ['taxing-summary', 'Taxing summary'],
] as const;

function lastMonth(turn: Turn): { from: string; to: string; label: string } {
  const start = DateTime.fromJSDate(turn.ctx.now()).setZone(turn.timeZone).startOf('month').minus({ months: 1 });
  return { from: start.toISODate() as string, to: start.endOf('month').toISODate() as string, label: start.toFormat('LLLL yyyy') };
}

/** "every month", "weekly", "each Monday": how often a report should be sent, when the request says so. */
export function requestedFrequency(text: string): ReportFrequency | null {
  // "every month" asks for a schedule; "monthly" only with a word of sending ("email me … monthly"), since
  // "the monthly billed amount summary for october" is a one-off.
  const every = /\b(every|each|chaque|tous les)\b/i.test(text);
  const sending = /\b(send|email|e-mail|mail|schedule|deliver|envoie|envoyer|automatically|recurring)\b/i.test(text);
  if (!every && !sending) return null;
  if (/\b(every ?day|daily|each day|tous les jours|quotidien)/i.test(text)) return 'daily';
  if (/\b(every ?week|weekly|each week|every monday|each monday|chaque semaine|hebdo)/i.test(text)) return 'weekly';
  if (/\b(every ?month|monthly|each month|chaque mois|mensuel)/i.test(text)) return 'monthly';
  return null;
}

export async function report(turn: Turn, slots: Slots): Promise<Reply> {
  const refused = await refusedBeforeAsking(turn, 'reports.read');
  if (refused) return refused;
  const merged: Slots = { ...slots };
  // A period said with it ("daily long distance summary for last week") makes it a one-off.
  const frequency = firstEntity(turn, 'period') ? null : requestedFrequency(turn.text);
  if (frequency && merged.frequency === undefined) merged.frequency = frequency;
  const period = firstEntity(turn, 'period');
  if (period) merged.period = { from: period.value.from, to: period.value.to, label: period.value.label };
  merged.reportId ??= firstEntity(turn, 'report')?.value ?? null;
  const format = firstEntity(turn, 'format')?.value;
  if (format) merged.format = format;
  const limit = firstEntity(turn, 'number')?.value;
  if (limit) merged.limit = limit;
  const zone = firstEntity(turn, 'time_zone')?.value;
  if (zone) merged.timeZone = zone;
  if (/\b(children|child accounts|sub-?accounts|all accounts|whole organi[sz]ation|with its children|incl\w* children)\b/i.test(turn.text)) merged.includeChildren = true;
  return withAccount(turn, 'report', merged, async (accountNumber) => {
    merged.account = accountNumber;
    if (typeof merged.reportId !== 'string') {
      return ask(turn, 'report', merged, 'reportId', 'Which report would you like?', POPULAR.map(([id, title]) => ({ label: title, value: `${SLOT_PREFIX}reportId:${id}` })));
    }
    if (typeof merged.frequency === 'string') return offerSchedule(turn, merged, accountNumber);
    if (!turn.services.runChatReport) return { text: 'Reports are not available in this channel yet.' };
    const p = (merged.period as { from: string; to: string; label: string } | undefined) ?? lastMonth(turn);
    turn.state.last = { intent: 'report', slots: { ...merged, period: p } };
    const result = await turn.services.runChatReport(turn.ctx, turn.actor, {
      reportId: merged.reportId,
      accountNumber,
      includeChildren: merged.includeChildren === true,
      from: p.from,
      to: p.to,
      timeZone: typeof merged.timeZone === 'string' ? merged.timeZone : turn.timeZone,
      format: merged.format === 'pdf' || merged.format === 'csv' ? merged.format : null,
      limit: typeof merged.limit === 'number' ? merged.limit : null,
    });
    if (result.kind !== 'ok') return refuse(turn, result);
    const formats = [
      { label: 'As PDF', value: `${SLOT_PREFIX}format:pdf` },
      { label: 'As CSV', value: `${SLOT_PREFIX}format:csv` },
    ];
    // The format buttons refine this answer (the engine applies a button to the last request), and
    // nothing is left waiting: the next message is a new request or a follow-up, never "which format?".
    return {
      text: result.file
        ? `Here is the ${result.title} for ${accountNumber}, ${result.periodLabel}.`
        : `${result.title} for ${accountNumber}, ${result.periodLabel}: ${result.totalRows} row${result.totalRows === 1 ? '' : 's'}.${result.table && result.totalRows > result.table.rows.length ? ` Showing the first ${result.table.rows.length}.` : ''}`,
      cards: result.table ? [{ title: `${result.title} · ${result.periodLabel}`, subtitle: accountNumber, table: result.table, actions: result.file ? undefined : formats }] : undefined,
      files: result.file ? [result.file] : undefined,
    };
  });
}

const FREQUENCY_WORDS: Record<ReportFrequency, string> = {
  daily: 'every day',
  weekly: 'every Monday',
  monthly: 'on the 1st of every month',
};

/** "email me the long distance summary every month as CSV": the schedule, confirmed first. */
async function offerSchedule(turn: Turn, merged: Slots, accountNumber: string): Promise<Reply> {
  const definition = findReport(String(merged.reportId));
  const frequency = merged.frequency as ReportFrequency;
  if (typeof merged.format !== 'string') {
    return ask(turn, 'report', merged, 'format', `Should I send the ${definition?.title ?? 'report'} ${FREQUENCY_WORDS[frequency]} as PDF or CSV?`, [
      { label: 'PDF', value: `${SLOT_PREFIX}format:pdf` },
      { label: 'CSV', value: `${SLOT_PREFIX}format:csv` },
    ]);
  }
  const destination = turn.actor.kind === 'customer' || turn.actor.kind === 'staff' ? turn.actor.email : '';
  if (!destination) return { text: 'Scheduling reports needs a portal sign-in with an email address; an account PIN alone is not enough.' };
  const zone = typeof merged.timeZone === 'string' ? merged.timeZone : turn.timeZone;
  const format = String(merged.format).toUpperCase();
  return confirm(
    turn,
    'report',
    { schedule: true, reportId: String(merged.reportId), account: accountNumber, includeChildren: merged.includeChildren === true, format: String(merged.format), frequency, timeZone: zone, destination },
    `Send the ${definition?.title ?? String(merged.reportId)} for ${accountNumber}${merged.includeChildren === true ? ' and its sub-accounts' : ''} as ${format} ${FREQUENCY_WORDS[frequency]} at 06:00 (${zone}), to ${destination}?`,
    {
      title: 'Schedule this report?',
      fields: [
        { label: 'Report', value: definition?.title ?? String(merged.reportId) },
        { label: 'Account', value: accountNumber },
        { label: 'Format', value: format },
        { label: 'When', value: `${FREQUENCY_WORDS[frequency]} at 06:00 ${zone}` },
        { label: 'To', value: destination },
      ],
    },
  );
}

export async function executeReportSchedule(turn: Turn, params: Slots): Promise<Reply> {
  const result = await scheduleReport(turn.ctx, turn.actor, {
    reportId: String(params.reportId),
    accountNumber: String(params.account),
    includeChildren: params.includeChildren === true,
    format: params.format === 'csv' ? 'csv' : 'pdf',
    frequency: params.frequency as ReportFrequency,
    timeZone: String(params.timeZone),
    channel: turn.channel === 'slack' || turn.channel === 'teams' ? turn.channel : 'web',
    destination: String(params.destination),
  });
  if (result.kind !== 'ok') return refuse(turn, result);
  const s = result.value;
  return {
    text: `Done: the ${s.reportTitle} for ${s.accountNumber} will be sent as ${s.format.toUpperCase()} ${FREQUENCY_WORDS[s.frequency]}. The first one arrives ${DateTime.fromISO(s.nextRunAt).setZone(s.timeZone).toFormat('LLL d, yyyy HH:mm')} (${s.timeZone}).`,
  };
}

// Report requests: which report, for which account and period, in which format and time zone.
import { DateTime } from 'luxon';
import type { Reply } from '../../reply.js';
import type { Slots } from '../state.js';
import { ask, firstEntity, refuse, SLOT_PREFIX, type Turn, withAccount } from '../turn.js';

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

export async function report(turn: Turn, slots: Slots): Promise<Reply> {
  const merged: Slots = { ...slots };
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
    // The buttons re-run this same request with a format, so keep it as the question they answer.
    if (!result.file) turn.state.pending = { intent: 'report', slots: { ...merged, period: p }, awaiting: 'format', question: 'Which format?' };
    return {
      text: result.file
        ? `Here is the ${result.title} for ${accountNumber}, ${result.periodLabel}.`
        : `${result.title} for ${accountNumber}, ${result.periodLabel}: ${result.totalRows} row${result.totalRows === 1 ? '' : 's'}.${result.table && result.totalRows > result.table.rows.length ? ` Showing the first ${result.table.rows.length}.` : ''}`,
      cards: result.table ? [{ title: `${result.title} · ${result.periodLabel}`, subtitle: accountNumber, table: result.table, actions: result.file ? undefined : formats }] : undefined,
      files: result.file ? [result.file] : undefined,
    };
  });
}

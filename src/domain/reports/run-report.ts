// The one entry point the chat, the CLI and the scheduler share: check the request, authorize the account,
// resolve the period in the zone, run the report; and around it, files (CSV here, PDF through a port) and cards.
import type { Actor } from '../actor.js';
import { accountWithDescendantIds, authorizeAccount, inScope } from '../authorization.js';
import { getInvoice, type InvoiceDetail } from '../billing/index.js';
import type { DomainContext } from '../context.js';
import { invalid, type Invalid, type Outcome, ok } from '../result.js';
import { findReport, REPORT_CATALOGUE, type ReportDefinition } from './catalogue.js';
import { csvBytes } from './csv.js';
import { isCustomReportId } from './custom-report-id.js';
import { parseFilters } from './filters.js';
import { columnHeader, formatInteger, formatTotals, rowFormatter } from './format.js';
import {
  canonicalZone,
  checkDays,
  type NamedPeriod,
  NAMED_PERIODS,
  namedPeriod,
  resolvePeriod,
  ZoneClock,
} from './period.js';
import {
  MAX_PDF_ROWS,
  type ReportFile,
  type ReportFormat,
  type ReportOutcome,
  type ReportResult,
  type ReportRow,
  type TooLargeForPdf,
} from './types.js';

export interface RunReportInput {
  /** A catalogue id ("long-distance-summary") or a saved custom report ("custom:12"). */
  readonly reportId: string;
  readonly accountNumber: string;
  /** Also the account's descendants (those in the actor's scope). */
  readonly includeChildren?: boolean;
  /** First and last local day, 'YYYY-MM-DD', inclusive; or `period` instead. */
  readonly from?: string;
  readonly to?: string;
  /** "last_month", "this_quarter"…: resolved in the report's zone at ctx.now(). */
  readonly period?: NamedPeriod;
  /** IANA zone for the period and every time shown; default the account's. */
  readonly timeZone?: string;
  /** The report's own filters by name (see the catalogue), as strings. */
  readonly filters?: Readonly<Record<string, string | number | undefined>>;
  /** At most this many rows (top-N reports: N, default 10); totals cover exactly the rows listed. */
  readonly limit?: number;
  /** The file the caller means to make: with 'pdf', a detail report over MAX_PDF_ROWS comes back too_large_for_pdf. */
  readonly format?: ReportFormat;
}

const MAX_LIMIT = 1_000_000;

function unknownReport(reportId: string): Invalid {
  return invalid(
    'reportId',
    `There is no report called "${reportId}". Reports: ${REPORT_CATALOGUE.map((r) => r.id).join(', ')}, or a saved custom report ("custom:<n>").`,
  );
}

export function tooLargeForPdf(rowCount: number): TooLargeForPdf {
  return {
    kind: 'too_large_for_pdf',
    rowCount,
    maxRows: MAX_PDF_ROWS,
    suggestedFormat: 'csv',
    message: `This report has ${formatInteger(rowCount, 'display')} rows, more than the ${formatInteger(MAX_PDF_ROWS, 'display')} a PDF can sensibly hold (it would run to hundreds of pages); it can be exported as CSV instead, which opens in any spreadsheet.`,
  };
}

/**
 * Runs a report for an actor. Bad input (unknown report or zone, bad dates, a period ending before it
 * starts or longer than 13 months, unknown filters) is `invalid`; an account outside the actor's scope
 * is `not_found` like any unknown account; staff and agent reads are audited by authorizeAccount.
 */
export async function runReport(
  ctx: DomainContext,
  actor: Actor,
  input: RunReportInput,
): Promise<ReportOutcome<ReportResult>> {
  const reportId = input.reportId.trim();
  let definition: ReportDefinition | undefined;
  if (isCustomReportId(reportId)) {
    if (actor.kind === 'anonymous') return { kind: 'sign_in_required' };
    // Loaded on first use: custom definitions are checked with zod, which a process that only runs
    // catalogue reports (a report worker importing this module) then never loads.
    const { customReportDefinition } = await import('./custom-reports.js');
    definition = await customReportDefinition(ctx, actor, reportId);
  } else {
    definition = findReport(reportId);
  }
  if (!definition) return unknownReport(reportId);

  let zone: string | undefined;
  if (input.timeZone !== undefined && input.timeZone.trim() !== '') {
    const canonical = canonicalZone(input.timeZone);
    if (!canonical) {
      return invalid(
        'timeZone',
        `"${input.timeZone}" is not a time zone I know; use an IANA name such as America/Toronto or Europe/Paris.`,
      );
    }
    zone = canonical;
  }
  if (input.period !== undefined && !NAMED_PERIODS.includes(input.period)) {
    return invalid('period', `"${input.period}" is not a period I know; use one of ${NAMED_PERIODS.join(', ')}.`);
  }
  if (input.period === undefined && (!input.from || !input.to)) {
    return invalid(
      input.from ? 'to' : 'from',
      'A report needs a period: a start and an end date (YYYY-MM-DD), or a named period such as last_month.',
    );
  }
  if (input.limit !== undefined && (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_LIMIT)) {
    return invalid('limit', `The row limit must be a whole number from 1 to ${formatInteger(MAX_LIMIT, 'display')}.`);
  }
  const filters = parseFilters(definition.filters, input.filters, definition.title);
  if (filters.kind !== 'ok') return filters;
  // Dates are checked before the account so bad input costs no audited look-up; the range needs the zone.
  if (input.period === undefined) {
    const problem = checkDays(input.from as string, input.to as string);
    if (problem) return problem;
  }

  const account = await authorizeAccount(
    ctx,
    actor,
    input.accountNumber,
    'reports.read',
    `run_report:${definition.id}`,
  );
  if (account.kind !== 'ok') return account;
  const timeZone = zone ?? canonicalZone(account.value.time_zone) ?? 'UTC';
  const days =
    input.period !== undefined
      ? namedPeriod(input.period, ctx.now(), timeZone)
      : { from: input.from as string, to: input.to as string };
  const period = resolvePeriod(days.from, days.to, timeZone);
  if ('kind' in period) return period;

  let accountIds = [account.value.id];
  if (input.includeChildren) {
    accountIds = (await accountWithDescendantIds(ctx.db, account.value.id)).filter((id) => inScope(actor, id));
  }
  const clock = ZoneClock.for(timeZone, Date.parse(period.startUtc), Date.parse(period.endUtc));
  const data = await definition.run(
    {
      db: ctx.db,
      rows: ctx.rows,
      accountIds,
      from: period.from,
      to: period.to,
      startUtc: period.startUtc,
      endUtc: period.endUtc,
      clock,
    },
    filters.value,
    input.limit,
  );
  if (input.format === 'pdf' && definition.kind === 'detail' && data.rowCount > MAX_PDF_ROWS) {
    return tooLargeForPdf(data.rowCount);
  }
  return ok({
    report: {
      id: definition.id,
      title: definition.title,
      category: definition.category,
      kind: definition.kind,
      description: definition.description,
    },
    account: { number: account.value.number, name: account.value.name },
    includeChildren: input.includeChildren === true,
    accountCount: accountIds.length,
    period,
    timeZone,
    currency: account.value.currency,
    generatedAt: ctx.now().toISOString(),
    filters: filters.applied,
    columns: data.columns,
    rowCount: data.rowCount,
    totals: data.totals,
    batches: () => data.batches(),
  });
}

/** Renders PDFs; pdf-lib lives in adapters/pdf, so the composition root passes this in. */
export interface ReportRenderers {
  reportPdf(result: ReportResult): Promise<Uint8Array>;
  invoicePdf(invoice: InvoiceDetail, options: { generatedAt: string; timeZone: string }): Promise<Uint8Array>;
}

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[^\w-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

export function reportFilename(result: ReportResult, format: ReportFormat): string {
  const id = slug(result.report.id.replace(':', '-'));
  return `${id}_${result.account.number}_${result.period.from}_${result.period.to}.${format}`;
}

export function describeResult(result: ReportResult): string {
  const scope = result.includeChildren
    ? ` and ${result.accountCount - 1} child account${result.accountCount === 2 ? '' : 's'}`
    : '';
  return `${result.report.title} for ${result.account.name} (${result.account.number}${scope}), ${result.period.label}, times in ${result.timeZone}`;
}

/** Runs a report and renders it as a file: what the chat attaches and the scheduler delivers. */
export async function exportReport(
  ctx: DomainContext,
  actor: Actor,
  input: RunReportInput & { format: ReportFormat },
  renderers: Pick<ReportRenderers, 'reportPdf'>,
): Promise<ReportOutcome<ReportFile>> {
  const run = await runReport(ctx, actor, input);
  if (run.kind !== 'ok') return run;
  return ok(await renderReportFile(run.value, input.format, renderers));
}

export async function renderReportFile(
  result: ReportResult,
  format: ReportFormat,
  renderers: Pick<ReportRenderers, 'reportPdf'>,
): Promise<ReportFile> {
  const content = format === 'pdf' ? await renderers.reportPdf(result) : await csvBytes(result);
  return {
    filename: reportFilename(result, format),
    mediaType: format === 'pdf' ? 'application/pdf' : 'text/csv',
    content,
    description: describeResult(result),
  };
}

/** A short table for a chat card: the first rows as display text, the totals, and whether more rows exist. */
export interface ReportTable {
  readonly title: string;
  readonly subtitle: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly totals: readonly string[];
  readonly rowCount: number;
  readonly truncated: boolean;
}

export async function reportTable(result: ReportResult, maxRows = 10): Promise<ReportTable> {
  const clock = ZoneClock.for(result.timeZone, Date.parse(result.period.startUtc), Date.parse(result.period.endUtc));
  const format = rowFormatter(result, 'display', clock);
  const rows: string[][] = [];
  outer: for await (const batch of result.batches()) {
    for (const row of batch) {
      if (rows.length >= maxRows) break outer;
      rows.push(format(row as ReportRow));
    }
  }
  return {
    title: result.report.title,
    subtitle: `${result.account.name} (${result.account.number}) · ${result.period.label} · times in ${result.timeZone}`,
    columns: result.columns.map((c) => columnHeader(c, result)),
    rows,
    totals: formatTotals(result, 'display', clock),
    rowCount: result.rowCount,
    truncated: result.rowCount > rows.length,
  };
}

/** An invoice as a PDF, for any invoice the actor may see (same rules as getInvoice). */
export async function getInvoicePdf(
  ctx: DomainContext,
  actor: Actor,
  input: ({ invoiceNumber: string } | { accountNumber: string; month?: string }) & { timeZone?: string },
  renderers: Pick<ReportRenderers, 'invoicePdf'>,
): Promise<Outcome<ReportFile>> {
  let zone: string | undefined;
  if (input.timeZone !== undefined) {
    const canonical = canonicalZone(input.timeZone);
    if (!canonical)
      return invalid(
        'timeZone',
        `"${input.timeZone}" is not a time zone I know; use an IANA name such as America/Toronto.`,
      );
    zone = canonical;
  }
  const invoice = await getInvoice(ctx, actor, input);
  if (invoice.kind !== 'ok') return invoice;
  if (!zone) {
    const account = await ctx.db
      .selectFrom('accounts')
      .select('time_zone')
      .where('number', '=', invoice.value.accountNumber)
      .executeTakeFirst();
    zone = canonicalZone(account?.time_zone ?? 'UTC') ?? 'UTC';
  }
  const content = await renderers.invoicePdf(invoice.value, { generatedAt: ctx.now().toISOString(), timeZone: zone });
  return ok({
    filename: `${slug(invoice.value.number)}.pdf`,
    mediaType: 'application/pdf',
    content,
    description: `Invoice ${invoice.value.number} for ${invoice.value.accountName}, ${invoice.value.periodStart} to ${invoice.value.periodEnd}`,
  });
}

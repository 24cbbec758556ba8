// The shapes every report shares: columns, rows, a run's result and metadata, files, and the outcome values reports add.
import type { Outcome } from '../result.js';

export type ReportCategory = 'long_distance' | 'usage' | 'billing';
/** How a column's raw values are stored and shown: money is cents, durations seconds, datetimes UTC ISO-8601. */
export type ColumnType = 'text' | 'integer' | 'money' | 'duration' | 'datetime' | 'date';
export type ReportFormat = 'pdf' | 'csv';

export interface ReportColumn {
  readonly key: string;
  readonly label: string;
  readonly type: ColumnType;
  /** Whether the totals row sums this column (only numeric columns can). */
  readonly total: boolean;
}

export type CellValue = string | number | null;
/** One row's raw values, in column order. */
export type ReportRow = readonly CellValue[];

export interface ReportFilterDefinition {
  /** The key in `filters` (chat, CLI `--filter name=value`, scheduled params). */
  readonly name: string;
  readonly label: string;
  readonly type: 'phone' | 'text' | 'choice' | 'integer';
  readonly description: string;
  /** The accepted values of a choice filter. */
  readonly values?: readonly string[];
}

/** A report as the catalogue describes it, before it is run. */
export interface ReportDescription {
  readonly id: string;
  readonly title: string;
  readonly category: ReportCategory;
  readonly description: string;
  /** A detail report lists records (and may be too long for a PDF); a summary lists groups. */
  readonly kind: 'detail' | 'summary';
  readonly columns: readonly Omit<ReportColumn, 'key'>[];
  readonly filters: readonly ReportFilterDefinition[];
}

export interface ReportPeriod {
  /** First local day, 'YYYY-MM-DD', inclusive. */
  readonly from: string;
  /** Last local day, 'YYYY-MM-DD', inclusive. */
  readonly to: string;
  /** The first instant of `from` in the report's zone, UTC ISO-8601. */
  readonly startUtc: string;
  /** The first instant after `to` in the report's zone, UTC ISO-8601 (exclusive). */
  readonly endUtc: string;
  /** "March 2026", or "1 Mar 2026 – 15 Apr 2026". */
  readonly label: string;
}

/** A finished run: what was asked, the columns, the totals, and the rows to stream (each call reads them afresh). */
export interface ReportResult {
  readonly report: {
    readonly id: string;
    readonly title: string;
    readonly category: ReportCategory;
    readonly kind: 'detail' | 'summary';
    readonly description: string;
  };
  readonly account: { readonly number: string; readonly name: string };
  readonly includeChildren: boolean;
  /** How many accounts the rows cover (1 without children). */
  readonly accountCount: number;
  readonly period: ReportPeriod;
  /** The IANA zone the period and every time in the report are in. */
  readonly timeZone: string;
  readonly currency: string;
  /** UTC ISO-8601. */
  readonly generatedAt: string;
  /** The report-specific filters applied, as a person would read them. */
  readonly filters: readonly { readonly name: string; readonly label: string; readonly value: string }[];
  readonly columns: readonly ReportColumn[];
  readonly rowCount: number;
  /** Sums of the `total` columns over exactly the rows; null in the other cells. */
  readonly totals: ReportRow;
  /** The rows in pages (a page is at most a few thousand rows), read from the database as they are consumed. */
  batches(): AsyncIterable<readonly ReportRow[]>;
}

/** A rendered report or invoice, shaped like the conversation's ReplyFile so the chat can attach it as is. */
export interface ReportFile {
  readonly filename: string;
  readonly mediaType: 'application/pdf' | 'text/csv';
  readonly content: Uint8Array;
  readonly description?: string;
}

/** A detail report with more rows than a sensible PDF: the caller should offer CSV, and say why. */
export interface TooLargeForPdf {
  readonly kind: 'too_large_for_pdf';
  readonly rowCount: number;
  readonly maxRows: number;
  readonly suggestedFormat: 'csv';
  readonly message: string;
}

export type ReportOutcome<T> = Outcome<T> | TooLargeForPdf;

/** Detail reports over this many rows are offered as CSV instead of PDF. */
export const MAX_PDF_ROWS = 20_000;

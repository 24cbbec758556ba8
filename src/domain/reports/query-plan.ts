// What a report run hands its data source, and what a source gives back: columns, count, totals, row pages.
import type { Kysely } from 'kysely';
import type { RowReader } from '../../db/row-reader.js';
import type { Database } from '../../db/schema.js';
import type { ZoneClock } from './period.js';
import type { ReportColumn, ReportRow } from './types.js';

export interface ReportScope {
  readonly db: Kysely<Database>;
  /** Runs a page of a long result in the driver's array mode (detail rows). */
  readonly rows: RowReader;
  /** The accounts the rows may come from: the account, and its descendants in the actor's scope with children. */
  readonly accountIds: readonly number[];
  /** Local days, inclusive ('YYYY-MM-DD'): billing and internet usage are by calendar date. */
  readonly from: string;
  readonly to: string;
  /** UTC instants [startUtc, endUtc) for call records. */
  readonly startUtc: string;
  readonly endUtc: string;
  readonly clock: ZoneClock;
}

export interface ReportData {
  readonly columns: readonly ReportColumn[];
  readonly rowCount: number;
  readonly totals: ReportRow;
  batches(): AsyncIterable<readonly ReportRow[]>;
}

/** Rows already in memory (summaries are small), served as one page. */
export function inMemoryData(
  columns: readonly ReportColumn[],
  rows: readonly ReportRow[],
  totals?: ReportRow,
): ReportData {
  return {
    columns,
    rowCount: rows.length,
    totals: totals ?? sumColumns(columns, rows),
    async *batches() {
      if (rows.length > 0) yield rows;
    },
  };
}

/** Totals computed over rows that SQL already aggregated (used where SQL cannot sum after a fold). */
export function sumColumns(columns: readonly ReportColumn[], rows: readonly ReportRow[]): ReportRow {
  return columns.map((column, i) => {
    if (!column.total) return null;
    let sum = 0;
    for (const row of rows) sum += Number(row[i] ?? 0);
    return sum;
  });
}

export const column = (key: string, label: string, type: ReportColumn['type'], total = false): ReportColumn => ({
  key,
  label,
  type,
  total,
});

/** A number from the database: SQLite gives numbers, pg gives int8/numeric as numbers too (see adapters/db). */
export const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

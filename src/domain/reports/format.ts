// Turns raw report values into the text a file or a chat card shows: money, durations, local times.
import type { ZoneClock } from './period.js';
import type { CellValue, ReportColumn, ReportResult, ReportRow } from './types.js';

/** 'display' groups thousands (PDF, chat); 'csv' keeps numbers plain so spreadsheets read them as numbers. */
export type FormatStyle = 'display' | 'csv';

function groupThousands(digits: string): string {
  if (digits.length <= 3) return digits;
  let out = '';
  const head = digits.length % 3;
  if (head > 0) out = digits.slice(0, head);
  for (let i = head; i < digits.length; i += 3) out += (out ? ',' : '') + digits.slice(i, i + 3);
  return out;
}

export function formatMoney(cents: number, style: FormatStyle): string {
  const negative = cents < 0;
  const abs = Math.abs(Math.round(cents));
  const whole = String(Math.floor(abs / 100));
  const fraction = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}${style === 'display' ? groupThousands(whole) : whole}.${fraction}`;
}

export function formatInteger(value: number, style: FormatStyle): string {
  const rounded = Math.round(value);
  const text = String(Math.abs(rounded));
  return `${rounded < 0 ? '-' : ''}${style === 'display' ? groupThousands(text) : text}`;
}

/** Seconds as h:mm:ss (hours grow past 24: a month of calls is many hours). */
export function formatDuration(seconds: number): string {
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}`;
}

/** Parses h:mm:ss back to seconds (tests read totals back from files). */
export function parseDuration(text: string): number {
  const [h, m, s] = text.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

export function formatCell(value: CellValue, column: ReportColumn, style: FormatStyle, clock: ZoneClock): string {
  if (value === null || value === '') return '';
  switch (column.type) {
    case 'text':
    case 'date':
      return String(value);
    case 'integer':
      return formatInteger(Number(value), style);
    case 'money':
      return formatMoney(Number(value), style);
    case 'duration':
      return formatDuration(Number(value));
    case 'datetime':
      return clock.localDateTime(String(value));
  }
}

/** Formats whole rows; the clock converts datetimes into the report's zone. */
export function rowFormatter(result: Pick<ReportResult, 'columns'>, style: FormatStyle, clock: ZoneClock) {
  const columns = result.columns;
  return (row: ReportRow): string[] => {
    const out = new Array<string>(columns.length);
    for (let i = 0; i < columns.length; i++) out[i] = formatCell(row[i] ?? null, columns[i]!, style, clock);
    return out;
  };
}

/** The totals row as text: "Total" in the first column unless that column is itself summed. */
export function formatTotals(
  result: Pick<ReportResult, 'columns' | 'totals' | 'rowCount'>,
  style: FormatStyle,
  clock: ZoneClock,
): string[] {
  const cells = rowFormatter(result, style, clock)(result.totals);
  if (result.columns[0] && !result.columns[0].total) cells[0] = `Total (${formatInteger(result.rowCount, style)} rows)`;
  return cells;
}

/** A column header with its unit: "Charge (CAD)", "Started (America/Vancouver)". */
export function columnHeader(column: ReportColumn, result: Pick<ReportResult, 'currency' | 'timeZone'>): string {
  if (column.type === 'money') return `${column.label} (${result.currency})`;
  if (column.type === 'datetime') return `${column.label} (${result.timeZone})`;
  return column.label;
}

// CSV export: RFC 4180 (CRLF, quoted fields), streamed page by page, and safe to open in a spreadsheet.
import { columnHeader, formatDuration, formatInteger, formatMoney, formatTotals } from './format.js';
import { ZoneClock } from './period.js';
import type { CellValue, ColumnType, ReportResult, ReportRow } from './types.js';

const NEEDS_QUOTES = /[",\r\n]/;
/** Spreadsheets run a cell starting with these as a formula (=HYPERLINK(…), +cmd|…, @SUM…). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Excel reads a CSV as UTF-8 (accented French names) only when it starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * One field. Text from the data (names, numbers, codes) that would start a formula gets a leading
 * single quote, which spreadsheets show as text; numbers the report computed (a negative credit) do not.
 */
export function csvField(value: string, isText: boolean): string {
  let text = value;
  if (isText && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly string[], textColumns: readonly boolean[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ',';
    line += csvField(cells[i]!, textColumns[i]!);
  }
  return `${line}\r\n`;
}

/** Whether a data cell needs the formula guard or quoting, checked by character code (no regex per cell). */
function encodeText(value: string): string {
  const first = value.charCodeAt(0);
  // = + - @ tab CR
  const guarded =
    first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13 ? `'${value}` : value;
  for (let i = 0; i < guarded.length; i++) {
    const c = guarded.charCodeAt(i);
    if (c === 34 || c === 44 || c === 10 || c === 13) return `"${guarded.replaceAll('"', '""')}"`;
  }
  return guarded;
}

/**
 * A row encoder with one function per column, chosen once: numbers, durations and local times are
 * written as they are (they cannot hold a comma, quote or formula start); only text is checked.
 */
function rowEncoder(result: ReportResult, clock: ZoneClock): (row: ReportRow) => string {
  const encoders = result.columns.map((column) => cellEncoder(column.type, clock));
  const n = encoders.length;
  return (row) => {
    let line = encoders[0]!(row[0] ?? null);
    for (let i = 1; i < n; i++) {
      line += ',';
      line += encoders[i]!(row[i] ?? null);
    }
    return `${line}\r\n`;
  };
}

/**
 * Memoises a formatter over the small whole numbers most cells hold (charges in cents, durations in
 * seconds): a long export repeats them endlessly, and each fresh string is garbage to collect.
 */
function smallIntegers(format: (n: number) => string, below: number): (n: number) => string {
  const cache: (string | undefined)[] = [];
  return (n) => {
    if (n >= 0 && n < below && Number.isInteger(n)) {
      let text = cache[n];
      if (text === undefined) {
        text = format(n);
        cache[n] = text;
      }
      return text;
    }
    return format(n);
  };
}

function cellEncoder(type: ColumnType, clock: ZoneClock): (value: CellValue) => string {
  switch (type) {
    case 'text': {
      // Scanned every time: a few character codes cost less than hashing the fresh string into a cache.
      return (v) => (v === null ? '' : encodeText(typeof v === 'string' ? v : String(v)));
    }
    case 'date':
      return (v) => (v === null ? '' : String(v));
    case 'integer': {
      const format = smallIntegers((n) => formatInteger(n, 'csv'), 100_000);
      return (v) => (v === null ? '' : format(Number(v)));
    }
    case 'money': {
      const format = smallIntegers((n) => formatMoney(n, 'csv'), 100_000);
      return (v) => (v === null ? '' : format(Number(v)));
    }
    case 'duration': {
      const format = smallIntegers(formatDuration, 86_400);
      return (v) => (v === null ? '' : format(Number(v)));
    }
    case 'datetime':
      return (v) => (v === null ? '' : clock.localDateTime(String(v)));
  }
}

function clockFor(result: ReportResult): ZoneClock {
  return ZoneClock.for(result.timeZone, Date.parse(result.period.startUtc), Date.parse(result.period.endUtc));
}

/**
 * The file as text chunks, one per page of rows: a header row, the rows, then a totals row. Nothing
 * holds more than one page, so a million-row report streams in flat memory.
 */
export async function* csvChunks(
  result: ReportResult,
  options: { bom?: boolean; totals?: boolean } = {},
): AsyncGenerator<string> {
  const clock = clockFor(result);
  const text = result.columns.map((c) => c.type === 'text');
  const headerText = result.columns.map(() => true);
  yield (options.bom === false ? '' : UTF8_BOM) +
    csvLine(
      result.columns.map((c) => columnHeader(c, result)),
      headerText,
    );
  const encode = rowEncoder(result, clock);
  for await (const batch of result.batches()) {
    // One allocation per page: join sizes the result once, where += would build a deep rope to flatten.
    const lines = new Array<string>(batch.length);
    for (let i = 0; i < batch.length; i++) lines[i] = encode(batch[i]!);
    yield lines.join('');
  }
  if (options.totals !== false) {
    // The first cell reads "Total (n rows)"; it is ours, not data, but goes through the same quoting.
    yield csvLine(formatTotals(result, 'csv', clock), text);
  }
}

/** The whole file in memory: for chat attachments and scheduled deliveries, which are small. */
export async function csvBytes(result: ReportResult): Promise<Uint8Array> {
  const parts: string[] = [];
  for await (const chunk of csvChunks(result)) parts.push(chunk);
  return new TextEncoder().encode(parts.join(''));
}

// Renders a report run as a PDF: a title block (report, account, period, zone, generated at), a table whose
// header repeats on every page, the totals, and "Page n of m" on each page.
// The formatting modules themselves, not the reports index: a process that only renders reports (a
// report worker) then loads no scheduler, schedules or custom-report validation.
import { columnHeader, formatTotals, rowFormatter } from '../../src/domain/reports/format.js';
import { ZoneClock } from '../../src/domain/reports/period.js';
import type { ReportResult, ReportRow } from '../../src/domain/reports/types.js';
import {
  PAGE_LETTER,
  PAGE_LETTER_LANDSCAPE,
  type PageWriter,
  PdfBuilder,
  type TextCell,
  type TextFace,
} from './pdf-builder.js';

const MARGIN = 36;
const BODY_SIZE = 7.5;
const ROW_HEIGHT = 10.5;
const HEADER_SIZE = 7.5;
const HEADER_LINE = 9;
const PADDING = 10;
const MIN_TEXT_WIDTH = 48;
const FOOTER_Y = 20;

const NUMERIC = new Set(['integer', 'money', 'duration']);

interface Layout {
  size: readonly [number, number];
  widths: number[];
  /** x of each column's left edge (text starts there) or right edge (numbers end there). */
  anchors: number[];
  right: boolean[];
  headerLines: string[][];
}

/** Splits "Charge (CAD)" onto two lines when that makes the column narrower. */
function headerLinesOf(label: string): string[] {
  const at = label.indexOf(' (');
  return at > 0 ? [label.slice(0, at), label.slice(at + 1)] : [label];
}

/** The widest cell of each column over every row, in body text: the rows are measured as they stream by, not kept. */
async function widestCells(
  result: ReportResult,
  format: (row: ReportRow) => string[],
  regular: TextFace,
): Promise<number[]> {
  const widest = result.columns.map(() => 0);
  for await (const batch of result.batches()) {
    for (const row of batch) {
      const cells = format(row);
      for (let i = 0; i < cells.length; i++) {
        const w = regular.widthOf(cells[i]!, BODY_SIZE);
        if (w > widest[i]!) widest[i] = w;
      }
    }
  }
  return widest;
}

function planColumns(
  result: ReportResult,
  widest: readonly number[],
  totals: readonly string[],
  bold: TextFace,
): Layout {
  const n = result.columns.length;
  const headerLines = result.columns.map((c) => headerLinesOf(columnHeader(c, result)));
  const natural = result.columns.map((_, i) => {
    let width = Math.max(...headerLines[i]!.map((line) => bold.widthOf(line, HEADER_SIZE)));
    width = Math.max(width, bold.widthOf(totals[i] ?? '', BODY_SIZE), widest[i]!);
    return width + PADDING;
  });
  const total = natural.reduce((a, b) => a + b, 0);
  const size = total <= PAGE_LETTER[0] - 2 * MARGIN ? PAGE_LETTER : PAGE_LETTER_LANDSCAPE;
  const available = size[0] - 2 * MARGIN;
  const widths = [...natural];
  // Too wide even in landscape: narrow the widest text columns (their cells get an ellipsis).
  const textColumns = result.columns.map((c, i) => (NUMERIC.has(c.type) ? -1 : i)).filter((i) => i >= 0);
  let excess = widths.reduce((a, b) => a + b, 0) - available;
  while (excess > 0.5) {
    const widest = textColumns.filter((i) => widths[i]! > MIN_TEXT_WIDTH).sort((a, b) => widths[b]! - widths[a]!)[0];
    if (widest === undefined) break;
    const cut = Math.min(excess, widths[widest]! - MIN_TEXT_WIDTH);
    widths[widest]! -= cut;
    excess -= cut;
  }
  // Spare room is shared out, so the table spans the page.
  const spare = available - widths.reduce((a, b) => a + b, 0);
  if (spare > 0) for (let i = 0; i < n; i++) widths[i]! += spare / n;
  const anchors: number[] = [];
  const right = result.columns.map((c) => NUMERIC.has(c.type));
  let x = MARGIN;
  for (let i = 0; i < n; i++) {
    anchors.push(right[i] ? x + widths[i]! - PADDING / 2 : x + PADDING / 2);
    x += widths[i]!;
  }
  return { size, widths, anchors, right, headerLines };
}

function wrap(face: TextFace, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && face.widthOf(candidate, size) > width) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The title block on the first page; returns the y below it. */
function drawTitleBlock(page: PageWriter, pdf: PdfBuilder, result: ReportResult, generatedLocal: string): number {
  const width = page.width - 2 * MARGIN;
  let y = page.height - MARGIN - 14;
  page.text(pdf.bold, 15, MARGIN, y, pdf.bold.fit(result.report.title, 15, width));
  y -= 16;
  for (const line of wrap(pdf.regular, 8, result.report.description, width)) {
    page.text(pdf.regular, 8, MARGIN, y, line, 'left', 0.35);
    y -= 10;
  }
  y -= 4;
  const children = result.includeChildren
    ? result.accountCount > 1
      ? `, with ${result.accountCount - 1} child account${result.accountCount === 2 ? '' : 's'}`
      : ', with its child accounts (none)'
    : '';
  const fields: [string, string][] = [
    ['Account', `${result.account.name} (${result.account.number})${children}`],
    ['Period', `${result.period.label} (${result.period.from} to ${result.period.to})`],
    ['Time zone', `${result.timeZone} — every date and time in this report is local to this zone`],
    ['Generated', `${generatedLocal} ${result.timeZone} (${result.generatedAt.replace(/\.\d{3}Z$/, 'Z')})`],
  ];
  if (result.filters.length > 0)
    fields.push(['Filters', result.filters.map((f) => `${f.label}: ${f.value}`).join('; ')]);
  fields.push(['Rows', `${result.rowCount.toLocaleString('en-US')} · amounts in ${result.currency}`]);
  const labelWidth = 62;
  for (const [label, value] of fields) {
    page.textRow(y, [
      { face: pdf.bold, size: 8.5, x: MARGIN, text: label },
      { face: pdf.regular, size: 8.5, x: MARGIN + labelWidth, text: pdf.regular.fit(value, 8.5, width - labelWidth) },
    ]);
    y -= 11.5;
  }
  return y - 8;
}

function drawHeader(page: PageWriter, pdf: PdfBuilder, layout: Layout, top: number): number {
  const lines = Math.max(...layout.headerLines.map((l) => l.length));
  const height = lines * HEADER_LINE + 5;
  const tableWidth = layout.widths.reduce((a, b) => a + b, 0);
  page.fillRects([[MARGIN, top - height, tableWidth, height]], 0.88);
  for (let line = 0; line < lines; line++) {
    const y = top - 3 - HEADER_SIZE - line * HEADER_LINE;
    const cells: TextCell[] = [];
    layout.headerLines.forEach((headerLines, i) => {
      // Single-line labels sit on the bottom line, next to the second line of two-line ones.
      const text = headerLines.length === lines ? headerLines[line] : line === lines - 1 ? headerLines[0] : undefined;
      if (text) {
        cells.push({
          face: pdf.bold,
          size: HEADER_SIZE,
          x: layout.anchors[i]!,
          text: pdf.bold.fit(text, HEADER_SIZE, layout.widths[i]! - PADDING / 2),
          align: layout.right[i] ? 'right' : 'left',
        });
      }
    });
    page.textRow(y, cells);
  }
  return top - height;
}

/**
 * Renders the report; the rows are read from the result's batches twice, once to size the columns and
 * once to draw them, so no more than a page of them is held (a detail report over 20,000 rows should
 * not get here).
 */
export async function renderReportPdf(result: ReportResult): Promise<Uint8Array> {
  const clock = ZoneClock.for(result.timeZone, Date.parse(result.period.startUtc), Date.parse(result.period.endUtc));
  const format = rowFormatter(result, 'display', clock);
  const totals = formatTotals(result, 'display', clock);
  const generatedLocal = clock.localDateTime(result.generatedAt);

  const metadata = {
    title: `${result.report.title} — ${result.account.name} (${result.account.number}), ${result.period.label}`,
    subject: `Times in ${result.timeZone}`,
    createdAt: new Date(result.generatedAt),
  };
  return PdfBuilder.render(metadata, async (pdf) => {
    const layout = planColumns(result, await widestCells(result, format, pdf.regular), totals, pdf.bold);
    const [pageWidth, pageHeight] = layout.size;
    const tableWidth = layout.widths.reduce((a, b) => a + b, 0);
    const bottom = MARGIN + 6;

    // Text cells wider than their column are cut with an ellipsis (numbers always fit: they set the width).
    const limits = layout.widths.map((w, i) => (layout.right[i] ? Number.POSITIVE_INFINITY : w - PADDING / 2));
    const fitRow = (row: readonly string[], face: TextFace): string[] =>
      row.map((text, i) =>
        limits[i] === Number.POSITIVE_INFINITY || face.widthOf(text, BODY_SIZE) <= limits[i]!
          ? text
          : face.fit(text, BODY_SIZE, limits[i]!),
      );

    let page = pdf.addPage(layout.size);
    let y = drawHeader(page, pdf, layout, drawTitleBlock(page, pdf, result, generatedLocal));
    // Rows are drawn a page at a time: as many as fit, shaded every other row (shading first, so it
    // lies under the text). `index` counts the rows drawn before, for the shading's parity.
    let index = 0;
    let fit = Math.max(1, Math.floor((y - bottom) / ROW_HEIGHT));
    let pending: string[][] = [];
    const drawPending = () => {
      const zebra: [number, number, number, number][] = [];
      for (let i = 0, top = y; i < pending.length; i++, top -= ROW_HEIGHT) {
        if ((index + i) % 2 === 1) zebra.push([MARGIN, top - ROW_HEIGHT, tableWidth, ROW_HEIGHT]);
      }
      page.fillRects(zebra, 0.955);
      for (const cells of pending) {
        page.tableRow(y - ROW_HEIGHT + 3, pdf.regular, BODY_SIZE, cells, layout.anchors, layout.right);
        y -= ROW_HEIGHT;
      }
      index += pending.length;
      pending = [];
    };
    for await (const batch of result.batches()) {
      for (const row of batch) {
        if (pending.length === fit) {
          drawPending();
          page = pdf.addPage(layout.size);
          y = drawHeader(page, pdf, layout, pageHeight - MARGIN);
          fit = Math.max(1, Math.floor((y - bottom) / ROW_HEIGHT));
        }
        pending.push(fitRow(format(row), pdf.regular));
      }
    }
    if (index === 0 && pending.length === 0) {
      page.text(
        pdf.regular,
        BODY_SIZE,
        MARGIN + PADDING / 2,
        y - ROW_HEIGHT + 3,
        'No records match this report for the period.',
        'left',
        0.35,
      );
      y -= ROW_HEIGHT;
    }
    drawPending();
    if (y - ROW_HEIGHT - 4 < bottom) {
      page = pdf.addPage(layout.size);
      y = drawHeader(page, pdf, layout, pageHeight - MARGIN);
    }
    page.line(MARGIN, y - 1, MARGIN + tableWidth, y - 1, 0.8);
    page.tableRow(y - ROW_HEIGHT + 1, pdf.bold, BODY_SIZE, fitRow(totals, pdf.bold), layout.anchors, layout.right);

    const count = pdf.pages.length;
    const footerLeft = `${result.report.title} · ${result.account.name} (${result.account.number}) · ${result.period.label} · ${result.timeZone}`;
    pdf.pages.forEach((p, i) => {
      const pageLabel = `Page ${i + 1} of ${count}`;
      const room = pageWidth - 2 * MARGIN - pdf.regular.widthOf(pageLabel, 7.5) - 20;
      p.line(MARGIN, FOOTER_Y + 10, pageWidth - MARGIN, FOOTER_Y + 10, 0.4, 0.6);
      p.textRow(
        FOOTER_Y,
        [
          { face: pdf.regular, size: 7.5, x: MARGIN, text: pdf.regular.fit(footerLeft, 7.5, room) },
          { face: pdf.regular, size: 7.5, x: pageWidth - MARGIN, text: pageLabel, align: 'right' },
        ],
        0.3,
      );
    });
  });
}

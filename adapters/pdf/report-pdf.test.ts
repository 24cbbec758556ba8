// The report PDF on its own (no database): pages, repeated headers, page numbers, fonts prepared or subset.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportResult, ReportRow } from '../../src/domain/reports/index.js';
import { pdfText, qpdfCheck } from '../../test/support/pdf-tools.js';
import { prepareFonts } from './pdf-builder.js';
import { renderReportPdf } from './report-pdf.js';

function result(rows: number, accountName: string): ReportResult {
  const start = Date.parse('2026-03-01T08:00:00.000Z');
  const page = (from: number, to: number): ReportRow[] =>
    Array.from({ length: to - from }, (_, i) => [
      new Date(start + (from + i) * 60_000).toISOString(),
      accountName,
      (from + i) * 7,
      42,
    ]);
  return {
    report: {
      id: 'long-distance-detail',
      title: 'Long distance detail',
      category: 'long_distance',
      kind: 'detail',
      description: 'Every call.',
    },
    account: { number: '8000001', name: accountName },
    includeChildren: false,
    accountCount: 1,
    period: {
      from: '2026-03-01',
      to: '2026-03-31',
      startUtc: '2026-03-01T08:00:00.000Z',
      endUtc: '2026-04-01T07:00:00.000Z',
      label: 'March 2026',
    },
    timeZone: 'America/Vancouver',
    currency: 'CAD',
    generatedAt: '2026-04-02T16:00:00.000Z',
    filters: [],
    columns: [
      { key: 'started_at', label: 'Started', type: 'datetime', total: false },
      { key: 'account_name', label: 'Account name', type: 'text', total: false },
      { key: 'duration', label: 'Duration', type: 'duration', total: true },
      { key: 'charge', label: 'Charge', type: 'money', total: true },
    ],
    rowCount: rows,
    totals: [null, null, ((rows - 1) * rows * 7) / 2, rows * 42],
    async *batches() {
      for (let from = 0; from < rows; from += 1000) yield page(from, Math.min(rows, from + 1000));
    },
  };
}

const fontsOf = (bytes: Uint8Array): string => {
  const dir = mkdtempSync(join(tmpdir(), 'fonts-'));
  try {
    writeFileSync(join(dir, 'f.pdf'), bytes);
    return execFileSync('pdffonts', [join(dir, 'f.pdf')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('report PDFs', () => {
  it('repeats the table header on every page, numbers the pages and ends with the totals', async () => {
    const bytes = await renderReportPdf(result(2_500, 'Cascadia Health Partners'));
    expect(qpdfCheck(bytes).ok).toBe(true);
    const text = pdfText(bytes);
    const pages = text.split('\f').filter((p) => p.trim() !== '');
    expect(pages.length).toBeGreaterThan(20);
    pages.forEach((p, i) => {
      expect(p).toMatch(/Started\s+Charge/);
      expect(p).toContain('(America/Vancouver)');
      expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
    });
    expect(pages.at(-1)).toMatch(/Total \(2,500 rows\)\s+6073:57:30\s+1,050.00/);
    expect(pages[0]).toContain('2026-03-01 00:00:00');
  });

  it('draws on fonts prepared once, and falls back to subsetting for characters beyond them', async () => {
    // Before the fonts are prepared, a document carries only the glyphs it draws.
    const before = await renderReportPdf(result(3, 'Laurentide Énergie — Québec'));
    await prepareFonts();
    // After, it carries the prepared set (some 400 glyphs a font): larger, but nothing is subset per document.
    const prepared = await renderReportPdf(result(3, 'Laurentide Énergie — Québec'));
    expect(prepared.byteLength).toBeGreaterThan(before.byteLength + 20_000);
    for (const bytes of [before, prepared]) {
      expect(qpdfCheck(bytes).ok).toBe(true);
      expect(pdfText(bytes)).toContain('Laurentide Énergie — Québec');
      expect(fontsOf(bytes)).toMatch(/DejaVuSans-Bold/);
    }
    expect(pdfText(prepared)).toBe(pdfText(before));
    // Cyrillic is not prepared: that document subsets its own fonts instead.
    const cyrillic = await renderReportPdf(result(3, 'Жемчужина Телеком'));
    expect(cyrillic.byteLength).toBeLessThan(prepared.byteLength);
    expect(qpdfCheck(cyrillic).ok).toBe(true);
    expect(pdfText(cyrillic)).toContain('Жемчужина Телеком');
  });
});

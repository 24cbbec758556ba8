// The report benchmark's child processes: each measures one run (a detail PDF, a CSV export, the CSV writer
// alone) and prints one JSON line. It imports only what a report worker needs (the SQLite adapter, the report
// runner, the PDF renderer), not the seeder, migrations, PostgreSQL or the rest of the domain, so its peak
// RSS is the report's and the runtime's, not the whole service's.
import { once } from 'node:events';
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openSqlite } from '../adapters/db/sqlite.js';
import { prepareFonts } from '../adapters/pdf/pdf-builder.js';
import { renderReportPdf } from '../adapters/pdf/report-pdf.js';
import { createDomainContext } from '../src/domain/context.js';
import { loadStaffActor } from '../src/domain/identity/index.js';
import { csvChunks } from '../src/domain/reports/csv.js';
import { type RunReportInput, runReport } from '../src/domain/reports/run-report.js';
import type { ReportResult } from '../src/domain/reports/types.js';

const CDRS = 1_000_000;
const AS_OF = '2026-11-22';
const OUT_DIR = process.env.REPORTS_BENCH_OUT ?? fileURLToPath(new URL('./out/', import.meta.url));
const DB_PATH = `${OUT_DIR}reports-${CDRS}.db`;

const DETAIL: RunReportInput = {
  reportId: 'rated-call-detail',
  accountNumber: '5000001',
  includeChildren: true,
  from: '2026-10-01',
  to: '2026-10-31',
  limit: 10_000,
  format: 'pdf',
};
const CSV: RunReportInput = {
  reportId: 'rated-call-detail',
  accountNumber: '5000001',
  includeChildren: true,
  from: '2026-05-23',
  to: '2026-11-21',
  format: 'csv',
};

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function open() {
  const handle = openSqlite(DB_PATH);
  const ctx = createDomainContext(handle, () => new Date(`${AS_OF}T15:00:00.000Z`));
  const staff = await loadStaffActor(ctx, 'care@provider.example');
  if (!staff) throw new Error('the bench database has no care@provider.example');
  return { handle, ctx, staff };
}

/** The 10,000-row detail report to a PDF file; prints timings, the peak RSS before the report and at the end. */
async function childDetailPdf(warm: boolean): Promise<void> {
  const { handle, ctx, staff } = await open();
  // A running service prepares its fonts at start (adapters/runtime/node.ts); a one-shot CLI run does not.
  if (warm) await prepareFonts();
  const rssBefore = maxRssMb();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const outcome = await runReport(ctx, staff, DETAIL);
  if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
  const queried = performance.now();
  const bytes = await renderReportPdf(outcome.value);
  const rendered = performance.now();
  const stream = createWriteStream(`${OUT_DIR}detail-10000.pdf`);
  stream.end(bytes);
  await once(stream, 'finish');
  const totalMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  await handle.close();
  process.stdout.write(
    `${JSON.stringify({
      rows: outcome.value.rowCount,
      totalMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      runMs: queried - started,
      renderMs: rendered - queried,
      bytes: bytes.byteLength,
      rssBeforeMb: rssBefore,
      maxRssMb: maxRssMb(),
    })}\n`,
  );
}

/** The detail report streamed to a CSV file, from the database, page by page. */
async function childCsv(): Promise<void> {
  const { handle, ctx, staff } = await open();
  const rssBefore = maxRssMb();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const outcome = await runReport(ctx, staff, CSV);
  if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
  const out = `${OUT_DIR}rated-call-detail.csv`;
  const stream = createWriteStream(out);
  for await (const chunk of csvChunks(outcome.value)) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  await handle.close();
  process.stdout.write(
    `${JSON.stringify({
      rows: outcome.value.rowCount,
      ms: elapsed,
      cpuMs: (cpu.user + cpu.system) / 1000,
      bytes: statSync(out).size,
      rssBeforeMb: rssBefore,
      maxRssMb: maxRssMb(),
    })}\n`,
  );
}

/**
 * The CSV writer alone, on 1,000,000 rows made page by page in memory (no database): the export's
 * own speed, and flat memory while the file grows far larger than any page.
 */
async function childCsvWriter(): Promise<void> {
  const rows = Number(process.env.REPORTS_BENCH_WRITER_ROWS ?? 1_000_000);
  const page = 5_000;
  const start = Date.parse('2026-05-23T04:00:00.000Z');
  const types = ['Long distance', 'Local', 'Toll-free', 'Conference'];
  const result = {
    report: { id: 'rated-call-detail', title: 'Rated call detail', category: 'usage', kind: 'detail', description: '' },
    account: { number: '5000001', name: 'Northwind Traders Ltd.' },
    includeChildren: true,
    accountCount: 10,
    period: {
      from: '2026-05-23',
      to: '2026-11-21',
      startUtc: '2026-05-23T04:00:00.000Z',
      endUtc: '2026-11-22T05:00:00.000Z',
      label: '',
    },
    timeZone: 'America/Toronto',
    currency: 'CAD',
    generatedAt: new Date().toISOString(),
    filters: [],
    columns: [
      { key: 'started_at', label: 'Started', type: 'datetime', total: false },
      { key: 'account', label: 'Account', type: 'text', total: false },
      { key: 'call_type', label: 'Call type', type: 'text', total: false },
      { key: 'origin_number', label: 'From', type: 'text', total: false },
      { key: 'destination_number', label: 'To', type: 'text', total: false },
      { key: 'duration', label: 'Duration', type: 'duration', total: true },
      { key: 'charge', label: 'Charge', type: 'money', total: true },
      { key: 'account_code', label: 'Account code', type: 'text', total: false },
    ],
    rowCount: rows,
    totals: [null, null, null, null, null, 0, 0, null],
    async *batches() {
      for (let first = 0; first < rows; first += page) {
        const batch = [];
        for (let i = first; i < first + page; i++) {
          batch.push([
            new Date(start + i * 15_000).toISOString(),
            `500000${i % 10}`,
            types[i % 4]!,
            `+1416555${String(100 + (i % 900)).padStart(4, '0')}`,
            `+1${200 + (i % 700)}555${String(1000 + (i % 9000)).padStart(4, '0')}`,
            (i * 7) % 3600,
            (i * 13) % 2000,
            i % 3 === 0 ? `${1000 + (i % 5)}` : null,
          ]);
        }
        yield batch;
      }
    },
  } as unknown as ReportResult;
  const rssBefore = maxRssMb();
  const started = performance.now();
  const out = `${OUT_DIR}csv-writer.csv`;
  const stream = createWriteStream(out);
  for await (const chunk of csvChunks(result)) {
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  process.stdout.write(
    `${JSON.stringify({ rows, ms: performance.now() - started, bytes: statSync(out).size, rssBeforeMb: rssBefore, maxRssMb: maxRssMb() })}\n`,
  );
  rmSync(out, { force: true });
}

const mode = process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length);
if (mode === 'detail-pdf') await childDetailPdf(false);
else if (mode === 'detail-pdf-warm') await childDetailPdf(true);
else if (mode === 'csv') await childCsv();
else if (mode === 'csv-writer') await childCsvWriter();
else throw new Error(`unknown child mode ${mode}`);

// Report benchmarks on 1,000,000 call records in an SQLite file under bench/out/: a one-month summary for a
// root account with its children to PDF against the bare SQL aggregation it needs, a 10,000-row detail PDF
// (time and peak memory, in a child process), and CSV streaming speed (in a child process too).
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from '../adapters/db/index.js';
import { prepareFonts, renderReportPdf } from '../adapters/pdf/index.js';
import { seedDemoData } from '../fixtures/demo-data/index.js';
import { LATEST_SCHEMA_VERSION } from '../migrations/index.js';
import type { DatabaseHandle } from '../src/db/handle.js';
import { createDomainContext, loadStaffActor, type StaffActor } from '../src/domain/index.js';
import { csvChunks, type ReportResult, type RunReportInput, runReport } from '../src/domain/reports/index.js';

const CDRS = 1_000_000;
const AS_OF = '2026-11-22';
// A compiled copy of this script (see compileForNode) runs from bench/out/js/, so it is told where out/ is.
const OUT_DIR = process.env.REPORTS_BENCH_OUT ?? fileURLToPath(new URL('./out/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DB_PATH = `${OUT_DIR}reports-${CDRS}.db`;
const SCRIPT = fileURLToPath(import.meta.url);
const ROUNDS = 15;

const SUMMARY: RunReportInput = {
  reportId: 'long-distance-summary',
  accountNumber: '5000001',
  includeChildren: true,
  from: '2026-10-01',
  to: '2026-10-31',
  format: 'pdf',
};
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (start: number) => performance.now() - start;
const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function openBenchDatabase(): Promise<DatabaseHandle> {
  mkdirSync(OUT_DIR, { recursive: true });
  if (existsSync(DB_PATH)) {
    const handle = await openDatabase({ engine: 'sqlite', path: DB_PATH });
    const version = await sql<{ name: string }>`select max(name) as name from kysely_migration`
      .execute(handle.db)
      .then((r) => r.rows[0]?.name)
      .catch(() => undefined);
    const count = await handle.db
      .selectFrom('call_detail_records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst()
      .catch(() => undefined);
    if (version === LATEST_SCHEMA_VERSION && Number(count?.n) === CDRS) return handle;
    await handle.close();
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${DB_PATH}${suffix}`, { force: true });
  const handle = await openDatabase({ engine: 'sqlite', path: DB_PATH });
  await migrateToLatest(handle.db);
  process.stdout.write(`seeding ${CDRS.toLocaleString('en-US')} call records into ${DB_PATH}… `);
  const summary = await seedDemoData(handle, { cdrs: CDRS, asOf: AS_OF });
  process.stdout.write(`${(summary.milliseconds / 1000).toFixed(1)} s\n`);
  return handle;
}

async function actorOf(
  handle: DatabaseHandle,
): Promise<{ ctx: ReturnType<typeof createDomainContext>; staff: StaffActor }> {
  const ctx = createDomainContext(handle.db, () => new Date(`${AS_OF}T15:00:00.000Z`));
  const staff = await loadStaffActor(ctx, 'care@provider.example');
  if (!staff) throw new Error('the bench database has no care@provider.example');
  return { ctx, staff };
}

/** The aggregation the summary needs, written by hand: the floor the report is measured against. */
async function bareAggregation(handle: DatabaseHandle): Promise<number> {
  const rows = await sql<{ number: string; calls: number }>`
    with recursive tree(id) as (
      select id from accounts where number = '5000001'
      union all select a.id from accounts a join tree t on a.parent_id = t.id)
    select a.number, a.name, count(*) as calls, sum(c.duration_seconds) as duration, sum(c.charge_cents) as charge
    from call_detail_records c join accounts a on a.id = c.account_id
    where c.account_id in (select id from tree)
      and c.started_at >= '2026-10-01T04:00:00.000Z' and c.started_at < '2026-11-01T04:00:00.000Z'
      and c.call_type = 'long_distance'
    group by a.number, a.name order by a.number`.execute(handle.db);
  return rows.rows.length;
}

async function summaryToPdf(handle: DatabaseHandle): Promise<number> {
  const { ctx, staff } = await actorOf(handle);
  const outcome = await runReport(ctx, staff, SUMMARY);
  if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
  return (await renderReportPdf(outcome.value)).byteLength;
}

type Runtime = 'tsx' | 'node';

/**
 * The project runs under tsx, whose loader (a worker thread) and on-the-fly compilation cost ~40 MB of RSS
 * before any work. To see the report's own footprint the children also run as plain JavaScript: this
 * script and what it imports compiled with tsc into bench/out/js/.
 */
function compileForNode(): string {
  const outDir = `${OUT_DIR}js`;
  const tsc = spawnSync(
    process.execPath,
    [
      `${ROOT}node_modules/typescript/bin/tsc`,
      '--outDir',
      outDir,
      '--rootDir',
      ROOT,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--esModuleInterop',
      '--resolveJsonModule',
      '--verbatimModuleSyntax',
      '--types',
      'node',
      SCRIPT,
    ],
    { encoding: 'utf8' },
  );
  if (tsc.status !== 0) throw new Error(`compiling the bench failed: ${tsc.stdout}${tsc.stderr}`);
  return `${outDir}/bench/reports-bench.js`;
}

let compiled: string | undefined;

function child(mode: string, runtime: Runtime): Record<string, number> {
  if (runtime === 'node' && compiled === undefined) compiled = compileForNode();
  const args = runtime === 'tsx' ? ['--import', 'tsx', SCRIPT] : [compiled as string];
  const run = spawnSync(process.execPath, [...args, `--child=${mode}`], {
    encoding: 'utf8',
    env: { ...process.env, REPORTS_BENCH_OUT: OUT_DIR },
  });
  if (run.status !== 0) throw new Error(`child ${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

/** Child: the 10,000-row detail report to a PDF file; prints timings and the process's peak RSS. */
async function childDetailPdf(warm: boolean): Promise<void> {
  const handle = await openDatabase({ engine: 'sqlite', path: DB_PATH });
  const { ctx, staff } = await actorOf(handle);
  // A running service prepares its fonts at start (adapters/runtime/node.ts); a one-shot CLI run does not.
  if (warm) await prepareFonts();
  const rssBefore = maxRssMb();
  const started = performance.now();
  const outcome = await runReport(ctx, staff, DETAIL);
  if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
  const queried = performance.now();
  const bytes = await renderReportPdf(outcome.value);
  const rendered = performance.now();
  const out = `${OUT_DIR}detail-10000.pdf`;
  const stream = createWriteStream(out);
  stream.end(bytes);
  await once(stream, 'finish');
  await handle.close();
  process.stdout.write(
    `${JSON.stringify({
      rows: outcome.value.rowCount,
      totalMs: performance.now() - started,
      runMs: queried - started,
      renderMs: rendered - queried,
      bytes: bytes.byteLength,
      rssBeforeMb: rssBefore,
      maxRssMb: maxRssMb(),
    })}\n`,
  );
}

/** Child: the detail report streamed to a CSV file, from the database, page by page. */
async function childCsv(): Promise<void> {
  const handle = await openDatabase({ engine: 'sqlite', path: DB_PATH });
  const { ctx, staff } = await actorOf(handle);
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
 * Child: the CSV writer alone, on 1,000,000 rows made page by page in memory (no database): the export's
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

async function main(): Promise<void> {
  const mode = process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length);
  if (mode === 'detail-pdf') return childDetailPdf(false);
  if (mode === 'detail-pdf-warm') return childDetailPdf(true);
  if (mode === 'csv') return childCsv();
  if (mode === 'csv-writer') return childCsvWriter();

  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const handle = await openBenchDatabase();
  process.stdout.write(
    `machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`,
  );
  process.stdout.write(`database: SQLite ${DB_PATH} (${CDRS.toLocaleString('en-US')} call records)\n\n`);

  // As in the running service (adapters/runtime/node.ts), the fonts are prepared once at start.
  await prepareFonts();
  // Warm both paths once (page cache, prepared statements), then alternate.
  await bareAggregation(handle);
  await summaryToPdf(handle);
  const sqlTimes: number[] = [];
  const pdfTimes: number[] = [];
  const sqlCpu: number[] = [];
  const pdfCpu: number[] = [];
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
  };
  let pdfBytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let cpu = process.cpuUsage();
    let start = performance.now();
    await bareAggregation(handle);
    sqlTimes.push(ms(start));
    sqlCpu.push(cpuMs(cpu));
    cpu = process.cpuUsage();
    start = performance.now();
    pdfBytes = await summaryToPdf(handle);
    pdfTimes.push(ms(start));
    pdfCpu.push(cpuMs(cpu));
  }
  await handle.close();
  const sqlMs = median(sqlTimes);
  const pdfMs = median(pdfTimes);
  process.stdout.write(
    `summary (long-distance-summary, 5000001 + children, October 2026), median of ${ROUNDS}:\n` +
      `  bare SQL aggregation      ${sqlMs.toFixed(1)} ms (CPU ${median(sqlCpu).toFixed(1)} ms)\n` +
      `  report end to end to PDF  ${pdfMs.toFixed(1)} ms (CPU ${median(pdfCpu).toFixed(1)} ms), ${pdfBytes.toLocaleString('en-US')} bytes\n` +
      `  ratio                     ${(pdfMs / sqlMs).toFixed(2)}× wall, ${(median(pdfCpu) / median(sqlCpu)).toFixed(2)}× CPU (target ≤ 1.5×)\n\n`,
  );

  if (only === 'summary') return;
  const variants = [
    ['detail-pdf', 'node', 'plain node (tsc-compiled), fonts subset for this document as a one-shot CLI run does'],
    ['detail-pdf', 'tsx', 'under tsx as npm start runs, fonts subset for this document'],
    ['detail-pdf-warm', 'tsx', 'under tsx, fonts prepared beforehand as the running service has them'],
  ] as const;
  for (const [mode, runtime, label] of variants) {
    const runs = Array.from({ length: 3 }, () => child(mode, runtime));
    const d = (key: string) => median(runs.map((r) => r[key]!));
    process.stdout.write(
      `detail PDF (rated-call-detail, ${d('rows').toLocaleString('en-US')} rows), median of 3 child processes (${label}):\n` +
        `  total ${d('totalMs').toFixed(0)} ms (query ${d('runMs').toFixed(0)} ms, render ${d('renderMs').toFixed(0)} ms), ` +
        `${(d('bytes') / 1e6).toFixed(2)} MB, peak RSS ${d('maxRssMb')} MB (${d('rssBeforeMb')} MB before the report)\n`,
    );
  }
  process.stdout.write('\n');

  for (const runtime of ['node', 'tsx'] as const) {
    const runs = Array.from({ length: 3 }, () => child('csv', runtime));
    const c = (key: string) => median(runs.map((r) => r[key]!));
    process.stdout.write(
      `CSV from the database (rated-call-detail, 5000001 + children, 6 months), median of 3 (${runtime}):\n` +
        `  ${c('rows').toLocaleString('en-US')} rows in ${c('ms').toFixed(0)} ms = ${Math.round((c('rows') / c('ms')) * 1000).toLocaleString('en-US')} rows/s ` +
        `(CPU ${c('cpuMs').toFixed(0)} ms), ${(c('bytes') / 1e6).toFixed(1)} MB file, peak RSS ${c('maxRssMb')} MB (${c('rssBeforeMb')} MB before)\n`,
    );
  }
  const writerRuns = Array.from({ length: 3 }, () => child('csv-writer', 'node'));
  const w = (key: string) => median(writerRuns.map((r) => r[key]!));
  process.stdout.write(
    `CSV writer alone (1,000,000 rows made in memory page by page, no database), median of 3 (node):\n` +
      `  ${Math.round((w('rows') / w('ms')) * 1000).toLocaleString('en-US')} rows/s, ${(w('bytes') / 1e6).toFixed(1)} MB file, ` +
      `peak RSS ${w('maxRssMb')} MB (${w('rssBeforeMb')} MB before)\n`,
  );
}

await main();

// Report benchmarks on 1,000,000 call records in an SQLite file under bench/out/: a one-month summary for a
// root account with its children to PDF against the bare SQL aggregation it needs, a 10,000-row detail PDF
// (time and peak memory, in a child process), and CSV streaming speed (in a child process too).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from '../adapters/db/index.js';
import { prepareFonts, renderReportPdf } from '../adapters/pdf/index.js';
import { seedDemoData } from '../fixtures/demo-data/index.js';
import { LATEST_SCHEMA_VERSION } from '../migrations/index.js';
import type { DatabaseHandle } from '../src/db/handle.js';
import { createDomainContext, loadStaffActor, type StaffActor } from '../src/domain/index.js';
import { type RunReportInput, runReport } from '../src/domain/reports/index.js';

const CDRS = 1_000_000;
const AS_OF = '2026-11-22';
const OUT_DIR = process.env.REPORTS_BENCH_OUT ?? fileURLToPath(new URL('./out/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DB_PATH = `${OUT_DIR}reports-${CDRS}.db`;
// The children run a separate, slim entry point (see its header); its compiled copy (see compileForNode)
// runs from bench/out/js/, so it is told where out/ is.
const CHILD_SCRIPT = fileURLToPath(new URL('./reports-bench-child.ts', import.meta.url));
const ROUNDS = 15;

const SUMMARY: RunReportInput = {
  reportId: 'long-distance-summary',
  accountNumber: '5000001',
  includeChildren: true,
  from: '2026-10-01',
  to: '2026-10-31',
  format: 'pdf',
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (start: number) => performance.now() - start;

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
  const ctx = createDomainContext(handle, () => new Date(`${AS_OF}T15:00:00.000Z`));
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
 * before any work. To see the report's own footprint the children also run as plain JavaScript: the child
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
      CHILD_SCRIPT,
    ],
    { encoding: 'utf8' },
  );
  if (tsc.status !== 0) throw new Error(`compiling the bench failed: ${tsc.stdout}${tsc.stderr}`);
  return `${outDir}/bench/reports-bench-child.js`;
}

let compiled: string | undefined;

function child(mode: string, runtime: Runtime, nodeFlags: readonly string[] = []): Record<string, number> {
  if (runtime === 'node' && compiled === undefined) compiled = compileForNode();
  const args = runtime === 'tsx' ? ['--import', 'tsx', CHILD_SCRIPT] : [compiled as string];
  const run = spawnSync(process.execPath, [...nodeFlags, ...args, `--child=${mode}`], {
    encoding: 'utf8',
    env: { ...process.env, REPORTS_BENCH_OUT: OUT_DIR },
  });
  if (run.status !== 0) throw new Error(`child ${mode} failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  return { ...result, deltaMb: result.maxRssMb! - result.rssBeforeMb! };
}

async function main(): Promise<void> {
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
  const range = (values: number[], digits = 0) => {
    const sorted = [...values].sort((a, b) => a - b);
    const [low, high] = [sorted[0]!.toFixed(digits), sorted.at(-1)!.toFixed(digits)];
    return low === high ? low : `${low}–${high}`;
  };
  const variants: [string, Runtime, string[], string][] = [
    ['detail-pdf', 'node', [], 'plain node (tsc-compiled), fonts subset for this document as a one-shot CLI run does'],
    ['detail-pdf-warm', 'node', [], 'plain node, fonts prepared beforehand as a long-running report worker has them'],
    [
      'detail-pdf',
      'node',
      ['--max-semi-space-size=4'],
      'plain node with --max-semi-space-size=4 (a V8 flag a report worker could run with), fonts subset',
    ],
    ['detail-pdf', 'tsx', [], 'under tsx as npm start runs, fonts subset for this document'],
    ['detail-pdf-warm', 'tsx', [], 'under tsx, fonts prepared beforehand as the running service has them'],
  ];
  for (const [mode, runtime, flags, label] of variants) {
    const runs = Array.from({ length: 5 }, () => child(mode, runtime, flags));
    const d = (key: string) => median(runs.map((r) => r[key]!));
    const all = (key: string) => range(runs.map((r) => r[key]!));
    process.stdout.write(
      `detail PDF (rated-call-detail, ${d('rows').toLocaleString('en-US')} rows), 5 child processes (${label}):\n` +
        `  total ${all('totalMs')} ms (median ${d('totalMs').toFixed(0)}; CPU ${d('cpuMs').toFixed(0)} ms; query ${d('runMs').toFixed(0)} ms, ` +
        `render ${d('renderMs').toFixed(0)} ms), ${(d('bytes') / 1e6).toFixed(2)} MB, peak RSS ${all('maxRssMb')} MB ` +
        `(${all('rssBeforeMb')} MB before the report; +${all('deltaMb')} MB)\n`,
    );
  }
  process.stdout.write('\n');

  for (const runtime of ['node', 'tsx'] as const) {
    const runs = Array.from({ length: 5 }, () => child('csv', runtime)).map(
      (r): Record<string, number> => ({ ...r, rowsPerSecond: (r.rows! / r.ms!) * 1000 }),
    );
    const c = (key: string) => median(runs.map((r) => r[key]!));
    const all = (key: string) => range(runs.map((r) => r[key]!));
    process.stdout.write(
      `CSV from the database (rated-call-detail, 5000001 + children, 6 months), 5 child processes (${runtime}):\n` +
        `  ${c('rows').toLocaleString('en-US')} rows in ${all('ms')} ms = ${range(runs.map((r) => r.rowsPerSecond! / 1000))}k rows/s ` +
        `(median ${Math.round(c('rowsPerSecond')).toLocaleString('en-US')}; CPU ${all('cpuMs')} ms), ${(c('bytes') / 1e6).toFixed(1)} MB file, ` +
        `peak RSS ${all('maxRssMb')} MB (${all('rssBeforeMb')} MB before; +${all('deltaMb')} MB)\n`,
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

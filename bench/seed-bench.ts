// Times seedDemoData on fresh databases: SQLite files under bench/out/, and PostgreSQL when TEST_POSTGRES_URL is set.
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { migrateToLatest, openDatabase } from '../adapters/db/index.js';
import { seedDemoData } from '../fixtures/demo-data/index.js';
import type { DatabaseHandle, Engine } from '../src/db/handle.js';
import { createTestDatabase, POSTGRES_URL } from '../test/support/databases.js';

const AS_OF = '2026-11-22';
const SIZES = [20_000, 1_000_000];

interface Result {
  engine: Engine;
  cdrs: number;
  seedMs: number;
  rows: number;
  maxRssMb: number;
}

async function countRows(handle: DatabaseHandle): Promise<number> {
  const row = await handle.db
    .selectFrom('call_detail_records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function onSqlite(cdrs: number): Promise<Result> {
  const path = fileURLToPath(new URL(`./out/seed-${cdrs}.db`, import.meta.url));
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  const handle = await openDatabase({ engine: 'sqlite', path });
  try {
    await migrateToLatest(handle.db);
    const summary = await seedDemoData(handle, { cdrs, asOf: AS_OF });
    return {
      engine: 'sqlite',
      cdrs,
      seedMs: summary.milliseconds,
      rows: await countRows(handle),
      maxRssMb: maxRssMb(),
    };
  } finally {
    await handle.close();
  }
}

async function onPostgres(cdrs: number): Promise<Result> {
  const { handle, drop } = await createTestDatabase('postgres');
  try {
    const summary = await seedDemoData(handle, { cdrs, asOf: AS_OF });
    return {
      engine: 'postgres',
      cdrs,
      seedMs: summary.milliseconds,
      rows: await countRows(handle),
      maxRssMb: maxRssMb(),
    };
  } finally {
    await drop();
  }
}

function maxRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

const results: Result[] = [];
for (const cdrs of SIZES) results.push(await onSqlite(cdrs));
if (POSTGRES_URL) {
  for (const cdrs of SIZES) results.push(await onPostgres(cdrs));
} else {
  console.log('TEST_POSTGRES_URL is not set: PostgreSQL skipped');
}

console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), asOf ${AS_OF}`);
console.log('| engine | CDRs | seed time | CDRs/s | CDR rows checked | peak RSS so far |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  const perSecond = Math.round(r.cdrs / (r.seedMs / 1000));
  console.log(
    `| ${r.engine} | ${r.cdrs.toLocaleString('en-US')} | ${(r.seedMs / 1000).toFixed(2)} s | ${perSecond.toLocaleString('en-US')} | ${r.rows.toLocaleString('en-US')} | ${r.maxRssMb} MB |`,
  );
}

// Detail rows are read through the database handle's row reader (the driver's array mode): on every engine
// it must return what Kysely returns, and the reports and CSV files built on it must not change by a byte.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { kyselyRowReader } from '../../src/db/row-reader.js';
import * as domain from '../../src/domain/index.js';
import type { DomainContext, StaffActor } from '../../src/domain/index.js';
import { csvBytes, type ReportRow, type RunReportInput, runReport } from '../../src/domain/reports/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';

const AS_OF = '2026-11-22';
const NOW = new Date(`${AS_OF}T15:00:00.000Z`);

/**
 * The CSV files of the seeded demo (3,000 call records) as the exporter wrote them before rows were read
 * as arrays (row objects through Kysely, the reports code of commit 57a7e8f): their length and SHA-256.
 */
const CSV_BEFORE: { input: RunReportInput; rows: number; bytes: number; sha256: string }[] = [
  {
    input: {
      reportId: 'rated-call-detail',
      accountNumber: '5000001',
      includeChildren: true,
      from: '2026-05-23',
      to: '2026-11-21',
    },
    rows: 995,
    bytes: 81_890,
    sha256: '9166522c444e5f80436cf5869ac72c7e96cadfd45cd6df7d06e3e4c2dcc124d0',
  },
  {
    input: {
      reportId: 'rated-call-detail',
      accountNumber: '5000001',
      includeChildren: true,
      from: '2026-05-23',
      to: '2026-11-21',
      limit: 250,
    },
    rows: 250,
    bytes: 20_689,
    sha256: 'f2bc4a9e7d257f6177013563091d6b4d189f10a4f7522b170847d35fd93261d1',
  },
  {
    input: {
      reportId: 'long-distance-detail',
      accountNumber: '5000001',
      includeChildren: true,
      from: '2026-09-01',
      to: '2026-10-31',
    },
    rows: 165,
    bytes: 12_001,
    sha256: 'f7c85348e23e0e2234164cbf85e2795e4b6540cd32270b0f87237db003d86f1c',
  },
];

/** More tagged calls than one keyset page (5,000 rows) for Cascadia (8000001), outside the 5000001 tree. */
const EXTRA_CALLS = 6_200;

async function allRows(ctx: DomainContext, actor: StaffActor, input: RunReportInput) {
  const run = await runReport(ctx, actor, input);
  if (run.kind !== 'ok') throw new Error(JSON.stringify(run));
  const rows: ReportRow[] = [];
  let pages = 0;
  for await (const batch of run.value.batches()) {
    pages++;
    rows.push(...batch.map((row) => [...row]));
  }
  return { result: run.value, rows, pages };
}

describe.each(ENGINES)('detail rows read as arrays on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let fast: DomainContext;
  let portable: DomainContext;
  let care: StaffActor;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 3000, asOf: AS_OF });
    fast = domain.createDomainContext(handle, () => NOW);
    // A bare Kysely instance: rows are read as objects through Kysely and turned into arrays.
    portable = domain.createDomainContext(handle.db, () => NOW);
    care = (await domain.loadStaffActor(fast, 'care@provider.example')) as StaffActor;

    const account = await handle.db
      .selectFrom('accounts')
      .select('id')
      .where('number', '=', '8000001')
      .executeTakeFirstOrThrow();
    const service = await handle.db
      .selectFrom('services')
      .select('id')
      .where('account_id', '=', account.id)
      .where('type', '=', 'voice_line')
      .executeTakeFirstOrThrow();
    const start = Date.parse('2026-10-01T12:00:00.000Z');
    await handle.bulkInsert(
      'call_detail_records',
      [
        'id',
        'account_id',
        'service_id',
        'origin_number',
        'destination_number',
        'started_at',
        'duration_seconds',
        'charge_cents',
        'account_code',
        'call_type',
      ],
      Array.from({ length: EXTRA_CALLS }, (_, i) => [
        20_000_000 + i,
        account.id,
        service.id,
        '+16045550100',
        `+1416555${String(1000 + (i % 9000)).padStart(4, '0')}`,
        // Several calls share each second, so the keyset's id tie-break is exercised too.
        new Date(start + Math.floor(i / 3) * 1000).toISOString(),
        30 + (i % 600),
        5 + (i % 250),
        // Codes cycle, so pages split inside a code; one in seven has an empty code (shown as a blank).
        i % 7 === 0 ? '' : `CC-${i % 5}`,
        i % 2 === 0 ? 'long_distance' : 'local',
      ]),
    );
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  it('returns the same arrays as reading the row objects through Kysely, nulls, numbers and parameters included', async () => {
    const query = handle.db
      .selectFrom('call_detail_records as c')
      .innerJoin('accounts as a', 'a.id', 'c.account_id')
      .select([
        sql<string>`c.started_at`.as('f0'),
        sql<number>`c.account_id`.as('f1'),
        sql<string | null>`c.account_code`.as('f2'),
        sql<number>`c.charge_cents`.as('f3'),
        sql<string>`a.name`.as('f4'),
        sql<number>`c.duration_seconds * 2`.as('f5'),
      ])
      .where('a.number', 'in', ['5000001', '5000002', '8000001'])
      .where('c.started_at', '>=', '2026-10-01T00:00:00.000Z')
      .where('c.started_at', '<', '2026-10-08T00:00:00.000Z')
      .orderBy('c.started_at')
      .orderBy('c.id');
    const objects = await query.execute();
    const arrays = await handle.rows.readArrays(query.compile());
    expect(objects.length).toBeGreaterThan(100);
    expect(arrays).toEqual(objects.map((r) => [r.f0, r.f1, r.f2, r.f3, r.f4, r.f5]));
    expect(arrays.some((r) => r[2] === null)).toBe(true);
    expect(arrays.every((r) => typeof r[1] === 'number' && typeof r[3] === 'number')).toBe(true);
    expect(await kyselyRowReader(handle.db).readArrays(query.compile())).toEqual(arrays);
  });

  it('reads aggregates as numbers, and runs one SQL text again with new parameters', async () => {
    const totals = (from: string) =>
      handle.db
        .selectFrom('call_detail_records')
        .select([sql<number>`count(*)`.as('n'), sql<number>`sum(charge_cents)`.as('charge')])
        .where('started_at', '>=', from);
    for (const from of ['2026-06-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']) {
      const object = await totals(from).executeTakeFirstOrThrow();
      const [row] = await handle.rows.readArrays(totals(from).compile());
      expect(row).toEqual([Number(object.n), object.charge === null ? null : Number(object.charge)]);
      expect(typeof row![0]).toBe('number');
    }
  });

  it('leaves the connection free between pages', async () => {
    const page = handle.db.selectFrom('accounts').select(['id', 'number']).orderBy('id').limit(3);
    const first = await handle.rows.readArrays(page.compile());
    // Another query while the caller still holds the first page: nothing was left open.
    const count = await handle.db
      .selectFrom('accounts')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBeGreaterThan(3);
    expect(await handle.rows.readArrays(page.compile())).toEqual(first);
  });

  it.each([
    ['time windows', { reportId: 'rated-call-detail', accountNumber: '8000001', from: '2026-09-01', to: '2026-11-21' }],
    [
      'keyset pages over two sort keys',
      { reportId: 'account-code-detail', accountNumber: '8000001', from: '2026-09-01', to: '2026-11-21' },
    ],
    [
      'a row limit',
      {
        reportId: 'account-code-detail',
        accountNumber: '8000001',
        from: '2026-09-01',
        to: '2026-11-21',
        limit: 777,
      },
    ],
    [
      'several accounts named from the map',
      {
        reportId: 'rated-call-detail',
        accountNumber: '5000001',
        includeChildren: true,
        from: '2026-06-01',
        to: '2026-11-21',
      },
    ],
  ] as [string, RunReportInput][])('gives the same report rows as reading through Kysely: %s', async (_, input) => {
    const viaArrays = await allRows(fast, care, input);
    const viaKysely = await allRows(portable, care, input);
    expect(viaArrays.rows).toEqual(viaKysely.rows);
    expect(viaArrays.rows.length).toBe(viaArrays.result.rowCount);
    expect(viaArrays.result.totals).toEqual(viaKysely.result.totals);
    // Rows are exactly the report's columns wide (keyset keys read after them are cut off).
    expect(viaArrays.rows.every((row) => row.length === viaArrays.result.columns.length)).toBe(true);
    if (input.reportId === 'account-code-detail' && input.limit === undefined) {
      expect(viaArrays.pages).toBeGreaterThan(1);
      expect(viaArrays.rows.length).toBeGreaterThan(5_000);
      // In code order across the page breaks (blank codes, read as null, sort first).
      const codes = viaArrays.rows.map((row) => row[0] ?? '');
      expect(codes).toEqual([...codes].sort());
    }
    if (input.reportId === 'rated-call-detail' && input.accountNumber === '8000001') {
      expect(viaArrays.pages).toBeGreaterThan(1);
      // Empty account codes read as null, call types as their labels.
      expect(viaArrays.rows.some((row) => row[7] === null)).toBe(true);
      const types = [...new Set(viaArrays.rows.map((row) => row[2]))];
      expect(types).toEqual(expect.arrayContaining(['Long distance', 'Local']));
      expect(types.every((type) => typeof type === 'string' && !type.includes('_'))).toBe(true);
    }
  });

  it.each(CSV_BEFORE)(
    'writes the same CSV bytes as before for $input.reportId (limit $input.limit)',
    async (expected) => {
      const run = await runReport(fast, care, expected.input);
      if (run.kind !== 'ok') throw new Error(JSON.stringify(run));
      expect(run.value.rowCount).toBe(expected.rows);
      const bytes = await csvBytes(run.value);
      expect(bytes.byteLength).toBe(expected.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(expected.sha256);
    },
  );
});

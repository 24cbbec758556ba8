// How reports behave at the edges, on every engine: zone boundaries, spreadsheet injection, invoices,
// bad input, too-long PDFs, custom reports, and schedules run once by two scheduler instances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/db/index.js';
import { pdfRenderers } from '../../adapters/pdf/index.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import * as domain from '../../src/domain/index.js';
import type { CustomerActor, DomainContext, StaffActor } from '../../src/domain/index.js';
import {
  createConversationDelivery,
  createReportScheduler,
  csvBytes,
  type DeliveredReportPayload,
  deleteCustomReport,
  deleteScheduledReport,
  exportReport,
  getInvoicePdf,
  listCustomReports,
  listScheduledReports,
  MAX_PDF_ROWS,
  type ReportResult,
  type ReportRow,
  reportTable,
  runReport,
  saveCustomReport,
  scheduleReport,
} from '../../src/domain/reports/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';
import { parseCsv, pdfText, qpdfCheck } from '../support/pdf-tools.js';

const AS_OF = '2026-11-22';
const NOW = new Date(`${AS_OF}T15:00:00.000Z`);

async function allRows(result: ReportResult): Promise<ReportRow[]> {
  const rows: ReportRow[] = [];
  for await (const batch of result.batches()) rows.push(...batch);
  return rows;
}

describe.each(ENGINES)('report behaviour on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let url: string;
  let ctx: DomainContext;
  let admin: CustomerActor;
  let acme: CustomerActor;
  let billingUser: CustomerActor;
  let care: StaffActor;
  const ids: Record<string, number> = {};
  let nextCdrId = 10_000_000;

  /** Adds call records of an account at exact instants (the demo's calls are all after May 2026). */
  async function addCalls(
    accountNumber: string,
    calls: { at: string; type?: string; code?: string | null; charge?: number }[],
  ) {
    const service = await handle.db
      .selectFrom('services')
      .select('id')
      .where('account_id', '=', ids[accountNumber]!)
      .where('type', '=', 'voice_line')
      .executeTakeFirstOrThrow();
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
      calls.map((c) => [
        nextCdrId++,
        ids[accountNumber]!,
        service.id,
        '+16045550100',
        '+14165550199',
        c.at,
        60,
        c.charge ?? 25,
        c.code ?? null,
        c.type ?? 'long_distance',
      ]),
    );
  }

  beforeAll(async () => {
    ({ handle, drop, url } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 2000, asOf: AS_OF });
    ctx = domain.createDomainContext(handle, () => NOW);
    admin = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as CustomerActor;
    acme = (await domain.loadCustomerActor(ctx, 'admin@acme.example')) as CustomerActor;
    billingUser = (await domain.loadCustomerActor(ctx, 'ap@northwind.example')) as CustomerActor;
    care = (await domain.loadStaffActor(ctx, 'care@provider.example')) as StaffActor;
    for (const a of await handle.db.selectFrom('accounts').select(['id', 'number']).execute()) ids[a.number] = a.id;
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  describe('time zones', () => {
    it('puts a March report in America/Vancouver from 08:00 UTC on March 1 to 07:00 UTC on April 1', async () => {
      await addCalls('8000001', [
        { at: '2026-03-01T07:59:59.000Z' }, // Feb 28, 23:59:59 PST: February
        { at: '2026-03-01T08:00:00.000Z' }, // Mar 1, 00:00:00 PST: the first second of March
        { at: '2026-04-01T06:59:59.000Z' }, // Mar 31, 23:59:59 PDT: the last second of March
        { at: '2026-04-01T07:00:00.000Z' }, // Apr 1, 00:00:00 PDT: April
      ]);
      const march = await runReport(ctx, care, {
        reportId: 'long-distance-detail',
        accountNumber: '8000001',
        from: '2026-03-01',
        to: '2026-03-31',
      });
      if (march.kind !== 'ok') throw new Error(JSON.stringify(march));
      expect(march.value.timeZone).toBe('America/Vancouver');
      expect(march.value.period).toMatchObject({
        startUtc: '2026-03-01T08:00:00.000Z',
        endUtc: '2026-04-01T07:00:00.000Z',
        label: 'March 2026',
      });
      const table = await reportTable(march.value);
      expect(table.columns[0]).toBe('Started (America/Vancouver)');
      expect(table.rows.map((r) => r[0])).toEqual(['2026-03-01 00:00:00', '2026-03-31 23:59:59']);

      // The same days in UTC are other instants, so other calls.
      const utc = await runReport(ctx, care, {
        reportId: 'long-distance-detail',
        accountNumber: '8000001',
        from: '2026-03-01',
        to: '2026-03-31',
        timeZone: 'UTC',
      });
      if (utc.kind !== 'ok') throw new Error(JSON.stringify(utc));
      expect((await reportTable(utc.value)).rows.map((r) => r[0])).toEqual([
        '2026-03-01 07:59:59',
        '2026-03-01 08:00:00',
      ]);
    });

    it('counts a call on the local day of the week, for whole-hour and half-hour zones alike', async () => {
      // Sunday Jan 4 2026, 23:30 in Vancouver (PST) is Monday 07:30 UTC.
      await addCalls('8000001', [{ at: '2026-01-05T07:30:00.000Z' }]);
      const vancouver = await runReport(ctx, care, {
        reportId: 'day-of-week-summary',
        accountNumber: '8000001',
        from: '2026-01-01',
        to: '2026-01-31',
      });
      if (vancouver.kind !== 'ok') throw new Error(JSON.stringify(vancouver));
      const rows = await allRows(vancouver.value);
      expect(rows.map((r) => r[0])).toEqual([
        'Monday',
        'Tuesday',
        'Wednesday',
        'Thursday',
        'Friday',
        'Saturday',
        'Sunday',
      ]);
      expect(rows.find((r) => r[0] === 'Sunday')?.[1]).toBe(1);
      expect(rows.find((r) => r[0] === 'Monday')?.[1]).toBe(0);
      // St. John's is UTC−3:30: 03:20 UTC is 23:50 Sunday, 03:40 UTC is 00:10 Monday.
      await addCalls('6000003', [{ at: '2026-01-05T03:20:00.000Z' }, { at: '2026-01-05T03:40:00.000Z' }]);
      const stJohns = await runReport(ctx, care, {
        reportId: 'day-of-week-summary',
        accountNumber: '6000003',
        from: '2026-01-01',
        to: '2026-01-31',
      });
      if (stJohns.kind !== 'ok') throw new Error(JSON.stringify(stJohns));
      const counts = Object.fromEntries((await allRows(stJohns.value)).map((r) => [r[0], r[1]]));
      expect(counts).toMatchObject({ Sunday: 1, Monday: 1 });
    });
  });

  it('guards CSV cells that a spreadsheet would run as formulas, and quotes commas and quotes', async () => {
    const nasty = [
      '=HYPERLINK("http://evil.example","click")',
      "+cmd|' /C calc'!A0",
      '-2+3',
      '@SUM(A1:A9)',
      '\tindent',
      'a,"b"',
    ];
    await addCalls(
      '5000002',
      nasty.map((code, i) => ({ at: `2026-02-0${i + 1}T15:00:00.000Z`, code })),
    );
    const outcome = await runReport(ctx, admin, {
      reportId: 'account-code-detail',
      accountNumber: '5000002',
      from: '2026-02-01',
      to: '2026-02-28',
    });
    if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
    const text = new TextDecoder().decode(await csvBytes(outcome.value));
    const table = parseCsv(text);
    expect(table[0]?.[0]).toBe('Account code');
    const codes = table.slice(1, -1).map((row) => row[0]);
    expect(codes.sort()).toEqual(
      [
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        '\'=HYPERLINK("http://evil.example","click")',
        "'@SUM(A1:A9)",
        "'\tindent",
        'a,"b"',
      ].sort(),
    );
    for (const cell of table.slice(1, -1).flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(text).toContain('"a,""b"""');
    expect(text.split('\r\n').length).toBe(table.length + 1);
  });

  it('renders any invoice as a PDF with its address, lines by category, taxes, total and due date', async () => {
    const invoice = await handle.db
      .selectFrom('invoices')
      .selectAll()
      .where('number', '=', 'INV-7000002-2026-10')
      .executeTakeFirstOrThrow();
    const file = await getInvoicePdf(ctx, care, { invoiceNumber: invoice.number }, pdfRenderers);
    if (file.kind !== 'ok') throw new Error(JSON.stringify(file));
    expect(file.value).toMatchObject({ filename: 'inv-7000002-2026-10.pdf', mediaType: 'application/pdf' });
    expect(qpdfCheck(file.value.content).ok).toBe(true);
    const text = pdfText(file.value.content);
    const account = await handle.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', invoice.account_id)
      .executeTakeFirstOrThrow();
    const money = (cents: number) =>
      (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    for (const expected of [
      'Invoice',
      invoice.number,
      account.name, // accented: Laurentide Énergie — Bureau de Québec
      account.billing_street,
      `${account.billing_city} ${account.billing_region} ${account.billing_postal_code}`,
      'Monthly charges',
      'Usage',
      'GST 5%',
      'QST 9.975%',
      `${money(invoice.total_cents)} CAD`,
      `${money(invoice.tax_cents)} CAD`,
      `Total due by ${invoice.due_date}`,
      'Page 1 of',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toContain('Québec');
    const lines = await handle.db
      .selectFrom('invoice_lines')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .execute();
    for (const line of lines.filter((l) => l.bill_category !== 'taxes'))
      expect(text).toContain(money(line.amount_cents));

    // Another organisation's invoice does not exist for a customer.
    expect((await getInvoicePdf(ctx, acme, { invoiceNumber: invoice.number }, pdfRenderers)).kind).toBe('not_found');
  });

  describe('bad input gives a clear message and no file', () => {
    const base = { reportId: 'long-distance-summary', accountNumber: '5000001', from: '2026-10-01', to: '2026-10-31' };
    it.each([
      [{ reportId: 'long-distance-sumary' }, 'invalid', /no report called "long-distance-sumary"/],
      [{ from: '2026-10-31', to: '2026-10-01' }, 'invalid', /ends \(2026-10-01\) before it starts \(2026-10-31\)/],
      [{ from: '2025-01-01', to: '2026-10-31' }, 'invalid', /at most 13 months/],
      [{ from: '2026-13-01' }, 'invalid', /calendar date/],
      [{ timeZone: 'Mars/Olympus_Mons' }, 'invalid', /"Mars\/Olympus_Mons" is not a time zone/],
      [{ filters: { colour: 'blue' } }, 'invalid', /no filter "colour"/],
      [{ accountNumber: '1002346' }, 'not_found', null],
      [{ accountNumber: '9999999' }, 'not_found', null],
    ])('%j → %s', async (change, kind, message) => {
      const renders: string[] = [];
      const outcome = await exportReport(
        ctx,
        admin,
        { ...base, ...change, format: 'pdf' },
        {
          reportPdf: async () => {
            renders.push('pdf');
            return new Uint8Array();
          },
        },
      );
      expect(outcome.kind).toBe(kind);
      if (message) expect(outcome.kind === 'invalid' ? outcome.message : '').toMatch(message);
      expect(renders).toEqual([]);
    });

    it('refuses a user without the reports permission', async () => {
      const outcome = await runReport(ctx, billingUser, { ...base, accountNumber: '5000002' });
      expect(outcome.kind).toBe('forbidden');
    });

    it('counts only child accounts in the actor’s scope', async () => {
      const outcome = await runReport(ctx, acme, { ...base, accountNumber: '1002345', includeChildren: true });
      if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
      expect(outcome.value.accountCount).toBe(11);
    });
  });

  it('offers CSV instead of a PDF for a detail report over 20,000 rows, and says why', async () => {
    const calls = Array.from({ length: MAX_PDF_ROWS + 1 }, (_, i) => ({
      at: new Date(Date.parse('2025-12-01T05:00:00.000Z') + i * 60_000).toISOString(),
    }));
    await addCalls('5000010', calls);
    const input = {
      reportId: 'long-distance-detail',
      accountNumber: '5000010',
      from: '2025-12-01',
      to: '2025-12-31',
    } as const;
    const pdf = await exportReport(ctx, admin, { ...input, format: 'pdf' }, pdfRenderers);
    expect(pdf).toMatchObject({
      kind: 'too_large_for_pdf',
      rowCount: MAX_PDF_ROWS + 1,
      maxRows: MAX_PDF_ROWS,
      suggestedFormat: 'csv',
    });
    expect(pdf.kind === 'too_large_for_pdf' ? pdf.message : '').toMatch(
      /20,001 rows, more than the 20,000 a PDF can sensibly hold.*CSV/,
    );
    const csv = await exportReport(ctx, admin, { ...input, format: 'csv' }, pdfRenderers);
    if (csv.kind !== 'ok') throw new Error(JSON.stringify(csv));
    const lines = new TextDecoder().decode(csv.value.content).split('\r\n');
    expect(lines).toHaveLength(MAX_PDF_ROWS + 1 + 3); // header, rows, totals, final CRLF
    // Rows stream in time order across pages.
    const times = lines.slice(1, -2).map((l) => l.split(',')[0]!);
    expect([...times].sort()).toEqual(times);
  });

  it('pages a custom sort across thousands of equal keys without losing or repeating a record', async () => {
    // The 20,001 calls above all cost the same: every page boundary falls inside a run of ties.
    const saved = await saveCustomReport(ctx, admin, {
      name: 'By charge',
      definition: { columns: ['started_at', 'charge'], sort: [{ column: 'charge', direction: 'desc' }] },
    });
    if (saved.kind !== 'ok') throw new Error(JSON.stringify(saved));
    const run = await runReport(ctx, admin, {
      reportId: saved.value.id,
      accountNumber: '5000010',
      from: '2025-12-01',
      to: '2025-12-31',
    });
    if (run.kind !== 'ok') throw new Error(JSON.stringify(run));
    const rows = await allRows(run.value);
    expect(rows).toHaveLength(MAX_PDF_ROWS + 1);
    expect(new Set(rows.map((r) => r[0])).size).toBe(MAX_PDF_ROWS + 1);
    expect(run.value.totals[1]).toBe((MAX_PDF_ROWS + 1) * 25);
  });

  it('applies report filters: call type, connection ids and phone numbers', async () => {
    const types = await runReport(ctx, admin, {
      reportId: 'rated-call-detail',
      accountNumber: '5000001',
      includeChildren: true,
      from: '2026-06-01',
      to: '2026-11-21',
      filters: { callType: 'Toll-free' },
    });
    if (types.kind !== 'ok') throw new Error(JSON.stringify(types));
    expect(new Set((await allRows(types.value)).map((r) => r[2]))).toEqual(new Set(['Toll-free']));
    expect(types.value.filters).toEqual([{ name: 'callType', label: 'Call type', value: 'Toll-free' }]);

    const circuits = await runReport(ctx, admin, {
      reportId: 'billed-amount-by-connection',
      accountNumber: '5000001',
      includeChildren: true,
      from: '2026-01-01',
      to: '2026-10-31',
      filters: { connectionNumber: 'ckt-tor' },
    });
    if (circuits.kind !== 'ok') throw new Error(JSON.stringify(circuits));
    const connections = (await allRows(circuits.value)).map((r) => String(r[0]));
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.every((c) => c.startsWith('CKT-TOR-'))).toBe(true);

    // A number however it is written.
    const line = await runReport(ctx, admin, {
      reportId: 'long-distance-detail',
      accountNumber: '5000001',
      from: '2026-06-01',
      to: '2026-11-21',
      filters: { originNumber: '(416) 555-0100' },
    });
    if (line.kind !== 'ok') throw new Error(JSON.stringify(line));
    expect(line.value.rowCount).toBeGreaterThan(0);
    expect(new Set((await allRows(line.value)).map((r) => r[2]))).toEqual(new Set(['+14165550100']));
    expect(
      (
        await runReport(ctx, admin, {
          reportId: 'long-distance-detail',
          accountNumber: '5000001',
          from: '2026-06-01',
          to: '2026-11-21',
          filters: { originNumber: 'x' },
        })
      ).kind,
    ).toBe('invalid');
  });

  describe('custom reports', () => {
    const definition = {
      description: 'Long distance by origin line and account code',
      groupBy: ['origin_number', 'account_code'] as const,
      columns: ['calls', 'charge', 'average_duration'],
      sort: [{ column: 'charge', direction: 'desc' as const }],
      filters: { callTypes: ['long_distance' as const] },
    };

    it('saves a definition under a name, runs it later with SQL-exact totals, and keeps it to its owner', async () => {
      const saved = await saveCustomReport(ctx, admin, {
        name: 'LD by line and code',
        definition: { ...definition, groupBy: [...definition.groupBy] },
      });
      if (saved.kind !== 'ok') throw new Error(JSON.stringify(saved));
      expect(saved.value).toMatchObject({ name: 'LD by line and code', kind: 'summary', created: true });
      expect(saved.value.columns).toEqual(['Origin number', 'Account code', 'Calls', 'Charge', 'Average duration']);
      const again = await saveCustomReport(ctx, admin, {
        name: 'LD by line and code',
        definition: { ...definition, groupBy: [...definition.groupBy], limit: 5 },
      });
      expect(again).toMatchObject({ kind: 'ok', value: { id: saved.value.id, created: false } });
      const listed = await listCustomReports(ctx, admin);
      expect(listed.kind === 'ok' && listed.value.map((r) => r.name)).toEqual(['By charge', 'LD by line and code']);

      const run = await runReport(ctx, admin, {
        reportId: saved.value.id,
        accountNumber: '5000001',
        includeChildren: true,
        from: '2026-06-01',
        to: '2026-11-21',
      });
      if (run.kind !== 'ok') throw new Error(JSON.stringify(run));
      const rows = await allRows(run.value);
      expect(rows).toHaveLength(5);
      const charges = rows.map((r) => r[3] as number);
      expect([...charges].sort((a, b) => b - a)).toEqual(charges);
      expect(run.value.totals[3]).toBe(charges.reduce((a, b) => a + b, 0));

      // Someone else cannot run it, nor learn it exists.
      expect(
        (
          await runReport(ctx, acme, {
            reportId: saved.value.id,
            accountNumber: '1002345',
            from: '2026-06-01',
            to: '2026-11-21',
          })
        ).kind,
      ).toBe('invalid');
      expect((await deleteCustomReport(ctx, acme, { id: saved.value.id })).kind).toBe('not_found');

      // It can be scheduled like any report; deleting it removes its schedules too.
      const scheduled = await scheduleReport(ctx, admin, {
        reportId: saved.value.id,
        accountNumber: '5000001',
        format: 'csv',
        frequency: 'daily',
        channel: 'web',
        destination: 'admin@northwind.example',
      });
      expect(scheduled).toMatchObject({ kind: 'ok', value: { reportTitle: 'LD by line and code' } });
      expect(await deleteCustomReport(ctx, admin, { id: saved.value.id })).toMatchObject({
        kind: 'ok',
        value: { schedulesRemoved: 1 },
      });
      expect(
        (
          await runReport(ctx, admin, {
            reportId: saved.value.id,
            accountNumber: '5000001',
            from: '2026-06-01',
            to: '2026-11-21',
          })
        ).kind,
      ).toBe('invalid');
    });

    it('checks definitions', async () => {
      const bad = [
        { columns: ['charge', 'colour'] },
        { groupBy: ['account'], columns: ['started_at'] },
        { groupBy: ['account'], columns: ['calls'], sort: [{ column: 'duration' }] },
        { columns: ['charge'], filters: { areaCode: '41' } },
        { columns: [] },
      ];
      for (const definition of bad) {
        const outcome = await saveCustomReport(ctx, admin, { name: 'Bad one', definition: definition as never });
        expect(outcome.kind).toBe('invalid');
      }
    });

    it('runs a detail custom report with the user’s own sort and streams it page by page', async () => {
      const saved = await saveCustomReport(ctx, care, {
        name: 'Long calls',
        definition: {
          columns: ['started_at', 'account', 'duration', 'charge'],
          sort: [{ column: 'duration', direction: 'desc' }],
          filters: { minDurationSeconds: 600 },
        },
      });
      if (saved.kind !== 'ok') throw new Error(JSON.stringify(saved));
      const run = await runReport(ctx, care, {
        reportId: saved.value.id,
        accountNumber: '5000001',
        includeChildren: true,
        from: '2026-06-01',
        to: '2026-11-21',
      });
      if (run.kind !== 'ok') throw new Error(JSON.stringify(run));
      const rows = await allRows(run.value);
      expect(rows.length).toBe(run.value.rowCount);
      const durations = rows.map((r) => r[2] as number);
      expect(durations.every((d) => d >= 600)).toBe(true);
      expect([...durations].sort((a, b) => b - a)).toEqual(durations);
      expect(run.value.totals[2]).toBe(durations.reduce((a, b) => a + b, 0));
    });
  });

  describe('scheduled reports', () => {
    it('schedules, lists and deletes a user’s own schedules', async () => {
      const created = await scheduleReport(ctx, admin, {
        reportId: 'long-distance-summary',
        accountNumber: '5000001',
        includeChildren: true,
        format: 'pdf',
        frequency: 'weekly',
        channel: 'web',
        destination: 'admin@northwind.example',
      });
      if (created.kind !== 'ok') throw new Error(JSON.stringify(created));
      expect(created.value).toMatchObject({
        timeZone: 'America/Toronto',
        nextRunAt: '2026-11-23T11:00:00.000Z',
        reportTitle: 'Long distance summary',
      });
      const mine = await listScheduledReports(ctx, admin);
      expect(mine.kind === 'ok' && mine.value.some((s) => s.id === created.value.id)).toBe(true);
      expect((await deleteScheduledReport(ctx, acme, { id: created.value.id })).kind).toBe('not_found');
      expect((await deleteScheduledReport(ctx, admin, { id: created.value.id })).kind).toBe('ok');
      expect(
        (
          await scheduleReport(ctx, admin, {
            reportId: 'long-distance-summary',
            accountNumber: '1002345',
            format: 'pdf',
            frequency: 'daily',
            channel: 'web',
            destination: 'x',
          })
        ).kind,
      ).toBe('not_found');
      expect(
        (
          await scheduleReport(ctx, admin, {
            reportId: 'nope',
            accountNumber: '5000001',
            format: 'pdf',
            frequency: 'daily',
            channel: 'web',
            destination: 'x',
          })
        ).kind,
      ).toBe('invalid');
    });

    it('delivers each due run exactly once when two scheduler instances tick at the same time', async () => {
      const schedule = async (reportId: string, format: 'pdf' | 'csv') => {
        const created = await scheduleReport(ctx, admin, {
          reportId,
          accountNumber: '5000001',
          includeChildren: true,
          format,
          frequency: 'monthly',
          channel: 'web',
          destination: 'admin@northwind.example',
        });
        if (created.kind !== 'ok') throw new Error(JSON.stringify(created));
        return created.value;
      };
      const summary = await schedule('long-distance-summary', 'pdf');
      const detail = await schedule('rated-call-detail', 'csv');
      expect(summary.nextRunAt).toBe('2026-12-01T11:00:00.000Z');

      // A second instance: its own connection pool on PostgreSQL, as a second process would have.
      const other = engine === 'postgres' ? await openDatabase({ engine: 'postgres', url }) : handle;
      const later = new Date('2026-12-01T11:00:05.000Z');
      const delivered: { instance: string; scheduleId: number; file: string }[] = [];
      const scheduler = (db: DatabaseHandle['db'], instance: string) => {
        const deliver = createConversationDelivery(db, () => later);
        return createReportScheduler({
          ctx: domain.createDomainContext(db, () => later),
          renderers: pdfRenderers,
          deliver: async (delivery, file) => {
            delivered.push({ instance, scheduleId: delivery.scheduleId, file: file.filename });
            await deliver(delivery, file);
          },
        });
      };
      try {
        const [a, b] = await Promise.all([scheduler(handle.db, 'a').runDue(), scheduler(other.db, 'b').runDue()]);
        const mine = delivered.filter((d) => d.scheduleId === summary.id || d.scheduleId === detail.id);
        expect(mine.map((d) => d.scheduleId).sort()).toEqual([summary.id, detail.id].sort());
        const outcomes = [...a, ...b].filter((o) => o.scheduleId === summary.id);
        expect(outcomes.filter((o) => o.outcome === 'delivered')).toHaveLength(1);
        // Running again at the same moment finds nothing due.
        expect((await scheduler(handle.db, 'a').runDue()).filter((o) => o.scheduleId === summary.id)).toEqual([]);
      } finally {
        if (other !== handle) await other.close();
      }

      const row = await handle.db
        .selectFrom('scheduled_reports')
        .selectAll()
        .where('id', '=', summary.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ next_run_at: '2027-01-01T11:00:00.000Z', last_run_at: later.toISOString() });
      const messages = await handle.db
        .selectFrom('messages')
        .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
        .select(['messages.text', 'messages.payload', 'conversations.portal_user_id'])
        .where('conversations.external_ref', '=', 'scheduled-reports:admin@northwind.example')
        .execute();
      const payloads = messages.map((m) => JSON.parse(m.payload ?? '{}') as DeliveredReportPayload);
      const forSummary = payloads.filter((p) => p.scheduleId === summary.id);
      expect(forSummary).toHaveLength(1);
      expect(forSummary[0]).toMatchObject({
        period: { from: '2026-11-01', to: '2026-11-30' },
        file: { mediaType: 'application/pdf' },
      });
      const pdf = Buffer.from(forSummary[0]!.file.contentBase64, 'base64');
      expect(qpdfCheck(pdf).ok).toBe(true);
      expect(pdfText(pdf)).toContain('Long distance summary');
      expect(messages.every((m) => m.portal_user_id === admin.userId)).toBe(true);
      expect(messages.some((m) => m.text.includes('"Rated call detail"'))).toBe(true);
    });
  });
});

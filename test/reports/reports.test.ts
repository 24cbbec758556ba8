// Every report on every engine: the totals a person reads in the CSV and in the PDF equal a total computed
// here, independently, in SQL over the same records; every PDF passes qpdf --check.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfRenderers } from '../../adapters/pdf/index.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import * as domain from '../../src/domain/index.js';
import type { CustomerActor, DomainContext, StaffActor } from '../../src/domain/index.js';
import {
  csvBytes,
  REPORT_CATALOGUE,
  type ReportColumn,
  type ReportResult,
  runReport,
} from '../../src/domain/reports/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';
import { parseCsv, pdfText, qpdfCheck } from '../support/pdf-tools.js';

const AS_OF = '2026-11-22';
const NOW = new Date(`${AS_OF}T15:00:00.000Z`);
// September and October 2026 in America/Toronto (EDT, UTC−4, on both ends): written out, not computed.
const FROM = '2026-09-01';
const TO = '2026-10-31';
const START_UTC = '2026-09-01T04:00:00.000Z';
const END_UTC = '2026-11-01T04:00:00.000Z';
const ROOT = '5000001';

type Expected = { rows: number; totals: Record<string, number> };

/** The independent totals, keyed by column label (without its unit), in cents, seconds or counts. */
async function expectedTotals(db: DatabaseHandle['db'], reportId: string, ids: number[]): Promise<Expected> {
  const inIds = sql.join(ids.map((id) => sql.lit(id)));
  const calls = (types: string[], extra = sql``) =>
    sql`from call_detail_records where account_id in (${inIds}) and started_at >= ${START_UTC} and started_at < ${END_UTC}
        and call_type in (${sql.join(types.map((t) => sql.lit(t)))}) ${extra}`;
  const one = async <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    ((await query.execute(db)).rows[0] ?? {}) as T;
  const n = (v: unknown) => Number(v ?? 0);
  const callTotals = async (types: string[], distinct: string | null, extra = sql``): Promise<Expected> => {
    const r = await one<{ calls: number; duration: number; charge: number; groups: number }>(
      sql`select count(*) as calls, coalesce(sum(duration_seconds), 0) as duration, coalesce(sum(charge_cents), 0) as charge,
          ${distinct ? sql`count(distinct ${sql.raw(distinct)})` : sql`count(*)`} as groups ${calls(types, extra)}`,
    );
    return {
      rows: n(r.groups),
      totals: distinct
        ? { Calls: n(r.calls), 'Participant legs': n(r.calls), Duration: n(r.duration), Charge: n(r.charge) }
        : { Duration: n(r.duration), Charge: n(r.charge) },
    };
  };
  const top = async (order: string): Promise<Expected> => {
    const r = await one<{ rows: number; duration: number; charge: number }>(
      sql`select count(*) as rows, sum(duration_seconds) as duration, sum(charge_cents) as charge from (
            select duration_seconds, charge_cents ${calls(['long_distance', 'toll_free', 'local', 'conference'])}
            order by ${sql.raw(order)}, id limit 10) t`,
    );
    return { rows: n(r.rows), totals: { Duration: n(r.duration), Charge: n(r.charge) } };
  };
  const invoices = sql`from invoices i where i.account_id in (${inIds}) and i.period_start >= ${FROM} and i.period_start <= ${TO}`;
  const lines = sql`from invoice_lines l join invoices i on i.id = l.invoice_id
                    where i.account_id in (${inIds}) and i.period_start >= ${FROM} and i.period_start <= ${TO}`;
  switch (reportId) {
    case 'long-distance-detail':
      return callTotals(['long_distance'], null);
    case 'long-distance-summary':
      return callTotals(['long_distance'], 'account_id');
    case 'toll-free-summary':
    case 'conferencing-summary':
      return callTotals([reportId === 'toll-free-summary' ? 'toll_free' : 'conference'], 'destination_number');
    case 'toll-free-detail':
      return callTotals(['toll_free'], null);
    case 'destination-number-summary':
      return callTotals(['long_distance'], 'destination_number');
    case 'origin-number-summary':
      return callTotals(['long_distance'], 'origin_number');
    case 'day-of-week-summary': {
      const t = await callTotals(['long_distance'], 'account_id');
      return { rows: 7, totals: t.totals };
    }
    case 'rated-call-detail':
      return callTotals(['long_distance', 'toll_free', 'local', 'conference'], null);
    case 'account-code-detail':
      return callTotals(['long_distance', 'toll_free', 'local', 'conference'], null, sql`and account_code is not null`);
    case 'area-code-summary':
      return callTotals(['long_distance', 'local'], 'substr(destination_number, 3, 3)');
    case 'top-calls-by-number': {
      const r = await one<{ rows: number; calls: number; duration: number; charge: number }>(
        sql`select count(*) as rows, sum(c) as calls, sum(d) as duration, sum(m) as charge from (
              select destination_number, count(*) as c, sum(duration_seconds) as d, sum(charge_cents) as m
              ${calls(['long_distance', 'local'])} group by destination_number order by c desc, m desc, destination_number limit 10) t`,
      );
      return { rows: n(r.rows), totals: { Calls: n(r.calls), Duration: n(r.duration), Charge: n(r.charge) } };
    }
    case 'top-calls-by-charge':
      return top('charge_cents desc');
    case 'top-calls-by-duration':
      return top('duration_seconds desc');
    case 'internet-usage-summary': {
      const r = await one<Record<string, number>>(
        sql`select count(*) as days, sum(download_mb) as down, sum(upload_mb) as up, count(distinct service_id) as circuits
            from internet_usage where account_id in (${inIds}) and usage_date >= ${FROM} and usage_date <= ${TO}`,
      );
      return {
        rows: n(r.circuits),
        totals: {
          Days: n(r.days),
          'Download (MB)': n(r.down),
          'Upload (MB)': n(r.up),
          'Total (MB)': n(r.down) + n(r.up),
        },
      };
    }
    case 'billed-amount':
    case 'billed-amount-by-child': {
      const r = await one<Record<string, number>>(
        sql`select count(*) as invoices, count(distinct account_id) as accounts, sum(subtotal_cents) as subtotal,
            sum(tax_cents) as tax, sum(total_cents) as total ${invoices}`,
      );
      const totals = { Subtotal: n(r.subtotal), Taxes: n(r.tax), Total: n(r.total) };
      return reportId === 'billed-amount'
        ? { rows: n(r.invoices), totals }
        : { rows: n(r.accounts), totals: { ...totals, Invoices: n(r.invoices) } };
    }
    case 'billed-amount-by-feature':
    case 'billed-amount-by-connection': {
      const group =
        reportId === 'billed-amount-by-feature'
          ? 'coalesce(l.feature, l.description) || l.product_category'
          : 'l.connection_number';
      const r = await one<Record<string, number>>(
        sql`select count(*) as lines, sum(l.amount_cents) as amount, count(distinct ${sql.raw(group)}) as groups,
            max(case when l.connection_number is null then 1 else 0 end) as unconnected
            ${lines} and l.bill_category <> 'taxes'`,
      );
      const groups = n(r.groups) + (reportId === 'billed-amount-by-connection' ? n(r.unconnected) : 0);
      return { rows: groups, totals: { Lines: n(r.lines), Amount: n(r.amount) } };
    }
    case 'billed-amount-by-category':
    case 'charges-by-product-category': {
      const group = reportId === 'billed-amount-by-category' ? 'l.bill_category' : 'l.product_category';
      const r = await one<Record<string, number>>(
        sql`select count(*) as lines, sum(l.amount_cents) as amount, count(distinct ${sql.raw(group)}) as groups ${lines}`,
      );
      return { rows: n(r.groups), totals: { Lines: n(r.lines), Amount: n(r.amount) } };
    }
    case 'taxing-summary': {
      const r = await one<Record<string, number>>(
        sql`select count(*) as taxes, sum(invoices) as invoices, sum(amount) as amount from (
              select l.tax_name, count(distinct l.invoice_id) as invoices, sum(l.amount_cents) as amount
              ${lines} and l.bill_category = 'taxes' group by l.tax_name) t`,
      );
      return { rows: n(r.taxes), totals: { Invoices: n(r.invoices), 'Tax amount': n(r.amount) } };
    }
  }
  throw new Error(`no expected totals for ${reportId}`);
}

/** "Charge (CAD)" → "Charge"; the label the expected totals use. */
const labelOf = (header: string) => header.replace(/ \((CAD|USD|America\/[A-Za-z_]+)\)$/, '');

function parseValue(text: string, column: Pick<ReportColumn, 'type'>): number {
  if (column.type === 'duration') {
    const [h, m, s] = text.split(':').map(Number);
    return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
  }
  if (column.type === 'money') return Math.round(Number(text.replaceAll(',', '')) * 100);
  return Number(text.replaceAll(',', ''));
}

/** What a person reads in the totals row of the CSV: the row count and each total by column label. */
function csvTotals(text: string, result: ReportResult): { rows: number; totals: Record<string, number> } {
  const table = parseCsv(text);
  const header = table[0]!;
  const last = table.at(-1)!;
  const rows = Number(/^Total \((\d+) rows\)$/.exec(last[0] ?? '')?.[1]);
  expect(table.length - 2).toBe(rows);
  const totals: Record<string, number> = {};
  result.columns.forEach((column, i) => {
    if (column.total) totals[labelOf(header[i]!)] = parseValue(last[i]!, column);
  });
  return { rows, totals };
}

/** The same from the PDF's text: the "Total (n rows)" line, its numbers in column order. */
function pdfTotals(text: string, result: ReportResult): { rows: number; totals: Record<string, number> } {
  const line = text.split('\n').find((l) => /^\s*Total \([\d,]+ rows\)/.test(l));
  if (!line) throw new Error(`no totals line in:\n${text}`);
  const match = /^\s*Total \(([\d,]+) rows\)\s+(.*)$/.exec(line)!;
  const numbers = match[2]!.trim().split(/\s+/);
  const totalColumns = result.columns.filter((c) => c.total);
  expect(numbers).toHaveLength(totalColumns.length);
  const totals: Record<string, number> = {};
  totalColumns.forEach((column, i) => {
    totals[labelOf(column.label)] = parseValue(numbers[i]!, column);
  });
  return { rows: Number(match[1]!.replaceAll(',', '')), totals };
}

describe.each(ENGINES)('reports on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let ctx: DomainContext;
  let admin: CustomerActor;
  let care: StaffActor;
  let treeIds: number[];

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 3000, asOf: AS_OF });
    ctx = domain.createDomainContext(handle, () => NOW);
    admin = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as CustomerActor;
    care = (await domain.loadStaffActor(ctx, 'care@provider.example')) as StaffActor;
    const tree = await sql<{ id: number }>`
      with recursive tree(id) as (
        select id from accounts where number = ${ROOT}
        union all select a.id from accounts a join tree t on a.parent_id = t.id)
      select id from tree`.execute(handle.db);
    treeIds = tree.rows.map((r) => Number(r.id));
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  it('has the 22 portal reports in its catalogue, in three categories', () => {
    expect(REPORT_CATALOGUE.map((r) => r.id)).toHaveLength(22);
    expect(new Set(REPORT_CATALOGUE.map((r) => r.category))).toEqual(new Set(['long_distance', 'usage', 'billing']));
  });

  it.each(REPORT_CATALOGUE.map((r) => r.id))(
    '%s: the CSV and PDF totals equal an independent SQL total, and the PDF passes qpdf --check',
    async (reportId) => {
      const outcome = await runReport(ctx, admin, {
        reportId,
        accountNumber: ROOT,
        includeChildren: true,
        from: FROM,
        to: TO,
        format: 'pdf',
      });
      if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
      const result = outcome.value;
      expect(result.timeZone).toBe('America/Toronto');
      expect(result.period).toMatchObject({ startUtc: START_UTC, endUtc: END_UTC });
      const independent = await expectedTotals(handle.db, reportId, treeIds);
      expect(independent.rows).toBeGreaterThan(0);
      // Call counts are "Calls" in most reports and "Participant legs" for conferences.
      const labels = new Set(result.columns.filter((c) => c.total).map((c) => labelOf(c.label)));
      const expected = {
        rows: independent.rows,
        totals: Object.fromEntries(Object.entries(independent.totals).filter(([k]) => labels.has(k))),
      };
      expect(Object.keys(expected.totals).sort()).toEqual([...labels].sort());

      const csv = new TextDecoder().decode(await csvBytes(result));
      expect(csvTotals(csv, result)).toEqual(expected);

      const pdf = await pdfRenderers.reportPdf(result);
      const check = qpdfCheck(pdf);
      expect(check.output).toContain('No syntax or stream encoding errors');
      expect(check.ok).toBe(true);
      const text = pdfText(pdf);
      expect(pdfTotals(text, result)).toEqual(expected);
      // The title block says what, whose, when, in which zone; every page is numbered.
      expect(text).toContain(result.report.title);
      expect(text).toContain('Northwind Traders Ltd. (5000001), with');
      expect(text).toContain('2026-09-01 to 2026-10-31');
      expect(text).toContain('America/Toronto');
      const pages = [...text.matchAll(/Page (\d+) of (\d+)/g)];
      expect(pages.length).toBeGreaterThan(0);
      expect(pages.map((p) => Number(p[1]))).toEqual(pages.map((_, i) => i + 1));
      // The table header repeats on every page.
      const firstHeader = labelOf(result.columns[0]!.label).split(' ')[0]!;
      const headerLines = text.split('\n').filter((l) => l.trimStart().startsWith(firstHeader) && !l.includes('·'));
      expect(headerLines.length).toBeGreaterThanOrEqual(pages.length);
    },
  );

  it('shows times in the zone asked for, and accented French names render in the PDF text', async () => {
    const outcome = await runReport(ctx, care, {
      reportId: 'billed-amount-by-child',
      accountNumber: '7000001',
      includeChildren: true,
      from: FROM,
      to: TO,
      timeZone: 'europe/paris',
    });
    if (outcome.kind !== 'ok') throw new Error(JSON.stringify(outcome));
    expect(outcome.value.timeZone).toBe('Europe/Paris');
    const text = pdfText(await pdfRenderers.reportPdf(outcome.value));
    expect(text).toContain('Laurentide Énergie — Bureau de Trois-Rivières');
    expect(text).toContain('Laurentide Énergie — Centrale de Lévis');
    expect(text).toContain('Europe/Paris');
    // A staff read of a customer's report is in the audit log.
    const audit = await handle.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'run_report:billed-amount-by-child')
      .where('actor_label', 'like', 'care@provider.example%')
      .execute();
    expect(audit.length).toBeGreaterThan(0);
  });
});

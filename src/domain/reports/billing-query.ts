// Billing reports (by invoice period: the invoices whose period starts within the report's days) and
// the measured internet usage summary (by usage date). Every sum and group is SQL's.
import { sql } from 'kysely';
import type { BillCategory, ProductCategory } from '../../db/schema.js';
import { parsePhoneMatch } from './filters.js';
import { type ReportData, type ReportScope, column, num } from './query-plan.js';
import type { ReportColumn, ReportRow } from './types.js';

export const BILL_CATEGORIES: readonly BillCategory[] = [
  'monthly_charges',
  'usage',
  'one_time_charges',
  'credits',
  'taxes',
];
export const PRODUCT_CATEGORIES: readonly ProductCategory[] = [
  'voice',
  'long_distance',
  'toll_free',
  'internet',
  'conferencing',
  'tax',
];
const LABELS: Record<string, string> = {
  monthly_charges: 'Monthly charges',
  usage: 'Usage',
  one_time_charges: 'One-time charges',
  credits: 'Credits',
  taxes: 'Taxes',
  voice: 'Voice',
  long_distance: 'Long distance',
  toll_free: 'Toll-free',
  internet: 'Internet',
  conferencing: 'Conferencing',
  tax: 'Tax',
};
const label = (value: unknown) => LABELS[String(value)] ?? String(value);

export interface BillingFilters {
  readonly billCategory?: string;
  readonly productCategory?: string;
  /** A phone number (matched as numbers are), or part of a circuit or account id ("CKT-TOR"). */
  readonly connection?: string;
  readonly feature?: string;
  readonly taxName?: string;
}

export type BillingReportKind =
  | 'billed-amount'
  | 'billed-amount-by-feature'
  | 'billed-amount-by-connection'
  | 'billed-amount-by-child'
  | 'billed-amount-by-category'
  | 'charges-by-product-category'
  | 'taxing-summary';

export const BILLING_COLUMNS: Record<BillingReportKind, readonly ReportColumn[]> = {
  'billed-amount': [
    column('invoice', 'Invoice', 'text'),
    column('account', 'Account', 'text'),
    column('period_start', 'Period start', 'date'),
    column('period_end', 'Period end', 'date'),
    column('due_date', 'Due date', 'date'),
    column('subtotal', 'Subtotal', 'money', true),
    column('tax', 'Taxes', 'money', true),
    column('total', 'Total', 'money', true),
  ],
  'billed-amount-by-feature': [
    column('feature', 'Feature', 'text'),
    column('product_category', 'Product category', 'text'),
    column('lines', 'Lines', 'integer', true),
    column('amount', 'Amount', 'money', true),
  ],
  'billed-amount-by-connection': [
    column('connection', 'Connection number', 'text'),
    column('lines', 'Lines', 'integer', true),
    column('amount', 'Amount', 'money', true),
  ],
  'billed-amount-by-child': [
    column('account', 'Account', 'text'),
    column('account_name', 'Account name', 'text'),
    column('invoices', 'Invoices', 'integer', true),
    column('subtotal', 'Subtotal', 'money', true),
    column('tax', 'Taxes', 'money', true),
    column('total', 'Total', 'money', true),
  ],
  'billed-amount-by-category': [
    column('bill_category', 'Bill category', 'text'),
    column('lines', 'Lines', 'integer', true),
    column('amount', 'Amount', 'money', true),
  ],
  'charges-by-product-category': [
    column('product_category', 'Product category', 'text'),
    column('lines', 'Lines', 'integer', true),
    column('amount', 'Amount', 'money', true),
  ],
  'taxing-summary': [
    column('tax_name', 'Tax', 'text'),
    column('invoices', 'Invoices', 'integer', true),
    // The same invoice is taxed by GST and QST alike: adding taxable amounts across taxes means nothing.
    column('taxable', 'Taxable amount', 'money'),
    column('amount', 'Tax amount', 'money', true),
  ],
};

function invoicesInPeriod(scope: ReportScope) {
  return scope.db
    .selectFrom('invoices as i')
    .innerJoin('accounts as a', 'a.id', 'i.account_id')
    .where('i.account_id', 'in', scope.accountIds.length > 0 ? [...scope.accountIds] : [-1])
    .where('i.period_start', '>=', scope.from)
    .where('i.period_start', '<=', scope.to);
}

function linesInPeriod(scope: ReportScope, filters: BillingFilters) {
  let q = invoicesInPeriod(scope).innerJoin('invoice_lines as l', 'l.invoice_id', 'i.id');
  if (filters.billCategory) q = q.where('l.bill_category', '=', filters.billCategory as BillCategory);
  if (filters.productCategory) q = q.where('l.product_category', '=', filters.productCategory as ProductCategory);
  if (filters.feature) q = q.where(sql<boolean>`lower(l.feature) like ${`%${filters.feature.toLowerCase()}%`}`);
  if (filters.connection) {
    const phone = parsePhoneMatch(filters.connection);
    q = q.where(
      phone && 'exact' in phone
        ? sql<boolean>`l.connection_number = ${phone.exact}`
        : sql<boolean>`lower(l.connection_number) like ${`%${(phone && 'contains' in phone ? phone.contains : filters.connection).toLowerCase()}%`}`,
    );
  }
  if (filters.taxName) q = q.where(sql<boolean>`lower(l.tax_name) = ${filters.taxName.toLowerCase()}`);
  return q;
}

/** Totals straight from SQL over the same rows the report lists. */
async function lineTotals(scope: ReportScope, filters: BillingFilters): Promise<{ lines: number; amount: number }> {
  const row = await linesInPeriod(scope, filters)
    .select((eb) => [
      eb.fn.countAll<number>().as('lines'),
      eb.fn.coalesce(eb.fn.sum<number>('l.amount_cents'), eb.lit(0)).as('amount'),
    ])
    .executeTakeFirst();
  return { lines: num(row?.lines), amount: num(row?.amount) };
}

const data = (columns: readonly ReportColumn[], rows: ReportRow[], totals: ReportRow): ReportData => ({
  columns,
  rowCount: rows.length,
  totals,
  async *batches() {
    if (rows.length > 0) yield rows;
  },
});

export async function runBillingReport(
  scope: ReportScope,
  kind: BillingReportKind,
  filters: BillingFilters,
): Promise<ReportData> {
  const columns = BILLING_COLUMNS[kind];
  switch (kind) {
    case 'billed-amount': {
      const base = invoicesInPeriod(scope);
      const [rows, totals] = await Promise.all([
        base
          .select([
            'i.number',
            'a.number as account',
            'i.period_start',
            'i.period_end',
            'i.due_date',
            'i.subtotal_cents',
            'i.tax_cents',
            'i.total_cents',
          ])
          .orderBy('i.period_start')
          .orderBy('a.number')
          .execute(),
        base
          .select((eb) => [
            eb.fn.coalesce(eb.fn.sum<number>('i.subtotal_cents'), eb.lit(0)).as('subtotal'),
            eb.fn.coalesce(eb.fn.sum<number>('i.tax_cents'), eb.lit(0)).as('tax'),
            eb.fn.coalesce(eb.fn.sum<number>('i.total_cents'), eb.lit(0)).as('total'),
          ])
          .executeTakeFirst(),
      ]);
      return data(
        columns,
        rows.map((r) => [
          r.number,
          r.account,
          r.period_start,
          r.period_end,
          r.due_date,
          r.subtotal_cents,
          r.tax_cents,
          r.total_cents,
        ]),
        [null, null, null, null, null, num(totals?.subtotal), num(totals?.tax), num(totals?.total)],
      );
    }
    case 'billed-amount-by-child': {
      const base = invoicesInPeriod(scope);
      const [rows, totals] = await Promise.all([
        base
          .select((eb) => [
            'a.number as account',
            'a.name as account_name',
            eb.fn.countAll<number>().as('invoices'),
            eb.fn.sum<number>('i.subtotal_cents').as('subtotal'),
            eb.fn.sum<number>('i.tax_cents').as('tax'),
            eb.fn.sum<number>('i.total_cents').as('total'),
          ])
          .groupBy(['a.number', 'a.name'])
          .orderBy('a.number')
          .execute(),
        base
          .select((eb) => [
            eb.fn.countAll<number>().as('invoices'),
            eb.fn.coalesce(eb.fn.sum<number>('i.subtotal_cents'), eb.lit(0)).as('subtotal'),
            eb.fn.coalesce(eb.fn.sum<number>('i.tax_cents'), eb.lit(0)).as('tax'),
            eb.fn.coalesce(eb.fn.sum<number>('i.total_cents'), eb.lit(0)).as('total'),
          ])
          .executeTakeFirst(),
      ]);
      return data(
        columns,
        rows.map((r) => [r.account, r.account_name, num(r.invoices), num(r.subtotal), num(r.tax), num(r.total)]),
        [null, null, num(totals?.invoices), num(totals?.subtotal), num(totals?.tax), num(totals?.total)],
      );
    }
    case 'billed-amount-by-feature': {
      // Taxes are not features; a line without a feature is listed under its description.
      const base = linesInPeriod(scope, filters).where('l.bill_category', '<>', 'taxes');
      const feature = sql<string>`coalesce(l.feature, l.description)`;
      const [rows, totals] = await Promise.all([
        base
          .select((eb) => [
            feature.as('feature'),
            'l.product_category',
            eb.fn.countAll<number>().as('lines'),
            eb.fn.sum<number>('l.amount_cents').as('amount'),
          ])
          .groupBy([feature, 'l.product_category'])
          .orderBy(sql`sum(l.amount_cents)`, 'desc')
          .orderBy(feature)
          .orderBy('l.product_category')
          .execute(),
        base
          .select((eb) => [
            eb.fn.countAll<number>().as('lines'),
            eb.fn.coalesce(eb.fn.sum<number>('l.amount_cents'), eb.lit(0)).as('amount'),
          ])
          .executeTakeFirst(),
      ]);
      return data(
        columns,
        rows.map((r) => [r.feature, label(r.product_category), num(r.lines), num(r.amount)]),
        [null, null, num(totals?.lines), num(totals?.amount)],
      );
    }
    case 'billed-amount-by-connection': {
      const base = linesInPeriod(scope, filters).where('l.bill_category', '<>', 'taxes');
      const connection = sql<string>`coalesce(l.connection_number, '(account level)')`;
      const [rows, totals] = await Promise.all([
        base
          .select((eb) => [
            connection.as('connection'),
            eb.fn.countAll<number>().as('lines'),
            eb.fn.sum<number>('l.amount_cents').as('amount'),
          ])
          .groupBy(connection)
          .orderBy(connection)
          .execute(),
        base
          .select((eb) => [
            eb.fn.countAll<number>().as('lines'),
            eb.fn.coalesce(eb.fn.sum<number>('l.amount_cents'), eb.lit(0)).as('amount'),
          ])
          .executeTakeFirst(),
      ]);
      return data(
        columns,
        rows.map((r) => [r.connection, num(r.lines), num(r.amount)]),
        [null, num(totals?.lines), num(totals?.amount)],
      );
    }
    case 'billed-amount-by-category':
    case 'charges-by-product-category': {
      const key = kind === 'billed-amount-by-category' ? ('l.bill_category' as const) : ('l.product_category' as const);
      const base = linesInPeriod(scope, filters);
      const [rows, totals] = await Promise.all([
        base
          .select(
            (eb) =>
              [
                `${key} as category`,
                eb.fn.countAll<number>().as('lines'),
                eb.fn.sum<number>('l.amount_cents').as('amount'),
              ] as const,
          )
          .groupBy(key)
          .orderBy(key)
          .execute(),
        lineTotals(scope, filters),
      ]);
      return data(
        columns,
        rows.map((r) => [label(r.category), num(r.lines), num(r.amount)]),
        [null, totals.lines, totals.amount],
      );
    }
    case 'taxing-summary': {
      const base = linesInPeriod(scope, filters).where('l.bill_category', '=', 'taxes');
      const taxName = sql<string>`coalesce(l.tax_name, l.description)`;
      const [rows, totals] = await Promise.all([
        base
          .select((eb) => [
            taxName.as('tax_name'),
            eb.fn.count<number>('l.invoice_id').distinct().as('invoices'),
            eb.fn.sum<number>('i.subtotal_cents').as('taxable'),
            eb.fn.sum<number>('l.amount_cents').as('amount'),
          ])
          .groupBy(taxName)
          .orderBy(taxName)
          .execute(),
        base
          .select((eb) => [
            eb.fn.count<number>('l.invoice_id').distinct().as('invoices'),
            eb.fn.coalesce(eb.fn.sum<number>('l.amount_cents'), eb.lit(0)).as('amount'),
          ])
          .executeTakeFirst(),
      ]);
      // Each group's invoices are distinct, but an invoice taxed twice counts once overall.
      const invoicesTotal = rows.reduce((sum, r) => sum + num(r.invoices), 0);
      return data(
        columns,
        rows.map((r) => [r.tax_name, num(r.invoices), num(r.taxable), num(r.amount)]),
        [null, invoicesTotal, null, num(totals?.amount)],
      );
    }
  }
}

export const INTERNET_USAGE_COLUMNS: readonly ReportColumn[] = [
  column('account', 'Account', 'text'),
  column('circuit', 'Circuit', 'text'),
  column('identifier', 'Circuit id', 'text'),
  column('days', 'Days', 'integer', true),
  column('download_mb', 'Download (MB)', 'integer', true),
  column('upload_mb', 'Upload (MB)', 'integer', true),
  column('total_mb', 'Total (MB)', 'integer', true),
];

/** Measured internet usage per circuit over the report's days (usage is recorded per calendar day). */
export async function runInternetUsage(scope: ReportScope, filters: { circuit?: string }): Promise<ReportData> {
  let base = scope.db
    .selectFrom('internet_usage as u')
    .innerJoin('services as s', 's.id', 'u.service_id')
    .innerJoin('accounts as a', 'a.id', 'u.account_id')
    .where('u.account_id', 'in', scope.accountIds.length > 0 ? [...scope.accountIds] : [-1])
    .where('u.usage_date', '>=', scope.from)
    .where('u.usage_date', '<=', scope.to);
  if (filters.circuit) {
    const wanted = `%${filters.circuit.toLowerCase()}%`;
    base = base.where((eb) =>
      eb.or([eb(sql`lower(s.identifier)`, 'like', wanted), eb(sql`lower(s.name)`, 'like', wanted)]),
    );
  }
  const [rows, totals] = await Promise.all([
    base
      .select((eb) => [
        'a.number as account',
        's.name as circuit',
        's.identifier as identifier',
        eb.fn.countAll<number>().as('days'),
        eb.fn.sum<number>('u.download_mb').as('download'),
        eb.fn.sum<number>('u.upload_mb').as('upload'),
        sql<number>`sum(u.download_mb + u.upload_mb)`.as('total'),
      ])
      .groupBy(['a.number', 's.id', 's.name', 's.identifier'])
      .orderBy('a.number')
      .orderBy('s.identifier')
      .execute(),
    base
      .select((eb) => [
        eb.fn.countAll<number>().as('days'),
        eb.fn.coalesce(eb.fn.sum<number>('u.download_mb'), eb.lit(0)).as('download'),
        eb.fn.coalesce(eb.fn.sum<number>('u.upload_mb'), eb.lit(0)).as('upload'),
        sql<number>`coalesce(sum(u.download_mb + u.upload_mb), 0)`.as('total'),
      ])
      .executeTakeFirst(),
  ]);
  return data(
    INTERNET_USAGE_COLUMNS,
    rows.map((r) => [r.account, r.circuit, r.identifier, num(r.days), num(r.download), num(r.upload), num(r.total)]),
    [null, null, null, num(totals?.days), num(totals?.download), num(totals?.upload), num(totals?.total)],
  );
}

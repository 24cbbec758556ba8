// The report catalogue: every portal report by id, with its title, category, columns, filters, and how it is run.
import type { CallType } from '../../db/schema.js';
import {
  BILL_CATEGORIES,
  BILLING_COLUMNS,
  type BillingReportKind,
  INTERNET_USAGE_COLUMNS,
  PRODUCT_CATEGORIES,
  runBillingReport,
  runInternetUsage,
} from './billing-query.js';
import { CALL_TYPES, type CallFilters, type CallQuerySpec, callSpecColumns, runCallQuery } from './call-query.js';
import type { ParsedFilters, PhoneMatch } from './filters.js';
import type { ReportData, ReportScope } from './query-plan.js';
import type { ReportCategory, ReportColumn, ReportDescription, ReportFilterDefinition } from './types.js';

export interface ReportDefinition {
  readonly id: string;
  readonly title: string;
  readonly category: ReportCategory;
  readonly description: string;
  readonly kind: 'detail' | 'summary';
  readonly filters: readonly ReportFilterDefinition[];
  readonly columns: readonly ReportColumn[];
  /** How many rows the report lists unless asked otherwise (top-N reports). */
  readonly defaultLimit?: number;
  run(scope: ReportScope, filters: ParsedFilters, limit: number | undefined): Promise<ReportData>;
}

const phone = (name: string, label: string, description: string): ReportFilterDefinition => ({
  name,
  label,
  type: 'phone',
  description,
});
const ACCOUNT_CODE: ReportFilterDefinition = {
  name: 'accountCode',
  label: 'Account code',
  type: 'text',
  description: 'Only calls tagged with this account code.',
};
const CALL_TYPE: ReportFilterDefinition = {
  name: 'callType',
  label: 'Call type',
  type: 'choice',
  values: CALL_TYPES,
  description: 'Only calls of this type.',
};
const TOP: ReportFilterDefinition = {
  name: 'top',
  label: 'Number of rows',
  type: 'integer',
  description: 'How many to list (1–1000, default 10).',
};

const phoneOf = (filters: ParsedFilters, name: string) => filters[name] as PhoneMatch | undefined;
const textOf = (filters: ParsedFilters, name: string) => filters[name] as string | undefined;

/** Call types a report covers: its own, narrowed by a callType filter when it has one. */
function callTypes(defaults: readonly CallType[], filters: ParsedFilters): readonly CallType[] {
  const chosen = textOf(filters, 'callType') as CallType | undefined;
  return chosen ? [chosen] : defaults;
}

interface CallReport {
  id: string;
  title: string;
  category: ReportCategory;
  description: string;
  filters: readonly ReportFilterDefinition[];
  defaultLimit?: number;
  spec: (filters: ParsedFilters, limit: number | undefined) => CallQuerySpec;
}

function callReport(report: CallReport): ReportDefinition {
  const sample = report.spec({}, report.defaultLimit);
  return {
    id: report.id,
    title: report.title,
    category: report.category,
    description: report.description,
    kind: sample.mode === 'detail' ? 'detail' : 'summary',
    filters: report.filters,
    columns: callSpecColumns(sample),
    defaultLimit: report.defaultLimit,
    run: (scope, filters, limit) => {
      const top = (filters.top as number | undefined) ?? limit ?? report.defaultLimit;
      return runCallQuery(scope, report.spec(filters, top));
    },
  };
}

function callFilters(
  filters: ParsedFilters,
  types: readonly CallType[],
  extra: Partial<CallFilters> = {},
): CallFilters {
  return {
    callTypes: callTypes(types, filters),
    accountCode: textOf(filters, 'accountCode'),
    ...extra,
  };
}

const DETAIL_FIELDS = [
  'started_at',
  'account',
  'origin_number',
  'destination_number',
  'duration',
  'charge',
  'account_code',
] as const;
const OUTBOUND: readonly CallType[] = ['long_distance', 'local'];
const BY_CALLS_THEN_CHARGE = [
  { key: 'calls', direction: 'desc' },
  { key: 'charge', direction: 'desc' },
] as const;

const CALL_REPORTS: ReportDefinition[] = [
  callReport({
    id: 'long-distance-detail',
    title: 'Long distance detail',
    category: 'long_distance',
    description:
      'Every long distance call: when, from and to which number, how long, the rated charge and account code.',
    filters: [
      phone('originNumber', 'Origin number', 'Only calls made from this number.'),
      phone('destinationNumber', 'Destination number', 'Only calls to this number.'),
      ACCOUNT_CODE,
    ],
    spec: (f, limit) => ({
      mode: 'detail',
      fields: DETAIL_FIELDS,
      sort: [],
      limit,
      filters: callFilters(f, ['long_distance'], {
        origin: phoneOf(f, 'originNumber'),
        destination: phoneOf(f, 'destinationNumber'),
      }),
    }),
  }),
  callReport({
    id: 'long-distance-summary',
    title: 'Long distance summary',
    category: 'long_distance',
    description: 'Long distance calls, minutes and charges per account.',
    filters: [ACCOUNT_CODE],
    spec: (f, limit) => ({
      mode: 'summary',
      groupBy: ['account'],
      measures: ['calls', 'duration', 'charge', 'average_duration'],
      sort: [],
      limit,
      filters: callFilters(f, ['long_distance']),
    }),
  }),
  callReport({
    id: 'toll-free-summary',
    title: 'Toll-free summary',
    category: 'long_distance',
    description: 'Inbound calls, minutes and charges per toll-free number.',
    filters: [phone('tollFreeNumber', 'Toll-free number', 'Only calls to this toll-free number.')],
    spec: (f, limit) => ({
      mode: 'summary',
      groupBy: ['destination_number'],
      measures: ['calls', 'duration', 'charge', 'average_duration'],
      sort: [],
      limit,
      labels: { destination_number: 'Toll-free number' },
      filters: callFilters(f, ['toll_free'], { destination: phoneOf(f, 'tollFreeNumber') }),
    }),
  }),
  callReport({
    id: 'toll-free-detail',
    title: 'Toll-free detail',
    category: 'long_distance',
    description:
      'Every call to the toll-free numbers: when, from which caller, to which number, how long and its charge.',
    filters: [
      phone('tollFreeNumber', 'Toll-free number', 'Only calls to this toll-free number.'),
      phone('callerNumber', 'Caller number', 'Only calls from this caller.'),
    ],
    spec: (f, limit) => ({
      mode: 'detail',
      fields: ['started_at', 'account', 'destination_number', 'origin_number', 'duration', 'charge'],
      sort: [],
      limit,
      labels: { destination_number: 'Toll-free number', origin_number: 'Caller' },
      filters: callFilters(f, ['toll_free'], {
        destination: phoneOf(f, 'tollFreeNumber'),
        origin: phoneOf(f, 'callerNumber'),
      }),
    }),
  }),
  callReport({
    id: 'destination-number-summary',
    title: 'Destination number summary',
    category: 'long_distance',
    description: 'Long distance calls grouped by the number called, the costliest first.',
    filters: [
      phone('destinationNumber', 'Destination number', 'Only this number, or numbers containing these digits.'),
      ACCOUNT_CODE,
    ],
    spec: (f, limit) => ({
      mode: 'summary',
      groupBy: ['destination_number'],
      measures: ['calls', 'duration', 'charge'],
      sort: [{ key: 'charge', direction: 'desc' }],
      limit,
      filters: callFilters(f, ['long_distance'], { destination: phoneOf(f, 'destinationNumber') }),
    }),
  }),
  callReport({
    id: 'origin-number-summary',
    title: 'Origin number summary',
    category: 'long_distance',
    description: 'Long distance calls grouped by the line that made them, the costliest first.',
    filters: [
      phone('originNumber', 'Origin number', 'Only this line, or lines containing these digits.'),
      ACCOUNT_CODE,
    ],
    spec: (f, limit) => ({
      mode: 'summary',
      groupBy: ['origin_number'],
      measures: ['calls', 'duration', 'charge'],
      sort: [{ key: 'charge', direction: 'desc' }],
      limit,
      filters: callFilters(f, ['long_distance'], { origin: phoneOf(f, 'originNumber') }),
    }),
  }),
  callReport({
    id: 'day-of-week-summary',
    title: 'Day-of-the-week summary',
    category: 'long_distance',
    description: 'Long distance calls, minutes and charges by day of the week, in the report’s time zone.',
    filters: [{ ...CALL_TYPE, description: 'Calls of this type instead of long distance.' }, ACCOUNT_CODE],
    spec: (f) => ({
      mode: 'summary',
      groupBy: ['day_of_week'],
      measures: ['calls', 'duration', 'charge', 'average_duration'],
      sort: [{ key: 'day_of_week', direction: 'asc' }],
      filters: callFilters(f, ['long_distance']),
    }),
  }),
  callReport({
    id: 'rated-call-detail',
    title: 'Rated call detail',
    category: 'usage',
    description: 'Every call of every type with its rated charge.',
    filters: [CALL_TYPE, phone('number', 'Number', 'Only calls from or to this number.'), ACCOUNT_CODE],
    spec: (f, limit) => ({
      mode: 'detail',
      fields: [
        'started_at',
        'account',
        'call_type',
        'origin_number',
        'destination_number',
        'duration',
        'charge',
        'account_code',
      ],
      sort: [],
      limit,
      filters: callFilters(f, CALL_TYPES, { eitherNumber: phoneOf(f, 'number') }),
    }),
  }),
  callReport({
    id: 'account-code-detail',
    title: 'Account code detail',
    category: 'usage',
    description: 'Calls tagged with an account code (for call accounting), with their codes and charges.',
    filters: [ACCOUNT_CODE, CALL_TYPE],
    spec: (f, limit) => ({
      mode: 'detail',
      fields: [
        'account_code',
        'started_at',
        'account',
        'call_type',
        'origin_number',
        'destination_number',
        'duration',
        'charge',
      ],
      sort: [
        { key: 'account_code', direction: 'asc' },
        { key: 'started_at', direction: 'asc' },
      ],
      limit,
      filters: callFilters(f, CALL_TYPES, { withAccountCode: true }),
    }),
  }),
  callReport({
    id: 'top-calls-by-number',
    title: 'Top calls by called number',
    category: 'usage',
    description: 'The numbers called most often, with their minutes and charges.',
    filters: [CALL_TYPE, TOP],
    defaultLimit: 10,
    spec: (f, limit) => ({
      mode: 'summary',
      groupBy: ['destination_number'],
      measures: ['calls', 'duration', 'charge'],
      sort: BY_CALLS_THEN_CHARGE,
      limit,
      labels: { destination_number: 'Called number' },
      filters: callFilters(f, OUTBOUND),
    }),
  }),
  callReport({
    id: 'top-calls-by-charge',
    title: 'Top calls by charged amount',
    category: 'usage',
    description: 'The most expensive calls.',
    filters: [CALL_TYPE, TOP],
    defaultLimit: 10,
    spec: (f, limit) => ({
      mode: 'detail',
      fields: ['started_at', 'account', 'call_type', 'origin_number', 'destination_number', 'duration', 'charge'],
      sort: [{ key: 'charge', direction: 'desc' }],
      limit,
      filters: callFilters(f, CALL_TYPES),
    }),
  }),
  callReport({
    id: 'top-calls-by-duration',
    title: 'Top calls by duration',
    category: 'usage',
    description: 'The longest calls.',
    filters: [CALL_TYPE, TOP],
    defaultLimit: 10,
    spec: (f, limit) => ({
      mode: 'detail',
      fields: ['started_at', 'account', 'call_type', 'origin_number', 'destination_number', 'duration', 'charge'],
      sort: [{ key: 'duration', direction: 'desc' }],
      limit,
      filters: callFilters(f, CALL_TYPES),
    }),
  }),
  callReport({
    id: 'area-code-summary',
    title: 'Area code summary',
    category: 'usage',
    description: 'Outbound calls grouped by the area code called.',
    filters: [
      CALL_TYPE,
      { name: 'areaCode', label: 'Area code', type: 'text', description: 'Only calls to this area code.' },
    ],
    spec: (f, limit) => ({
      mode: 'summary',
      groupBy: ['area_code'],
      measures: ['calls', 'duration', 'charge'],
      sort: [{ key: 'calls', direction: 'desc' }],
      limit,
      filters: callFilters(f, OUTBOUND, { areaCode: textOf(f, 'areaCode') }),
    }),
  }),
  callReport({
    id: 'conferencing-summary',
    title: 'Conferencing summary',
    category: 'usage',
    description: 'Conference calls per bridge: participant legs, minutes and charges.',
    filters: [phone('bridgeNumber', 'Bridge number', 'Only this conference bridge.')],
    spec: (f, limit) => ({
      mode: 'summary',
      groupBy: ['destination_number'],
      measures: ['calls', 'duration', 'charge', 'average_duration'],
      sort: [],
      limit,
      labels: { destination_number: 'Bridge number', calls: 'Participant legs' },
      filters: callFilters(f, ['conference'], { destination: phoneOf(f, 'bridgeNumber') }),
    }),
  }),
];

const INTERNET_USAGE: ReportDefinition = {
  id: 'internet-usage-summary',
  title: 'Measured internet usage summary',
  category: 'usage',
  description: 'Download and upload per internet circuit over the period, from the daily measurements.',
  kind: 'summary',
  filters: [
    { name: 'circuit', label: 'Circuit', type: 'text', description: 'Only circuits whose id or name contains this.' },
  ],
  columns: INTERNET_USAGE_COLUMNS,
  run: (scope, filters) => runInternetUsage(scope, { circuit: textOf(filters, 'circuit') }),
};

const BILL_CATEGORY: ReportFilterDefinition = {
  name: 'billCategory',
  label: 'Bill category',
  type: 'choice',
  values: BILL_CATEGORIES,
  description: 'Only invoice lines of this bill category.',
};
const PRODUCT_CATEGORY: ReportFilterDefinition = {
  name: 'productCategory',
  label: 'Product category',
  type: 'choice',
  values: PRODUCT_CATEGORIES,
  description: 'Only invoice lines of this product category.',
};

function billingReport(
  id: BillingReportKind,
  title: string,
  description: string,
  filters: readonly ReportFilterDefinition[],
): ReportDefinition {
  return {
    id,
    title,
    category: 'billing',
    description: `${description} Covers the invoices whose billing period starts within the dates.`,
    kind: 'summary',
    filters,
    columns: BILLING_COLUMNS[id],
    run: (scope, f) =>
      runBillingReport(scope, id, {
        billCategory: textOf(f, 'billCategory'),
        productCategory: textOf(f, 'productCategory'),
        connection: textOf(f, 'connectionNumber'),
        feature: textOf(f, 'feature'),
        taxName: textOf(f, 'taxName'),
      }),
  };
}

const BILLING_REPORTS: ReportDefinition[] = [
  billingReport('billed-amount', 'Billed amount', 'Each invoice with its subtotal, taxes and total.', []),
  billingReport(
    'billed-amount-by-feature',
    'Billed amount by feature',
    'Charges per service or feature, the largest first.',
    [
      PRODUCT_CATEGORY,
      { name: 'feature', label: 'Feature', type: 'text', description: 'Only features whose name contains this.' },
    ],
  ),
  billingReport(
    'billed-amount-by-connection',
    'Billed amount by connection number',
    'Charges per line, toll-free number or circuit.',
    [
      {
        name: 'connectionNumber',
        label: 'Connection number',
        type: 'text',
        description: 'Only this phone number, or connections whose id contains this (a circuit id such as CKT-TOR).',
      },
      PRODUCT_CATEGORY,
    ],
  ),
  billingReport(
    'billed-amount-by-child',
    'Billed amount summary by child account',
    'Invoiced amounts per account of the hierarchy.',
    [],
  ),
  billingReport(
    'billed-amount-by-category',
    'Billed amount by bill category',
    'Invoiced amounts per bill category (monthly, usage, one-time, credits, taxes).',
    [BILL_CATEGORY],
  ),
  billingReport(
    'charges-by-product-category',
    'Account charges by product category',
    'Invoiced amounts per product (voice, long distance, toll-free, internet, conferencing, tax).',
    [PRODUCT_CATEGORY],
  ),
  billingReport('taxing-summary', 'Taxing summary', 'Each tax charged, on how many invoices, on what taxable amount.', [
    { name: 'taxName', label: 'Tax', type: 'text', description: 'Only this tax (GST, HST, QST, PST…).' },
  ]),
];

/** Every built-in report, in the portal's order: long distance, usage, billing. */
export const REPORT_CATALOGUE: readonly ReportDefinition[] = [
  ...CALL_REPORTS.filter((r) => r.category === 'long_distance'),
  ...CALL_REPORTS.filter((r) => r.category === 'usage').slice(0, 2),
  INTERNET_USAGE,
  ...CALL_REPORTS.filter((r) => r.category === 'usage').slice(2),
  ...BILLING_REPORTS,
];

export function findReport(id: string): ReportDefinition | undefined {
  return REPORT_CATALOGUE.find((r) => r.id === id.trim().toLowerCase());
}

/** The catalogue as data (for `report list --json`, the chat's help, an API). */
export function describeReports(): ReportDescription[] {
  return REPORT_CATALOGUE.map(describeReport);
}

export function describeReport(r: ReportDefinition): ReportDescription {
  return {
    id: r.id,
    title: r.title,
    category: r.category,
    description: r.description,
    kind: r.kind,
    columns: r.columns.map(({ label, type, total }) => ({ label, type, total })),
    filters: r.filters,
  };
}

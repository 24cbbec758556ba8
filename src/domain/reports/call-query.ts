// The query engine over call detail records that every call report and every custom report is a spec for:
// detail rows streamed in keyset pages, or groups summed in SQL (local-time groups folded from UTC buckets).
import { type Compilable, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { RowArray } from '../../db/row-reader.js';
import type { CallType, Database } from '../../db/schema.js';
import type { PhoneMatch } from './filters.js';
import { type ReportData, type ReportScope, column, num, sumColumns } from './query-plan.js';
import type { ReportColumn, ReportRow } from './types.js';

export const CALL_FIELDS = [
  'started_at',
  'account',
  'account_name',
  'call_type',
  'origin_number',
  'destination_number',
  'area_code',
  'account_code',
  'duration',
  'charge',
] as const;
export type CallField = (typeof CALL_FIELDS)[number];

export const CALL_DIMENSIONS = [
  'account',
  'call_type',
  'origin_number',
  'destination_number',
  'area_code',
  'account_code',
  'local_date',
  'day_of_week',
  'hour_of_day',
  'month',
] as const;
export type CallDimension = (typeof CALL_DIMENSIONS)[number];

export const CALL_MEASURES = ['calls', 'duration', 'charge', 'average_duration', 'average_charge'] as const;
export type CallMeasure = (typeof CALL_MEASURES)[number];

export const CALL_TYPES: readonly CallType[] = ['long_distance', 'toll_free', 'local', 'conference'];
const CALL_TYPE_LABEL: Record<string, string> = {
  long_distance: 'Long distance',
  toll_free: 'Toll-free',
  local: 'Local',
  conference: 'Conference',
};
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface CallFilters {
  readonly callTypes?: readonly CallType[];
  readonly origin?: PhoneMatch;
  readonly destination?: PhoneMatch;
  /** Matches the origin or the destination. */
  readonly eitherNumber?: PhoneMatch;
  readonly accountCode?: string;
  /** Only calls tagged with some account code. */
  readonly withAccountCode?: boolean;
  readonly areaCode?: string;
  readonly minDurationSeconds?: number;
  readonly minChargeCents?: number;
}

export interface SortSpec {
  readonly key: string;
  readonly direction: 'asc' | 'desc';
}

export type CallQuerySpec =
  | {
      readonly mode: 'detail';
      readonly fields: readonly CallField[];
      readonly sort: readonly SortSpec[];
      readonly limit?: number;
      readonly filters: CallFilters;
      readonly labels?: Readonly<Partial<Record<string, string>>>;
    }
  | {
      readonly mode: 'summary';
      readonly groupBy: readonly CallDimension[];
      readonly measures: readonly CallMeasure[];
      readonly sort: readonly SortSpec[];
      readonly limit?: number;
      readonly filters: CallFilters;
      readonly labels?: Readonly<Partial<Record<string, string>>>;
    };

// Every expression is constant SQL text (no parameters), so SELECT and GROUP BY spell it identically,
// which PostgreSQL requires.
const EXPR: Record<CallField, RawBuilder<unknown>> = {
  started_at: sql`c.started_at`,
  account: sql`a.number`,
  account_name: sql`a.name`,
  call_type: sql`c.call_type`,
  origin_number: sql`c.origin_number`,
  destination_number: sql`c.destination_number`,
  area_code: sql`case when c.destination_number like '+1%' then substr(c.destination_number, 3, 3) else 'intl' end`,
  account_code: sql`coalesce(c.account_code, '')`,
  duration: sql`c.duration_seconds`,
  charge: sql`c.charge_cents`,
};

const FIELD_COLUMNS: Record<CallField, ReportColumn> = {
  started_at: column('started_at', 'Started', 'datetime'),
  account: column('account', 'Account', 'text'),
  account_name: column('account_name', 'Account name', 'text'),
  call_type: column('call_type', 'Call type', 'text'),
  origin_number: column('origin_number', 'From', 'text'),
  destination_number: column('destination_number', 'To', 'text'),
  area_code: column('area_code', 'Area code', 'text'),
  account_code: column('account_code', 'Account code', 'text'),
  duration: column('duration', 'Duration', 'duration', true),
  charge: column('charge', 'Charge', 'money', true),
};

const DIMENSION_COLUMNS: Record<CallDimension, readonly ReportColumn[]> = {
  account: [FIELD_COLUMNS.account, FIELD_COLUMNS.account_name],
  call_type: [FIELD_COLUMNS.call_type],
  origin_number: [column('origin_number', 'Origin number', 'text')],
  destination_number: [column('destination_number', 'Destination number', 'text')],
  area_code: [FIELD_COLUMNS.area_code],
  account_code: [FIELD_COLUMNS.account_code],
  local_date: [column('local_date', 'Date', 'date')],
  day_of_week: [column('day_of_week', 'Day of week', 'text')],
  hour_of_day: [column('hour_of_day', 'Hour', 'text')],
  month: [column('month', 'Month', 'text')],
};

const MEASURE_COLUMNS: Record<CallMeasure, ReportColumn> = {
  calls: column('calls', 'Calls', 'integer', true),
  duration: column('duration', 'Duration', 'duration', true),
  charge: column('charge', 'Charge', 'money', true),
  average_duration: column('average_duration', 'Average duration', 'duration'),
  average_charge: column('average_charge', 'Average charge', 'money'),
};

const MEASURE_ORDER: Record<CallMeasure, RawBuilder<unknown>> = {
  calls: sql`count(*)`,
  duration: sql`sum(c.duration_seconds)`,
  charge: sql`sum(c.charge_cents)`,
  average_duration: sql`sum(c.duration_seconds) * 1.0 / count(*)`,
  average_charge: sql`sum(c.charge_cents) * 1.0 / count(*)`,
};

const TIME_DIMENSIONS = new Set<CallDimension>(['local_date', 'day_of_week', 'hour_of_day', 'month']);

/** Detail reports are read this many rows at a time: memory stays flat, and the connection is shared between pages. */
const PAGE_ROWS = 5_000;

const withLabel = (col: ReportColumn, labels: CallQuerySpec['labels']): ReportColumn =>
  labels?.[col.key] ? { ...col, label: labels[col.key] as string } : col;

/** The columns a spec produces, in order. */
export function callSpecColumns(spec: CallQuerySpec): ReportColumn[] {
  if (spec.mode === 'detail') return spec.fields.map((f) => withLabel(FIELD_COLUMNS[f], spec.labels));
  return [
    ...spec.groupBy.flatMap((d) => DIMENSION_COLUMNS[d]).map((c) => withLabel(c, spec.labels)),
    ...spec.measures.map((m) => withLabel(MEASURE_COLUMNS[m], spec.labels)),
  ];
}

type CallsDB = Database & { c: Database['call_detail_records']; a: Database['accounts'] };
type CallsQuery<O = object> = SelectQueryBuilder<CallsDB, 'c' | 'a', O>;

function phoneCondition(expr: RawBuilder<unknown>, match: PhoneMatch): RawBuilder<boolean> {
  return 'exact' in match
    ? sql<boolean>`${expr} = ${match.exact}`
    : sql<boolean>`${expr} like ${`%${match.contains}%`}`;
}

function baseQuery(scope: ReportScope, filters: CallFilters, joinAccounts = true): CallsQuery {
  let q = scope.db
    .selectFrom('call_detail_records as c')
    .where('c.account_id', 'in', scope.accountIds.length > 0 ? [...scope.accountIds] : [-1])
    .where('c.started_at', '>=', scope.startUtc)
    .where('c.started_at', '<', scope.endUtc) as unknown as CallsQuery;
  // Detail rows name their account from a map instead: the join costs more per row than the look-up.
  if (joinAccounts) q = q.innerJoin('accounts as a', 'a.id', 'c.account_id') as unknown as CallsQuery;
  if (filters.callTypes && filters.callTypes.length > 0) q = q.where('c.call_type', 'in', [...filters.callTypes]);
  if (filters.origin) q = q.where(phoneCondition(EXPR.origin_number, filters.origin));
  if (filters.destination) q = q.where(phoneCondition(EXPR.destination_number, filters.destination));
  if (filters.eitherNumber) {
    const match = filters.eitherNumber;
    q = q.where(
      sql<boolean>`(${phoneCondition(EXPR.origin_number, match)} or ${phoneCondition(EXPR.destination_number, match)})`,
    );
  }
  if (filters.accountCode !== undefined) q = q.where('c.account_code', '=', filters.accountCode);
  if (filters.withAccountCode) q = q.where('c.account_code', 'is not', null);
  if (filters.areaCode !== undefined) q = q.where(sql<boolean>`${EXPR.area_code} = ${filters.areaCode}`);
  if (filters.minDurationSeconds !== undefined) q = q.where('c.duration_seconds', '>=', filters.minDurationSeconds);
  if (filters.minChargeCents !== undefined) q = q.where('c.charge_cents', '>=', filters.minChargeCents);
  return q;
}

function displayValue(key: string, value: unknown): string | number | null {
  if (value === null || value === undefined || value === '') return null;
  if (key === 'call_type') return CALL_TYPE_LABEL[String(value)] ?? String(value);
  return typeof value === 'number' ? value : String(value);
}

/** Runs a spec for a scope: counts and totals now, rows when `batches()` is read. */
export async function runCallQuery(scope: ReportScope, spec: CallQuerySpec): Promise<ReportData> {
  if (spec.mode === 'detail') return runDetail(scope, spec);
  if (spec.groupBy.some((d) => TIME_DIMENSIONS.has(d))) return runFoldedSummary(scope, spec);
  return runSummary(scope, spec);
}

// ---- detail ---------------------------------------------------------------------------------------

const DETAIL_EXPR: Record<CallField, RawBuilder<unknown>> = {
  ...EXPR,
  account: sql`c.account_id`,
  account_name: sql`c.account_id`,
};

async function accountNames(scope: ReportScope): Promise<Map<number, { number: string; name: string }>> {
  const rows = await scope.db
    .selectFrom('accounts')
    .select(['id', 'number', 'name'])
    .where('id', 'in', scope.accountIds.length > 0 ? [...scope.accountIds] : [-1])
    .execute();
  return new Map(rows.map((r) => [r.id, { number: r.number, name: r.name }]));
}

function runDetail(scope: ReportScope, spec: Extract<CallQuerySpec, { mode: 'detail' }>): Promise<ReportData> {
  const columns = callSpecColumns(spec);
  const sort = spec.sort.length > 0 ? spec.sort : [{ key: 'started_at', direction: 'asc' as const }];
  // Sorting by account means by its number or name, which only the join has.
  const joinAccounts = sort.some((s) => s.key === 'account' || s.key === 'account_name');
  const sortKeys = sort.map((s) => ({
    key: s.key,
    expr: (joinAccounts ? EXPR : DETAIL_EXPR)[s.key as CallField],
    direction: s.direction,
  }));
  const fieldSelections = spec.fields.map((f, i) => DETAIL_EXPR[f].as(`f${i}`));
  // Keyset pages also read their sort keys back; time windows need only the fields.
  const selections = [...fieldSelections, ...sortKeys.map((k, i) => k.expr.as(`k${i}`)), sql`c.id`.as('kid')];
  const base = baseQuery(scope, spec.filters, joinAccounts);
  const ordered = <O>(q: CallsQuery<O>): CallsQuery<O> => {
    for (const key of sortKeys) q = q.orderBy(key.expr, key.direction);
    return q.orderBy('c.id', 'asc');
  };
  const byTime = sortKeys.length === 1 && sortKeys[0]!.key === 'started_at' && sortKeys[0]!.direction === 'asc';

  return (async () => {
    let totalsSource = base.select([sql`c.duration_seconds`.as('td'), sql`c.charge_cents`.as('tc')]);
    if (spec.limit !== undefined) totalsSource = ordered(totalsSource).limit(spec.limit);
    const [totalsRow, accounts] = await Promise.all([
      sql<{ n: number; duration: number; charge: number }>`
        select count(*) as n, coalesce(sum(t.td), 0) as duration, coalesce(sum(t.tc), 0) as charge
        from (${totalsSource}) as t`
        .execute(scope.db)
        .then((r) => r.rows[0]),
      accountNames(scope),
    ]);
    const rowCount = num(totalsRow?.n);
    const totals = columns.map((col) =>
      col.key === 'duration' ? num(totalsRow?.duration) : col.key === 'charge' ? num(totalsRow?.charge) : null,
    );
    // Rows are read as arrays in SELECT order (f0…, then any keyset keys) and become report rows in
    // place: account ids turn into numbers or names, call types into labels, empty text into null.
    const width = spec.fields.length;
    const columnsOf = (wanted: (f: CallField) => boolean) => spec.fields.flatMap((f, i) => (wanted(f) ? [i] : []));
    const numberAt = columnsOf((f) => f === 'account');
    const nameAt = columnsOf((f) => f === 'account_name');
    const typeAt = columnsOf((f) => f === 'call_type');
    const plainAt = columnsOf((f) => f !== 'account' && f !== 'account_name' && f !== 'call_type');
    const toRows = (rows: RowArray[]): ReportRow[] => {
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        for (const i of plainAt) if (row[i] === '') row[i] = null;
        for (const i of typeAt) row[i] = CALL_TYPE_LABEL[row[i] as string] ?? row[i];
        for (const i of numberAt) row[i] = accounts.get(row[i] as number)?.number ?? null;
        for (const i of nameAt) row[i] = accounts.get(row[i] as number)?.name ?? null;
        if (row.length > width) row.length = width;
      }
      return rows as ReportRow[];
    };
    const read = (query: Compilable<unknown>) => scope.rows.readArrays(query.compile());

    async function* byKeyset(): AsyncGenerator<readonly ReportRow[]> {
      let after: { keys: unknown[]; id: number } | null = null;
      for (;;) {
        let q = base.select(selections);
        if (after) q = q.where(keysetCondition(sortKeys, after));
        const rows = await read(ordered(q).limit(PAGE_ROWS));
        if (rows.length === 0) return;
        // The page's last row carries its sort keys and id after the fields: where the next page starts.
        const last = rows[rows.length - 1]!;
        after = { keys: sortKeys.map((_, i) => last[width + i]), id: Number(last[width + sortKeys.length]) };
        yield toRows(rows);
        if (rows.length < PAGE_ROWS) return;
      }
    }

    /**
     * In time order, pages are time windows sized from the row count (and resized as they go), so
     * each record is read once: a keyset page over several accounts would sort everything after it.
     */
    async function* byTimeWindows(): AsyncGenerator<readonly ReportRow[]> {
      const startMs = Date.parse(scope.startUtc);
      const endMs = Date.parse(scope.endUtc);
      let windowMs = Math.max(60_000, Math.floor(((endMs - startMs) * PAGE_ROWS) / Math.max(rowCount, 1)));
      for (let from = startMs; from < endMs; ) {
        const to = Math.min(endMs, from + windowMs);
        // The window replaces the period's bounds rather than adding to them: given two lower bounds on
        // started_at, SQLite ranges its index scan on one and filters by the other.
        const window = { ...scope, startUtc: new Date(from).toISOString(), endUtc: new Date(to).toISOString() };
        const rows = await read(ordered(baseQuery(window, spec.filters, joinAccounts).select(fieldSelections)));
        const count = rows.length;
        if (count > 0) yield toRows(rows);
        if (count > 2 * PAGE_ROWS) windowMs = Math.max(60_000, Math.floor(windowMs / 2));
        else if (count < PAGE_ROWS / 2) windowMs *= 2;
        from = to;
      }
    }

    return {
      columns,
      rowCount,
      totals,
      async *batches() {
        if (spec.limit !== undefined) {
          const rows = await read(ordered(base.select(selections)).limit(spec.limit));
          if (rows.length > 0) yield toRows(rows);
          return;
        }
        yield* byTime ? byTimeWindows() : byKeyset();
      },
    };
  })();
}

/** Rows after the last one read, in (sort keys…, id) order, whatever each key's direction. */
function keysetCondition(
  keys: readonly { expr: RawBuilder<unknown>; direction: 'asc' | 'desc' }[],
  after: { keys: unknown[]; id: number },
): RawBuilder<boolean> {
  let condition = sql<boolean>`c.id > ${after.id}`;
  for (let i = keys.length - 1; i >= 0; i--) {
    const { expr, direction } = keys[i]!;
    const value = after.keys[i];
    const beyond = direction === 'asc' ? sql.raw('>') : sql.raw('<');
    condition = sql<boolean>`(${expr} ${beyond} ${value} or (${expr} = ${value} and ${condition}))`;
  }
  // The first key alone, as a plain range, lets the database skip what was read before.
  const first = keys[0]!;
  const bound = first.direction === 'asc' ? sql.raw('>=') : sql.raw('<=');
  return sql<boolean>`(${first.expr} ${bound} ${after.keys[0]} and ${condition})`;
}

// ---- summary --------------------------------------------------------------------------------------

function dimensionExprs(groupBy: readonly CallDimension[]): { key: string; expr: RawBuilder<unknown> }[] {
  return groupBy.flatMap((d) =>
    d === 'account'
      ? [
          { key: 'account', expr: EXPR.account },
          { key: 'account_name', expr: EXPR.account_name },
        ]
      : [{ key: d, expr: EXPR[d as CallField] }],
  );
}

function measureValue(measure: CallMeasure, calls: number, duration: number, charge: number): number {
  switch (measure) {
    case 'calls':
      return calls;
    case 'duration':
      return duration;
    case 'charge':
      return charge;
    case 'average_duration':
      return calls === 0 ? 0 : Math.round(duration / calls);
    case 'average_charge':
      return calls === 0 ? 0 : Math.round(charge / calls);
  }
}

async function runSummary(scope: ReportScope, spec: Extract<CallQuerySpec, { mode: 'summary' }>): Promise<ReportData> {
  const columns = callSpecColumns(spec);
  const dims = dimensionExprs(spec.groupBy);
  let q = baseQuery(scope, spec.filters)
    .select([
      ...dims.map((d, i) => d.expr.as(`d${i}`)),
      sql`count(*)`.as('m_calls'),
      sql`coalesce(sum(c.duration_seconds), 0)`.as('m_duration'),
      sql`coalesce(sum(c.charge_cents), 0)`.as('m_charge'),
    ])
    .groupBy(dims.map((d) => d.expr));
  for (const s of spec.sort) {
    const measure = (CALL_MEASURES as readonly string[]).includes(s.key)
      ? MEASURE_ORDER[s.key as CallMeasure]
      : undefined;
    const dim = dims.find((d) => d.key === s.key);
    const expr = measure ?? dim?.expr;
    if (expr) q = q.orderBy(expr, s.direction);
  }
  for (const d of dims) q = q.orderBy(d.expr, 'asc');
  if (spec.limit !== undefined) q = q.limit(spec.limit);

  const rows = (await q.execute()) as Record<string, unknown>[];
  const out: ReportRow[] = rows.map((r) => [
    ...dims.map((d, i) => displayValue(d.key, r[`d${i}`])),
    ...spec.measures.map((m) => measureValue(m, num(r.m_calls), num(r.m_duration), num(r.m_charge))),
  ]);
  // The groups partition the records, so the totals are the sums of SQL's per-group sums: no second scan.
  let calls = 0;
  let duration = 0;
  let charge = 0;
  for (const r of rows) {
    calls += num(r.m_calls);
    duration += num(r.m_duration);
    charge += num(r.m_charge);
  }
  const totals = columns.map((col) =>
    col.total ? measureValue(col.key as CallMeasure, calls, duration, charge) : null,
  );
  return {
    columns,
    rowCount: out.length,
    totals,
    async *batches() {
      if (out.length > 0) yield out;
    },
  };
}

/**
 * Local dates, weekdays and hours depend on the zone's offset, which SQL engines do not share a way
 * to apply. So SQL groups by UTC buckets no offset change splits (hours; 10 minutes for zones like
 * St. John's; minutes for the odd rest), and the buckets are folded into local groups here.
 */
function bucketMinutes(scope: ReportScope): 60 | 10 | 1 {
  for (const size of [60, 10] as const) {
    const sizeMs = size * 60_000;
    if (
      scope.clock.offsetsInSpan.every((offset) => offset % size === 0) &&
      scope.clock.changesInSpan.every((ms) => ms % sizeMs === 0)
    ) {
      return size;
    }
  }
  return 1;
}

const BUCKET_PREFIX: Record<60 | 10 | 1, { length: number; suffix: string }> = {
  60: { length: 13, suffix: ':00:00.000Z' },
  10: { length: 15, suffix: '0:00.000Z' },
  1: { length: 16, suffix: ':00.000Z' },
};

async function runFoldedSummary(
  scope: ReportScope,
  spec: Extract<CallQuerySpec, { mode: 'summary' }>,
): Promise<ReportData> {
  const columns = callSpecColumns(spec);
  const plainDims = dimensionExprs(spec.groupBy.filter((d) => !TIME_DIMENSIONS.has(d)));
  const bucket = BUCKET_PREFIX[bucketMinutes(scope)];
  const bucketExpr = sql`substr(c.started_at, 1, ${sql.lit(bucket.length)})`;
  const rows = (await baseQuery(scope, spec.filters)
    .select([
      ...plainDims.map((d, i) => d.expr.as(`d${i}`)),
      bucketExpr.as('bucket'),
      sql`count(*)`.as('m_calls'),
      sql`coalesce(sum(c.duration_seconds), 0)`.as('m_duration'),
      sql`coalesce(sum(c.charge_cents), 0)`.as('m_charge'),
    ])
    .groupBy([...plainDims.map((d) => d.expr), bucketExpr])
    .execute()) as Record<string, unknown>[];

  interface Group {
    values: Map<string, string | number | null>;
    calls: number;
    duration: number;
    charge: number;
  }
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const utcMs = Date.parse(`${String(r.bucket)}${bucket.suffix}`);
    const local = new Date(utcMs + scope.clock.offsetAt(utcMs) * 60_000);
    const values = new Map<string, string | number | null>();
    plainDims.forEach((d, i) => {
      values.set(d.key, displayValue(d.key, r[`d${i}`]));
    });
    const iso = local.toISOString();
    for (const d of spec.groupBy) {
      if (d === 'local_date') values.set(d, iso.slice(0, 10));
      if (d === 'month') values.set(d, iso.slice(0, 7));
      if (d === 'hour_of_day') values.set(d, `${iso.slice(11, 13)}:00`);
      if (d === 'day_of_week') values.set(d, WEEKDAYS[(local.getUTCDay() + 6) % 7]!);
    }
    const key = JSON.stringify([...values.values()]);
    let group = groups.get(key);
    if (!group) {
      group = { values, calls: 0, duration: 0, charge: 0 };
      groups.set(key, group);
    }
    group.calls += num(r.m_calls);
    group.duration += num(r.m_duration);
    group.charge += num(r.m_charge);
  }
  // A week reads better whole: days without calls show as zero.
  if (spec.groupBy.length === 1 && spec.groupBy[0] === 'day_of_week') {
    for (const day of WEEKDAYS) {
      const key = JSON.stringify([day]);
      if (!groups.has(key))
        groups.set(key, { values: new Map([['day_of_week', day]]), calls: 0, duration: 0, charge: 0 });
    }
  }
  const dimKeys = dimensionExprs(spec.groupBy).map((d) => d.key);
  let out: ReportRow[] = [...groups.values()].map((g) => [
    ...dimKeys.map((k) => g.values.get(k) ?? null),
    ...spec.measures.map((m) => measureValue(m, g.calls, g.duration, g.charge)),
  ]);
  const sortable = (key: string, value: unknown): string | number => {
    if (key === 'day_of_week') return WEEKDAYS.indexOf(String(value));
    return typeof value === 'number' ? value : String(value ?? '');
  };
  const order = [...spec.sort, ...dimKeys.map((key) => ({ key, direction: 'asc' as const }))];
  out.sort((x, y) => {
    for (const s of order) {
      const i = columns.findIndex((c) => c.key === s.key);
      if (i < 0) continue;
      const a = sortable(s.key, x[i]);
      const b = sortable(s.key, y[i]);
      if (a < b) return s.direction === 'asc' ? -1 : 1;
      if (a > b) return s.direction === 'asc' ? 1 : -1;
    }
    return 0;
  });
  if (spec.limit !== undefined) out = out.slice(0, spec.limit);
  return {
    columns,
    rowCount: out.length,
    totals: sumColumns(columns, out),
    async *batches() {
      if (out.length > 0) yield out;
    },
  };
}

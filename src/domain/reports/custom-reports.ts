// Custom reports (the portal's long-distance reporting tool): a user picks columns, grouping, sorting and
// filters over call records, saves the choice under a name, and runs or schedules it later as "custom:<id>".
import { z } from 'zod';
import type { CallType } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import { can } from '../authorization.js';
import type { DomainContext } from '../context.js';
import {
  type Denied,
  forbidden,
  invalid,
  type Invalid,
  notFound,
  type Ok,
  ok,
  type Outcome,
  signInRequired,
} from '../result.js';
import { cleanText } from '../validation.js';
import { writeAudited } from '../write.js';
import {
  CALL_DIMENSIONS,
  CALL_FIELDS,
  CALL_MEASURES,
  CALL_TYPES,
  type CallDimension,
  type CallField,
  type CallFilters,
  type CallMeasure,
  type CallQuerySpec,
  callSpecColumns,
  runCallQuery,
} from './call-query.js';
import type { ReportDefinition } from './catalogue.js';
import { CUSTOM_REPORT_PREFIX } from './custom-report-id.js';
import { parsePhoneMatch } from './filters.js';
import type { ReportColumn } from './types.js';

export { CUSTOM_REPORT_PREFIX, isCustomReportId } from './custom-report-id.js';
const MAX_ROWS_LIMIT = 1_000_000;

const Definition = z
  .object({
    description: z.string().max(500).optional(),
    /** Empty: one row per call. Otherwise one row per group, with the dimensions first. */
    groupBy: z.array(z.enum(CALL_DIMENSIONS)).max(3).default([]),
    /** Call fields for a detail report; measures (and optionally the group dimensions) for a grouped one. */
    columns: z.array(z.string()).min(1).max(12),
    sort: z
      .array(z.object({ column: z.string(), direction: z.enum(['asc', 'desc']).default('asc') }).strict())
      .max(3)
      .default([]),
    filters: z
      .object({
        callTypes: z.array(z.enum(CALL_TYPES as [CallType, ...CallType[]])).optional(),
        originNumber: z.string().optional(),
        destinationNumber: z.string().optional(),
        number: z.string().optional(),
        accountCode: z.string().max(40).optional(),
        areaCode: z
          .string()
          .regex(/^\d{3}$/, 'an area code is 3 digits')
          .optional(),
        minDurationSeconds: z.number().int().min(0).optional(),
        minChargeCents: z.number().int().min(0).optional(),
      })
      .strict()
      .default({}),
    limit: z.number().int().min(1).max(MAX_ROWS_LIMIT).optional(),
  })
  .strict();

/** What a user defines; see Definition above for the rules. */
export type CustomReportDefinition = z.input<typeof Definition>;

export interface CustomReportSummary {
  /** The report id to run or schedule it with: "custom:<n>". */
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly kind: 'detail' | 'summary';
  readonly columns: readonly string[];
  readonly definition: CustomReportDefinition;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function ownerOf(actor: Actor): { owner: string; portal_user_id: number | null; staff_id: number | null } | Denied {
  switch (actor.kind) {
    case 'anonymous':
      return signInRequired();
    case 'agent':
      return forbidden('Custom reports belong to the people who save them; an agent cannot save one for a customer.');
    case 'customer':
      if (!can(actor, 'reports.read')) return forbidden("You don't have permission for reports.");
      // Someone signed in with an account PIN has no portal user to own a saved report.
      if (actor.userId === null) return forbidden('Saving reports needs a portal sign-in; an account PIN alone can run reports but not keep them.');
      return { owner: `user:${actor.userId}`, portal_user_id: actor.userId, staff_id: null };
    case 'staff':
      if (!can(actor, 'reports.read')) return forbidden("You don't have permission for reports.");
      return { owner: `staff:${actor.staffId}`, portal_user_id: null, staff_id: actor.staffId };
  }
}

/** Checks a definition and turns it into the query spec it stands for. */
export function compileCustomDefinition(definition: unknown): { kind: 'ok'; value: CallQuerySpec } | Invalid {
  const parsed = Definition.safeParse(definition);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'definition';
    return invalid(
      'definition',
      `The report definition is not valid at ${where}: ${issue?.message ?? 'unknown problem'}.`,
    );
  }
  const d = parsed.data;
  const f = d.filters;
  const phones: Partial<Record<'origin' | 'destination' | 'eitherNumber', ReturnType<typeof parsePhoneMatch>>> = {};
  for (const [key, text] of [
    ['origin', f.originNumber],
    ['destination', f.destinationNumber],
    ['eitherNumber', f.number],
  ] as const) {
    if (text === undefined) continue;
    const match = parsePhoneMatch(text);
    if (!match) return invalid('definition', `"${text}" is not a phone number or at least 3 of its digits.`);
    phones[key] = match;
  }
  const filters: CallFilters = {
    callTypes: f.callTypes,
    accountCode: f.accountCode,
    areaCode: f.areaCode,
    minDurationSeconds: f.minDurationSeconds,
    minChargeCents: f.minChargeCents,
    ...(phones as Pick<CallFilters, 'origin' | 'destination' | 'eitherNumber'>),
  };
  const sort = d.sort.map((s) => ({ key: s.column, direction: s.direction }));
  let spec: CallQuerySpec;
  if (d.groupBy.length === 0) {
    const unknown = d.columns.find((c) => !(CALL_FIELDS as readonly string[]).includes(c));
    if (unknown) {
      return invalid(
        'definition',
        `"${unknown}" is not a call field; a report without grouping may show: ${CALL_FIELDS.join(', ')}.`,
      );
    }
    spec = { mode: 'detail', fields: dedupe(d.columns) as CallField[], sort, limit: d.limit, filters };
  } else {
    if (new Set(d.groupBy).size !== d.groupBy.length) return invalid('definition', 'A dimension is grouped by twice.');
    const groups = new Set<string>([...d.groupBy, ...(d.groupBy.includes('account') ? ['account_name'] : [])]);
    const measures = d.columns.filter((c) => !groups.has(c));
    const unknown = measures.find((c) => !(CALL_MEASURES as readonly string[]).includes(c));
    if (unknown) {
      return invalid(
        'definition',
        `"${unknown}" is not a measure; a grouped report may show: ${CALL_MEASURES.join(', ')}.`,
      );
    }
    if (measures.length === 0)
      return invalid('definition', 'A grouped report needs at least one measure (calls, duration, charge…).');
    spec = {
      mode: 'summary',
      groupBy: d.groupBy as CallDimension[],
      measures: dedupe(measures) as CallMeasure[],
      sort,
      limit: d.limit,
      filters,
    };
  }
  const keys = new Set(callSpecColumns(spec).map((c) => c.key));
  const badSort = sort.find((s) => !keys.has(s.key));
  if (badSort)
    return invalid('definition', `The report cannot sort by "${badSort.key}": it is not one of its columns.`);
  return { kind: 'ok', value: spec };
}

const dedupe = (items: readonly string[]) => [...new Set(items)];

function summarise(row: {
  id: number;
  name: string;
  definition: string;
  created_at: string;
  updated_at: string;
}): CustomReportSummary {
  const definition = JSON.parse(row.definition) as CustomReportDefinition;
  const compiled = compileCustomDefinition(definition);
  const columns: ReportColumn[] = compiled.kind === 'ok' ? callSpecColumns(compiled.value) : [];
  return {
    id: `${CUSTOM_REPORT_PREFIX}${row.id}`,
    name: row.name,
    description: definition.description ?? null,
    kind: compiled.kind === 'ok' && compiled.value.mode === 'summary' ? 'summary' : 'detail',
    columns: columns.map((c) => c.label),
    definition,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Saves a custom report under a name; saving again under the same name replaces its definition. */
export async function saveCustomReport(
  ctx: DomainContext,
  actor: Actor,
  input: { name: string; definition: CustomReportDefinition },
): Promise<Outcome<CustomReportSummary & { created: boolean }>> {
  const owner = ownerOf(actor);
  if ('kind' in owner) return owner;
  const name = cleanText(input.name, 80);
  if (name.length < 2) return invalid('name', 'Give the report a name of at least 2 characters.');
  const compiled = compileCustomDefinition(input.definition);
  if (compiled.kind !== 'ok') return compiled;
  const definition = JSON.stringify(input.definition);
  const existing = await ctx.db
    .selectFrom('custom_reports')
    .select('id')
    .where('owner', '=', owner.owner)
    .where('name', '=', name)
    .executeTakeFirst();
  const id = await writeAudited(
    ctx,
    actor,
    { action: existing ? 'update_custom_report' : 'save_custom_report', accountId: null, target: `report:${name}` },
    async (db, now) => {
      if (existing) {
        await db
          .updateTable('custom_reports')
          .set({ definition, updated_at: now })
          .where('id', '=', existing.id)
          .execute();
        return existing.id;
      }
      const inserted = await db
        .insertInto('custom_reports')
        .values({ ...owner, name, definition, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    },
  );
  const row = await ctx.db.selectFrom('custom_reports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return ok({ ...summarise(row), created: !existing });
}

/** The actor's own custom reports, by name. */
export async function listCustomReports(ctx: DomainContext, actor: Actor): Promise<Ok<CustomReportSummary[]> | Denied> {
  const owner = ownerOf(actor);
  if ('kind' in owner) return owner;
  const rows = await ctx.db
    .selectFrom('custom_reports')
    .selectAll()
    .where('owner', '=', owner.owner)
    .orderBy('name')
    .execute();
  return ok(rows.map(summarise));
}

/** Deletes one of the actor's custom reports, and the schedules that run it. */
export async function deleteCustomReport(
  ctx: DomainContext,
  actor: Actor,
  input: { id: string },
): Promise<Ok<{ id: string; name: string; schedulesRemoved: number }> | Denied> {
  const owner = ownerOf(actor);
  if ('kind' in owner) return owner;
  const row = await findOwned(ctx, owner.owner, input.id);
  if (!row) return notFound(`custom report ${input.id}`);
  const removed = await writeAudited(
    ctx,
    actor,
    { action: 'delete_custom_report', accountId: null, target: `report:${CUSTOM_REPORT_PREFIX}${row.id}` },
    async (trx) => {
      const schedules = await trx
        .deleteFrom('scheduled_reports')
        .where('report_id', '=', `${CUSTOM_REPORT_PREFIX}${row.id}`)
        .executeTakeFirst();
      await trx.deleteFrom('custom_reports').where('id', '=', row.id).execute();
      return Number(schedules.numDeletedRows);
    },
  );
  return ok({ id: `${CUSTOM_REPORT_PREFIX}${row.id}`, name: row.name, schedulesRemoved: removed });
}

async function findOwned(ctx: DomainContext, owner: string, reportId: string) {
  const match = /^custom:(\d{1,9})$/.exec(reportId.trim());
  if (!match) return undefined;
  return ctx.db
    .selectFrom('custom_reports')
    .selectAll()
    .where('id', '=', Number(match[1]))
    .where('owner', '=', owner)
    .executeTakeFirst();
}

/** The actor's custom report as a runnable definition; undefined when it is not theirs or does not exist. */
export async function customReportDefinition(
  ctx: DomainContext,
  actor: Actor,
  reportId: string,
): Promise<ReportDefinition | undefined> {
  const owner = ownerOf(actor);
  if ('kind' in owner) return undefined;
  const row = await findOwned(ctx, owner.owner, reportId);
  if (!row) return undefined;
  const compiled = compileCustomDefinition(JSON.parse(row.definition));
  if (compiled.kind !== 'ok') return undefined;
  const spec = compiled.value;
  const summary = summarise(row);
  return {
    id: summary.id,
    title: row.name,
    category: 'long_distance',
    description: summary.description ?? 'A custom report over call records.',
    kind: spec.mode === 'detail' ? 'detail' : 'summary',
    filters: [],
    columns: callSpecColumns(spec),
    run: (scope, _filters, limit) =>
      runCallQuery(scope, limit !== undefined ? { ...spec, limit: Math.min(limit, spec.limit ?? limit) } : spec),
  };
}

// `npm run cli -- report …`: lists the report catalogue, or runs one report for an account into a PDF or a
// streamed CSV file. Acts as the staff member care@provider.example unless --as names someone else.
import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import type { Actor } from '../../src/domain/actor.js';
import {
  canonicalZone,
  describeReports,
  findReport,
  NAMED_PERIODS,
  type ReportFormat,
  type ReportResult,
  resolvePeriod,
} from '../../src/domain/reports/index.js';
import { failureLine } from './startup.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative --out paths start; default the process's working directory. */
  cwd?: string;
}

/** Who the CLI acts as without --as: the provider's care agent, so every run is in the audit log under a real name. */
export const DEFAULT_CLI_ACTOR_EMAIL = 'care@provider.example';

export const REPORT_USAGE = `Usage:
  npm run cli -- report list [--json]
  npm run cli -- report <name> --account N [--children] --from YYYY-MM-DD --to YYYY-MM-DD
                 [--tz ZONE] --format pdf|csv --out FILE [--as EMAIL] [--filter NAME=VALUE]... [--limit N]

Runs as ${DEFAULT_CLI_ACTOR_EMAIL} (staff: any account, every run audited) unless --as names another
staff member or a portal user, whose permissions and accounts then apply. Times are in --tz (an IANA
name), by default the account's zone. "report list" names each report's own filters.`;

class UsageError extends Error {}

const RUN_OPTIONS = {
  account: { type: 'string' },
  children: { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  period: { type: 'string' },
  tz: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  as: { type: 'string' },
  filter: { type: 'string', multiple: true },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface RunRequest {
  reportId: string;
  accountNumber: string;
  includeChildren: boolean;
  from?: string;
  to?: string;
  period?: (typeof NAMED_PERIODS)[number];
  timeZone?: string;
  format: ReportFormat;
  out: string;
  as: string;
  filters: Record<string, string>;
  limit?: number;
}

function parseRunArgs(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: RUN_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(`unknown option ${option ?? ''} for "report" (see: npm run cli -- report --help)`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${option ?? 'an option'} needs a value`);
    throw new UsageError(message.split('. ')[0] ?? message);
  }
}

function parseRun(args: readonly string[], cwd: string): RunRequest {
  const parsed = parseRunArgs(args);
  const { values, positionals } = parsed;
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError('name a report (see: npm run cli -- report list)');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])} for "report"`);
  const definition = findReport(name);
  if (!definition) throw new UsageError(`unknown report ${JSON.stringify(name)} (see: npm run cli -- report list)`);

  const required = (flag: keyof typeof values, what: string): string => {
    const value = values[flag];
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${flag} is required: ${what}`);
    return value.trim();
  };
  const accountNumber = required('account', 'the account number');
  if (!/^\d{1,20}$/.test(accountNumber))
    throw new UsageError(`--account must be an account number (digits), got ${JSON.stringify(accountNumber)}`);
  const format = required('format', 'pdf or csv');
  if (format !== 'pdf' && format !== 'csv')
    throw new UsageError(`--format must be pdf or csv, got ${JSON.stringify(format)}`);
  const out = resolve(cwd, required('out', 'the file to write'));
  if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory())
    throw new UsageError(`--out: no directory ${dirname(out)}`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a directory; name a file`);

  let timeZone: string | undefined;
  if (values.tz !== undefined) {
    const zone = canonicalZone(values.tz);
    if (!zone)
      throw new UsageError(
        `--tz ${JSON.stringify(values.tz)} is not a time zone; use an IANA name such as America/Toronto`,
      );
    timeZone = zone;
  }
  let period: RunRequest['period'];
  if (values.period !== undefined) {
    if (!(NAMED_PERIODS as readonly string[]).includes(values.period)) {
      throw new UsageError(`--period must be one of ${NAMED_PERIODS.join(', ')}, got ${JSON.stringify(values.period)}`);
    }
    if (values.from !== undefined || values.to !== undefined)
      throw new UsageError('give --period or --from/--to, not both');
    period = values.period as RunRequest['period'];
  } else {
    const from = required('from', 'the first day, YYYY-MM-DD');
    const to = required('to', 'the last day, YYYY-MM-DD');
    // The zone does not change whether the dates are valid or the range too long: check now, before the database.
    const checked = resolvePeriod(from, to, timeZone ?? 'UTC');
    if ('kind' in checked) throw new UsageError(checked.message.replace(/\.$/, ''));
  }

  const filters: Record<string, string> = {};
  for (const item of values.filter ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--filter takes NAME=VALUE, got ${JSON.stringify(item)}`);
    const key = item.slice(0, at).trim();
    if (!definition.filters.some((f) => f.name === key)) {
      const known = definition.filters.map((f) => f.name).join(', ') || 'none';
      throw new UsageError(`report ${definition.id} has no filter ${JSON.stringify(key)} (its filters: ${known})`);
    }
    filters[key] = item.slice(at + 1);
  }
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!/^\d+$/.test(values.limit) || limit < 1)
      throw new UsageError(`--limit must be a whole number 1 or more, got ${JSON.stringify(values.limit)}`);
  }
  return {
    reportId: definition.id,
    accountNumber,
    includeChildren: values.children === true,
    from: values.from,
    to: values.to,
    period,
    timeZone,
    format,
    out,
    as: (values.as ?? DEFAULT_CLI_ACTOR_EMAIL).trim(),
    filters,
    limit,
  };
}

function listReports(args: readonly string[], io: CliIo): number {
  const extra = args.filter((a) => a !== '--json');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])} for "report list"`);
  const reports = describeReports();
  if (args.includes('--json')) {
    const listing = reports.map((r) => ({
      id: r.id,
      title: r.title,
      category: r.category,
      filters: r.filters.map((f) => ({
        name: f.name,
        label: f.label,
        type: f.type,
        ...(f.values ? { values: f.values } : {}),
        description: f.description,
      })),
    }));
    io.stdout(`${JSON.stringify(listing, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...reports.map((r) => r.id.length));
  const lines = reports.map((r) => {
    const filters = r.filters.length > 0 ? ` [filters: ${r.filters.map((f) => f.name).join(', ')}]` : '';
    return `${r.id.padEnd(width)}  ${r.category.padEnd(13)}  ${r.title}${filters}`;
  });
  lines.push(
    `${reports.length} reports; every report also takes --account, --children, --from/--to (or --period) and --tz`,
  );
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

async function resolveActor(
  ctxModule: typeof import('../../src/domain/index.js'),
  ctx: import('../../src/domain/index.js').DomainContext,
  email: string,
): Promise<Actor | null> {
  return (await ctxModule.loadStaffActor(ctx, email)) ?? (await ctxModule.loadCustomerActor(ctx, email));
}

/** Streams the CSV to a temporary file beside the target and renames it: a failure leaves no partial file. */
async function writeCsv(result: ReportResult, out: string): Promise<void> {
  const { csvChunks } = await import('../../src/domain/reports/index.js');
  const temporary = `${out}.partial-${process.pid}`;
  const stream = createWriteStream(temporary);
  try {
    for await (const chunk of csvChunks(result)) {
      if (!stream.write(chunk)) await once(stream, 'drain');
    }
    stream.end();
    await once(stream, 'finish');
    renameSync(temporary, out);
  } catch (error) {
    stream.destroy();
    rmSync(temporary, { force: true });
    throw error;
  }
}

async function runOne(request: RunRequest, io: CliIo): Promise<number> {
  const target = parseDatabaseUrl(io.env.DATABASE_URL);
  if (target.engine === 'sqlite' && target.path !== ':memory:' && !existsSync(target.path)) {
    io.stderr(`error: no database at ${target.path}; run "npm run cli -- migrate" or "npm run seed" first\n`);
    return 1;
  }
  const { openDatabase } = await import('../db/index.js');
  const domain = await import('../../src/domain/index.js');
  const { runReport } = await import('../../src/domain/reports/index.js');
  const handle = await openDatabase(target);
  try {
    const ctx = domain.createDomainContext(handle);
    const actor = await resolveActor(domain, ctx, request.as);
    if (!actor) {
      io.stderr(`error: --as ${request.as}: no active staff member or portal user has that email\n`);
      return 2;
    }
    const outcome = await runReport(ctx, actor, {
      reportId: request.reportId,
      accountNumber: request.accountNumber,
      includeChildren: request.includeChildren,
      from: request.from,
      to: request.to,
      period: request.period,
      timeZone: request.timeZone,
      filters: request.filters,
      limit: request.limit,
      format: request.format,
    });
    switch (outcome.kind) {
      case 'ok':
        break;
      case 'invalid':
        io.stderr(`error: ${outcome.message}\n`);
        return 2;
      case 'not_found':
        io.stderr(`error: ${request.as} cannot see ${outcome.what}, or it does not exist\n`);
        return 2;
      case 'forbidden':
        io.stderr(`error: ${request.as}: ${outcome.reason}\n`);
        return 2;
      case 'too_large_for_pdf':
        io.stderr(`error: ${outcome.message} Run again with --format csv.\n`);
        return 2;
      case 'sign_in_required':
      case 'conflict':
        io.stderr(`error: the report could not run (${outcome.kind})\n`);
        return 2;
    }
    const result = outcome.value;
    if (request.format === 'csv') {
      await writeCsv(result, request.out);
    } else {
      const { renderReportPdf } = await import('../pdf/index.js');
      const bytes = await renderReportPdf(result);
      const temporary = `${request.out}.partial-${process.pid}`;
      writeFileSync(temporary, bytes);
      renameSync(temporary, request.out);
    }
    io.stdout(
      `wrote ${request.out}: ${result.report.title}, ${result.account.name} (${result.account.number}${result.includeChildren ? ` + ${result.accountCount - 1} child accounts` : ''}), ${result.period.label}, times in ${result.timeZone}, ${result.rowCount} rows\n`,
    );
    return 0;
  } finally {
    await handle.close();
  }
}

/** Runs `report …` (the words after "report"); returns the exit code: 0 done, 2 bad input (nothing written), 1 failure. */
export async function runReportCommand(args: readonly string[], io: CliIo): Promise<number> {
  try {
    if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
      io.stdout(`${REPORT_USAGE}\n`);
      return 0;
    }
    if (args[0] === 'list') return listReports(args.slice(1), io);
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout(`${REPORT_USAGE}\n`);
      return 0;
    }
    const request = parseRun(args, io.cwd ?? process.cwd());
    return await runOne(request, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    io.stderr(`${failureLine(error)}\n`);
    return 1;
  }
}

// `npm run cli -- report …` as an operator runs it: the catalogue, PDF and CSV files, and bad input refused
// in one line with exit code 2 and no file written.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../adapters/db/index.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import { REPORT_CATALOGUE } from '../../src/domain/reports/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';
import { parseCsv, pdfText, qpdfCheck } from '../support/pdf-tools.js';
import { CLI_SCRIPT, type Finished, linesOf, makeTempDir, removeTempDirs, runScript } from '../support/processes.js';

afterAll(removeTempDirs);

const cli = (args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Finished> =>
  runScript(CLI_SCRIPT, ['report', ...args], { env, cwd, timeoutMs: 60_000 });

function expectUsageFailure(result: Finished, pattern: RegExp) {
  expect(result.stderr.trimEnd()).toMatch(pattern);
  expect(linesOf(result.stderr)).toHaveLength(1);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(2);
}

describe('report list', () => {
  it('prints the catalogue as JSON: id, title, category and filters of every report', async () => {
    const result = await cli(['list', '--json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as {
      id: string;
      title: string;
      category: string;
      filters: { name: string }[];
    }[];
    expect(listing.map((r) => r.id)).toEqual(REPORT_CATALOGUE.map((r) => r.id));
    for (const entry of listing) {
      expect(Object.keys(entry)).toEqual(['id', 'title', 'category', 'filters']);
      expect(['long_distance', 'usage', 'billing']).toContain(entry.category);
    }
    expect(listing.find((r) => r.id === 'long-distance-detail')?.filters.map((f) => f.name)).toEqual([
      'originNumber',
      'destinationNumber',
      'accountCode',
    ]);
  });

  it('prints a readable list without --json', async () => {
    const result = await cli(['list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^taxing-summary +billing +Taxing summary/m);
  });
});

describe.each(ENGINES)('report files from the CLI on %s', (engine) => {
  let url: string;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    if (engine === 'sqlite') {
      const dir = makeTempDir('cli-report-db-');
      const path = join(dir, 'support.db');
      const handle = await openDatabase({ engine: 'sqlite', path });
      await migrateToLatest(handle.db);
      await seedDemoData(handle, { cdrs: 2000, asOf: '2026-11-22' });
      await handle.close();
      url = `file:${path}`;
    } else {
      const created = await createTestDatabase('postgres');
      await seedDemoData(created.handle, { cdrs: 2000, asOf: '2026-11-22' });
      url = created.url;
      drop = created.drop;
    }
  }, 120_000);

  afterAll(async () => {
    await drop();
  });

  it('writes a PDF of a summary with children, in the account’s zone', async () => {
    const file = join(makeTempDir('cli-report-out-'), 'acme-west.pdf');
    const result = await cli(
      [
        'long-distance-summary',
        '--account',
        '1002346',
        '--children',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--format',
        'pdf',
        '--out',
        file,
      ],
      { DATABASE_URL: url },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^wrote .*acme-west\.pdf: Long distance summary, Acme West \(1002346 \+ 2 child accounts\), October 2026, times in America\/Los_Angeles/,
    );
    const bytes = readFileSync(file);
    expect(qpdfCheck(bytes).ok).toBe(true);
    const text = pdfText(bytes);
    expect(text).toContain('Long distance summary');
    expect(text).toContain('America/Los_Angeles');
    expect(text).toMatch(/Total \(\d+ rows\)/);
  });

  it('streams a CSV with a filter and a time zone, as a portal user with --as', async () => {
    const dir = makeTempDir('cli-report-out-');
    const result = await cli(
      [
        'rated-call-detail',
        '--account',
        '5000001',
        '--children',
        '--from',
        '2026-09-01',
        '--to',
        '2026-10-31',
        '--tz',
        'America/Vancouver',
        '--filter',
        'callType=long distance',
        '--format',
        'csv',
        '--out',
        'calls.csv',
        '--as',
        'admin@northwind.example',
      ],
      { DATABASE_URL: url },
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['calls.csv']);
    const table = parseCsv(readFileSync(join(dir, 'calls.csv'), 'utf8'));
    expect(table[0]?.[0]).toBe('Started (America/Vancouver)');
    expect(new Set(table.slice(1, -1).map((r) => r[2]))).toEqual(new Set(['Long distance']));
    expect(table.at(-1)?.[0]).toBe(`Total (${table.length - 2} rows)`);
  });

  it.concurrent.each([
    [
      [
        'long-distance-summary',
        '--account',
        '1002345',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--format',
        'pdf',
        '--as',
        'admin@northwind.example',
      ],
      /^error: admin@northwind\.example cannot see account 1002345, or it does not exist$/,
    ],
    [
      [
        'long-distance-summary',
        '--account',
        '5000001',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--format',
        'pdf',
        '--as',
        'nobody@example.com',
      ],
      /^error: --as nobody@example\.com: no active staff member or portal user/,
    ],
    [
      [
        'long-distance-detail',
        '--account',
        '5000002',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--format',
        'pdf',
        '--as',
        'ap@northwind.example',
      ],
      /^error: ap@northwind\.example: You don't have permission for reports\.$/,
    ],
  ])('%j is refused after a look-up, in one line, exit code 2, no file', async (args, pattern) => {
    const dir = makeTempDir('cli-report-bad-');
    const file = join(dir, 'report.out');
    const result = await cli([...args, '--out', file], { DATABASE_URL: url });
    expectUsageFailure(result, pattern);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe.concurrent('bad command lines are refused before the database is opened', () => {
  it.each([
    [
      ['nope', '--account', '5000001', '--from', '2026-10-01', '--to', '2026-10-31', '--format', 'pdf'],
      /^error: unknown report "nope"/,
    ],
    [
      ['long-distance-summary', '--from', '2026-10-01', '--to', '2026-10-31', '--format', 'pdf'],
      /^error: --account is required/,
    ],
    [
      [
        'long-distance-summary',
        '--account',
        '5000001',
        '--from',
        '2026-10-31',
        '--to',
        '2026-10-01',
        '--format',
        'pdf',
      ],
      /^error: The period ends \(2026-10-01\) before it starts \(2026-10-31\)$/,
    ],
    [
      [
        'long-distance-summary',
        '--account',
        '5000001',
        '--from',
        '2024-01-01',
        '--to',
        '2026-10-31',
        '--format',
        'pdf',
      ],
      /^error: A report can cover at most 13 months/,
    ],
    [
      [
        'long-distance-summary',
        '--account',
        '5000001',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--format',
        'pdf',
        '--tz',
        'Mars/Base',
      ],
      /^error: --tz "Mars\/Base" is not a time zone/,
    ],
    [
      [
        'long-distance-summary',
        '--account',
        '5000001',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--format',
        'docx',
      ],
      /^error: --format must be pdf or csv, got "docx"$/,
    ],
    [
      [
        'long-distance-summary',
        '--account',
        '5000001',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--format',
        'pdf',
        '--filter',
        'colour=blue',
      ],
      /^error: report long-distance-summary has no filter "colour"/,
    ],
    [
      [
        'long-distance-summary',
        '--account',
        '5000001',
        '--from',
        '2026-10-01',
        '--to',
        '2026-10-31',
        '--format',
        'pdf',
        '--bogus',
      ],
      /^error: unknown option --bogus for "report"/,
    ],
  ])('%j: one line, exit code 2, no file', async (args, pattern) => {
    const dir = makeTempDir('cli-report-bad-');
    // A database URL that does not exist: nothing may be opened or created for a bad command line.
    const result = await cli([...args, '--out', join(dir, 'report.out')], {
      DATABASE_URL: `file:${join(dir, 'support.db')}`,
    });
    expectUsageFailure(result, pattern);
    expect(readdirSync(dir)).toEqual([]);
  });
});

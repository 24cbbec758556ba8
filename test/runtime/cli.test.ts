// The operator CLI, run as a real process: argument mistakes, database problems, and the seed → accounts round trip.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/db/index.js';
import { LATEST_SCHEMA_VERSION } from '../../migrations/index.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { createEmptyDatabase, ENGINES } from '../support/databases.js';
import { createFutureDatabase, FUTURE_MIGRATION } from '../support/future-schema.js';
import { CLI_SCRIPT, type Finished, linesOf, makeTempDir, removeTempDirs, runScript } from '../support/processes.js';

afterAll(removeTempDirs);

function tempDatabase(): { cwd: string; path: string; url: string } {
  const cwd = makeTempDir('cli-');
  const path = join(cwd, 'support.db');
  return { cwd, path, url: `file:${path}` };
}

function cli(args: string[], env: Record<string, string>, cwd?: string): Promise<Finished> {
  return runScript(CLI_SCRIPT, args, { env, cwd });
}

function expectOneLineFailure(result: Finished, code: number, pattern: RegExp) {
  expect(result.stderr.trimEnd()).toMatch(pattern);
  expect(linesOf(result.stderr)).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(code);
}

describe.concurrent('the CLI refuses bad command lines with exit code 2, before touching the database', () => {
  it.each([
    [['frobnicate'], /^error: unknown command "frobnicate"; commands: migrate, seed, accounts, link-chat-user, help$/],
    [['seed', '--bogus'], /^error: unknown option --bogus for "seed"/],
    [['migrate', '--cdrs', '5'], /^error: unknown option --cdrs for "migrate"/],
    [['seed', '--cdrs', 'abc'], /^error: --cdrs must be a whole number 0 or more, got "abc"$/],
    [['seed', '--cdrs', '-5'], /^error: --cdrs must be a whole number 0 or more, got "-5"$/],
    [['seed', '--cdrs'], /^error: --cdrs needs a value$/],
    [['seed', '--as-of', '2026-13-45'], /^error: --as-of must be a calendar date YYYY-MM-DD, got "2026-13-45"$/],
    [['seed', '--as-of', '2026-02-30'], /^error: --as-of must be a calendar date/],
    [['accounts', 'extra'], /^error: unexpected argument "extra" for "accounts"$/],
  ])('%j', async (args, pattern) => {
    const db = tempDatabase();
    const result = await cli(args, { DATABASE_URL: db.url }, db.cwd);
    expectOneLineFailure(result, 2, pattern);
    expect(readdirSync(db.cwd)).toEqual([]);
  });

  it('prints its usage for help', async () => {
    const result = await cli(['help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: npm run cli -- <command>');
    expect(result.stdout).toContain('seed [--cdrs N] [--seed N] [--as-of YYYY-MM-DD]');
  });
});

describe.concurrent('the CLI reports database problems in one line with exit code 1', () => {
  it.each([
    ['mysql://x', /^error: DATABASE_URL "mysql:\/\/x" is not supported/],
    ['postgres://', /^error: DATABASE_URL "postgres:\/\/" names no PostgreSQL host/],
  ])('malformed DATABASE_URL=%s, creating nothing', async (url, pattern) => {
    const cwd = makeTempDir('cli-');
    const result = await cli(['migrate'], { DATABASE_URL: url }, cwd);
    expectOneLineFailure(result, 1, pattern);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('unreachable PostgreSQL, without the password', async () => {
    const result = await cli(['seed'], { DATABASE_URL: 'postgres://u:s3cret@127.0.0.1:1/x' });
    expectOneLineFailure(result, 1, /^error: cannot reach PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/);
    expect(result.stderr).not.toContain('s3cret');
  });

  it('accounts on a database file that does not exist, without creating it', async () => {
    const db = tempDatabase();
    const result = await cli(['accounts'], { DATABASE_URL: db.url }, db.cwd);
    expectOneLineFailure(result, 1, /^error: no database at .*support\.db; run "npm run cli -- migrate"/);
    expect(readdirSync(db.cwd)).toEqual([]);
  });

  it.each(ENGINES)('a %s schema newer than the code, left unchanged by migrate and seed', async (engine) => {
    const future = await createFutureDatabase(engine);
    try {
      const before = await future.snapshot();
      for (const command of ['migrate', 'seed']) {
        const result = await cli([command], { DATABASE_URL: future.url });
        expectOneLineFailure(result, 1, new RegExp(`^error: the database schema is at version ${FUTURE_MIGRATION}`));
      }
      expect(await future.snapshot()).toBe(before);
    } finally {
      await future.drop();
    }
  });
});

describe.each(ENGINES)('the CLI on %s', (engine) => {
  async function freshDatabase() {
    if (engine === 'sqlite') {
      const db = tempDatabase();
      return { url: db.url, drop: async () => {} };
    }
    const created = await createEmptyDatabase(engine);
    return { url: created.url, drop: created.drop };
  }

  it('links a Slack user to a staff member, relinks it, and refuses unknown staff and malformed ids', async () => {
    const db = await freshDatabase();
    try {
      expect((await cli(['seed', '--cdrs', '0'], { DATABASE_URL: db.url })).code).toBe(0);
      const link = ['link-chat-user', '--channel', 'slack', '--tenant', 'T0REAL', '--user', 'U0NEWPERSON', '--staff'];
      const linked = await cli([...link, 'NOC@provider.example'], { DATABASE_URL: db.url });
      expect(linked.stderr).toBe('');
      expect(linked.stdout.trim()).toBe(
        'linked slack user U0NEWPERSON in T0REAL to noc@provider.example (network operations)',
      );
      const relinked = await cli([...link, 'billing@provider.example'], { DATABASE_URL: db.url });
      expect(relinked.stdout.trim()).toBe(
        'relinked slack user U0NEWPERSON in T0REAL to billing@provider.example (billing specialist)',
      );
      const handle = await openDatabase(parseDatabaseUrl(db.url));
      try {
        const links = await handle.db
          .selectFrom('channel_identities')
          .innerJoin('staff', 'staff.id', 'channel_identities.staff_id')
          .select(['staff.email', 'channel_identities.portal_user_id'])
          .where('channel', '=', 'slack')
          .where('tenant_id', '=', 'T0REAL')
          .where('external_user_id', '=', 'U0NEWPERSON')
          .execute();
        expect(links).toEqual([{ email: 'billing@provider.example', portal_user_id: null }]);
      } finally {
        await handle.close();
      }
      expectOneLineFailure(
        await cli([...link, 'nobody@provider.example'], { DATABASE_URL: db.url }),
        1,
        /^error: no active staff member with the email nobody@provider\.example$/,
      );
      expectOneLineFailure(
        await cli(
          [
            'link-chat-user',
            '--channel',
            'slack',
            '--tenant',
            'workspace',
            '--user',
            'U0X',
            '--staff',
            'noc@provider.example',
          ],
          {
            DATABASE_URL: db.url,
          },
        ),
        1,
        /^error: A Slack workspace id looks like T0123ABCD\.$/,
      );
      expectOneLineFailure(
        await cli(['link-chat-user', '--channel', 'irc'], { DATABASE_URL: db.url }),
        2,
        /^error: --channel must be slack or teams$/,
      );
    } finally {
      await db.drop();
    }
  });

  it('migrates up and down, printing the schema version', async () => {
    const db = await freshDatabase();
    try {
      const up = await cli(['migrate'], { DATABASE_URL: db.url });
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      expect(up.stdout).toContain(`schema version ${LATEST_SCHEMA_VERSION}`);

      const down = await cli(['migrate', '--down'], { DATABASE_URL: db.url });
      expect(down.code).toBe(0);
      expect(down.stdout).toContain('schema version none');
    } finally {
      await db.drop();
    }
  });

  it('seeds an empty database, lists its accounts, refuses to seed it twice, and migrates it down', async () => {
    const db = await freshDatabase();
    try {
      const seeded = await cli(['seed', '--cdrs', '500', '--seed', '7', '--as-of', '2026-11-01'], {
        DATABASE_URL: db.url,
      });
      expect(seeded.stderr).toBe('');
      expect(seeded.code).toBe(0);
      expect(seeded.stdout).toMatch(/demo data: +\d/);

      const listed = await cli(['accounts', '--json'], { DATABASE_URL: db.url });
      expect(listed.code).toBe(0);
      const accounts = JSON.parse(listed.stdout) as Record<string, unknown>[];
      expect(accounts.length).toBeGreaterThan(1);
      for (const account of accounts) {
        expect(Object.keys(account).sort()).toEqual(
          ['name', 'number', 'organisation', 'parentNumber', 'status', 'timeZone'].sort(),
        );
      }
      const organisation = accounts[0]?.organisation as string;
      expect(accounts.some((a) => a.parentNumber !== null)).toBe(true);

      const filtered = await cli(['accounts', '--org', organisation], { DATABASE_URL: db.url });
      expect(filtered.code).toBe(0);
      expect(filtered.stdout).toMatch(/^NUMBER +NAME +ORGANISATION +PARENT +STATUS +TIME ZONE/);
      const rows = linesOf(filtered.stdout).slice(1, -1);
      expect(rows.length).toBe(accounts.filter((a) => a.organisation === organisation).length);

      const again = await cli(['seed'], { DATABASE_URL: db.url });
      expectOneLineFailure(again, 1, /^error: .* already has accounts; demo data goes only into an empty database$/);

      const down = await cli(['migrate', '--down'], { DATABASE_URL: db.url });
      expect(down.stderr).toBe('');
      expect(down.stdout).toContain('schema version none');
    } finally {
      await db.drop();
    }
  });
});

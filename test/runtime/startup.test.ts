// The server refuses bad start-up conditions in one line on stderr, leaving nothing behind.
import { chmodSync, chownSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { createFutureDatabase, FUTURE_MIGRATION } from '../support/future-schema.js';
import {
  linesOf,
  makeTempDir,
  removeTempDirs,
  runScript,
  runScriptUnprivileged,
  SERVER_SCRIPT,
  UNPRIVILEGED,
} from '../support/processes.js';

function emptyDir(): string {
  return makeTempDir('server-startup-');
}

function expectOneLineFailure(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(1);
  expect(linesOf(result.stderr)).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toBe('');
}

afterAll(removeTempDirs);

describe.concurrent('starting the server with bad input', () => {
  it.each([
    ['mysql://x', /^error: DATABASE_URL "mysql:\/\/x" is not supported: /],
    ['postgres://', /^error: DATABASE_URL "postgres:\/\/" names no PostgreSQL host/],
    ['mysql://u:s3cret@db/x', /^error: DATABASE_URL "mysql:\/\/u:\*\*\*@db\/x" is not supported/],
  ])('refuses DATABASE_URL=%s without creating anything', async (url, pattern) => {
    const cwd = emptyDir();
    const result = await runScript(SERVER_SCRIPT, [], { cwd, env: { DATABASE_URL: url } });
    expectOneLineFailure(result, pattern);
    expect(result.stderr + result.stdout).not.toContain('s3cret');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('names a bad variable and stops before opening the database', async () => {
    const cwd = emptyDir();
    const result = await runScript(SERVER_SCRIPT, [], { cwd, env: { PORT: 'eighty' } });
    expectOneLineFailure(result, /^error: PORT: must be a whole number from 1 to 65535, got "eighty"$/m);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('reports an unreachable PostgreSQL without its password', async () => {
    const cwd = emptyDir();
    const result = await runScript(SERVER_SCRIPT, [], {
      cwd,
      env: { DATABASE_URL: 'postgres://u:s3cret@127.0.0.1:1/x' },
    });
    expectOneLineFailure(result, /^error: cannot reach PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: /);
    expect(result.stderr).not.toContain('s3cret');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each(ENGINES)(
    'refuses a %s database whose schema is newer than the code, leaving it unchanged',
    async (engine) => {
      const future = await createFutureDatabase(engine);
      try {
        const before = await future.snapshot();
        const result = await runScript(SERVER_SCRIPT, [], { cwd: emptyDir(), env: { DATABASE_URL: future.url } });
        expectOneLineFailure(
          result,
          new RegExp(`^error: the database schema is at version ${FUTURE_MIGRATION}, newer`),
        );
        expect(await future.snapshot()).toBe(before);
      } finally {
        await future.drop();
      }
    },
  );
});

// Root may write any file, so the server runs as nobody here (as itself when the tests are not root).
describe.concurrent('starting the server on an SQLite file it may not write', () => {
  /** A directory the server's user may enter, holding a small SQLite database in WAL mode. */
  function directoryWithDatabase(): { dir: string; file: string } {
    const dir = makeTempDir('server-readonly-');
    chmodSync(dir, 0o777);
    const file = join(dir, 'support.db');
    const db = new SqliteDatabase(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table kept (x integer)');
    db.close();
    return { dir, file };
  }

  // Generous: the child compiles the server with tsx's cache of its own user, and these run side by side.
  const start = (dir: string, file: string) =>
    runScriptUnprivileged(SERVER_SCRIPT, [], { cwd: dir, env: { DATABASE_URL: `file:${file}`, DEMO_DATA: 'false' }, timeoutMs: 50_000 });

  it('says the database file is read-only, naming it, and leaves it unchanged', async () => {
    const { dir, file } = directoryWithDatabase();
    chmodSync(file, 0o444);
    const before = readFileSync(file);
    const result = await start(dir, file);
    expectOneLineFailure(result, new RegExp(`^error: database file ${escapeRegExp(file)} is read-only$`));
    expect(readFileSync(file).equals(before)).toBe(true);
  }, 60_000);

  it('says the directory is read-only when SQLite cannot create its -wal and -shm files there', async () => {
    const { dir, file } = directoryWithDatabase();
    if (UNPRIVILEGED) chownSync(file, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
    chmodSync(dir, 0o555);
    try {
      const result = await start(dir, file);
      expectOneLineFailure(result, new RegExp(`^error: database directory ${escapeRegExp(dir)} is read-only: SQLite needs to create ${escapeRegExp(file)}-wal and ${escapeRegExp(file)}-shm there$`));
      expect(readdirSync(dir)).toEqual(['support.db']);
    } finally {
      chmodSync(dir, 0o755);
    }
  }, 60_000);

  it('says it cannot create a new database file in a read-only directory', async () => {
    const dir = makeTempDir('server-readonly-');
    chmodSync(dir, 0o555);
    const file = join(dir, 'new.db');
    try {
      const result = await start(dir, file);
      expectOneLineFailure(result, new RegExp(`^error: cannot create database file ${escapeRegExp(file)}: directory ${escapeRegExp(dir)} is read-only$`));
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      chmodSync(dir, 0o755);
    }
  }, 60_000);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

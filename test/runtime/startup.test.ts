// The server refuses bad start-up conditions in one line on stderr, leaving nothing behind.
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { createFutureDatabase, FUTURE_MIGRATION } from '../support/future-schema.js';
import { linesOf, makeTempDir, removeTempDirs, runScript, SERVER_SCRIPT } from '../support/processes.js';

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

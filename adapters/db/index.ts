// Picks the engine from DATABASE_URL and opens it: SQLite by default, PostgreSQL for postgres:// URLs.
import type { DatabaseHandle } from '../../src/db/handle.js';
import { AppError, redactUrl } from '../../src/errors.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

export { getSchemaVersion, migrateDown, migrateToLatest } from './migrate.js';

export const DEFAULT_SQLITE_PATH = 'data/support.db';

export type DatabaseTarget = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

/** Reads a DATABASE_URL without touching anything; a bad one is an AppError naming the problem. */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  if (url === undefined || url.trim() === '') return { engine: 'sqlite', path: DEFAULT_SQLITE_PATH };
  const value = url.trim();
  const sqlite = /^(?:file|sqlite):(?:\/\/)?(.*)$/.exec(value);
  if (sqlite) {
    const path = sqlite[1] ?? '';
    if (path === '') throw new AppError('config_invalid', `DATABASE_URL "${value}" names no SQLite file`);
    return { engine: 'sqlite', path };
  }
  if (/^postgres(?:ql)?:\/\//.test(value)) {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new AppError('config_invalid', `DATABASE_URL "${redactUrl(value)}" is not a valid PostgreSQL URL`);
    }
    if (!parsed.hostname) {
      throw new AppError('config_invalid', `DATABASE_URL "${redactUrl(value)}" names no PostgreSQL host`);
    }
    return { engine: 'postgres', url: value };
  }
  throw new AppError(
    'config_invalid',
    `DATABASE_URL "${redactUrl(value)}" is not supported: use file:PATH, sqlite:PATH or postgres://USER@HOST/DB`,
  );
}

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.engine === 'sqlite' ? openSqlite(target.path) : openPostgres(target.url);
}

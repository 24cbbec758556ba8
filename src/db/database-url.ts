// Reads a DATABASE_URL into the engine and location to open, without touching anything.
import { AppError, redactUrl } from '../errors.js';

export const DEFAULT_SQLITE_PATH = 'data/support.db';

export type DatabaseTarget = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

/** SQLite at data/support.db when unset; a bad URL is an AppError naming the problem (password redacted). */
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

// Picks the engine from DATABASE_URL and opens it: SQLite by default, PostgreSQL for postgres:// URLs.
import type { DatabaseHandle } from '../../src/db/handle.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';

export { DEFAULT_SQLITE_PATH, type DatabaseTarget, parseDatabaseUrl } from '../../src/db/database-url.js';
export { getSchemaVersion, migrateDown, migrateToLatest } from './migrate.js';

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.engine === 'sqlite' ? openSqlite(target.path) : openPostgres(target.url);
}

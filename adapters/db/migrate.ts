// Runs the static migration index up or down, and refuses a database newer than this code.
import { type Kysely, Migrator, NO_MIGRATIONS, sql } from 'kysely';
import { LATEST_SCHEMA_VERSION, migrations } from '../../migrations/index.js';
import type { Database } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';

const MIGRATION_TABLE = 'kysely_migration';

function migratorFor(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

async function appliedMigrationNames(db: Kysely<Database>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** The newest migration applied to the database, or null for an empty database. */
export async function getSchemaVersion(db: Kysely<Database>): Promise<string | null> {
  return (await appliedMigrationNames(db)).at(-1) ?? null;
}

/** Applies every pending migration; a database that has migrations this code does not know is refused untouched. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const unknown = (await appliedMigrationNames(db)).filter((name) => !(name in migrations));
  if (unknown.length > 0) {
    throw new AppError(
      'schema_too_new',
      `the database schema is at version ${unknown.at(-1)}, newer than this code (${LATEST_SCHEMA_VERSION}); upgrade the code`,
    );
  }
  const { error, results } = await migratorFor(db).migrateToLatest();
  if (error) throw new AppError('internal', `migration failed: ${error instanceof Error ? error.message : error}`);
  return (results ?? []).map((r) => r.migrationName);
}

/** Reverts every migration (used by tests and `cli migrate --down`). */
export async function migrateDown(db: Kysely<Database>): Promise<void> {
  const { error } = await migratorFor(db).migrateTo(NO_MIGRATIONS);
  if (error) throw new AppError('internal', `migration down failed: ${error instanceof Error ? error.message : error}`);
}

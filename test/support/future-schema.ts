// Builds a database whose schema is newer than this code (a migration it does not know), and reads
// back what it holds so a test can show that refusing it left it untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from '../../adapters/db/index.js';
import type { DatabaseHandle, Engine } from '../../src/db/handle.js';
import { createTestDatabase } from './databases.js';

export const FUTURE_MIGRATION = '2099-01-01-0001-future';

export interface FutureDatabase {
  /** The DATABASE_URL to hand a child process. */
  url: string;
  snapshot: () => Promise<string>;
  drop: () => Promise<void>;
}

export async function createFutureDatabase(engine: Engine): Promise<FutureDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'future-schema-'));
    const path = join(dir, 'support.db');
    const handle = await openDatabase({ engine: 'sqlite', path });
    await migrateToLatest(handle.db);
    await addFutureMigration(handle);
    await handle.close();
    return {
      url: `file:${path}`,
      snapshot: async () => {
        const again = await openDatabase({ engine: 'sqlite', path });
        try {
          return await snapshotOf(again);
        } finally {
          await again.close();
        }
      },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const created = await createTestDatabase(engine);
  await addFutureMigration(created.handle);
  return { url: created.url, snapshot: () => snapshotOf(created.handle), drop: created.drop };
}

async function addFutureMigration(handle: DatabaseHandle): Promise<void> {
  await sql`insert into kysely_migration (name, timestamp) values (${FUTURE_MIGRATION}, ${'2099-01-01T00:00:00.000Z'})`.execute(
    handle.db,
  );
}

async function snapshotOf(handle: DatabaseHandle): Promise<string> {
  const tables = await handle.db.introspection.getTables({ withInternalKyselyTables: true });
  const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(handle.db);
  const accounts = await handle.db.selectFrom('accounts').select('id').execute();
  return JSON.stringify({
    tables: tables.map((t) => t.name).sort(),
    migrations: migrations.rows.map((r) => r.name),
    accounts: accounts.length,
  });
}

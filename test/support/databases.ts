// Gives each test file fresh, migrated databases on every engine under test: in-memory SQLite
// always, and a new PostgreSQL database whenever TEST_POSTGRES_URL is set (CI must set it).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../../adapters/db/index.js';
import type { DatabaseHandle, Engine } from '../../src/db/handle.js';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL;

if (process.env.CI === 'true' && !POSTGRES_URL) {
  throw new Error('CI=true but TEST_POSTGRES_URL is not set: PostgreSQL tests would be skipped');
}

/** The engines every database test runs on. */
export const ENGINES: Engine[] = POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** Creates an empty database on the engine (unmigrated) and a function that drops it. */
export async function createEmptyDatabase(engine: Engine): Promise<{ handle: DatabaseHandle; url: string; drop: () => Promise<void> }> {
  if (engine === 'sqlite') {
    const handle = await openDatabase({ engine: 'sqlite', path: ':memory:' });
    return { handle, url: 'sqlite::memory:', drop: () => handle.close() };
  }
  const name = `test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_URL as string);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ engine: 'postgres', url: url.toString() });
  return {
    handle,
    url: url.toString(),
    drop: async () => {
      await handle.close();
      const again = new pg.Client({ connectionString: POSTGRES_URL });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await again.end();
    },
  };
}

/** A fresh migrated database on the engine. */
export async function createTestDatabase(engine: Engine): Promise<{ handle: DatabaseHandle; url: string; drop: () => Promise<void> }> {
  const created = await createEmptyDatabase(engine);
  await migrateToLatest(created.handle.db);
  return created;
}

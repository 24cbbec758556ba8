// The migrations run up and down on every engine, and leave exactly the tables the Database type names.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSchemaVersion, migrateDown, migrateToLatest } from '../../adapters/db/index.js';
import { LATEST_SCHEMA_VERSION, migrations } from '../../migrations/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { TABLES_IN_DEPENDENCY_ORDER } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import { createEmptyDatabase, ENGINES } from '../support/databases.js';

const userTables = async (handle: DatabaseHandle) =>
  (await handle.db.introspection.getTables()).map((t) => t.name).sort();

describe.each(ENGINES)('migrations on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ handle, drop } = await createEmptyDatabase(engine));
  });
  afterAll(async () => {
    await drop?.();
  });

  it('creates every table of the Database type, and reports the latest schema version', async () => {
    expect(await getSchemaVersion(handle.db)).toBe(null);
    expect(await migrateToLatest(handle.db)).toEqual(Object.keys(migrations));
    expect(await userTables(handle)).toEqual([...TABLES_IN_DEPENDENCY_ORDER].sort());
    expect(await getSchemaVersion(handle.db)).toBe(LATEST_SCHEMA_VERSION);
    // Applying again is a no-op.
    expect(await migrateToLatest(handle.db)).toEqual([]);
  });

  it('has the indexes reports and use cases query by', async () => {
    const indexes =
      engine === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(handle.db)
        : await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = 'public'`.execute(handle.db);
    const names = indexes.rows.map((r) => r.name);
    for (const expected of [
      'call_detail_records_account_id_started_at_ix',
      'invoices_account_id_period_start_ix',
      'tickets_account_id_status_ix',
      'messages_conversation_id_seq_uq',
      'channel_identities_channel_tenant_id_external_user_id_uq',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('enforces references between tables', async () => {
    await expect(
      handle.db
        .insertInto('contacts')
        .values({ account_id: 987654, name: 'Orphan', email: null, phone: null, role: 'primary', created_at: 'x', updated_at: 'x' })
        .execute(),
    ).rejects.toThrow();
  });

  it('runs all the way down and up again', async () => {
    await migrateDown(handle.db);
    expect(await userTables(handle)).toEqual([]);
    expect(await getSchemaVersion(handle.db)).toBe(null);
    await migrateToLatest(handle.db);
    expect(await userTables(handle)).toHaveLength(TABLES_IN_DEPENDENCY_ORDER.length);
  });

  it('refuses, untouched, a database whose schema is newer than this code', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('2099-01-01-0001-future', '2099-01-01T00:00:00.000Z')`.execute(handle.db);
    const error = await migrateToLatest(handle.db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('schema_too_new');
    expect((error as AppError).message).toContain('2099-01-01-0001-future');
    await sql`delete from kysely_migration where name = '2099-01-01-0001-future'`.execute(handle.db);
  });
});

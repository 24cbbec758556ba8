// SQLite through better-sqlite3: the embedded default engine (WAL, foreign keys on).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { BulkValue, DatabaseHandle } from '../../src/db/handle.js';
import type { Database } from '../../src/db/schema.js';

/** Opens (creating if needed) an SQLite database file, or an in-memory one for ':memory:'. */
export function openSqlite(path: string): DatabaseHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });

  return {
    db,
    engine: 'sqlite',
    async bulkInsert(table, columns, rows) {
      if (rows.length === 0) return;
      const insert = sqlite.prepare(
        `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      const insertAll = sqlite.transaction((batch: readonly (readonly BulkValue[])[]) => {
        for (const row of batch) insert.run(...row);
      });
      insertAll(rows);
    },
    async close() {
      await db.destroy();
    },
  };
}

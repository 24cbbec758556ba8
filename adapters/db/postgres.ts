// PostgreSQL through pg: the engine for running at scale.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { BulkValue, DatabaseHandle } from '../../src/db/handle.js';
import type { Database } from '../../src/db/schema.js';
import { AppError, redactUrl } from '../../src/errors.js';
import { textGuard } from './text-guard.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// COUNT and SUM come back as int8/numeric, which pg returns as strings; our values (cents,
// counts) fit in a double, so read them as numbers and both engines return the same types.
const numberTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

const ROWS_PER_UNNEST = 20_000;

export async function openPostgres(url: string): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, types: numberTypes, connectionTimeoutMillis: 5000, max: 10 });
  // Errors on idle clients (a server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('database_unreachable', `cannot reach PostgreSQL at ${redactUrl(url)}: ${reason}`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [textGuard()] });

  return {
    db,
    engine: 'postgres',
    // Arrays instead of row objects, as on SQLite; the pool's type parsers still apply. Pages are
    // bounded by the caller (a LIMIT or a time window), so each is one plain query on any free client.
    rows: {
      async readArrays(query) {
        const result = await pool.query<unknown[]>({
          text: query.sql,
          values: [...query.parameters],
          rowMode: 'array',
        });
        return result.rows;
      },
    },
    async bulkInsert(table, columns, rows) {
      if (rows.length === 0) return;
      const types = columns.map((_, i) => arrayTypeOf(rows, i));
      const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')})
        SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (let start = 0; start < rows.length; start += ROWS_PER_UNNEST) {
          const batch = rows.slice(start, start + ROWS_PER_UNNEST);
          await client.query(
            sql,
            columns.map((_, i) => batch.map((row) => row[i] ?? null)),
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

function arrayTypeOf(rows: readonly (readonly BulkValue[])[], column: number): 'integer' | 'float8' | 'text' {
  let sawNumber = false;
  for (const row of rows) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') return 'text';
    sawNumber = true;
    if (!Number.isInteger(value)) return 'float8';
  }
  return sawNumber ? 'integer' : 'text';
}

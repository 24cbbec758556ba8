// Reads a compiled SELECT as arrays of values in select-list order: the path long report exports read rows through.
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One row: its values in the order of the SELECT list. */
export type RowArray = unknown[];

/**
 * A port the database adapters implement with their driver's array mode (better-sqlite3 `raw`, pg
 * `rowMode: 'array'`): a detail export reads hundreds of thousands of rows, and building an object per
 * row costs as much as SQLite's reading it. Queries are built with Kysely as everywhere else; only their
 * execution goes through here.
 */
export interface RowReader {
  /**
   * Every row of one compiled SELECT. Callers keep each query to a page (a LIMIT, a time window): the
   * whole result is in memory at once, and no connection is held between pages. The arrays are the
   * caller's to change.
   */
  readArrays(query: CompiledQuery): Promise<RowArray[]>;
}

/**
 * The portable reader: Kysely executes the query and each row object becomes an array. Rows come back
 * with their columns in SELECT order on every engine, as long as aliases are distinct and not
 * integer-like ("f0", not "0"), which would reorder an object's keys.
 */
export function kyselyRowReader(db: Kysely<Database>): RowReader {
  return {
    async readArrays(query) {
      const result = await db.executeQuery<Record<string, unknown>>(query);
      return result.rows.map((row) => Object.values(row));
    },
  };
}

// What a composition root hands the core: a Kysely instance over one of the supported engines.
import type { Kysely } from 'kysely';
import type { RowReader } from './row-reader.js';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

export type BulkValue = string | number | null;

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** Runs compiled SELECTs in the driver's array mode: the fast path for long report exports. */
  readonly rows: RowReader;
  /** Inserts many rows fast (a prepared statement in one transaction, or one UNNEST per batch). */
  bulkInsert(table: keyof Database, columns: readonly string[], rows: readonly (readonly BulkValue[])[]): Promise<void>;
  close(): Promise<void>;
}

// What a composition root hands the core: a Kysely instance over one of the supported engines.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres';

export type BulkValue = string | number | null;

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** Inserts many rows fast (a prepared statement in one transaction, or one UNNEST per batch). */
  bulkInsert(table: keyof Database, columns: readonly string[], rows: readonly (readonly BulkValue[])[]): Promise<void>;
  close(): Promise<void>;
}

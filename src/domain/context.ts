// What every use case receives besides its actor and input: the database and a clock.
import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../db/handle.js';
import { kyselyRowReader, type RowReader } from '../db/row-reader.js';
import type { Database } from '../db/schema.js';

export interface DomainContext {
  readonly db: Kysely<Database>;
  /** Reads long results as arrays (report exports): the driver's fast path, or Kysely's for a bare instance. */
  readonly rows: RowReader;
  /** The current instant; tests pass a fixed clock so dates in answers are stable. */
  readonly now: () => Date;
}

/** From a database handle (its row reader included), or from a bare Kysely instance (rows read through Kysely). */
export function createDomainContext(
  database: Kysely<Database> | Pick<DatabaseHandle, 'db' | 'rows'>,
  now: () => Date = () => new Date(),
): DomainContext {
  if ('selectFrom' in database) return { db: database, rows: kyselyRowReader(database), now };
  return { db: database.db, rows: database.rows, now };
}

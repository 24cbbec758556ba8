// What every use case receives besides its actor and input: the database and a clock.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface DomainContext {
  readonly db: Kysely<Database>;
  /** The current instant; tests pass a fixed clock so dates in answers are stable. */
  readonly now: () => Date;
}

export function createDomainContext(db: Kysely<Database>, now: () => Date = () => new Date()): DomainContext {
  return { db, now };
}

// The static migration index: Kysely's FileMigrationProvider cannot import .ts files under
// vitest, so every migration is listed here, oldest first, under its frozen name.
import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-22-0001-initial-schema.js';
import * as customReports from './2026-11-22-0002-custom-reports.js';
import * as chatSessions from './2026-11-22-0003-chat-sessions.js';
import * as rateLimits from './2026-12-07-0004-rate-limits.js';
import * as deliveries from './2026-12-07-0005-deliveries.js';

export const migrations: Record<string, Migration> = {
  '2026-11-22-0001-initial-schema': initialSchema,
  '2026-11-22-0002-custom-reports': customReports,
  '2026-11-22-0003-chat-sessions': chatSessions,
  '2026-12-07-0004-rate-limits': rateLimits,
  '2026-12-07-0005-deliveries': deliveries,
};

/** The schema version this code expects: the name of its newest migration. */
export const LATEST_SCHEMA_VERSION = Object.keys(migrations).at(-1) as string;

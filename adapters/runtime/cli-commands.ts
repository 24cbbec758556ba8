// The CLI's commands against the database (migrate, seed, accounts); cli.ts parses the command line and loads this.
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import type { SeedSummary } from '../../fixtures/demo-data/index.js';
import { LATEST_SCHEMA_VERSION } from '../../migrations/index.js';
import type { DatabaseTarget } from '../../src/db/database-url.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { AppError } from '../../src/errors.js';
import { getSchemaVersion, migrateDown, migrateToLatest, openDatabase } from '../db/index.js';
import { describeTarget, formatMs, hasAccounts } from './startup.js';

/** A validated command line (`help` is answered by cli.ts itself). */
export type Command =
  | { name: 'migrate'; down: boolean }
  | { name: 'seed'; cdrs?: number; seed?: number; asOf?: string }
  | { name: 'accounts'; json: boolean; org?: string }
  | { name: 'link-chat-user'; channel: 'slack' | 'teams'; tenant: string; user: string; staff: string };

export async function runCommand(command: Command, target: DatabaseTarget): Promise<void> {
  // Reading must not create an SQLite file as a side effect of a typo in DATABASE_URL.
  if (
    (command.name === 'accounts' || command.name === 'link-chat-user') &&
    target.engine === 'sqlite' &&
    target.path !== ':memory:' &&
    !existsSync(target.path)
  ) {
    throw new AppError(
      'not_found',
      `no database at ${target.path}; run "npm run cli -- migrate" or "npm run seed" first`,
    );
  }
  const handle = await openDatabase(target);
  try {
    switch (command.name) {
      case 'migrate':
        return await migrate(handle, target, command.down);
      case 'seed':
        return await seed(handle, target, command);
      case 'accounts':
        return await listAccounts(handle, command);
      case 'link-chat-user':
        return await linkChatUser(handle, command);
    }
  } finally {
    await handle.close();
  }
}

async function migrate(handle: DatabaseHandle, target: DatabaseTarget, down: boolean): Promise<void> {
  if (down) {
    // SQLite's DROP TABLE deletes the rows first, and accounts.parent_id is ON DELETE RESTRICT, so a
    // seeded database cannot be dropped table by table with foreign keys on. The pragma is
    // per-connection and the SQLite dialect has one connection, so it covers the migrator's.
    if (handle.engine === 'sqlite') await sql`pragma foreign_keys = off`.execute(handle.db);
    await migrateDown(handle.db);
    if (handle.engine === 'sqlite') await sql`pragma foreign_keys = on`.execute(handle.db);
  } else {
    const applied = await migrateToLatest(handle.db);
    for (const name of applied) process.stdout.write(`applied ${name}\n`);
  }
  const version = await getSchemaVersion(handle.db);
  process.stdout.write(`${describeTarget(target)}: schema version ${version ?? 'none (no migrations applied)'}\n`);
}

async function seed(
  handle: DatabaseHandle,
  target: DatabaseTarget,
  options: { cdrs?: number; seed?: number; asOf?: string },
): Promise<void> {
  const migrateStarted = performance.now();
  await migrateToLatest(handle.db);
  const migrateMs = performance.now() - migrateStarted;
  if (await hasAccounts(handle)) {
    throw new AppError(
      'conflict',
      `${describeTarget(target)} already has accounts; demo data goes only into an empty database`,
    );
  }
  const { seedDemoData } = await import('../../fixtures/demo-data/index.js');
  const started = performance.now();
  const summary = await seedDemoData(handle, { cdrs: options.cdrs, seed: options.seed, asOf: options.asOf });
  const seedMs = performance.now() - started;
  const lines = [
    `Seeded ${describeTarget(target)} (schema ${LATEST_SCHEMA_VERSION})`,
    `  ${'migrations:'.padEnd(21)}${formatMs(migrateMs)}`,
    `  ${'demo data:'.padEnd(21)}${formatMs(seedMs)}`,
    ...summaryLines(summary),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function summaryLines(summary: SeedSummary): string[] {
  const counts: [string, number][] = [
    ['organisations', summary.organisations],
    ['accounts', summary.accounts],
    ['invoices', summary.invoices],
    ['invoice lines', summary.invoiceLines],
    ['payments', summary.payments],
    ['tickets', summary.tickets],
    ['call detail records', summary.callDetailRecords],
  ];
  return counts.map(([label, count]) => `  ${`${label}:`.padEnd(21)}${count}`);
}

interface AccountRow {
  number: string;
  name: string;
  organisation: string;
  parentNumber: string | null;
  status: string;
  timeZone: string;
}

async function listAccounts(handle: DatabaseHandle, options: { json: boolean; org?: string }): Promise<void> {
  if ((await getSchemaVersion(handle.db)) === null) {
    throw new AppError(
      'not_found',
      'the database has no schema yet; run "npm run cli -- migrate" or "npm run seed" first',
    );
  }
  let query = handle.db
    .selectFrom('accounts as a')
    .innerJoin('organisations as o', 'o.id', 'a.organisation_id')
    .leftJoin('accounts as p', 'p.id', 'a.parent_id')
    .select([
      'a.number as number',
      'a.name as name',
      'o.name as organisation',
      'p.number as parentNumber',
      'a.status as status',
      'a.time_zone as timeZone',
    ])
    .orderBy('o.name')
    .orderBy('a.number');
  if (options.org !== undefined) {
    const wanted = options.org.toLowerCase();
    const organisations = await handle.db.selectFrom('organisations').select(['id', 'name']).execute();
    const match = organisations.filter((o) => o.name.toLowerCase() === wanted);
    if (match.length === 0) {
      const known = organisations.map((o) => o.name).join(', ') || 'none';
      throw new AppError('not_found', `no organisation named ${JSON.stringify(options.org)} (organisations: ${known})`);
    }
    query = query.where(
      'a.organisation_id',
      'in',
      match.map((o) => o.id),
    );
  }
  const rows: AccountRow[] = await query.execute();
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const header: AccountRow = {
    number: 'NUMBER',
    name: 'NAME',
    organisation: 'ORGANISATION',
    parentNumber: 'PARENT',
    status: 'STATUS',
    timeZone: 'TIME ZONE',
  };
  const columns = Object.keys(header) as (keyof AccountRow)[];
  const cells = [header, ...rows].map((row) => columns.map((column) => row[column] ?? '-'));
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const lines = cells.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  lines.push(`${rows.length} account${rows.length === 1 ? '' : 's'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function linkChatUser(
  handle: DatabaseHandle,
  command: Extract<Command, { name: 'link-chat-user' }>,
): Promise<void> {
  const { createDomainContext } = await import('../../src/domain/context.js');
  const { linkStaffChannelIdentity } = await import('../../src/domain/identity/index.js');
  const linked = await linkStaffChannelIdentity(createDomainContext(handle), {
    channel: command.channel,
    tenantId: command.tenant,
    externalUserId: command.user,
    staffEmail: command.staff,
  });
  if (linked.kind === 'not_found') throw new AppError('not_found', `no ${linked.what}`);
  if (linked.kind === 'invalid') throw new AppError('bad_request', linked.message);
  const { value } = linked;
  process.stdout.write(
    `${value.replaced ? 'relinked' : 'linked'} ${command.channel} user ${command.user} in ${command.tenant} to ${value.email} (${value.role.replace(/_/g, ' ')})\n`,
  );
}

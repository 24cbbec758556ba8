// SQLite through better-sqlite3: the embedded default engine (WAL, foreign keys on).
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase, { type Statement } from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { BulkValue, DatabaseHandle } from '../../src/db/handle.js';
import type { RowArray, RowReader } from '../../src/db/row-reader.js';
import type { Database } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import { textGuard } from './text-guard.js';

/**
 * Opens (creating if needed) an SQLite database file, or an in-memory one for ':memory:'. A file that
 * cannot be opened or written (read-only file or directory, no permission, not a database) stops here
 * with one AppError line naming the path, not with a driver error at the first write.
 */
export function openSqlite(path: string): DatabaseHandle {
  const sqlite = path === ':memory:' ? new SqliteDatabase(path) : openFile(path);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), plugins: [textGuard()] });

  return {
    db,
    engine: 'sqlite',
    rows: sqliteRowReader(sqlite),
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

function openFile(path: string): SqliteDatabase.Database {
  const file = resolve(path);
  const directory = dirname(file);
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw new AppError('database_unreachable', `cannot create directory ${directory} for database file ${file}: ${reasonOf(error)}`, { cause: error });
  }
  let sqlite: SqliteDatabase.Database | undefined;
  try {
    sqlite = new SqliteDatabase(file);
    sqlite.pragma('busy_timeout = 5000');
    // WAL creates FILE-wal and FILE-shm beside the file: a read-only directory fails here.
    sqlite.pragma('journal_mode = WAL');
    probeWrite(sqlite);
    return sqlite;
  } catch (error) {
    sqlite?.close();
    throw openFailure(file, error);
  }
}

/**
 * SQLite opens a file it may not write read-only without a word, and reads work; the first write (a
 * migration, a session) would fail with "attempt to write a readonly database" and no path. A write
 * rolled back at once finds out now, changing nothing. A busy database (another process writing past
 * the busy timeout) is writable, just busy: that is left to the queries.
 */
function probeWrite(sqlite: SqliteDatabase.Database): void {
  const version = Number(sqlite.pragma('user_version', { simple: true }));
  try {
    sqlite.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if (codeOf(error) === 'SQLITE_BUSY') return;
    throw error;
  }
  try {
    sqlite.pragma(`user_version = ${version}`);
  } finally {
    sqlite.exec('ROLLBACK');
  }
}

/** One line an operator can act on: which file or directory, and what is wrong with it. */
function openFailure(file: string, error: unknown): AppError {
  const directory = dirname(file);
  const code = codeOf(error);
  let message: string;
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    if (!writable(directory) && (code === 'SQLITE_READONLY_DIRECTORY' || code === 'SQLITE_CANTOPEN' || writable(file))) {
      message = existsSync(file)
        ? `database directory ${directory} is read-only: SQLite needs to create ${file}-wal and ${file}-shm there`
        : `cannot create database file ${file}: directory ${directory} is read-only`;
    } else if (existsSync(file) && !writable(file)) {
      message = `database file ${file} is read-only`;
    } else if (code.startsWith('SQLITE_READONLY') && [`${file}-wal`, `${file}-shm`].some((f) => existsSync(f) && !writable(f))) {
      message = `database file ${file} cannot be written: its -wal or -shm file beside it is read-only`;
    } else if (code.startsWith('SQLITE_READONLY')) {
      // Writable by its permissions, yet refused: a read-only mount, an immutable file.
      message = `database file ${file} is read-only`;
    } else {
      message = `cannot open database file ${file}: ${reasonOf(error)}`;
    }
  } else {
    message = `cannot open database file ${file}: ${reasonOf(error)}`;
  }
  return new AppError('database_unreachable', message, { cause: error });
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function reasonOf(error: unknown): string {
  if (codeOf(error) === 'EACCES') return 'permission denied';
  if (codeOf(error) === 'EROFS') return 'read-only file system';
  return error instanceof Error ? error.message : String(error);
}

/** Statements kept prepared: an export runs one SQL text for all its pages, with new bounds each time. */
const KEPT_STATEMENTS = 32;

/**
 * Compiled queries run in better-sqlite3's raw mode, each row an array: about half the cost of a row
 * object (~1 µs against ~1.9 µs a row on the benchmark's detail export). Each page is read whole with
 * `all()`, never with an iterator left open across an await, which would leave the shared connection
 * busy for every other query until the export ended.
 */
function sqliteRowReader(sqlite: SqliteDatabase.Database): RowReader {
  const statements = new Map<string, Statement<unknown[], RowArray>>();
  return {
    async readArrays(query) {
      let statement = statements.get(query.sql);
      if (statement === undefined) {
        statement = sqlite.prepare<unknown[], RowArray>(query.sql);
        if (!statement.reader) throw new Error('readArrays runs queries that return rows (a SELECT)');
        statement.raw(true);
        if (statements.size >= KEPT_STATEMENTS) statements.clear();
        statements.set(query.sql, statement);
      }
      return statement.all(...query.parameters);
    },
  };
}

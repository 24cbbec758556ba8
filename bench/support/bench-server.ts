// Runs the real service (adapters/runtime/node.ts) as a child process on loopback for the fault and load
// benchmarks: a fresh SQLite file or a throwaway PostgreSQL database, its stdout and stderr appended to a file.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { freePort } from '../../test/support/processes.js';
import { assertLoopbackUrl } from './loopback.js';

export type BenchEngine = 'sqlite' | 'postgres';

export const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OUT_DIR = join(BENCH_ROOT, 'out');
const SERVER_SCRIPT = fileURLToPath(new URL('../../adapters/runtime/node.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export const DEFAULT_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A throwaway database on the engine; `drop` removes it (and the SQLite file with its WAL). */
export interface BenchDatabase {
  readonly engine: BenchEngine;
  /** The DATABASE_URL the server is given. */
  readonly url: string;
  /** The SQLite file, for reading it directly afterwards. */
  readonly path?: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(
  engine: BenchEngine,
  label: string,
  postgresUrl = DEFAULT_POSTGRES_URL,
): Promise<BenchDatabase> {
  const stamp = `${label}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  if (engine === 'sqlite') {
    mkdirSync(OUT_DIR, { recursive: true });
    const path = join(OUT_DIR, `${stamp}.db`);
    return {
      engine,
      url: `file:${path}`,
      path,
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
      },
    };
  }
  assertLoopbackUrl(postgresUrl, 'the PostgreSQL server');
  const name = `bench_${stamp}`.toLowerCase();
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    engine,
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: postgresUrl });
      await again.connect();
      try {
        await again.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await again.end();
      }
    },
  };
}

export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the harness asked it to stop; false for a crash. */
  readonly expected: boolean;
  readonly at: number;
}

export interface BenchServer {
  readonly base: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Set once the process has exited. */
  exit: ServerExit | null;
  /** Resolves when the process exits, whoever caused it. */
  readonly exited: Promise<ServerExit>;
  /** The last few KB of stderr, for a crash report. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<ServerExit>;
}

export interface StartOptions {
  readonly databaseUrl: string;
  /** Appended to; every byte the server prints on stdout and stderr lands here. */
  readonly logFile: string;
  readonly env?: Record<string, string>;
  readonly port?: number;
  readonly readyTimeoutMs?: number;
}

/** Starts the server on 127.0.0.1 and waits until it has printed its banner and /healthz answers. */
export async function startBenchServer(options: StartOptions): Promise<BenchServer> {
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  assertLoopbackUrl(base, 'the server');
  // Only what the runtime needs: the developer's DATABASE_URL, SLACK_* or NODE_ENV must not leak in.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    ...options.env,
  };
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', TSX_LOADER, SERVER_SCRIPT], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdoutSeen = '';
  let stderrTail = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (stdoutSeen.length < 64 * 1024) stdoutSeen += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-8192);
  });
  let stopping = false;
  const server: BenchServer = {
    base,
    port,
    child,
    exit: null,
    exited: new Promise<ServerExit>((resolve) => {
      child.once('close', (code, signal) => {
        const exit = { code, signal, expected: stopping, at: Date.now() };
        server.exit = exit;
        log.end(() => resolve(exit));
      });
    }),
    stderrTail: () => stderrTail,
    async stop(graceMs = 12_000) {
      if (server.exit) return server.exit;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await server.exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (!stdoutSeen.includes('Support Assistant is running.')) {
    if (server.exit)
      throw new Error(
        `the server exited (${server.exit.code ?? server.exit.signal}) before it was ready: ${stderrTail.slice(-2000)}`,
      );
    if (Date.now() > deadline) {
      await server.stop(1000);
      throw new Error(`the server was not ready in time: ${stderrTail.slice(-2000)}`);
    }
    await sleep(100);
  }
  const health = await fetch(`${base}/healthz`);
  await health.arrayBuffer();
  if (health.status !== 200) {
    await server.stop(1000);
    throw new Error(`/healthz answered ${health.status} after start-up`);
  }
  return server;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

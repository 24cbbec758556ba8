// Runs the real entry points (server, CLI) as child processes, as an operator would, and collects what they print.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root, wherever this clone lives. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Load tsx by absolute URL so the child can run from any working directory (a temp dir in tests).
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export const SERVER_SCRIPT = fileURLToPath(new URL('../../adapters/runtime/node.ts', import.meta.url));
export const CLI_SCRIPT = fileURLToPath(new URL('../../adapters/runtime/cli.ts', import.meta.url));

// The variables our runtimes read; a test sets the ones it means, so the developer's shell cannot leak in.
const RUNTIME_VARIABLES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'LOG_LEVEL',
  'SEED_CDRS',
  'DEMO_DATA',
  'NODE_ENV',
  'PORTAL_SESSION_SECRET',
  'FILE_URL_SECRET',
  'WEBCHAT_ALLOWED_ORIGINS',
  'WEBCHAT_SESSION_IDLE_MINUTES',
  'WEBCHAT_SESSION_MAX_HOURS',
  'WEBCHAT_FILE_URL_MINUTES',
  'WEBCHAT_FILE_RETENTION_DAYS',
  'WEBCHAT_RATE_LIMIT_MESSAGES',
  'WEBCHAT_RATE_LIMIT_WINDOW_SECONDS',
  'RATE_LIMITS',
  'TRUSTED_PROXY_HEADER',
  'CLIENT_SESSIONS_PER_HOUR',
  'CLIENT_SIGN_INS_PER_HOUR',
  'CLIENT_MESSAGES_PER_MINUTE',
  'SOCKETS_PER_SESSION',
  'SOCKETS_PER_CLIENT',
  'HANDOFFS_PER_CONVERSATION_PER_HOUR',
  'ANONYMOUS_HANDOFFS_PER_CLIENT_PER_HOUR',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_API_URL',
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppTenantId',
  'MicrosoftAppType',
];

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startScript(
  script: string,
  args: readonly string[],
  /** `plain`: run compiled JavaScript with node itself, without tsx's loader. */
  options: { cwd?: string; env?: Record<string, string>; plain?: boolean } = {},
): ChildProcess & { finished: Promise<Finished>; output: () => { stdout: string; stderr: string } } {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of RUNTIME_VARIABLES) delete env[name];
  const child = spawn(process.execPath, [...(options.plain ? [] : ['--import', TSX_LOADER]), script, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(child, { finished, output: () => ({ stdout, stderr }) });
}

/** Runs a script to completion (killing it after timeoutMs) and returns its exit code and output. */
export async function runScript(
  script: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Finished> {
  const child = startScript(script, args, options);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  try {
    return await child.finished;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the CLI with `input` on its stdin (e.g. a scripted chat), to completion. */
export function runCliWithInput(args: readonly string[], env: Record<string, string>, input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_SCRIPT, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the child's stdout contains the text, or fails with what it printed. */
export async function waitForOutput(
  child: ReturnType<typeof startScript>,
  text: string,
  timeoutMs = 45_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited: Finished | undefined;
  void child.finished.then((f) => {
    exited = f;
  });
  while (Date.now() < deadline) {
    const { stdout } = child.output();
    if (stdout.includes(text)) return stdout;
    if (exited) throw new Error(`exited with ${exited.code} before printing ${JSON.stringify(text)}: ${exited.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${JSON.stringify(text)}; stderr: ${child.output().stderr}`);
}

/** The non-empty lines of a stream's output. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

const tempDirs: string[] = [];

/** An empty directory under the system temp dir, removed by removeTempDirs (call it in afterAll). */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Who a child runs as when a test needs file permissions to hold: root passes every permission check, so
 * a test run as root runs the child as nobody:nogroup; anyone else is already held by them (null).
 */
export const UNPRIVILEGED: { uid: number; gid: number } | null = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null;

/** runScript as UNPRIVILEGED (the test's own user when it is not root), with a working directory it may enter. */
export async function runScriptUnprivileged(
  script: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<Finished> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of RUNTIME_VARIABLES) delete env[name];
  const child = spawn(process.execPath, ['--import', TSX_LOADER, script, ...args], {
    cwd: options.cwd,
    // HOME stays root's otherwise, which nobody may not read.
    env: { ...env, ...(UNPRIVILEGED ? { HOME: options.cwd } : {}), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(UNPRIVILEGED ?? {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  try {
    return await new Promise<Finished>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  } finally {
    clearTimeout(timer);
  }
}

// The load benchmark (`npm run bench:load`): the real server as a child process on loopback with RATE_LIMITS=off,
// and N concurrent web chat sessions (anonymous, portal and PIN sign-ins, mixed) each sending a realistic line
// and waiting for its answer, back to back, for S seconds — most over HTTP, some over the WebSocket. Prints
// turns per second, errors (429s apart) and latency percentiles, the server's CPU and peak memory, and what the
// log scan finds (5xx, unhandled rejections, secrets). Loopback only.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { mintPortalSessionToken } from '../adapters/webchat/portal-token.js';
import { DEMO_ACCOUNTS } from '../fixtures/demo-data/catalogue.js';
import { DEMO_PORTAL_USERS } from '../fixtures/demo-data/identities.js';
import {
  type BenchDatabase,
  type BenchServer,
  createBenchDatabase,
  DEFAULT_POSTGRES_URL,
  OUT_DIR,
  sleep,
  startBenchServer,
} from './support/bench-server.js';
import { OUT_OF_SCOPE_LINES, Prng } from './support/fuzz-inputs.js';
import { nodeHttpCall as httpCall, percentile, Tally } from './support/http-client.js';
import { scanLogFile } from './support/log-scan.js';
import { assertLoopbackUrl } from './support/loopback.js';

const USAGE = `usage: tsx bench/load.ts [--sessions 200] [--seconds 60] [--warmup 5] [--engine sqlite|postgres]
  [--ws-share 0.1] [--seed 1] [--postgres-url postgres://postgres@127.0.0.1:5432/test]
  [--target http://127.0.0.1:PORT --portal-secret SECRET]   (an already running server, loopback only)`;

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    engine: { type: 'string', default: 'sqlite' },
    'ws-share': { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    'postgres-url': { type: 'string', default: DEFAULT_POSTGRES_URL },
    target: { type: 'string' },
    'portal-secret': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}
function whole(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    fail(`--${name}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}
const sessionCount = whole('sessions', values.sessions, 1, 5000);
const seconds = whole('seconds', values.seconds, 1, 3600);
const warmup = whole('warmup', values.warmup, 0, 600);
const seed = whole('seed', values.seed, 0, 2 ** 32 - 1);
const wsShare = Number(values['ws-share']);
if (!(wsShare >= 0 && wsShare <= 1))
  fail(`--ws-share: a fraction from 0 to 1, got ${JSON.stringify(values['ws-share'])}`);
const engine = values.engine;
if (engine !== 'sqlite' && engine !== 'postgres') fail(`--engine: sqlite or postgres, got ${JSON.stringify(engine)}`);
try {
  if (values.target) assertLoopbackUrl(values.target, '--target');
  if (!values.target && engine === 'postgres') assertLoopbackUrl(values['postgres-url'], '--postgres-url');
} catch (error) {
  fail((error as Error).message);
}
if (values.target && !values['portal-secret'])
  fail("--target needs --portal-secret (the server's PORTAL_SESSION_SECRET) to sign sessions in");

/** The mix every session draws from: account questions, tickets, outages, small talk, out of scope. */
const MIX: readonly { weight: number; lines: readonly string[]; label: string }[] = [
  { label: 'balance', weight: 25, lines: ["what's my balance", 'how much do we owe?', 'whats my bal'] },
  { label: 'tickets', weight: 20, lines: ['show my open tickets', 'any open tickets?'] },
  {
    label: 'outages',
    weight: 20,
    lines: ['any outages in Toronto?', 'is there an outage in montreal right now', 'any outages?'],
  },
  { label: 'greeting', weight: 15, lines: ['hi', 'hello', 'thanks'] },
  { label: 'out of scope', weight: 20, lines: OUT_OF_SCOPE_LINES },
];
const MIX_WEIGHTS = Object.fromEntries(MIX.map((m) => [m.label, m.weight])) as Record<string, number>;

interface Sample {
  readonly at: number;
  readonly ms: number;
  readonly ok: boolean;
  readonly transport: 'http' | 'ws';
  readonly kind: string;
  /** Sent as X-Request-Id, so a slow turn can be found in the server's log. */
  readonly requestId?: string;
  readonly reused?: boolean;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

class Load {
  readonly samples: Sample[] = [];
  readonly outcomes = new Tally();
  readonly setup = new Tally();
  readonly errorExamples: string[] = [];
  tokens = new Set<string>();
  measureFrom = 0;
  requestCounter = 0;
  stopAt = 0;

  constructor(
    readonly base: string,
    readonly portalSecret: string,
  ) {}

  record(sample: Sample, label: string, example?: string): void {
    if (sample.at < this.measureFrom) return;
    this.samples.push(sample);
    this.outcomes.add(label);
    if (!sample.ok && example && this.errorExamples.length < 10) this.errorExamples.push(example);
  }

  /** A session: anonymous, a portal user (signed token) or an account and PIN. */
  async session(rng: Prng): Promise<{ token: string; label: string } | null> {
    const roll = rng.next();
    const users = DEMO_PORTAL_USERS.filter((u) => u.status === 'active');
    let label: string;
    let body: unknown = {};
    if (roll < 0.4) label = 'anonymous';
    else if (roll < 0.8) {
      const user = rng.pick(users);
      label = `portal:${user.email}`;
      body = {
        portalToken: mintPortalSessionToken(this.portalSecret, {
          email: user.email,
          exp: Math.floor(Date.now() / 1000) + 3600,
        }),
      };
    } else label = `pin:${rng.pick(DEMO_ACCOUNTS.filter((a) => a.status === 'active')).number}`;
    const started = await httpCall(this.base, '/chat/sessions', { json: body, timeoutMs: 60_000 });
    this.setup.add(`sessions ${started.status || started.failure}`);
    let token = (started.json as { token?: string } | undefined)?.token;
    if (!token) return null;
    if (label.startsWith('pin:')) {
      const account = DEMO_ACCOUNTS.find((a) => `pin:${a.number}` === label);
      const signedIn = await httpCall(this.base, '/chat/sign-in', {
        token,
        json: { accountNumber: account?.number, pin: account?.pin },
        timeoutMs: 60_000,
      });
      this.setup.add(`sign-in ${signedIn.status || signedIn.failure}`);
      token = (signedIn.json as { token?: string } | undefined)?.token;
      if (!token) return null;
    }
    this.tokens.add(token);
    return { token, label };
  }

  async httpLoop(rng: Prng, token: string): Promise<void> {
    while (Date.now() < this.stopAt) {
      const kind = rng.weighted(MIX_WEIGHTS);
      const text = rng.pick(MIX.find((m) => m.label === kind)?.lines ?? ['hi']);
      const started = Date.now();
      // Letters only: a digit run in a request id would look like a PIN to the log scan.
      const requestId = `load-${String(++this.requestCounter).replace(/\d/g, (d) => 'abcdefghij'[Number(d)] ?? 'x')}`;
      const outcome = await httpCall(this.base, '/chat/messages', {
        token,
        json: { text },
        timeoutMs: 60_000,
        headers: { 'x-request-id': requestId },
      });
      const label = outcome.status ? String(outcome.status) : (outcome.failure ?? 'no answer');
      this.record(
        {
          at: started,
          ms: outcome.ms,
          ok: outcome.status === 200,
          transport: 'http',
          kind,
          requestId,
          reused: outcome.reusedSocket,
        },
        label,
        `${label} on ${JSON.stringify(text)}: ${outcome.text.slice(0, 200)}`,
      );
      // A refused turn waits a moment, as the widget does, rather than spinning.
      if (outcome.status === 429) await sleep(1000);
      else if (outcome.status === 0) await sleep(200);
    }
  }

  async wsLoop(rng: Prng, token: string): Promise<void> {
    const ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/chat/ws`, { headers: { Origin: this.base } });
    const inbox: Record<string, unknown>[] = [];
    let closed = false;
    let wake: (() => void) | null = null;
    ws.on('message', (data) => {
      try {
        inbox.push(JSON.parse(String(data)) as Record<string, unknown>);
      } catch {
        inbox.push({ type: 'unparseable' });
      }
      wake?.();
    });
    ws.on('close', () => {
      closed = true;
      wake?.();
    });
    ws.on('error', () => {
      closed = true;
      wake?.();
    });
    const next = async (
      predicate: (frame: Record<string, unknown>) => boolean,
      ms: number,
    ): Promise<Record<string, unknown> | null> => {
      const until = Date.now() + ms;
      for (;;) {
        const at = inbox.findIndex(predicate);
        if (at >= 0) return inbox.splice(0, at + 1).at(-1) ?? null;
        if (closed || Date.now() > until) return null;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 250);
        });
        wake = null;
      }
    };
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('unexpected-response', () => resolve(false));
      ws.once('error', () => resolve(false));
    });
    if (!opened) {
      this.setup.add('ws refused');
      return this.httpLoop(rng, token);
    }
    ws.send(JSON.stringify({ type: 'hello', token }));
    const ready = await next((f) => f.type === 'ready', 30_000);
    if (!ready) {
      this.setup.add('ws no ready');
      ws.terminate();
      return this.httpLoop(rng, token);
    }
    this.setup.add('ws ready');
    while (Date.now() < this.stopAt && !closed) {
      const kind = rng.weighted(MIX_WEIGHTS);
      const text = rng.pick(MIX.find((m) => m.label === kind)?.lines ?? ['hi']);
      const started = Date.now();
      const t0 = performance.now();
      ws.send(JSON.stringify({ type: 'message', text }));
      const answer = await next(
        (f) =>
          f.type === 'error' ||
          (f.type === 'message' && (f.message as { direction?: string } | undefined)?.direction === 'out'),
        60_000,
      );
      const ms = performance.now() - t0;
      if (!answer) {
        this.record(
          { at: started, ms, ok: false, transport: 'ws', kind },
          closed ? 'ws closed' : 'ws no answer',
          `no answer to ${JSON.stringify(text)}`,
        );
        break;
      }
      if (answer.type === 'error') {
        const code = String(answer.code);
        this.record(
          { at: started, ms, ok: false, transport: 'ws', kind },
          code === 'rate_limited' ? '429' : `ws error ${code}`,
          JSON.stringify(answer).slice(0, 200),
        );
        if (code === 'rate_limited') await sleep(1000);
        continue;
      }
      this.record({ at: started, ms, ok: true, transport: 'ws', kind }, '200');
    }
    ws.close(1000, 'done');
  }
}

function processStats(pid: number | undefined): { cpuSeconds: number; peakRssMb: number } | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return { cpuSeconds: ticks / 100, peakRssMb: hwm ? Number(hwm) / 1024 : Number.NaN };
  } catch {
    return null;
  }
}

function summarise(samples: readonly Sample[]): string {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const f = (p: number) => percentile(sorted, p).toFixed(0);
  return `p50 ${f(50)} ms, p90 ${f(90)} ms, p99 ${f(99)} ms, max ${sorted.length ? (sorted.at(-1) as number).toFixed(0) : 'NaN'} ms`;
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const portalSecret = values['portal-secret'] ?? `bench-load-portal-${randomBytes(24).toString('base64url')}`;
  let database: BenchDatabase | null = null;
  let server: BenchServer | null = null;
  let base = values.target ?? '';
  const logFile = join(OUT_DIR, `load-${engine}-${stamp}.log`);
  log(
    `load benchmark: ${sessionCount} sessions (${Math.round(wsShare * 100)}% over the WebSocket), ${seconds} s measured after ${warmup} s of warm-up`,
  );
  log(
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  try {
    if (!values.target) {
      database = await createBenchDatabase(engine as 'sqlite' | 'postgres', 'load', values['postgres-url']);
      const started = Date.now();
      server = await startBenchServer({
        databaseUrl: database.url,
        logFile,
        env: {
          LOG_LEVEL: 'info',
          PORTAL_SESSION_SECRET: portalSecret,
          RATE_LIMITS: 'off',
          // The per-session flood limit too: each session here sends back to back on purpose.
          WEBCHAT_RATE_LIMIT_MESSAGES: '10000',
        },
      });
      base = server.base;
      log(`${engine}: server up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${base} (log ${logFile})`);
    }
    const load = new Load(base, portalSecret);
    const root = new Prng(seed);
    // Sessions first (20 at a time: PIN sign-ins cost a scrypt each), then everyone talks at once.
    const setupStarted = Date.now();
    const sessions: { token: string; label: string; ws: boolean; rng: Prng }[] = [];
    for (let i = 0; i < sessionCount; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, sessionCount - i) }, async (_, j) => {
          const rng = root.fork(`session-${i + j}`);
          const session = await load.session(rng);
          return session ? { ...session, ws: rng.chance(wsShare), rng } : null;
        }),
      );
      for (const s of batch) if (s) sessions.push(s);
    }
    log(
      `${sessions.length} sessions ready in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s (${load.setup.toString()})`,
    );
    const cpuBefore = processStats(server?.child.pid);
    const startedAt = Date.now();
    load.measureFrom = startedAt + warmup * 1000;
    load.stopAt = load.measureFrom + seconds * 1000;
    // What a load balancer's health check sees meanwhile: GET /healthz on a new connection every 2 s.
    const healthChecks: { at: number; ms: number; status: number }[] = [];
    const prober = (async () => {
      while (Date.now() < load.stopAt) {
        await sleep(2000);
        const outcome = await httpCall(base, '/healthz', { timeoutMs: 30_000, fresh: true });
        healthChecks.push({ at: Date.now(), ms: outcome.ms, status: outcome.status });
      }
    })();
    await Promise.all(sessions.map((s) => (s.ws ? load.wsLoop(s.rng, s.token) : load.httpLoop(s.rng, s.token))));
    await prober;
    const measuredSeconds = (Math.max(...load.samples.map((s) => s.at + s.ms), load.stopAt) - load.measureFrom) / 1000;
    const cpuAfter = processStats(server?.child.pid);
    const health = await httpCall(base, '/healthz', { timeoutMs: 10_000 });
    let stopExit = 'n/a';
    if (server) {
      const exit = await server.stop();
      stopExit = String(exit.code ?? exit.signal);
    }
    const scan = server
      ? scanLogFile(logFile, {
          fixed: [{ label: 'PORTAL_SESSION_SECRET', value: portalSecret }],
          tokens: load.tokens,
          pins: new Set(DEMO_ACCOUNTS.map((a) => a.pin)),
        })
      : null;

    const ok = load.samples.filter((s) => s.ok);
    const limited = load.outcomes.get(429);
    const errors = load.samples.length - ok.length - limited;
    const http = ok.filter((s) => s.transport === 'http');
    const ws = ok.filter((s) => s.transport === 'ws');
    log('');
    log(
      `turns answered: ${ok.length} in ${measuredSeconds.toFixed(1)} s = ${(ok.length / measuredSeconds).toFixed(1)} turns/s`,
    );
    log(
      `errors: ${errors} (${((100 * errors) / Math.max(1, load.samples.length)).toFixed(2)}%), 429: ${limited}; outcomes ${load.outcomes.toString()}`,
    );
    log(`latency, all answered turns: ${summarise(ok)}`);
    const fresh = http.filter((s) => s.reused === false);
    log(`  over HTTP (${http.length}): ${summarise(http)}`);
    if (fresh.length > 0) log(`    of which on a new connection (${fresh.length}): ${summarise(fresh)}`);
    if (ws.length > 0) log(`  over the WebSocket (${ws.length}): ${summarise(ws)}`);
    for (const m of MIX)
      log(
        `  ${m.label.padEnd(13)} (${ok.filter((s) => s.kind === m.label).length}): ${summarise(ok.filter((s) => s.kind === m.label))}`,
      );
    const probes = healthChecks.filter((h) => h.at >= load.measureFrom);
    const probeMs = probes.map((h) => h.ms).sort((a, b) => a - b);
    log(
      `GET /healthz on a new connection every 2 s (${probes.length}): p50 ${percentile(probeMs, 50).toFixed(0)} ms, max ${(probeMs.at(-1) ?? Number.NaN).toFixed(0)} ms, not 200: ${probes.filter((h) => h.status !== 200).length}`,
    );
    if (cpuBefore && cpuAfter) {
      const cpu = cpuAfter.cpuSeconds - cpuBefore.cpuSeconds;
      log(
        `server: ${cpu.toFixed(1)} CPU s over ${((Date.now() - startedAt) / 1000).toFixed(0)} s (${((100 * cpu) / ((Date.now() - startedAt) / 1000)).toFixed(0)}% of one core), peak RSS ${cpuAfter.peakRssMb.toFixed(0)} MB`,
      );
    }
    log(`after the run: /healthz ${health.status || health.failure}, stop exit ${stopExit}`);
    if (scan) {
      log(
        `log: ${scan.lines} lines; 5xx logged ${scan.logged5xx.length}, unhandled ${scan.unhandled.length}, error lines ${Object.values(scan.errorsByMessage).reduce((a, b) => a + b, 0)}, secrets ${scan.secrets.length}`,
      );
      for (const [message, n] of Object.entries(scan.errorsByMessage).slice(0, 5)) log(`  logged ${n}× "${message}"`);
      for (const s of scan.secrets.slice(0, 5))
        log(`  ${s.kind} (${s.label}) at log line ${s.line}: ${s.excerpt.slice(0, 200)}`);
    }
    for (const e of load.errorExamples.slice(0, 5)) log(`  error: ${e}`);
    writeFileSync(
      join(OUT_DIR, `load-${engine}-${stamp}.json`),
      `${JSON.stringify({ sessions: sessionCount, seconds, warmup, wsShare, turns: ok.length, errors, limited, outcomes: Object.fromEntries(load.outcomes.counts), samples: load.samples }, null, 0)}\n`,
    );
    const missed =
      errors > 0 ||
      probes.some((h) => h.status !== 200) ||
      (scan !== null && (scan.logged5xx.length > 0 || scan.unhandled.length > 0 || scan.secrets.length > 0)) ||
      health.status !== 200;
    process.exitCode = missed ? 1 : 0;
  } finally {
    if (server && !server.exit) await server.stop();
    await database?.drop().catch(() => {});
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

// The fault benchmark (`npm run bench:faults`): the real server as a child process on loopback, on a fresh
// SQLite file and then a throwaway PostgreSQL database, fed seeded hostile and realistic traffic through the web
// chat's HTTP API, its WebSocket and the Slack endpoint; then the kill-during-confirm rounds. It counts 5xx
// answers, crashes, unhandled rejections, writes nobody confirmed (or lost, or doubled) and secrets in the logs,
// prints a table and exits 1 when a target (all zero) is missed. Details land in bench/out/faults-*.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_ACCOUNTS } from '../fixtures/demo-data/catalogue.js';
import { type KillConfirmResult, runKillConfirmRounds } from './kill-confirm.js';
import { type BenchEngine, createBenchDatabase, DEFAULT_POSTGRES_URL, OUT_DIR } from './support/bench-server.js';
import { FaultRun, type RunSecrets, YES_TEXTS } from './support/fault-run.js';
import { scanLogFile } from './support/log-scan.js';
import { assertLoopbackUrl } from './support/loopback.js';
import { startSlackStub } from './support/slack-stub.js';
import { auditWrites, queryDatabase, readBaseline, type WriteAudit } from './support/write-audit.js';

const USAGE = `usage: tsx bench/faults.ts [--seconds 40] [--messages 4000] [--concurrency 8] [--seed 1]
  [--engines sqlite,postgres] [--kill-rounds 3] [--postgres-url postgres://postgres@127.0.0.1:5432/test] [--keep]
  [--no-pdf-transcripts]   (leave out PDF transcripts, which a long word makes block the server: see bench/README.md)
Per engine: at most --messages requests and socket frames, for at most --seconds; then --kill-rounds rounds of
kill -9 during a confirmation on each engine. Loopback only.`;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '40' },
    messages: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    engines: { type: 'string', default: 'sqlite,postgres' },
    'kill-rounds': { type: 'string', default: '3' },
    'postgres-url': { type: 'string', default: DEFAULT_POSTGRES_URL },
    'log-level': { type: 'string', default: 'trace' },
    'no-pdf-transcripts': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

function whole(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    process.stderr.write(
      `--${name}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}\n${USAGE}\n`,
    );
    process.exit(2);
  }
  return n;
}

const seconds = whole('seconds', values.seconds, 1, 3600);
const maxMessages = whole('messages', values.messages, 1, 10_000_000);
const concurrency = whole('concurrency', values.concurrency, 1, 256);
const seed = whole('seed', values.seed, 0, 2 ** 32 - 1);
const killRounds = whole('kill-rounds', values['kill-rounds'], 0, 1000);
const engines = values.engines.split(',').map((e) => e.trim());
if (engines.some((e) => e !== 'sqlite' && e !== 'postgres')) {
  process.stderr.write(`--engines: sqlite and/or postgres, got ${JSON.stringify(values.engines)}\n`);
  process.exit(2);
}
const postgresUrl = values['postgres-url'];
try {
  if (engines.includes('postgres')) assertLoopbackUrl(postgresUrl, '--postgres-url');
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

interface EngineReport {
  engine: BenchEngine;
  seconds: number;
  sent: number;
  httpRequests: number;
  wsFrames: number;
  statuses: string;
  byOp: Record<string, string>;
  serverErrors: FaultRun['serverErrors'];
  logged5xx: number;
  logged5xxAborted: number;
  timeouts: FaultRun['timeouts'];
  networkFailures: string;
  crashes: FaultRun['crashes'];
  hangs: FaultRun['hangs'];
  unhandled: { line: number; text: string }[];
  loggedErrors: Record<string, number>;
  wsCloses: string;
  tooMany: number;
  writer: Omit<FaultRun['writer'], 'reportedDone'> & { reportedDone: number };
  writes: WriteAudit;
  secrets: ReturnType<typeof scanLogFile>['secrets'];
  bannerSecrets: number;
  cardsStored: string[];
  logFile: string;
  logLines: number;
  stopExit: string;
  harnessErrors: string[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function fuzzEngine(engine: BenchEngine, secrets: RunSecrets, stamp: string): Promise<EngineReport> {
  const database = await createBenchDatabase(engine, 'faults', postgresUrl);
  const logFile = join(OUT_DIR, `faults-${engine}-${stamp}.log`);
  const slack = await startSlackStub();
  try {
    const env: Record<string, string> = {
      LOG_LEVEL: values['log-level'],
      SEED_CDRS: '2000',
      PORTAL_SESSION_SECRET: secrets.portalSessionSecret,
      FILE_URL_SECRET: secrets.fileUrlSecret,
      SLACK_SIGNING_SECRET: secrets.slackSigningSecret,
      SLACK_BOT_TOKEN: secrets.slackBotToken,
      SLACK_API_URL: `${slack.url}api/`,
      // Every client here is 127.0.0.1: the per-address limits would refuse nearly everything, so they are
      // raised; the per-session limit stays low enough to be hit by the flood operation.
      WEBCHAT_RATE_LIMIT_MESSAGES: '60',
      WEBCHAT_RATE_LIMIT_WINDOW_SECONDS: '10',
      CLIENT_SESSIONS_PER_HOUR: '1000000',
      CLIENT_SIGN_INS_PER_HOUR: '1000000',
      CLIENT_MESSAGES_PER_MINUTE: '1000000',
      SOCKETS_PER_CLIENT: '1000000',
    };
    const started = Date.now();
    const run = new FaultRun({
      engine,
      database,
      logFile,
      env,
      secrets,
      seed,
      concurrency,
      maxMessages,
      seconds,
      pdfTranscripts: !values['no-pdf-transcripts'],
      slackHookUrl: `${slack.url}hooks/`,
      progress: log,
    });
    await run.start();
    log(`${engine}: server up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${run.base} (log ${logFile})`);
    const baseline = await readBaseline(database);
    await run.run();
    const writes = await auditWrites(database, baseline, {
      reportedDone: run.writer.reportedDone,
      lostReplies: run.writer.lostReplies,
      yesTexts: YES_TEXTS,
    });
    const cardsStored = await findCardsStored(database, baseline.messages, run.cardsTyped);
    const scan = scanLogFile(logFile, {
      fixed: [
        { label: 'PORTAL_SESSION_SECRET', value: secrets.portalSessionSecret },
        { label: 'FILE_URL_SECRET', value: secrets.fileUrlSecret },
        { label: 'SLACK_SIGNING_SECRET', value: secrets.slackSigningSecret },
        { label: 'SLACK_BOT_TOKEN', value: secrets.slackBotToken },
      ],
      tokens: run.tokens,
      pins: new Set([...DEMO_ACCOUNTS.map((a) => a.pin), ...run.pinsSent]),
    });
    const { reportedDone, ...writer } = run.writer;
    return {
      engine,
      seconds: (run.finishedAt - run.startedAt) / 1000,
      sent: run.sent,
      httpRequests: run.httpRequests,
      wsFrames: run.wsFrames,
      statuses: run.statuses.toString(),
      byOp: Object.fromEntries([...run.byOp].map(([op, tally]) => [op, tally.toString()])),
      serverErrors: run.serverErrors,
      logged5xx: scan.logged5xx.filter((e) => !e.clientHungUp).length,
      logged5xxAborted: scan.logged5xx.filter((e) => e.clientHungUp).length,
      timeouts: run.timeouts,
      networkFailures: run.failures.toString(),
      crashes: run.crashes,
      hangs: run.hangs,
      unhandled: scan.unhandled,
      loggedErrors: scan.errorsByMessage,
      wsCloses: run.wsCloses.toString(),
      tooMany: run.tooMany,
      writer: { ...writer, reportedDone: reportedDone.length },
      writes,
      secrets: scan.secrets,
      bannerSecrets: scan.bannerSecrets.length,
      cardsStored,
      logFile,
      logLines: scan.lines,
      stopExit: run.stopExit ? String(run.stopExit.code ?? run.stopExit.signal) : 'unknown',
      harnessErrors: run.harnessErrors,
    };
  } finally {
    await slack.stop();
    if (!values.keep)
      await database.drop().catch((error: unknown) => log(`dropping the ${engine} database failed: ${String(error)}`));
  }
}

/** Card numbers the fuzzer typed that the database kept anyway (messages and conversation state). */
async function findCardsStored(
  database: Awaited<ReturnType<typeof createBenchDatabase>>,
  afterMessage: number,
  cards: ReadonlySet<string>,
): Promise<string[]> {
  if (cards.size === 0) return [];
  const rows = [
    ...(await queryDatabase(database, `SELECT text, payload FROM messages WHERE id > ${afterMessage}`)),
    ...(await queryDatabase(database, 'SELECT state AS text, NULL AS payload FROM conversations')),
  ];
  const found = new Set<string>();
  for (const row of rows) {
    const digits = `${String(row.text ?? '')} ${String(row.payload ?? '')}`.replace(/[ -]/g, '');
    for (const card of cards)
      if (digits.includes(card)) found.add(`${card.slice(0, 4)}…${card.slice(-4)} (${card.length} digits)`);
  }
  return [...found];
}

function printSummary(reports: EngineReport[], kill: KillReport[]): boolean {
  const rows: [string, (r: EngineReport) => string | number, boolean][] = [
    ['fuzz time (s)', (r) => r.seconds.toFixed(1), false],
    ['requests + socket frames', (r) => r.sent, false],
    ['  HTTP requests / socket frames', (r) => `${r.httpRequests} / ${r.wsFrames}`, false],
    [
      '5xx answers (client side)',
      (r) => r.serverErrors.filter((e) => typeof e.status === 'number' && e.status >= 500 && e.status < 600).length,
      true,
    ],
    ['5xx in the request log', (r) => r.logged5xx, true],
    ['  500 logged for a client that hung up mid-body', (r) => r.logged5xxAborted, false],
    [
      'socket 1011 / internal error frames',
      (r) => r.serverErrors.filter((e) => e.status === 1011 || e.status === 'error frame internal').length,
      true,
    ],
    ['timeouts (no answer in 30 s)', (r) => r.timeouts.length, true],
    ['server crashes', (r) => r.crashes.length, true],
    ['server hangs (no answer for 15 s)', (r) => r.hangs.length, true],
    ['unhandled rejections / uncaught', (r) => r.unhandled.length, true],
    [
      'write prompts shown / confirmed / declined',
      (r) => `${r.writer.prompts} / ${r.writer.confirmed} / ${r.writer.declined}`,
      false,
    ],
    [
      'writes confirmed (button / yes / reply lost)',
      (r) => `${r.writes.confirmedByButton} / ${r.writes.confirmedByYes} / ${r.writes.confirmedReplyLost}`,
      false,
    ],
    ['unconfirmed writes', (r) => r.writes.unconfirmed.length, true],
    ['lost writes (done, no row)', (r) => r.writes.lost.length, true],
    ['doubled writes', (r) => r.writes.doubled.length, true],
    ['secrets in logs', (r) => r.secrets.length, true],
    ['  demo PINs in the start-up banner (by design)', (r) => r.bannerSecrets, false],
    ['typed card numbers stored', (r) => r.cardsStored.length, true],
    ['429 answers (counted apart)', (r) => r.tooMany, false],
    ['error lines logged', (r) => Object.values(r.loggedErrors).reduce((a, b) => a + b, 0), false],
    ['graceful stop exit code', (r) => r.stopExit, false],
    ['harness errors', (r) => r.harnessErrors.length, true],
  ];
  let ok = true;
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  log('');
  log(`${'fault run'.padEnd(width)}${reports.map((r) => r.engine.padStart(22)).join('')}`);
  for (const [label, value, target] of rows) {
    const cells = reports.map((r) => {
      const v = value(r);
      const missed = target && Number(v) !== 0;
      if (missed) ok = false;
      return `${v}${missed ? ' ✘' : ''}`.padStart(22);
    });
    log(`${label.padEnd(width)}${cells.join('')}`);
  }
  for (const r of reports)
    if (r.stopExit !== '0') log(`note: the ${r.engine} server exited with ${r.stopExit} on SIGTERM`);
  if (kill.length > 0) {
    log('');
    log(`${'kill -9 during confirm'.padEnd(width)}${kill.map((k) => k.engine.padStart(22)).join('')}`);
    const killRows: [string, (k: KillReport) => string | number, boolean][] = [
      ['rounds', (k) => k.result?.rounds ?? k.error ?? '', false],
      ['performed on the retry', (k) => k.result?.performedOnRetry ?? '', false],
      ['reported done', (k) => k.result?.reportedDone ?? '', false],
      ['doubled', (k) => k.result?.doubled ?? (k.error ? 'error' : ''), true],
      ['wrong', (k) => k.result?.wrong ?? (k.error ? 'error' : ''), true],
    ];
    for (const [label, value, target] of killRows) {
      const cells = kill.map((k) => {
        const v = value(k);
        const missed = target && (k.error !== undefined || Number(v) !== 0);
        if (missed) ok = false;
        return `${v}${missed ? ' ✘' : ''}`.padStart(22);
      });
      log(`${label.padEnd(width)}${cells.join('')}`);
    }
  }
  log('');
  log(
    ok
      ? 'All targets met (0 5xx, 0 crashes, 0 lost or doubled writes, 0 secrets in logs).'
      : 'Targets missed: see ✘ above and the details file.',
  );
  return ok;
}

interface KillReport {
  engine: BenchEngine;
  result?: KillConfirmResult;
  error?: string;
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(OUT_DIR, { recursive: true });
  // Fresh per run, so finding them in a log means this run leaked them.
  const secrets: RunSecrets = {
    portalSessionSecret: `bench-portal-${randomBytes(24).toString('base64url')}`,
    fileUrlSecret: `bench-files-${randomBytes(24).toString('base64url')}`,
    slackSigningSecret: randomBytes(16).toString('hex'),
    slackBotToken: `xoxb-bench-${randomBytes(12).toString('hex')}`,
  };
  log(
    `fault benchmark: seed ${seed}, ${concurrency} workers, at most ${maxMessages} requests/frames and ${seconds} s per engine, ${killRounds} kill rounds per engine`,
  );
  log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
  const reports: EngineReport[] = [];
  for (const engine of engines as BenchEngine[]) reports.push(await fuzzEngine(engine, secrets, stamp));
  const kill: KillReport[] = [];
  if (killRounds > 0) {
    for (const engine of engines as BenchEngine[]) {
      log(`kill -9 during confirm on ${engine}: ${killRounds} rounds`);
      try {
        kill.push({
          engine,
          result: await runKillConfirmRounds({
            engine,
            rounds: killRounds,
            postgresUrl,
            log: (line) => log(`  ${line}`),
          }),
        });
      } catch (error) {
        kill.push({ engine, error: error instanceof Error ? error.message : String(error) });
        log(`  failed: ${String(error)}`);
      }
    }
  }
  const details = join(OUT_DIR, `faults-${stamp}.json`);
  writeFileSync(details, `${JSON.stringify({ seed, seconds, maxMessages, concurrency, reports, kill }, null, 2)}\n`);
  const ok = printSummary(reports, kill);
  for (const r of reports) {
    for (const e of r.serverErrors.slice(0, 5))
      log(
        `  ${r.engine} server error (${e.status}) on ${e.what}: ${e.input.slice(0, 200)} → ${e.answer.slice(0, 200)}`,
      );
    for (const h of r.hangs)
      log(
        `  ${r.engine} hang at ${h.at}; in flight (PDF transcripts, then the oldest):\n    ${[
          ...h.inFlight.filter((f) => f.includes('format=pdf')),
          ...h.inFlight.filter((f) => !f.includes('format=pdf')),
        ]
          .slice(0, 4)
          .map((f) => f.slice(0, 240))
          .join('\n    ')}`,
      );
    for (const c of r.crashes)
      log(`  ${r.engine} crash at ${c.at} (${c.code ?? c.signal}): ${c.stderrTail.slice(-600)}`);
    for (const u of r.unhandled.slice(0, 5)) log(`  ${r.engine} log line ${u.line}: ${u.text.slice(0, 300)}`);
    for (const w of r.writes.unconfirmed.slice(0, 5))
      log(`  ${r.engine} unconfirmed ${w.row.kind} ${w.row.key}: ${w.why}`);
    for (const w of r.writes.lost.slice(0, 5)) log(`  ${r.engine} lost ${w.kind} ${w.key}`);
    for (const d of r.writes.doubled.slice(0, 5))
      log(`  ${r.engine} doubled by confirm:${d.confirmId}: ${d.rows.map((x) => x.key).join(', ')}`);
    for (const s of r.secrets.slice(0, 5))
      log(`  ${r.engine} ${s.kind} (${s.label}) at log line ${s.line}: ${s.excerpt.slice(0, 240)}`);
    const errors = Object.entries(r.loggedErrors).sort(([, a], [, b]) => b - a);
    for (const [message, n] of errors.slice(0, 4)) log(`  ${r.engine} logged ${n}× error "${message}"`);
    for (const h of r.harnessErrors.slice(0, 3)) log(`  ${r.engine} harness error: ${h.slice(0, 300)}`);
  }
  log(`details: ${details}`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

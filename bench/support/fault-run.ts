// One engine's fault run: the real server as a child process, workers sending seeded hostile and realistic
// traffic through the web chat's HTTP API, its WebSocket and the Slack endpoint, and a record of every answer
// (5xx, network failures, socket close codes), crash, token handed out and write confirmed.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { signSlackRequest } from '../../adapters/slack/verify.js';
import { mintPortalSessionToken } from '../../adapters/webchat/portal-token.js';
import { DEMO_ACCOUNTS } from '../../fixtures/demo-data/catalogue.js';
import { type BenchDatabase, type BenchServer, type ServerExit, sleep, startBenchServer } from './bench-server.js';
import {
  bogusAction,
  fuzzText,
  malformedBody,
  Prng,
  REALISTIC_LINES,
  randomUnicode,
  wrongType,
} from './fuzz-inputs.js';
import { type HttpOutcome, type HttpRequest, nodeHttpCall as httpCall, rawHttp, Tally } from './http-client.js';
import type { WriteKind } from './write-audit.js';
import { writesReported } from './write-audit.js';

export interface RunSecrets {
  readonly portalSessionSecret: string;
  readonly fileUrlSecret: string;
  readonly slackSigningSecret: string;
  readonly slackBotToken: string;
}

export interface FaultRunOptions {
  readonly engine: 'sqlite' | 'postgres';
  readonly database: BenchDatabase;
  readonly logFile: string;
  readonly env: Record<string, string>;
  readonly secrets: RunSecrets;
  readonly seed: number;
  readonly concurrency: number;
  /** Requests and socket frames to send, at most. */
  readonly maxMessages: number;
  readonly seconds: number;
  /** Ask for PDF transcripts too (off leaves out a known way to block the server). */
  readonly pdfTranscripts: boolean;
  /** Where Slack payloads' response_url points (the Slack stand-in). */
  readonly slackHookUrl: string;
  readonly progress?: (line: string) => void;
}

export interface Finding {
  readonly what: string;
  readonly input: string;
  readonly status: number | string;
  readonly answer: string;
}

/** The server stopped answering (its event loop blocked): killed and restarted by the watchdog. */
export interface Hang {
  readonly at: string;
  /** The requests in flight when it stopped answering, the oldest first: one of them blocked it. */
  readonly inFlight: string[];
}

export interface Crash {
  readonly at: string;
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  /** What the workers had just sent (the last few inputs), to reproduce it. */
  readonly lastInputs: string[];
}

interface Session {
  token: string;
  readonly label: string;
  /** Confirmation ids this session's conversation was shown. */
  readonly offered: Set<string>;
  /** Button values of its last reply, to press again later. */
  buttons: string[];
  /** File links it was sent. */
  files: string[];
  lastSeq: number;
}

interface Button {
  readonly label: string;
  readonly value: string;
}

interface WireLike {
  direction?: string;
  author?: string;
  text?: string;
  seq?: number;
  cards?: { actions?: Button[] }[];
  quickReplies?: Button[];
  files?: { url?: string }[];
}

type Op =
  | 'message'
  | 'action'
  | 'malformed'
  | 'signIn'
  | 'session'
  | 'get'
  | 'raw'
  | 'ws'
  | 'writer'
  | 'flood'
  | 'slack'
  | 'signOut';

const OP_WEIGHTS: Record<Op, number> = {
  message: 26,
  action: 9,
  malformed: 9,
  signIn: 6,
  session: 4,
  get: 8,
  raw: 3,
  ws: 10,
  writer: 16,
  flood: 0.4,
  slack: 4,
  signOut: 1,
};

/** Writers' accounts: the wrong-PIN fuzz never touches them, so the lockout cannot stop a writer signing in. */
const WRITER_PIN_ACCOUNTS = ['5000001', '1002345'];
const WRITER_PORTAL_USERS = ['admin@northwind.example', 'admin@acme.example'];
const POOL_PORTAL_USERS = [
  'admin@northwind.example',
  'ap@northwind.example',
  'tech@northwind.example',
  'admin@acme.example',
];
const FIRST_NAMES = [
  'Aisha',
  'Ben',
  'Chloé',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Luca',
  'Maya',
  'Nils',
  'Olga',
  'Pavel',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
];
const LAST_NAMES = [
  'Abara',
  'Bergstrom',
  'Castillo',
  'Dubois',
  'Eriksen',
  'Fontaine',
  'Gallagher',
  'Haddad',
  'Ivanova',
  'Jaworski',
  'Kowalczyk',
  'Lindqvist',
  'Moreau',
  'Nakamura',
  'Okonkwo',
  'Petrov',
  'Quintana',
  'Rahman',
  'Sorensen',
  'Tremblay',
];
const PROBLEMS = [
  'our phones in the Toronto office have no dial tone since this morning',
  'the internet at the warehouse keeps dropping every few minutes',
  'voicemail is not working for the sales team',
  'calls to our toll free number go to a busy signal',
  'the fax line has static and drops calls',
];
const REASONS = [
  'the whole office cannot work and we have been waiting three days',
  'customers cannot reach us at all since Monday',
];
/** What a writer types on purpose to say yes to a waiting confirmation. */
export const YES_TEXTS = new Set(['yes']);

export class FaultRun {
  readonly statuses = new Tally();
  readonly byOp = new Map<Op, Tally>();
  readonly failures = new Tally();
  readonly wsCloses = new Tally();
  readonly serverErrors: Finding[] = [];
  readonly timeouts: Finding[] = [];
  readonly crashes: Crash[] = [];
  readonly hangs: Hang[] = [];
  readonly harnessErrors: string[] = [];
  /** Tokens handed out or made (session, portal), for the log scan. */
  readonly tokens = new Set<string>();
  /** PINs typed or sent that are long enough to find in a log without false alarms (6–8 digits). */
  readonly pinsSent = new Set<string>();
  /** Card numbers typed into messages, digits only. */
  readonly cardsTyped = new Set<string>();
  readonly writer = {
    flows: 0,
    prompts: 0,
    /** Prompts answered with Confirm (once or twice at once) or "yes". */
    confirmed: 0,
    confirmPresses: 0,
    doublePresses: 0,
    yesSaid: 0,
    declined: 0,
    replays: 0,
    reportedDone: [] as { kind: WriteKind; key: string }[],
    lostReplies: { payment: 0, ticket: 0, contact: 0, escalation: 0 } as Record<WriteKind, number>,
  };
  sent = 0;
  httpRequests = 0;
  wsFrames = 0;
  tooMany = 0;
  wsInternalErrors = 0;
  startedAt = 0;
  finishedAt = 0;
  stopExit: ServerExit | null = null;

  private server!: BenchServer;
  private ready: Promise<void> = Promise.resolve();
  private finished = false;
  private readonly seenConfirmIds: string[] = [];
  private readonly recentInputs: string[] = [];
  private readonly inFlight = new Map<number, { input: string; since: number }>();
  private nextFlight = 0;
  /** Set while the watchdog kills a hung server, so its exit is a hang and not a crash. */
  private killingHung = false;
  private readonly pool: Session[] = [];
  private readonly usedNames = new Set<string>();
  private slackSeq = 0;

  constructor(readonly options: FaultRunOptions) {}

  get base(): string {
    return this.server.base;
  }

  async start(): Promise<void> {
    this.server = await startBenchServer({
      databaseUrl: this.options.database.url,
      logFile: this.options.logFile,
      env: this.options.env,
    });
    this.watch(this.server);
  }

  private watch(server: BenchServer): void {
    void server.exited.then((exit) => {
      if (exit.expected || this.finished) return;
      const hung = this.killingHung;
      this.killingHung = false;
      if (!hung)
        this.crashes.push({
          at: new Date(exit.at).toISOString(),
          code: exit.code,
          signal: exit.signal,
          stderrTail: server.stderrTail().slice(-3000),
          lastInputs: this.recentInputs.slice(-12),
        });
      this.options.progress?.(
        hung
          ? '  !! the server stopped answering and was killed; restarting it on the same database'
          : `  !! the server exited (${exit.code ?? exit.signal}); restarting it on the same database`,
      );
      this.ready = (async () => {
        try {
          this.server = await startBenchServer({
            databaseUrl: this.options.database.url,
            logFile: this.options.logFile,
            env: this.options.env,
            port: server.port,
          });
          this.watch(this.server);
        } catch (error) {
          this.harnessErrors.push(`restart after a crash failed: ${String(error)}`);
          this.finished = true;
        }
      })();
    });
  }

  /** Runs the workers until the time or message budget is spent, then stops the server gracefully. */
  async run(): Promise<void> {
    this.startedAt = Date.now();
    const deadline = this.startedAt + this.options.seconds * 1000;
    const root = new Prng(this.options.seed);
    let lastReport = Date.now();
    const workers = Array.from({ length: this.options.concurrency }, async (_, index) => {
      const rng = root.fork(`worker-${index}`);
      const writerSessions = new Map<string, Session>();
      while (!this.finished && Date.now() < deadline && this.sent < this.options.maxMessages) {
        await this.ready;
        if (this.finished) break;
        const op = rng.weighted(OP_WEIGHTS);
        try {
          await this.perform(op, rng, writerSessions);
        } catch (error) {
          this.harnessErrors.push(
            `${op}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`.slice(0, 600),
          );
        }
        if (index === 0 && Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          this.options.progress?.(
            `  ${Math.round((Date.now() - this.startedAt) / 1000)} s: ${this.sent} sent, 5xx ${this.serverErrors.length}, crashes ${this.crashes.length}`,
          );
        }
      }
    });
    const watchdog = this.watchdog();
    await Promise.all(workers);
    this.finishedAt = Date.now();
    await this.ready;
    // The service must still answer, and stop cleanly.
    const health = await httpCall(this.server.base, '/healthz', { timeoutMs: 10_000 });
    this.count('get', health, 'GET /healthz after the run');
    this.finished = true;
    await watchdog;
    this.stopExit = await this.server.stop();
  }

  /**
   * Asks /healthz every 2 s; when it has not answered for about 15 s while the process lives, the event loop
   * is blocked: the hang is recorded with the requests in flight, and the server is killed and restarted.
   */
  private async watchdog(): Promise<void> {
    let silentSince: number | null = null;
    while (!this.finished) {
      await sleep(2000);
      if (this.finished) break;
      const server = this.server;
      if (server.exit) {
        silentSince = null;
        continue;
      }
      const outcome = await httpCall(server.base, '/healthz', { timeoutMs: 5000 });
      if (outcome.status !== 0 || server.exit) {
        silentSince = null;
        continue;
      }
      silentSince ??= Date.now() - 5000;
      if (Date.now() - silentSince < 15_000 || this.finished) continue;
      const inFlight = [...this.inFlight.values()]
        .sort((a, b) => a.since - b.since)
        .slice(0, 40)
        .map((f) => `${Math.round((Date.now() - f.since) / 1000)} s: ${f.input}`);
      this.hangs.push({ at: new Date().toISOString(), inFlight });
      this.killingHung = true;
      server.child.kill('SIGKILL');
      silentSince = null;
      await server.exited;
    }
  }

  private async perform(op: Op, rng: Prng, writers: Map<string, Session>): Promise<void> {
    switch (op) {
      case 'message':
        return this.opMessage(rng);
      case 'action':
        return this.opAction(rng);
      case 'malformed':
        return this.opMalformed(rng);
      case 'signIn':
        return this.opSignIn(rng);
      case 'session':
        return this.opSession(rng);
      case 'get':
        return this.opGet(rng);
      case 'raw':
        return this.opRaw(rng);
      case 'ws':
        return this.opWebSocket(rng);
      case 'writer':
        return this.opWriter(rng, writers);
      case 'flood':
        return this.opFlood(rng);
      case 'slack':
        return this.opSlack(rng);
      case 'signOut':
        return this.opSignOut(rng);
    }
  }

  // ---- recording -------------------------------------------------------------------------------

  private remember(input: string): void {
    this.recentInputs.push(input.slice(0, 300));
    if (this.recentInputs.length > 50) this.recentInputs.splice(0, this.recentInputs.length - 50);
  }

  private tally(op: Op): Tally {
    let tally = this.byOp.get(op);
    if (!tally) {
      tally = new Tally();
      this.byOp.set(op, tally);
    }
    return tally;
  }

  /** Records an HTTP answer: its status, a 5xx or a timeout as a finding, tokens it handed out. */
  private count(op: Op, outcome: HttpOutcome, input: string): void {
    const label = outcome.status === 0 ? (outcome.failure ?? 'no answer') : outcome.status;
    this.statuses.add(label);
    this.tally(op).add(label);
    if (outcome.status === 429) this.tooMany += 1;
    if (outcome.status >= 500)
      this.serverErrors.push({
        what: op,
        input: input.slice(0, 500),
        status: outcome.status,
        answer: outcome.text.slice(0, 500),
      });
    if (outcome.status === 0) {
      this.failures.add(outcome.failure ?? 'no answer');
      if (outcome.failure === 'timeout')
        this.timeouts.push({ what: op, input: input.slice(0, 500), status: 'timeout', answer: '' });
    }
    const token = (outcome.json as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string') this.tokens.add(token);
  }

  private async call(op: Op, path: string, request: HttpRequest, input: string): Promise<HttpOutcome> {
    this.sent += 1;
    this.httpRequests += 1;
    this.remember(
      `${op} ${request.method ?? (request.json !== undefined || request.body !== undefined ? 'POST' : 'GET')} ${path} ${input}`,
    );
    const flight = this.nextFlight++;
    this.inFlight.set(flight, { input: `${op} ${path} ${input}`.slice(0, 400), since: Date.now() });
    try {
      const outcome = await httpCall(this.server.base, path, { timeoutMs: 30_000, ...request });
      this.count(op, outcome, `${request.method ?? ''} ${path} ${input}`.trim());
      return outcome;
    } finally {
      this.inFlight.delete(flight);
    }
  }

  /** Reads a turn's messages: confirmation ids offered, buttons, files and writes reported. */
  private absorb(session: Session, outcome: HttpOutcome): WireLike[] {
    const messages = ((outcome.json as { messages?: WireLike[] } | undefined)?.messages ?? []).filter(
      (m) => typeof m === 'object' && m !== null,
    );
    const buttons: string[] = [];
    for (const m of messages) {
      if (typeof m.seq === 'number') session.lastSeq = Math.max(session.lastSeq, m.seq);
      if (m.direction !== 'out') continue;
      for (const b of buttonsOf(m)) {
        buttons.push(b.value);
        const confirm = /^confirm:(.+)$/.exec(b.value);
        if (confirm?.[1]) {
          session.offered.add(confirm[1]);
          this.seenConfirmIds.push(confirm[1]);
        }
      }
      for (const f of m.files ?? []) if (typeof f.url === 'string') session.files.push(f.url);
      this.writer.reportedDone.push(...writesReported(m.text ?? ''));
    }
    if (buttons.length > 0) session.buttons = buttons;
    if (session.files.length > 20) session.files.splice(0, session.files.length - 20);
    if (this.seenConfirmIds.length > 500) this.seenConfirmIds.splice(0, this.seenConfirmIds.length - 500);
    return messages;
  }

  // ---- sessions ----------------------------------------------------------------------------------

  private portalToken(email: string, expInSeconds = 600): string {
    const token = mintPortalSessionToken(this.options.secrets.portalSessionSecret, {
      email,
      exp: Math.floor(Date.now() / 1000) + expInSeconds,
    });
    this.tokens.add(token);
    for (const part of token.split('.')) this.tokens.add(part);
    return token;
  }

  private async newSession(label: string, op: Op = 'session'): Promise<Session | null> {
    let outcome: HttpOutcome;
    if (label.startsWith('portal:')) {
      outcome = await this.call(
        op,
        '/chat/sessions',
        { json: { portalToken: this.portalToken(label.slice('portal:'.length)) } },
        `start signed in as ${label}`,
      );
    } else {
      outcome = await this.call(op, '/chat/sessions', { json: {} }, 'start');
    }
    const token = (outcome.json as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string') return null;
    const session: Session = { token, label, offered: new Set(), buttons: [], files: [], lastSeq: 0 };
    if (label.startsWith('pin:')) {
      const account = label.slice('pin:'.length);
      const pin = DEMO_ACCOUNTS.find((a) => a.number === account)?.pin ?? '0000';
      const signedIn = await this.call(
        op,
        '/chat/sign-in',
        { token, json: { accountNumber: account, pin } },
        `sign in with ${account} and its PIN`,
      );
      const rotated = (signedIn.json as { token?: unknown } | undefined)?.token;
      if (typeof rotated !== 'string') return null;
      session.token = rotated;
    }
    return session;
  }

  /** A session from the shared pool (anonymous, PIN or portal), made on first use and replaced when it ends. */
  private async pooled(rng: Prng): Promise<Session | null> {
    if (this.pool.length < 24 || rng.chance(0.02)) {
      const label = rng.pick([
        'anonymous',
        'anonymous',
        `pin:${rng.pick(WRITER_PIN_ACCOUNTS)}`,
        `portal:${rng.pick(POOL_PORTAL_USERS)}`,
      ]);
      const session = await this.newSession(label);
      if (session) {
        if (this.pool.length >= 24) this.pool.splice(rng.int(this.pool.length), 1);
        this.pool.push(session);
      }
      return session;
    }
    return rng.pick(this.pool);
  }

  private retire(session: Session): void {
    const at = this.pool.indexOf(session);
    if (at >= 0) this.pool.splice(at, 1);
  }

  private async send(
    op: Op,
    session: Session,
    body: { text?: string; action?: string; timeZone?: string },
    note = '',
  ): Promise<HttpOutcome> {
    const outcome = await this.call(
      op,
      '/chat/messages',
      { token: session.token, json: body },
      `${session.label} ${JSON.stringify(body).slice(0, 400)} ${note}`.trim(),
    );
    if (outcome.status === 401) this.retire(session);
    if (outcome.status === 200) this.absorb(session, outcome);
    return outcome;
  }

  // ---- operations --------------------------------------------------------------------------------

  private pinsForScan(): string[] {
    return DEMO_ACCOUNTS.map((a) => a.pin);
  }

  private async opMessage(rng: Prng): Promise<void> {
    const session = await this.pooled(rng);
    if (!session) return;
    const fuzz = fuzzText(rng, this.pinsForScan());
    if (fuzz.card) this.cardsTyped.add(fuzz.card.replace(/\D/g, ''));
    const body: { text: string; timeZone?: string } = { text: fuzz.text };
    if (rng.chance(0.15))
      body.timeZone = rng.pick(['America/Vancouver', 'Europe/Paris', 'Mars/Base', randomUnicode(rng, 8), '']);
    await this.send('message', session, body, `[${fuzz.kind}]`);
  }

  private async opAction(rng: Prng): Promise<void> {
    const session = await this.pooled(rng);
    if (!session) return;
    // A real button from an earlier reply (pressed late, or twice), or one no reply ever offered.
    const action =
      session.buttons.length > 0 && rng.chance(0.35)
        ? rng.pick(session.buttons)
        : bogusAction(rng, this.seenConfirmIds);
    await this.send('action', session, { action });
  }

  private async opMalformed(rng: Prng): Promise<void> {
    const session = rng.chance(0.85) ? await this.pooled(rng) : null;
    const bad = malformedBody(rng);
    const path = rng.chance(0.85) ? '/chat/messages' : rng.pick(['/chat/sign-in', '/chat/sessions']);
    await this.call(
      'malformed',
      path,
      {
        ...(session ? { token: session.token } : {}),
        body: bad.body,
        contentType: bad.contentType ?? 'application/json',
      },
      `[${bad.label}]`,
    );
  }

  private async opSignIn(rng: Prng): Promise<void> {
    const session = await this.newSession('anonymous', 'signIn');
    if (!session) return;
    const others = DEMO_ACCOUNTS.filter((a) => !WRITER_PIN_ACCOUNTS.includes(a.number));
    const account = rng.pick(others);
    const wrongPin = () => {
      const length = rng.pick([4, 4, 6, 8]);
      let pin = '';
      for (let i = 0; i < length; i++) pin += String(rng.int(10));
      if (pin === account.pin) pin = `${pin}9`;
      if (pin.length >= 6) this.pinsSent.add(pin);
      return pin;
    };
    const expired = mintPortalSessionToken(this.options.secrets.portalSessionSecret, {
      email: 'admin@northwind.example',
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    const forged = mintPortalSessionToken('not-the-portal-secret-0123456789abcdef', {
      email: 'admin@northwind.example',
      exp: Math.floor(Date.now() / 1000) + 300,
    });
    this.tokens.add(expired);
    const bodies: unknown[] = [
      { accountNumber: account.number, pin: wrongPin() },
      { accountNumber: account.number, pin: wrongPin() },
      { accountNumber: account.number, pin: account.pin },
      {
        accountNumber: rng.pick([
          '0',
          '9999999',
          '5000001 ',
          ' 5000001',
          "5000001' OR '1'='1",
          '5000001\u0000',
          '٥٠٠٠٠٠١',
          'x'.repeat(40),
          'x'.repeat(41),
        ]),
        pin: wrongPin(),
      },
      {
        accountNumber: account.number,
        pin: rng.pick(['', ' ', '\u0000\u0000\u0000\u0000', '२४६८', 'x'.repeat(41), "' OR 1=1 --"]),
      },
      { accountNumber: account.number },
      { pin: wrongPin() },
      { accountNumber: wrongType(rng), pin: wrongType(rng) },
      { accountNumber: account.number, pin: wrongPin(), extra: true },
      { portalToken: expired },
      { portalToken: forged },
      { portalToken: this.portalToken('nobody@nowhere.example') },
      { portalToken: this.portalToken('admin@northwind.example', 7 * 86_400) },
      {
        portalToken: `${Buffer.from(JSON.stringify({ email: 'admin@northwind.example\u0000', exp: 9e15 })).toString('base64url')}.x`,
      },
      { portalToken: rng.pick(['', '.', 'a.b.c', 'x'.repeat(2048), 'x'.repeat(2049), randomUnicode(rng, 30)]) },
      { portalToken: wrongType(rng) },
    ];
    const body = rng.pick(bodies);
    const outcome = await this.call(
      'signIn',
      '/chat/sign-in',
      { token: session.token, json: body },
      JSON.stringify(body).slice(0, 300),
    );
    if (outcome.status === 200) {
      // Signed in (the right PIN, before the lockout): the new token must work, the old one not.
      const fresh = (outcome.json as { token?: string }).token ?? '';
      await this.call('signIn', '/chat/messages?after=0', { token: session.token }, 'the token before sign-in');
      await this.call('signIn', '/chat/messages?after=0', { token: fresh }, 'the token after sign-in');
    }
  }

  private async opSession(rng: Prng): Promise<void> {
    const other = this.pool.length > 0 ? rng.pick(this.pool) : undefined;
    const cases: (() => HttpRequest & { note: string })[] = [
      () => ({ json: {}, note: 'start' }),
      () => ({ body: '', note: 'empty body' }),
      () => ({
        json: { portalToken: this.portalToken(rng.pick(POOL_PORTAL_USERS)) },
        note: 'start with a portal token',
      }),
      () => ({ json: { portalToken: 'a.b' }, note: 'bad portal token' }),
      () => ({ json: { portalToken: wrongType(rng) }, note: 'portal token of the wrong type' }),
      () => ({ json: { extra: 1 }, note: 'unknown field' }),
      () => ({ json: {}, token: other?.token ?? 'x', note: 'resume a live session' }),
      () => ({
        json: { portalToken: this.portalToken('admin@acme.example') },
        token: other?.token ?? 'x',
        note: 'resume with another person',
      }),
      () => ({ json: {}, token: randomBytes(32).toString('base64url'), note: 'unknown bearer' }),
      () => ({
        json: {},
        headers: {
          authorization: rng.pick([
            'Bearer',
            'Bearer  ',
            'Basic dXNlcjpwYXNz',
            `Bearer ${'a'.repeat(8000)}`,
            'Bearer a b',
            'bearer x',
          ]),
        },
        note: 'odd Authorization',
      }),
    ];
    const { note, ...request } = rng.pick(cases)();
    await this.call('session', '/chat/sessions', request, note);
  }

  private async opSignOut(rng: Prng): Promise<void> {
    const session = await this.pooled(rng);
    if (!session) return;
    this.retire(session);
    await this.call('signOut', '/chat/sign-out', { token: session.token, method: 'POST' }, session.label);
    await this.call(
      'signOut',
      '/chat/messages',
      { token: session.token, json: { text: 'still there?' } },
      'a message after sign-out',
    );
  }

  private async opGet(rng: Prng): Promise<void> {
    const session = await this.pooled(rng);
    const token = session?.token;
    const cases: (() => Promise<unknown>)[] = [
      () =>
        this.call(
          'get',
          `/chat/messages?after=${rng.pick(['0', '-1', '1e3', '999999999999', '9999999999999', 'abc', '%00', '', '1.5', String(session?.lastSeq ?? 0)])}`,
          { ...(token ? { token } : {}) },
          'read messages',
        ),
      () =>
        this.call(
          'get',
          `/chat/transcript?format=${rng.pick(this.options.pdfTranscripts ? ['text', 'pdf', 'pdf', 'csv', ''] : ['text', 'text', 'csv', ''])}&timeZone=${encodeURIComponent(rng.pick(['America/Toronto', 'Asia/Kolkata', 'Mars/Base', '../../etc', randomUnicode(rng, 5)]))}`,
          { ...(token ? { token } : {}), timeoutMs: 60_000 },
          'transcript',
        ),
      async () => {
        const link = session?.files.length ? rng.pick(session.files) : undefined;
        if (link && rng.chance(0.7)) {
          const url = new URL(link, this.server.base);
          const tampered = rng.chance(0.3) ? url.search.replace(/sig=([^&]+)/, 'sig=AAAA') : url.search;
          const holder = rng.chance(0.2) && this.pool.length > 0 ? rng.pick(this.pool).token : token;
          return this.call(
            'get',
            `${url.pathname}${tampered}`,
            { ...(holder ? { token: holder } : {}) },
            'a file link',
          );
        }
        return this.call(
          'get',
          `/chat/files/${encodeURIComponent(rng.pick(['x', '1', '../../etc/passwd', randomUnicode(rng, 6), 'a'.repeat(300)]))}?exp=${rng.pick(['1', '99999999999999', 'x'])}&sig=abc`,
          { ...(token ? { token } : {}) },
          'a made-up file',
        );
      },
      () => this.sse(token, rng),
      () => this.call('get', rng.pick(['/healthz', '/openapi.json', '/widget.js', '/']), {}, 'service pages'),
      () =>
        this.call(
          'get',
          rng.pick([
            '/nope',
            '/chat',
            '/chat/',
            '/chat/messages/../sessions',
            '/chat/%00',
            '/%ff%fe',
            `/${'a'.repeat(8000)}`,
            '/chat/ws',
            '/slack/events',
            '/.env',
            '/chat/files/',
          ]),
          { ...(token ? { token } : {}) },
          'odd path',
        ),
      () =>
        this.call(
          'get',
          '/chat/messages',
          { method: rng.pick(['PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']), ...(token ? { token } : {}) },
          'odd method',
        ),
      () =>
        this.call(
          'get',
          '/chat/messages',
          {
            method: 'OPTIONS',
            headers: {
              origin: rng.pick(['https://evil.example', 'null', this.server.base, 'http://127.0.0.1:1']),
              'access-control-request-method': 'POST',
            },
          },
          'CORS preflight',
        ),
    ];
    await rng.pick(cases)();
  }

  /** Opens the event stream, reads its first event (or not), and hangs up. */
  private async sse(token: string | undefined, rng: Prng): Promise<void> {
    this.sent += 1;
    this.httpRequests += 1;
    const controller = new AbortController();
    const started = performance.now();
    try {
      const response = await fetch(`${this.server.base}/chat/events?after=${rng.pick(['0', '1', 'x'])}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: controller.signal,
      });
      this.count(
        'get',
        { status: response.status, ms: performance.now() - started, json: undefined, text: '' },
        'event stream',
      );
      if (response.body && rng.chance(0.7)) {
        const reader = response.body.getReader();
        await Promise.race([reader.read(), sleep(1500)]);
      }
    } catch (error) {
      this.count(
        'get',
        { status: 0, ms: 0, json: undefined, text: '', failure: String((error as Error).name) },
        'event stream',
      );
    } finally {
      controller.abort();
    }
  }

  private async opRaw(rng: Prng): Promise<void> {
    const session = await this.pooled(rng);
    const auth = session ? `Authorization: Bearer ${session.token}\r\n` : '';
    const host = `Host: 127.0.0.1:${this.server.port}\r\n`;
    const cases: { note: string; chunks: (string | Buffer)[]; endAfter?: boolean }[] = [
      {
        note: 'body shorter than Content-Length, then hang up',
        chunks: [
          `POST /chat/messages HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"text":"bal`,
        ],
        endAfter: true,
      },
      { note: 'headers over 16 KB', chunks: [`GET /healthz HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`] },
      {
        note: 'Content-Length and Transfer-Encoding both',
        chunks: [
          `POST /chat/messages HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        ],
      },
      {
        note: 'a bad chunk size',
        chunks: [
          `POST /chat/messages HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
        ],
      },
      { note: 'not HTTP', chunks: ['GARBAGE\r\n\r\n'] },
      {
        note: 'raw UTF-8 in the Authorization header',
        chunks: [Buffer.from(`GET /chat/messages HTTP/1.1\r\n${host}Authorization: Bearer é😀\r\n\r\n`, 'utf8')],
      },
      { note: 'NUL in a header', chunks: [`GET /chat/messages HTTP/1.1\r\n${host}X-A: a\u0000b\r\n\r\n`] },
      { note: 'HTTP/1.0 without Host', chunks: ['GET /healthz HTTP/1.0\r\n\r\n'] },
      {
        note: 'a huge Content-Length',
        chunks: [
          `POST /chat/messages HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{"text":"hi"}`,
        ],
        endAfter: true,
      },
      {
        note: 'a chunked body over 16 KB',
        chunks: [
          `POST /chat/messages HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n4e20\r\n{"text":"${'a'.repeat(19_988)}"}\r\n0\r\n\r\n`,
        ],
      },
      { note: 'a request line over 64 KB', chunks: [`GET /${'a'.repeat(70_000)} HTTP/1.1\r\n${host}\r\n`] },
      {
        note: 'a WebSocket upgrade with a bad key',
        chunks: [
          `GET /chat/ws HTTP/1.1\r\n${host}Origin: ${this.server.base}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n`,
        ],
      },
      {
        note: 'a WebSocket upgrade with an unknown version',
        chunks: [
          `GET /chat/ws HTTP/1.1\r\n${host}Origin: ${this.server.base}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        ],
      },
    ];
    const chosen = rng.pick(cases);
    this.sent += 1;
    this.httpRequests += 1;
    this.remember(`raw ${chosen.note}`);
    const outcome = await rawHttp(this.server.port, chosen.chunks, {
      timeoutMs: 3000,
      ...(chosen.endAfter ? { endAfter: true } : {}),
    });
    const label = outcome.status || `raw:${outcome.failure ?? 'no answer'}`;
    this.statuses.add(label);
    this.tally('raw').add(label);
    if (outcome.status >= 500)
      this.serverErrors.push({ what: 'raw', input: chosen.note, status: outcome.status, answer: '' });
  }

  private async opFlood(rng: Prng): Promise<void> {
    const session = await this.newSession(
      rng.chance(0.5) ? 'anonymous' : `pin:${rng.pick(WRITER_PIN_ACCOUNTS)}`,
      'flood',
    );
    if (!session) return;
    await Promise.all(
      Array.from({ length: 75 }, () => this.send('flood', session, { text: rng.pick(REALISTIC_LINES) }, 'flood')),
    );
  }

  // ---- the WebSocket -------------------------------------------------------------------------------

  private async opWebSocket(rng: Prng): Promise<void> {
    const session = await this.pooled(rng);
    if (!session) return;
    const mode = rng.weighted({
      normal: 8,
      abrupt: 2,
      noOrigin: 1,
      badOrigin: 1,
      silent: 1,
      badHello: 1,
      garbage: 1,
      binary: 1,
      huge: 1,
      invalidUtf8: 1,
      twice: 1,
    });
    const origin = mode === 'noOrigin' ? undefined : mode === 'badOrigin' ? 'https://evil.example' : this.server.base;
    this.remember(`ws ${mode} ${session.label}`);
    const ws = new WebSocket(
      `${this.server.base.replace(/^http/, 'ws')}/chat/ws`,
      origin ? { headers: { Origin: origin } } : {},
    );
    const frames: Record<string, unknown>[] = [];
    let closed: { code: number; reason: string } | null = null;
    let refused: number | null = null;
    const done = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        try {
          frames.push(JSON.parse(String(data)) as Record<string, unknown>);
        } catch {
          frames.push({ type: 'unparseable' });
        }
      });
      ws.on('close', (code, reason) => {
        closed = { code, reason: String(reason) };
        resolve();
      });
      ws.on('unexpected-response', (_request, response) => {
        refused = response.statusCode ?? 0;
        response.resume();
        resolve();
      });
      ws.on('error', () => resolve());
    });
    const opened = await Promise.race([
      new Promise<boolean>((resolve) => ws.once('open', () => resolve(true))),
      done.then(() => false),
      sleep(5000).then(() => false),
    ]);
    this.sent += 1;
    this.wsFrames += 1;
    if (!opened) {
      const label = refused !== null ? `ws-refused:${refused}` : 'ws-no-open';
      this.statuses.add(label);
      this.tally('ws').add(label);
      if (refused !== null && refused >= 500)
        this.serverErrors.push({ what: 'ws', input: `upgrade (${mode})`, status: refused, answer: '' });
      ws.terminate();
      return;
    }
    const frame = (value: unknown, label: string) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      this.sent += 1;
      this.wsFrames += 1;
      this.remember(`ws ${label} ${typeof value === 'string' ? value.slice(0, 200) : ''}`);
      if (value instanceof Uint8Array) ws.send(value, { binary: label === 'binary' });
      else ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    };
    const waitFor = async (predicate: () => boolean, ms: number) => {
      const until = Date.now() + ms;
      while (!predicate() && !closed && Date.now() < until) await sleep(20);
    };
    if (mode === 'silent') {
      await sleep(rng.range(50, 600));
    } else if (mode === 'badHello') {
      frame(
        { type: 'hello', token: rng.pick(['', 'x', randomBytes(32).toString('base64url'), 'x'.repeat(257)]) },
        'hello with a bad token',
      );
      await waitFor(() => false, 1500);
    } else if (mode === 'garbage') {
      frame(
        rng.pick(['not json', '{', '[]', 'null', '{"type":"nope"}', JSON.stringify({ type: 'message', text: 'hi' })]),
        'garbage first',
      );
      await waitFor(() => false, 1500);
    } else {
      frame(
        { type: 'hello', token: session.token, after: rng.chance(0.5) ? session.lastSeq : rng.pick([0, 1, 2 ** 31]) },
        'hello',
      );
      await waitFor(() => frames.some((f) => f.type === 'ready'), 4000);
      const count = rng.range(1, 4);
      let expectTurns = 0;
      for (let i = 0; i < count; i++) {
        if (mode === 'binary') frame(new Uint8Array([1, 2, 3, 255]), 'binary');
        else if (mode === 'huge')
          frame(JSON.stringify({ type: 'message', text: 'a'.repeat(rng.pick([5000, 70_000])) }), 'a huge frame');
        else if (mode === 'invalidUtf8')
          frame(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid UTF-8 text frame');
        else if (mode === 'twice') frame({ type: 'hello', token: session.token }, 'hello again');
        else {
          const roll = rng.int(10);
          if (roll < 6) {
            const fuzz = fuzzText(rng, this.pinsForScan());
            if (fuzz.card) this.cardsTyped.add(fuzz.card.replace(/\D/g, ''));
            frame(
              { type: 'message', text: fuzz.text, ...(rng.chance(0.1) ? { timeZone: randomUnicode(rng, 4) } : {}) },
              `message [${fuzz.kind}]`,
            );
            expectTurns += 1;
          } else if (roll < 8) {
            frame({ type: 'action', value: bogusAction(rng, this.seenConfirmIds) }, 'action');
            expectTurns += 1;
          } else if (roll < 9) frame({ type: 'ping' }, 'ping');
          else
            frame(
              rng.pick([
                '{"type":"message"}',
                '{"type":"message","text":5}',
                '{"type":"action","value":""}',
                JSON.stringify({ type: 'message', text: 'x', extra: 1 }),
              ]),
              'malformed frame',
            );
        }
      }
      if (mode === 'abrupt') {
        // Hang up in the middle of a turn: the server must finish it and carry on.
        await sleep(rng.range(0, 150));
        ws.terminate();
      } else {
        const botAnswers = () =>
          frames.filter((f) => f.type === 'message' && (f.message as WireLike | undefined)?.direction === 'out').length;
        await waitFor(() => expectTurns === 0 || botAnswers() >= expectTurns, expectTurns === 0 ? 300 : 8000);
      }
    }
    for (const f of frames) {
      if (f.type === 'error' && f.code === 'internal') {
        this.wsInternalErrors += 1;
        this.serverErrors.push({
          what: 'ws',
          input: `${mode}: ${this.recentInputs.slice(-3).join(' | ')}`,
          status: 'error frame internal',
          answer: JSON.stringify(f).slice(0, 300),
        });
      }
      if (f.type === 'error' && f.code === 'rate_limited') this.tooMany += 1;
      if (f.type === 'message') {
        const message = f.message as WireLike | undefined;
        if (message && typeof message.seq === 'number') session.lastSeq = Math.max(session.lastSeq, message.seq);
        if (message?.direction === 'out') {
          this.writer.reportedDone.push(...writesReported(message.text ?? ''));
          for (const b of buttonsOf(message)) {
            const confirm = /^confirm:(.+)$/.exec(b.value);
            if (confirm?.[1]) session.offered.add(confirm[1]);
          }
        }
      }
    }
    if (!closed && ws.readyState === WebSocket.OPEN) ws.close(1000, 'bye');
    await Promise.race([done, sleep(2000)]);
    const final = closed as { code: number; reason: string } | null;
    const label = `ws-close:${final ? final.code : 'none'}`;
    this.wsCloses.add(final ? final.code : 'none');
    this.statuses.add(label);
    this.tally('ws').add(label);
    if (final?.code === 1011)
      this.serverErrors.push({
        what: 'ws',
        input: `${mode}: ${this.recentInputs.slice(-3).join(' | ')}`,
        status: 1011,
        answer: final.reason,
      });
    ws.terminate();
  }

  // ---- Slack ---------------------------------------------------------------------------------------

  private async opSlack(rng: Prng): Promise<void> {
    const secret = this.options.secrets.slackSigningSecret;
    const now = Math.floor(Date.now() / 1000);
    const event = (text: string, user: string) => ({
      token: 'legacy',
      team_id: 'T0DEMO',
      api_app_id: 'A0BENCH',
      type: 'event_callback',
      event_id: `Ev0BENCH${++this.slackSeq}${rng.int(1e6)}`,
      event_time: now,
      event: {
        type: 'message',
        channel: 'D0BENCHDM',
        channel_type: 'im',
        user,
        text,
        ts: `${now}.${String(this.slackSeq).padStart(6, '0')}`,
      },
    });
    const fuzz = fuzzText(rng, this.pinsForScan());
    if (fuzz.card) this.cardsTyped.add(fuzz.card.replace(/\D/g, ''));
    const cases: {
      note: string;
      body: string;
      type: string;
      timestamp?: number;
      sign?: 'good' | 'bad' | 'none';
      headers?: Record<string, string>;
    }[] = [
      { note: 'unsigned', body: JSON.stringify(event('hi', 'U0DEMOSTAFF')), type: 'application/json', sign: 'none' },
      {
        note: 'bad signature',
        body: JSON.stringify(event('hi', 'U0DEMOSTAFF')),
        type: 'application/json',
        sign: 'bad',
      },
      {
        note: 'stale',
        body: JSON.stringify(event('hi', 'U0DEMOSTAFF')),
        type: 'application/json',
        timestamp: now - 3600,
      },
      { note: 'signed, not JSON', body: '{"type":', type: 'application/json' },
      { note: 'signed form without payload', body: 'foo=bar', type: 'application/x-www-form-urlencoded' },
      {
        note: 'signed form with a broken payload',
        body: `payload=${encodeURIComponent('{"type":"block_actions",')}`,
        type: 'application/x-www-form-urlencoded',
      },
      {
        note: 'url_verification',
        body: JSON.stringify({ type: 'url_verification', challenge: randomUnicode(rng, 10), token: 'x' }),
        type: 'application/json',
      },
      {
        note: `a staff DM [${fuzz.kind}]`,
        body: JSON.stringify(event(fuzz.text, 'U0DEMOSTAFF')),
        type: 'application/json',
      },
      {
        note: `a stranger's DM [${fuzz.kind}]`,
        body: JSON.stringify(event(fuzz.text, 'U0STRANGER')),
        type: 'application/json',
      },
      {
        note: 'a retried event',
        body: JSON.stringify(event('any outages in Toronto?', 'U0DEMOSTAFF')),
        type: 'application/json',
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      },
      {
        note: 'a bogus button',
        body: `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0DEMOSTAFF', team_id: 'T0DEMO' }, team: { id: 'T0DEMO' }, channel: { id: 'D0BENCHDM' }, actions: [{ action_id: 'x', value: bogusAction(rng, this.seenConfirmIds) }], response_url: `${this.options.slackHookUrl}b${this.slackSeq}`, trigger_id: '1' }))}`,
        type: 'application/x-www-form-urlencoded',
      },
      {
        note: 'a slash command',
        body: new URLSearchParams({
          command: '/support',
          text: fuzz.text,
          user_id: 'U0DEMOSTAFF',
          team_id: 'T0DEMO',
          channel_id: 'C0BENCH',
          response_url: `${this.options.slackHookUrl}c${this.slackSeq}`,
          trigger_id: '1',
        }).toString(),
        type: 'application/x-www-form-urlencoded',
      },
      {
        note: 'over 256 KB',
        body: JSON.stringify(event('a'.repeat(300_000), 'U0DEMOSTAFF')),
        type: 'application/json',
      },
      {
        note: 'wrong types',
        body: JSON.stringify({ type: 'event_callback', event: wrongType(rng), team_id: wrongType(rng) }),
        type: 'application/json',
      },
    ];
    const chosen = rng.pick(cases);
    const timestamp = chosen.timestamp ?? now;
    const headers: Record<string, string> = { ...chosen.headers, 'x-slack-request-timestamp': String(timestamp) };
    if (chosen.sign !== 'none')
      headers['x-slack-signature'] =
        chosen.sign === 'bad'
          ? signSlackRequest('wrong-secret', timestamp, chosen.body)
          : signSlackRequest(secret, timestamp, chosen.body);
    await this.call('slack', '/slack/events', { body: chosen.body, contentType: chosen.type, headers }, chosen.note);
  }

  // ---- writes --------------------------------------------------------------------------------------

  private async writerSession(who: string, sessions: Map<string, Session>): Promise<Session | null> {
    const existing = sessions.get(who);
    if (existing) return existing;
    const session = await this.newSession(who, 'writer');
    if (session) sessions.set(who, session);
    return session;
  }

  /** A realistic request that leads to a write, answered until its confirmation, which is pressed or not. */
  private async opWriter(rng: Prng, sessions: Map<string, Session>): Promise<void> {
    const who = rng.pick([
      `pin:${WRITER_PIN_ACCOUNTS[0]}`,
      `pin:${WRITER_PIN_ACCOUNTS[1]}`,
      `portal:${WRITER_PORTAL_USERS[0]}`,
      `portal:${WRITER_PORTAL_USERS[1]}`,
    ]);
    const session = await this.writerSession(who, sessions);
    if (!session) return;
    this.writer.flows += 1;
    const northwind = who.includes('5000001') || who.includes('northwind');
    const accounts = DEMO_ACCOUNTS.filter(
      (a) => a.status === 'active' && a.organisation === (northwind ? 'northwind' : 'acme'),
    ).map((a) => a.number);
    const account = rng.pick(accounts);
    const amount = `${rng.range(1, 40)}.${String(rng.int(100)).padStart(2, '0')}`;
    const kind = rng.weighted<WriteKind>({
      payment: 4,
      ticket: 3,
      contact: who.startsWith('portal:') ? 2 : 0,
      escalation: 2,
    });
    const name = this.uniqueName(rng);
    let opener: string;
    if (kind === 'payment')
      opener = `pay $${amount} on ${account}${rng.pick(['', ' tomorrow', ' with the visa', ' on friday', ''])}`;
    else if (kind === 'ticket')
      opener = `open a ticket${rng.chance(0.5) ? ` on ${account}` : ''}: ${rng.pick(PROBLEMS)}`;
    else if (kind === 'contact')
      opener = `add a contact: ${name}, ${rng.pick(['billing', 'technical'])}, ${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com, 416-555-0${rng.range(100, 199)}`;
    else {
      const list = await this.send('writer', session, { text: `show open tickets on ${account}` });
      const tickets = [...JSON.stringify(list.json ?? '').matchAll(/TT-\d{6}/g)].map((m) => m[0]);
      if (tickets.length === 0) return;
      opener = `escalate ${rng.pick(tickets)} to ${rng.pick(['high', 'critical'])} because ${rng.pick(REASONS)}`;
    }
    let outcome = await this.send('writer', session, { text: opener });
    for (let step = 0; step < 6; step++) {
      if (outcome.status === 401) {
        sessions.delete(who);
        return;
      }
      if (outcome.status !== 200) return;
      const bot = ((outcome.json as { messages?: WireLike[] }).messages ?? []).filter((m) => m.direction === 'out');
      const buttons = bot.flatMap(buttonsOf);
      const confirm = buttons.find((b) => b.value.startsWith('confirm:'));
      if (confirm) return this.decide(rng, session, confirm, bot.map((m) => m.text ?? '').join('\n'));
      const text = bot.map((m) => m.text ?? '').join('\n');
      const choices = buttons.filter(
        (b) => !/^(Talk to a person|Start over|Cancel)$/i.test(b.label) && !b.value.startsWith('cancel:'),
      );
      const answer = answerFor(text, { amount, account, name, rng });
      if (choices.length > 0 && (rng.chance(0.8) || !answer))
        outcome = await this.send('writer', session, { action: rng.pick(choices).value });
      else if (answer) outcome = await this.send('writer', session, { text: answer });
      else return;
    }
  }

  private async decide(rng: Prng, session: Session, confirm: Button, summary: string): Promise<void> {
    this.writer.prompts += 1;
    const kind = kindOfSummary(summary);
    const press = async (note: string) => {
      this.writer.confirmPresses += 1;
      const outcome = await this.send('writer', session, { action: confirm.value }, note);
      if (kind && (outcome.status === 0 || outcome.status >= 500)) this.writer.lostReplies[kind] += 1;
      return outcome;
    };
    const choice = rng.weighted({ confirm: 45, double: 10, yes: 7, cancel: 13, no: 10, walkAway: 15 });
    if (choice === 'confirm' || choice === 'double' || choice === 'yes') this.writer.confirmed += 1;
    if (choice === 'confirm') await press('Confirm');
    else if (choice === 'double') {
      this.writer.doublePresses += 1;
      await Promise.all([press('Confirm (twice at once)'), press('Confirm (twice at once)')]);
    } else if (choice === 'yes') {
      this.writer.yesSaid += 1;
      const outcome = await this.send('writer', session, { text: 'yes' });
      if (kind && (outcome.status === 0 || outcome.status >= 500)) this.writer.lostReplies[kind] += 1;
    } else {
      this.writer.declined += 1;
      if (choice === 'cancel')
        await this.send('writer', session, { action: confirm.value.replace(/^confirm:/, 'cancel:') });
      else if (choice === 'no') await this.send('writer', session, { text: 'no' });
      else
        await this.send('writer', session, {
          text: rng.pick(["what's my balance", 'show my open tickets', 'any outages in Toronto?', 'hi']),
        });
    }
    if (rng.chance(0.2)) {
      // The same Confirm again, later: it must report what was done (or that nothing waits), never write again.
      this.writer.replays += 1;
      await sleep(rng.range(0, 300));
      await this.send('writer', session, { action: confirm.value }, 'Confirm pressed again later');
    }
  }

  private uniqueName(rng: Prng): string {
    for (let i = 0; i < 50; i++) {
      const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      if (!this.usedNames.has(name)) {
        this.usedNames.add(name);
        return name;
      }
    }
    return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}-${rng.pick(LAST_NAMES)}`;
  }
}

function buttonsOf(message: WireLike): Button[] {
  const buttons: Button[] = [];
  for (const card of message.cards ?? [])
    for (const a of card.actions ?? []) if (a && typeof a.value === 'string') buttons.push(a);
  for (const q of message.quickReplies ?? []) if (q && typeof q.value === 'string') buttons.push(q);
  return buttons;
}

function kindOfSummary(summary: string): WriteKind | null {
  if (/\bPay \$/.test(summary)) return 'payment';
  if (/\bEscalate ticket\b/.test(summary)) return 'escalation';
  if (/\bAdd .* contact\b/.test(summary)) return 'contact';
  if (/\bOpen an? .*ticket\b/.test(summary)) return 'ticket';
  return null;
}

/** What a customer answers to the question a write asks (amount, account, name, reason…). */
function answerFor(
  question: string,
  facts: { amount: string; account: string; name: string; rng: Prng },
): string | null {
  if (/how much|amount/i.test(question)) return `$${facts.amount}`;
  if (/which account|what account|account number/i.test(question)) return facts.account;
  if (/\bname\b/i.test(question)) return facts.name;
  if (/email|phone/i.test(question)) return `${facts.name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`;
  if (/why|reason/i.test(question)) return facts.rng.pick(REASONS);
  if (/describe|what.*(wrong|problem|issue|happen)|title/i.test(question)) return facts.rng.pick(PROBLEMS);
  if (/when|date/i.test(question)) return 'tomorrow';
  if (/role/i.test(question)) return 'billing';
  if (/priority/i.test(question)) return 'high';
  return null;
}

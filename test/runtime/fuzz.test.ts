// Hostile input through every entry point that writes, on every engine: a few hundred generated web chat
// requests (random Unicode, NUL and other control characters, lone surrogates, oversized text, JSON of the
// wrong shape, injection strings, bogus button values), socket frames, signed Slack commands, events and
// interactions, and portal tokens whose email holds a NUL. No answer may be a 5xx, nothing may be logged as
// an error, and no text column may hold a control character afterwards: PostgreSQL must take what SQLite
// takes. The generator is seeded (FUZZ_SEED overrides it), so a failure names the seed that reproduces it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createLogger } from '../../adapters/http/logger.js';
import { createNodeService, type NodeService } from '../../adapters/runtime/web-server.js';
import { signSlackRequest } from '../../adapters/slack/verify.js';
import { mintPortalSessionToken } from '../../adapters/webchat/index.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import { createProductUnderstanding, type LanguageUnderstanding } from '../../src/conversation/index.js';
import type { DatabaseHandle, Engine } from '../../src/db/handle.js';
import { ENGINES, createTestDatabase } from '../support/databases.js';
import {
  blockActions,
  buttonsIn,
  dm,
  FakeSlack,
  SIGNING_SECRET,
  STAFF_USER,
  slashCommand,
  TEAM,
} from '../slack/support.js';
import { listen, SocketClient } from '../webchat/support.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const AS_OF = '2026-11-22';
const PORTAL_SECRET = 'test-portal-session-secret-0123456789abcdef';
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** mulberry32: small, fast and the same sequence on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const PHRASES = [
  'balance 5000001',
  'what is my balance?',
  'show my latest invoice',
  'open tickets',
  'are there any outages right now?',
  'pay $25',
  'yes',
  'cancel',
  'back',
  'start over',
  'talk to a person',
  '5000001',
  '2468',
  'long distance summary for account 1002345 last month',
  'tickets for 1002345',
];
const HOSTILE = [
  "'; DROP TABLE messages; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(5)',
  "E'\\\\000'",
  '$$; --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  `{{7*7}}$\{7*7}`,
  '%00%0d%0a',
  '\\u0000\\x00',
  '../../etc/passwd',
  '\u202eevil\u202c',
  '\ufeff\u200b\u2028\u2029',
  '\uffff\ufffe',
  '👩‍👩‍👧 e\u0301 ﷺ 𝕳',
];
const SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b'];
const TIME_ZONES = ['Europe/Paris', 'America/Toronto', 'Mars/Olympus', '\u0000UTC', 'UTC\u0000', '', '../../etc'];

function controlCharacter(rng: Rng): string {
  return rng.chance(0.5) ? '\u0000' : String.fromCharCode(rng.pick([...Array.from({ length: 32 }, (_, i) => i), 0x7f]));
}

function randomCodePoint(rng: Rng): string {
  for (;;) {
    const cp = rng.chance(0.8) ? rng.int(0x10000) : 0x10000 + rng.int(0x100000);
    if (cp < 0xd800 || cp > 0xdfff) return String.fromCodePoint(cp);
  }
}

/** Control characters dropped into an otherwise ordinary string. */
function withControls(rng: Rng, text: string): string {
  let out = text;
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = rng.int(out.length + 1);
    out = out.slice(0, at) + controlCharacter(rng) + out.slice(at);
  }
  return out;
}

function fuzzText(rng: Rng): string {
  const parts: string[] = [];
  for (let n = 1 + rng.int(5); n > 0; n--) {
    const r = rng.next();
    if (r < 0.3) parts.push(rng.pick(PHRASES));
    else if (r < 0.45) parts.push(rng.pick(HOSTILE));
    else if (r < 0.6) parts.push(Array.from({ length: 1 + rng.int(4) }, () => controlCharacter(rng)).join(''));
    else if (r < 0.7) parts.push(rng.pick(SURROGATES));
    else parts.push(Array.from({ length: 1 + rng.int(12) }, () => randomCodePoint(rng)).join(''));
  }
  const text = parts.join(rng.pick([' ', '', '\n', '\t']));
  return rng.chance(0.5) ? withControls(rng, text) : text;
}

function bogusButtonValue(rng: Rng): string {
  const value = rng.pick([
    'intent:balance',
    'intent:invoice',
    'confirm',
    'cancel',
    'restart',
    'back',
    'account:5000002',
    'page:2',
    '\u0000',
    fuzzText(rng),
  ]);
  return withControls(rng, value).slice(0, 512) || '\u0000';
}

/** Bodies for POST /chat/messages that are not a well-formed message. */
function malformedBody(rng: Rng): string | Uint8Array {
  return rng.pick<() => string | Uint8Array>([
    () => JSON.stringify({ text: rng.int(1000) }),
    () => JSON.stringify({ text: null }),
    () => JSON.stringify({ text: [fuzzText(rng)] }),
    () => JSON.stringify({ action: {} }),
    () => JSON.stringify({ action: '' }),
    () => JSON.stringify({ text: 'a', action: 'b' }),
    () => JSON.stringify({ text: fuzzText(rng), extra: '\u0000' }),
    () => JSON.stringify({ text: 'x', timeZone: 5 }),
    () => JSON.stringify([fuzzText(rng)]),
    () => 'null',
    () => '"\\u0000"',
    () => '{"text": "ab',
    () => '{"text": "\\ud800\\u0000\\udfff"}',
    () => `{"\u0000": "\u0000"}`,
    () => '['.repeat(5000),
    () => new Uint8Array([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x00, 0xc3, 0x22, 0x7d]),
    () => fuzzText(rng),
  ])();
}

/** Texts above the 4 KB message limit, some above the 16 KB body limit. */
function oversizedText(rng: Rng): string {
  return rng.pick([
    () => 'x'.repeat(4097),
    () => '€'.repeat(1400),
    () => `\u0000${'a'.repeat(20_000)}`,
    () => '👍'.repeat(1100),
  ])();
}

/** Lone surrogates as U+FFFD: a URL or a header cannot carry them at all. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Every string in a JSON text, however deep. */
function jsonStrings(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        walk(x);
      }
    }
  };
  walk(value);
  return out;
}

interface Finding {
  readonly what: string;
  readonly status: number;
  readonly body: string;
}

describe.each(ENGINES)('hostile input on %s', (engine: Engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let slack: FakeSlack;
  let service: NodeService;
  const errors: string[] = [];
  const findings: Finding[] = [];
  const statuses = new Map<string, number[]>();
  const now = new Date(`${AS_OF}T15:00:00.000Z`);
  let nlu: LanguageUnderstanding;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 200, asOf: AS_OF });
    slack = new FakeSlack();
    await slack.start();
    nlu = createProductUnderstanding();
    const config = {
      webChat: {
        portalSessionSecret: PORTAL_SECRET,
        fileUrlSecret: null,
        allowedOrigins: ['https://portal.example.com'],
        sessionIdleMinutes: 30,
        sessionMaxHours: 12,
        fileUrlMinutes: 15,
        // The fuzz sends hundreds of messages in seconds; flood limits would only answer them 429.
        rateLimitMessages: 10_000,
        rateLimitWindowSeconds: 1,
      },
      slack: {
        signingSecret: SIGNING_SECRET,
        botToken: 'xoxb-test-token',
        apiUrl: `${slack.url}/api/`,
        progressAfterMs: 60_000,
      },
      // Abuse limits per client (RATE_LIMITS=off) where the service takes them.
      limits: null,
    };
    service = createNodeService({
      handle,
      logger: createLogger({ level: 'error', destination: { write: (line: string) => void errors.push(line) } }),
      config,
      nlu,
      now: () => now,
      pollMs: 200,
    });
  }, 120_000);

  beforeEach(() => {
    findings.length = 0;
  });

  afterAll(async () => {
    service?.close();
    await slack?.stop();
    await drop?.();
  });

  async function record(kind: string, what: string, response: Response | Promise<Response>): Promise<Response> {
    const answered = await response;
    statuses.set(kind, [...(statuses.get(kind) ?? []), answered.status]);
    if (answered.status >= 500)
      findings.push({
        what: `${kind}: ${what}`,
        status: answered.status,
        body: (await answered.clone().text()).slice(0, 300),
      });
    return answered;
  }

  const chat = (path: string, init: RequestInit = {}, token?: string) =>
    service.app.request(path, {
      ...init,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
    });

  async function startSession(body: unknown = {}): Promise<string | null> {
    const response = await record(
      'session',
      JSON.stringify(body),
      chat('/chat/sessions', { method: 'POST', body: JSON.stringify(body) }),
    );
    const json = (await response.json().catch(() => ({}))) as { token?: string };
    return json.token ?? null;
  }

  const slackSend = (body: string, contentType: string) => {
    const timestamp = Math.floor(Date.now() / 1000);
    return service.app.request('/slack/events', {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signSlackRequest(SIGNING_SECRET, timestamp, body),
      },
      body,
    });
  };
  const slackForm = (fields: Record<string, string>) =>
    slackSend(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
  const slackPayload = (payload: unknown) => slackForm({ payload: JSON.stringify(payload) });

  it(`answers hundreds of hostile web chat requests without a 5xx (seed ${SEED})`, async () => {
    const rng = prng(SEED);
    const portal = mintPortalSessionToken(PORTAL_SECRET, {
      email: 'admin@northwind.example',
      exp: now.getTime() / 1000 + 600,
    });
    const tokens = [await startSession(), await startSession({ portalToken: portal })];
    const pinned = await startSession();
    if (pinned) {
      const signIn = await record(
        'sign-in',
        'pin',
        chat(
          '/chat/sign-in',
          { method: 'POST', body: JSON.stringify({ accountNumber: '1002345', pin: '1357' }) },
          pinned,
        ),
      );
      tokens.push(((await signIn.json()) as { token?: string }).token ?? pinned);
    }
    expect(tokens.every((t) => typeof t === 'string')).toBe(true);
    const sessions = tokens as string[];

    for (let i = 0; i < 300; i++) {
      if (i % 60 === 59) {
        const fresh = await startSession(rng.chance(0.5) ? {} : { portalToken: withControls(rng, portal) });
        if (fresh) sessions[0] = fresh;
      }
      const token = rng.pick(sessions);
      const r = rng.next();
      if (r < 0.45) {
        const body = { text: fuzzText(rng), ...(rng.chance(0.2) ? { timeZone: rng.pick(TIME_ZONES) } : {}) };
        await record(
          'message',
          JSON.stringify(body),
          chat('/chat/messages', { method: 'POST', body: JSON.stringify(body) }, token),
        );
      } else if (r < 0.65) {
        const body = { action: bogusButtonValue(rng) };
        await record(
          'action',
          JSON.stringify(body),
          chat('/chat/messages', { method: 'POST', body: JSON.stringify(body) }, token),
        );
      } else if (r < 0.8) {
        const body = malformedBody(rng);
        await record('malformed', String(body).slice(0, 200), chat('/chat/messages', { method: 'POST', body }, token));
      } else if (r < 0.85) {
        const body = JSON.stringify({ text: oversizedText(rng) });
        await record('oversized', `${body.length} characters`, chat('/chat/messages', { method: 'POST', body }, token));
      } else if (r < 0.9) {
        const body = rng.chance(0.5)
          ? {
              accountNumber: withControls(rng, rng.pick(['5000001', '1002345', fuzzText(rng)])).slice(0, 40),
              pin: withControls(rng, '2468'),
            }
          : { portalToken: withControls(rng, portal) };
        // A throwaway session: a good sign-in would move a shared one to another person.
        const spare = await startSession();
        await record(
          'sign-in',
          JSON.stringify(body),
          chat('/chat/sign-in', { method: 'POST', body: JSON.stringify(body) }, spare ?? token),
        );
      } else {
        const junk = encodeURIComponent(wellFormed(fuzzText(rng).slice(0, 40)));
        const path = rng.pick([
          `/chat/files/${junk}`,
          `/chat/files/%00${junk}`,
          `/chat/messages?after=${junk}`,
          `/chat/messages?after=%00`,
          `/chat/transcript?format=text&timeZone=${junk}`,
          `/chat/transcript?format=${junk}`,
        ]);
        await record('read', path, chat(path, {}, rng.chance(0.9) ? token : `${token}%00`));
      }
    }

    // Hostile sessions themselves: junk tokens, junk bearer headers.
    for (let i = 0; i < 10; i++) {
      await record(
        'session',
        'junk portal token',
        chat('/chat/sessions', { method: 'POST', body: JSON.stringify({ portalToken: fuzzText(rng).slice(0, 2048) }) }),
      );
      await record(
        'read',
        'junk bearer',
        service.app.request('/chat/messages', {
          headers: { Authorization: `Bearer ${encodeURIComponent(wellFormed(fuzzText(rng)))}` },
        }),
      );
    }

    expect(findings).toEqual([]);
    const messages = statuses.get('message') ?? [];
    // Most of it really went through the engine to the database, not only into a 400.
    expect(messages.filter((s) => s === 200).length).toBeGreaterThan(messages.length * 0.8);
  }, 60_000);

  it('never signs anyone in with a portal token whose signed email holds a NUL or another control character', async () => {
    const exp = now.getTime() / 1000 + 600;
    for (const email of [
      'admin@northwind.example\u0000',
      '\u0000',
      'admin\u0000@northwind.example',
      'ap@northwind.example\u001b[2J',
    ]) {
      const portalToken = mintPortalSessionToken(PORTAL_SECRET, { email, exp });
      // Starting a chat with it: an anonymous one, with a notice; signing in with it: refused.
      const started = await record(
        'portal',
        JSON.stringify(email),
        chat('/chat/sessions', { method: 'POST', body: JSON.stringify({ portalToken }) }),
      );
      expect(started.status).toBe(201);
      expect(await started.json()).toMatchObject({ signedIn: null, notice: expect.any(String) });
      const token = await startSession();
      const signIn = await record(
        'portal',
        JSON.stringify(email),
        chat('/chat/sign-in', { method: 'POST', body: JSON.stringify({ portalToken }) }, token ?? ''),
      );
      expect(signIn.status).toBe(401);
    }
    expect(findings).toEqual([]);
  });

  it('takes socket frames with NULs and control characters like HTTP messages', async () => {
    const rng = prng(SEED + 1);
    const token = await startSession();
    const server = await listen(service);
    const socket = await SocketClient.open(server.base, 'https://portal.example.com');
    try {
      socket.send({ type: 'hello', token });
      await socket.until((frames) => frames.some((f) => f.type === 'ready'));
      const frames = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? { type: 'message', text: fuzzText(rng) || '\u0000' }
          : { type: 'action', value: bogusButtonValue(rng) },
      );
      for (const frame of frames) socket.send(frame);
      // Every frame's turn is stored with its answer, or refused: with an error frame, or — a frame left with
      // nothing in it once its control characters are gone (an empty button value) — by closing the socket
      // as malformed (1007), as HTTP answers 400. Never an internal error.
      await socket
        .until(
          (got) =>
            got.filter((f) => f.type === 'message' && (f.message as { direction: string }).direction === 'out').length >=
              frames.length || got.some((f) => f.type === 'error'),
          20_000,
        )
        .catch((error: Error) => {
          if (socket.closed?.code !== 1007) throw error;
        });
      expect(socket.frames.filter((f) => f.type === 'error' && f.code === 'internal')).toEqual([]);
      if (socket.closed) expect(socket.closed.reason).toMatch(/^malformed frame/);
    } finally {
      socket.close();
      await server.close();
    }
  }, 30_000);

  it(`answers signed Slack commands, events and interactions holding NULs without a 5xx (seed ${SEED})`, async () => {
    const rng = prng(SEED + 2);
    const settled = () => service.slack?.settled();

    for (let i = 0; i < 30; i++) {
      const fields = slashCommand(slack.url, fuzzText(rng).slice(0, 300));
      if (rng.chance(0.2)) fields.user_id = withControls(rng, STAFF_USER);
      if (rng.chance(0.2)) fields.team_id = withControls(rng, TEAM);
      if (rng.chance(0.2)) fields.channel_id = withControls(rng, fields.channel_id);
      if (rng.chance(0.1)) fields.command = withControls(rng, fields.command);
      await record('slack command', JSON.stringify(fields.text), slackForm(fields));
      await settled();
    }

    for (let i = 0; i < 30; i++) {
      const event = dm(fuzzText(rng).slice(0, 300));
      const inner = event.event as Record<string, unknown>;
      if (rng.chance(0.2)) inner.user = withControls(rng, STAFF_USER);
      if (rng.chance(0.1)) inner.channel = withControls(rng, String(inner.channel));
      await record('slack event', JSON.stringify(inner.text), slackSend(JSON.stringify(event), 'application/json'));
      await settled();
    }

    // Real buttons from a real answer, pressed with their values (and block ids) salted with control characters.
    slack.calls = [];
    await slackSend(JSON.stringify(dm('balance 1002345')), 'application/json');
    await settled();
    const buttons = slack.posts('chat.postMessage').flatMap((post) => buttonsIn(post.body.blocks));
    expect(buttons.length).toBeGreaterThan(0);
    for (let i = 0; i < 30; i++) {
      const button = rng.pick(buttons);
      const pressed = {
        ...button,
        value: rng.chance(0.8) ? withControls(rng, button.value) : bogusButtonValue(rng),
        ...(rng.chance(0.2) && button.block_id ? { block_id: withControls(rng, button.block_id) } : {}),
        ...(rng.chance(0.1) ? { action_id: withControls(rng, button.action_id) } : {}),
      };
      await record('slack button', JSON.stringify(pressed.value), slackPayload(blockActions(slack.url, pressed)));
      await settled();
    }

    // The account menu's search and the ticket form, with control characters in what was typed.
    for (let i = 0; i < 10; i++) {
      const query = withControls(rng, rng.pick(['acme', 'north', '1002', fuzzText(rng).slice(0, 30)]));
      await record(
        'slack options',
        JSON.stringify(query),
        slackPayload({
          type: 'block_suggestion',
          user: { id: STAFF_USER, username: 'casey', team_id: TEAM },
          team: { id: TEAM, domain: 'demo' },
          api_app_id: 'A0TEST',
          token: 'legacy',
          action_id: 'ticket_account',
          block_id: 'account',
          value: query,
          view: { id: 'V0FUZZ', type: 'modal', callback_id: 'create_ticket' },
        }),
      );
    }
    const text = (value: string) => ({ value: { type: 'plain_text_input', value } });
    const select = (value: string) => ({
      value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } },
    });
    for (let i = 0; i < 12; i++) {
      const values = {
        account: {
          ticket_account: {
            type: 'external_select',
            selected_option: {
              text: { type: 'plain_text', text: 'Acme HQ' },
              value: rng.chance(0.7) ? '1002345' : withControls(rng, '1002345'),
            },
          },
        },
        title: text(withControls(rng, fuzzText(rng)).slice(0, 150)),
        description: text(withControls(rng, `${fuzzText(rng)} ${fuzzText(rng)}`)),
        priority: select(rng.chance(0.7) ? 'high' : withControls(rng, 'high')),
        contact: select(rng.chance(0.7) ? 'email' : withControls(rng, 'phone')),
      };
      await record(
        'slack form',
        JSON.stringify(values.title.value.value),
        slackPayload({
          type: 'view_submission',
          team: { id: TEAM, domain: 'demo' },
          user: { id: STAFF_USER, username: 'casey', name: 'casey', team_id: TEAM },
          api_app_id: 'A0TEST',
          token: 'legacy',
          trigger_id: '4.5.6',
          view: {
            id: withControls(rng, `V0FUZZ${i}`),
            team_id: TEAM,
            type: 'modal',
            callback_id: 'create_ticket',
            private_metadata: rng.chance(0.5) ? '' : withControls(rng, '{"source":{"channel":"C0X","ts":"1.2"}}'),
            hash: '1700000000.abc',
            title: { type: 'plain_text', text: 'New ticket' },
            blocks: [],
            state: { values },
            app_id: 'A0TEST',
            bot_id: 'B0BOT',
          },
          response_urls: [],
        }),
      );
      await settled();
    }
    expect(findings).toEqual([]);
    // The forms opened real tickets, with what was typed minus the control characters.
    const opened = await handle.db.selectFrom('audit_log').select('id').where('action', '=', 'create_ticket').execute();
    expect(opened.length).toBeGreaterThan(0);
  }, 60_000);

  it('has logged no error and holds no control character in any text column afterwards', async () => {
    await service.slack?.settled();
    expect(errors.map((line) => JSON.parse(line).msg as string)).toEqual([]);
    const tables =
      engine === 'sqlite'
        ? await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(handle.db)
        : await sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
            handle.db,
          );
    const dirty: string[] = [];
    let texts = 0;
    for (const { name } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(handle.db);
      for (const row of rows.rows) {
        for (const [column, value] of Object.entries(row)) {
          if (typeof value !== 'string') continue;
          texts += 1;
          // Raw control characters, and in JSON text (state, payloads, results) escaped ones, which would
          // come back as control characters when read.
          if (CONTROL.test(value) || jsonStrings(value).some((s) => CONTROL.test(s)))
            dirty.push(`${name}.${column}: ${JSON.stringify(value).slice(0, 200)}`);
        }
      }
    }
    expect(texts).toBeGreaterThan(1000);
    expect(dirty).toEqual([]);
    const inbound = await handle.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(inbound.n)).toBeGreaterThan(300);
  }, 60_000);
  // The last line of defence (adapters/db/text-guard.ts), for whatever a future edge forgets to strip.
  it('drops control characters from every string a query sends, and leaves bytes and JSON text alone', async () => {
    const db = handle.db;
    const at = `${AS_OF}T16:00:00.000Z`;
    const state = JSON.stringify({ note: 'tab\tand\u0000nul' });
    await db
      .insertInto('conversations')
      .values({
        id: 'web-guard\u0000-1',
        channel: 'web',
        external_ref: '\u0000ref\u0007',
        portal_user_id: null,
        staff_id: null,
        account_in_focus_id: null,
        state,
        state_version: 0,
        status: 'bot',
        created_at: at,
        updated_at: at,
      })
      .execute();
    // A lookup with the NUL finds what the insert stored without it, on both engines.
    const found = await db
      .selectFrom('conversations')
      .select(['id', 'external_ref', 'state'])
      .where('id', '=', 'web-guard\u0000-1')
      .executeTakeFirstOrThrow();
    expect(found).toEqual({ id: 'web-guard-1', external_ref: 'ref', state });
    expect(JSON.parse(found.state)).toEqual({ note: 'tab\tand\u0000nul' });

    await db
      .insertInto('messages')
      .values({
        conversation_id: 'web-guard-1',
        seq: 1,
        direction: 'in',
        author: 'user',
        text: 'a\u0000b\u0007c\td\ne\r\n',
        payload: null,
        created_at: at,
      })
      .execute();
    await db
      .updateTable('messages')
      .set({ payload: '{"x":"\u0000"}' })
      .where('conversation_id', 'in', ['web-guard-1', 'other\u0000'])
      .execute();
    const message = await db
      .selectFrom('messages')
      .select(['text', 'payload'])
      .where('conversation_id', '=', 'web-guard-1')
      .executeTakeFirstOrThrow();
    expect(message).toEqual({ text: 'abc\td\ne\r\n', payload: '{"x":""}' });

    const content = new Uint8Array([0, 1, 0, 31, 255, 0]);
    await db
      .insertInto('chat_files')
      .values({
        id: 'guard-file\u0000',
        conversation_id: 'web-guard-1',
        message_seq: 1,
        position: 0,
        filename: 'a\u0000.csv',
        media_type: 'text/csv',
        bytes: content.length,
        content,
        created_at: at,
      })
      .execute();
    const file = await db
      .selectFrom('chat_files')
      .select(['id', 'filename', 'content'])
      .where('id', '=', 'guard-file')
      .executeTakeFirstOrThrow();
    expect({ ...file, content: [...new Uint8Array(file.content)] }).toEqual({
      id: 'guard-file',
      filename: 'a.csv',
      content: [0, 1, 0, 31, 255, 0],
    });

    const raw = await sql<{ v: string }>`select ${'raw\u0000sql'} as v`.execute(db);
    expect(raw.rows[0]?.v).toBe('rawsql');
  });
});

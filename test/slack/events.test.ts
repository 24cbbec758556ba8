// The Slack app as Slack calls it: signed requests shaped like Slack's against the real app, with a local
// HTTP server standing in for the Web API (SLACK_API_URL) and for response_url.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REFUSAL, WORKING } from '../../adapters/slack/index.js';
import { signSlackRequest } from '../../adapters/slack/verify.js';
import { createLogger } from '../../adapters/http/logger.js';
import { createNodeService, type NodeService } from '../../adapters/runtime/web-server.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import { createProductUnderstanding } from '../../src/conversation/index.js';
import { computeBalance } from '../../src/domain/billing/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { createTestDatabase } from '../support/databases.js';

const AS_OF = '2026-11-22';
const SIGNING_SECRET = 'test-slack-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-test-token';
const TEAM = 'T0DEMO';
const STAFF_USER = 'U0DEMOSTAFF';
const STRANGER = 'U0STRANGER';

interface Recorded {
  path: string;
  auth: string | undefined;
  body: Record<string, unknown>;
}

/** The stand-in for Slack: records Web API calls and response_url posts, and answers like Slack. */
class FakeSlack {
  calls: Recorded[] = [];
  uploads: { path: string; bytes: Buffer }[] = [];
  server!: Server;
  url = '';
  private ts = 1_700_000_000;
  /** How many of the next Web API calls are answered 429 with Retry-After: 1. */
  rateLimitNext = 0;
  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const bytes = Buffer.concat(chunks);
        if (req.url?.startsWith('/upload/')) {
          this.uploads.push({ path: req.url, bytes: fileFromUpload(req.headers['content-type'] ?? '', bytes) });
          res.end('OK - uploaded');
          return;
        }
        const raw = bytes.toString('utf8');
        const type = req.headers['content-type'] ?? '';
        let body: Record<string, unknown>;
        if (type.startsWith('application/json')) body = JSON.parse(raw || '{}');
        else {
          body = Object.fromEntries(new URLSearchParams(raw));
          if (typeof body.blocks === 'string') body.blocks = JSON.parse(body.blocks);
        }
        res.setHeader('content-type', 'application/json');
        if (this.rateLimitNext > 0 && req.url?.startsWith('/api/')) {
          this.rateLimitNext -= 1;
          res.statusCode = 429;
          res.setHeader('retry-after', '1');
          res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
          return;
        }
        this.calls.push({ path: req.url ?? '', auth: req.headers.authorization, body });
        this.ts += 1;
        if (req.url === '/api/files.getUploadURLExternal') {
          const id = `F0FILE${this.ts}`;
          res.end(JSON.stringify({ ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id }));
          return;
        }
        if (req.url === '/api/files.completeUploadExternal') {
          const files = JSON.parse(String(body.files ?? '[]')) as { id: string; title?: string }[];
          res.end(JSON.stringify({ ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) }));
          return;
        }
        res.end(JSON.stringify({ ok: true, channel: body.channel, ts: `${this.ts}.000100` }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  posts(method: string) {
    return this.calls.filter((c) => c.path === `/api/${method}`);
  }
  hooks() {
    return this.calls.filter((c) => c.path.startsWith('/hooks/'));
  }
  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The file's bytes from an upload_url POST: the raw body, or the one part of a multipart body. */
function fileFromUpload(contentType: string, bytes: Buffer): Buffer {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!contentType.startsWith('multipart/form-data') || !boundary) return bytes;
  const delimiter = Buffer.from(`--${boundary}`);
  const start = bytes.indexOf(delimiter);
  const headersEnd = bytes.indexOf('\r\n\r\n', start);
  const end = bytes.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd);
  return bytes.subarray(headersEnd + 4, end);
}

describe('Slack events, commands and interactivity', () => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let slack: FakeSlack;
  let service: NodeService;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase('sqlite'));
    await seedDemoData(handle, { cdrs: 200, asOf: AS_OF });
    slack = new FakeSlack();
    await slack.start();
    service = createNodeService({
      handle,
      logger: createLogger({ level: 'silent' }),
      config: {
        webChat: {
          portalSessionSecret: 'test-portal-session-secret-0123456789abcdef',
          fileUrlSecret: null,
          allowedOrigins: [],
          sessionIdleMinutes: 30,
          sessionMaxHours: 12,
          fileUrlMinutes: 15,
          rateLimitMessages: 20,
          rateLimitWindowSeconds: 10,
        },
        slack: { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, apiUrl: `${slack.url}/api/` },
      },
      nlu: createProductUnderstanding(),
      now: () => new Date(`${AS_OF}T15:00:00.000Z`),
    });
  }, 120_000);

  afterAll(async () => {
    service?.close();
    await slack?.stop();
    await drop?.();
  });

  beforeEach(() => {
    slack.calls = [];
  });

  async function send(body: string, contentType: string, headers: Record<string, string> = {}, secret = SIGNING_SECRET) {
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await service.app.request('/slack/events', {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signSlackRequest(secret, timestamp, body),
        ...headers,
      },
      body,
    });
    return response;
  }

  const sendJson = (payload: unknown, headers: Record<string, string> = {}) => send(JSON.stringify(payload), 'application/json', headers);
  const sendForm = (fields: Record<string, string>) => send(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');

  let eventCounter = 0;
  function eventCallback(event: Record<string, unknown>, eventId = `Ev0TEST${++eventCounter}`) {
    return {
      token: 'legacy-verification-token',
      team_id: TEAM,
      api_app_id: 'A0TEST',
      event: { event_ts: event.ts, ...event },
      type: 'event_callback',
      event_id: eventId,
      event_time: 1_700_000_000,
      authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
  }

  let tsCounter = 0;
  function dm(text: string, user = STAFF_USER) {
    const ts = `1700000${String(++tsCounter).padStart(3, '0')}.000200`;
    return eventCallback({ type: 'message', channel: 'D0DEMODM', user, text, ts, channel_type: 'im', client_msg_id: `msg-${tsCounter}`, team: TEAM });
  }

  const allText = (call: Recorded | undefined) => JSON.stringify(call?.body.blocks ?? call?.body ?? '');

  it('is on in /healthz', async () => {
    const health = (await (await service.app.request('/healthz')).json()) as { channels: { slack: string } };
    expect(health.channels.slack).toBe('on');
  });

  it('answers the url_verification challenge', async () => {
    const response = await sendJson({ token: 'x', challenge: 'c-3f2a9', type: 'url_verification' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'c-3f2a9' });
  });

  it('answers a direct message with the real balance, in blocks, through chat.postMessage', async () => {
    const response = await sendJson(dm('balance 1002345'));
    expect(response.status).toBe(200);
    await service.slack?.settled();
    const posts = slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    const post = posts[0];
    expect(post?.auth).toBe(`Bearer ${BOT_TOKEN}`);
    expect(post?.body.channel).toBe('D0DEMODM');
    expect(post?.body.thread_ts).toBeUndefined();
    const account = await handle.db.selectFrom('accounts').selectAll().where('number', '=', '1002345').executeTakeFirstOrThrow();
    const balance = await computeBalance(handle.db, account, AS_OF);
    const blocks = allText(post);
    expect(Array.isArray(post?.body.blocks)).toBe(true);
    expect(blocks).toContain('Acme HQ');
    // The balance shown is the one the ledger holds.
    const dollars = (Math.abs(balance.balanceCents) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(blocks).toContain(dollars);
  });

  it('answers an app_mention in its thread', async () => {
    await sendJson(
      eventCallback({ type: 'app_mention', channel: 'C0DEMOCARE', user: STAFF_USER, text: '<@U0BOT> outages toronto', ts: '1700000500.000300', team: TEAM }),
    );
    await service.slack?.settled();
    const posts = slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.channel).toBe('C0DEMOCARE');
    expect(posts[0]?.body.thread_ts).toBe('1700000500.000300');
  });

  it('acks a slash command with "working on it", then answers through response_url', async () => {
    const response = await sendForm({
      token: 'legacy',
      team_id: TEAM,
      team_domain: 'demo',
      channel_id: 'C0DEMOCARE',
      channel_name: 'care',
      user_id: STAFF_USER,
      user_name: 'casey',
      command: '/support',
      text: 'balance 1002345',
      api_app_id: 'A0TEST',
      response_url: `${slack.url}/hooks/commands/T0DEMO/1/abc`,
      trigger_id: '1.2.3',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response_type: 'ephemeral', text: WORKING });
    await service.slack?.settled();
    const hooks = slack.hooks();
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.body.response_type).toBe('ephemeral');
    expect(hooks[0]?.body.replace_original).toBe(true);
    expect(allText(hooks[0])).toContain('Acme');
  });

  it('sends a button press back into the conversation, and a retried event opens one ticket', async () => {
    const before = await countTickets();
    // The same event three times (Slack retrying), answered with the question for confirmation once.
    const event = dm('the phones are down at acme, please open a ticket on 1002345');
    for (const retry of [undefined, '1', '2']) {
      const response = await sendJson(event, retry ? { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' } : {});
      expect(response.status).toBe(200);
    }
    await service.slack?.settled();
    let posts = slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    // Walk the dialog by pressing the buttons it offers (and answering its questions) until it confirms.
    for (let step = 0; step < 6; step += 1) {
      const blocks = (posts.at(-1)?.body.blocks ?? []) as { type: string; block_id?: string; elements?: { value: string; action_id: string; text: { text: string } }[] }[];
      const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).map((e) => ({ ...e, block_id: b.block_id })));
      const confirm = buttons.find((b) => /confirm|yes|open/i.test(b.text.text)) ?? buttons[0];
      if (!confirm) break;
      slack.calls = [];
      const response = await sendForm({ payload: JSON.stringify(blockActions(confirm)) });
      expect(response.status).toBe(200);
      await service.slack?.settled();
      posts = slack.posts('chat.postMessage');
      expect(posts).toHaveLength(1);
      expect(posts[0]?.body.channel).toBe('D0DEMODM');
      if ((await countTickets()) > before) break;
    }
    expect(await countTickets()).toBe(before + 1);

    // The same event id yet again (a late retry) does nothing.
    slack.calls = [];
    await sendJson(event, { 'x-slack-retry-num': '3', 'x-slack-retry-reason': 'http_timeout' });
    await service.slack?.settled();
    expect(slack.calls).toHaveLength(0);
    expect(await countTickets()).toBe(before + 1);
  });

  it('waits out a 429 with Retry-After, and the message still arrives', async () => {
    slack.rateLimitNext = 1;
    const started = Date.now();
    await sendJson(dm('outages toronto'));
    await service.slack?.settled();
    expect(slack.rateLimitNext).toBe(0);
    expect(slack.posts('chat.postMessage')).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  }, 20_000);

  it('uploads a PDF into the thread with files.getUploadURLExternal and files.completeUploadExternal', async () => {
    slack.uploads = [];
    await sendJson(
      eventCallback({
        type: 'app_mention',
        channel: 'C0DEMOCARE',
        user: STAFF_USER,
        text: '<@U0BOT> long distance summary for account 1002345 last month as pdf',
        ts: '1700000900.000300',
        team: TEAM,
      }),
    );
    await service.slack?.settled();
    expect(slack.posts('chat.postMessage')).toHaveLength(1);
    expect(slack.posts('files.upload')).toHaveLength(0);
    const asked = slack.posts('files.getUploadURLExternal');
    expect(asked).toHaveLength(1);
    expect(String(asked[0]?.body.filename)).toMatch(/\.pdf$/);
    expect(slack.uploads).toHaveLength(1);
    const pdf = slack.uploads[0]?.bytes ?? Buffer.alloc(0);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-8).toString('latin1')).toContain('%%EOF');
    expect(Number(asked[0]?.body.length)).toBe(pdf.length);
    const completed = slack.posts('files.completeUploadExternal');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.body.channel_id).toBe('C0DEMOCARE');
    expect(completed[0]?.body.thread_ts).toBe('1700000900.000300');
  }, 30_000);

  it('refuses a bad signature with 401 and posts nothing', async () => {
    const tampered = await send(JSON.stringify(dm('balance 1002345')), 'application/json', {}, 'wrong-secret-wrong-secret-wrong');
    expect(tampered.status).toBe(401);
    const body = JSON.stringify(dm('balance 1002345'));
    const unsigned = await service.app.request('/slack/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await service.app.request('/slack/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(old), 'x-slack-signature': signSlackRequest(SIGNING_SECRET, old, body) },
      body,
    });
    expect(stale.status).toBe(401);
    await service.slack?.settled();
    expect(slack.calls).toHaveLength(0);
  });

  it('refuses a Slack user who is not linked to staff, politely and privately', async () => {
    const response = await sendJson(dm('balance 1002345', STRANGER));
    expect(response.status).toBe(200);
    await service.slack?.settled();
    expect(slack.posts('chat.postMessage')).toHaveLength(0);
    const ephemeral = slack.posts('chat.postEphemeral');
    expect(ephemeral).toHaveLength(1);
    expect(ephemeral[0]?.body.user).toBe(STRANGER);
    expect(ephemeral[0]?.body.text).toBe(REFUSAL);

    const command = await sendForm({
      team_id: TEAM,
      channel_id: 'C0DEMOCARE',
      user_id: STRANGER,
      command: '/support',
      text: 'balance 1002345',
      response_url: `${slack.url}/hooks/commands/x`,
    });
    expect(await command.json()).toEqual({ response_type: 'ephemeral', text: REFUSAL });
  });

  it('answers malformed payloads with 400 and no stack', async () => {
    const response = await send('{not json', 'application/json');
    expect(response.status).toBe(400);
    expect(await response.text()).not.toMatch(/at .*\.ts/);
  });

  function blockActions(button: { value: string; action_id: string; block_id?: string; text: { text: string } }) {
    return {
      type: 'block_actions',
      user: { id: STAFF_USER, username: 'casey', name: 'casey', team_id: TEAM },
      api_app_id: 'A0TEST',
      token: 'legacy',
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'D0DEMODM', is_ephemeral: false },
      trigger_id: '1.2.3',
      team: { id: TEAM, domain: 'demo' },
      channel: { id: 'D0DEMODM', name: 'directmessage' },
      message: { type: 'message', ts: '1700000001.000100', text: 'x' },
      response_url: `${slack.url}/hooks/actions/T0DEMO/1/xyz`,
      actions: [
        { action_id: button.action_id, block_id: button.block_id, text: { type: 'plain_text', text: button.text.text }, value: button.value, type: 'button', action_ts: '1700000002.000300' },
      ],
    };
  }

  async function countTickets() {
    const row = await handle.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
});

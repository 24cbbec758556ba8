// The Slack app as Slack calls it: a local HTTP server standing in for the Web API (SLACK_API_URL) and for
// response_url, the real service on a fresh demo database, and helpers that send signed requests shaped
// exactly like Slack's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../adapters/http/logger.js';
import { createNodeService, type NodeService } from '../../adapters/runtime/web-server.js';
import { signSlackRequest } from '../../adapters/slack/verify.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import { createProductUnderstanding } from '../../src/conversation/index.js';
import type { DatabaseHandle, Engine } from '../../src/db/handle.js';
import { createTestDatabase } from '../support/databases.js';

export const AS_OF = '2026-11-22';
export const SIGNING_SECRET = 'test-slack-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-token';
export const TEAM = 'T0DEMO';
export const STAFF_USER = 'U0DEMOSTAFF';
export const STRANGER = 'U0STRANGER';
export const BOT_USER = 'U0BOT';
export const BOT_ID = 'B0BOT';

export interface Recorded {
  path: string;
  auth: string | undefined;
  body: Record<string, unknown>;
  /** When the stand-in answered (Date.now()). */
  answeredAt?: number;
}

/** The stand-in for Slack: records Web API calls and response_url posts, and answers like Slack. */
export class FakeSlack {
  calls: Recorded[] = [];
  uploads: { path: string; bytes: Buffer }[] = [];
  server!: Server;
  url = '';
  private ts = 1_700_000_000;
  /** How many of the next Web API calls are answered 429 with Retry-After: 1. */
  rateLimitNext = 0;
  /** The same for response_url posts. */
  rateLimitHooksNext = 0;
  /** Slack errors to answer, once each, for a Web API method (e.g. { 'chat.postMessage': ['channel_not_found'] }). */
  errorsNext: Record<string, string[]> = {};
  /** Milliseconds to wait before answering calls whose path starts with a key (e.g. '/api/chat.postMessage', '/hooks/'). */
  delays: Record<string, number> = {};
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
          for (const key of ['blocks', 'view'])
            if (typeof body[key] === 'string') body[key] = JSON.parse(body[key] as string);
        }
        res.setHeader('content-type', 'application/json');
        const limitedHook = this.rateLimitHooksNext > 0 && req.url?.startsWith('/hooks/');
        if (limitedHook) this.rateLimitHooksNext -= 1;
        if (limitedHook || (this.rateLimitNext > 0 && req.url?.startsWith('/api/') && req.url !== '/api/auth.test')) {
          if (!limitedHook) this.rateLimitNext -= 1;
          res.statusCode = 429;
          res.setHeader('retry-after', '1');
          res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
          return;
        }
        if (req.url === '/api/auth.test') {
          res.end(
            JSON.stringify({
              ok: true,
              url: 'https://demo.slack.com/',
              team: 'Demo',
              user: 'support',
              team_id: TEAM,
              user_id: BOT_USER,
              bot_id: BOT_ID,
            }),
          );
          return;
        }
        const failure = this.errorsNext[(req.url ?? '').replace('/api/', '')]?.shift();
        if (failure) {
          res.end(JSON.stringify({ ok: false, error: failure }));
          return;
        }
        const recorded: Recorded = { path: req.url ?? '', auth: req.headers.authorization, body };
        this.calls.push(recorded);
        this.ts += 1;
        const delay = Object.entries(this.delays).find(([prefix]) => req.url?.startsWith(prefix))?.[1] ?? 0;
        const end = res.end.bind(res);
        res.end = ((chunk: unknown) => {
          setTimeout(() => {
            recorded.answeredAt = Date.now();
            end(chunk as string);
          }, delay);
          return res;
        }) as typeof res.end;
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
        if (req.url === '/api/conversations.open') {
          res.end(JSON.stringify({ ok: true, channel: { id: `D0DM${String(body.users ?? '')}` } }));
          return;
        }
        if (req.url === '/api/views.open' || req.url === '/api/views.publish') {
          res.end(JSON.stringify({ ok: true, view: { id: `V0VIEW${this.ts}`, ...(body.view as object) } }));
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

export interface SlackWorld {
  handle: DatabaseHandle;
  slack: FakeSlack;
  service: NodeService;
  /** Posts a signed request to /slack/events. */
  send(body: string, contentType: string, headers?: Record<string, string>, secret?: string): Promise<Response>;
  sendJson(payload: unknown, headers?: Record<string, string>): Promise<Response>;
  sendForm(fields: Record<string, string>): Promise<Response>;
  /** An interaction (block_actions, view_submission, message_action, block_suggestion) as Slack posts it. */
  sendPayload(payload: unknown): Promise<Response>;
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh demo database on the engine, the stand-in Slack and the real service wired to it. */
export async function startSlackWorld(
  engine: Engine,
  options: { progressAfterMs?: number /** Point the Web API elsewhere (e.g. nowhere). */; apiUrl?: string } = {},
): Promise<SlackWorld> {
  const { handle, drop } = await createTestDatabase(engine);
  await seedDemoData(handle, { cdrs: 200, asOf: AS_OF });
  const slack = new FakeSlack();
  await slack.start();
  const service = createNodeService({
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
      slack: {
        signingSecret: SIGNING_SECRET,
        botToken: BOT_TOKEN,
        apiUrl: options.apiUrl ?? `${slack.url}/api/`,
        ...(options.progressAfterMs !== undefined ? { progressAfterMs: options.progressAfterMs } : {}),
      },
    },
    nlu: createProductUnderstanding(),
    now: () => new Date(`${AS_OF}T15:00:00.000Z`),
  });
  const send = async (
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
    secret = SIGNING_SECRET,
  ) => {
    const timestamp = Math.floor(Date.now() / 1000);
    return service.app.request('/slack/events', {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signSlackRequest(secret, timestamp, body),
        ...headers,
      },
      body,
    });
  };
  const sendForm = (fields: Record<string, string>) =>
    send(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
  return {
    handle,
    slack,
    service,
    send,
    sendJson: (payload, headers = {}) => send(JSON.stringify(payload), 'application/json', headers),
    sendForm,
    sendPayload: (payload) => sendForm({ payload: JSON.stringify(payload) }),
    settled: async () => {
      await service.slack?.settled();
    },
    close: async () => {
      service.close();
      await slack.stop();
      await drop();
    },
  };
}

let eventCounter = 0;
/** An Events API callback wrapping `event`, as Slack posts it. */
export function eventCallback(event: Record<string, unknown>, eventId = `Ev0TEST${++eventCounter}`) {
  return {
    token: 'legacy-verification-token',
    team_id: TEAM,
    api_app_id: 'A0TEST',
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: 1_700_000_000,
    authorizations: [
      { enterprise_id: null, team_id: TEAM, user_id: BOT_USER, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  };
}

let tsCounter = 0;
/** A direct message (message.im) from `user`. */
export function dm(text: string, user = STAFF_USER) {
  const ts = `1700000${String(++tsCounter).padStart(3, '0')}.000200`;
  return eventCallback({
    type: 'message',
    channel: 'D0DEMODM',
    user,
    text,
    ts,
    channel_type: 'im',
    client_msg_id: `msg-${tsCounter}-${Date.now()}`,
    team: TEAM,
  });
}

/** Slack gives every invocation its own trigger id (and every press its own action_ts). */
let triggerCounter = 0;
const nextTrigger = () => `${++triggerCounter}.2.3`;

/** A slash command's form fields. */
export function slashCommand(slackUrl: string, text: string, user = STAFF_USER, command = '/support') {
  return {
    token: 'legacy',
    team_id: TEAM,
    team_domain: 'demo',
    channel_id: 'C0DEMOCARE',
    channel_name: 'care',
    user_id: user,
    user_name: 'casey',
    command,
    text,
    api_app_id: 'A0TEST',
    is_enterprise_install: 'false',
    response_url: `${slackUrl}/hooks/commands/T0DEMO/1/abc`,
    trigger_id: nextTrigger(),
  };
}

export type Button = { value: string; action_id: string; block_id?: string; text: { text: string } };

/** A block_actions payload for a button pressed in a message (in the DM unless said otherwise). */
export function blockActions(
  slackUrl: string,
  button: Button,
  where: { channel?: string; ephemeral?: boolean; user?: string } = {},
) {
  const channel = where.channel ?? 'D0DEMODM';
  return {
    type: 'block_actions',
    user: { id: where.user ?? STAFF_USER, username: 'casey', name: 'casey', team_id: TEAM },
    api_app_id: 'A0TEST',
    token: 'legacy',
    container: {
      type: 'message',
      message_ts: '1700000001.000100',
      channel_id: channel,
      is_ephemeral: where.ephemeral ?? false,
    },
    trigger_id: nextTrigger(),
    team: { id: TEAM, domain: 'demo' },
    channel: { id: channel, name: 'directmessage' },
    message: { type: 'message', ts: '1700000001.000100', text: 'x' },
    response_url: `${slackUrl}/hooks/actions/T0DEMO/1/xyz`,
    actions: [
      {
        action_id: button.action_id,
        block_id: button.block_id,
        text: { type: 'plain_text', text: button.text.text },
        value: button.value,
        type: 'button',
        action_ts: `1700000002.${String(triggerCounter).padStart(6, '0')}`,
      },
    ],
  };
}

/** A block_actions payload for a button pressed on the App Home: no message, channel or response_url. */
export function homeActions(slackUrl: string, button: Button) {
  const { response_url: _url, message: _message, channel: _channel, ...rest } = blockActions(slackUrl, button);
  return { ...rest, container: { type: 'view', view_id: 'V0HOME' }, view: { type: 'home', id: 'V0HOME' } };
}

type BlockJson = { type: string; block_id?: string; elements?: Button[]; accessory?: Button };

/** Every button in a list of blocks (actions elements and section accessories), with its block id. */
export function buttonsIn(blocks: unknown): (Button & { block_id?: string })[] {
  return ((blocks ?? []) as BlockJson[]).flatMap((b) => {
    if (b.type === 'actions')
      return (b.elements ?? []).map((e) => ({ ...e, ...(b.block_id ? { block_id: b.block_id } : {}) }));
    if (b.accessory?.action_id) return [{ ...b.accessory, ...(b.block_id ? { block_id: b.block_id } : {}) }];
    return [];
  });
}

export const allText = (call: Recorded | undefined) => JSON.stringify(call?.body.blocks ?? call?.body ?? '');

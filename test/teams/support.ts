// Teams as it calls the bot: a local HTTP server standing in for the Bot Connector (the activities' serviceUrl),
// the real service on a fresh demo database, and Bot Framework activities shaped like the ones Teams posts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as AC from 'adaptivecards';
import { expect } from 'vitest';
import { createLogger } from '../../adapters/http/logger.js';
import { createNodeService, type NodeService } from '../../adapters/runtime/web-server.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import type { TeamsConfig } from '../../src/config.js';
import { createProductUnderstanding } from '../../src/conversation/index.js';
import type { DatabaseHandle, Engine } from '../../src/db/handle.js';
import { createTestDatabase } from '../support/databases.js';

export const AS_OF = '2026-11-22';
export const TENANT = '5a1e5a1e-0000-0000-0000-000000000001';
export const ADMIN_AAD = '00000000-0000-0000-0000-00000000a0a1';
export const STAFF_AAD = '00000000-0000-0000-0000-0000000d3a11';
export const STRANGER_AAD = '00000000-0000-0000-0000-00000000dead';
export const BOT = { id: '28:00000000-0000-0000-0000-0000000b0b01', name: 'Support' };

export interface ConnectorCall {
  method: string;
  path: string;
  /** The conversation id from the path, decoded. */
  conversationId: string;
  /** The activity replied to or updated, when the path names one. */
  activityId?: string;
  body: Record<string, unknown>;
}

/** The stand-in Bot Connector: records what the bot sends and answers like the connector does. */
export class FakeConnector {
  calls: ConnectorCall[] = [];
  /** Files the bot PUT to an upload URL (standing in for the person's OneDrive). */
  uploads: { path: string; range: string; bytes: Buffer }[] = [];
  server!: Server;
  url = '';
  /** How many of the next calls are answered 429 (Retry-After: 0). */
  throttleNext = 0;
  throttled = 0;
  private next = 1;
  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'PUT' && req.url?.startsWith('/upload/')) {
          this.uploads.push({ path: req.url, range: String(req.headers['content-range'] ?? ''), bytes: Buffer.concat(chunks) });
          res.statusCode = 201;
          res.end(JSON.stringify({ id: 'onedrive-item' }));
          return;
        }
        const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        if (!match) {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: { code: 'NotFound', message: req.url } }));
          return;
        }
        if (this.throttleNext > 0) {
          this.throttleNext -= 1;
          this.throttled += 1;
          res.statusCode = 429;
          res.setHeader('retry-after', '0');
          res.end(JSON.stringify({ error: { code: 'Throttled', message: 'slow down' } }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        this.calls.push({
          method: req.method ?? '',
          path: req.url ?? '',
          conversationId: decodeURIComponent(match[1] ?? ''),
          ...(match[2] ? { activityId: decodeURIComponent(match[2]) } : {}),
          body: raw ? JSON.parse(raw) : {},
        });
        res.end(JSON.stringify({ id: match[2] && req.method === 'PUT' ? decodeURIComponent(match[2]) : `bot-activity-${this.next++}` }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  /** The messages (not typing indicators) the bot sent or updated, oldest first. */
  messages() {
    return this.calls.filter((c) => c.body.type === 'message');
  }
  /** Every Adaptive Card in the messages, oldest first. */
  cards() {
    return this.messages().flatMap((c) => cardsOf(c.body));
  }
  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function cardsOf(body: Record<string, unknown>): Record<string, unknown>[] {
  const attachments = (body.attachments ?? []) as { contentType: string; content: Record<string, unknown> }[];
  return attachments.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);
}

/** Checks a message's cards the way Teams would: each parses with no errors, ≤ 6 actions, the message under 28 KB. */
export function expectValidMessage(body: Record<string, unknown>) {
  expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(28 * 1024);
  for (const content of cardsOf(body)) {
    const card = new AC.AdaptiveCard();
    const context = new AC.SerializationContext();
    card.parse(content, context);
    const events = [...Array(context.eventCount).keys()].map((i) => context.getEventAt(i));
    expect(events.map((e) => `${e.phase}/${e.event}: ${e.message}`)).toEqual([]);
    expect(card.validateProperties().validationEvents.map((e) => `${e.event}: ${e.message}`)).toEqual([]);
    expect(((content.actions as unknown[] | undefined) ?? []).length).toBeLessThanOrEqual(6);
  }
}

/** All the text a person sees in a message: its text and every text in its cards. */
export function visibleText(body: Record<string, unknown>): string {
  const texts: string[] = [String(body.text ?? '')];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'text' || key === 'title' || key === 'value') && typeof value === 'string') texts.push(value);
        else walk(value);
      }
    }
  };
  for (const card of cardsOf(body)) walk(card);
  return texts.join('\n');
}

export interface TeamsWorld {
  handle: DatabaseHandle;
  connector: FakeConnector;
  service: NodeService;
  /** Posts an activity to /api/messages. */
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startTeamsWorld(engine: Engine, teams: Partial<TeamsConfig> = {}): Promise<TeamsWorld> {
  const { handle, drop } = await createTestDatabase(engine);
  await seedDemoData(handle, { cdrs: 200, asOf: AS_OF });
  const connector = new FakeConnector();
  await connector.start();
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
      teams: { appId: null, appPassword: null, appTenantId: null, appType: 'MultiTenant', ...teams },
    },
    nlu: sharedNlu(),
    now: () => new Date(`${AS_OF}T15:00:00.000Z`),
  });
  return {
    handle,
    connector,
    service,
    post: async (activity, headers = {}) =>
      await service.app.request('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) }),
    async close() {
      service.close();
      await connector.stop();
      await drop();
    },
  };
}

let nlu: ReturnType<typeof createProductUnderstanding> | undefined;
function sharedNlu() {
  nlu ??= createProductUnderstanding();
  return nlu;
}

let sequence = 1_700_000_000_000;

/** A person's personal chat with the bot, as Teams describes it in every activity. */
export function personalChat(aadObjectId: string, name = 'Priya Raman') {
  return {
    from: { id: `29:1teams-user-${aadObjectId.slice(-4)}`, name, aadObjectId },
    conversation: { conversationType: 'personal', tenantId: TENANT, id: `a:1personal-chat-${aadObjectId.slice(-4)};messageid=1` },
  };
}

function base(connector: FakeConnector, chat: ReturnType<typeof personalChat>) {
  sequence += 1;
  return {
    id: String(sequence),
    timestamp: new Date(`${AS_OF}T15:00:00.000Z`).toISOString(),
    localTimestamp: '2026-11-22T10:00:00.000-05:00',
    localTimezone: 'America/Toronto',
    serviceUrl: connector.url,
    channelId: 'msteams',
    ...chat,
    recipient: BOT,
    locale: 'en-US',
    channelData: { tenant: { id: TENANT } },
  };
}

export function messageActivity(connector: FakeConnector, chat: ReturnType<typeof personalChat>, text: string) {
  return { ...base(connector, chat), type: 'message', textFormat: 'plain', text, entities: [{ type: 'clientInfo', locale: 'en-US', country: 'CA', platform: 'Windows', timezone: 'America/Toronto' }] };
}

/** What Teams posts when an Action.Submit is pressed: a message with the card's data (and inputs) as `value`. */
export function submitActivity(connector: FakeConnector, chat: ReturnType<typeof personalChat>, value: Record<string, unknown>, replyToId: string) {
  return { ...base(connector, chat), type: 'message', replyToId, value, channelData: { tenant: { id: TENANT }, source: { name: 'message' }, legacy: { replyToId } } };
}

/** What Teams posts for a Universal Action (Action.Execute): an invoke the bot must answer in the response. */
export function invokeActivity(connector: FakeConnector, chat: ReturnType<typeof personalChat>, data: Record<string, unknown>, replyToId: string) {
  return { ...base(connector, chat), type: 'invoke', name: 'adaptiveCard/action', replyToId, value: { action: { type: 'Action.Execute', verb: 'submit', data }, trigger: 'manual' } };
}

/** What Teams posts when the person presses Allow (or Decline) on a file consent card. */
export function fileConsentActivity(connector: FakeConnector, chat: ReturnType<typeof personalChat>, action: 'accept' | 'decline', context: unknown, replyToId: string) {
  return {
    ...base(connector, chat),
    type: 'invoke',
    name: 'fileConsent/invoke',
    replyToId,
    value: {
      type: 'fileUpload',
      action,
      context,
      ...(action === 'accept'
        ? { uploadInfo: { name: 'report.pdf', uploadUrl: `${connector.url}upload/item-1`, contentUrl: 'https://contoso-my.sharepoint.com/personal/report.pdf', uniqueId: 'ONEDRIVE-ITEM-1', fileType: 'pdf' } }
        : {}),
    },
  };
}

export function membersAddedActivity(connector: FakeConnector, chat: ReturnType<typeof personalChat>) {
  return { ...base(connector, chat), type: 'conversationUpdate', membersAdded: [{ id: BOT.id }, { id: chat.from.id, aadObjectId: chat.from.aadObjectId }] };
}

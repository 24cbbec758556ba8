// A seeded database with the Node service around it, and a visitor's-eye client for the chat API
// (through app.request, or a real server with WebSockets on a free port).
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import WebSocket from 'ws';
import type { DemoIdentityListing } from '../../adapters/http/app.js';
import { createLogger } from '../../adapters/http/logger.js';
import { createNodeService, type NodeService } from '../../adapters/runtime/web-server.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import type { Config } from '../../src/config.js';
import { createProductUnderstanding, type LanguageUnderstanding } from '../../src/conversation/index.js';
import type { DatabaseHandle, Engine } from '../../src/db/handle.js';
import { createTestDatabase } from '../support/databases.js';

export const AS_OF = '2026-11-22';
export const PORTAL_SECRET = 'test-portal-session-secret-0123456789abcdef';

let nlu: LanguageUnderstanding | undefined;

export interface ChatWorld {
  handle: DatabaseHandle;
  drop: () => Promise<void>;
  /** The clock every service of this world reads; tests move it. */
  clock: { now: Date };
  /** `limits`: the abuse limits (undefined: the defaults; null: off). */
  service(overrides?: Partial<Config['webChat']>, demoIdentities?: DemoIdentityListing[], limits?: Config['limits']): NodeService;
}

export async function createChatWorld(engine: Engine): Promise<ChatWorld> {
  const { handle, drop } = await createTestDatabase(engine);
  await seedDemoData(handle, { cdrs: 200, asOf: AS_OF });
  nlu ??= createProductUnderstanding();
  const clock = { now: new Date(`${AS_OF}T15:00:00.000Z`) };
  const services: NodeService[] = [];
  return {
    handle,
    clock,
    drop: async () => {
      for (const s of services) s.close();
      await drop();
    },
    service(overrides = {}, demoIdentities = [], limits = undefined) {
      const service = createNodeService({
        handle,
        demoIdentities,
        logger: createLogger({ level: 'silent' }),
        config: {
          webChat: {
            portalSessionSecret: PORTAL_SECRET,
            fileUrlSecret: null,
            allowedOrigins: ['https://portal.example.com'],
            sessionIdleMinutes: 30,
            sessionMaxHours: 12,
            fileUrlMinutes: 15,
            rateLimitMessages: 20,
            rateLimitWindowSeconds: 10,
            ...overrides,
          },
          ...(limits !== undefined ? { limits } : {}),
        },
        nlu,
        now: () => clock.now,
        pollMs: 200,
      });
      services.push(service);
      return service;
    },
  };
}

type Fetcher = (path: string, init?: RequestInit) => Promise<Response> | Response;

export interface WireMessage {
  seq: number;
  direction: 'in' | 'out';
  author: string;
  text: string;
  action?: string;
  cards?: { title: string; fields?: { label: string; value: string }[]; actions?: { label: string; value: string }[] }[];
  quickReplies?: { label: string; value: string }[];
  files?: { id: string; filename: string; url: string; mediaType: string }[];
}

/** The chat API as a visitor's browser uses it. */
export class Visitor {
  token = '';
  constructor(readonly fetcher: Fetcher) {}

  async call(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token && !headers.has('authorization')) headers.set('Authorization', `Bearer ${this.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return this.fetcher(path, { ...init, headers, body });
  }

  async start(portalToken?: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await this.call('/chat/sessions', { method: 'POST', json: portalToken ? { portalToken } : {} });
    const body = (await response.json()) as Record<string, unknown>;
    if (typeof body.token === 'string') this.token = body.token;
    return { status: response.status, body };
  }

  async signIn(accountNumber: string, pin: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await this.call('/chat/sign-in', { method: 'POST', json: { accountNumber, pin } });
    const body = (await response.json()) as Record<string, unknown>;
    if (response.ok && typeof body.token === 'string') this.token = body.token;
    return { status: response.status, body };
  }

  async say(text: string): Promise<WireMessage[]> {
    const response = await this.call('/chat/messages', { method: 'POST', json: { text } });
    if (!response.ok) throw new Error(`say ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { messages: WireMessage[] }).messages;
  }

  async press(value: string): Promise<WireMessage[]> {
    const response = await this.call('/chat/messages', { method: 'POST', json: { action: value } });
    if (!response.ok) throw new Error(`press ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { messages: WireMessage[] }).messages;
  }

  async messages(after = 0): Promise<WireMessage[]> {
    const response = await this.call(`/chat/messages?after=${after}`);
    if (!response.ok) throw new Error(`messages ${response.status}`);
    return ((await response.json()) as { messages: WireMessage[] }).messages;
  }
}

/** Everything a person reads in the messages, as one string. */
export function shown(messages: readonly WireMessage[]): string {
  return messages
    .flatMap((m) => [m.text, ...(m.cards ?? []).flatMap((c) => [c.title, ...(c.fields ?? []).flatMap((f) => [f.label, f.value])])])
    .join('\n');
}

/** A real HTTP server for the service, on a free port, with WebSocket upgrades wired as in production. */
export async function listen(service: NodeService): Promise<{ base: string; port: number; close: () => Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: service.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  service.attach(server as Parameters<NodeService['attach']>[0]);
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        service.close();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A WebSocket client that records every frame it receives. */
export class SocketClient {
  readonly frames: Record<string, unknown>[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Record<string, unknown>);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.wake();
    });
  }

  static open(base: string, origin: string | null): Promise<SocketClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/chat/ws`, origin === null ? {} : { headers: { Origin: origin } });
      const client = new SocketClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_request, response) => reject(new Error(`refused with ${response.statusCode}`)));
      ws.once('error', reject);
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits until the predicate holds for what was received (or the socket closed). */
  async until(predicate: (frames: Record<string, unknown>[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (this.closed && !predicate(this.frames)) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async untilClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.closed;
  }

  messages(): WireMessage[] {
    return this.frames.filter((f) => f.type === 'message').map((f) => f.message as WireMessage);
  }

  close(): void {
    this.ws.terminate();
  }
}

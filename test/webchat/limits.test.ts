// Abuse limits that hold: per client address (sessions, sign-ins, messages, sockets), per conversation and
// per anonymous client (requests for a person), counted in the database so two instances share them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeService } from '../../adapters/runtime/web-server.js';
import { type AbuseLimits, DEFAULT_ABUSE_LIMITS } from '../../src/config.js';
import { ENGINES } from '../support/databases.js';
import { type ChatWorld, createChatWorld, listen, SocketClient, Visitor } from './support.js';

const TIGHT: AbuseLimits = {
  ...DEFAULT_ABUSE_LIMITS,
  trustedProxyHeader: 'x-forwarded-for',
  clientSessionsPerHour: 5,
  clientSignInsPerHour: 3,
  clientMessagesPerMinute: 6,
  anonymousHandoffsPerClientPerHour: 2,
};

/** A browser behind the trusted proxy, which reports `address` as the client's. */
const from = (service: NodeService, address: string) =>
  new Visitor((path, init) => {
    const headers = new Headers(init?.headers);
    // What a client sends is kept first; the proxy appends what it saw, and only that is believed.
    headers.set('X-Forwarded-For', `10.9.9.9, ${address}`);
    return service.app.request(path, { ...init, headers });
  });

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

describe.each(ENGINES)('abuse limits on %s', (engine) => {
  let world: ChatWorld;
  let service: NodeService;
  let rows: (table: 'chat_sessions' | 'messages' | 'handoffs') => Promise<number>;
  let address = 0;
  /** A fresh client address per test, so each test counts from zero. */
  const nextClient = () => `203.0.113.${++address}`;

  beforeAll(async () => {
    world = await createChatWorld(engine);
    service = world.service({}, [], TIGHT);
    rows = async (table) => Number((await world.handle.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  }, 120_000);
  afterAll(async () => {
    await world?.drop();
  });

  it('stops one client starting session after session, with Retry-After and a calm line, and no one else', async () => {
    const client = nextClient();
    const before = await rows('chat_sessions');
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 8; i++) {
      last = await from(service, client).call('/chat/sessions', { method: 'POST', json: {} });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const error = await errorOf(last as Response);
    expect(error.code).toBe('rate_limited');
    expect(error.message).toMatch(/^Too many chats have been started from your network in the last hour\. Please try again in \d+ minutes?\.$/);
    // Nothing half-made: exactly the five sessions that were allowed.
    expect((await rows('chat_sessions')) - before).toBe(5);
    // Another client is not slowed, and the limited client keeps the session it has.
    expect((await from(service, nextClient()).start()).status).toBe(201);
    const holder = from(service, nextClient());
    await holder.start();
    for (let i = 0; i < 6; i++) expect((await holder.call('/chat/sessions', { method: 'POST', json: {} })).status).toBe(200);
  });

  it('shares the count between two instances of the service on one database', async () => {
    const other = world.service({}, [], TIGHT);
    const client = nextClient();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const instance = i % 2 === 0 ? service : other;
      statuses.push((await from(instance, client).call('/chat/sessions', { method: 'POST', json: {} })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });

  it('believes a forwarded address only from the configured header, and only its last value', async () => {
    // No trusted header: whatever X-Forwarded-For says, these requests share one (unknown) connection address.
    const open = world.service({}, [], { ...TIGHT, trustedProxyHeader: null, clientSessionsPerHour: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await from(open, `198.51.100.${i}`).call('/chat/sessions', { method: 'POST', json: {} })).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    // Trusted header: a spoofed first value changes nothing; the proxy's last value decides.
    const client = nextClient();
    for (let i = 0; i < 5; i++) {
      const spoofed = new Visitor((path, init) => {
        const headers = new Headers(init?.headers);
        headers.set('X-Forwarded-For', `192.0.2.${i}, ${client}`);
        return service.app.request(path, { ...init, headers });
      });
      expect((await spoofed.call('/chat/sessions', { method: 'POST', json: {} })).status).toBe(201);
    }
    expect((await from(service, client).call('/chat/sessions', { method: 'POST', json: {} })).status).toBe(429);
  });

  it('counts sign-in attempts per client across sessions, and a right PIN after the limit waits too', async () => {
    const client = nextClient();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const v = from(service, client);
      await v.start();
      statuses.push((await v.signIn('5000001', '0000')).status);
    }
    expect(statuses).toEqual([401, 401, 401]);
    const v = from(service, client);
    await v.start();
    const limited = await v.call('/chat/sign-in', { method: 'POST', json: { accountNumber: '5000001', pin: '2468' } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await errorOf(limited)).message).toMatch(/Too many sign-in attempts have come from your network/);
    const elsewhere = from(service, nextClient());
    await elsewhere.start();
    expect((await elsewhere.signIn('5000001', '2468')).status).toBe(200);
  });

  it('limits messages per client across its sessions, stores none it refuses, and spares other clients', async () => {
    const client = nextClient();
    const visitors = [from(service, client), from(service, client), from(service, client)];
    for (const v of visitors) await v.start();
    for (const v of visitors) {
      await v.say('hi');
      await v.say('any outages?');
    }
    const before = await rows('messages');
    const refused = await visitors[0]?.call('/chat/messages', { method: 'POST', json: { text: 'hello again' } });
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await errorOf(refused as Response)).message).toMatch(/Too many messages are coming from your network right now\. Please wait \d+ seconds/);
    expect(await rows('messages')).toBe(before);
    const calm = from(service, nextClient());
    await calm.start();
    expect((await calm.say('any outages?')).at(-1)?.text).toMatch(/outage/i);
  });

  it('queues one request for a person per conversation, and only a few per anonymous client', async () => {
    const client = nextClient();
    const before = await rows('handoffs');
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const v = from(service, client);
      await v.start();
      answers.push((await v.say('I want to talk to a person')).at(-1)?.text ?? '');
      if (i === 0) answers.push((await v.say('can I speak to a human please')).at(-1)?.text ?? '');
    }
    expect(answers[0]).toMatch(/I've asked a support agent to join/);
    expect(answers[1]).toMatch(/already in line/);
    expect(answers[2]).toMatch(/I've asked a support agent to join/);
    expect(answers[3]).toMatch(/can't queue another request for a person right now.*try again in about \d+ minutes?.*Signing in/s);
    expect((await rows('handoffs')) - before).toBe(2);
    // A signed-in customer from the same address is known, and not held to the anonymous limit.
    const customer = from(service, client);
    await customer.start();
    await customer.signIn('5000001', '2468');
    expect((await customer.say('talk to an agent')).at(-1)?.text).toMatch(/I've asked a support agent to join/);
  });

  it('turns every limit off together when limits are off (a loopback load benchmark)', async () => {
    const unlimited = world.service({}, [], null);
    const client = nextClient();
    for (let i = 0; i < 12; i++) expect((await from(unlimited, client).call('/chat/sessions', { method: 'POST', json: {} })).status).toBe(201);
    const v = from(unlimited, client);
    await v.start();
    for (let i = 0; i < 25; i++) await v.say('hi');
    const counters = await world.handle.db.selectFrom('rate_limits').select('key').where('key', 'like', `%${client}%`).execute();
    expect(counters).toEqual([]);
  });
});

describe.each(ENGINES)('socket and stream limits on a real server on %s', (engine) => {
  let world: ChatWorld;
  let server: Awaited<ReturnType<typeof listen>>;
  const sockets: SocketClient[] = [];

  beforeAll(async () => {
    world = await createChatWorld(engine);
    server = await listen(world.service({}, [], { ...DEFAULT_ABUSE_LIMITS, socketsPerSession: 2, socketsPerClient: 4 }));
  }, 120_000);
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
    await world?.drop();
  });

  const open = async () => {
    const socket = await SocketClient.open(server.base, server.base);
    sockets.push(socket);
    return socket;
  };

  it('caps open sockets per session and per client, and frees a place when one closes', async () => {
    const v = new Visitor((path, init) => fetch(server.base + path, init));
    await v.start();
    const [first, second, third] = [await open(), await open(), await open()];
    for (const socket of [first, second]) {
      socket?.send({ type: 'hello', token: v.token });
      await socket?.until((frames) => frames.some((f) => f.type === 'ready'));
    }
    third?.send({ type: 'hello', token: v.token });
    expect((await third?.untilClosed())?.code).toBe(4029);
    expect(third?.frames.find((f) => f.type === 'error')?.message).toMatch(/already open in too many windows/);

    // The session's event stream counts as one of its places too.
    const stream = await v.call('/chat/events');
    expect(stream.status).toBe(429);
    expect(Number(stream.headers.get('retry-after'))).toBeGreaterThan(0);

    // Per client: two open sockets + two more without a session fill this address's four places.
    const fourth = await open();
    const fifth = await open();
    await expect(SocketClient.open(server.base, server.base)).rejects.toThrow(/refused with 429/);
    fifth?.close();
    await fifth?.untilClosed();
    // The place is free again once the server has seen the close.
    let reopened: SocketClient | undefined;
    for (let i = 0; i < 50 && !reopened; i++) {
      reopened = await SocketClient.open(server.base, server.base).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return undefined;
      });
    }
    expect(reopened).toBeDefined();
    if (reopened) sockets.push(reopened);
    fourth?.close();
  }, 30_000);
});

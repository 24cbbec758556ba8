// The chat in real time on a real server: WebSocket (resume by seq, Origin allow-list, malformed frames,
// limits, token rotation) and the server-sent-events fallback, on every database engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeService } from '../../adapters/runtime/web-server.js';
import { ENGINES } from '../support/databases.js';
import { type ChatWorld, createChatWorld, listen, SocketClient, Visitor, type WireMessage } from './support.js';

const seqs = (messages: WireMessage[]) => messages.map((m) => m.seq);

describe.each(ENGINES)('the web chat in real time on %s', (engine) => {
  let world: ChatWorld;
  let service: NodeService;
  let server: Awaited<ReturnType<typeof listen>>;
  const sockets: SocketClient[] = [];
  const visitor = () => new Visitor((path, init) => fetch(server.base + path, init));
  const open = async (origin: string | null = server.base) => {
    const socket = await SocketClient.open(server.base, origin);
    sockets.push(socket);
    return socket;
  };
  const hello = async (socket: SocketClient, token: string, after?: number) => {
    socket.send({ type: 'hello', token, ...(after === undefined ? {} : { after }) });
    await socket.until((frames) => frames.some((f) => f.type === 'ready'));
  };

  beforeAll(async () => {
    world = await createChatWorld(engine);
    service = world.service();
    server = await listen(service);
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
    await world?.drop();
  });

  it('delivers each message once and in order, and after a dropped connection exactly what was missed', async () => {
    const v = visitor();
    await v.start();
    await v.signIn('5000001', '2468');
    const first = await open();
    await hello(first, v.token, 0);
    await first.until((frames) => frames.some((f) => f.type === 'message'));
    expect(seqs(first.messages())).toEqual([1]);

    first.send({ type: 'message', text: "what's my balance?" });
    await first.until(() => first.messages().length === 3);
    expect(first.frames.map((f) => f.type)).toEqual(['ready', 'message', 'typing', 'message', 'message', 'typing']);
    expect(first.frames.filter((f) => f.type === 'typing').map((f) => f.on)).toEqual([true, false]);
    const [, mine, answer] = first.messages();
    expect(mine).toMatchObject({ seq: 2, direction: 'in', text: "what's my balance?" });
    expect(answer).toMatchObject({ seq: 3, direction: 'out', author: 'bot' });

    // The connection drops; meanwhile the conversation goes on (another tab, over HTTP).
    first.close();
    await v.say('show me my latest invoice');
    await v.say('any outages?');
    const second = await open();
    await hello(second, v.token, 3);
    await second.until(() => second.messages().length === 4);
    second.send({ type: 'action', value: 'intent:invoice_history' });
    await second.until(() => second.messages().length === 6);
    await new Promise((resolve) => setTimeout(resolve, 500)); // a poll or two: nothing more may come
    expect(seqs(second.messages())).toEqual([4, 5, 6, 7, 8, 9]);
    expect(second.messages()[1]?.files?.[0]?.filename).toMatch(/\.pdf$/);
    expect(second.messages()[4]).toMatchObject({ direction: 'in', action: 'intent:invoice_history' });
    // Every seq of the conversation reached one socket or the other, none twice.
    expect([...seqs(first.messages()), ...seqs(second.messages())]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('sends messages written outside a turn (an agent, another process) to open sockets', async () => {
    const v = visitor();
    const started = await v.start();
    const socket = await open();
    await hello(socket, v.token);
    const conversationId = String(started.body.conversationId);
    await v.say('hello');
    const at = world.clock.now.toISOString();
    await world.handle.db
      .insertInto('messages')
      .values({ conversation_id: conversationId, seq: 3, direction: 'out', author: 'agent', text: 'Hi, I am Alex from support.', payload: null, created_at: at })
      .execute();
    // Found by the poll without a notify; service.webChat.notify(conversationId) would send it at once.
    await socket.until(() => socket.messages().some((m) => m.author === 'agent'), 3000);
    expect(socket.messages().find((m) => m.author === 'agent')).toMatchObject({ seq: 3, text: 'Hi, I am Alex from support.' });
  });

  it('opens the socket only for its own origin and the allowed ones', async () => {
    await expect(open('https://evil.example')).rejects.toThrow('refused with 403');
    await expect(open(null)).rejects.toThrow('refused with 403');
    await expect(open('null')).rejects.toThrow('refused with 403');
    const own = await open(server.base);
    const allowed = await open('https://portal.example.com');
    own.send({ type: 'ping' });
    allowed.send({ type: 'ping' });
    await own.until((frames) => frames.some((f) => f.type === 'pong'));
    await allowed.until((frames) => frames.some((f) => f.type === 'pong'));
    // The HTTP API answers CORS only for the allowed origins.
    const preflight = await fetch(`${server.base}/chat/messages`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://portal.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
    const evil = await fetch(`${server.base}/chat/messages`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('closes only the socket that sent a malformed frame', async () => {
    const v = visitor();
    await v.start();
    const bystander = await open();
    await hello(bystander, v.token);
    const cases: [string | Buffer, number][] = [
      ['this is not json', 1007],
      [JSON.stringify({ type: 'shout', text: 'hi' }), 1007],
      [JSON.stringify({ type: 'message' }), 1007],
      [Buffer.from([1, 2, 3]), 1003],
      [JSON.stringify({ type: 'message', text: 'x'.repeat(70_000) }), 1009],
    ];
    for (const [frame, code] of cases) {
      const sender = await open();
      await hello(sender, v.token);
      if (typeof frame === 'string') sender.send(frame);
      else sender.ws.send(frame, { binary: true });
      expect((await sender.untilClosed()).code).toBe(code);
    }
    // Saying anything before hello, or hello twice, also closes that socket.
    const early = await open();
    early.send({ type: 'message', text: 'hi' });
    expect((await early.untilClosed()).code).toBe(1008);
    const unknown = await open();
    unknown.send({ type: 'hello', token: 'A'.repeat(43) });
    expect((await unknown.untilClosed()).code).toBe(4001);

    expect(bystander.closed).toBeNull();
    bystander.send({ type: 'message', text: 'any outages?' });
    await bystander.until(() => bystander.messages().some((m) => m.direction === 'out'));
  });

  it('refuses a message over 4 KB on the socket with an error, keeping the socket open', async () => {
    const v = visitor();
    await v.start();
    const socket = await open();
    await hello(socket, v.token);
    socket.send({ type: 'message', text: 'é'.repeat(2100) });
    await socket.until((frames) => frames.some((f) => f.type === 'error'));
    expect(socket.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/limit is 4 KB/) });
    socket.send({ type: 'message', text: 'hello' });
    await socket.until(() => socket.messages().length === 2);
    expect(socket.closed).toBeNull();
  });

  it('rate-limits a flooding session on its socket, while another session is answered as usual', async () => {
    const flood = visitor();
    const calm = visitor();
    await flood.start();
    await calm.start();
    const floodSocket = await open();
    const calmSocket = await open();
    await hello(floodSocket, flood.token);
    await hello(calmSocket, calm.token);
    for (let i = 0; i < 25; i++) floodSocket.send({ type: 'message', text: `hi ${i}` });
    const started = Date.now();
    calmSocket.send({ type: 'message', text: 'any outages?' });
    await calmSocket.until(() => calmSocket.messages().some((m) => m.direction === 'out'));
    const calmMs = Date.now() - started;
    await floodSocket.until((frames) => frames.filter((f) => f.type === 'error').length === 5 && floodSocket.messages().length === 40, 10_000);
    expect(floodSocket.frames.filter((f) => f.type === 'error').every((f) => f.code === 'rate_limited')).toBe(true);
    expect(floodSocket.closed).toBeNull();
    expect(calmMs).toBeLessThan(3000);
  });

  it('closes the sockets of a token replaced at sign-in, and the new token resumes the same conversation', async () => {
    const v = visitor();
    const started = await v.start();
    await v.say('hello');
    const old = await open();
    await hello(old, v.token, 2);
    const oldToken = v.token;
    await v.signIn('1002345', '1357');
    expect((await old.untilClosed()).code).toBe(4001);
    const stale = await open();
    stale.send({ type: 'hello', token: oldToken });
    expect((await stale.untilClosed()).code).toBe(4001);
    const fresh = await open();
    await hello(fresh, v.token, 2);
    const ready = fresh.frames.find((f) => f.type === 'ready') as { session: { conversationId: string; signedIn: { account: string } } };
    expect(ready.session).toMatchObject({ conversationId: started.body.conversationId, signedIn: { account: '1002345' } });
    expect(JSON.stringify(ready)).not.toContain(v.token);
    await fresh.until(() => fresh.messages().length === 1);
    expect(fresh.messages()[0]).toMatchObject({ seq: 3, author: 'system', event: 'signed_in' });
  });

  it('streams the conversation as server-sent events, resuming after Last-Event-ID', async () => {
    const v = visitor();
    await v.start();
    await v.say('hello');
    const controller = new AbortController();
    const response = await fetch(`${server.base}/chat/events`, {
      headers: { Authorization: `Bearer ${v.token}`, 'Last-Event-ID': '1' },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const read = async (until: (text: string) => boolean) => {
      const deadline = Date.now() + 5000;
      while (!until(text) && Date.now() < deadline) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += chunk.value;
      }
    };
    await read((t) => t.includes('id: 2'));
    await v.say('any outages?');
    await read((t) => t.includes('id: 4'));
    controller.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([2, 3, 4]);
    expect(text).toMatch(/^event: ready$/m);
    expect(text).toMatch(/^event: typing$/m);
    // The stream is let go when the client leaves.
    const deadline = Date.now() + 3000;
    while (service.webChat.followers > sockets.filter((s) => !s.closed).length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(service.webChat.followers).toBeLessThanOrEqual(sockets.filter((s) => !s.closed).length);
  });

  it('takes a hello with an "after" beyond any message number, and sends what comes next', async () => {
    const v = visitor();
    await v.start();
    const socket = await open();
    await hello(socket, v.token, 2 ** 40);
    await v.say('any outages?');
    // Nothing older than the cursor is replayed; the socket stays healthy and open.
    socket.send({ type: 'ping' });
    await socket.until((frames) => frames.some((f) => f.type === 'pong'));
    expect(socket.closed).toBeNull();
  });
});

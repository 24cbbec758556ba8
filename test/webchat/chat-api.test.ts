// The web chat's HTTP API as a visitor's browser and a portal use it: sessions, sign-in, messages, files,
// transcripts, limits, timeouts, and the OpenAPI document, on every database engine.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintPortalSessionToken } from '../../adapters/webchat/index.js';
import type { NodeService } from '../../adapters/runtime/web-server.js';
import { formatMoney } from '../../src/conversation/format.js';
import * as domain from '../../src/domain/index.js';
import { ENGINES } from '../support/databases.js';
import { pdfText } from '../support/pdf-tools.js';
import { type ChatWorld, createChatWorld, PORTAL_SECRET, shown, Visitor } from './support.js';

describe.each(ENGINES)('the web chat API on %s', (engine) => {
  let world: ChatWorld;
  let service: NodeService;
  const visitor = () => new Visitor((path, init) => service.app.request(path, init));
  const inSeconds = (s: number) => Math.floor(world.clock.now.getTime() / 1000) + s;

  beforeAll(async () => {
    world = await createChatWorld(engine);
    service = world.service();
  }, 120_000);

  afterAll(async () => {
    await world?.drop();
  });

  async function realBalance(accountNumber: string): Promise<string> {
    const ctx = domain.createDomainContext(world.handle.db, () => world.clock.now);
    const admin = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as domain.CustomerActor;
    const balance = await domain.getAccountBalance(ctx, admin, { accountNumber });
    if (balance.kind !== 'ok') throw new Error('no balance');
    return formatMoney(balance.value.balanceCents, balance.value.currency);
  }

  it('deletes files sent in chats once they are older than the retention period (30 days by default)', async () => {
    const at = (days: number) => new Date(world.clock.now.getTime() - days * 86_400_000).toISOString();
    const conversation = 'web-retention-test';
    await world.handle.db
      .insertInto('conversations')
      .values({ id: conversation, channel: 'web', external_ref: null, portal_user_id: null, staff_id: null, account_in_focus_id: null, state: '{}', state_version: 0, status: 'bot', created_at: at(40), updated_at: at(40) })
      .execute();
    const file = (id: string, days: number) => ({
      id,
      conversation_id: conversation,
      message_seq: 1,
      position: days,
      filename: `${id}.csv`,
      media_type: 'text/csv',
      bytes: 3,
      content: new Uint8Array([97, 44, 98]),
      created_at: at(days),
    });
    await world.handle.db.insertInto('chat_files').values([file('retention-old', 31), file('retention-recent', 29)]).execute();
    // A fresh service purges on the first session it starts, then every ten minutes at most.
    await new Visitor((path, init) => world.service().app.request(path, init)).start();
    const deadline = Date.now() + 5000;
    let left: string[] = [];
    while (Date.now() < deadline) {
      left = (await world.handle.db.selectFrom('chat_files').select('id').where('conversation_id', '=', conversation).execute()).map((r) => r.id);
      if (!left.includes('retention-old')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(left).toEqual(['retention-recent']);
  });

  it('starts an anonymous session that answers public questions and asks to sign in for account ones', async () => {
    const v = visitor();
    const started = await v.start();
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ signedIn: null, lastSeq: 0, maxMessageBytes: 4096, idleTimeoutSeconds: 1800 });
    // 256 random bits, and only a hash of them is kept.
    expect(v.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await world.handle.db.selectFrom('chat_sessions').select('id').execute();
    expect(rows.map((r) => r.id)).toContain(createHash('sha256').update(v.token).digest('base64url'));
    expect(rows.map((r) => r.id)).not.toContain(v.token);

    const outages = await v.say('are there any outages right now?');
    expect(outages.map((m) => [m.seq, m.direction])).toEqual([
      [1, 'in'],
      [2, 'out'],
    ]);
    expect(outages[1]?.text).toMatch(/outage/i);
    const balance = await v.say("what's my balance?");
    expect(balance[1]?.text).toMatch(/sign in/i);
    expect(balance[1]?.quickReplies).toEqual([{ label: 'Sign in', value: 'sign_in' }]);
    // Resuming with the token gives the same conversation.
    const resumed = await v.start();
    expect(resumed).toMatchObject({ status: 200, body: { conversationId: started.body.conversationId, lastSeq: 4 } });
  });

  it('signs in with account number and PIN under a new token, and the old token stops working', async () => {
    const v = visitor();
    await v.start();
    await v.say('hello');
    const oldToken = v.token;
    const signedIn = await v.signIn('5000001', '2468');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ signedIn: { via: 'pin', account: '5000001', label: 'Northwind Traders Ltd. · 5000001' } });
    expect(v.token).not.toBe(oldToken);
    const stale = await v.call('/chat/messages', { headers: { Authorization: `Bearer ${oldToken}` } });
    expect(stale.status).toBe(401);

    // The same conversation goes on, with a notice of the sign-in.
    const all = await v.messages();
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(all[2]).toMatchObject({ author: 'system', event: 'signed_in', text: expect.stringMatching(/signed in with account 5000001/) });
    const reply = await v.say("what's my balance?");
    expect(shown(reply)).toContain(await realBalance('5000001'));
    expect(reply[1]?.cards?.[0]?.actions?.map((a) => a.label)).toContain('Latest invoice');
  });

  it('answers the question that needed a sign-in right after signing in, without it being asked again', async () => {
    const v = visitor();
    await v.start();
    const asked = await v.say('how much do I owe on 5000003?');
    expect(asked[1]?.text).toMatch(/sign in/i);
    await v.signIn('5000001', '2468');
    const all = await v.messages();
    // The question, the request to sign in, the sign-in notice, then the answer — the question once only.
    expect(all.map((m) => [m.direction, m.author])).toEqual([
      ['in', 'user'],
      ['out', 'bot'],
      ['out', 'system'],
      ['out', 'bot'],
    ]);
    expect(all[3]?.text).toContain('5000003');
    expect(all[3]?.text).toContain(await realBalance('5000003'));
    // Answered once: the next message is a new question, not the old one again.
    const next = await v.say('thanks');
    expect(shown(next)).not.toContain(await realBalance('5000003'));
  });

  it('takes a NUL or other control character in any text field calmly, on every engine (never a 500)', async () => {
    const v = visitor();
    await v.start();
    for (const json of [{ text: 'hello\u0000 there' }, { action: 'intent:balance\u0000' }, { action: '\u0000' }, { text: '\u0000\u0001\u007f' }]) {
      const response = await v.call('/chat/messages', { method: 'POST', json });
      expect(response.status).toBeLessThan(500);
    }
    const forged = await v.call('/chat/sign-in', { method: 'POST', json: { portalToken: 'eyJlbWFpbCI6ImFcdTAwMDBAYi5jIn0.x' } });
    expect(forged.status).toBeLessThan(500);
    const pin = await v.call('/chat/sign-in', { method: 'POST', json: { accountNumber: '5000001\u0000', pin: '24\u000068' } });
    expect(pin.status).toBeLessThan(500);
    const stored = await world.handle.db.selectFrom('messages').select('text').execute();
    expect(stored.some((m) => m.text.includes('\u0000'))).toBe(false);
  });

  it('signs in a portal user from a portal session token, and refuses forged, expired or long-lived tokens', async () => {
    const good = mintPortalSessionToken(PORTAL_SECRET, { email: 'ap@northwind.example', exp: inSeconds(300) });
    const v = visitor();
    const started = await v.start(good);
    expect(started).toMatchObject({ status: 201, body: { signedIn: { via: 'portal', label: 'ap@northwind.example' } } });
    // The billing user sees only 5000002.
    expect(shown(await v.say('what is the balance of 5000002?'))).toContain(await realBalance('5000002'));
    expect(shown(await v.say('what is the balance of 5000001?'))).toMatch(/couldn't find account 5000001/);

    for (const bad of [
      mintPortalSessionToken('another-secret-entirely-0123456789abcdef', { email: 'ap@northwind.example', exp: inSeconds(300) }),
      mintPortalSessionToken(PORTAL_SECRET, { email: 'ap@northwind.example', exp: inSeconds(-1) }),
      mintPortalSessionToken(PORTAL_SECRET, { email: 'ap@northwind.example', exp: inSeconds(3 * 86_400) }),
      mintPortalSessionToken(PORTAL_SECRET, { email: 'pending@northwind.example', exp: inSeconds(300) }),
      `${good.split('.')[0]}x.${good.split('.')[1]}`,
      'not-a-token',
    ]) {
      const refused = await visitor().start(bad);
      expect(refused).toMatchObject({ status: 201, body: { signedIn: null, notice: expect.stringMatching(/could not be confirmed/) } });
    }
    // The portal hands the token again on the next page: the same session goes on, nothing is added.
    const token = v.token;
    const count = (await v.messages()).length;
    expect(await v.start(mintPortalSessionToken(PORTAL_SECRET, { email: 'ap@northwind.example', exp: inSeconds(300) }))).toMatchObject({
      status: 200,
      body: { token, conversationId: started.body.conversationId },
    });
    expect(await v.messages()).toHaveLength(count);
    // Another portal user on the same browser gets a new token and a new conversation.
    const switched = await v.start(mintPortalSessionToken(PORTAL_SECRET, { email: 'admin@northwind.example', exp: inSeconds(300) }));
    expect(switched.body).toMatchObject({ signedIn: { via: 'portal', label: 'admin@northwind.example' } });
    expect(switched.body.token).not.toBe(token);
    expect(switched.body.conversationId).not.toBe(started.body.conversationId);

    // An anonymous session signs in with a portal token too.
    const later = visitor();
    await later.start();
    const response = await later.call('/chat/sign-in', { method: 'POST', json: { portalToken: good } });
    expect(response.status).toBe(200);
  });

  it("refuses one organisation's customer any look at another organisation's account, revealing nothing", async () => {
    const acme = visitor();
    await acme.start();
    expect((await acme.signIn('1002345', '1357')).status).toBe(200);
    const northwindBalance = await realBalance('5000001');
    for (const question of ['what is the balance of account 5000001?', 'show me the latest invoice for 5000001', 'open tickets on 5000001']) {
      const text = shown(await acme.say(question));
      expect(text).not.toContain('Northwind');
      expect(text).not.toContain(northwindBalance);
      expect(text).not.toMatch(/TT-\d+/);
    }
    expect(shown(await acme.say('what is the balance of account 5000001?'))).toMatch(/couldn't find account 5000001 among the accounts you can access/);
    // …and the same words as for an account number that does not exist.
    const missing = (await acme.say('what is the balance of account 5999999?'))[1]?.text ?? '';
    const foreign = (await acme.say('what is the balance of account 5000001?'))[1]?.text ?? '';
    expect(missing.replace('5999999', 'N')).toBe(foreign.replace('5000001', 'N'));
    // The portal route gives the same answer.
    const portal = visitor();
    await portal.start(mintPortalSessionToken(PORTAL_SECRET, { email: 'admin@acme.example', exp: inSeconds(300) }));
    expect(shown(await portal.say('balance of 5000001'))).not.toContain(northwindBalance);
  });

  it('locks an account after 5 wrong PINs, answering exactly as for an account number that does not exist', async () => {
    const v = visitor();
    await v.start();
    const answers: { status: number; body: unknown }[] = [];
    for (let i = 0; i < 5; i++) answers.push(await v.signIn('5000002', '0000'));
    const locked = await v.signIn('5000002', '8642');
    const unknown = await v.signIn('4999999', '8642');
    for (const answer of [...answers, locked, unknown]) {
      expect(answer).toEqual({
        status: 401,
        body: {
          error: {
            code: 'unauthorized',
            message: "That account number and PIN don't match. For your security, an account is locked for 15 minutes after 5 failed attempts.",
          },
        },
      });
    }
    const row = await world.handle.db.selectFrom('accounts').select('pin_locked_until').where('number', '=', '5000002').executeTakeFirstOrThrow();
    expect(row.pin_locked_until).toBe(new Date(world.clock.now.getTime() + 15 * 60_000).toISOString());
    // A PIN never reaches the conversation or the audit log.
    const stored = await world.handle.db.selectFrom('messages').select('text').execute();
    expect(stored.some((m) => m.text.includes('8642'))).toBe(false);
    const audit = await world.handle.db.selectFrom('audit_log').select(['target', 'details']).execute();
    expect(JSON.stringify(audit)).not.toContain('8642');
    // Bad input says what is wrong with it, and counts nothing.
    expect(await v.signIn('50000O2', '8642')).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });

  it('serves a file only to its conversation’s session, only while the link is valid', async () => {
    const owner = visitor();
    await owner.start();
    await owner.signIn('5000001', '2468');
    const reply = await owner.press('intent:invoice');
    const file = reply.flatMap((m) => m.files ?? [])[0];
    expect(file).toMatchObject({ mediaType: 'application/pdf', filename: expect.stringMatching(/\.pdf$/) });
    if (!file) return;
    const ok = await owner.call(file.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toContain(`filename="${file.filename}"`);
    expect(new TextDecoder().decode((await ok.arrayBuffer()).slice(0, 5))).toBe('%PDF-');

    // Another conversation's session (even of the same account) finds nothing there.
    const other = visitor();
    await other.start();
    await other.signIn('5000001', '2468');
    const foreign = await other.call(file.url);
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain('%PDF');
    expect((await owner.call(file.url, { headers: { Authorization: '' } })).status).toBe(401);
    // One character of the signature changed (to another one: a signature may start with 'A' itself).
    expect((await owner.call(file.url.replace(/sig=(.)/, (_m, first: string) => `sig=${first === 'A' ? 'B' : 'A'}`))).status).toBe(403);
    expect((await owner.call(file.url.replace(/exp=\d+/, (m) => `exp=${Number(m.slice(4)) + 3600}`))).status).toBe(403);

    const saved = world.clock.now;
    world.clock.now = new Date(saved.getTime() + 16 * 60_000);
    try {
      const expired = await owner.call(file.url);
      expect(expired.status).toBe(403);
      expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
      // Reading the message again gives a fresh link.
      const again = (await owner.messages()).flatMap((m) => m.files ?? []).find((f) => f.id === file.id);
      expect(again?.url).not.toBe(file.url);
      expect((await owner.call(again?.url ?? '')).status).toBe(200);
    } finally {
      world.clock.now = saved;
    }
  });

  it('refuses a message over 4 KB with a clear error and stores nothing of it', async () => {
    const v = visitor();
    await v.start();
    const before = await v.messages();
    for (const text of ['x'.repeat(4097), 'é'.repeat(2049)]) {
      const response = await v.call('/chat/messages', { method: 'POST', json: { text } });
      expect(response.status).toBe(413);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('payload_too_large');
      expect(body.error.message).toMatch(/too long: 4,09[78] bytes, and the limit is 4 KB \(4,096 bytes\)/);
    }
    const huge = await v.call('/chat/messages', { method: 'POST', json: { text: 'y'.repeat(40_000) } });
    expect(huge.status).toBe(413);
    expect(await v.messages()).toEqual(before);
    const exactly = await v.say('z'.repeat(4096));
    expect(exactly[0]?.text).toHaveLength(4000);
  });

  it('limits a flooding session to 20 messages per 10 seconds without slowing anyone else', async () => {
    const flood = visitor();
    const calm = visitor();
    await flood.start();
    await calm.start();
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      const response = await flood.call('/chat/messages', { method: 'POST', json: { text: 'hi' } });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/at most 20 every 10 seconds/);
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429]);
    expect((await calm.say('any outages?'))[1]?.text).toMatch(/outage/i);
  });

  it('keeps HTML and script in user text as plain text', async () => {
    const v = visitor();
    await v.start();
    const text = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const reply = await v.say(text);
    expect(reply[0]?.text).toBe(text);
    const transcript = await v.call('/chat/transcript?format=text');
    expect(transcript.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await transcript.text()).toContain(text);
  });

  it('ends a session after 30 idle minutes, and any session after 12 hours', async () => {
    const saved = world.clock.now;
    try {
      const idle = visitor();
      await idle.start();
      world.clock.now = new Date(saved.getTime() + 29 * 60_000);
      expect((await idle.call('/chat/messages')).status).toBe(200);
      await idle.say('still here');
      world.clock.now = new Date(world.clock.now.getTime() + 31 * 60_000);
      expect((await idle.call('/chat/messages')).status).toBe(401);

      const busy = visitor();
      world.clock.now = saved;
      await busy.start();
      for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
        world.clock.now = new Date(saved.getTime() + minutes * 60_000);
        await busy.say('hello');
      }
      world.clock.now = new Date(saved.getTime() + 12 * 60 * 60_000 + 1000);
      expect((await busy.call('/chat/messages')).status).toBe(401);
      // Resuming with an ended token starts a new, empty conversation.
      const restarted = await busy.start();
      expect(restarted).toMatchObject({ status: 201, body: { lastSeq: 0 } });
    } finally {
      world.clock.now = saved;
    }
  });

  it('downloads the transcript as text and as a PDF, with both sides of the conversation', async () => {
    const v = visitor();
    await v.start();
    await v.signIn('5000001', '2468');
    await v.say("what's my balance?");
    await v.press('intent:invoice');
    const text = await (await v.call('/chat/transcript?format=text&timeZone=America/Toronto')).text();
    expect(text).toContain('times in America/Toronto');
    expect(text).toMatch(/You:\n {4}what's my balance\?/);
    expect(text).toContain(`Balance: ${await realBalance('5000001')}`);
    expect(text).toMatch(/You pressed “Latest invoice”/);
    expect(text).toMatch(/Attachment: inv-5000001-\d{4}-\d{2}\.pdf/);
    const pdf = await v.call('/chat/transcript?format=pdf');
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/attachment; filename="chat-transcript-\d{4}-\d{2}-\d{2}\.pdf"/);
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
    expect((await v.call('/chat/transcript?format=doc')).status).toBe(400);
  });

  it('lays out a transcript holding a word far wider than the page at once, cut across lines', async () => {
    const v = visitor();
    await v.start();
    const word = `${'a'.repeat(1000)}${'b'.repeat(999)}Z`;
    await v.say(word);
    const started = Date.now();
    const pdf = await v.call('/chat/transcript?format=pdf');
    // Measuring every prefix of such a word took 37–72 s and held up every other request meanwhile.
    expect(Date.now() - started).toBeLessThan(5000);
    const text = pdfText(new Uint8Array(await pdf.arrayBuffer())).replace(/\s+/g, '');
    expect(text).toContain(word);
  });

  it('answers an "after" beyond any message number with nothing newer, on every engine (no integer overflow)', async () => {
    const v = visitor();
    await v.start();
    await v.say('hi');
    for (const after of ['2147483647', '2147483648', '999999999999']) {
      const response = await v.call(`/chat/messages?after=${after}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { messages: unknown[] }).messages).toEqual([]);
    }
    expect((await v.call('/chat/messages?after=9999999999999')).status).toBe(400);
  });

  it('signs out: the token stops working', async () => {
    const v = visitor();
    await v.start();
    expect((await v.call('/chat/sign-out', { method: 'POST' })).status).toBe(200);
    expect((await v.call('/chat/messages')).status).toBe(401);
  });

  it('serves the demo portal page with the widget, the demo sign-ins escaped, under a policy allowing no inline script', async () => {
    const withDemo = world.service({}, [{ title: '<script>alert(1)</script>', lines: ['root account 5000001, PIN 2468', 'a "quote" & <tag>'] }]);
    const response = await withDemo.app.request('/');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await response.text();
    expect(page).toContain('<script src="/widget.js" data-title="Support Assistant" async></script>');
    expect(page).toContain('root account 5000001, PIN 2468');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('a &quot;quote&quot; &amp; &lt;tag&gt;');
    expect(page.match(/<script/g)).toHaveLength(1);
    const widget = await withDemo.app.request('/widget.js');
    expect(widget.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await widget.text()).toContain('attachShadow');
    const health = (await (await withDemo.app.request('/healthz')).json()) as { channels: Record<string, string> };
    expect(health.channels).toEqual({ slack: 'off', teams: 'off', web: 'on' });
  });

  it('describes every chat route in its OpenAPI 3.1 document, and every documented path answers as documented', async () => {
    const response = await service.app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(document.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        documented.add(`${method.toUpperCase()} ${path}`);
        const url = path.replace(/\{[^}]+\}/g, 'some-id');
        const answer = await service.app.request(url, { method: method.toUpperCase() });
        const codes = Object.keys(operation.responses);
        expect(answer.status === 404 && !codes.includes('404'), `${method} ${path} is not served`).toBe(false);
        expect(codes.includes(String(answer.status)) || codes.includes('default'), `${method} ${path} answered ${answer.status}, documented ${codes}`).toBe(true);
      }
    }
    // …and nothing the chat serves is left out.
    const served = service.app.routes
      .filter((r) => r.method !== 'ALL' && (r.path.startsWith('/chat') || r.path === '/widget.js'))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    for (const route of served) expect(documented, route).toContain(route);
  });
});

// Reaching people outside a request: an agent takes a conversation over, speaks and hands it back, and a
// message sent by the core reaches the person where they are — the web chat's socket, Slack's DM — with a
// failed delivery kept, with its reason, and retried with backoff where it may still work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinConversation, leaveConversation, sayAsAgent } from '../../src/conversation/agents.js';
import { validConversationId } from '../../src/conversation/conversation-store.js';
import { createOutbound } from '../../src/conversation/outbound.js';
import { createOutboundReportDelivery } from '../../src/conversation/report-delivery.js';
import { createReportScheduler, scheduleReport } from '../../src/domain/reports/index.js';
import { pdfRenderers } from '../../adapters/pdf/index.js';
import { loadStaffActor } from '../../src/domain/identity/index.js';
import type { StaffActor } from '../../src/domain/actor.js';
import { createDomainContext } from '../../src/domain/context.js';
import { ENGINES } from '../support/databases.js';
import { allText, dm, type SlackWorld, STAFF_USER, startSlackWorld } from '../slack/support.js';
import { type ChatWorld, createChatWorld, listen, SocketClient, Visitor } from '../webchat/support.js';

async function staff(world: { handle: ChatWorld['handle'] }, email: string): Promise<StaffActor> {
  const row = await world.handle.db.selectFrom('staff').select(['id', 'email', 'role']).where('email', '=', email).executeTakeFirstOrThrow();
  return { kind: 'staff', staffId: row.id, email: row.email, role: row.role };
}

describe('conversation ids', () => {
  it('takes any channel’s printable id up to 512 characters, and nothing else', () => {
    expect(validConversationId('19:meeting_abc@thread.v2;messageid=1712345678901')).toBe(true);
    expect(validConversationId(`a:${'x'.repeat(510)}`)).toBe(true);
    expect(validConversationId('x'.repeat(513))).toBe(false);
    expect(validConversationId('')).toBe(false);
    expect(validConversationId('bad\u0000id')).toBe(false);
    expect(validConversationId('line\nbreak')).toBe(false);
  });
});

describe.each(ENGINES)('an agent in a web chat, live, on %s', (engine) => {
  let world: ChatWorld;
  let server: Awaited<ReturnType<typeof listen>>;
  let service: ReturnType<ChatWorld['service']>;
  const sockets: SocketClient[] = [];

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

  it('joins, speaks and leaves; the customer’s open chat shows each at once, and the bot is quiet meanwhile', async () => {
    const v = new Visitor((path, init) => fetch(server.base + path, init));
    await v.start();
    await v.signIn('5000001', '2468');
    await v.say('I want to talk to a person');
    const socket = await SocketClient.open(server.base, server.base);
    sockets.push(socket);
    socket.send({ type: 'hello', token: v.token });
    await socket.until((frames) => frames.some((f) => f.type === 'ready'));
    const conversationId = (await world.handle.db.selectFrom('handoffs').select('conversation_id').where('status', '=', 'waiting').executeTakeFirstOrThrow()).conversation_id;
    const ctx = createDomainContext(world.handle, () => world.clock.now);
    const agent = await staff(world, 'agent@provider.example');

    // A customer can never take a conversation over.
    const customer = { kind: 'anonymous' } as const;
    expect((await joinConversation(ctx, service.outbound, customer, conversationId)).kind).toBe('forbidden');

    const joined = await joinConversation(ctx, service.outbound, agent, conversationId);
    expect(joined).toMatchObject({ kind: 'ok', sent: { kind: 'delivered' } });
    await socket.until(() => socket.messages().some((m) => (m as { event?: string }).event === 'agent_joined'));
    expect(socket.messages().at(-1)?.text).toMatch(/^Alex from support joined the conversation\.$/);
    // Another agent cannot take it from them.
    expect((await joinConversation(ctx, service.outbound, await staff(world, 'care@provider.example'), conversationId)).kind).toBe('conflict');

    // The agent types: the customer sees the typing dots, then the words.
    await service.outbound.working(conversationId, true);
    await socket.until(() => socket.frames.some((f) => f.type === 'typing' && f.on === true && socket.frames.indexOf(f) > socket.frames.findIndex((g) => (g.message as { event?: string } | undefined)?.event === 'agent_joined')));
    await sayAsAgent(ctx, service.outbound, agent, conversationId, 'Hi Priya, I can see your last invoice. What looks wrong?');
    await service.outbound.working(conversationId, false);
    await socket.until(() => socket.messages().some((m) => m.author === 'agent'));
    expect(socket.messages().at(-1)).toMatchObject({ author: 'agent', text: 'Hi Priya, I can see your last invoice. What looks wrong?' });

    // While the agent has it, the customer's words are kept for them and the bot only says so, once, unkept.
    const response = await v.call('/chat/messages', { method: 'POST', json: { text: 'the long distance charges' } });
    const body = (await response.json()) as { messages: { author: string }[]; notice?: string };
    expect(body.notice).toMatch(/support agent is with you/);
    expect(body.messages.map((m) => m.author)).toEqual(['user']);

    await leaveConversation(ctx, service.outbound, agent, conversationId);
    await socket.until(() => socket.messages().some((m) => (m as { event?: string }).event === 'agent_left'));
    expect((await v.say('what is my balance?')).at(-1)?.author).toBe('bot');
    const deliveries = await world.handle.db.selectFrom('deliveries').select(['status', 'channel']).where('conversation_id', '=', conversationId).execute();
    expect(deliveries).toEqual([
      { status: 'delivered', channel: 'web' },
      { status: 'delivered', channel: 'web' },
      { status: 'delivered', channel: 'web' },
    ]);
  }, 30_000);
});

describe.each(ENGINES)('a message outside a request, to Slack, on %s', (engine) => {
  let world: SlackWorld;
  beforeAll(async () => {
    world = await startSlackWorld(engine, { progressAfterMs: 0 });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  const dmConversation = async () => {
    await world.sendJson(dm('hi'));
    await world.settled();
    return `slack:T0DEMO:D0DEMODM:d:${STAFF_USER}`;
  };

  it('posts into the person’s DM with Slack’s Web API, files included', async () => {
    const conversationId = await dmConversation();
    world.slack.calls = [];
    const file = { filename: 'usage.csv', mediaType: 'text/csv' as const, content: new TextEncoder().encode('a,b\n1,2\n') };
    const sent = await world.service.outbound.send(conversationId, { text: 'Your weekly usage report is ready.', files: [file] });
    expect(sent.kind).toBe('delivered');
    const posts = world.slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.channel).toBe('D0DEMODM');
    expect(allText(posts[0])).toContain('Your weekly usage report is ready.');
    expect(world.slack.uploads.at(-1)?.bytes.toString()).toBe('a,b\n1,2\n');
  });

  it('keeps a failed delivery with its reason, retries what may work later with backoff, and never throws', async () => {
    const conversationId = await dmConversation();
    const clock = { now: new Date('2026-11-22T15:00:00.000Z') };
    const ctx = createDomainContext(world.handle, () => clock.now);
    const slackDeliverer = world.service.slack?.deliverer;
    if (!slackDeliverer) throw new Error('Slack is not running');
    const outbound = createOutbound(ctx, [slackDeliverer]);

    // Slack is briefly unavailable: kept as pending, tried again after the backoff, then delivered.
    world.slack.errorsNext['chat.postMessage'] = ['service_unavailable'];
    const first = await outbound.send(conversationId, { text: 'Ticket TT-104233 was escalated to urgent.' });
    expect(first).toMatchObject({ kind: 'pending', reason: 'service_unavailable' });
    expect(await outbound.retryDue()).toBe(0);
    clock.now = new Date(clock.now.getTime() + 31_000);
    world.slack.calls = [];
    expect(await outbound.retryDue()).toBe(1);
    expect(allText(world.slack.posts('chat.postMessage')[0])).toContain('TT-104233');
    const retried = await world.handle.db.selectFrom('deliveries').select(['status', 'attempts', 'last_error']).where('message_seq', '=', first.seq ?? -1).where('conversation_id', '=', conversationId).executeTakeFirstOrThrow();
    expect(retried).toEqual({ status: 'delivered', attempts: 2, last_error: null });

    // The person's channel is gone: failed at once, with Slack's reason, and not tried again.
    world.slack.errorsNext['chat.postMessage'] = ['channel_not_found'];
    const gone = await outbound.send(conversationId, { text: 'Your invoice is ready.' });
    expect(gone).toMatchObject({ kind: 'failed', reason: 'channel_not_found' });
    clock.now = new Date(clock.now.getTime() + 3_600_000);
    expect(await outbound.retryDue()).toBe(0);

    // A conversation that does not exist, or a channel not running here: an outcome, not a throw.
    expect(await outbound.send('slack:T0DEMO:nowhere:d:U0NOBODY', { text: 'x' })).toMatchObject({ kind: 'failed', reason: 'no such conversation' });
    const webOnly = createOutbound(ctx, []);
    expect(await webOnly.send(conversationId, { text: 'x' })).toMatchObject({ kind: 'failed', reason: 'the slack channel is not running here' });
  });

  it('delivers a staff member’s scheduled report into their Slack DM, the file uploaded', async () => {
    const conversationId = await dmConversation();
    const clock = { now: new Date('2026-11-22T15:00:00.000Z') };
    const ctx = createDomainContext(world.handle, () => clock.now);
    const care = await loadStaffActor(ctx, 'care@provider.example');
    if (!care) throw new Error('no care agent');
    const created = await scheduleReport(ctx, care, {
      reportId: 'long-distance-summary',
      accountNumber: '1002345',
      format: 'csv',
      frequency: 'daily',
      channel: 'slack',
      destination: 'care@provider.example',
    });
    if (created.kind !== 'ok') throw new Error(JSON.stringify(created));
    world.slack.calls = [];
    clock.now = new Date(Date.parse(created.value.nextRunAt) + 1000);
    const scheduler = createReportScheduler({ ctx, deliver: createOutboundReportDelivery(ctx, world.service.outbound), renderers: pdfRenderers });
    const runs = await scheduler.runDue();
    expect(runs).toEqual([expect.objectContaining({ scheduleId: created.value.id, outcome: 'delivered' })]);
    const post = world.slack.posts('chat.postMessage')[0];
    expect(post?.body.channel).toBe('D0DEMODM');
    expect(allText(post)).toContain('Your scheduled report \\"Long distance summary\\"');
    expect(world.slack.uploads.at(-1)?.bytes.toString()).toMatch(/^\ufeffAccount,Account name,Calls/);
    const stored = await world.handle.db.selectFrom('messages').select(['author', 'text']).where('conversation_id', '=', conversationId).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(stored.text).toMatch(/^Your scheduled report "Long distance summary"/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { ADMIN_AAD, expectValidMessage, messageActivity, personalChat, startTeamsWorld, type TeamsWorld, visibleText } from './support.js';

describe.each(ENGINES)('messages to Teams outside a request (%s)', (engine) => {
  let world: TeamsWorld;
  const admin = personalChat(ADMIN_AAD);
  const conversationId = `teams:${admin.conversation.id}`;
  beforeAll(async () => {
    world = await startTeamsWorld(engine);
    // The person has written once, so the bot knows where to reach them.
    await world.post(messageActivity(world.connector, admin, 'hello'));
  }, 60_000);
  afterAll(async () => world?.close());

  it('keeps the conversation reference as the conversation address', async () => {
    const row = await world.handle.db.selectFrom('conversations').select(['channel', 'external_ref']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(row.channel).toBe('teams');
    expect(JSON.parse(row.external_ref ?? '{}')).toMatchObject({ serviceUrl: world.connector.url, conversation: { id: admin.conversation.id } });
  });

  it('delivers outbound.send into the Teams conversation through the Bot Connector', async () => {
    const before = world.connector.calls.length;
    const outcome = await world.service.outbound.send(conversationId, {
      text: 'Ticket TT-104233 is now resolved.',
      cards: [{ title: 'TT-104233 · Calls dropping on the main line', fields: [{ label: 'Status', value: 'resolved' }] }],
    });
    expect(outcome.kind).toBe('delivered');
    const [sent] = world.connector.calls.slice(before);
    expect(sent?.method).toBe('POST');
    // botbuilder's continueConversation posts as a reply to its own continuation activity (a fresh id).
    expect(sent?.conversationId).toBe(admin.conversation.id);
    expect(visibleText(sent?.body ?? {})).toMatch(/now resolved[\s\S]*Status[\s\S]*resolved/);
    expectValidMessage(sent?.body ?? {});
  });

  it('shows progress as a Teams typing activity', async () => {
    const before = world.connector.calls.length;
    await world.service.outbound.working(conversationId, true);
    const sent = world.connector.calls.slice(before);
    expect(sent.map((c) => c.body.type)).toEqual(['typing']);
    expect(sent[0]?.conversationId).toBe(admin.conversation.id);
  });

  it('waits out a 429 from the Bot Connector and delivers once', async () => {
    const before = world.connector.calls.length;
    world.connector.throttleNext = 2;
    const outcome = await world.service.outbound.send(conversationId, { text: 'An outage is affecting your services in Toronto.' });
    expect(outcome.kind).toBe('delivered');
    expect(world.connector.throttled).toBeGreaterThanOrEqual(2);
    const sent = world.connector.calls.slice(before).filter((c) => c.body.text === 'An outage is affecting your services in Toronto.');
    expect(sent).toHaveLength(1);
  }, 30_000);

  it('records a conversation with no Teams address as failed, without trying again', async () => {
    await world.handle.db
      .insertInto('conversations')
      .values({
        id: 'teams:a:never-written',
        channel: 'teams',
        external_ref: null,
        portal_user_id: null,
        staff_id: null,
        account_in_focus_id: null,
        state: '{"misunderstandings":0}',
        state_version: 0,
        status: 'bot',
        created_at: '2026-11-22T15:00:00.000Z',
        updated_at: '2026-11-22T15:00:00.000Z',
      })
      .execute();
    const outcome = await world.service.outbound.send('teams:a:never-written', { text: 'Hello?' });
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/no Teams conversation reference/) });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import {
  ADMIN_AAD,
  cardsOf,
  expectValidMessage,
  membersAddedActivity,
  messageActivity,
  personalChat,
  STRANGER_AAD,
  startTeamsWorld,
  submitActivity,
  type TeamsWorld,
  visibleText,
} from './support.js';

describe.each(ENGINES)('the Teams bot in personal chat (%s)', (engine) => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld(engine);
  }, 60_000);
  afterAll(async () => world?.close());

  const admin = personalChat(ADMIN_AAD);

  it('reports Teams on in /healthz', async () => {
    const health = (await (await world.service.app.request('/healthz')).json()) as { channels: Record<string, string> };
    expect(health.channels.teams).toBe('on');
  });

  it('greets a person who adds the bot, with starters as buttons', async () => {
    const before = world.connector.calls.length;
    const response = await world.post(membersAddedActivity(world.connector, admin));
    expect(response.status).toBe(200);
    const [welcome] = world.connector.calls.slice(before);
    expect(welcome?.method).toBe('POST');
    expect(welcome?.conversationId).toBe(admin.conversation.id);
    expect(String(welcome?.body.text)).toContain('support assistant');
    expectValidMessage(welcome?.body ?? {});
  });

  it("answers the linked admin's balance question with a card in the same conversation", async () => {
    const before = world.connector.messages().length;
    const activity = messageActivity(world.connector, admin, "what's my balance");
    const response = await world.post(activity);
    expect(response.status).toBe(200);
    const sent = world.connector.messages().slice(before);
    expect(sent).toHaveLength(1);
    const reply = sent[0];
    expect(reply?.conversationId).toBe(admin.conversation.id);
    // A reply to the person's message goes to /activities/{their activity id}.
    expect(reply?.activityId).toBe(activity.id);
    expect(visibleText(reply?.body ?? {})).toMatch(/5000001|\$/);
    expectValidMessage(reply?.body ?? {});
  });

  it('takes a pressed Action.Submit button back into the conversation', async () => {
    const before = world.connector.messages().length;
    await world.post(messageActivity(world.connector, admin, "what's my balance"));
    const card = cardsOf(world.connector.messages()[before]?.body ?? {})[0] as { actions: { title: string; data: Record<string, unknown> }[] };
    const invoice = card.actions.find((a) => a.title === 'Latest invoice');
    expect(invoice?.data).toEqual({ action: expect.any(String) });
    await world.post(submitActivity(world.connector, admin, invoice?.data ?? {}, 'bot-activity-1'));
    const [reply] = world.connector.messages().slice(before + 1);
    expect(visibleText(reply?.body ?? {})).toMatch(/invoice/i);
    expectValidMessage(reply?.body ?? {});
  });

  it("lists the admin's open tickets", async () => {
    const before = world.connector.messages().length;
    await world.post(messageActivity(world.connector, admin, 'my open tickets'));
    const [reply] = world.connector.messages().slice(before);
    expect(visibleText(reply?.body ?? {})).toMatch(/TT-\d{6}/);
    expectValidMessage(reply?.body ?? {});
  });

  it('answers an unlinked Teams user with public things only', async () => {
    const stranger = personalChat(STRANGER_AAD, 'Somebody Else');
    const before = world.connector.messages().length;
    await world.post(messageActivity(world.connector, stranger, "what's my balance"));
    const [reply] = world.connector.messages().slice(before);
    const text = visibleText(reply?.body ?? {});
    expect(text).not.toMatch(/5000001/);
    expect(text).toMatch(/sign in|signed in|PIN/i);
    expectValidMessage(reply?.body ?? {});
  });

  it('acknowledges activity types it does not know and does nothing', async () => {
    const before = world.connector.calls.length;
    const response = await world.post({ ...messageActivity(world.connector, admin, ''), type: 'messageReaction', reactionsAdded: [{ type: 'like' }] });
    expect(response.status).toBe(200);
    expect(world.connector.calls.length).toBe(before);
  });
});

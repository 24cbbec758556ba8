import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { ADMIN_AAD, expectValidMessage, messageActivity, personalChat, STRANGER_AAD, startTeamsWorld, type TeamsWorld } from './support.js';

type Result = { composeExtension: { type: string; text?: string; attachments?: { contentType: string; content: Record<string, unknown>; preview: { content: { title: string } } }[] } };

describe.each(ENGINES)('the message extension search (%s)', (engine) => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld(engine);
  }, 60_000);
  afterAll(async () => world?.close());

  async function search(aad: string, query: string): Promise<Result> {
    const chat = personalChat(aad);
    const activity = {
      ...messageActivity(world.connector, chat, ''),
      type: 'invoke',
      name: 'composeExtension/query',
      value: { commandId: 'searchTicketsAndAccounts', parameters: [{ name: 'query', value: query }], queryOptions: { skip: 0, count: 25 } },
    };
    const response = await world.post(activity);
    expect(response.status).toBe(200);
    return (await response.json()) as Result;
  }

  it("finds the admin's tickets and accounts and never another organisation's", async () => {
    const mine = await search(ADMIN_AAD, 'northwind');
    const titles = mine.composeExtension.attachments?.map((a) => a.preview.content.title) ?? [];
    expect(titles.some((t) => t.startsWith('5000001'))).toBe(true);
    const theirs = await search(ADMIN_AAD, '1002345');
    expect(theirs.composeExtension.attachments?.map((a) => a.preview.content.title).filter((t) => t.includes('1002345'))).toEqual([]);
    const open = await search(ADMIN_AAD, '');
    expect(open.composeExtension.attachments?.length).toBeGreaterThan(0);
    for (const a of open.composeExtension.attachments ?? []) expectValidMessage({ attachments: [{ contentType: a.contentType, content: a.content }] });
    expect(world.connector.calls).toEqual([]);
  });

  it('tells an unlinked person to link their account', async () => {
    const result = await search(STRANGER_AAD, 'northwind');
    expect(result.composeExtension).toMatchObject({ type: 'message', text: expect.stringMatching(/isn't linked/) });
  });
});

describe.each(ENGINES)('the message extension "Open a ticket from this message" (%s)', (engine) => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld(engine);
  }, 60_000);
  afterAll(async () => world?.close());

  function invoke(name: string, value: Record<string, unknown>) {
    return world.post({ ...messageActivity(world.connector, personalChat(ADMIN_AAD), ''), type: 'invoke', name, value });
  }

  it('opens the form prefilled from the message, and opens the ticket when it is submitted', async () => {
    const fetched = await invoke('composeExtension/fetchTask', {
      commandId: 'openTicketFromMessage',
      commandContext: 'message',
      messagePayload: { body: { contentType: 'html', content: '<p>Fax line 416-555-0100 is dead</p><p>Since 9am, all calls fail &amp; no dial tone.</p>' } },
    });
    const task = ((await fetched.json()) as { task: { type: string; value: { card: { contentType: string; content: { body: Record<string, unknown>[] } } } } }).task;
    expect(task.type).toBe('continue');
    expectValidMessage({ attachments: [task.value.card] });
    const inputs = Object.fromEntries(task.value.card.content.body.map((i) => [i.id, i]));
    expect(inputs.title?.value).toBe('Fax line 416-555-0100 is dead');
    expect(inputs.description?.value).toBe('Fax line 416-555-0100 is dead\nSince 9am, all calls fail & no dial tone.');
    const accounts = ((inputs.account?.choices ?? []) as { value: string }[]).map((c) => c.value);
    expect(accounts).toContain('5000001');
    expect(accounts).not.toContain('1002345');

    const submitted = await invoke('composeExtension/submitAction', {
      commandId: 'openTicketFromMessage',
      data: { account: '5000001', title: 'Fax line 416-555-0100 is dead', description: 'Since 9am, all calls fail.', priority: 'high', contact: 'email' },
    });
    const said = ((await submitted.json()) as { task: { type: string; value: string } }).task;
    expect(said.value).toMatch(/^Opened TT-\d{6} on account 5000001\.$/);
    const number = /TT-\d{6}/.exec(said.value)?.[0] ?? '';
    const row = await world.handle.db.selectFrom('tickets').select(['title', 'priority']).where('number', '=', number).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: 'Fax line 416-555-0100 is dead', priority: 'high' });
  });

  it("refuses another organisation's account and opens nothing", async () => {
    const count = async () => Number((await world.handle.db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const submitted = await invoke('composeExtension/submitAction', {
      commandId: 'openTicketFromMessage',
      data: { account: '1002345', title: 'Not mine', description: 'Trying', priority: 'high', contact: 'email' },
    });
    expect(((await submitted.json()) as { task: { value: string } }).task.value).toMatch(/No ticket was opened\.$/);
    expect(await count()).toBe(before);
  });
});

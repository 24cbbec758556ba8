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

// A signed Slack request captured and sent again within its 5-minute window is not run twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../adapters/slack/verify.js';
import { ENGINES } from '../support/databases.js';
import { SIGNING_SECRET, type SlackWorld, slashCommand, startSlackWorld } from './support.js';

describe.each(ENGINES)('a replayed Slack request on %s', (engine) => {
  let world: SlackWorld;
  beforeAll(async () => {
    world = await startSlackWorld(engine, { progressAfterMs: 0 });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  /** The exact request again: same body, same timestamp, same signature. */
  const captured = (body: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(SIGNING_SECRET, Number(timestamp), body),
    };
    return () => world.service.app.request('/slack/events', { method: 'POST', headers, body });
  };

  it('runs a slash command once, however often the signed request is sent again', async () => {
    const send = captured(new URLSearchParams(slashCommand(world.slack.url, 'balance 1002345')).toString());
    const before = await world.handle.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send()).status);
    await world.settled();
    // Slack gets its 200 each time; only the first is answered and stored.
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(world.slack.hooks()).toHaveLength(1);
    const after = await world.handle.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(2);
    // The same command typed again is a new request (Slack signs it anew) and is answered.
    const again = captured(new URLSearchParams(slashCommand(world.slack.url, 'balance 1002345')).toString());
    expect((await again()).status).toBe(200);
    await world.settled();
    expect(world.slack.hooks()).toHaveLength(2);
  });
});

import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { ADMIN_AAD, messageActivity, personalChat, startTeamsWorld, type TeamsWorld } from './support.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';

/** A token shaped like the Bot Connector's, signed with a key of our own (so no real signature matches). */
function forgedToken(issuer: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = part({ alg: 'RS256', typ: 'JWT', kid: 'forged-key' });
  const payload = part({ iss: issuer, aud: APP_ID, serviceurl: 'http://127.0.0.1:1/', nbf: now - 60, exp: now + 3600 });
  const signature = createHmac('sha256', 'not-microsoft').update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

describe.each(ENGINES)('the Teams bot with an app id configured (%s)', (engine) => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld(engine, { appId: APP_ID, appPassword: 'not-a-real-secret' });
  }, 60_000);
  afterAll(async () => world?.close());

  async function conversationsStored() {
    const rows = await world.handle.db.selectFrom('conversations').select('id').where('channel', '=', 'teams').execute();
    return rows.length;
  }

  it.each([
    ['no Authorization header', {}, [401]],
    ['a token from an unknown issuer', { authorization: `Bearer ${forgedToken('https://evil.example/')}` }, [401]],
    // Checking its signature needs the Bot Framework's keys: unknown key → 401; offline (as in CI) → 503.
    ['a token claiming the Bot Framework as issuer', { authorization: `Bearer ${forgedToken('https://api.botframework.com')}` }, [401, 503]],
    ['a malformed token', { authorization: 'Bearer not.a.jwt' }, [401]],
  ])('refuses an activity with %s, and the engine never runs', async (_name, headers, statuses) => {
    const activity = messageActivity(world.connector, personalChat(ADMIN_AAD), "what's my balance");
    const response = await world.post(activity, headers);
    expect(statuses).toContain(response.status);
    expect(world.connector.calls).toEqual([]);
    expect(await conversationsStored()).toBe(0);
  }, 30_000);
});

describe.each(ENGINES)('the Teams bot in local mode, with no app id (%s)', (engine) => {
  let world: TeamsWorld;
  beforeAll(async () => {
    world = await startTeamsWorld(engine);
  }, 60_000);
  afterAll(async () => world?.close());

  /** A request as @hono/node-server hands it over, from a connection at `address`. */
  const fromAddress = (activity: Record<string, unknown>, address: string) =>
    world.service.app.request(
      '/api/messages',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) },
      { incoming: { socket: { remoteAddress: address, remotePort: 50_000, remoteFamily: address.includes(':') ? 'IPv6' : 'IPv4' } } },
    );

  it('answers this machine only: another machine could otherwise claim to be any linked Teams user', async () => {
    const activity = messageActivity(world.connector, personalChat(ADMIN_AAD), "what's my balance");
    for (const address of ['203.0.113.9', '192.168.1.20', 'fd00::2']) {
      const refused = await fromAddress(activity, address);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/local mode/);
    }
    expect(world.connector.calls).toEqual([]);
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      expect((await fromAddress(activity, address)).status).toBe(200);
    }
    expect(world.connector.calls.length).toBeGreaterThan(0);
  }, 30_000);
});

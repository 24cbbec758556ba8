// The Slack app as Slack calls it, on every engine: signed requests shaped like Slack's against the real app,
// with a local HTTP server standing in for the Web API (SLACK_API_URL) and for response_url.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_HELP, REFUSAL, WORKING } from '../../adapters/slack/index.js';
import { signSlackRequest } from '../../adapters/slack/verify.js';
import { computeBalance } from '../../src/domain/billing/index.js';
import { ENGINES } from '../support/databases.js';
import {
  AS_OF,
  allText,
  blockActions as blockActionsFor,
  type Button,
  dm,
  eventCallback,
  SIGNING_SECRET,
  type SlackWorld,
  STAFF_USER,
  STRANGER,
  slashCommand,
  startSlackWorld,
  TEAM,
  BOT_TOKEN,
  BOT_ID,
  BOT_USER,
} from './support.js';

describe.each(ENGINES)('Slack events, commands and interactivity (%s)', (engine) => {
  let world: SlackWorld;

  beforeAll(async () => {
    world = await startSlackWorld(engine);
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  beforeEach(() => {
    world.slack.calls = [];
  });

  const send = (...args: Parameters<SlackWorld['send']>) => world.send(...args);
  const sendJson = (payload: unknown, headers: Record<string, string> = {}) => world.sendJson(payload, headers);
  const sendForm = (fields: Record<string, string>) => world.sendForm(fields);
  const blockActions = (button: Button) => blockActionsFor(world.slack.url, button);

  it('is on in /healthz', async () => {
    const health = (await (await world.service.app.request('/healthz')).json()) as { channels: { slack: string } };
    expect(health.channels.slack).toBe('on');
  });

  it('answers the url_verification challenge', async () => {
    const response = await sendJson({ token: 'x', challenge: 'c-3f2a9', type: 'url_verification' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'c-3f2a9' });
  });

  it('answers a direct message with the real balance, in blocks, through chat.postMessage', async () => {
    const response = await sendJson(dm('balance 1002345'));
    expect(response.status).toBe(200);
    await world.settled();
    const posts = world.slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    const post = posts[0];
    expect(post?.auth).toBe(`Bearer ${BOT_TOKEN}`);
    expect(post?.body.channel).toBe('D0DEMODM');
    expect(post?.body.thread_ts).toBeUndefined();
    const account = await world.handle.db
      .selectFrom('accounts')
      .selectAll()
      .where('number', '=', '1002345')
      .executeTakeFirstOrThrow();
    const balance = await computeBalance(world.handle.db, account, AS_OF);
    const blocks = allText(post);
    expect(Array.isArray(post?.body.blocks)).toBe(true);
    expect(blocks).toContain('Acme HQ');
    // The balance shown is the one the ledger holds.
    const dollars = (Math.abs(balance.balanceCents) / 100).toLocaleString('en-US', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    expect(blocks).toContain(dollars);
  });

  it('answers an app_mention in its thread', async () => {
    await sendJson(
      eventCallback({
        type: 'app_mention',
        channel: 'C0DEMOCARE',
        user: STAFF_USER,
        text: '<@U0BOT> outages toronto',
        ts: '1700000500.000300',
        team: TEAM,
      }),
    );
    await world.settled();
    const posts = world.slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.channel).toBe('C0DEMOCARE');
    expect(posts[0]?.body.thread_ts).toBe('1700000500.000300');
  });

  it('acks a slash command with "working on it", then answers through response_url', async () => {
    const response = await sendForm({
      token: 'legacy',
      team_id: TEAM,
      team_domain: 'demo',
      channel_id: 'C0DEMOCARE',
      channel_name: 'care',
      user_id: STAFF_USER,
      user_name: 'casey',
      command: '/support',
      text: 'balance 1002345',
      api_app_id: 'A0TEST',
      response_url: `${world.slack.url}/hooks/commands/T0DEMO/1/abc`,
      trigger_id: '1.2.3',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response_type: 'ephemeral', text: WORKING });
    await world.settled();
    const hooks = world.slack.hooks();
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.body.response_type).toBe('ephemeral');
    expect(hooks[0]?.body.replace_original).toBe(true);
    expect(allText(hooks[0])).toContain('Acme');
  });

  it('sends a button press back into the conversation, and a retried event opens one ticket', async () => {
    const before = await countTickets();
    // The same event three times (Slack retrying), answered with the question for confirmation once.
    const event = dm('the phones are down at acme, please open a ticket on 1002345');
    for (const retry of [undefined, '1', '2']) {
      const response = await sendJson(
        event,
        retry ? { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' } : {},
      );
      expect(response.status).toBe(200);
    }
    await world.settled();
    let posts = world.slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    // Walk the dialog by pressing the buttons it offers (and answering its questions) until it confirms.
    for (let step = 0; step < 6; step += 1) {
      const blocks = (posts.at(-1)?.body.blocks ?? []) as {
        type: string;
        block_id?: string;
        elements?: { value: string; action_id: string; text: { text: string } }[];
      }[];
      const buttons = blocks
        .filter((b) => b.type === 'actions')
        .flatMap((b) => (b.elements ?? []).map((e) => ({ ...e, block_id: b.block_id })));
      const confirm = buttons.find((b) => /confirm|yes|open/i.test(b.text.text)) ?? buttons[0];
      if (!confirm) break;
      world.slack.calls = [];
      const response = await sendForm({ payload: JSON.stringify(blockActions(confirm)) });
      expect(response.status).toBe(200);
      await world.settled();
      posts = world.slack.posts('chat.postMessage');
      expect(posts).toHaveLength(1);
      expect(posts[0]?.body.channel).toBe('D0DEMODM');
      if ((await countTickets()) > before) {
        // The same press delivered again (a double click, a re-sent payload) opens nothing more.
        await sendForm({ payload: JSON.stringify(blockActions(confirm)) });
        await world.settled();
        break;
      }
    }
    expect(await countTickets()).toBe(before + 1);

    // The same event id yet again (a late retry) does nothing.
    world.slack.calls = [];
    await sendJson(event, { 'x-slack-retry-num': '3', 'x-slack-retry-reason': 'http_timeout' });
    await world.settled();
    expect(world.slack.calls).toHaveLength(0);
    expect(await countTickets()).toBe(before + 1);
  });

  it('waits out a 429 with Retry-After, and the message still arrives', async () => {
    world.slack.rateLimitNext = 1;
    const started = Date.now();
    await sendJson(dm('outages toronto'));
    await world.settled();
    expect(world.slack.rateLimitNext).toBe(0);
    expect(world.slack.posts('chat.postMessage')).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  }, 20_000);

  it('waits out a 429 on a response_url too, and the slash command’s answer still arrives', async () => {
    world.slack.rateLimitHooksNext = 1;
    await sendForm(slashCommand(world.slack.url, 'balance 1002345'));
    await world.settled();
    expect(world.slack.rateLimitHooksNext).toBe(0);
    const hooks = world.slack.hooks();
    expect(hooks).toHaveLength(1);
    expect(allText(hooks[0])).toContain('Acme');
  }, 20_000);

  it('uploads a PDF into the thread with files.getUploadURLExternal and files.completeUploadExternal', async () => {
    world.slack.uploads = [];
    await sendJson(
      eventCallback({
        type: 'app_mention',
        channel: 'C0DEMOCARE',
        user: STAFF_USER,
        text: '<@U0BOT> long distance summary for account 1002345 last month as pdf',
        ts: '1700000900.000300',
        team: TEAM,
      }),
    );
    await world.settled();
    expect(world.slack.posts('chat.postMessage')).toHaveLength(1);
    expect(world.slack.posts('files.upload')).toHaveLength(0);
    const asked = world.slack.posts('files.getUploadURLExternal');
    expect(asked).toHaveLength(1);
    expect(String(asked[0]?.body.filename)).toMatch(/\.pdf$/);
    expect(world.slack.uploads).toHaveLength(1);
    const pdf = world.slack.uploads[0]?.bytes ?? Buffer.alloc(0);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-8).toString('latin1')).toContain('%%EOF');
    expect(Number(asked[0]?.body.length)).toBe(pdf.length);
    const completed = world.slack.posts('files.completeUploadExternal');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.body.channel_id).toBe('C0DEMOCARE');
    expect(completed[0]?.body.thread_ts).toBe('1700000900.000300');
  }, 30_000);

  it('forgets event ids after a day, and remembers the recent ones', async () => {
    const at = (hours: number) => new Date(Date.parse(`${AS_OF}T15:00:00.000Z`) - hours * 3_600_000).toISOString();
    // A fresh service forgets on its first new event.
    const fresh = await startSlackWorld(engine);
    try {
      await fresh.handle.db
        .insertInto('idempotency_keys')
        .values([
          { scope: 'slack-event', key: 'Ev0ANCIENT', result: '{}', created_at: at(25) },
          { scope: 'slack-event', key: 'Ev0RECENT', result: '{}', created_at: at(2) },
        ])
        .execute();
      await fresh.sendJson(dm('outages toronto'));
      await fresh.settled();
      const kept = await fresh.handle.db
        .selectFrom('idempotency_keys')
        .select('key')
        .where('scope', '=', 'slack-event')
        .execute();
      const keys = kept.map((k) => k.key);
      expect(keys).toContain('Ev0RECENT');
      expect(keys).not.toContain('Ev0ANCIENT');
      expect(keys.length).toBe(2);
    } finally {
      await fresh.close();
    }
  }, 60_000);

  it('refuses a bad signature with 401 and posts nothing', async () => {
    const tampered = await send(
      JSON.stringify(dm('balance 1002345')),
      'application/json',
      {},
      'wrong-secret-wrong-secret-wrong',
    );
    expect(tampered.status).toBe(401);
    const body = JSON.stringify(dm('balance 1002345'));
    const unsigned = await world.service.app.request('/slack/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const stale = await world.service.app.request('/slack/events', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(old),
        'x-slack-signature': signSlackRequest(SIGNING_SECRET, old, body),
      },
      body,
    });
    expect(stale.status).toBe(401);
    await world.settled();
    expect(world.slack.calls).toHaveLength(0);
  });

  it('refuses a Slack user who is not linked to staff, politely and privately', async () => {
    const response = await sendJson(dm('balance 1002345', STRANGER));
    expect(response.status).toBe(200);
    await world.settled();
    expect(world.slack.posts('chat.postMessage')).toHaveLength(0);
    const ephemeral = world.slack.posts('chat.postEphemeral');
    expect(ephemeral).toHaveLength(1);
    expect(ephemeral[0]?.body.user).toBe(STRANGER);
    expect(ephemeral[0]?.body.text).toBe(REFUSAL);

    const command = await sendForm({
      team_id: TEAM,
      channel_id: 'C0DEMOCARE',
      user_id: STRANGER,
      command: '/support',
      text: 'balance 1002345',
      response_url: `${world.slack.url}/hooks/commands/x`,
    });
    expect(await command.json()).toEqual({ response_type: 'ephemeral', text: REFUSAL });
  });

  it('answers malformed payloads with 400 and no stack', async () => {
    const response = await send('{not json', 'application/json');
    expect(response.status).toBe(400);
    expect(await response.text()).not.toMatch(/at .*\.ts/);
  });

  it('answers /support with no text, and any other command, with help text', async () => {
    const empty = await sendForm(slashCommand(world.slack.url, ''));
    expect(await empty.json()).toEqual({ response_type: 'ephemeral', text: COMMAND_HELP });
    const help = await sendForm(slashCommand(world.slack.url, 'help'));
    expect(await help.json()).toEqual({ response_type: 'ephemeral', text: COMMAND_HELP });
    const other = await sendForm(slashCommand(world.slack.url, 'balance 1002345', STAFF_USER, '/billing'));
    const body = (await other.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('/support balance 1002345');
    await world.settled();
    expect(world.slack.calls).toHaveLength(0);
  });

  it('ignores its own messages and message edits, and answers ssl_check', async () => {
    await sendJson(
      eventCallback({
        type: 'message',
        channel: 'D0DEMODM',
        user: BOT_USER,
        bot_id: BOT_ID,
        text: 'balance 1002345',
        ts: '1700003000.000100',
        channel_type: 'im',
        team: TEAM,
      }),
    );
    await sendJson(
      eventCallback({
        type: 'message',
        subtype: 'message_changed',
        channel: 'D0DEMODM',
        channel_type: 'im',
        ts: '1700003001.000100',
        team: TEAM,
      }),
    );
    await world.settled();
    expect(world.slack.calls).toHaveLength(0);
    const ssl = await send(
      new URLSearchParams({ ssl_check: '1', token: 'legacy' }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(ssl.status).toBe(200);
  });

  it('documents /slack/events in /openapi.json', async () => {
    const doc = (await (await world.service.app.request('/openapi.json')).json()) as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    };
    expect(Object.keys(doc.paths['/slack/events']?.post?.responses ?? {}).sort()).toEqual(['200', '400', '401']);
  });

  it('answers oversized and malformed requests with 400, no stack and nothing done', async () => {
    const big = await sendJson({ ...dm('balance 1002345'), padding: 'x'.repeat(300 * 1024) });
    expect(big.status).toBe(400);
    const badPayload = await sendForm({ payload: '{"type": "block_actions", ' });
    expect(badPayload.status).toBe(400);
    const noType = await sendForm({ payload: JSON.stringify({ actions: [] }) });
    expect(noType.status).toBe(400);
    const unknownForm = await sendForm({ something: 'else' });
    expect(unknownForm.status).toBe(400);
    const noEventId = await sendJson({ ...dm('balance 1002345'), event_id: undefined });
    expect(noEventId.status).toBe(400);
    for (const response of [big, badPayload, noType, unknownForm, noEventId]) {
      const text = await response.text();
      expect(text).not.toMatch(/\bat .*\.(ts|js)/);
      expect(JSON.parse(text).error.code).toBe('bad_request');
    }
    await world.settled();
    expect(world.slack.calls).toHaveLength(0);
  });

  it('acknowledges before the work is done: the 200 comes back while the answer is still being posted', async () => {
    world.slack.delays = { '/api/chat.postMessage': 1500, '/hooks/': 1500 };
    try {
      await sendJson(dm('balance 1002345'));
      const eventAckedAt = Date.now();
      const command = await sendForm(slashCommand(world.slack.url, 'balance 1002345'));
      const commandAckedAt = Date.now();
      expect(await command.json()).toEqual({ response_type: 'ephemeral', text: WORKING });
      await world.settled();
      const posted = world.slack.posts('chat.postMessage')[0];
      const hooked = world.slack.hooks()[0];
      expect(posted?.answeredAt).toBeGreaterThan(eventAckedAt);
      expect(hooked?.answeredAt).toBeGreaterThan(commandAckedAt);
    } finally {
      world.slack.delays = {};
    }
  }, 30_000);

  it('refuses a chunked body over 256 KB without reading it all', async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(120);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 3200)
          controller.close(); // 200 MB, if anyone read it all
        else controller.enqueue(chunk);
      },
    });
    const response = await world.service.app.request(
      new Request('http://localhost/slack/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: endless,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(400);
    expect(pulled).toBeLessThan(20);
  });

  async function countTickets() {
    const row = await world.handle.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
});

describe('Slack with the Web API unreachable', () => {
  it('still acknowledges at once: a slash command gets its help text', async () => {
    // Port 9 (discard) on localhost: nothing listens, so every Web API call fails.
    const world = await startSlackWorld('sqlite', { apiUrl: 'http://127.0.0.1:9/api/' });
    try {
      const response = await world.sendForm(slashCommand(world.slack.url, 'help'));
      expect(await response.json()).toEqual({ response_type: 'ephemeral', text: COMMAND_HELP });
      const refused = await world.sendForm(slashCommand(world.slack.url, 'balance 1002345', STRANGER));
      expect(await refused.json()).toEqual({ response_type: 'ephemeral', text: REFUSAL });
      await world.settled();
    } finally {
      await world.close();
    }
  }, 60_000);
});

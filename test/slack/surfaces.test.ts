// Slack's own tools, as Slack calls them, on every engine: modals (escalate with priority and reason; open a
// ticket), the "Open a ticket from this message" shortcut with its account menu (options), the App Home tab,
// the in-place progress message for slow answers, private delivery of a slash command's files, and the
// audit trail naming the Slack user.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WORKING } from '../../adapters/slack/index.js';
import { ENGINES } from '../support/databases.js';
import {
  allText,
  blockActions,
  buttonsIn,
  homeActions,
  dm,
  eventCallback,
  STAFF_USER,
  STRANGER,
  type SlackWorld,
  slashCommand,
  startSlackWorld,
  TEAM,
} from './support.js';

type ViewJson = {
  type: string;
  callback_id?: string;
  private_metadata?: string;
  title?: { text: string };
  blocks: { type: string; block_id?: string; text?: { text: string }; element?: Record<string, unknown> }[];
};

describe.each(ENGINES)('Slack modals, shortcut, App Home and progress (%s)', (engine) => {
  let world: SlackWorld;

  beforeAll(async () => {
    // Every answer shows the progress message first, so the in-place update is always exercised.
    world = await startSlackWorld(engine, { progressAfterMs: 0 });
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  beforeEach(() => {
    world.slack.calls = [];
    world.slack.uploads = [];
  });

  const db = () => world.handle.db;
  const openedView = () => world.slack.posts('views.open').at(-1)?.body.view as ViewJson | undefined;

  /** A view_submission of `view` with the given input values, as Slack posts it. */
  function submission(
    view: ViewJson,
    values: Record<string, Record<string, unknown>>,
    viewId = `V0SUB${Math.random().toString(36).slice(2, 10)}`,
    user = STAFF_USER,
  ) {
    return {
      type: 'view_submission',
      team: { id: TEAM, domain: 'demo' },
      user: { id: user, username: 'casey', name: 'casey', team_id: TEAM },
      api_app_id: 'A0TEST',
      token: 'legacy',
      trigger_id: '4.5.6',
      view: {
        id: viewId,
        team_id: TEAM,
        type: 'modal',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata ?? '',
        hash: '1700000000.abc',
        title: view.title,
        blocks: view.blocks,
        state: { values },
        app_id: 'A0TEST',
        bot_id: 'B0BOT',
      },
      response_urls: [],
    };
  }

  const select = (value: string) => ({
    value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } },
  });
  const text = (value: string) => ({ value: { type: 'plain_text_input', value } });

  it('replaces "Working on it…" in place with the answer, then uploads the file into the same DM', async () => {
    await world.sendJson(dm('long distance summary for account 1002345 last month as pdf'));
    await world.settled();
    const posts = world.slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body.text).toBe(WORKING);
    const updates = world.slack.posts('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body.channel).toBe('D0DEMODM');
    // The same message (its ts from chat.postMessage) now holds the answer.
    expect(updates[0]?.body.ts).toMatch(/^\d+\.000100$/);
    expect(allText(updates[0])).toMatch(/Long distance summary|long distance summary/i);
    expect(world.slack.uploads).toHaveLength(1);
    expect(world.slack.uploads[0]?.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(world.slack.posts('files.completeUploadExternal')[0]?.body.channel_id).toBe('D0DEMODM');
  }, 30_000);

  it('replaces "Working on it…" with an apology when the answer fails, rather than leaving it standing', async () => {
    await sql`alter table messages rename to messages_away`.execute(world.handle.db);
    try {
      await world.sendJson(dm('balance 1002345'));
      await world.settled();
    } finally {
      await sql`alter table messages_away rename to messages`.execute(world.handle.db);
    }
    expect(world.slack.posts('chat.postMessage').map((p) => p.body.text)).toEqual([WORKING]);
    const updates = world.slack.posts('chat.update');
    expect(updates).toHaveLength(1);
    expect(String(updates[0]?.body.text)).toMatch(/^Sorry — something went wrong/);
  });

  it('replaces a slash command’s "Working on it…" with an apology when the answer fails', async () => {
    await sql`alter table messages rename to messages_away`.execute(world.handle.db);
    try {
      const acked = await world.sendForm(slashCommand(world.slack.url, 'balance 1002345'));
      expect(await acked.json()).toEqual({ response_type: 'ephemeral', text: WORKING });
      await world.settled();
    } finally {
      await sql`alter table messages_away rename to messages`.execute(world.handle.db);
    }
    const hook = world.slack.hooks().at(-1);
    expect(hook?.body).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(String(hook?.body.text)).toMatch(/^Sorry — something went wrong/);
  });

  it('answers a colleague pressing a button in someone else’s thread privately, and leaves the thread alone', async () => {
    const thread = `slack:${TEAM}:C0DEMOCARE:t:1700004000.000100:${STAFF_USER}`;
    const press = blockActions(
      world.slack.url,
      { action_id: 'reply_action:q.0', value: 'intent:balance', text: { text: 'Balance' }, block_id: `${thread}|q.0` },
      { channel: 'C0DEMOCARE', user: 'U0DEMOAGENT' },
    );
    expect((await world.sendPayload(press)).status).toBe(200);
    await world.settled();
    expect(world.slack.posts('chat.postMessage')).toHaveLength(0);
    const hook = world.slack.hooks().at(-1);
    expect(hook?.body.response_type).toBe('ephemeral');
    expect(String(hook?.body.text)).toContain(`<@${STAFF_USER}>'s conversation`);
  });

  it('escalates through the modal: priority and reason, once, audited with the Slack user', async () => {
    await world.sendJson(dm('show ticket TT-104233'));
    await world.settled();
    const answer = world.slack.posts('chat.update').at(-1);
    const escalate = buttonsIn(answer?.body.blocks).find((b) => b.action_id.startsWith('open_escalate_modal'));
    expect(escalate?.value).toBe('TT-104233');

    world.slack.calls = [];
    const press = blockActions(world.slack.url, escalate as NonNullable<typeof escalate>);
    const pressed = await world.sendPayload(press);
    expect(pressed.status).toBe(200);
    await world.settled();
    const modal = openedView();
    expect(modal?.callback_id).toBe('escalate_ticket');
    expect(world.slack.posts('views.open')[0]?.body.trigger_id).toBe(press.trigger_id);
    const priorityOptions = (modal?.blocks.find((b) => b.block_id === 'priority')?.element?.options ?? []) as {
      value: string;
    }[];
    // Only priorities above the ticket's current "high".
    expect(priorityOptions.map((o) => o.value)).toEqual(['critical']);

    // Too short a reason: the modal shows the error on the field and nothing changes.
    const refused = await world.sendPayload(
      submission(modal as ViewJson, { priority: select('critical'), reason: text('x') }),
    );
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringMatching(/why/i) },
    });
    const before = await db()
      .selectFrom('tickets')
      .select('priority')
      .where('number', '=', 'TT-104233')
      .executeTakeFirstOrThrow();
    expect(before.priority).toBe('high');

    world.slack.calls = [];
    const payload = submission(
      modal as ViewJson,
      { priority: select('critical'), reason: text('Whole office offline since 9am') },
      'V0ESCALATE1',
    );
    const accepted = await world.sendPayload(payload);
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toBe('');
    // The same submission again (a retry) escalates nothing more.
    await world.sendPayload(payload);
    await world.settled();

    const ticket = await db()
      .selectFrom('tickets')
      .selectAll()
      .where('number', '=', 'TT-104233')
      .executeTakeFirstOrThrow();
    expect(ticket.priority).toBe('critical');
    const escalations = await db()
      .selectFrom('ticket_escalations')
      .selectAll()
      .where('ticket_id', '=', ticket.id)
      .execute();
    expect(escalations.filter((e) => e.reason === 'Whole office offline since 9am')).toHaveLength(1);
    const audit = await db()
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'escalate_ticket')
      .where('target', '=', 'ticket:TT-104233')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({
      from: 'high',
      to: 'critical',
      via: `slack:${TEAM}:${STAFF_USER}`,
    });
    // The outcome is said in the conversation the button was in.
    const said = world.slack.posts('chat.postMessage');
    expect(said[0]?.body.channel).toBe('D0DEMODM');
    expect(allText(said[0])).toContain('TT-104233');
    expect(allText(said[0])).toContain('critical');
  }, 30_000);

  it('answers "escalate" on a closed ticket with a clear ephemeral note and opens no form', async () => {
    const press = blockActions(world.slack.url, {
      action_id: 'open_escalate_modal:c0.0',
      value: 'TT-104198',
      text: { text: 'Escalate…' },
      block_id: `slack:${TEAM}:D0DEMODM:d:${STAFF_USER}|c0`,
    });
    const response = await world.sendPayload(press);
    expect(response.status).toBe(200);
    await world.settled();
    expect(world.slack.posts('views.open')).toHaveLength(0);
    const hooks = world.slack.hooks();
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.body.response_type).toBe('ephemeral');
    expect(String(hooks[0]?.body.text)).toMatch(/TT-104198 is closed.*can't be escalated/);
  });

  it('opens a ticket from a message in a public channel: prefilled form, account menu, DM to the staff member only', async () => {
    const shortcut = {
      type: 'message_action',
      callback_id: 'open_ticket_from_message',
      trigger_id: '7.8.9',
      team: { id: TEAM, domain: 'demo' },
      user: { id: STAFF_USER, username: 'casey', team_id: TEAM },
      channel: { id: 'C0PUBLIC', name: 'general' },
      message: {
        type: 'message',
        user: 'U0SOMEONE',
        ts: '1700001234.000500',
        text: 'Acme says their hunt group stopped ringing\nSince the storm this morning, all calls go to voicemail.',
      },
      message_ts: '1700001234.000500',
      response_url: `${world.slack.url}/hooks/shortcut/1`,
      token: 'legacy',
      action_ts: '1700001240.000100',
      is_enterprise_install: false,
    };
    const opened = await world.sendPayload(shortcut);
    expect(opened.status).toBe(200);
    await world.settled();
    const modal = openedView() as ViewJson;
    expect(modal.callback_id).toBe('create_ticket');
    expect(world.slack.posts('views.open')[0]?.body.trigger_id).toBe('7.8.9');
    const initial = (id: string) => modal.blocks.find((b) => b.block_id === id)?.element?.initial_value;
    expect(initial('title')).toBe('Acme says their hunt group stopped ringing');
    expect(initial('description')).toContain('all calls go to voicemail');

    // The account menu: staff search every account by name.
    const suggestion = await world.sendPayload({
      type: 'block_suggestion',
      user: { id: STAFF_USER, username: 'casey', team_id: TEAM },
      team: { id: TEAM, domain: 'demo' },
      api_app_id: 'A0TEST',
      token: 'legacy',
      action_id: 'ticket_account',
      block_id: 'account',
      value: 'acme',
      view: { id: 'V0CREATE1', type: 'modal', callback_id: 'create_ticket' },
    });
    expect(suggestion.status).toBe(200);
    const options = ((await suggestion.json()) as { options: { text: { text: string }; value: string }[] }).options;
    expect(options.map((o) => o.value)).toContain('1002345');
    expect(options.every((o) => /acme/i.test(o.text.text))).toBe(true);

    // No account picked: the form says so on the field.
    const noAccount = await world.sendPayload(
      submission(modal, {
        title: text('Hunt group down'),
        description: text('All calls to voicemail'),
        priority: select('high'),
        contact: select('phone'),
      }),
    );
    expect(await noAccount.json()).toEqual({ response_action: 'errors', errors: { account: expect.any(String) } });

    world.slack.calls = [];
    const count = async () =>
      Number(
        (
          await db()
            .selectFrom('tickets')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const created = await world.sendPayload(
      submission(
        modal,
        {
          account: {
            ticket_account: {
              type: 'external_select',
              selected_option: { text: { type: 'plain_text', text: '1002345 · Acme HQ' }, value: '1002345' },
            },
          },
          title: text('Hunt group stopped ringing'),
          description: text('Since the storm this morning, all calls go to voicemail.'),
          priority: select('high'),
          contact: select('phone'),
        },
        'V0CREATE1',
      ),
    );
    expect(created.status).toBe(200);
    await world.settled();
    expect(await count()).toBe(before + 1);
    const ticket = await db().selectFrom('tickets').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ title: 'Hunt group stopped ringing', priority: 'high', preferred_contact: 'phone' });
    const posts = world.slack.posts('chat.postMessage');
    expect(posts).toHaveLength(1);
    // Said privately to the staff member, never into the channel the message came from.
    expect(posts[0]?.body.channel).toBe(STAFF_USER);
    expect(allText(posts[0])).toContain(ticket.number);
    expect(world.slack.calls.some((c) => c.body.channel === 'C0PUBLIC' || c.body.channel_id === 'C0PUBLIC')).toBe(
      false,
    );
    const audit = await db()
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'create_ticket')
      .where('target', '=', `ticket:${ticket.number}`)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details ?? '{}').via).toBe(`slack:${TEAM}:${STAFF_USER}`);
  }, 30_000);

  it('publishes an App Home with open high-priority tickets, current outages and handoffs', async () => {
    await world.handle.db
      .insertInto('conversations')
      .values({
        id: 'web:home-test',
        channel: 'web',
        external_ref: null,
        portal_user_id: null,
        staff_id: null,
        account_in_focus_id: null,
        state: '{}',
        state_version: 0,
        status: 'handoff_waiting',
        created_at: '2026-11-22T14:00:00.000Z',
        updated_at: '2026-11-22T14:00:00.000Z',
      })
      .execute();
    await world.handle.db
      .insertInto('handoffs')
      .values({
        conversation_id: 'web:home-test',
        reason: 'wants to dispute a charge',
        status: 'waiting',
        agent_staff_id: null,
        requested_at: '2026-11-22T14:05:00.000Z',
        accepted_at: null,
        returned_at: null,
      })
      .execute();
    await world.sendJson(
      eventCallback({
        type: 'app_home_opened',
        user: STAFF_USER,
        channel: 'D0DEMODM',
        tab: 'home',
        event_ts: '1700002000.000100',
      }),
    );
    await world.settled();
    const published = world.slack.posts('views.publish');
    expect(published).toHaveLength(1);
    expect(published[0]?.body.user_id).toBe(STAFF_USER);
    const view = published[0]?.body.view as ViewJson;
    expect(view.type).toBe('home');
    const home = JSON.stringify(view.blocks);
    const highOpen = await db()
      .selectFrom('tickets')
      .select('number')
      .where('priority', 'in', ['high', 'critical'])
      .where('status', 'in', ['open', 'in_progress', 'pending_customer'])
      .execute();
    expect(highOpen.length).toBeGreaterThan(0);
    for (const t of highOpen.slice(0, 15)) expect(home).toContain(t.number);
    expect(home).toContain(`High-priority open tickets (${highOpen.length})`);
    const outages = await db().selectFrom('outages').select('reference').where('status', '!=', 'resolved').execute();
    for (const o of outages) expect(home).toContain(o.reference);
    expect(home).toContain('wants to dispute a charge');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    // Every ticket button opens the escalation form.
    for (const b of buttonsIn(view.blocks).filter((x) => x.action_id !== 'open_create_ticket_modal'))
      expect(b.action_id).toMatch(/^open_escalate_modal:TT-/);

    // The Home's cross-customer lists are look-ups too: audited with the Slack user.
    const audited = await db()
      .selectFrom('audit_log')
      .selectAll()
      .where('action', 'in', ['list_tickets', 'list_handoffs'])
      .execute();
    expect(audited.map((a) => a.action).sort()).toEqual(expect.arrayContaining(['list_handoffs', 'list_tickets']));
    for (const a of audited) expect(JSON.parse(a.details ?? '{}').via).toBe(`slack:${TEAM}:${STAFF_USER}`);

    // Someone not linked to staff sees only the refusal.
    world.slack.calls = [];
    await world.sendJson(
      eventCallback({
        type: 'app_home_opened',
        user: STRANGER,
        channel: 'D0OTHER',
        tab: 'home',
        event_ts: '1700002001.000100',
      }),
    );
    await world.settled();
    const stranger = JSON.stringify(world.slack.posts('views.publish')[0]?.body.view);
    expect(stranger).toContain("isn't linked to a staff record");
    expect(stranger).not.toContain('TT-');
  });

  it('opens the ticket form from the App Home button, and an escalate press there on a closed ticket says why in a modal', async () => {
    await world.sendPayload(
      homeActions(world.slack.url, {
        action_id: 'open_create_ticket_modal',
        value: 'new',
        text: { text: 'Open a ticket' },
      }),
    );
    await world.settled();
    expect(openedView()?.callback_id).toBe('create_ticket');

    world.slack.calls = [];
    await world.sendPayload(
      homeActions(world.slack.url, {
        action_id: 'open_escalate_modal:TT-104198',
        value: 'TT-104198',
        text: { text: 'Escalate…' },
      }),
    );
    await world.settled();
    const notice = openedView();
    expect(notice?.callback_id).toBeUndefined();
    expect(JSON.stringify(notice?.blocks)).toMatch(/TT-104198 is closed/);
  });

  it('escalates from the App Home and publishes the Home again with the new priority', async () => {
    await world.sendJson(
      eventCallback({
        type: 'app_home_opened',
        user: STAFF_USER,
        channel: 'D0DEMODM',
        tab: 'home',
        event_ts: '1700002100.000100',
      }),
    );
    await world.settled();
    const home = world.slack.posts('views.publish').at(-1)?.body.view as ViewJson;
    const button = buttonsIn(home.blocks).find((b) => b.action_id.startsWith('open_escalate_modal:'));
    expect(button).toBeDefined();
    const number = button?.value ?? '';
    world.slack.calls = [];
    await world.sendPayload(homeActions(world.slack.url, button as NonNullable<typeof button>));
    await world.settled();
    const modal = openedView() as ViewJson;
    expect(modal.callback_id).toBe('escalate_ticket');
    world.slack.calls = [];
    const done = await world.sendPayload(
      submission(modal, { priority: select('critical'), reason: text('Customer escalated by phone') }),
    );
    expect(done.status).toBe(200);
    await world.settled();
    const ticket = await db()
      .selectFrom('tickets')
      .select('priority')
      .where('number', '=', number)
      .executeTakeFirstOrThrow();
    expect(ticket.priority).toBe('critical');
    // Said privately (no conversation behind the Home), and the Home shows the new priority.
    expect(world.slack.posts('chat.postMessage')[0]?.body.channel).toBe(STAFF_USER);
    const again = JSON.stringify(world.slack.posts('views.publish').at(-1)?.body.view);
    expect(again).toContain(`*${number}* · critical`);
  });

  it('keeps a slash command private through its questions: /support tickets acme, then the account button', async () => {
    await world.sendForm(slashCommand(world.slack.url, 'tickets acme'));
    await world.settled();
    const question = world.slack.hooks().at(-1);
    expect(question?.body.response_type).toBe('ephemeral');
    const hq = buttonsIn(question?.body.blocks).find((b) => b.value.endsWith(':1002345'));
    expect(hq).toBeDefined();
    world.slack.calls = [];
    const press = blockActions(world.slack.url, hq as NonNullable<typeof hq>, {
      channel: 'C0DEMOCARE',
      ephemeral: true,
    });
    expect((await world.sendPayload(press)).status).toBe(200);
    await world.settled();
    const answer = world.slack.hooks().at(-1);
    expect(answer?.body.response_type).toBe('ephemeral');
    const open = await db()
      .selectFrom('tickets')
      .innerJoin('accounts', 'accounts.id', 'tickets.account_id')
      .select('tickets.number')
      .where('accounts.number', '=', '1002345')
      .where('tickets.status', 'in', ['open', 'in_progress', 'pending_customer'])
      .execute();
    expect(open.length).toBeGreaterThan(0);
    for (const t of open.slice(0, 5)) expect(allText(answer)).toContain(t.number);
    // Nothing about the customer went into the channel itself.
    expect(world.slack.posts('chat.postMessage')).toHaveLength(0);
  });

  it('sends a slash command’s file to the person’s DM, never into the channel, and audits the look-up with the Slack user', async () => {
    const lastAudit = await db()
      .selectFrom('audit_log')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    const response = await world.sendForm(
      slashCommand(world.slack.url, 'long distance summary for account 1002345 last month as csv'),
    );
    expect(response.status).toBe(200);
    await world.settled();
    const completed = world.slack.posts('files.completeUploadExternal');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.body.channel_id).toBe(`D0DM${STAFF_USER}`);
    expect(world.slack.calls.some((c) => c.body.channel === 'C0DEMOCARE' || c.body.channel_id === 'C0DEMOCARE')).toBe(
      false,
    );
    const hook = world.slack.hooks().at(-1);
    expect(hook?.body.response_type).toBe('ephemeral');
    expect(allText(hook)).toContain('direct message');

    const account = await db()
      .selectFrom('accounts')
      .select('id')
      .where('number', '=', '1002345')
      .executeTakeFirstOrThrow();
    const reads = await db()
      .selectFrom('audit_log')
      .selectAll()
      .where('account_id', '=', account.id)
      .where('actor_kind', '=', 'staff')
      .where('id', '>', Number(lastAudit.id ?? 0))
      .execute();
    // This command's own look-ups (not earlier tests'), each naming the Slack user.
    expect(reads.map((r) => r.action)).toContain('run_report:long-distance-summary');
    expect(reads.every((r) => JSON.parse(r.details ?? '{}').via === `slack:${TEAM}:${STAFF_USER}`)).toBe(true);
  }, 30_000);
});

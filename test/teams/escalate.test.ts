import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import {
  ADMIN_AAD,
  cardsOf,
  expectValidMessage,
  invokeActivity,
  messageActivity,
  personalChat,
  startTeamsWorld,
  submitActivity,
  type TeamsWorld,
  TENANT,
  visibleText,
} from './support.js';

type Json = Record<string, unknown>;

/** The Escalate button's form on a ticket card: the ShowCard, and the data its Submit sends. */
function escalateForm(card: Json): { inputs: string[]; data: Json } {
  const show = ((card.actions ?? []) as Json[]).find((a) => a.type === 'Action.ShowCard' && a.title === 'Escalate');
  expect(show, 'the ticket card has an Escalate form').toBeDefined();
  const inner = show?.card as Json;
  const submit = (inner.actions as Json[])[0] as Json;
  return { inputs: (inner.body as Json[]).map((i) => String(i.id)), data: submit.data as Json };
}

describe.each(ENGINES)('escalating a ticket from Teams (%s)', (engine) => {
  let world: TeamsWorld;
  const admin = personalChat(ADMIN_AAD);
  beforeAll(async () => {
    world = await startTeamsWorld(engine);
  }, 60_000);
  afterAll(async () => world?.close());

  async function ticketOnAccount(accountNumber: string, statuses: string[], priorities = ['low', 'medium', 'high']) {
    const row = await world.handle.db
      .selectFrom('tickets')
      .innerJoin('accounts', 'accounts.id', 'tickets.account_id')
      .select(['tickets.number', 'tickets.priority', 'tickets.status', 'tickets.id'])
      .where('accounts.number', 'in', accountNumber === '5000001' ? ['5000001', '5000002', '5000003', '5000004', '5000005'] : [accountNumber])
      .where('tickets.status', 'in', statuses as never[])
      .where('tickets.priority', 'in', priorities as never[])
      .orderBy('tickets.number', 'desc')
      .executeTakeFirstOrThrow();
    return row;
  }

  /** Asks for a ticket and returns the card message the bot sent (its id, as the connector gave it). */
  async function showTicket(number: string): Promise<{ id: string; card: Json }> {
    const before = world.connector.messages().length;
    await world.post(messageActivity(world.connector, admin, `status of ticket ${number}`));
    const sent = world.connector.messages().slice(before);
    const message = sent.find((m) => cardsOf(m.body).length > 0);
    expect(message, `a card for ${number}`).toBeDefined();
    expectValidMessage(message?.body ?? {});
    const index = world.connector.messages().indexOf(message as never);
    return { id: `bot-activity-${index + 1}`, card: cardsOf(message?.body ?? {})[0] as Json };
  }

  async function historyOf(ticketId: number) {
    return world.handle.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
  }

  it('escalates through the card: the ticket changes, its history names the Teams user, and the card updates in place', async () => {
    const ticket = await ticketOnAccount('5000001', ['open', 'in_progress'], ['low', 'medium', 'high']);
    const shown = await showTicket(ticket.number);
    const form = escalateForm(shown.card);
    expect(form.inputs).toEqual(['priority', 'reason']);
    const before = world.connector.calls.length;
    const response = await world.post(
      submitActivity(world.connector, admin, { ...form.data, priority: 'critical', reason: 'Head office phones down since this morning' }, shown.id),
    );
    expect(response.status).toBe(200);
    const calls = world.connector.calls.slice(before);
    const said = calls.find((c) => c.method === 'POST' && c.body.type === 'message');
    expect(said?.body.text).toBe(`Escalated ${ticket.number} to critical priority.`);
    expectValidMessage(said?.body ?? {});
    const updated = calls.find((c) => c.method === 'PUT');
    expect(updated?.activityId).toBe(shown.id);
    expect(visibleText(updated?.body ?? {})).toMatch(/critical/);
    expect(visibleText(updated?.body ?? {})).toMatch(/by Priya Raman in Teams, 2026-11-22 15:00 UTC/);
    expectValidMessage(updated?.body ?? {});

    const row = await world.handle.db.selectFrom('tickets').select('priority').where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(row.priority).toBe('critical');
    const last = (await historyOf(ticket.id)).at(-1);
    expect(last).toMatchObject({ kind: 'escalated', to_value: 'critical', actor_label: 'admin@northwind.example', note: 'Head office phones down since this morning' });
    const audit = await world.handle.db.selectFrom('audit_log').selectAll().where('target', '=', `ticket:${ticket.number}`).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details ?? '{}').via).toBe(`teams:${TENANT}:${ADMIN_AAD}`);
  });

  it('answers an adaptiveCard/action invoke with the updated card in its response', async () => {
    const ticket = await ticketOnAccount('5000001', ['open', 'in_progress', 'pending_customer'], ['low', 'medium']);
    const shown = await showTicket(ticket.number);
    const form = escalateForm(shown.card);
    const response = await world.post(invokeActivity(world.connector, admin, { ...form.data, priority: 'high', reason: 'Customer escalated by phone' }, shown.id));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { statusCode: number; type: string; value: Json };
    expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expectValidMessage({ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: body.value }] });
    expect(JSON.stringify(body.value)).toMatch(/"high"/);
    const row = await world.handle.db.selectFrom('tickets').select('priority').where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(row.priority).toBe('high');
  });

  it('escalates by asking in words, confirmed with the card\'s button', async () => {
    const ticket = await ticketOnAccount('5000001', ['open', 'in_progress', 'pending_customer'], ['low', 'medium', 'high']);
    const before = world.connector.messages().length;
    await world.post(messageActivity(world.connector, admin, `escalate ticket ${ticket.number} to critical, the whole office has no dial tone`));
    const [asked] = world.connector.messages().slice(before);
    expectValidMessage(asked?.body ?? {});
    const buttons = cardsOf(asked?.body ?? {}).flatMap((c) => (c.actions ?? []) as Json[]);
    const confirm = buttons.find((b) => /confirm|yes|escalate/i.test(String(b.title)) && b.type === 'Action.Submit');
    expect(confirm, `a confirmation button in ${visibleText(asked?.body ?? {})}`).toBeDefined();
    await world.post(submitActivity(world.connector, admin, confirm?.data as Json, 'bot-activity-1'));
    const [done] = world.connector.messages().slice(before + 1);
    expect(visibleText(done?.body ?? {})).toMatch(new RegExp(`${ticket.number}[\\s\\S]*critical`));
    const row = await world.handle.db.selectFrom('tickets').select('priority').where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect(row.priority).toBe('critical');
    expect((await historyOf(ticket.id)).at(-1)).toMatchObject({ kind: 'escalated', actor_label: 'admin@northwind.example' });
  });

  describe('a tampered card submit gets a clear message and changes nothing', () => {
    async function submitAndExpect(data: Json, ticketId: number | null, message: RegExp) {
      const before = world.connector.calls.length;
      const events = ticketId === null ? [] : await historyOf(ticketId);
      const priority = ticketId === null ? null : (await world.handle.db.selectFrom('tickets').select('priority').where('id', '=', ticketId).executeTakeFirstOrThrow()).priority;
      const response = await world.post(submitActivity(world.connector, admin, data, 'bot-activity-1'));
      expect(response.status).toBe(200);
      const calls = world.connector.calls.slice(before);
      expect(calls.filter((c) => c.method === 'PUT')).toEqual([]);
      const said = calls.find((c) => c.body.type === 'message');
      expect(visibleText(said?.body ?? {})).toMatch(message);
      expectValidMessage(said?.body ?? {});
      if (ticketId !== null) {
        expect(await historyOf(ticketId)).toEqual(events);
        expect((await world.handle.db.selectFrom('tickets').select('priority').where('id', '=', ticketId).executeTakeFirstOrThrow()).priority).toBe(priority);
      }
    }

    it("on another organisation's ticket", async () => {
      const theirs = await ticketOnAccount('1002345', ['open', 'in_progress'], ['low', 'medium']);
      await submitAndExpect({ form: `escalate_ticket/${theirs.number}`, priority: 'critical', reason: 'Trying my luck' }, theirs.id, /can't find|not|permission/i);
    });

    it('on a closed ticket', async () => {
      const closed = await ticketOnAccount('5000001', ['closed', 'resolved'], ['low', 'medium', 'high']);
      await submitAndExpect({ form: `escalate_ticket/${closed.number}`, priority: 'critical', reason: 'Still broken' }, closed.id, /can't be escalated/);
    });

    it('with the priority or the reason missing', async () => {
      const ticket = await ticketOnAccount('5000001', ['open', 'in_progress', 'pending_customer'], ['low', 'medium', 'high']);
      await submitAndExpect({ form: `escalate_ticket/${ticket.number}`, reason: 'No priority given' }, ticket.id, /pick the new priority/);
      await submitAndExpect({ form: `escalate_ticket/${ticket.number}`, priority: 'critical' }, ticket.id, /say why/);
    });

    it('with a form the core did not write', async () => {
      const ticket = await ticketOnAccount('5000001', ['open', 'in_progress', 'pending_customer'], ['low', 'medium', 'high']);
      await submitAndExpect({ form: `escalate_ticket/${ticket.number}/extra`, priority: 'critical', reason: 'Altered' }, ticket.id, /changed or is out of date/);
      await submitAndExpect({ form: 'delete_everything/now', priority: 'critical', reason: 'Altered' }, null, /changed or is out of date/);
    });
  });
});

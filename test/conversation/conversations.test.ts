// Scripted multi-turn conversations that mix requests, interruptions and follow-ups, as people really talk:
// each one checks what the person reads (the real amounts, account and ticket numbers, computed from the
// domain rather than copied) and what the database holds afterwards (the rows written, or for refusals and
// cancellations, nothing at all).
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServices } from '../../adapters/runtime/chat-services.js';
import type { ChatReportRequest } from '../../src/conversation/dialog/turn.js';
import { formatDate, formatMoney, formatPhone } from '../../src/conversation/format.js';
import type { Reply } from '../../src/conversation/reply.js';
import * as domain from '../../src/domain/index.js';
import { ENGINES } from '../support/databases.js';
import { anonymous, type Chat, Chat as ChatOf, createWorld, customer, NOW, staff, type World } from './support.js';

/** The tables a conversation can write to: every "nothing was written" compares all of them. */
const WRITTEN = ['payments', 'tickets', 'ticket_escalations', 'contacts', 'portal_users', 'handoffs', 'scheduled_reports'] as const;
type Written = (typeof WRITTEN)[number];
type Snapshot = Record<Written, number>;

/** "Here is what I can do" in any of its wordings. */
const CAN_DO = /can help with|I can (help|check|tell)/i;
const NOT_KEPT = /did not keep|not kept|never stored|removed/i;
const LONG_PASTE = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. '.repeat(50).slice(0, 4096);

function buttons(reply: Reply) {
  return [...(reply.quickReplies ?? []), ...(reply.cards ?? []).flatMap((c) => c.actions ?? [])];
}
function labels(chat: Chat): string[] {
  return buttons(chat.last).map((b) => b.label);
}
/** Presses the button whose label matches (the wording of labels is not fixed). */
async function pressLike(chat: Chat, pattern: RegExp): Promise<Reply> {
  const found = buttons(chat.last).find((b) => pattern.test(b.label));
  if (!found) throw new Error(`no button matching ${pattern} in ${JSON.stringify(labels(chat))} (reply: ${chat.last.text})`);
  return chat.press(found.label);
}
/** The reply answers the interruption and offers the question set aside: "Back to …" in words and as a button. */
function expectBackOffer(chat: Chat, what: RegExp): void {
  expect(chat.last.text).toMatch(/Back to/);
  expect(labels(chat).filter((l) => /^Back to/.test(l) && what.test(l))).toHaveLength(1);
}
function expectConfirmation(chat: Chat): void {
  expect(labels(chat)).toEqual(expect.arrayContaining(['Confirm', 'Cancel']));
}
function expectNoConfirmation(chat: Chat): void {
  expect(labels(chat)).not.toContain('Confirm');
}

describe.each(ENGINES)('conversations on %s', (engine) => {
  let world: World;
  let admin: domain.CustomerActor;
  let ap: domain.CustomerActor;
  let acme: domain.CustomerActor;
  let ticketSeq = 0;

  beforeAll(async () => {
    world = await createWorld(engine);
    admin = (await domain.loadCustomerActor(world.ctx, 'admin@northwind.example')) as domain.CustomerActor;
    ap = (await domain.loadCustomerActor(world.ctx, 'ap@northwind.example')) as domain.CustomerActor;
    acme = (await domain.loadCustomerActor(world.ctx, 'admin@acme.example')) as domain.CustomerActor;
  }, 120_000);
  afterAll(async () => {
    await world?.drop();
  });

  // ---- facts from the domain, never copied from a reply ----

  const ok = <T>(result: { kind: 'ok'; value: T } | { kind: string }): T => {
    if (result.kind !== 'ok') throw new Error(`domain said ${JSON.stringify(result)}`);
    return (result as { value: T }).value;
  };
  const balanceOf = async (accountNumber: string, who: domain.Actor = admin) =>
    ok(await domain.getAccountBalance(world.ctx, who, { accountNumber }));
  const methodsOf = async (accountNumber: string) => ok(await domain.listPaymentMethods(world.ctx, admin, { accountNumber }));
  const invoiceOf = async (accountNumber: string, month: string) => ok(await domain.getInvoice(world.ctx, admin, { accountNumber, month }));
  const money = (cents: number, currency = 'CAD') => formatMoney(cents, currency);
  const expectedReport = async (request: Partial<ChatReportRequest> & Pick<ChatReportRequest, 'reportId' | 'accountNumber' | 'from' | 'to'>) => {
    const services = createChatServices();
    const result = await services.runChatReport?.(world.ctx, admin, { includeChildren: false, timeZone: 'America/Toronto', format: null, limit: null, ...request });
    if (result?.kind !== 'ok') throw new Error(`report ${request.reportId}: ${JSON.stringify(result)}`);
    return result;
  };
  const OCTOBER = { from: '2026-10-01', to: '2026-10-31' };
  const SEPTEMBER = { from: '2026-09-01', to: '2026-09-30' };

  // ---- what the database holds ----

  const snapshot = async (): Promise<Snapshot> => {
    const counts = {} as Snapshot;
    for (const table of WRITTEN) {
      const row = await world.handle.db
        .selectFrom(table as 'payments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    return counts;
  };
  const plus = (before: Snapshot, changes: Partial<Snapshot>): Snapshot => {
    const after = { ...before };
    for (const [table, n] of Object.entries(changes) as [Written, number][]) after[table] += n;
    return after;
  };
  const accountId = async (number: string) =>
    (await world.handle.db.selectFrom('accounts').select('id').where('number', '=', number).executeTakeFirstOrThrow()).id;
  const db = () => world.handle.db;
  /** The newest row of a table a conversation writes to. */
  const latest = {
    payment: () => db().selectFrom('payments').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow(),
    contact: () => db().selectFrom('contacts').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow(),
    ticket: () => db().selectFrom('tickets').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow(),
    escalation: () => db().selectFrom('ticket_escalations').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow(),
    schedule: () => db().selectFrom('scheduled_reports').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow(),
    user: () => db().selectFrom('portal_users').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow(),
  };
  const ticketRow = (number: string) => world.handle.db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
  const stateOf = async (chat: Chat) => {
    const row = await world.handle.db.selectFrom('conversations').select('state').where('id', '=', chat.id).executeTakeFirstOrThrow();
    return JSON.parse(row.state) as { pending?: unknown; confirmation?: unknown; suspended?: unknown };
  };
  /** Everything stored for a conversation: every message's text and payload. */
  const storedMessages = async (chat: Chat) => {
    const rows = await world.handle.db.selectFrom('messages').select(['text', 'payload']).where('conversation_id', '=', chat.id).orderBy('seq').execute();
    return rows.map((r) => `${r.text}\n${r.payload ?? ''}`).join('\n');
  };
  /** A new open ticket of Northwind's, so escalations never depend on which test ran first. */
  const freshTicket = async (priority: 'low' | 'medium', accountNumber = '5000007') => {
    ticketSeq += 1;
    const created = await domain.createTicket(world.ctx, admin, {
      accountNumber,
      title: `Voicemail greeting cannot be changed (${ticketSeq})`,
      description: 'The voicemail greeting cannot be changed from the handset.',
      preferredContact: 'email',
      priority,
      idempotencyKey: `conversations-${engine}-fresh-${ticketSeq}`,
    });
    return ok(created).number;
  };

  // =====================================================================================================
  // 1. Interruptions, and answers that must fit the question
  // =====================================================================================================

  it('answers "how much do we owe?" while a contact name is awaited, goes back to it, and takes an email with a trailing full stop without the dot', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('add a new contact');
    expect(chat.last.text).toMatch(/name/i);
    await chat.say('how much do we owe?');
    const root = await balanceOf('5000001');
    expect(chat.last.text).toContain(money(root.balanceCents));
    expect(chat.last.text).toContain('5000001');
    expectBackOffer(chat, /contact/i);
    expect(await snapshot()).toEqual(before);
    await pressLike(chat, /^Back to/);
    expect(chat.last.text).toMatch(/name/i);
    await chat.say('Aisha Khan');
    expect(chat.last.text).toMatch(/Aisha Khan/);
    await chat.press('Billing');
    expect(chat.last.text).toMatch(/email|phone/i);
    await chat.say('aisha.khan@northwind.example.');
    expect(chat.last.text).toMatch(/Aisha Khan/);
    expect(chat.last.text).toMatch(/aisha\.khan@northwind\.example(?![.\w])/);
    expect(chat.last.text).not.toMatch(/aisha\.khan@northwind\.example\./);
    expectConfirmation(chat);
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    expect(await snapshot()).toEqual(plus(before, { contacts: 1 }));
    const row = await latest.contact();
    expect(row).toMatchObject({ name: 'Aisha Khan', email: 'aisha.khan@northwind.example', role: 'billing', account_id: await accountId('5000001') });
  });

  it('re-asks the set-aside contact question on a plain "yes", and a "cancel" then writes nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('add a new contact');
    expect(chat.last.text).toMatch(/name/i);
    await chat.say('how much do we owe?');
    expect(chat.last.text).toContain(money((await balanceOf('5000001')).balanceCents));
    expectBackOffer(chat, /contact/i);
    await chat.say('yes');
    expect(chat.last.text).toMatch(/name/i);
    expect(chat.last.text).not.toContain(money((await balanceOf('5000001')).balanceCents));
    await chat.say('cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    expect((await stateOf(chat)).pending).toBeUndefined();
    expect(await snapshot()).toEqual(before);
  });

  it('takes "change our billing address to 100 Front St W…" during a contact question as its own request (never as a name), and offers the contact again once it is done', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('add a new contact on 5000008');
    expect(chat.last.text).toMatch(/name/i);
    await chat.say('change our billing address to 100 Front St W, Toronto ON M5J 1E3');
    expect(chat.last.text).toMatch(/100 Front St W/);
    expect(chat.last.text).toContain('5000008');
    expect(chat.last.text).not.toMatch(/role/i);
    expectConfirmation(chat);
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    const account = await world.handle.db.selectFrom('accounts').select(['billing_street', 'billing_city', 'billing_postal_code']).where('number', '=', '5000008').executeTakeFirstOrThrow();
    expect(account).toEqual({ billing_street: '100 Front St W', billing_city: 'Toronto', billing_postal_code: 'M5J 1E3' });
    // The contact that was being added is not forgotten.
    expectBackOffer(chat, /contact/i);
    await pressLike(chat, /^Back to/);
    expect(chat.last.text).toMatch(/name/i);
    await chat.say('cancel');
    expect(await snapshot()).toEqual(before);
  });

  it('answers an outage question in the middle of a payment, comes back on "yes", and "no" at the confirmation pays nothing', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    const before = await snapshot();
    const toronto = await domain.listPublicOutages(world.ctx, ap, { city: 'Toronto' });
    const outage = toronto.value[0];
    if (!outage) throw new Error('the demo data has an outage in Toronto');
    await chat.say('I want to pay my bill');
    expect(chat.last.text).toMatch(/How much/i);
    expect(chat.last.text).toContain(money((await balanceOf('5000002', ap)).balanceCents));
    await chat.say('are there any outages in Toronto?');
    expect(chat.shown).toContain(outage.title);
    expectBackOffer(chat, /payment/i);
    await chat.say('yes');
    expect(chat.last.text).toMatch(/How much/i);
    await chat.say('$20');
    expect(chat.last.text).toMatch(/Pay \$20\.00 to 5000002/);
    expectConfirmation(chat);
    await chat.say('no');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses "high" as the reason for an escalation but keeps it as the priority, with a balance question in between', async () => {
    const ticket = await freshTicket('low');
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say(`escalate ${ticket}`);
    expect(chat.last.text).toMatch(new RegExp(`Why does ${ticket} need escalating`));
    await chat.say('how much do we owe?');
    expect(chat.last.text).toContain(money((await balanceOf('5000001')).balanceCents));
    expectBackOffer(chat, /escalation/i);
    await pressLike(chat, /^Back to/);
    expect(chat.last.text).toMatch(new RegExp(`Why does ${ticket} need escalating`));
    await chat.say('high');
    expect(chat.last.text).toMatch(/sentence|reason|why/i);
    expectNoConfirmation(chat);
    expect(await snapshot()).toEqual(before);
    expect((await ticketRow(ticket)).priority).toBe('low');
    await chat.say('Our whole office cannot get voicemail for a week now');
    expect(chat.last.text).toMatch(new RegExp(`${ticket} from low to high`));
    expect(chat.last.text).toMatch(/cannot get voicemail for a week now/);
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(new RegExp(`${ticket}.*high`));
    expect(await snapshot()).toEqual(plus(before, { ticket_escalations: 1 }));
    expect((await ticketRow(ticket)).priority).toBe('high');
    expect(await latest.escalation()).toMatchObject({ from_priority: 'low', to_priority: 'high', reason: 'Our whole office cannot get voicemail for a week now' });
  });

  it('says a name is expected after an emoji and after a sentence, then offers "Start over" and "Talk to a person"; starting over writes nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('add a new contact');
    expect(chat.last.text).toMatch(/name/i);
    await chat.say('😀😀');
    expect(chat.last.text).toMatch(/name/i);
    expectNoConfirmation(chat);
    await chat.say('I think we should probably add someone from the billing team to this account please');
    expect(labels(chat)).toEqual(expect.arrayContaining(['Start over', 'Talk to a person']));
    expect(chat.last.text).not.toMatch(/role/i);
    await chat.press('Start over');
    expect(chat.last.text).toMatch(/start over/i);
    expect((await stateOf(chat)).pending).toBeUndefined();
    await chat.say('who are the contacts on 5000001?');
    const contacts = ok(await domain.listContacts(world.ctx, admin, { accountNumber: '5000001' }));
    expect(chat.last.cards?.[0]?.table?.rows.length).toBe(contacts.length);
    expect(await snapshot()).toEqual(before);
  });

  it('offers a person after two answers that are not amounts, and pressing it hands over without paying', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    const before = await snapshot();
    await chat.say('make a payment');
    expect(chat.last.text).toMatch(/How much/i);
    await chat.say('🙂');
    expect(chat.last.text).toMatch(/amount/i);
    expectNoConfirmation(chat);
    await chat.say('the blue one');
    expect(labels(chat)).toEqual(expect.arrayContaining(['Start over', 'Talk to a person']));
    await chat.press('Talk to a person');
    expect(chat.last.handoff).toEqual({ status: 'waiting' });
    expect(await snapshot()).toEqual(plus(before, { handoffs: 1 }));
  });

  it('does not take a sentence for a name, then adds the contact with the name, role and email (an email ending in "!" is taken without it)', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('add a new contact on 5000003');
    expect(chat.last.text).toMatch(/name/i);
    await chat.say('I need to add my colleague from the accounting department to this account please');
    expect(chat.last.text).toMatch(/name/i);
    expect(chat.last.text).not.toMatch(/role/i);
    await chat.say('Maria Garcia');
    expect(chat.last.text).toMatch(/Maria Garcia/);
    await chat.press('Technical');
    await chat.say('maria.garcia@northwind.example!');
    expect(chat.last.text).toMatch(/Add Maria Garcia as the technical contact on 5000003 \(maria\.garcia@northwind\.example\)/);
    await chat.press('Confirm');
    expect(await snapshot()).toEqual(plus(before, { contacts: 1 }));
    expect(await latest.contact()).toMatchObject({ name: 'Maria Garcia', email: 'maria.garcia@northwind.example', role: 'technical', account_id: await accountId('5000003') });
  });

  it('invites a portal user whose email was typed with a trailing full stop, without the dot', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('add a new user');
    expect(chat.last.text).toMatch(/email/i);
    await chat.say('sam.p@northwind.example.');
    expect(chat.last.text).toMatch(/sam\.p@northwind\.example(?![.\w])/);
    await chat.press('Billing');
    expect(chat.last.text).toMatch(/Invite sam\.p@northwind\.example .*billing/);
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    expect(await snapshot()).toEqual(plus(before, { portal_users: 1 }));
    expect(await latest.user()).toMatchObject({ email: 'sam.p@northwind.example', permissions: 'billing', status: 'invited' });
  });

  it('keeps a "which report?" question through a balance question about another account, and runs the report it was for', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('I want a report for 5000001');
    expect(chat.last.text).toMatch(/Which report/i);
    await chat.say("what's the balance on 5000004?");
    expect(chat.last.text).toContain(money((await balanceOf('5000004')).balanceCents));
    expect(chat.last.text).toContain('5000004');
    expectBackOffer(chat, /report/i);
    await pressLike(chat, /^Back to/);
    expect(chat.last.text).toMatch(/Which report/i);
    await chat.press('Long distance summary');
    const expected = await expectedReport({ reportId: 'long-distance-summary', accountNumber: '5000001', ...OCTOBER });
    expect(chat.last.text).toMatch(/Long distance summary for 5000001, October 2026/);
    expect(chat.last.cards?.[0]?.table?.rows).toEqual(expected.table?.rows);
    expect(await snapshot()).toEqual(before);
  });

  // =====================================================================================================
  // 2. Everything said at once
  // =====================================================================================================

  it('goes straight to a confirmation for "add a contact: Jane Smith, billing, jane@…, 416-555-0142", and Confirm writes exactly that contact', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('add a contact: Jane Smith, billing, jane@northwind.example, 416-555-0142');
    expect(chat.last.text).toMatch(/Jane Smith/);
    expect(chat.last.text).toMatch(/billing/);
    expect(chat.last.text).toContain('jane@northwind.example');
    expect(chat.last.text).toContain(formatPhone('+14165550142'));
    expect(chat.last.text).toContain('5000001');
    expectConfirmation(chat);
    expect((await stateOf(chat)).pending).toBeUndefined();
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(/Jane Smith/);
    expect(await snapshot()).toEqual(plus(before, { contacts: 1 }));
    const row = await latest.contact();
    expect(row).toMatchObject({ name: 'Jane Smith', role: 'billing', email: 'jane@northwind.example', account_id: await accountId('5000001') });
    expect(row.phone?.replace(/\D/g, '')).toMatch(/4165550142$/);
    await chat.say('who are the contacts on 5000001?');
    expect(chat.last.cards?.[0]?.table?.rows.find((r) => r[0] === 'Jane Smith')).toEqual(expect.arrayContaining(['jane@northwind.example']));
    await chat.say('thanks');
    expect(chat.last.text).toMatch(/welcome/i);
    expect(await snapshot()).toEqual(plus(before, { contacts: 1 }));
  });

  it('says there is no American Express card on the Ottawa office and asks which to use, never using another silently; the chosen card pays $50 tomorrow', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const methods = await methodsOf('5000003');
    expect(methods.some((m) => /amex|american express/i.test(m.brand))).toBe(false);
    const before = await snapshot();
    await chat.say('pay $50 on the ottawa office with the amex tomorrow');
    expect(chat.last.text).toMatch(/no (American Express|Amex)/i);
    expect(chat.last.text).toContain('5000003');
    expectNoConfirmation(chat);
    for (const m of methods) expect(labels(chat)).toContain(m.label);
    expect(await snapshot()).toEqual(before);
    const card = methods[0]!;
    await chat.press(card.label);
    expect(chat.last.text).toMatch(new RegExp(`Pay \\$50\\.00 to 5000003 from ${card.label} on ${formatDate('2026-11-23')}`));
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(/Payment submitted: \$50\.00 to 5000003/);
    expect(await snapshot()).toEqual(plus(before, { payments: 1 }));
    expect(await latest.payment()).toMatchObject({ amount_cents: 5000, scheduled_for: '2026-11-23', payment_method_id: card.id, account_id: await accountId('5000003'), status: 'pending' });
    await chat.say('do I have any pending payments on 5000003?');
    expect(chat.shown).toContain('$50.00');
  });

  it('says there is no Visa on the Montréal office, lets the person pick, and "no" at the confirmation pays nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const methods = await methodsOf('5000004');
    expect(methods.some((m) => /visa/i.test(m.brand))).toBe(false);
    const mastercard = methods.find((m) => /master/i.test(m.brand));
    if (!mastercard) throw new Error('5000004 has a Mastercard in the demo data');
    const before = await snapshot();
    await chat.say('pay $40 on 5000004 with the visa');
    expect(chat.last.text).toMatch(/no Visa/i);
    expectNoConfirmation(chat);
    for (const m of methods) expect(labels(chat)).toContain(m.label);
    await chat.press(mastercard.label);
    expect(chat.last.text).toMatch(new RegExp(`Pay \\$40\\.00 to 5000004 from ${mastercard.label} today`));
    await chat.say('no');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    await chat.say("what's the balance on 5000004?");
    expect(chat.last.text).toContain(money((await balanceOf('5000004')).balanceCents));
    expect(await snapshot()).toEqual(before);
  });

  it('goes straight to a confirmation naming high and the reason for "TT-103026 needs to be escalated to high, we\'ve been waiting 3 days", and escalates once on Confirm', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    expect((await ticketRow('TT-103026')).priority).toBe('medium');
    const before = await snapshot();
    await chat.say("TT-103026 needs to be escalated to high, we've been waiting 3 days");
    expect(chat.last.text).toMatch(/TT-103026/);
    expect(chat.last.text).toMatch(/\bto high\b/);
    expect(chat.last.text).toMatch(/waiting 3 days/);
    expectConfirmation(chat);
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    expect(await snapshot()).toEqual(plus(before, { ticket_escalations: 1 }));
    expect((await ticketRow('TT-103026')).priority).toBe('high');
    expect(await latest.escalation()).toMatchObject({ from_priority: 'medium', to_priority: 'high' });
    expect((await latest.escalation()).reason).toMatch(/waiting 3 days/);
    await chat.say('what is the status of TT-103026?');
    expect(chat.last.text).toMatch(/TT-103026 .*priority high/);
    await chat.say('escalate it');
    expect(chat.last.text).toMatch(/Why does TT-103026 need escalating/);
    await chat.say('cancel');
    expect(await snapshot()).toEqual(plus(before, { ticket_escalations: 1 }));
  });

  it('turns "email me the long distance summary every month as CSV" into a monthly CSV schedule: cancel writes nothing, Confirm writes one row', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('email me the long distance summary every month as CSV');
    expect(chat.last.text).toMatch(/Long distance summary/i);
    expect(chat.last.text).toMatch(/CSV/);
    expect(chat.last.text).toMatch(/every month|monthly/i);
    expect(chat.last.text).toContain('admin@northwind.example');
    expectConfirmation(chat);
    await chat.say('cancel');
    expect(await snapshot()).toEqual(before);
    await chat.say('email me the long distance summary every month as CSV');
    expectConfirmation(chat);
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(/Long distance summary.*CSV/i);
    expect(await snapshot()).toEqual(plus(before, { scheduled_reports: 1 }));
    expect(await latest.schedule()).toMatchObject({
      report_id: 'long-distance-summary',
      format: 'csv',
      frequency: 'monthly',
      destination: 'admin@northwind.example',
      account_id: await accountId('5000001'),
    });
  });

  it('asks PDF or CSV for a weekly schedule said without a format, then confirms it; a one-off report afterwards schedules nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('send me the taxing summary every week');
    expect(chat.last.text).toMatch(/PDF or CSV/i);
    expect(await snapshot()).toEqual(before);
    await chat.press('PDF');
    expect(chat.last.text).toMatch(/Taxing summary/i);
    expect(chat.last.text).toMatch(/PDF/);
    expect(chat.last.text).toMatch(/every (week|Monday)|weekly/i);
    await chat.press('Confirm');
    expect(await snapshot()).toEqual(plus(before, { scheduled_reports: 1 }));
    expect(await latest.schedule()).toMatchObject({ report_id: 'taxing-summary', format: 'pdf', frequency: 'weekly' });
    await chat.say('long distance summary for 5000001 last month');
    expect(chat.last.text).toMatch(/Long distance summary for 5000001, October 2026/);
    expectNoConfirmation(chat);
    expect(await snapshot()).toEqual(plus(before, { scheduled_reports: 1 }));
  });

  // =====================================================================================================
  // 3. Follow-ups and references
  // =====================================================================================================

  it('follows a report with "and last month?", "send that as PDF" and "the same for 5000004"', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('long distance summary for 5000001 for september');
    const september = await expectedReport({ reportId: 'long-distance-summary', accountNumber: '5000001', ...SEPTEMBER });
    expect(chat.last.text).toMatch(/Long distance summary for 5000001, September 2026/);
    expect(chat.last.cards?.[0]?.table?.rows).toEqual(september.table?.rows);
    await chat.say('and last month?');
    const october = await expectedReport({ reportId: 'long-distance-summary', accountNumber: '5000001', ...OCTOBER });
    expect(chat.last.text).toMatch(/Long distance summary for 5000001, October 2026/);
    expect(chat.last.cards?.[0]?.table?.rows).toEqual(october.table?.rows);
    expect(october.table?.rows).not.toEqual(september.table?.rows);
    await chat.say('send that as PDF');
    const pdf = chat.last.files?.[0];
    expect(pdf?.mediaType).toBe('application/pdf');
    expect(pdf?.filename).toMatch(/long-distance-summary.*5000001.*2026-10-01/);
    expect(Buffer.from(pdf?.content ?? []).subarray(0, 5).toString()).toBe('%PDF-');
    await chat.say('the same for 5000004');
    expect(chat.last.text).toMatch(/Long distance summary for 5000004, October 2026/);
    const montreal = await expectedReport({ reportId: 'long-distance-summary', accountNumber: '5000004', ...OCTOBER });
    expect(chat.last.cards?.[0]?.table?.rows).toEqual(montreal.table?.rows);
    expect(await snapshot()).toEqual(before);
  });

  it('takes "what about the other account" after two accounts were talked about to mean the other one', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const [payables, ottawa, montreal] = [await balanceOf('5000002'), await balanceOf('5000003'), await balanceOf('5000004')];
    await chat.say("what's the balance on 5000002?");
    expect(chat.last.text).toContain(`(5000002) is ${money(payables.balanceCents)}`);
    await chat.say('and for 5000003?');
    expect(chat.last.text).toContain(`(5000003) is ${money(ottawa.balanceCents)}`);
    await chat.say('what about the other account');
    expect(chat.last.text).toContain(`(5000002) is ${money(payables.balanceCents)}`);
    await chat.say('what about montreal');
    expect(chat.last.text).toContain(`(5000004) is ${money(montreal.balanceCents)}`);
  });

  it('takes "what about montreal" to the Montréal office (5000004) and "and the ottawa office?" to 5000003', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say("what's my balance");
    expect(chat.last.text).toContain(`(5000001) is ${money((await balanceOf('5000001')).balanceCents)}`);
    await chat.say('what about montreal');
    expect(chat.last.text).toContain(`(5000004) is ${money((await balanceOf('5000004')).balanceCents)}`);
    await chat.say('and the ottawa office?');
    expect(chat.last.text).toContain(`(5000003) is ${money((await balanceOf('5000003')).balanceCents)}`);
    await chat.say('thanks');
    expect(chat.last.text).toMatch(/welcome/i);
    expect(await snapshot()).toEqual(before);
  });

  it('carries "the same for 5000004" and "and for 5000003?" over to the services of those accounts', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const servicesOf = async (accountNumber: string) => ok(await domain.listServices(world.ctx, admin, { accountNumber }));
    await chat.say('show me the services on 5000001');
    expect(chat.last.cards?.[0]?.table?.rows.length).toBe((await servicesOf('5000001')).length);
    await chat.say('the same for 5000004');
    const montreal = await servicesOf('5000004');
    expect(chat.last.text).toContain('5000004');
    expect(chat.last.cards?.[0]?.table?.rows.length).toBe(montreal.length);
    expect(chat.shown).toContain(montreal[0]!.name);
    await chat.say('and for 5000003?');
    const ottawa = await servicesOf('5000003');
    expect(chat.last.text).toContain('5000003');
    expect(chat.last.cards?.[0]?.table?.rows.length).toBe(ottawa.length);
    await chat.say('and what about montreal?');
    expect(chat.last.text).toContain('5000004');
    expect(chat.last.cards?.[0]?.table?.rows.length).toBe(montreal.length);
  });

  it('sends a report table "as PDF", then "as CSV", then "the one before" is the month before', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('billed amount by category for 5000001 last month');
    const october = await expectedReport({ reportId: 'billed-amount-by-category', accountNumber: '5000001', ...OCTOBER });
    expect(chat.last.text).toMatch(/Billed amount by bill category/i);
    expect(chat.last.cards?.[0]?.table?.rows).toEqual(october.table?.rows);
    // The October total is the October invoice's total.
    expect(chat.shown).toContain(money((await invoiceOf('5000001', '2026-10')).totalCents).replace('$', ''));
    await chat.say('send that as PDF');
    expect(chat.last.files?.[0]?.mediaType).toBe('application/pdf');
    expect(chat.last.files?.[0]?.filename).toMatch(/billed-amount-by-category.*2026-10-01/);
    await chat.say('send that as CSV');
    const csv = chat.last.files?.[0];
    expect(csv?.mediaType).toBe('text/csv');
    expect(Buffer.from(csv?.content ?? []).toString('utf8')).toMatch(/Monthly charges/);
    await chat.say('and the one before');
    expect(chat.last.text).toMatch(/September 2026/);
    expect(chat.last.files?.[0]?.filename).toMatch(/billed-amount-by-category.*2026-09-01/);
  });

  it('escalates "it" after a single ticket was shown, naming that ticket', async () => {
    const ticket = await freshTicket('medium');
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say(`what is the status of ${ticket}?`);
    expect(chat.last.text).toMatch(new RegExp(`${ticket} .*priority medium`));
    await chat.say('escalate it');
    expect(chat.last.text).toMatch(new RegExp(`Why does ${ticket} need escalating`));
    await chat.say('Nobody can change the greeting and customers hear the old holiday message');
    expect(chat.last.text).toMatch(new RegExp(`${ticket} from medium to high`));
    await chat.press('Confirm');
    expect(await snapshot()).toEqual(plus(before, { ticket_escalations: 1 }));
    expect((await ticketRow(ticket)).priority).toBe('high');
    expect((await latest.escalation()).reason).toMatch(/old holiday message/);
  });

  it('escalates "it" after a list with one ticket, and a cancel leaves its priority as it was', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const open = ok(await domain.listTickets(world.ctx, admin, { accountNumber: '5000010', openOnly: true }));
    expect(open).toHaveLength(1);
    const only = open[0]!;
    const before = await snapshot();
    await chat.say('show my open tickets on 5000010');
    expect(chat.shown).toContain(only.number);
    await chat.say('escalate it');
    expect(chat.last.text).toMatch(new RegExp(`Why does ${only.number} need escalating`));
    await chat.say('The store has had no dial tone on the back line since Tuesday');
    expect(chat.last.text).toMatch(new RegExp(`Escalate ticket ${only.number} from ${only.priority}`));
    await chat.press('Cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    expect((await ticketRow(only.number)).priority).toBe(only.priority);
    expect(await snapshot()).toEqual(before);
  });

  it('gives the invoice before, and the one before that, each with its own total and PDF', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('send me the latest invoice for 5000004');
    for (const month of ['2026-10', '2026-09', '2026-08']) {
      if (month !== '2026-10') await chat.say('and the one before');
      const invoice = await invoiceOf('5000004', month);
      expect(chat.last.text).toContain(invoice.number);
      expect(chat.last.text).toContain(money(invoice.totalCents));
      expect(chat.last.files?.[0]?.filename).toBe(`${invoice.number.toLowerCase()}.pdf`);
    }
    await chat.say('thanks');
    expect(chat.last.text).toMatch(/welcome/i);
  });

  it('follows an invoice with "and last month?", "what about montreal" and "and the one before"', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const steps: [string, string, string][] = [
      ['send me the invoice for 5000001 for september', '5000001', '2026-09'],
      ['and last month?', '5000001', '2026-10'],
      ['what about montreal', '5000004', '2026-10'],
      ['and the one before', '5000004', '2026-09'],
    ];
    for (const [said, account, month] of steps) {
      await chat.say(said);
      const invoice = await invoiceOf(account, month);
      expect(chat.last.text).toContain(`Invoice ${invoice.number}`);
      expect(chat.last.text).toContain(money(invoice.totalCents));
    }
  });

  it('gives a second, third and fourth report request in a row each its own report', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const requests: [string, string, string, number | null][] = [
      ['long distance summary for 5000001 last month', 'long-distance-summary', 'Long distance summary', null],
      ['taxing summary for 5000001 last month', 'taxing-summary', 'Taxing summary', null],
      ['area code summary for 5000001 last month', 'area-code-summary', 'Area code summary', null],
      ['top 5 calls by duration for 5000001 last month', 'top-calls-by-duration', 'Top calls by duration', 5],
    ];
    for (const [said, reportId, title, limit] of requests) {
      await chat.say(said);
      expect(chat.last.text).toMatch(new RegExp(`${title} for 5000001, October 2026`));
      const expected = await expectedReport({ reportId, accountNumber: '5000001', ...OCTOBER, limit });
      expect(chat.last.cards?.[0]?.table?.rows).toEqual(expected.table?.rows);
    }
  });

  // =====================================================================================================
  // 4. The total across accounts
  // =====================================================================================================

  it('totals what is owed across all accounts with a per-account breakdown, then pays one of them only after a confirmation (cancelled here)', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const accounts = ok(await domain.listAccessibleAccounts(world.ctx, admin));
    const balances = await Promise.all(accounts.map((a) => balanceOf(a.number)));
    const total = balances.reduce((sum, b) => sum + b.balanceCents, 0);
    const before = await snapshot();
    await chat.say('how much do we owe in total across all accounts');
    expect(chat.last.text).toContain(money(total));
    const rows = chat.last.cards?.[0]?.table?.rows ?? [];
    for (const b of balances) expect(rows.find((r) => r.includes(b.accountNumber))).toEqual(expect.arrayContaining([money(b.balanceCents)]));
    expect(rows.flat()).toContain(money(total));
    await chat.say('pay the full balance on 5000005');
    const warehouse = await balanceOf('5000005');
    expect(chat.last.text).toMatch(new RegExp(`Pay \\${money(warehouse.balanceCents)} to 5000005`));
    await chat.say('cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    await chat.say("what's the balance on 5000005?");
    expect(chat.last.text).toContain(money(warehouse.balanceCents));
    expect(await snapshot()).toEqual(before);
  });

  it('totals Acme’s own accounts for Acme’s admin, never Northwind’s', async () => {
    const chat = await customer(world, 'admin@acme.example');
    const accounts = ok(await domain.listAccessibleAccounts(world.ctx, acme));
    const balances = await Promise.all(accounts.map((a) => balanceOf(a.number, acme)));
    const total = balances.reduce((sum, b) => sum + b.balanceCents, 0);
    const before = await snapshot();
    await chat.say('how much do we owe in total across all accounts');
    expect(chat.last.text).toContain(money(total, 'USD'));
    expect(chat.shown).not.toMatch(/Northwind|500000\d/);
    await chat.say("what's the balance on 5000001?");
    expect(chat.last.text).toContain("couldn't find account 5000001");
    await chat.say("what's the balance on 1002348?");
    expect(chat.last.text).toContain(money((await balanceOf('1002348', acme)).balanceCents, 'USD'));
    await chat.say('thanks');
    expect(chat.last.text).toMatch(/welcome/i);
    expect(await snapshot()).toEqual(before);
  });

  it('answers the "total across all accounts" of a user with one account with that account, and the payment that follows waits for a confirmation', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    const payables = await balanceOf('5000002', ap);
    const before = await snapshot();
    await chat.say('how much do we owe in total across all accounts');
    expect(chat.last.text).toContain(money(payables.balanceCents));
    expect(chat.last.text).toContain('5000002');
    await chat.say('make a payment');
    expect(chat.last.text).toMatch(/How much/i);
    await pressLike(chat, /^Full balance/);
    expect(chat.last.text).toMatch(new RegExp(`^Pay \\${money(payables.balanceCents)} to 5000002`));
    await chat.say('no');
    expect(await snapshot()).toEqual(before);
  });

  // =====================================================================================================
  // 5. Payment safeguards
  // =====================================================================================================

  it('flags an amount above the balance, offers "Pay the balance", and pays the balance only on Confirm', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const ottawa = await balanceOf('5000003');
    const before = await snapshot();
    await chat.say('pay $5000 on 5000003');
    expect(chat.last.text).toMatch(/more than the balance/i);
    expect(chat.last.text).toContain(money(ottawa.balanceCents));
    expect(chat.last.text).toContain(money(500000 - ottawa.balanceCents));
    expectNoConfirmation(chat);
    await pressLike(chat, /^Pay the balance/);
    expect(chat.last.text).toMatch(new RegExp(`^Pay \\${money(ottawa.balanceCents)} to 5000003`));
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(new RegExp(`Payment submitted: \\${money(ottawa.balanceCents)} to 5000003`));
    expect(await snapshot()).toEqual(plus(before, { payments: 1 }));
    const payment = await latest.payment();
    expect(payment).toMatchObject({ amount_cents: ottawa.balanceCents, account_id: await accountId('5000003') });
    expect(chat.last.text).toContain(payment.confirmation_number);
    await chat.say('any pending payments on 5000003?');
    expect(chat.shown).toContain(payment.confirmation_number);
  });

  it('lets a person overpay only knowingly ("Pay … anyway" names the credit), and Cancel pays nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const kanata = await balanceOf('5000007');
    const before = await snapshot();
    await chat.say('pay $2,000 on 5000007');
    expect(chat.last.text).toMatch(/more than the balance/i);
    expect(labels(chat).some((l) => /^Pay the balance/.test(l))).toBe(true);
    await pressLike(chat, /anyway/i);
    expect(chat.last.text).toMatch(/^Pay \$2,000\.00 to 5000007/);
    expect(chat.last.text).toContain(money(200000 - kanata.balanceCents));
    expect(chat.last.text).toMatch(/credit/i);
    await chat.press('Cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    await chat.say("what's the balance on 5000007?");
    expect(chat.last.text).toContain(money(kanata.balanceCents));
    expect(await snapshot()).toEqual(before);
  });

  it('takes "yes" to "pay the balance instead?" as the balance, and "no" at the confirmation pays nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const warehouse = await balanceOf('5000005');
    expect(await methodsOf('5000005')).toHaveLength(1);
    const before = await snapshot();
    await chat.say('I want to pay $9,999 on 5000005');
    expect(chat.last.text).toMatch(/more than the balance/i);
    expect(chat.last.text).toContain(money(warehouse.balanceCents));
    await chat.say('yes');
    expectConfirmation(chat);
    expect(chat.last.text).toMatch(new RegExp(`^Pay \\${money(warehouse.balanceCents)} to 5000005`));
    expect(await snapshot()).toEqual(before);
    await chat.say('no');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    await chat.say("what's the balance on 5000005?");
    expect(chat.last.text).toContain(money(warehouse.balanceCents));
    expect(await snapshot()).toEqual(before);
  });

  it('mentions the pending payments and autopay that already cover the balance in the confirmation, and pays nothing on "no"', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const root = await balanceOf('5000001');
    const autopay = ok(await domain.getAutopay(world.ctx, admin, { accountNumber: '5000001' }));
    expect(root.pendingPaymentsCents >= root.balanceCents || autopay.enabled).toBe(true);
    const methods = await methodsOf('5000001');
    const before = await snapshot();
    await chat.say('pay $50 on 5000001');
    if (methods.length > 1) await chat.press(methods[0]!.label);
    expect(chat.last.text).toMatch(/^Pay \$50\.00 to 5000001/);
    if (root.pendingPaymentsCents >= root.balanceCents) {
      expect(chat.last.text).toMatch(/pending payments/i);
      expect(chat.last.text).toContain(money(root.pendingPaymentsCents));
    }
    if (autopay.enabled) expect(chat.last.text).toMatch(/autopay/i);
    await chat.say('no');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    await chat.say('do I have any pending payments on 5000001?');
    const pending = ok(await domain.listPendingTransactions(world.ctx, admin, { accountNumber: '5000001' }));
    expect(chat.last.cards?.[0]?.table?.rows.length).toBe(pending.length);
    expect(await snapshot()).toEqual(before);
  });

  it('drops a waiting payment when another question comes first, refuses its stale Confirm, and pays once when asked again', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('pay $25 on 5000002');
    expect(chat.last.text).toMatch(/^Pay \$25\.00 to 5000002/);
    const staleConfirm = chat.last;
    await chat.say("what's the balance on 5000002?");
    expect(chat.last.text).toContain(money((await balanceOf('5000002')).balanceCents));
    expect(chat.last.text).toMatch(/not go ahead|did not|didn't/i);
    chat.last = staleConfirm;
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(/no longer open|nothing was done/i);
    expect(await snapshot()).toEqual(before);
    await chat.say('pay $25 on 5000002');
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(/Payment submitted: \$25\.00 to 5000002/);
    expect(await snapshot()).toEqual(plus(before, { payments: 1 }));
    expect(await latest.payment()).toMatchObject({ amount_cents: 2500, account_id: await accountId('5000002') });
  });

  it('asks again for an amount of $0, then takes the next amount, and Cancel pays nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('pay $0 on 5000003');
    expect(chat.last.text).toMatch(/above zero|How much/i);
    expectNoConfirmation(chat);
    await chat.say('$15');
    expect(chat.last.text).toMatch(/^Pay \$15\.00 to 5000003/);
    await chat.press('Cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    await chat.say('any pending payments on 5000003?');
    expect(chat.shown).not.toContain('$15.00');
    expect(await snapshot()).toEqual(before);
  });

  // =====================================================================================================
  // 6. Permission before questions
  // =====================================================================================================

  it('tells a billing-only user at once that they cannot open or escalate tickets, and who can, asking nothing first', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    const before = await snapshot();
    await chat.say('open a ticket, my phones are dead');
    expect(chat.last.text).toMatch(/can't|cannot|doesn't let you|not allowed/i);
    expect(chat.last.text).toContain('admin@northwind.example');
    expect(chat.last.text).not.toMatch(/\?\s*$/);
    expect(labels(chat)).not.toEqual(expect.arrayContaining(['Email', 'Phone']));
    expect((await stateOf(chat)).pending).toBeUndefined();
    await chat.say('but nobody can make calls since this morning');
    expect(chat.last.text).not.toMatch(/How should|reach you/i);
    await chat.say('escalate TT-104233');
    expect(chat.last.text).toContain('admin@northwind.example');
    expect(chat.last.text).not.toMatch(/Why does/);
    await chat.say("what's my balance");
    expect(chat.last.text).toContain(`(5000002) is ${money((await balanceOf('5000002', ap)).balanceCents)}`);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses contacts, report schedules and user invitations to a billing-only user up front, naming an admin each time', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    const before = await snapshot();
    for (const said of ['add a new contact', 'email me the long distance summary every month as CSV', 'invite sam@northwind.example as a user']) {
      await chat.say(said);
      expect(chat.last.text).toContain('admin@northwind.example');
      expectNoConfirmation(chat);
      expect((await stateOf(chat)).pending).toBeUndefined();
    }
    await chat.say('make a payment');
    expect(chat.last.text).toMatch(/How much/i);
    await chat.say('cancel');
    expect(await snapshot()).toEqual(before);
  });

  it('lets a billing-only user change their own billing address (billing is their permission), confirmed first; cancel keeps the old one', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    const original = ok(await domain.getAccountSummary(world.ctx, ap, { accountNumber: '5000002' })).billingAddress;
    const before = await snapshot();
    await chat.say('change our billing address to 100 Front St W, Toronto ON M5J 1E3');
    expect(chat.last.text).toMatch(/100 Front St W/);
    expect(chat.last.text).toContain('5000002');
    expectConfirmation(chat);
    await chat.say('cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    await chat.say("what's our billing address?");
    expect(chat.last.text).toContain(original.street);
    const row = await world.handle.db.selectFrom('accounts').select('billing_street').where('number', '=', '5000002').executeTakeFirstOrThrow();
    expect(row.billing_street).toBe(original.street);
    await chat.say('thanks');
    expect(await snapshot()).toEqual(before);
  });

  // =====================================================================================================
  // 7. Card data and PINs are never kept
  // =====================================================================================================

  it('does not keep a card number, a security code or a PIN typed into the chat, and carries on normally', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('my card is 4111 1111 1111 1111 cvv 123');
    expect(chat.last.text).toMatch(NOT_KEPT);
    expect(chat.last.text).not.toMatch(/4111|cvv 123/);
    await chat.say('my pin is 2468');
    expect(chat.last.text).toMatch(NOT_KEPT);
    expect(chat.last.text).not.toContain('2468');
    await chat.say("what's my balance");
    expect(chat.last.text).toContain(money((await balanceOf('5000001')).balanceCents));
    await chat.say('thanks');
    const stored = await storedMessages(chat);
    expect(stored).toMatch(/balance/);
    for (const secret of ['4111 1111 1111 1111', '4111111111111111', 'cvv 123', 'pin is 2468']) expect(stored).not.toContain(secret);
    expect(stored).not.toMatch(/\b2468\b/);
    expect(await snapshot()).toEqual(before);
  });

  it('does not keep a card typed at a payment confirmation, and still has the payment waiting for Confirm or Cancel', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('pay $20 on 5000003');
    expect(chat.last.text).toMatch(/^Pay \$20\.00 to 5000003/);
    await chat.say('my card is 4111 1111 1111 1111 cvv 123');
    expect(chat.last.text).toMatch(NOT_KEPT);
    // The payment being confirmed is still there to confirm or cancel, and says so.
    expect(chat.last.text).toMatch(/\$20\.00/);
    expectConfirmation(chat);
    await chat.press('Cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    await chat.say("what's the balance on 5000003?");
    expect(chat.last.text).toContain(money((await balanceOf('5000003')).balanceCents));
    const stored = await storedMessages(chat);
    for (const secret of ['4111 1111 1111 1111', '4111111111111111', 'cvv 123']) expect(stored).not.toContain(secret);
    expect(await snapshot()).toEqual(before);
  });

  it('does not keep a dashed card number with its expiry, never takes the expiry for a payment date, and answers the next question', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const ottawa = await balanceOf('5000003');
    const before = await snapshot();
    await chat.say('please charge 4111-1111-1111-1111 exp 12/28 for the balance on 5000003');
    expect(chat.last.text).toMatch(NOT_KEPT);
    expect(chat.shown).not.toMatch(/Dec 28|2028/);
    await chat.say("what's my balance");
    expect(chat.last.text).toContain(`(5000003) is ${money(ottawa.balanceCents)}`);
    expect(chat.shown).not.toMatch(/Dec 28/);
    expectNoConfirmation(chat);
    await chat.say('cancel');
    await chat.say('thanks');
    expect(chat.last.text).toMatch(/welcome/i);
    const stored = await storedMessages(chat);
    for (const secret of ['4111-1111-1111-1111', '4111111111111111', '4111 1111 1111 1111']) expect(stored).not.toContain(secret);
    expect(await snapshot()).toEqual(before);
  });

  it('does not keep a PIN an anonymous visitor types to sign in, and points to the secure sign-in', async () => {
    const chat = anonymous(world);
    const before = await snapshot();
    await chat.say('are there any outages in Toronto?');
    expect(chat.shown).toMatch(/Fibre cut/i);
    await chat.say("what's my balance?");
    expect(chat.last.text).toMatch(/sign in/i);
    await chat.say('my account is 5000001 and my pin is 2468');
    expect(chat.last.text).toMatch(NOT_KEPT);
    expect(chat.last.text).toMatch(/sign.in/i);
    expect(chat.last.text).not.toMatch(/\$[\d,]+\.\d\d/);
    await chat.say('is there any scheduled maintenance coming up?');
    expect(chat.shown).toMatch(/maintenance/i);
    const stored = await storedMessages(chat);
    expect(stored).not.toMatch(/\b2468\b/);
    expect(await snapshot()).toEqual(before);
  });

  // =====================================================================================================
  // 8. Spelling slips and shorthand
  // =====================================================================================================

  it('understands "wats my balanse", "invioce for octobr" and "escelate TT-… pls"', async () => {
    const ticket = await freshTicket('medium');
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('wats my balanse');
    expect(chat.last.text).toContain(`(5000001) is ${money((await balanceOf('5000001')).balanceCents)}`);
    await chat.say('invioce for octobr');
    const october = await invoiceOf('5000001', '2026-10');
    expect(chat.last.text).toContain(october.number);
    expect(chat.last.text).toContain(money(october.totalCents));
    expect(chat.last.files?.[0]?.mediaType).toBe('application/pdf');
    await chat.say(`escelate ${ticket} pls`);
    expect(chat.last.text).toMatch(new RegExp(`Why does ${ticket} need escalating`));
    await chat.say('custmer cant call us for 2 days');
    expect(chat.last.text).toMatch(new RegExp(`Escalate ticket ${ticket} from medium to high`));
    await chat.press('Cancel');
    expect((await ticketRow(ticket)).priority).toBe('medium');
    expect(await snapshot()).toEqual(before);
  });

  it('understands chat shorthand: "hw much do i owe on 5000004", "pls snd me the invoce for sept", "r there any outages in toronto", "thx"', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('hw much do i owe on 5000004');
    expect(chat.last.text).toContain(`(5000004) is ${money((await balanceOf('5000004')).balanceCents)}`);
    await chat.say('pls snd me the invoce for sept');
    const september = await invoiceOf('5000004', '2026-09');
    expect(chat.last.text).toContain(september.number);
    expect(chat.last.text).toContain(money(september.totalCents));
    await chat.say('r there any outages in toronto');
    expect(chat.shown).toMatch(/Fibre cut/i);
    await chat.say('thx');
    expect(chat.last.text).toMatch(/welcome/i);
  });

  // =====================================================================================================
  // 9. Upset customers hear a human word first, and about the outage behind their trouble
  // =====================================================================================================

  /** The first open outage hitting one of this customer's active accounts, as the domain sees it. */
  const outageHitting = async (who: domain.CustomerActor) => {
    for (const account of ok(await domain.listAccessibleAccounts(world.ctx, who)).filter((a) => a.status === 'active')) {
      const outage = ok(await domain.listOutagesForAccount(world.ctx, who, { accountNumber: account.number }))[0];
      if (outage) return { account: account.number, outage };
    }
    throw new Error('no open outage hits this customer in the demo data');
  };

  it('says sorry and names the outage to "third time my phones went down this month!!!", then opens one ticket linked to it', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const { account, outage } = await outageHitting(admin);
    const before = await snapshot();
    await chat.say('third time my phones went down this month!!!');
    expect(chat.last.text).toMatch(/sorry/i);
    expect(chat.last.text.search(/sorry/i)).toBeLessThan(chat.last.text.indexOf(outage.title));
    expect(chat.shown).toContain(outage.reference);
    expect(labels(chat).some((l) => /ticket/i.test(l))).toBe(true);
    expect(labels(chat).some((l) => /person|human|agent/i.test(l))).toBe(true);
    expect(await snapshot()).toEqual(before);
    await pressLike(chat, /ticket/i);
    expect(chat.last.text).toMatch(/reach you|contact/i);
    await chat.say('by email please');
    expect(chat.last.text).toContain(outage.reference);
    expect(chat.last.text).toMatch(/email/i);
    expectConfirmation(chat);
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    expect(await snapshot()).toEqual(plus(before, { tickets: 1 }));
    const ticket = await latest.ticket();
    expect(`${ticket.title} ${ticket.description}`).toContain(outage.reference);
    expect(ticket).toMatchObject({ preferred_contact: 'email', account_id: await accountId(account) });
    expect(chat.last.text).toContain(ticket.number);
  });

  it('puts an upset customer through to a person from the outage notice, opening no ticket', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const { outage } = await outageHitting(admin);
    const before = await snapshot();
    await chat.say('this is ridiculous, the phones are down AGAIN!!');
    expect(chat.last.text).toMatch(/sorry/i);
    expect(chat.shown).toContain(outage.title);
    await pressLike(chat, /person|human|agent/i);
    expect(chat.last.handoff).toEqual({ status: 'waiting' });
    await chat.say('ok thanks');
    expect(chat.last.text).toMatch(/agent|person/i);
    await chat.say('how long will it take?');
    expect(await snapshot()).toEqual(plus(before, { handoffs: 1 }));
  });

  it('tells another organisation’s upset admin about the outage hitting them, and links the ticket to it', async () => {
    const chat = await customer(world, 'admin@acme.example');
    const { account, outage } = await outageHitting(acme);
    const before = await snapshot();
    await chat.say('this is ridiculous, calls keep failing again!!');
    expect(chat.last.text).toMatch(/sorry/i);
    expect(chat.last.text).toContain(outage.title);
    expect(chat.shown).not.toMatch(/Toronto|Northwind/);
    await pressLike(chat, /ticket/i);
    await chat.press('Phone');
    expect(chat.last.text).toContain(outage.reference);
    await chat.press('Confirm');
    expect(await snapshot()).toEqual(plus(before, { tickets: 1 }));
    const ticket = await latest.ticket();
    expect(`${ticket.title} ${ticket.description}`).toContain(outage.reference);
    expect(ticket).toMatchObject({ preferred_contact: 'phone', account_id: await accountId(account) });
  });

  /** A customer none of whose accounts an outage or running maintenance touches, and one of its accounts. */
  const undisturbed = async () => {
    const who = (await domain.loadCustomerActor(world.ctx, 'admin@laurentide.example')) as domain.CustomerActor;
    const accounts = ok(await domain.listAccessibleAccounts(world.ctx, who)).filter((a) => a.status === 'active');
    for (const account of accounts) {
      const outages = ok(await domain.listOutagesForAccount(world.ctx, who, { accountNumber: account.number }));
      const windows = ok(await domain.listMaintenanceForAccount(world.ctx, who, { accountNumber: account.number }));
      const running = windows.some((w) => w.startsAt <= NOW.toISOString() && NOW.toISOString() < w.endsAt);
      if (outages.length > 0 || running) throw new Error(`the demo data has a disruption on ${account.number}; pick another customer`);
    }
    const account = accounts[0]?.number;
    if (!account) throw new Error('Laurentide has an active account');
    return { email: 'admin@laurentide.example', account };
  };

  it('says sorry to an upset customer whose accounts no outage touches, names no outage, and helps open a ticket (cancelled here)', async () => {
    const { email, account } = await undisturbed();
    const chat = await customer(world, email);
    const before = await snapshot();
    await chat.say(`switch to account ${account}`);
    expect(chat.last.text).toContain(account);
    await chat.say('third time my phones went down this month!!!');
    expect(chat.last.text).toMatch(/sorry/i);
    expect(chat.shown).not.toMatch(/OUT-\d|outage right now/);
    await chat.press('Phone');
    expect(chat.last.text).toContain(`ticket on ${account}`);
    expect(chat.last.text).toMatch(/phones went down/);
    await chat.say('cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    expect(await snapshot()).toEqual(before);
  });

  it('names the outage hitting any of the customer’s accounts, not only the one in focus', async () => {
    const { account: hit } = await outageHitting(admin);
    const quiet = ok(await domain.listAccessibleAccounts(world.ctx, admin)).find((a) => a.number !== hit && a.status === 'active')?.number;
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say(`switch to account ${quiet}`);
    await chat.say('third time my phones went down this month!!!');
    expect(chat.last.text).toMatch(/sorry/i);
    expect(chat.last.text).toMatch(/outage right now affecting your services/);
  });

  // =====================================================================================================
  // 10. Bad input in the middle of a conversation
  // =====================================================================================================

  it('answers "asdfgh" and "😡😡" calmly with what it can do, and the requests in between and after still work', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('asdfgh');
    expect(chat.last.text).toMatch(CAN_DO);
    await chat.say("what's the balance on 5000004");
    expect(chat.last.text).toContain(money((await balanceOf('5000004')).balanceCents));
    await chat.say('😡😡');
    expect(chat.last.text).toMatch(CAN_DO);
    await chat.say('invoice for october for 5000004');
    expect(chat.last.text).toContain((await invoiceOf('5000004', '2026-10')).number);
    expect(await snapshot()).toEqual(before);
  });

  it('answers a 4 KB paste calmly, writes nothing, and the next requests work', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say(LONG_PASTE);
    expect(chat.last.text).toMatch(CAN_DO);
    expect(chat.last.text.length).toBeLessThan(600);
    await chat.say("what's the balance on 5000003?");
    expect(chat.last.text).toContain(money((await balanceOf('5000003')).balanceCents));
    await chat.say('show my open tickets on 5000010');
    expect(chat.shown).toMatch(/TT-\d+/);
    await chat.say('thanks');
    expect(chat.last.text).toMatch(/welcome/i);
    expect(await snapshot()).toEqual(before);
  });

  it('answers Spanish and German calmly with what it can do (and in which languages), then an English request works', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('¿dónde está mi factura?');
    expect(chat.last.text).toMatch(CAN_DO);
    await chat.say('wo ist meine Rechnung');
    expect(chat.last.text).toMatch(CAN_DO);
    await chat.say("what's my balance");
    expect(chat.last.text).toContain(money((await balanceOf('5000001')).balanceCents));
    await chat.say('thanks');
    expect(chat.last.text).toMatch(/welcome/i);
    expect(await snapshot()).toEqual(before);
  });

  it('says an amount is expected when "asdfgh" answers "how much?", and the payment then continues', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('make a payment on 5000003');
    expect(chat.last.text).toMatch(/How much/i);
    expect(chat.last.text).toContain(money((await balanceOf('5000003')).balanceCents));
    await chat.say('asdfgh');
    expect(chat.last.text).toMatch(/amount/i);
    expectNoConfirmation(chat);
    await chat.say('$30');
    expect(chat.last.text).toMatch(/^Pay \$30\.00 to 5000003/);
    await chat.press('Cancel');
    expect(chat.last.text).toMatch(/cancel|nothing/i);
    expect(await snapshot()).toEqual(before);
  });

  // =====================================================================================================
  // Numbers that point somewhere
  // =====================================================================================================

  it('finds an invoice by its number, says how ours look for a number that is not ours, and then goes on', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    const october = await invoiceOf('5000003', '2026-10');
    await chat.say(`how do i download my invoice #${october.number}`);
    expect(chat.last.text).toContain(october.number);
    expect(chat.shown).toContain(money(october.totalCents));
    expect(chat.last.files?.[0]?.mediaType).toBe('application/pdf');
    await chat.say('can you help me find invoice #85632');
    expect(chat.last.text).toMatch(/couldn't find an invoice numbered 85632/);
    expect(chat.last.text).toMatch(/INV-\d{7}-\d{4}-\d{2}/);
    await chat.say('and the one before');
    // "the one before" is the one before the invoice found by its number.
    const september = await invoiceOf('5000003', '2026-09');
    expect(chat.last.text).toContain(september.number);
    expect(await snapshot()).toEqual(before);
  });

  it('opens a ticket about a line on the account that line belongs to, contacting by phone when told "call me"', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const ottawaLines = ok(await domain.listE911Locations(world.ctx, admin, { accountNumber: '5000003' }));
    const line = ottawaLines[0]?.number;
    if (!line) throw new Error('the Ottawa office has a line in the demo data');
    const before = await snapshot();
    await chat.say('what is my balance');
    await chat.say(`open a ticket: no dial tone on ${line} since 9am, call me`);
    expect(chat.last.text).toMatch(/on 5000003/);
    expect(chat.last.text).toMatch(/contact you by phone/);
    expect(chat.last.text).not.toMatch(/open a ticket:/i);
    await chat.press('Confirm');
    const created = await latest.ticket();
    expect(created).toMatchObject({ preferred_contact: 'phone', account_id: await accountId('5000003') });
    expect(created.title).toMatch(/^No dial tone/);
    expect(await snapshot()).toEqual(plus(before, { tickets: 1 }));
  });

  it('offers the interrupted question again once, and drops it when the person moves on', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('add a new contact on 5000003');
    await chat.say('how much do we owe on 5000002?');
    expect(chat.last.text).toMatch(/Back to the new contact\?/);
    await chat.say('show my open tickets');
    expect(chat.last.text).not.toMatch(/Back to/);
    await chat.say('yes');
    expect(chat.last.text).not.toMatch(/full name/);
    expect((await stateOf(chat)).suspended).toBeUndefined();
    expect(await snapshot()).toEqual(before);
  });

  it('acknowledges an upset message that asks for nothing clear, and "Report a problem" uses what was said', async () => {
    const { email, account } = await undisturbed();
    const chat = await customer(world, email);
    const before = await snapshot();
    await chat.say(`switch to account ${account}`);
    await chat.say('this is RIDICULOUS!!! I am so fed up with you people');
    expect(chat.last.text).toMatch(/sorry/i);
    expect(chat.last.text).not.toMatch(/not something I can help with|outage right now/);
    await chat.press('Report a problem');
    expect(chat.last.text).toMatch(/How should our technicians reach you/);
    await chat.press('Email');
    expect(chat.last.text).toMatch(/fed up with you people/);
    expect(chat.last.text).toContain(account);
    await chat.press('Cancel');
    expect(await snapshot()).toEqual(before);
  });

  it('changes a waiting payment in words — another amount, card or day — and confirms it anew; nothing is paid until Confirm', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const methods = await methodsOf('5000004');
    const card = methods.find((m) => m.kind === 'card');
    const other = methods.find((m) => m.id !== card?.id);
    if (!card || !other) throw new Error('the Montréal office has a card and another payment account in the demo data');
    const before = await snapshot();
    await chat.say('pay $20 on 5000004');
    expect(chat.last.text).toMatch(/Which payment account/);
    await chat.say('actually make it $40');
    expect(chat.last.text).toMatch(/Which payment account/);
    await chat.say(`use the ${card.brand.toLowerCase()}`);
    expect(chat.last.text).toMatch(new RegExp(`^Pay \\$40\\.00 to 5000004 from ${card.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await chat.say('on friday instead');
    // Friday is the coming one, never a day gone by.
    const friday = DateTime.fromJSDate(NOW).setZone('America/Toronto').startOf('day');
    const coming = friday.plus({ days: (5 - friday.weekday + 7) % 7 || 7 }).toISODate() ?? '';
    expect(chat.last.text).toContain(formatDate(coming));
    expect(await snapshot()).toEqual(before);
    await chat.press('Confirm');
    expect(await latest.payment()).toMatchObject({ amount_cents: 4000, payment_method_id: card.id });
    expect(await snapshot()).toEqual(plus(before, { payments: 1 }));
  });

  // =====================================================================================================
  // Found in review: safety and ordinary English
  // =====================================================================================================

  it('drops a waiting payment when another button is pressed, so a later "yes" pays nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('pay $50 on 5000003');
    expect(chat.last.text).toMatch(/^Pay \$50\.00 to 5000003/);
    // A button of an earlier answer, still on the screen above the confirmation.
    chat.last = { ...chat.last, quickReplies: [{ label: 'My balance', value: 'intent:balance' }] };
    await chat.press('My balance');
    expect(chat.last.text).toMatch(/I did not go ahead with: Pay \$50\.00/);
    await chat.say('yes');
    expect(chat.last.text).not.toMatch(/Payment submitted/);
    expect(await snapshot()).toEqual(before);
  });

  it('tells a PIN sign-in that it cannot manage users without naming anyone in the organisation', async () => {
    const verified = await domain.verifyAccountPin(world.ctx, { accountNumber: '5000001', pin: '2468' });
    if (verified.kind !== 'ok') throw new Error('the demo PIN of 5000001 verifies');
    const chat = new ChatOf(world, verified.value);
    await chat.say('invite bob@example.com as a portal user');
    expect(chat.last.text).toMatch(/doesn't let you manage portal users/);
    expect(chat.last.text).not.toMatch(/@northwind\.example/);
  });

  it('reads ordinary English with "was" and "con" as English, and "again" alone as no complaint', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('my bill was wrong, I was charged twice on 5000003');
    expect(chat.last.text).not.toMatch(/only help in English or French/);
    await chat.say('send me the october invoice for 5000003 again');
    expect(chat.last.text).not.toMatch(/sorry/i);
    expect(chat.last.text).toContain((await invoiceOf('5000003', '2026-10')).number);
  });

  it('does not take "the other day" for the other account, nor a monthly report for a schedule', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await snapshot();
    await chat.say('balance of 5000002');
    await chat.say('balance of 5000003');
    await chat.say('the other day we paid the balance');
    expect(((await stateOf(chat)) as { focusAccount?: string }).focusAccount).toBe('5000003');
    await chat.say('show me the monthly billed amount summary for 5000001 for october');
    expect(chat.last.text).not.toMatch(/every month|Schedule/i);
    expect(chat.shown).toMatch(/October 2026/);
    expect(await snapshot()).toEqual(before);
  });

  it('never takes a question for the reason of an escalation, and "not the mastercard" picks nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const ticket = await freshTicket('low');
    const before = await snapshot();
    await chat.say(`escalate ${ticket} to high`);
    expect(chat.last.text).toMatch(/Why does/);
    await chat.say('what is the status of TT-103059?');
    expect(chat.last.text).not.toMatch(/^Escalate ticket/);
    expect(chat.last.text).toContain('TT-103059');
    await chat.say('pay $20 on 5000004');
    expect(chat.last.text).toMatch(/Which payment account/);
    await chat.say('not the mastercard');
    expect(chat.last.text).not.toMatch(/^Pay \$20\.00 to 5000004 from Mastercard/);
    expect(await snapshot()).toEqual(before);
  });

  it('says a ticket is already at the priority asked for and offers the next step up; "yes" confirms that, once', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const ticket = await freshTicket('medium');
    await domain.escalateTicket(world.ctx, admin, { ticketNumber: ticket, toPriority: 'high', reason: 'set up for this test', idempotencyKey: `conversations-${engine}-high-${ticket}` });
    const before = await snapshot();
    await chat.say(`${ticket} needs to be escalated to high, we've been waiting 3 days`);
    expect(chat.last.text).toMatch(new RegExp(`${ticket} is already at high priority. Escalate it to critical instead\\?`));
    await chat.say('yes');
    expect(chat.last.text).toMatch(new RegExp(`Escalate ticket ${ticket} from high to critical priority, because: "we've been waiting 3 days"`));
    await chat.press('Confirm');
    expect((await ticketRow(ticket)).priority).toBe('critical');
    expect(await snapshot()).toEqual(plus(before, { ticket_escalations: 1 }));
  });

  // =====================================================================================================
  // Staff
  // =====================================================================================================

  it('lets a care agent look up a customer, list its tickets and prepare an escalation that a cancel drops', async () => {
    const chat = await staff(world, 'care@provider.example');
    const acmeHq = await balanceOf('1002345', acme);
    const open = ok(await domain.listTickets(world.ctx, acme, { accountNumber: '1002345', includeChildren: true, openOnly: true }));
    const target = open.find((t) => t.priority === 'medium' || t.priority === 'low');
    if (!target) throw new Error('Acme has a low or medium open ticket in the demo data');
    const before = await snapshot();
    await chat.say('balance 1002345');
    expect(chat.last.text).toContain(money(acmeHq.balanceCents, 'USD'));
    await chat.say('show open tickets on 1002345');
    expect(chat.shown).toContain(target.number);
    await chat.say(`escalate ${target.number}`);
    expect(chat.last.text).toMatch(new RegExp(`Why does ${target.number} need escalating`));
    await chat.say("the customer's line has been dead for two days");
    expect(chat.last.text).toMatch(new RegExp(`Escalate ticket ${target.number} from ${target.priority}`));
    await chat.press('Cancel');
    expect((await ticketRow(target.number)).priority).toBe(target.priority);
    expect(await snapshot()).toEqual(before);
  });
});

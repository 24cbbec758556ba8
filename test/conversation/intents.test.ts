// Scripted conversations for every intent against the demo data: the facts in each reply are the real
// ones, and writes happen only after a confirmation, exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/conversation/format.js';
import * as domain from '../../src/domain/index.js';
import { ENGINES } from '../support/databases.js';
import { anonymous, Chat, count, createWorld, customer, staff, type World } from './support.js';

describe.each(ENGINES)('conversations on %s', (engine) => {
  let world: World;
  let admin: domain.CustomerActor;

  beforeAll(async () => {
    world = await createWorld(engine);
    admin = (await domain.loadCustomerActor(world.ctx, 'admin@northwind.example')) as domain.CustomerActor;
  }, 120_000);
  afterAll(async () => {
    await world?.drop();
  });

  const balanceOf = async (accountNumber: string) => {
    const result = await domain.getAccountBalance(world.ctx, admin, { accountNumber });
    if (result.kind !== 'ok') throw new Error(result.kind);
    return result.value;
  };

  it('greets, says what it can do, thanks and goodbye', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    expect((await chat.say('hi there')).text).toMatch(/hello/i);
    await chat.say('what can you do?');
    expect(chat.shown).toMatch(/Things to try/);
    expect((await chat.say('thanks a lot')).text).toMatch(/welcome/i);
    expect((await chat.say('bye')).text).toMatch(/goodbye/i);
  });

  it('gives the real balance, due date and past-due amount, and follows up for another account', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const payables = await balanceOf('5000002');
    await chat.say("what's the balance on 5000002?");
    expect(chat.last.text).toContain(formatMoney(payables.balanceCents));
    expect(chat.last.text).toContain('5000002');
    if (payables.pastDueCents > 0) expect(chat.last.text).toContain(`${formatMoney(payables.pastDueCents)} of it is past due`);
    const root = await balanceOf('5000001');
    await chat.say('and for 5000001?');
    expect(chat.last.text).toContain(formatMoney(root.balanceCents));
    expect(chat.last.text).toContain('5000001');
  });

  it('uses the only account of a user who has one, without asking', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    await chat.say('how much do I owe?');
    expect(chat.last.text).toContain('5000002');
    expect(chat.last.text).toContain(formatMoney((await balanceOf('5000002')).balanceCents));
  });

  it('refuses another organisation’s account exactly as an unknown one, revealing nothing', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('what is the balance of account 1002345');
    const foreign = chat.shown;
    await chat.say('what is the balance of account 9999999');
    expect(foreign).toContain("couldn't find account 1002345 among the accounts you can access");
    expect(chat.shown.replace('9999999', '1002345')).toBe(foreign);
    expect(foreign).not.toMatch(/Acme/i);
  });

  it('shows the latest invoice with its total and attaches the PDF', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('send me the latest invoice for 5000001');
    expect(chat.last.text).toContain('INV-5000001-2026-10');
    const invoice = await domain.getInvoice(world.ctx, admin, { invoiceNumber: 'INV-5000001-2026-10' });
    if (invoice.kind !== 'ok') throw new Error('invoice');
    expect(chat.shown).toContain(formatMoney(invoice.value.totalCents));
    const pdf = chat.last.files?.[0];
    expect(pdf?.mediaType).toBe('application/pdf');
    expect(Buffer.from(pdf?.content ?? []).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('lists past invoices', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('show me my invoice history for 5000001');
    expect(chat.last.cards?.[0]?.table?.rows.length).toBe(12);
    expect(chat.shown).toContain('INV-5000001-2026-10');
  });

  it('takes a payment only after a confirmation that repeats the amount, account and card, and only once', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const methods = await domain.listPaymentMethods(world.ctx, admin, { accountNumber: '5000001' });
    if (methods.kind !== 'ok') throw new Error('methods');
    const before = await count(world, 'payments');
    await chat.say('I want to pay $120.50 on account 5000001');
    if (methods.value.length > 1) await chat.press(methods.value[0]?.label as string);
    const label = (methods.value.length > 1 ? methods.value[0] : methods.value[0])?.label as string;
    expect(chat.last.text.startsWith(`Pay $120.50 to 5000001 from ${label} today?`)).toBe(true);
    expect(await count(world, 'payments')).toBe(before);
    const confirmButton = chat.button('Confirm');
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(/Payment submitted: \$120\.50 to 5000001/);
    expect(await count(world, 'payments')).toBe(before + 1);
    const payment = await world.handle.db.selectFrom('payments').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ amount_cents: 12050, status: 'pending', source: 'one_time' });
    // Pressing the same Confirm again (a double click, a retry) does nothing more.
    chat.last = { text: '', quickReplies: [{ label: 'Confirm', value: confirmButton }] };
    await chat.press('Confirm');
    expect(chat.last.text).toMatch(/no longer open|already handled|already done/);
    expect(await count(world, 'payments')).toBe(before + 1);
  });

  it('asks for the amount with the balance as a button, and a "no" cancels without paying', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    const before = await count(world, 'payments');
    await chat.say('I would like to make a payment');
    expect(chat.last.text).toMatch(/How much/);
    await chat.press('Full balance');
    expect(chat.last.text).toMatch(/^Pay \$[\d,]+\.\d\d to 5000002 from .+ today\?/);
    await chat.say('no');
    expect(chat.last.text).toMatch(/Cancelled/);
    expect(await count(world, 'payments')).toBe(before);
  });

  it('lists payment history, pending payments and saved payment accounts', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('show my payment history for 5000001');
    expect(chat.last.cards?.[0]?.table?.rows.length).toBeGreaterThan(0);
    await chat.say('do I have any pending payments?');
    expect(chat.shown).toMatch(/pending/i);
    await chat.say('which cards do I have on file?');
    expect(chat.shown).toMatch(/••\d{4}/);
  });

  it('reports autopay status and turns it off after confirmation', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('is autopay on for 5000001?');
    expect(chat.last.text).toMatch(/Autopay is on for 5000001/);
    await chat.say('please turn off autopay');
    expect(chat.last.text).toMatch(/Turn autopay off for 5000001\?/);
    await chat.press('Confirm');
    const row = await world.handle.db
      .selectFrom('autopay')
      .innerJoin('accounts', 'accounts.id', 'autopay.account_id')
      .select('autopay.enabled')
      .where('accounts.number', '=', '5000001')
      .executeTakeFirstOrThrow();
    expect(row.enabled).toBe(0);
  });

  it('lists open tickets, shows one, and escalates "it" with a reason after confirmation', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('show my open tickets');
    expect(chat.shown).toContain('TT-104233');
    await chat.say('what is the status of TT-104233?');
    expect(chat.last.text).toMatch(/TT-104233 .* priority high/);
    await chat.say('escalate it');
    expect(chat.last.text).toMatch(/Why does TT-104233 need escalating/);
    await chat.say('The whole office has had no phones for two days');
    expect(chat.last.text).toBe('Escalate ticket TT-104233 from high to critical priority, because: "The whole office has had no phones for two days"?');
    await chat.press('Confirm');
    const ticket = await world.handle.db.selectFrom('tickets').select('priority').where('number', '=', 'TT-104233').executeTakeFirstOrThrow();
    expect(ticket.priority).toBe('critical');
    expect(chat.last.text).toMatch(/now critical priority/);
  });

  it('opens a ticket from a described problem after asking how to reach the customer, with the charges notice', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await count(world, 'tickets');
    await chat.say('my internet has been down at the office since this morning, please open a ticket on 5000001');
    expect(chat.last.text).toMatch(/How should our technicians reach you/);
    await chat.press('Email');
    expect(chat.last.text).toMatch(/^Open a medium-priority ticket on 5000001/);
    expect(chat.last.text).toMatch(/charge may apply/);
    expect(await count(world, 'tickets')).toBe(before);
    await chat.say('yes please');
    expect(chat.last.text).toMatch(/Ticket TT-\d+ is open/);
    expect(await count(world, 'tickets')).toBe(before + 1);
    const created = await world.handle.db.selectFrom('tickets').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(created.description).toMatch(/internet has been down/);
    expect(created.preferred_contact).toBe('email');
  });

  it('lists care cases and open orders', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('show the care cases on 5000001');
    expect(chat.shown).toMatch(/care case|no care cases/i);
    await chat.say('any open orders on 5000001?');
    expect(chat.shown).toMatch(/order/i);
  });

  it('tells an anonymous visitor about outages in a city and maintenance, and asks them to sign in for account questions', async () => {
    const chat = anonymous(world);
    await chat.say('are there any outages in Toronto?');
    expect(chat.shown).toMatch(/Fibre cut/i);
    await chat.say('is there any scheduled maintenance coming up?');
    expect(chat.shown).toMatch(/maintenance/i);
    await chat.say('what is my balance?');
    expect(chat.last.text).toMatch(/sign in/i);
  });

  it('answers service questions: services, DIDs, hunt groups, account codes, toll-free and 911', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('what services do I have on 5000001?');
    expect(chat.last.cards?.[0]?.table?.rows.length).toBeGreaterThan(0);
    await chat.say('list my DID numbers');
    expect(chat.shown).toMatch(/\(\d{3}\) \d{3}-\d{4}/);
    await chat.say('show me the hunt groups');
    expect(chat.shown).toMatch(/Strategy|no hunt groups/);
    await chat.say('what account codes do we have?');
    expect(chat.shown).toMatch(/Code|no account codes/);
    await chat.say('where do my toll-free numbers ring?');
    expect(chat.last.text).toMatch(/rings to/);
    await chat.say('show the 911 addresses');
    expect(chat.last.text).toMatch(/911 addresses on 5000001/);
  });

  it('changes a toll-free ring-to number only after confirmation', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const numbers = await domain.listTollFreeNumbers(world.ctx, admin, { accountNumber: '5000001' });
    if (numbers.kind !== 'ok' || !numbers.value[0]) throw new Error('toll-free');
    const tollFree = numbers.value[0].number;
    await chat.say(`change the ring-to of ${tollFree} to 647-555-0177`);
    expect(chat.last.text).toMatch(/to ring to \(647\) 555-0177/);
    await chat.press('Confirm');
    const row = await world.handle.db.selectFrom('toll_free_numbers').select('ring_to_number').where('number', '=', tollFree).executeTakeFirstOrThrow();
    expect(row.ring_to_number).toBe('+16475550177');
  });

  it('updates a 911 address only after confirmation', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const lines = await domain.listE911Locations(world.ctx, admin, { accountNumber: '5000001' });
    if (lines.kind !== 'ok' || !lines.value[0]) throw new Error('911');
    const line = lines.value[0].number;
    await chat.say(`update the 911 address of ${line} to 100 King St W, Toronto, ON M5X 1A9`);
    expect(chat.last.text).toMatch(/100 King St W, Toronto, ON M5X 1A9\? Emergency services/);
    await chat.press('Confirm');
    const row = await world.handle.db.selectFrom('e911_locations').select(['street', 'postal_code']).where('number', '=', line).executeTakeFirstOrThrow();
    expect(row).toEqual({ street: '100 King St W', postal_code: 'M5X 1A9' });
  });

  it('summarises an account, shows the hierarchy and switches the account in focus', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('give me an account summary for 5000001');
    expect(chat.last.text).toMatch(/Northwind Traders Ltd\. \(5000001\) is active/);
    await chat.say('show me the account hierarchy');
    const rows = chat.last.cards?.[0]?.table?.rows ?? [];
    expect(rows.map((r) => r[1])).toEqual(expect.arrayContaining(['5000001', '5000002', '5000007']));
    expect(rows.flat().join(' ')).not.toMatch(/1002345/);
    await chat.say('switch to account 5000003');
    expect(chat.last.text).toMatch(/Now working with .*5000003/);
    await chat.say("what's my balance");
    expect(chat.last.text).toContain('5000003');
  });

  it('lists contacts and adds one after confirmation', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await count(world, 'contacts');
    await chat.say('who are the contacts on 5000001?');
    expect(chat.last.cards?.[0]?.table?.rows.length).toBeGreaterThan(0);
    await chat.say('add a new contact jamie.lee@northwind.example');
    expect(chat.last.text).toMatch(/full name/);
    await chat.say('Jamie Lee');
    await chat.press('Technical');
    expect(chat.last.text).toBe('Add Jamie Lee as the technical contact on 5000001 (jamie.lee@northwind.example)?');
    await chat.press('Confirm');
    expect(await count(world, 'contacts')).toBe(before + 1);
  });

  it('shows the billing address, paperless status and tax exemptions, and turns paperless off after confirmation', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say("what's the billing address on 5000001?");
    expect(chat.last.text).toMatch(/billing address of .* is 145 King Street West/);
    await chat.say('is paperless billing on?');
    expect(chat.last.text).toMatch(/Paperless billing is on for 5000001/);
    await chat.say('turn off paperless billing');
    await chat.press('Confirm');
    const row = await world.handle.db.selectFrom('accounts').select('paperless').where('number', '=', '5000001').executeTakeFirstOrThrow();
    expect(row.paperless).toBe(0);
    await chat.say('do we have any tax exemptions?');
    expect(chat.last.text).toMatch(/tax exemption/);
  });

  it('lets an organisation admin list portal users and invite one after confirmation', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = await count(world, 'portal_users');
    await chat.say('who has access to the portal for 5000001?');
    expect(chat.shown).toContain('ap@northwind.example');
    await chat.say('add a new user sam@northwind.example with billing access');
    expect(chat.last.text).toMatch(/Invite sam@northwind\.example .* with billing access/);
    await chat.press('Confirm');
    expect(await count(world, 'portal_users')).toBe(before + 1);
  });

  it('gives user guides and hands over to a person on request', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('where can I find the user guides?');
    expect(chat.shown).toMatch(/Reading your invoice/);
    const before = await count(world, 'handoffs');
    await chat.say('I want to talk to a real person');
    expect(chat.last.handoff).toEqual({ status: 'waiting' });
    expect(await count(world, 'handoffs')).toBe(before + 1);
  });

  it('says what it can do when asked something out of scope, and offers a person after two misses', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say("what's the weather going to be like tomorrow?");
    expect(chat.last.text).toMatch(/not something I can help with/);
    await chat.say('tell me a joke about penguins');
    expect(chat.last.quickReplies?.map((q) => q.label)).toContain('Talk to a person');
  });

  it('sends a named report for last month as a PDF, and the same as CSV when asked to "send that as CSV"', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say("send me last month's long distance summary for 5000001 as PDF");
    expect(chat.last.text).toMatch(/Long distance summary for 5000001, October 2026/i);
    const pdf = chat.last.files?.[0];
    expect(pdf?.mediaType).toBe('application/pdf');
    expect(Buffer.from(pdf?.content ?? []).subarray(0, 5).toString()).toBe('%PDF-');
    await chat.say('send that as CSV');
    const csv = chat.last.files?.[0];
    expect(csv?.mediaType).toBe('text/csv');
    expect(Buffer.from(csv?.content ?? []).toString('utf8')).toMatch(/\r\n/);
  });

  it('shows the top calls by cost as a short table and offers the full file', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('top 10 calls by cost this quarter for 5000001');
    const table = chat.last.cards?.[0]?.table;
    expect(table?.rows.length).toBeGreaterThan(0);
    expect(table?.rows.length).toBeLessThanOrEqual(11);
    await chat.press('As CSV');
    expect(chat.last.files?.[0]?.mediaType).toBe('text/csv');
  });

  it('refuses a report on another organisation’s account without a file', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('long distance summary for account 1002345 last month as pdf');
    expect(chat.last.text).toContain("couldn't find account 1002345");
    expect(chat.last.files).toBeUndefined();
  });

  it('lets staff look up any customer by number, audited', async () => {
    const chat = await staff(world, 'care@provider.example');
    await chat.say('balance 1002345');
    expect(chat.last.text).toMatch(/balance on Acme HQ \(1002345\)/);
    const audit = await world.handle.db.selectFrom('audit_log').selectAll().where('actor_label', 'like', 'care@provider.example%').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(audit.action).toBe('get_account_balance');
  });

  it('switches topic mid-question and comes back to it', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    await chat.say('I want to pay my bill');
    expect(chat.last.text).toMatch(/How much/);
    await chat.say('are there any outages in Toronto?');
    expect(chat.shown).toMatch(/Fibre cut/i);
    await chat.press('Back to the payment');
    expect(chat.last.text).toMatch(/How much/);
    await chat.say('$20');
    expect(chat.last.text).toMatch(/^Pay \$20\.00 to 5000002/);
    await chat.say('cancel');
    expect(chat.last.text).toMatch(/Cancelled/);
  });

  it('starts over on request, dropping the question in progress', async () => {
    const chat = await customer(world, 'ap@northwind.example');
    await chat.say('I need to make a payment');
    expect(chat.last.text).toMatch(/How much/);
    await chat.say("let's start over");
    expect(chat.last.text).toMatch(/start over/i);
    const row = await world.handle.db.selectFrom('conversations').select('state').where('id', '=', chat.id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.state).pending).toBeUndefined();
  });

  it('continues a question after a restart of the service (state lives in the database)', async () => {
    const first = await customer(world, 'ap@northwind.example');
    await first.say('make a payment');
    expect(first.last.text).toMatch(/How much/);
    const restarted = new Chat(world, first.actor, world.newEngine(), first.id);
    await restarted.say('$15');
    expect(restarted.last.text).toMatch(/^Pay \$15\.00 to 5000002/);
  });

  it('acts once when two confirmations of the same payment arrive at the same moment, even on two instances', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    await chat.say('pay $33.00 on 5000001');
    while (!chat.last.text.startsWith('Pay ')) await chat.press(chat.last.quickReplies?.[0]?.label as string);
    const value = chat.button('Confirm');
    const before = await count(world, 'payments');
    const other = world.newEngine();
    const replies = await Promise.all([
      world.engine.handleMessage({ channel: 'web', conversationId: chat.id, action: value }, chat.actor),
      other.handleMessage({ channel: 'web', conversationId: chat.id, action: value }, chat.actor),
    ]);
    expect(replies.filter((r) => r.text.startsWith('Payment submitted')).length).toBe(1);
    expect(await count(world, 'payments')).toBe(before + 1);
  });

  it('answers bad input calmly, writes nothing, and never puts markup into a card', async () => {
    const chat = await customer(world, 'admin@northwind.example');
    const before = [await count(world, 'payments'), await count(world, 'tickets'), await count(world, 'contacts')];
    const inputs = ['', '   ', 'x'.repeat(10_240), '🙂🙃🎉', 'こんにちは、請求書', '\u0000\u0007\u001b[31m', "'; DROP TABLE accounts; --", '<script>alert(1)</script>', '<img src=x onerror=alert(1)>'];
    for (const input of inputs) {
      const reply = await chat.say(input);
      expect(reply.text.length).toBeGreaterThan(0);
      for (const card of reply.cards ?? []) expect(JSON.stringify(card)).not.toMatch(/<script|onerror=/i);
    }
    expect([await count(world, 'payments'), await count(world, 'tickets'), await count(world, 'contacts')]).toEqual(before);
    const accounts = await world.handle.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(accounts.n)).toBe(43);
  });
});

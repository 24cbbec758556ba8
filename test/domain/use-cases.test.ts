// Behaviour of the write use cases on real databases: idempotency, confirmations of state, validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import * as domain from '../../src/domain/index.js';
import type { CustomerActor, DomainContext, StaffActor } from '../../src/domain/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';

const AS_OF = '2026-11-22';
const NOW = new Date(`${AS_OF}T15:00:00.000Z`);

describe.each(ENGINES)('use cases on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let ctx: DomainContext;
  let admin: CustomerActor;
  let care: StaffActor;
  let methodId: number;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 300, asOf: AS_OF });
    ctx = domain.createDomainContext(handle.db, () => NOW);
    admin = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as CustomerActor;
    care = (await domain.loadStaffActor(ctx, 'care@provider.example')) as StaffActor;
    const methods = await domain.listPaymentMethods(ctx, admin, { accountNumber: '5000001' });
    if (methods.kind !== 'ok' || !methods.value[0]) throw new Error('5000001 has no saved payment method in the demo data');
    methodId = methods.value[0].id;
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  const countPayments = async () =>
    Number((await handle.db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const countTickets = async () =>
    Number((await handle.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('takes a payment once however often the same request key is sent, and says the later ones are replays', async () => {
    const before = await countPayments();
    const request = { accountNumber: '5000001', amountCents: 120_450, paymentMethodId: methodId, idempotencyKey: 'pay-once-0001' };
    const first = await domain.makeOneTimePayment(ctx, admin, request);
    const second = await domain.makeOneTimePayment(ctx, admin, request);
    expect(first.kind).toBe('ok');
    expect(second).toMatchObject({ kind: 'ok', replayed: true });
    if (first.kind !== 'ok' || second.kind !== 'ok') return;
    expect(second.value.confirmationNumber).toBe(first.value.confirmationNumber);
    expect(first.value).toMatchObject({ amountCents: 120_450, status: 'pending', date: AS_OF });
    expect(first.value.paymentMethod).toMatch(/^\w+ ••\d{4}$/);
    expect(await countPayments()).toBe(before + 1);
    const pending = await domain.listPendingTransactions(ctx, admin, { accountNumber: '5000001' });
    expect(pending.kind === 'ok' && pending.value.some((p) => p.confirmationNumber === first.value.confirmationNumber)).toBe(true);
  });

  it('pays once when the same request arrives twice at the same moment', async () => {
    const before = await countPayments();
    const request = { accountNumber: '5000001', amountCents: 5_000, paymentMethodId: methodId, idempotencyKey: 'pay-race-0001' };
    const [a, b] = await Promise.all([domain.makeOneTimePayment(ctx, admin, request), domain.makeOneTimePayment(ctx, admin, request)]);
    expect(a.kind).toBe('ok');
    expect(b.kind).toBe('ok');
    if (a.kind === 'ok' && b.kind === 'ok') expect(a.value.confirmationNumber).toBe(b.value.confirmationNumber);
    expect(await countPayments()).toBe(before + 1);
  });

  it('refuses a reused request key carrying a different amount', async () => {
    const base = { accountNumber: '5000001', paymentMethodId: methodId, idempotencyKey: 'pay-reuse-0001' };
    expect((await domain.makeOneTimePayment(ctx, admin, { ...base, amountCents: 1_000 })).kind).toBe('ok');
    const reused = await domain.makeOneTimePayment(ctx, admin, { ...base, amountCents: 99_999 });
    expect(reused.kind).toBe('conflict');
  });

  it('refuses bad payment amounts and dates calmly and records nothing', async () => {
    const before = await countPayments();
    const base = { accountNumber: '5000001', paymentMethodId: methodId };
    const zero = await domain.makeOneTimePayment(ctx, admin, { ...base, amountCents: 0, idempotencyKey: 'pay-bad-0001' });
    const fraction = await domain.makeOneTimePayment(ctx, admin, { ...base, amountCents: 10.5, idempotencyKey: 'pay-bad-0002' });
    const past = await domain.makeOneTimePayment(ctx, admin, { ...base, amountCents: 100, date: '2026-01-01', idempotencyKey: 'pay-bad-0003' });
    const method = await domain.makeOneTimePayment(ctx, admin, { ...base, paymentMethodId: 999_999, amountCents: 100, idempotencyKey: 'pay-bad-0004' });
    const noKey = await domain.makeOneTimePayment(ctx, admin, { ...base, amountCents: 100, idempotencyKey: '' });
    expect([zero.kind, fraction.kind, past.kind, method.kind, noKey.kind]).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid']);
    expect(await countPayments()).toBe(before);
  });

  it('opens tickets asked for at the same instant, each with its own number', async () => {
    const before = await countTickets();
    const opened = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        domain.createTicket(ctx, admin, {
          accountNumber: '5000001',
          title: `Phones down, desk ${i}`,
          description: 'No dial tone since this morning.',
          preferredContact: 'email' as const,
          idempotencyKey: `ticket-race-${i}-0001`,
        }),
      ),
    );
    expect(opened.map((o) => o.kind)).toEqual(Array(8).fill('ok'));
    const numbers = opened.map((o) => (o.kind === 'ok' ? o.value.number : ''));
    expect(new Set(numbers).size).toBe(8);
    expect(await countTickets()).toBe(before + 8);
  });

  it('opens one ticket for a repeated request, with a created event and the charges notice', async () => {
    const before = await countTickets();
    const request = {
      accountNumber: '5000001',
      title: 'Internet down at the Toronto office',
      description: 'No sync light on the router since 9am.',
      preferredContact: 'phone' as const,
      customerReference: 'NW-REF-77',
      idempotencyKey: 'ticket-once-0001',
    };
    const first = await domain.createTicket(ctx, admin, request);
    const again = await domain.createTicket(ctx, admin, request);
    expect(first.kind).toBe('ok');
    if (first.kind !== 'ok' || again.kind !== 'ok') throw new Error('ticket not created');
    expect(again.value.number).toBe(first.value.number);
    expect(first.value).toMatchObject({ status: 'open', priority: 'medium', customerReference: 'NW-REF-77' });
    expect(first.value.chargesNotice).toMatch(/charge may apply/);
    expect(first.value.history.map((h) => h.kind)).toEqual(['created']);
    expect(await countTickets()).toBe(before + 1);
    const mine = await domain.listTickets(ctx, admin, { mine: true });
    expect(mine.kind === 'ok' && mine.value.some((t) => t.number === first.value.number)).toBe(true);
  });

  it('escalates a ticket one level with the reason in its history, and refuses closed or critical ones', async () => {
    const created = await domain.createTicket(ctx, care, {
      accountNumber: '5000002',
      title: 'Static on line',
      description: 'Static on the main line.',
      preferredContact: 'email',
      priority: 'high',
      idempotencyKey: 'ticket-escalate-0001',
    });
    if (created.kind !== 'ok') throw new Error('ticket not created');
    const escalated = await domain.escalateTicket(ctx, admin, { ticketNumber: created.value.number, reason: 'Customers cannot hear us', idempotencyKey: 'esc-0001' });
    expect(escalated).toMatchObject({ kind: 'ok', value: { priority: 'critical' } });
    if (escalated.kind !== 'ok') return;
    expect(escalated.value.escalations).toEqual([
      expect.objectContaining({ from: 'high', to: 'critical', reason: 'Customers cannot hear us', by: 'admin@northwind.example' }),
    ]);
    expect(escalated.value.history.at(-1)).toMatchObject({ kind: 'escalated', from: 'high', to: 'critical' });
    const again = await domain.escalateTicket(ctx, admin, { ticketNumber: created.value.number, reason: 'Still bad', idempotencyKey: 'esc-0002' });
    expect(again.kind).toBe('conflict');

    const closed = await handle.db.selectFrom('tickets').select(['number', 'priority']).where('status', '=', 'closed').executeTakeFirstOrThrow();
    const onClosed = await domain.escalateTicket(ctx, care, { ticketNumber: closed.number, reason: 'Please look again', idempotencyKey: 'esc-0003' });
    expect(onClosed.kind).toBe('conflict');
    const unchanged = await handle.db.selectFrom('tickets').select('priority').where('number', '=', closed.number).executeTakeFirstOrThrow();
    expect(unchanged.priority).toBe(closed.priority);
  });

  it('refuses a 911 address that is not a valid civic address and keeps the old one', async () => {
    const lines = await domain.listE911Locations(ctx, admin, { accountNumber: '5000001' });
    if (lines.kind !== 'ok' || !lines.value[0]) throw new Error('no 911 lines on 5000001');
    const line = lines.value[0];
    const bad = await domain.updateE911Location(ctx, admin, {
      accountNumber: '5000001',
      number: line.number,
      address: { street: 'Somewhere', city: 'Toronto', region: 'ON', postalCode: 'ZZZ', country: 'CA' },
    });
    expect(bad.kind).toBe('invalid');
    const good = await domain.updateE911Location(ctx, admin, {
      accountNumber: '5000001',
      number: line.number,
      address: { street: '200 Bay St', city: 'Toronto', region: 'on', postalCode: 'm5j2j2', country: 'ca' },
    });
    expect(good).toMatchObject({ kind: 'ok', value: { street: '200 Bay St', region: 'ON', postalCode: 'M5J 2J2', country: 'CA' } });
  });

  it('changes a toll-free ring-to number only to a dialable, non-toll-free number', async () => {
    const numbers = await domain.listTollFreeNumbers(ctx, admin, { accountNumber: '5000001' });
    if (numbers.kind !== 'ok' || !numbers.value[0]) throw new Error('no toll-free numbers on 5000001');
    const tollFree = numbers.value[0].number;
    for (const ringTo of ['1-800-555-0100', '911', '416-055-0100', 'call me maybe']) {
      expect((await domain.changeRingTo(ctx, admin, { accountNumber: '5000001', tollFreeNumber: tollFree, ringTo })).kind).toBe('invalid');
    }
    const changed = await domain.changeRingTo(ctx, admin, { accountNumber: '5000001', tollFreeNumber: tollFree, ringTo: '(647) 555-0188' });
    expect(changed).toMatchObject({ kind: 'ok', value: { number: tollFree, ringTo: '+16475550188' } });
  });

  it('never stores something typed like a card number as a payment token, nor echoes it', async () => {
    const result = await domain.addPaymentMethod(ctx, admin, {
      accountNumber: '5000001',
      method: { kind: 'card', processorToken: '4111111111111111', brand: 'Visa', last4: '1111', expMonth: 1, expYear: 2030, holderName: 'X' },
    });
    expect(result.kind).toBe('invalid');
    expect(JSON.stringify(result)).not.toContain('4111111111111111');
    const stored = await handle.db.selectFrom('payment_methods').select('id').where('processor_token', '=', '4111111111111111').execute();
    expect(stored).toEqual([]);
  });

  it('reports the balance as invoiced minus paid, with the past-due part and the due date', async () => {
    const result = await domain.getAccountBalance(ctx, admin, { accountNumber: '5000002' });
    if (result.kind !== 'ok') throw new Error(result.kind);
    const invoiced = await handle.db
      .selectFrom('invoices')
      .innerJoin('accounts', 'accounts.id', 'invoices.account_id')
      .select((eb) => eb.fn.sum<number>('invoices.total_cents').as('t'))
      .where('accounts.number', '=', '5000002')
      .executeTakeFirstOrThrow();
    const paid = await handle.db
      .selectFrom('payments')
      .innerJoin('accounts', 'accounts.id', 'payments.account_id')
      .select((eb) => eb.fn.sum<number>('payments.amount_cents').as('t'))
      .where('accounts.number', '=', '5000002')
      .where('payments.status', '=', 'completed')
      .executeTakeFirstOrThrow();
    expect(result.value.balanceCents).toBe(Number(invoiced.t) - Number(paid.t ?? 0));
    expect(result.value.balanceCents).toBeGreaterThan(0);
    expect(result.value.pastDueCents).toBeLessThanOrEqual(result.value.balanceCents);
    expect(result.value.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('shows anyone the current outages, and a customer those that touch their own services', async () => {
    const all = await domain.listPublicOutages(ctx, domain.ANONYMOUS, {});
    expect(all.value.length).toBeGreaterThan(0);
    expect(all.value.every((o) => o.status !== 'resolved')).toBe(true);
    const toronto = await domain.listPublicOutages(ctx, domain.ANONYMOUS, { city: 'toronto' });
    expect(toronto.value.length).toBeGreaterThan(0);
    const mine = await domain.listOutagesForAccount(ctx, admin, { accountNumber: '5000001' });
    expect(mine.kind).toBe('ok');
    if (mine.kind === 'ok') expect(mine.value.every((o) => o.areas.some((a) => a.city === 'Toronto'))).toBe(true);
    const maintenance = await domain.listPublicMaintenance(ctx, domain.ANONYMOUS, {});
    expect(maintenance.value.every((w) => w.endsAt >= NOW.toISOString())).toBe(true);
  });

  it('recognises the demo staff member from Slack and Teams, and nobody from an unlinked identity', async () => {
    const slack = await domain.loadActorForChannelIdentity(ctx, 'slack', 'T0DEMO', 'U0DEMOSTAFF');
    expect(slack).toMatchObject({ kind: 'staff', email: 'care@provider.example', role: 'care_agent' });
    // Teams people are known by tenant and Entra object id (the 29: id differs per bot registration).
    const teams = await domain.loadActorForChannelIdentity(ctx, 'teams', '5a1e5a1e-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000d3a11');
    expect(teams).toMatchObject({ kind: 'staff', email: 'care@provider.example' });
    expect(await domain.loadActorForChannelIdentity(ctx, 'slack', 'T0OTHER', 'U0DEMOSTAFF')).toBe(null);
    expect(await domain.loadActorForChannelIdentity(ctx, 'slack', 'T0DEMO', 'U0NOBODY')).toBe(null);
  });

  it('gives a customer actor exactly the accounts their scope grants, and none to users not yet active', async () => {
    const billing = (await domain.loadCustomerActor(ctx, 'AP@northwind.example ')) as CustomerActor;
    const numbers = await handle.db.selectFrom('accounts').select('number').where('id', 'in', [...billing.accountIds]).execute();
    expect(numbers.map((n) => n.number)).toEqual(['5000002']);
    expect(billing.permissions).toEqual(['billing']);
    const adminNumbers = await handle.db.selectFrom('accounts').select('number').where('id', 'in', [...admin.accountIds]).execute();
    expect(adminNumbers.length).toBeGreaterThanOrEqual(6);
    expect(adminNumbers.every((n) => n.number.startsWith('500'))).toBe(true);
    const invited = await handle.db.selectFrom('portal_users').select('email').where('status', '=', 'invited').execute();
    expect(invited.length).toBeGreaterThan(0);
    for (const user of invited) expect(await domain.loadCustomerActor(ctx, user.email)).toBe(null);
    const users = await domain.listUsers(ctx, admin, { accountNumber: '5000001' });
    expect(users.kind === 'ok' && users.value.some((u) => u.status === 'invitation_expired')).toBe(true);
  });

  it('lets an organisation admin invite a user within their own accounts only', async () => {
    const invited = await domain.addUser(ctx, admin, {
      email: 'New.Person@Northwind.example',
      role: 'user',
      permissions: ['tickets', 'reports'],
      accountNumbers: ['5000003'],
    });
    expect(invited).toMatchObject({ kind: 'ok', value: { email: 'new.person@northwind.example', status: 'invited' } });
    const duplicate = await domain.addUser(ctx, admin, { email: 'new.person@northwind.example', role: 'user', permissions: [], accountNumbers: ['5000003'] });
    expect(duplicate.kind).toBe('conflict');
    const foreign = await domain.addUser(ctx, admin, { email: 'x@northwind.example', role: 'user', permissions: [], accountNumbers: ['1002345'] });
    expect(foreign.kind).toBe('not_found');
    const users = await domain.listUsers(ctx, admin, { accountNumber: '5000001' });
    expect(users.kind === 'ok' && users.value.find((u) => u.email === 'new.person@northwind.example')?.accounts).toEqual(['5000003']);
  });
});

describe('secrets', () => {
  it('hashes PINs and answers with a salt and checks them case- and space-insensitively', async () => {
    const hash = await domain.hashSecret('Blue  Jays ');
    expect(hash).toMatch(/^pbkdf2-sha256\$/);
    expect(hash).not.toContain('Blue');
    expect(await domain.verifySecret('blue jays', hash)).toBe(true);
    expect(await domain.verifySecret('red sox', hash)).toBe(false);
    expect(await domain.verifySecret('2468', 'not-a-hash')).toBe(false);
    expect(await domain.hashSecret('2468')).not.toBe(await domain.hashSecret('2468'));
  });
});

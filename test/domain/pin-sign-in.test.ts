// Signing in with an account number and PIN: the actor it gives, the lockout, and answers that reveal nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, seedDemoData } from '../../fixtures/demo-data/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import * as domain from '../../src/domain/index.js';
import { saveCustomReport, scheduleReport } from '../../src/domain/reports/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';

const AS_OF = '2026-11-22';

describe.each(ENGINES)('verifyAccountPin on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let clock = new Date(`${AS_OF}T15:00:00.000Z`);
  let ctx: domain.DomainContext;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 0, asOf: AS_OF });
    ctx = domain.createDomainContext(handle.db, () => clock);
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  const attempts = async (number: string) =>
    (await handle.db.selectFrom('accounts').select(['pin_failed_attempts', 'pin_locked_until']).where('number', '=', number).executeTakeFirstOrThrow());

  it('gives a customer scoped to the account and its descendants, with every permission but managing users', async () => {
    const result = await domain.verifyAccountPin(ctx, { accountNumber: '5000001', pin: '2468' });
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    const actor = result.value;
    expect(actor).toMatchObject({ kind: 'customer', userId: null, via: 'pin', role: 'user', pinAccount: { number: '5000001' } });
    const admin = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as domain.CustomerActor;
    // The Northwind admin's scope is 5000001 with its children: the same accounts.
    expect([...actor.accountIds].sort()).toEqual([...admin.accountIds].sort());
    expect(domain.can(actor, 'billing.read')).toBe(true);
    expect(domain.can(actor, 'payments.write')).toBe(true);
    expect(domain.can(actor, 'users.manage')).toBe(false);
    expect(
      (await domain.addUser(ctx, actor, { email: 'new@northwind.example', role: 'user', permissions: ['billing'], accountNumbers: ['5000001'] })).kind,
    ).toBe('forbidden');
    const balance = await domain.getAccountBalance(ctx, actor, { accountNumber: '5000002' });
    expect(balance.kind).toBe('ok');
    // Another organisation's account does not exist for it.
    expect(await domain.getAccountBalance(ctx, actor, { accountNumber: '1002345' })).toEqual({ kind: 'not_found', what: 'account 1002345' });
    // Its default account is the one whose PIN was given; it has no favourites to set.
    const accessible = await domain.listAccessibleAccounts(ctx, actor);
    expect(accessible.kind === 'ok' && accessible.value.find((a) => a.isDefault)?.number).toBe('5000001');
    expect((await domain.addFavoriteAccount(ctx, actor, { accountNumber: '5000002' })).kind).toBe('forbidden');
    const audit = await handle.db.selectFrom('audit_log').selectAll().where('action', '=', 'pin_sign_in').execute();
    expect(audit.at(-1)).toMatchObject({ actor_kind: 'customer', actor_id: `pin:${actor.pinAccount?.id}`, actor_label: 'account 5000001 (PIN)' });
  });

  it('gives an agent serving a PIN-verified web chat exactly that account and its children', async () => {
    const northwind = await handle.db.selectFrom('accounts').select('id').where('number', '=', '5000001').executeTakeFirstOrThrow();
    const at = clock.toISOString();
    for (const id of ['web:pin-served', 'web:anonymous-served']) {
      await handle.db
        .insertInto('conversations')
        .values({ id, channel: 'web', external_ref: null, portal_user_id: null, staff_id: null, account_in_focus_id: null, state: '{}', state_version: 0, status: 'agent', created_at: at, updated_at: at })
        .execute();
    }
    await handle.db
      .insertInto('chat_sessions')
      .values({ id: 'hash-pin-served', conversation_id: 'web:pin-served', identity: 'pin', portal_user_id: null, account_id: northwind.id, created_at: at, last_seen_at: at, expires_at: at })
      .execute();
    const agent = await domain.loadAgentActor(ctx, 'agent@provider.example', 'web:pin-served');
    const admin = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as domain.CustomerActor;
    expect([...(agent?.accountIds ?? [])].sort()).toEqual([...admin.accountIds].sort());
    expect((await domain.getAccountBalance(ctx, agent as domain.Actor, { accountNumber: '5000002' })).kind).toBe('ok');
    expect((await domain.getAccountBalance(ctx, agent as domain.Actor, { accountNumber: '1002345' })).kind).toBe('not_found');
    // A visitor who never signed in gives the agent nothing to see.
    const unsigned = await domain.loadAgentActor(ctx, 'agent@provider.example', 'web:anonymous-served');
    expect(unsigned?.accountIds.size).toBe(0);
  });

  it('lets a PIN sign-in run reports but not save or schedule them, as no portal user could own them', async () => {
    const result = await domain.verifyAccountPin(ctx, { accountNumber: '5000001', pin: '2468' });
    if (result.kind !== 'ok') throw new Error(result.kind);
    const saved = await saveCustomReport(ctx, result.value, {
      name: 'Mine',
      definition: { columns: ['destination_number'], measures: ['calls'] } as unknown as Parameters<typeof saveCustomReport>[2]['definition'],
    });
    expect(saved.kind).toBe('forbidden');
    const scheduled = await scheduleReport(ctx, result.value, {
      reportId: 'long-distance-summary',
      accountNumber: '5000001',
      format: 'pdf',
      frequency: 'monthly',
    } as unknown as Parameters<typeof scheduleReport>[2]);
    expect(scheduled.kind).toBe('forbidden');
  });

  it('gives an account lower in a hierarchy only that branch', async () => {
    const result = await domain.verifyAccountPin(ctx, { accountNumber: '5000002', pin: '8642' });
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect((await domain.getAccountBalance(ctx, result.value, { accountNumber: '5000001' })).kind).toBe('not_found');
  });

  it('answers a wrong PIN and an unknown account number with the same words', async () => {
    const wrong = await domain.verifyAccountPin(ctx, { accountNumber: '1002345', pin: '0000' });
    const unknown = await domain.verifyAccountPin(ctx, { accountNumber: '4999999', pin: '0000' });
    expect(wrong).toEqual({ kind: 'refused', message: domain.PIN_REFUSAL });
    expect(unknown).toEqual(wrong);
    expect(domain.PIN_REFUSAL).toBe(
      "That account number and PIN don't match. For your security, an account is locked for 15 minutes after 5 failed attempts.",
    );
    // A success resets the count.
    expect((await attempts('1002345')).pin_failed_attempts).toBe(1);
    expect((await domain.verifyAccountPin(ctx, { accountNumber: '1002345', pin: '1357' })).kind).toBe('ok');
    expect(await attempts('1002345')).toEqual({ pin_failed_attempts: 0, pin_locked_until: null });
  });

  it('locks the account for 15 minutes after 5 failures in a row, even against the right PIN, then lets it try again', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await domain.verifyAccountPin(ctx, { accountNumber: '5000003', pin: '1111' })).kind).toBe('refused');
    }
    const locked = await attempts('5000003');
    expect(locked.pin_locked_until).toBe(new Date(clock.getTime() + 15 * 60_000).toISOString());
    const pin = pinOf('5000003');
    expect(await domain.verifyAccountPin(ctx, { accountNumber: '5000003', pin })).toEqual({ kind: 'refused', message: domain.PIN_REFUSAL });
    const saved = clock;
    clock = new Date(saved.getTime() + 14 * 60_000);
    expect((await domain.verifyAccountPin(ctx, { accountNumber: '5000003', pin })).kind).toBe('refused');
    clock = new Date(saved.getTime() + 15 * 60_000 + 1000);
    expect((await domain.verifyAccountPin(ctx, { accountNumber: '5000003', pin })).kind).toBe('ok');
    expect(await attempts('5000003')).toEqual({ pin_failed_attempts: 0, pin_locked_until: null });
    clock = saved;
  });

  it('lets no more than 5 guesses through when they arrive at once', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => domain.verifyAccountPin(ctx, { accountNumber: '5000004', pin: String(1000 + i) })),
    );
    expect(guesses.every((g) => g.kind === 'refused')).toBe(true);
    const failed = await handle.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'pin_sign_in_failed')
      .where('target', '=', 'account:5000004')
      .where('account_id', 'is not', null)
      .executeTakeFirstOrThrow();
    // Only reserved attempts name the account; the rest never reached it.
    expect(Number(failed.n)).toBe(5);
    expect((await attempts('5000004')).pin_locked_until).not.toBeNull();
  });

  it('asks for digits without counting an attempt', async () => {
    expect(await domain.verifyAccountPin(ctx, { accountNumber: 'abc', pin: '2468' })).toMatchObject({ kind: 'invalid', field: 'accountNumber' });
    expect(await domain.verifyAccountPin(ctx, { accountNumber: '5000005', pin: '12' })).toMatchObject({ kind: 'invalid', field: 'pin' });
    expect((await attempts('5000005')).pin_failed_attempts).toBe(0);
  });

  function pinOf(number: string): string {
    const account = DEMO_ACCOUNTS.find((a) => a.number === number);
    if (!account?.pin) throw new Error(`no demo PIN for ${number}`);
    return account.pin;
  }
});

// Every use case × every kind of actor × accounts inside and outside their scope: who may do what is
// decided in the domain, nothing outside an actor's scope is returned, and refused writes change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import { TABLES_IN_DEPENDENCY_ORDER } from '../../src/db/schema.js';
import * as domain from '../../src/domain/index.js';
import type { Actor, DomainContext } from '../../src/domain/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';

const AS_OF = '2026-11-22';
const NOW = new Date(`${AS_OF}T15:00:00.000Z`);

/** The three accounts every use case is tried on. */
const TARGETS = {
  northwindRoot: '5000001',
  northwindPayables: '5000002',
  acmeRoot: '1002345',
} as const;
type Target = keyof typeof TARGETS;

type ActorName = 'northwindAdmin' | 'northwindBilling' | 'acmeAdmin' | 'careAgent' | 'billingStaff' | 'networkOps' | 'supportAgent' | 'anonymous';
const ACTOR_NAMES: ActorName[] = [
  'northwindAdmin',
  'northwindBilling',
  'acmeAdmin',
  'careAgent',
  'billingStaff',
  'networkOps',
  'supportAgent',
  'anonymous',
];

/** Which targets each actor may see at all (the scope), written out rather than derived. */
const SCOPE: Record<ActorName, Target[]> = {
  northwindAdmin: ['northwindRoot', 'northwindPayables'],
  northwindBilling: ['northwindPayables'],
  acmeAdmin: ['acmeRoot'],
  careAgent: ['northwindRoot', 'northwindPayables', 'acmeRoot'],
  billingStaff: ['northwindRoot', 'northwindPayables', 'acmeRoot'],
  networkOps: ['northwindRoot', 'northwindPayables', 'acmeRoot'],
  // The agent serves a conversation of admin@northwind.example, so sees that customer's accounts only.
  supportAgent: ['northwindRoot', 'northwindPayables'],
  anonymous: [],
};

const CUSTOMERS: ActorName[] = ['northwindAdmin', 'northwindBilling', 'acmeAdmin'];
const ADMINS: ActorName[] = ['northwindAdmin', 'acmeAdmin'];
const ALL_SIGNED_IN: ActorName[] = ACTOR_NAMES.filter((a) => a !== 'anonymous');

/** The policy: within scope, who may run each use case. */
const MAY = {
  accountRead: ALL_SIGNED_IN,
  billingRead: ['northwindAdmin', 'northwindBilling', 'acmeAdmin', 'careAgent', 'billingStaff', 'supportAgent'],
  ticketsRead: ['northwindAdmin', 'acmeAdmin', 'careAgent', 'billingStaff', 'networkOps', 'supportAgent'],
  servicesRead: ['northwindAdmin', 'acmeAdmin', 'careAgent', 'billingStaff', 'networkOps', 'supportAgent'],
  accountWrite: ['northwindAdmin', 'acmeAdmin', 'careAgent', 'billingStaff'],
  billingWrite: ['northwindAdmin', 'northwindBilling', 'acmeAdmin', 'careAgent', 'billingStaff'],
  paymentsWrite: ['northwindAdmin', 'northwindBilling', 'acmeAdmin', 'billingStaff'],
  ticketsWrite: ['northwindAdmin', 'acmeAdmin', 'careAgent', 'billingStaff', 'networkOps', 'supportAgent'],
  servicesWrite: ['northwindAdmin', 'acmeAdmin', 'careAgent', 'networkOps'],
  usersManage: ADMINS,
  ownPreferences: CUSTOMERS,
} satisfies Record<string, ActorName[]>;

/** Per-target things some use cases name: a ticket, an invoice, a toll-free number… */
interface TargetData {
  number: string;
  ticket: string;
  invoice: string;
  service: string;
  tollFree: string;
  e911Line: string;
  contactId: number;
  paymentMethodId: number;
  userToManage: string;
}

interface UseCase {
  name: string;
  write: boolean;
  may: readonly ActorName[];
  roleGated?: boolean;
  /** Refused as not_found, exactly like an account outside the scope, to everyone the policy does not allow. */
  hiddenUnlessAllowed?: boolean;
  run: (ctx: DomainContext, actor: Actor, t: TargetData, key: string) => Promise<{ kind: string }>;
}

const address = { street: '100 King St W', city: 'Toronto', region: 'ON', postalCode: 'M5X 1A9', country: 'CA' };

const USE_CASES: UseCase[] = [
  // Reads
  { name: 'getAccountSummary', write: false, may: MAY.accountRead, run: (c, a, t) => domain.getAccountSummary(c, a, { accountNumber: t.number }) },
  { name: 'getAccountHierarchy', write: false, may: MAY.accountRead, run: (c, a, t) => domain.getAccountHierarchy(c, a, { accountNumber: t.number }) },
  { name: 'listContacts', write: false, may: MAY.accountRead, run: (c, a, t) => domain.listContacts(c, a, { accountNumber: t.number }) },
  { name: 'listAccountNotes', write: false, may: MAY.accountRead, run: (c, a, t) => domain.listAccountNotes(c, a, { accountNumber: t.number }) },
  // Portal users are listed to those who manage them; to everyone else the account might as well not exist.
  { name: 'listUsers', write: false, may: MAY.usersManage, hiddenUnlessAllowed: true, run: (c, a, t) => domain.listUsers(c, a, { accountNumber: t.number }) },
  { name: 'getAccountBalance', write: false, may: MAY.billingRead, run: (c, a, t) => domain.getAccountBalance(c, a, { accountNumber: t.number }) },
  { name: 'listInvoices', write: false, may: MAY.billingRead, run: (c, a, t) => domain.listInvoices(c, a, { accountNumber: t.number }) },
  { name: 'getInvoice (latest)', write: false, may: MAY.billingRead, run: (c, a, t) => domain.getInvoice(c, a, { accountNumber: t.number }) },
  { name: 'getInvoice (by number)', write: false, may: MAY.billingRead, run: (c, a, t) => domain.getInvoice(c, a, { invoiceNumber: t.invoice }) },
  { name: 'listTaxExemptions', write: false, may: MAY.billingRead, run: (c, a, t) => domain.listTaxExemptions(c, a, { accountNumber: t.number }) },
  { name: 'listPaymentMethods', write: false, may: MAY.billingRead, run: (c, a, t) => domain.listPaymentMethods(c, a, { accountNumber: t.number }) },
  { name: 'getAutopay', write: false, may: MAY.billingRead, run: (c, a, t) => domain.getAutopay(c, a, { accountNumber: t.number }) },
  { name: 'listPayments', write: false, may: MAY.billingRead, run: (c, a, t) => domain.listPayments(c, a, { accountNumber: t.number }) },
  { name: 'listPendingTransactions', write: false, may: MAY.billingRead, run: (c, a, t) => domain.listPendingTransactions(c, a, { accountNumber: t.number }) },
  { name: 'listTickets', write: false, may: MAY.ticketsRead, run: (c, a, t) => domain.listTickets(c, a, { accountNumber: t.number }) },
  { name: 'getTicket', write: false, may: MAY.ticketsRead, run: (c, a, t) => domain.getTicket(c, a, { ticketNumber: t.ticket }) },
  { name: 'listCareCases', write: false, may: MAY.ticketsRead, run: (c, a, t) => domain.listCareCases(c, a, { accountNumber: t.number }) },
  { name: 'listServices', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listServices(c, a, { accountNumber: t.number }) },
  { name: 'getServiceDetails', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.getServiceDetails(c, a, { accountNumber: t.number, service: t.service }) },
  { name: 'getServiceMap', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.getServiceMap(c, a, { accountNumber: t.number }) },
  { name: 'listDidNumbers', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listDidNumbers(c, a, { accountNumber: t.number }) },
  { name: 'listHuntGroups', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listHuntGroups(c, a, { accountNumber: t.number }) },
  { name: 'listAccountCodes', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listAccountCodes(c, a, { accountNumber: t.number }) },
  { name: 'listTollFreeNumbers', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listTollFreeNumbers(c, a, { accountNumber: t.number }) },
  { name: 'listE911Locations', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listE911Locations(c, a, { accountNumber: t.number }) },
  { name: 'listOpenOrders', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listOpenOrders(c, a, { accountNumber: t.number }) },
  { name: 'listOutagesForAccount', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listOutagesForAccount(c, a, { accountNumber: t.number }) },
  { name: 'listMaintenanceForAccount', write: false, may: MAY.servicesRead, run: (c, a, t) => domain.listMaintenanceForAccount(c, a, { accountNumber: t.number }) },
  // Writes
  {
    name: 'addContact',
    write: true,
    may: MAY.accountWrite,
    run: (c, a, t) => domain.addContact(c, a, { accountNumber: t.number, contact: { name: 'Pat Matrix', email: 'pat@example.com', role: 'technical' } }),
  },
  {
    name: 'updateContact',
    write: true,
    may: MAY.accountWrite,
    run: (c, a, t) =>
      domain.updateContact(c, a, { accountNumber: t.number, contactId: t.contactId, contact: { name: 'Pat Updated', phone: '416-555-0199', role: 'billing' } }),
  },
  { name: 'updateBillingAddress', write: true, may: MAY.billingWrite, run: (c, a, t) => domain.updateBillingAddress(c, a, { accountNumber: t.number, address }) },
  { name: 'setPaperless', write: true, may: MAY.billingWrite, run: (c, a, t) => domain.setPaperless(c, a, { accountNumber: t.number, paperless: true }) },
  {
    name: 'addPaymentMethod',
    write: true,
    may: MAY.paymentsWrite,
    run: (c, a, t) =>
      domain.addPaymentMethod(c, a, {
        accountNumber: t.number,
        method: { kind: 'card', processorToken: 'tok_matrixTest1234', brand: 'Visa', last4: '4242', expMonth: 12, expYear: 2030, holderName: 'Pat Matrix' },
      }),
  },
  {
    name: 'setAutopay',
    write: true,
    may: MAY.paymentsWrite,
    run: (c, a, t) => domain.setAutopay(c, a, { accountNumber: t.number, enabled: true, paymentMethodId: t.paymentMethodId }),
  },
  {
    name: 'makeOneTimePayment',
    write: true,
    may: MAY.paymentsWrite,
    run: (c, a, t, key) =>
      domain.makeOneTimePayment(c, a, { accountNumber: t.number, amountCents: 1234, paymentMethodId: t.paymentMethodId, idempotencyKey: key }),
  },
  {
    name: 'removePaymentMethod',
    write: true,
    may: MAY.paymentsWrite,
    run: (c, a, t) => domain.removePaymentMethod(c, a, { accountNumber: t.number, paymentMethodId: t.paymentMethodId }),
  },
  {
    name: 'createTicket',
    write: true,
    may: MAY.ticketsWrite,
    run: (c, a, t, key) =>
      domain.createTicket(c, a, {
        accountNumber: t.number,
        title: 'No dial tone',
        description: 'Phones at reception have no dial tone.',
        preferredContact: 'email',
        idempotencyKey: key,
      }),
  },
  {
    name: 'escalateTicket',
    write: true,
    may: MAY.ticketsWrite,
    run: (c, a, t, key) => domain.escalateTicket(c, a, { ticketNumber: t.ticket, reason: 'Still down after a day', idempotencyKey: key }),
  },
  {
    name: 'changeRingTo',
    write: true,
    may: MAY.servicesWrite,
    run: (c, a, t) => domain.changeRingTo(c, a, { accountNumber: t.number, tollFreeNumber: t.tollFree, ringTo: '(416) 555-0142' }),
  },
  {
    name: 'updateE911Location',
    write: true,
    may: MAY.servicesWrite,
    run: (c, a, t) => domain.updateE911Location(c, a, { accountNumber: t.number, number: t.e911Line, address }),
  },
  {
    name: 'addUser',
    write: true,
    may: MAY.usersManage, roleGated: true,
    run: (c, a, t, key) =>
      domain.addUser(c, a, { email: `${key}@matrix.example`, role: 'user', permissions: ['tickets'], accountNumbers: [t.number] }),
  },
  {
    name: 'updateUser',
    write: true,
    may: MAY.usersManage, roleGated: true,
    run: (c, a, t) => domain.updateUser(c, a, { email: t.userToManage, role: 'user', permissions: ['reports'], accountNumbers: [t.number] }),
  },
  { name: 'removeUser', write: true, may: MAY.usersManage, roleGated: true, run: (c, a, t) => domain.removeUser(c, a, { email: t.userToManage }) },
  { name: 'addFavoriteAccount', write: true, may: MAY.ownPreferences, roleGated: true, run: (c, a, t) => domain.addFavoriteAccount(c, a, { accountNumber: t.number }) },
  { name: 'removeFavoriteAccount', write: true, may: MAY.ownPreferences, roleGated: true, run: (c, a, t) => domain.removeFavoriteAccount(c, a, { accountNumber: t.number }) },
  { name: 'setDefaultAccount', write: true, may: MAY.ownPreferences, roleGated: true, run: (c, a, t) => domain.setDefaultAccount(c, a, { accountNumber: t.number }) },
];

const DENIED = ['not_found', 'forbidden', 'sign_in_required'];

/** What the policy says an actor gets for a use case on a target. */
function expectedKind(useCase: UseCase, actor: ActorName, target: Target): 'allowed' | 'not_found' | 'forbidden' | 'sign_in_required' {
  if (actor === 'anonymous') return 'sign_in_required';
  // Some use cases belong to a role whatever the account (user management to customer admins,
  // favourites to portal users): those are refused before any account is looked at, revealing nothing.
  if (useCase.roleGated && !useCase.may.includes(actor)) return 'forbidden';
  if (useCase.hiddenUnlessAllowed && !useCase.may.includes(actor)) return 'not_found';
  if (!SCOPE[actor].includes(target)) return 'not_found';
  return useCase.may.includes(actor) ? 'allowed' : 'forbidden';
}

/** Every row of every table but the audit log and idempotency keys, to prove a refused write changed nothing. */
async function snapshot(handle: DatabaseHandle): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES_IN_DEPENDENCY_ORDER) {
    if (table === 'audit_log' || table === 'idempotency_keys' || table === 'call_detail_records') continue;
    const rows = await handle.db.selectFrom(table).selectAll().execute();
    parts.push(`${table}:${JSON.stringify(rows.map((r) => JSON.stringify(r)).sort())}`);
  }
  return parts.join('\n');
}

describe.each(ENGINES)('authorization matrix on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let ctx: DomainContext;
  const actors = {} as Record<ActorName, Actor>;
  const targets = {} as Record<Target, TargetData>;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 300, asOf: AS_OF });
    ctx = domain.createDomainContext(handle.db, () => NOW);
    const customer = async (email: string) => {
      const actor = await domain.loadCustomerActor(ctx, email);
      if (!actor) throw new Error(`demo customer ${email} missing`);
      return actor;
    };
    const staff = async (email: string) => {
      const actor = await domain.loadStaffActor(ctx, email);
      if (!actor) throw new Error(`demo staff ${email} missing`);
      return actor;
    };
    actors.northwindAdmin = await customer('admin@northwind.example');
    actors.northwindBilling = await customer('ap@northwind.example');
    actors.acmeAdmin = await customer('admin@acme.example');
    actors.careAgent = await staff('care@provider.example');
    actors.billingStaff = await staff('billing@provider.example');
    actors.networkOps = await staff('noc@provider.example');
    actors.anonymous = domain.ANONYMOUS;
    const nowIso = NOW.toISOString();
    await handle.db
      .insertInto('conversations')
      .values({
        id: 'conv-matrix',
        channel: 'web',
        external_ref: null,
        portal_user_id: (actors.northwindAdmin as domain.CustomerActor).userId,
        staff_id: null,
        account_in_focus_id: null,
        state: '{}',
        state_version: 0,
        status: 'agent',
        created_at: nowIso,
        updated_at: nowIso,
      })
      .execute();
    const agent = await domain.loadAgentActor(ctx, 'agent@provider.example', 'conv-matrix');
    if (!agent) throw new Error('demo support agent missing');
    actors.supportAgent = agent;

    for (const [target, number] of Object.entries(TARGETS) as [Target, string][]) {
      const account = await handle.db.selectFrom('accounts').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
      const first = async <T>(what: string, query: Promise<T | undefined>): Promise<T> => {
        const row = await query;
        if (row === undefined) throw new Error(`demo data has no ${what} on account ${number}`);
        return row;
      };
      const ticket = await domain.createTicket(ctx, actors.careAgent, {
        accountNumber: number,
        title: 'Matrix ticket',
        description: 'Opened by the test to be escalated.',
        preferredContact: 'phone',
        priority: 'low',
        idempotencyKey: `matrix-setup-${target}`,
      });
      const method = await domain.addPaymentMethod(ctx, actors.billingStaff, {
        accountNumber: number,
        method: { kind: 'card', processorToken: `tok_setup${target}0000`, brand: 'Mastercard', last4: '5454', expMonth: 1, expYear: 2031, holderName: 'Setup' },
      });
      if (ticket.kind !== 'ok' || method.kind !== 'ok') throw new Error('setup writes failed');
      // A throwaway portal user per target, scoped to that account, for the user-management cases.
      const userToManage = `managed-${target.toLowerCase()}@matrix.example`;
      const user = await handle.db
        .insertInto('portal_users')
        .values({
          organisation_id: account.organisation_id,
          email: userToManage,
          name: 'Managed User',
          role: 'user',
          permissions: 'tickets',
          status: 'active',
          invited_at: nowIso,
          activated_at: nowIso,
          security_question: null,
          security_answer_hash: null,
          default_account_id: account.id,
          created_at: nowIso,
          removed_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await handle.db.insertInto('user_account_scopes').values({ user_id: user.id, account_id: account.id, include_children: 0 }).execute();
      const id = account.id;
      const db = handle.db;
      targets[target] = {
        number,
        ticket: ticket.value.number,
        invoice: (await first('invoice', db.selectFrom('invoices').select('number').where('account_id', '=', id).executeTakeFirst())).number,
        service: (await first('service', db.selectFrom('services').select('identifier').where('account_id', '=', id).executeTakeFirst()))
          .identifier,
        tollFree: (await first('toll-free number', db.selectFrom('toll_free_numbers').select('number').where('account_id', '=', id).executeTakeFirst()))
          .number,
        e911Line: (await first('911 location', db.selectFrom('e911_locations').select('number').where('account_id', '=', id).executeTakeFirst()))
          .number,
        contactId: (await first('contact', db.selectFrom('contacts').select('id').where('account_id', '=', id).executeTakeFirst())).id,
        paymentMethodId: method.value.id,
        userToManage,
      };
    }
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  it('refuses every use case outside the policy or the scope, with the right answer, and changes nothing', async () => {
    const before = await snapshot(handle);
    const mismatches: string[] = [];
    let tried = 0;
    for (const useCase of USE_CASES) {
      for (const actor of ACTOR_NAMES) {
        for (const target of Object.keys(TARGETS) as Target[]) {
          const expected = expectedKind(useCase, actor, target);
          if (expected === 'allowed') continue;
          tried++;
          const outcome = await useCase.run(ctx, actors[actor], targets[target], `deny-${useCase.name}-${actor}-${target}`.replace(/[^\w.-]/g, '-'));
          if (outcome.kind !== expected) mismatches.push(`${useCase.name} as ${actor} on ${target}: expected ${expected}, got ${outcome.kind}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(tried).toBeGreaterThan(300);
    expect(await snapshot(handle)).toBe(before);
  });

  it('lets every actor the policy allows run every use case on the accounts in their scope', async () => {
    const mismatches: string[] = [];
    for (const useCase of USE_CASES) {
      for (const actor of ACTOR_NAMES) {
        for (const target of Object.keys(TARGETS) as Target[]) {
          if (expectedKind(useCase, actor, target) !== 'allowed') continue;
          const key = `allow-${useCase.name}-${actor}-${target}`.replace(/[^\w.-]/g, '-').toLowerCase();
          const outcome = await useCase.run(ctx, actors[actor], targets[target], key);
          // Allowed means authorization passed; a later business rule (already critical, say) may still say no.
          if (DENIED.includes(outcome.kind)) mismatches.push(`${useCase.name} as ${actor} on ${target}: got ${outcome.kind}`);
          if (useCase.write === false && outcome.kind !== 'ok') mismatches.push(`${useCase.name} as ${actor} on ${target}: read gave ${outcome.kind}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('answers a customer naming another organisation’s account exactly as for an account that does not exist', async () => {
    const foreign = await domain.getAccountBalance(ctx, actors.northwindAdmin, { accountNumber: TARGETS.acmeRoot });
    const missing = await domain.getAccountBalance(ctx, actors.northwindAdmin, { accountNumber: '9999999' });
    expect(foreign).toEqual({ kind: 'not_found', what: `account ${TARGETS.acmeRoot}` });
    expect(missing).toEqual({ kind: 'not_found', what: 'account 9999999' });
    const ticket = await domain.getTicket(ctx, actors.northwindAdmin, { ticketNumber: targets.acmeRoot.ticket });
    expect(ticket).toEqual({ kind: 'not_found', what: `ticket ${targets.acmeRoot.ticket}` });
    const invoice = await domain.getInvoice(ctx, actors.northwindAdmin, { invoiceNumber: targets.acmeRoot.invoice });
    expect(invoice).toEqual({ kind: 'not_found', what: `invoice ${targets.acmeRoot.invoice}` });
  });

  it('never returns accounts outside a customer’s scope from lists that span accounts', async () => {
    for (const name of CUSTOMERS) {
      const actor = actors[name] as domain.CustomerActor;
      const visible = await handle.db.selectFrom('accounts').select('number').where('id', 'in', [...actor.accountIds]).execute();
      const allowedNumbers = new Set(visible.map((a) => a.number));
      const tickets = await domain.listTickets(ctx, actor, {});
      if (tickets.kind === 'ok') {
        for (const t of tickets.value) expect(allowedNumbers.has(t.accountNumber)).toBe(true);
      }
      const hierarchy = await domain.getAccountHierarchy(ctx, actor, {});
      expect(hierarchy.kind).toBe('ok');
      const walk = (nodes: domain.AccountNode[]): string[] => nodes.flatMap((n) => [n.number, ...walk(n.children)]);
      if (hierarchy.kind === 'ok') {
        const numbers = walk(hierarchy.value);
        expect(numbers.length).toBeGreaterThan(0);
        for (const n of numbers) expect(allowedNumbers.has(n)).toBe(true);
      }
      const accessible = await domain.listAccessibleAccounts(ctx, actor);
      expect(accessible.kind).toBe('ok');
      if (accessible.kind === 'ok') expect(new Set(accessible.value.map((a) => a.number))).toEqual(allowedNumbers);
      // The account search of pickers: an empty query lists the whole scope, a name query stays inside it.
      for (const query of ['', 'acme', 'northwind', '100', '500', '%']) {
        const found = await domain.searchAccounts(ctx, actor, { query, limit: 100 });
        expect(found.kind).toBe('ok');
        if (found.kind === 'ok') for (const a of found.value) expect(allowedNumbers.has(a.number)).toBe(true);
        if (found.kind === 'ok' && query === '') expect(new Set(found.value.map((a) => a.number))).toEqual(allowedNumbers);
        // A typed % is a literal character, not a wildcard.
        if (found.kind === 'ok' && query === '%') expect(found.value).toEqual([]);
      }
      expect((await domain.listHandoffQueue(ctx, actor)).kind).toBe('forbidden');
    }
    // Staff search every account (audited); the handoff queue is for staff who take chats.
    const staffSearch = await domain.searchAccounts(ctx, actors.careAgent as domain.StaffActor, { query: 'acme' });
    expect(staffSearch.kind === 'ok' && staffSearch.value.map((a) => a.number)).toContain(TARGETS.acmeRoot);
    expect((await domain.searchAccounts(ctx, actors.anonymous as domain.Actor, { query: 'acme' })).kind).toBe('sign_in_required');
    expect((await domain.listHandoffQueue(ctx, actors.careAgent as domain.Actor)).kind).toBe('ok');
    expect(await domain.listHandoffQueue(ctx, actors.networkOps as domain.Actor)).toEqual({ kind: 'ok', value: [] });
    const billingUser = actors.northwindBilling as domain.CustomerActor;
    const summary = await domain.getAccountSummary(ctx, billingUser, { accountNumber: TARGETS.northwindPayables });
    // 5000002's parent (5000001) is outside this user's scope, so it is not shown.
    expect(summary.kind === 'ok' && summary.value.parent).toBe(null);
  });

  it('records every staff look-up of a customer account in the audit log', async () => {
    const care = actors.careAgent as domain.StaffActor;
    const before = await handle.db.selectFrom('audit_log').select('id').where('actor_id', '=', `staff:${care.staffId}`).execute();
    const result = await domain.getAccountBalance(ctx, care, { accountNumber: TARGETS.acmeRoot });
    expect(result.kind).toBe('ok');
    const after = await handle.db
      .selectFrom('audit_log')
      .selectAll()
      .where('actor_id', '=', `staff:${care.staffId}`)
      .orderBy('id', 'desc')
      .execute();
    expect(after.length).toBe(before.length + 1);
    expect(after[0]).toMatchObject({ action: 'get_account_balance', actor_kind: 'staff', target: `account:${TARGETS.acmeRoot}` });
  });
  it('lists portal users only to an admin, naming only accounts in the admin’s scope', async () => {
    for (const name of ['northwindBilling', 'careAgent', 'billingStaff', 'networkOps', 'supportAgent'] as const) {
      const refused = await domain.listUsers(ctx, actors[name], { accountNumber: TARGETS.northwindPayables });
      expect(refused).toEqual({ kind: 'not_found', what: `account ${TARGETS.northwindPayables}` });
    }
    const pin = await domain.verifyAccountPin(ctx, { accountNumber: TARGETS.northwindPayables, pin: '8642' });
    if (pin.kind !== 'ok') throw new Error('the demo PIN of 5000002 verifies');
    expect((await domain.listUsers(ctx, pin.value, { accountNumber: TARGETS.northwindPayables })).kind).toBe('not_found');
    const listed = await domain.listUsers(ctx, actors.northwindAdmin, { accountNumber: TARGETS.northwindRoot });
    if (listed.kind !== 'ok') throw new Error(listed.kind);
    const scope = actors.northwindAdmin as domain.CustomerActor;
    const numbers = new Set(
      (await handle.db.selectFrom('accounts').select(['id', 'number']).execute()).filter((a) => scope.accountIds.has(a.id)).map((a) => a.number),
    );
    expect(listed.value.length).toBeGreaterThan(0);
    for (const user of listed.value) for (const account of user.accounts) expect(numbers.has(account)).toBe(true);
    expect(JSON.stringify(listed.value)).not.toMatch(/acme/i);
  });
});

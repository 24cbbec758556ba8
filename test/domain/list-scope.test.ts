// Every list a person can ask for, by every kind of actor, through the domain use case and through a chat
// message: no account number, email or person's name outside the actor's scope appears anywhere in the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServices } from '../../adapters/runtime/chat-services.js';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import {
  type ConversationEngine,
  createConversationEngine,
  createProductUnderstanding,
} from '../../src/conversation/index.js';
import type { Reply } from '../../src/conversation/reply.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import * as domain from '../../src/domain/index.js';
import type { Actor, DomainContext } from '../../src/domain/index.js';
import {
  listCustomReports,
  listScheduledReports,
  reportTable,
  runReport,
  scheduleReport,
} from '../../src/domain/reports/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';

const AS_OF = '2026-11-22';
const NOW = new Date(`${AS_OF}T15:00:00.000Z`);

/**
 * The actors, from the widest scope to none. branchAdmin is an admin of Northwind who sees 5000003 alone (not
 * its children) and once saw 5000001: the narrow admin every "only within your scope" filter is about.
 */
const ACTOR_NAMES = [
  'northwindAdmin',
  'branchAdmin',
  'northwindBilling',
  'northwindTech',
  'pin5000002',
  'acmeAdmin',
  'acmeDispatch',
  'laurentideAdmin',
  'careAgent',
  'billingStaff',
  'networkOps',
  'agentServingBilling',
  'anonymous',
] as const;
type ActorName = (typeof ACTOR_NAMES)[number];

/** Accounts named in requests: in some actors' scope and outside others', a parent and its children. */
const TARGETS = ['5000001', '5000002', '5000003', '5000005', '1002345', '1002346', '7000001'];

/** The per-account list use cases. */
const ACCOUNT_LISTS: Record<string, (ctx: DomainContext, actor: Actor, accountNumber: string) => Promise<unknown>> = {
  listUsers: (c, a, n) => domain.listUsers(c, a, { accountNumber: n }),
  listContacts: (c, a, n) => domain.listContacts(c, a, { accountNumber: n }),
  listAccountNotes: (c, a, n) => domain.listAccountNotes(c, a, { accountNumber: n }),
  getAccountHierarchy: (c, a, n) => domain.getAccountHierarchy(c, a, { accountNumber: n }),
  getAccountSummary: (c, a, n) => domain.getAccountSummary(c, a, { accountNumber: n }),
  listPaymentMethods: (c, a, n) => domain.listPaymentMethods(c, a, { accountNumber: n }),
  listPayments: (c, a, n) => domain.listPayments(c, a, { accountNumber: n }),
  listPendingTransactions: (c, a, n) => domain.listPendingTransactions(c, a, { accountNumber: n }),
  listInvoices: (c, a, n) => domain.listInvoices(c, a, { accountNumber: n }),
  listTaxExemptions: (c, a, n) => domain.listTaxExemptions(c, a, { accountNumber: n }),
  listServices: (c, a, n) => domain.listServices(c, a, { accountNumber: n }),
  getServiceMap: (c, a, n) => domain.getServiceMap(c, a, { accountNumber: n }),
  listDidNumbers: (c, a, n) => domain.listDidNumbers(c, a, { accountNumber: n }),
  listHuntGroups: (c, a, n) => domain.listHuntGroups(c, a, { accountNumber: n }),
  listAccountCodes: (c, a, n) => domain.listAccountCodes(c, a, { accountNumber: n }),
  listTollFreeNumbers: (c, a, n) => domain.listTollFreeNumbers(c, a, { accountNumber: n }),
  listE911Locations: (c, a, n) => domain.listE911Locations(c, a, { accountNumber: n }),
  listOpenOrders: (c, a, n) => domain.listOpenOrders(c, a, { accountNumber: n, includeClosed: true }),
  listTickets: (c, a, n) => domain.listTickets(c, a, { accountNumber: n }),
  'listTickets (with children)': (c, a, n) =>
    domain.listTickets(c, a, { accountNumber: n, includeChildren: true, limit: 500 }),
  listCareCases: (c, a, n) => domain.listCareCases(c, a, { accountNumber: n }),
  listOutagesForAccount: (c, a, n) => domain.listOutagesForAccount(c, a, { accountNumber: n }),
  listMaintenanceForAccount: (c, a, n) => domain.listMaintenanceForAccount(c, a, { accountNumber: n }),
  'runReport (billed amount by child account, with children)': async (c, a, n) => {
    const run = await runReport(c, a, {
      reportId: 'billed-amount-summary-by-child-account',
      accountNumber: n,
      includeChildren: true,
      period: 'last_month',
    });
    return run.kind === 'ok' ? { ...run.value, table: await reportTable(run.value, 500) } : run;
  },
};

/** The list use cases that span every account the actor may see. */
const ACTOR_LISTS: Record<string, (ctx: DomainContext, actor: Actor) => Promise<unknown>> = {
  'listTickets (all)': (c, a) => domain.listTickets(c, a, { limit: 500 }),
  'listTickets (mine)': (c, a) => domain.listTickets(c, a, { mine: true, limit: 500 }),
  'getAccountHierarchy (all)': (c, a) => domain.getAccountHierarchy(c, a, {}),
  listAccessibleAccounts: (c, a) => domain.listAccessibleAccounts(c, a),
  'searchAccounts (everything)': (c, a) => domain.searchAccounts(c, a, { query: '', limit: 100 }),
  'searchAccounts (northwind)': (c, a) => domain.searchAccounts(c, a, { query: 'northwind', limit: 100 }),
  'searchAccounts (acme)': (c, a) => domain.searchAccounts(c, a, { query: 'acme', limit: 100 }),
  listHandoffQueue: (c, a) => domain.listHandoffQueue(c, a, { limit: 100 }),
  listScheduledReports: (c, a) => listScheduledReports(c, a),
  listCustomReports: (c, a) => listCustomReports(c, a),
};

/** Chat requests for lists, without an account (the default one, or a question) and with each of `CHAT_TARGETS`. */
const CHAT_LISTS = [
  'list our portal users',
  'show contacts',
  'show our payment methods',
  'list our services',
  'list our phone numbers',
  'show the hunt groups',
  'show our toll-free numbers',
  'show open tickets',
  'show my invoice history',
  'show the handoff queue',
  'list my report schedules',
  'show the account hierarchy',
];
const CHAT_LISTS_FOR = [
  (n: string) => `who has access to the portal for ${n}?`,
  (n: string) => `show contacts for ${n}`,
  (n: string) => `payment methods on ${n}`,
  (n: string) => `list the services on ${n}`,
  (n: string) => `list the DID numbers on ${n}`,
  (n: string) => `toll-free numbers on ${n}`,
  (n: string) => `show open tickets on ${n}`,
  (n: string) => `invoice history for ${n}`,
  (n: string) => `payment history for ${n}`,
  (n: string) => `billed amount summary by child account for ${n} with children last month`,
];
const CHAT_TARGETS = ['5000001', '5000002', '5000003', '1002345'];

/** What lies outside one actor's scope: what no answer to them may show. */
interface Outside {
  accountNumbers: Set<string>;
  /** Emails (lower case) and names of portal users, contacts and payment-account holders. */
  emails: Set<string>;
  names: Set<string>;
}

describe.each(ENGINES)('list scope on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let ctx: DomainContext;
  let chatEngine: ConversationEngine;
  const actors = {} as Record<ActorName, Actor>;
  const outside = {} as Record<ActorName, Outside>;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 300, asOf: AS_OF });
    ctx = domain.createDomainContext(handle.db, () => NOW);
    chatEngine = createConversationEngine({ ctx, nlu: createProductUnderstanding(), services: createChatServices() });
    const db = handle.db;
    const nowIso = NOW.toISOString();
    const accountId = async (number: string) =>
      (await db.selectFrom('accounts').select('id').where('number', '=', number).executeTakeFirstOrThrow()).id;
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

    // The branch admin first sees all of Northwind and schedules a report on the root; later their access is
    // narrowed to 5000003 alone, and the schedule stays behind.
    const organisationId = (
      await db
        .selectFrom('accounts')
        .select('organisation_id')
        .where('number', '=', '5000001')
        .executeTakeFirstOrThrow()
    ).organisation_id;
    const branch = await db
      .insertInto('portal_users')
      .values({
        organisation_id: organisationId,
        email: 'branch.admin@northwind.example',
        name: 'Avery Lindqvist',
        role: 'admin',
        permissions: 'billing,tickets,services,reports',
        status: 'active',
        invited_at: nowIso,
        activated_at: nowIso,
        security_question: null,
        security_answer_hash: null,
        default_account_id: await accountId('5000003'),
        created_at: nowIso,
        removed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('user_account_scopes')
      .values({ user_id: branch.id, account_id: await accountId('5000001'), include_children: 1 })
      .execute();
    const schedule = {
      reportId: 'long-distance-summary',
      format: 'pdf',
      frequency: 'monthly',
      channel: 'web',
    } as const;
    const before = await scheduleReport(ctx, await customer('branch.admin@northwind.example'), {
      ...schedule,
      accountNumber: '5000001',
      includeChildren: true,
      destination: 'branch.admin@northwind.example',
    });
    if (before.kind !== 'ok') throw new Error(`schedule: ${before.kind}`);
    await db.deleteFrom('user_account_scopes').where('user_id', '=', branch.id).execute();
    await db
      .insertInto('user_account_scopes')
      .values({ user_id: branch.id, account_id: await accountId('5000003'), include_children: 0 })
      .execute();

    actors.northwindAdmin = await customer('admin@northwind.example');
    actors.branchAdmin = await customer('branch.admin@northwind.example');
    actors.northwindBilling = await customer('ap@northwind.example');
    actors.northwindTech = await customer('tech@northwind.example');
    const pin = await domain.verifyAccountPin(ctx, { accountNumber: '5000002', pin: '8642' });
    if (pin.kind !== 'ok') throw new Error('the demo PIN of 5000002 verifies');
    actors.pin5000002 = pin.value;
    actors.acmeAdmin = await customer('admin@acme.example');
    actors.acmeDispatch = await customer('dispatch@acme.example');
    actors.laurentideAdmin = await customer('admin@laurentide.example');
    actors.careAgent = await staff('care@provider.example');
    actors.billingStaff = await staff('billing@provider.example');
    actors.networkOps = await staff('noc@provider.example');
    actors.anonymous = domain.ANONYMOUS;

    // Schedules of actors in scope too, so their lists are not empty.
    for (const [name, accountNumber] of [
      ['northwindAdmin', '5000003'],
      ['acmeAdmin', '1002346'],
      ['acmeDispatch', '1002347'],
    ] as const) {
      const made = await scheduleReport(ctx, actors[name], {
        ...schedule,
        accountNumber,
        destination: `${name}@schedules.example`,
      });
      if (made.kind !== 'ok') throw new Error(`schedule for ${name}: ${made.kind}`);
    }

    // Waiting handoffs from conversations about accounts of two organisations, and one an agent is serving:
    // the conversation of ap@northwind, so the agent sees 5000002 alone.
    const apUser = (actors.northwindBilling as domain.CustomerActor).userId;
    for (const [id, userId, focus, status] of [
      ['conv-scope-ap', apUser, '5000002', 'active'],
      ['conv-scope-acme', (actors.acmeAdmin as domain.CustomerActor).userId, '1002346', 'waiting'],
      ['conv-scope-laurentide', (actors.laurentideAdmin as domain.CustomerActor).userId, '7000002', 'waiting'],
    ] as const) {
      await db
        .insertInto('conversations')
        .values({
          id,
          channel: 'web',
          external_ref: null,
          portal_user_id: userId,
          staff_id: null,
          account_in_focus_id: await accountId(focus),
          state: '{}',
          state_version: 0,
          status: status === 'active' ? 'agent' : 'handoff_waiting',
          created_at: nowIso,
          updated_at: nowIso,
        })
        .execute();
      const agentStaffId = status === 'active' ? (actors.careAgent as domain.StaffActor).staffId : null;
      await db
        .insertInto('handoffs')
        .values({
          conversation_id: id,
          reason: 'asked for a person',
          status,
          agent_staff_id: agentStaffId,
          requested_at: nowIso,
          accepted_at: agentStaffId ? nowIso : null,
          returned_at: null,
        })
        .execute();
    }
    const agent = await domain.loadAgentActor(ctx, 'agent@provider.example', 'conv-scope-ap');
    if (!agent) throw new Error('demo support agent missing');
    actors.agentServingBilling = agent;

    // What lies outside each actor's scope, from the database: every account, portal user, contact and
    // payment account of the demo data, minus those on the actor's accounts.
    const accounts = await db.selectFrom('accounts').select(['id', 'number', 'name', 'organisation_id']).execute();
    const organisations = await db.selectFrom('organisations').select(['id', 'name']).execute();
    const users = await db.selectFrom('portal_users').select(['id', 'email', 'name']).execute();
    const userScopes = new Map<number, Set<number>>();
    for (const u of users) userScopes.set(u.id, await domain.scopedAccountIds(db, u.id));
    const contacts = await db.selectFrom('contacts').select(['account_id', 'name', 'email']).execute();
    const holders = await db.selectFrom('payment_methods').select(['account_id', 'holder_name']).execute();
    for (const name of ACTOR_NAMES) {
      const actor = actors[name];
      const sees = (id: number) =>
        actor.kind === 'staff' || ((actor.kind === 'customer' || actor.kind === 'agent') && actor.accountIds.has(id));
      const inside: string[] = [];
      const out: Outside = { accountNumbers: new Set(), emails: new Set(), names: new Set() };
      const sort = (visible: boolean, strings: (string | null)[], into: Set<string>) => {
        for (const s of strings) {
          if (!s) continue;
          if (visible) inside.push(s.toLowerCase());
          else into.add(s);
        }
      };
      // The name of one's own organisation is no secret, though its root account may be out of scope.
      for (const o of organisations)
        if (accounts.some((a) => a.organisation_id === o.id && sees(a.id))) inside.push(o.name.toLowerCase());
      for (const a of accounts) {
        sort(sees(a.id), [a.number], out.accountNumbers);
        sort(sees(a.id), [a.name], out.names);
      }
      for (const u of users) {
        // A portal user is inside the scope when they may see one of the actor's accounts (the actor's colleagues).
        const visible = [...(userScopes.get(u.id) ?? [])].some(sees);
        sort(visible, [u.email.toLowerCase()], out.emails);
        sort(visible, [u.name], out.names);
      }
      for (const c of contacts) {
        sort(sees(c.account_id), [c.email?.toLowerCase() ?? null], out.emails);
        sort(sees(c.account_id), [c.name], out.names);
      }
      for (const h of holders) sort(sees(h.account_id), [h.holder_name], out.names);
      const ambiguous = (s: string) => s.length < 5 || inside.some((i) => i.includes(s.toLowerCase()));
      for (const set of [out.emails, out.names]) for (const s of [...set]) if (ambiguous(s)) set.delete(s);
      outside[name] = out;
    }
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  /** Everything outside the actor's scope that the answer shows; `named` is the account the actor asked about. */
  function leaks(actor: ActorName, answer: string, named?: string): string[] {
    const out = outside[actor];
    const found: string[] = [];
    for (const number of out.accountNumbers) {
      if (number !== named && new RegExp(`(?<!\\d)${number}(?!\\d)`).test(answer)) found.push(`account ${number}`);
    }
    const lower = answer.toLowerCase();
    for (const email of out.emails) if (lower.includes(email)) found.push(`email ${email}`);
    for (const name of out.names) if (answer.includes(name)) found.push(`name ${name}`);
    return found;
  }

  /** The whole reply as one string: text, cards, buttons, and the contents of CSV files. */
  function serialise(reply: Reply): string {
    const files = (reply.files ?? []).map(
      (f) => `${f.filename}\n${f.mediaType === 'text/csv' ? new TextDecoder().decode(f.content) : ''}`,
    );
    return JSON.stringify({ ...reply, files }, null, 0);
  }

  it('knows, for every actor, what lies outside their scope', () => {
    // The fixture's premises: narrow actors have plenty outside their scope, staff nothing, anonymous everything.
    expect(outside.northwindBilling.accountNumbers.has('5000001')).toBe(true);
    expect(outside.northwindBilling.accountNumbers.has('5000002')).toBe(false);
    expect(outside.branchAdmin.accountNumbers.has('5000005')).toBe(true);
    expect(outside.branchAdmin.emails.has('pending@northwind.example')).toBe(true);
    expect(outside.branchAdmin.emails.has('tech@northwind.example')).toBe(false);
    expect(outside.agentServingBilling.accountNumbers.has('5000003')).toBe(true);
    expect(outside.acmeAdmin.emails.has('admin@northwind.example')).toBe(true);
    expect(outside.northwindAdmin.names.has('Rachel Alvarez')).toBe(true);
    expect(outside.careAgent.accountNumbers.size).toBe(0);
    expect(outside.anonymous.emails.has('ap@northwind.example')).toBe(true);
    for (const name of ['northwindAdmin', 'branchAdmin', 'pin5000002', 'acmeDispatch', 'laurentideAdmin'] as const) {
      expect(outside[name].emails.size).toBeGreaterThan(10);
      expect(outside[name].names.size).toBeGreaterThan(10);
    }
  });

  it('returns nothing outside the actor’s scope from any list use case', async () => {
    const found: string[] = [];
    let listed = 0;
    // Actors side by side (each one's calls in turn), so PostgreSQL's round trips overlap.
    await Promise.all(
      ACTOR_NAMES.map(async (name) => {
        for (const [useCase, run] of Object.entries(ACCOUNT_LISTS)) {
          for (const target of TARGETS) {
            const outcome = (await run(ctx, actors[name], target)) as { kind: string };
            if (outcome.kind === 'ok') listed++;
            for (const leak of leaks(name, JSON.stringify(outcome), target))
              found.push(`${useCase}(${target}) as ${name}: ${leak}`);
          }
        }
        for (const [useCase, run] of Object.entries(ACTOR_LISTS)) {
          const outcome = (await run(ctx, actors[name])) as { kind: string };
          if (outcome.kind === 'ok') listed++;
          for (const leak of leaks(name, JSON.stringify(outcome))) found.push(`${useCase} as ${name}: ${leak}`);
        }
      }),
    );
    expect(found.sort()).toEqual([]);
    expect(listed).toBeGreaterThan(500);
  });

  it('lists portal users only to admins, within their scope, and answers everyone else as for an account they cannot see', async () => {
    for (const name of ACTOR_NAMES) {
      for (const target of TARGETS) {
        const listedUsers = await domain.listUsers(ctx, actors[name], { accountNumber: target });
        const unseen = await domain.listUsers(ctx, actors[name], { accountNumber: '9999999' });
        if (name === 'anonymous') {
          expect(listedUsers.kind).toBe('sign_in_required');
          continue;
        }
        expect(unseen).toEqual({ kind: 'not_found', what: 'account 9999999' });
        const admin =
          name === 'northwindAdmin' || name === 'branchAdmin' || name === 'acmeAdmin' || name === 'laurentideAdmin';
        if (admin && !outside[name].accountNumbers.has(target)) expect(listedUsers.kind).toBe('ok');
        else expect(listedUsers).toEqual({ kind: 'not_found', what: `account ${target}` });
      }
    }
    const branch = await domain.listUsers(ctx, actors.branchAdmin, { accountNumber: '5000003' });
    expect(branch.kind === 'ok' && branch.value.map((u) => [u.email, u.accounts])).toEqual([
      ['branch.admin@northwind.example', ['5000003']],
      ['tech@northwind.example', ['5000003']],
    ]);
  });

  it('answers every list request in chat without anything outside the actor’s scope, in the text or any card', async () => {
    const found: string[] = [];
    const users = new Map<string, string>();
    let conversation = 0;
    let answeredWithCards = 0;
    const say = (name: ActorName, text: string) =>
      chatEngine.handleMessage(
        { channel: 'web', conversationId: `scope-${engine}-${name}-${++conversation}`, text },
        actors[name],
      );
    const requests: [string, string | undefined][] = [
      ...CHAT_LISTS.map((text) => [text, undefined] as [string, undefined]),
      ...CHAT_LISTS_FOR.flatMap((request) => CHAT_TARGETS.map((n) => [request(n), n] as [string, string])),
    ];
    // Each request in a new conversation; actors side by side, so PostgreSQL's round trips overlap.
    await Promise.all(
      ACTOR_NAMES.map(async (name) => {
        for (const [text, named] of requests) {
          const reply = await say(name, text);
          if (reply.cards?.some((c) => c.table?.rows.length)) answeredWithCards++;
          for (const leak of leaks(name, serialise(reply), named)) found.push(`"${text}" as ${name}: ${leak}`);
          if (text.startsWith('who has access') && named) users.set(`${name} ${named}`, reply.text);
        }
      }),
    );
    expect(found.sort()).toEqual([]);
    // Most requests were understood and listed something: the test is not passing on refusals alone.
    expect(answeredWithCards).toBeGreaterThan(200);
    // Portal users asked for, on an account they can see, by someone who may not manage them: the same words as
    // for an account they cannot see.
    for (const [name, seen] of [
      ['northwindBilling', '5000002'],
      ['northwindTech', '5000003'],
      ['pin5000002', '5000002'],
      ['careAgent', '1002345'],
      ['networkOps', '5000003'],
    ] as const) {
      const unseen = (await say(name, 'who has access to the portal for 9999999?')).text;
      expect(unseen).toMatch(/couldn't find account 9999999/);
      expect(users.get(`${name} ${seen}`)).toBe(unseen.replace('9999999', seen));
    }
  });
});

// The staff dashboard use case (Slack's App Home, the agent console): what each staff role sees, who is
// refused, and the audit trail its look-ups leave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../fixtures/demo-data/index.js';
import type { DatabaseHandle } from '../../src/db/handle.js';
import * as domain from '../../src/domain/index.js';
import type { AgentActor, CustomerActor, DomainContext, StaffActor } from '../../src/domain/index.js';
import { createTestDatabase, ENGINES } from '../support/databases.js';

const AS_OF = '2026-11-22';
const NOW = new Date(`${AS_OF}T15:00:00.000Z`);

describe.each(ENGINES)('staff dashboard on %s', (engine) => {
  let handle: DatabaseHandle;
  let drop: () => Promise<void>;
  let ctx: DomainContext;
  let care: StaffActor;
  let noc: StaffActor;
  let customer: CustomerActor;

  beforeAll(async () => {
    ({ handle, drop } = await createTestDatabase(engine));
    await seedDemoData(handle, { cdrs: 100, asOf: AS_OF });
    ctx = domain.createDomainContext(handle.db, () => NOW);
    care = (await domain.loadStaffActor(ctx, 'care@provider.example')) as StaffActor;
    noc = (await domain.loadStaffActor(ctx, 'noc@provider.example')) as StaffActor;
    customer = (await domain.loadCustomerActor(ctx, 'admin@northwind.example')) as CustomerActor;
    await handle.db
      .insertInto('conversations')
      .values({
        id: 'web:dashboard-test',
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
    await handle.db
      .insertInto('handoffs')
      .values({
        conversation_id: 'web:dashboard-test',
        reason: 'wants to dispute a charge',
        status: 'waiting',
        agent_staff_id: null,
        requested_at: '2026-11-22T14:05:00.000Z',
        accepted_at: null,
        returned_at: null,
      })
      .execute();
  }, 120_000);

  afterAll(async () => {
    await drop?.();
  });

  const auditRows = (actorId: string) =>
    handle.db.selectFrom('audit_log').selectAll().where('actor_id', '=', actorId).orderBy('id').execute();

  it('shows a care agent every open high-priority ticket newest first, the current outages and the waiting handoffs', async () => {
    const result = await domain.getStaffDashboard(ctx, care);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    const dashboard = result.value;
    expect(dashboard.staff).toEqual({ email: 'care@provider.example', role: 'care_agent' });

    const highOpen = await handle.db
      .selectFrom('tickets')
      .select('number')
      .where('priority', 'in', ['high', 'critical'])
      .where('status', 'in', ['open', 'in_progress', 'pending_customer'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(highOpen.length).toBeGreaterThan(0);
    expect(dashboard.tickets.map((t) => t.number)).toEqual(highOpen.map((t) => t.number));
    for (const t of dashboard.tickets) expect(['high', 'critical']).toContain(t.priority);

    const outages = await handle.db.selectFrom('outages').select('reference').where('status', '!=', 'resolved').execute();
    expect(dashboard.outages.map((o) => o.reference).sort()).toEqual(outages.map((o) => o.reference).sort());

    expect(dashboard.handoffs).toContainEqual(
      expect.objectContaining({
        conversationId: 'web:dashboard-test',
        channel: 'web',
        status: 'waiting',
        reason: 'wants to dispute a charge',
        accountNumber: null,
      }),
    );
  });

  it('audits the look-ups behind the dashboard with the staff member who asked', async () => {
    const before = (await auditRows(`staff:${care.staffId}`)).length;
    const slackCare: StaffActor = { ...care, channelIdentity: { channel: 'slack', tenantId: 'T0DEMO', userId: 'U0DEMOSTAFF' } };
    expect((await domain.getStaffDashboard(ctx, slackCare)).kind).toBe('ok');
    const written = (await auditRows(`staff:${care.staffId}`)).slice(before);
    expect(written.map((a) => a.action).sort()).toEqual(['list_handoffs', 'list_tickets']);
    for (const a of written) {
      expect(a).toMatchObject({ actor_kind: 'staff', actor_label: 'care@provider.example (care_agent)', account_id: null });
      expect(JSON.parse(a.details ?? '{}').via).toBe('slack:T0DEMO:U0DEMOSTAFF');
    }
    const tickets = written.find((a) => a.action === 'list_tickets');
    expect(JSON.parse(tickets?.details ?? '{}')).toMatchObject({ openOnly: true, minPriority: 'high' });
  });

  it('shows network operations the tickets and outages but no handoffs, since they do not take chats', async () => {
    const before = (await auditRows(`staff:${noc.staffId}`)).length;
    const result = await domain.getStaffDashboard(ctx, noc);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.value.staff.role).toBe('network_operations');
    expect(result.value.tickets.length).toBeGreaterThan(0);
    expect(result.value.outages.length).toBeGreaterThan(0);
    expect(result.value.handoffs).toEqual([]);
    const written = (await auditRows(`staff:${noc.staffId}`)).slice(before);
    expect(written.map((a) => a.action)).toEqual(['list_tickets']);
  });

  it('refuses customers, agents serving a conversation and anonymous visitors, and records nothing for them', async () => {
    const count = async () =>
      Number((await handle.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const agent: AgentActor = {
      kind: 'agent',
      staffId: care.staffId,
      email: care.email,
      servingConversationId: 'web:dashboard-test',
      accountIds: customer.accountIds,
    };
    expect(await domain.getStaffDashboard(ctx, customer)).toMatchObject({ kind: 'forbidden' });
    expect(await domain.getStaffDashboard(ctx, agent)).toMatchObject({ kind: 'forbidden' });
    expect(await domain.getStaffDashboard(ctx, domain.ANONYMOUS)).toEqual({ kind: 'sign_in_required' });
    expect(await count()).toBe(before);
  });
});

describe('the escalation rule', () => {
  it('lists the priorities above a ticket, lowest first, and none above critical', () => {
    expect(domain.PRIORITIES).toEqual(['low', 'medium', 'high', 'critical']);
    expect(domain.prioritiesAbove('medium')).toEqual(['high', 'critical']);
    expect(domain.prioritiesAbove('critical')).toEqual([]);
    expect(domain.prioritiesFrom('high')).toEqual(['high', 'critical']);
    expect(domain.nextPriority('low')).toBe('medium');
    expect(domain.nextPriority('critical')).toBeNull();
  });

  it('says why a ticket cannot be escalated, and where an escalation takes it', () => {
    expect(domain.escalationBlocked({ status: 'closed', priority: 'low' })).toBe('closed');
    expect(domain.escalationBlocked({ status: 'resolved', priority: 'critical' })).toBe('closed');
    expect(domain.escalationBlocked({ status: 'in_progress', priority: 'critical' })).toBe('highest');
    expect(domain.escalationBlocked({ status: 'pending_customer', priority: 'high' })).toBeNull();
    expect(domain.escalationTarget('medium')).toBe('high');
    expect(domain.escalationTarget('medium', 'critical')).toBe('critical');
    expect(domain.escalationTarget('high', 'medium')).toBeNull();
    expect(domain.escalationTarget('high', 'high')).toBeNull();
    expect(domain.escalationTarget('critical')).toBeNull();
  });
});

// A confirmation survives a crash: when the process dies after the write but before the reply is stored (or
// before the dialog state is saved), pressing Confirm again reports what happened and never writes twice.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversationEngine } from '../../src/conversation/index.js';
import * as domain from '../../src/domain/index.js';
import { ENGINES } from '../support/databases.js';
import { Chat, count, createWorld, NOW, type World } from './support.js';
import { createChatServices } from '../../adapters/runtime/chat-services.js';

/** Makes the database fail, as a dying process would, at the first statement `dies` picks. */
class Crash implements KyselyPlugin {
  armed = true;
  constructor(private readonly dies: (node: RootOperationNode, text: string) => boolean) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.armed && this.dies(args.node, JSON.stringify(args.node))) throw new Error('simulated crash');
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

describe.each(ENGINES)('a confirmation and a crash on %s', (engine) => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld(engine);
  }, 120_000);
  afterAll(async () => {
    await world?.drop();
  });

  /** A payment waiting for Confirm, and the value of its Confirm button. */
  const waitingPayment = async (chat: Chat, cents: number) => {
    await chat.say(`pay $${cents / 100} on 5000003`);
    expect(chat.last.text).toMatch(/^Pay \$/);
    return chat.button('Confirm');
  };

  const crashingEngine = (dies: (node: RootOperationNode, text: string) => boolean) => {
    const plugin = new Crash(dies);
    const ctx = domain.createDomainContext(world.handle.db.withPlugin(plugin), () => NOW);
    return createConversationEngine({ ctx, nlu: world.nlu, services: createChatServices() });
  };

  it('reports a payment made before the reply was lost, and pays nothing more', async () => {
    const actor = (await domain.loadCustomerActor(world.ctx, 'admin@northwind.example')) as domain.CustomerActor;
    const chat = new Chat(world, actor);
    const confirm = await waitingPayment(chat, 4321);
    const before = await count(world, 'payments');
    // The reply is never stored: the press itself is recorded, then every insert of a message fails.
    let inserts = 0;
    const dying = crashingEngine((node, text) => node.kind === 'InsertQueryNode' && text.includes('"name":"messages"') && ++inserts >= 2);
    await expect(dying.handleMessage({ channel: 'web', conversationId: chat.id, action: confirm }, actor)).rejects.toThrow(/simulated crash/);
    expect(await count(world, 'payments')).toBe(before + 1);
    // After the restart, the same button again.
    const again = await world.engine.handleMessage({ channel: 'web', conversationId: chat.id, action: confirm }, actor);
    expect(again.text).toMatch(/already done: Payment submitted: \$43\.21 to 5000003/i);
    expect(await count(world, 'payments')).toBe(before + 1);
  });

  it('carries out a claimed payment whose dialog state was never saved, once, and says it was already done', async () => {
    const actor = (await domain.loadCustomerActor(world.ctx, 'admin@northwind.example')) as domain.CustomerActor;
    const chat = new Chat(world, actor);
    const confirm = await waitingPayment(chat, 1234);
    const before = await count(world, 'payments');
    // The claim is saved (the first update of the conversation); the state after the write is not.
    let updates = 0;
    const dying = crashingEngine((node, text) => node.kind === 'UpdateQueryNode' && text.includes('"name":"conversations"') && ++updates >= 2);
    await expect(dying.handleMessage({ channel: 'web', conversationId: chat.id, action: confirm }, actor)).rejects.toThrow(/simulated crash/);
    expect(await count(world, 'payments')).toBe(before + 1);
    const again = await world.engine.handleMessage({ channel: 'web', conversationId: chat.id, action: confirm }, actor);
    expect(again.text).toMatch(/Already done — nothing was paid twice\. Payment submitted: \$12\.34 to 5000003/);
    expect(await count(world, 'payments')).toBe(before + 1);
    // And once more: the retry itself is remembered.
    const third = await world.engine.handleMessage({ channel: 'web', conversationId: chat.id, action: confirm }, actor);
    expect(third.text).toMatch(/already done/i);
    expect(await count(world, 'payments')).toBe(before + 1);
  });

  it('performs a claimed payment that was never written, exactly once', async () => {
    const actor = (await domain.loadCustomerActor(world.ctx, 'admin@northwind.example')) as domain.CustomerActor;
    const chat = new Chat(world, actor);
    const confirm = await waitingPayment(chat, 2222);
    const before = await count(world, 'payments');
    // Dies at the payment itself, after the claim was saved.
    const dying = crashingEngine((node, text) => node.kind === 'InsertQueryNode' && text.includes('"name":"payments"'));
    await expect(dying.handleMessage({ channel: 'web', conversationId: chat.id, action: confirm }, actor)).rejects.toThrow(/simulated crash/);
    expect(await count(world, 'payments')).toBe(before);
    const again = await world.engine.handleMessage({ channel: 'web', conversationId: chat.id, action: confirm }, actor);
    expect(again.text).toMatch(/^Payment submitted: \$22\.22 to 5000003/);
    expect(await count(world, 'payments')).toBe(before + 1);
  });

  it('confirms writes in a conversation whose id is long and holds @ ; = (a Teams id), each write once, and says when a repeat was done', async () => {
    const actor = (await domain.loadCustomerActor(world.ctx, 'admin@northwind.example')) as domain.CustomerActor;
    const id = `a:1x9-Teams;messageid=1712345678901@thread.tacv2=${'y'.repeat(300)}`;
    const chat = new Chat(world, actor, undefined, id);
    const before = await count(world, 'payments');
    const first = await waitingPayment(chat, 1111);
    await chat.world.engine.handleMessage({ channel: 'web', conversationId: id, action: first }, actor);
    const second = await waitingPayment(chat, 2222);
    const paid = await chat.world.engine.handleMessage({ channel: 'web', conversationId: id, action: second }, actor);
    expect(paid.text).toMatch(/Payment submitted: \$22\.22 to 5000003/);
    // Two confirmations in one long-id conversation are two payments, not one key's replay.
    expect(await count(world, 'payments')).toBe(before + 2);
    const again = await chat.world.engine.handleMessage({ channel: 'web', conversationId: id, action: first }, actor);
    expect(again.text).toMatch(/^That was already done: Payment submitted: \$11\.11 to 5000003.*\(Done Nov 22, 2026, \d+:\d\d [AP]M E[SD]T\.\)$/s);
    expect(await count(world, 'payments')).toBe(before + 2);
  });

  it('pays only on a clear yes: a stray letter or symbol leaves the payment waiting', async () => {
    const actor = (await domain.loadCustomerActor(world.ctx, 'admin@northwind.example')) as domain.CustomerActor;
    const chat = new Chat(world, actor);
    const before = await count(world, 'payments');
    await waitingPayment(chat, 1000);
    for (const stray of ['o', 'Õ', '0', '.', 'ö']) {
      await chat.say(stray);
      expect(await count(world, 'payments')).toBe(before);
    }
    await chat.say('yes');
    expect(chat.last.text).toMatch(/Payment submitted: \$10\.00 to 5000003/);
    expect(await count(world, 'payments')).toBe(before + 1);
    await waitingPayment(chat, 1200);
    await chat.say('y');
    expect(chat.last.text).toMatch(/Payment submitted: \$12\.00 to 5000003/);
  });
});

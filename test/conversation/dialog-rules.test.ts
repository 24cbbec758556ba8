// Dialog rules that hinge on the classifier's confidence, driven with a scripted understanding so the
// confidence is known: unsure → ask with the top guesses (never act); unsure twice → offer a person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LanguageUnderstanding } from '../../src/conversation/engine.js';
import { Chat, count, createWorld, type World } from './support.js';
import * as domain from '../../src/domain/index.js';

/** Answers every text with the same unsure guess between paying and the balance. */
const unsure: LanguageUnderstanding = {
  classify: () => ({
    intent: 'make_payment',
    confidence: 0.38,
    ranking: [
      { intent: 'make_payment', score: 0.38 },
      { intent: 'balance', score: 0.33 },
      { intent: 'invoice', score: 0.1 },
    ],
  }),
  extract: () => [],
};

describe('dialog rules', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld('sqlite');
  }, 120_000);
  afterAll(async () => {
    await world?.drop();
  });

  it('asks which of its top guesses was meant instead of acting, and offers a person after two misses', async () => {
    const actor = (await domain.loadCustomerActor(world.ctx, 'ap@northwind.example')) as domain.CustomerActor;
    const chat = new Chat(world, actor, world.newEngine({ nlu: unsure }));
    const payments = await count(world, 'payments');
    await chat.say('pay the thing maybe');
    expect(chat.last.text).toMatch(/Did you mean/);
    expect(chat.last.quickReplies?.map((q) => q.label)).toEqual(['Make a payment', 'My balance', 'An invoice']);
    await chat.say('hmm the thing');
    expect(chat.last.quickReplies?.map((q) => q.label)).toContain('Talk to a person');
    await chat.press('Talk to a person');
    expect(chat.last.handoff).toEqual({ status: 'waiting' });
    expect(await count(world, 'payments')).toBe(payments);
  });

  it('refuses to continue someone else’s conversation', async () => {
    const ap = (await domain.loadCustomerActor(world.ctx, 'ap@northwind.example')) as domain.CustomerActor;
    const acme = (await domain.loadCustomerActor(world.ctx, 'admin@acme.example')) as domain.CustomerActor;
    const mine = new Chat(world, ap);
    await mine.say('what do I owe?');
    const intruder = new Chat(world, acme, undefined, mine.id);
    await intruder.say('what do I owe?');
    expect(intruder.last.text).toMatch(/belongs to someone else/);
  });

  it('keeps every message in and out, in order, in the database', async () => {
    const ap = (await domain.loadCustomerActor(world.ctx, 'ap@northwind.example')) as domain.CustomerActor;
    const chat = new Chat(world, ap);
    await chat.say('hello');
    await chat.say('what is my balance');
    const rows = await world.handle.db.selectFrom('messages').select(['seq', 'direction', 'text']).where('conversation_id', '=', chat.id).orderBy('seq').execute();
    expect(rows.map((r) => [r.seq, r.direction])).toEqual([
      [1, 'in'],
      [2, 'out'],
      [3, 'in'],
      [4, 'out'],
    ]);
    expect(rows[2]?.text).toBe('what is my balance');
  });
});

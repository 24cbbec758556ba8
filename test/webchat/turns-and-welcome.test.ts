// The web chat's turns through the core: the welcome after a sign-in (asking what the person would like
// to know only when no answer follows), and turns sent at once in one conversation each getting back
// exactly their own messages, with files on the right message, on every database engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeService } from '../../adapters/runtime/web-server.js';
import { ENGINES } from '../support/databases.js';
import { type ChatWorld, createChatWorld, Visitor } from './support.js';

describe.each(ENGINES)('web chat turns and the sign-in welcome on %s', (engine) => {
  let world: ChatWorld;
  let service: NodeService;
  const visitor = () => new Visitor((path, init) => service.app.request(path, init));

  beforeAll(async () => {
    world = await createChatWorld(engine);
    service = world.service();
  }, 120_000);

  afterAll(async () => {
    await world?.drop();
  });

  it('welcomes a person who signs in with nothing waiting, asks what they would like to know, and offers the usual questions', async () => {
    const v = visitor();
    await v.start();
    await v.signIn('5000001', '2468');
    const [welcome] = await v.messages();
    expect(welcome).toMatchObject({ seq: 1, author: 'system', event: 'signed_in' });
    expect(welcome?.text).toMatch(/^You're signed in with account 5000001 \(Northwind Traders Ltd\.\): I can help with it.*\. What would you like to know\?$/);
    expect(welcome?.quickReplies?.map((q) => q.label)).toEqual(['My balance', 'Latest invoice', 'Open tickets', 'Outages']);
  });

  it('does not ask what they would like to know when the question asked before signing in is answered right after', async () => {
    const v = visitor();
    await v.start();
    await v.say('show me my latest invoice');
    await v.signIn('5000001', '2468');
    const all = await v.messages();
    expect(all.map((m) => [m.direction, m.author])).toEqual([
      ['in', 'user'],
      ['out', 'bot'],
      ['out', 'system'],
      ['out', 'bot'],
    ]);
    expect(all[2]?.text).toMatch(/^You're signed in with account 5000001 .*I can help with it.*\.$/);
    expect(all[2]?.text).not.toMatch(/What would you like to know/);
    // The answer's PDF is kept with the answer, as for any turn.
    expect(all[3]?.files?.[0]?.filename).toMatch(/^inv-5000001-\d{4}-\d{2}\.pdf$/);
  });

  it('gives each of several messages sent at once exactly its own question and answer, with files on the right one', async () => {
    const v = visitor();
    await v.start();
    await v.signIn('5000001', '2468');
    const questions = ['show me my latest invoice', 'any outages?', "what's my balance?"];
    const answers = await Promise.all(questions.map((q) => v.say(q)));
    for (const [i, turn] of answers.entries()) {
      expect(turn.map((m) => m.direction)).toEqual(['in', 'out']);
      expect(turn[0]?.text).toBe(questions[i]);
      expect(turn[1]?.seq).toBe((turn[0]?.seq ?? 0) + 1);
    }
    // Each turn's seqs are its own: together they are every seq after the welcome (seq 1), none twice.
    expect(answers.flatMap((turn) => turn.map((m) => m.seq)).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(answers[0]?.[1]?.files?.[0]?.filename).toMatch(/\.pdf$/);
    expect(answers.slice(1).every((turn) => !turn[1]?.files?.length)).toBe(true);
    // A later read sees the same: the PDF stays with the invoice's answer.
    const stored = await v.messages(1);
    const invoiceAnswer = answers[0]?.[1]?.seq;
    expect(stored.filter((m) => m.files?.length).map((m) => m.seq)).toEqual([invoiceAnswer]);
  });
});

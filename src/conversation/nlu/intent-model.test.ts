import { describe, expect, it } from 'vitest';
import { classifyIntent, OUT_OF_SCOPE, type TrainingData, trainIntentModel } from './intent-model.js';
import { tokenize } from './text-features.js';
import { parseTrainingData, serialiseIntentModel } from './training-data.js';

const SMALL: TrainingData = {
  intents: {
    balance: [
      'what is my balance',
      'how much do I owe',
      'amount due',
      'balance please',
      'what do we owe',
      'current balance',
    ],
    outages: [
      'is there an outage',
      'is the network down',
      'outages in Toronto',
      'any incidents',
      'service down?',
      'outage map',
    ],
    greeting: ['hello', 'hi there', 'good morning', 'hey', 'bonjour', 'hi'],
  },
  out_of_scope: [
    'tell me a joke',
    'weather tomorrow',
    'recipe for soup',
    'who won the game',
    'how old are you',
    'what is love',
  ],
};

describe('the text normaliser', () => {
  it('lower-cases, strips accents and control characters, joins contractions and hides digits', () => {
    expect(tokenize("Quel est mon SOLDE à Montréal?\u0007 don't pay $120.50 on 5000001")).toEqual([
      'quel',
      'est',
      'mon',
      'solde',
      'a',
      'montreal',
      'dont',
      'pay',
      '$',
      '#',
      '#',
      'on',
      '##',
    ]);
  });

  it('reads only the first 500 characters of a very long message', () => {
    expect(tokenize(`hello ${'x'.repeat(10_000)} balance`)).not.toContain('balance');
  });
});

describe('the intent classifier', () => {
  const model = trainIntentModel(SMALL);

  it('recognises intents, typos included, and ranks every class', () => {
    expect(classifyIntent(model, 'whats my balanse').intent).toBe('balance');
    expect(classifyIntent(model, 'is the network down in Chicago').intent).toBe('outages');
    const result = classifyIntent(model, 'hello!');
    expect(result.intent).toBe('greeting');
    expect(result.ranking.map((r) => r.intent).sort()).toEqual([...model.labels].sort());
    expect(result.ranking[0]!.score).toBeGreaterThanOrEqual(result.ranking[1]!.score);
  });

  it.each([
    ['empty text', ''],
    ['blank text', '   \n\t '],
    ['emoji only', '😂😂🤔'],
    ['control characters', '\u0000\u0001\u0007\u001b'],
    ['punctuation', '?!...'],
  ])('answers out_of_scope with no confidence for %s', (_name, text) => {
    expect(classifyIntent(model, text)).toMatchObject({ intent: OUT_OF_SCOPE, confidence: 0 });
  });

  it('copes with 10 KB of text, other scripts, SQL and HTML without throwing', () => {
    for (const text of [
      'balance '.repeat(1300),
      '这是什么',
      "'; DROP TABLE accounts; --",
      '<script>alert(1)</script>',
    ]) {
      const result = classifyIntent(model, text);
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('is deterministic: the same data trains the same bytes, whatever the order of the intents', () => {
    const reordered: TrainingData = {
      intents: { greeting: SMALL.intents.greeting!, outages: SMALL.intents.outages!, balance: SMALL.intents.balance! },
      out_of_scope: SMALL.out_of_scope,
    };
    expect(serialiseIntentModel(trainIntentModel(reordered))).toBe(serialiseIntentModel(model));
  });

  it('classifies the same after a JSON round trip', () => {
    const copy = JSON.parse(serialiseIntentModel(model));
    for (const text of ['how much do I owe', 'outage in Toronto', 'tell me a joke']) {
      expect(classifyIntent(copy, text)).toEqual(classifyIntent(model, text));
    }
  });

  it('trains without out-of-scope examples, rejecting by confidence alone', () => {
    const { out_of_scope: _unused, ...intentsOnly } = SMALL;
    const inScopeOnly = trainIntentModel(intentsOnly);
    expect(inScopeOnly.labels).not.toContain(OUT_OF_SCOPE);
    expect(classifyIntent(inScopeOnly, 'how much do I owe').intent).toBe('balance');
    expect(classifyIntent(inScopeOnly, '').intent).toBe(OUT_OF_SCOPE);
  });

  it('refuses data with fewer than two intents', () => {
    expect(() => trainIntentModel({ intents: { only: ['a', 'b'] } })).toThrow(/two intents/);
  });
});

describe('the training data format', () => {
  it('accepts the generic format and names the first bad path otherwise', () => {
    expect(parseTrainingData({ intents: { a: ['x'] }, out_of_scope: ['y'] })).toEqual({
      ok: true,
      data: { intents: { a: ['x'] }, out_of_scope: ['y'] },
    });
    expect(parseTrainingData({ intents: { a: ['x', 3] } })).toMatchObject({ ok: false, problem: /intents\.a\[1\]/ });
    expect(parseTrainingData([])).toMatchObject({ ok: false });
  });
});

import { describe, expect, it } from 'vitest';
import { createSpellingCorrector, editDistance } from './spelling.js';

describe('spelling and shorthand', () => {
  const speller = createSpellingCorrector(new Set(['will', 'contract', 'hello', 'pill']));

  it('puts product words and months right', () => {
    expect(speller.correct('wats my balanse')).toBe("what's my balance");
    expect(speller.correct('invioce for octobr')).toBe('invoice for october');
    expect(speller.correct('escelate TT-103033 pls')).toBe('escalate TT-103033 please');
    expect(speller.correct('any outtage in toronto?')).toBe('any outage in toronto?');
    expect(speller.correct('u got my acct bal?')).toBe('you got my account balance?');
  });

  it('leaves ordinary words, names, emails and numbers as typed', () => {
    for (const text of [
      'I will pay my contract',
      'Jane R. Smith',
      'jane@northwind.example',
      'INV-5000001-2026-10',
      'Send it to Bill',
      'cancer research taking comes from my mouth',
      'Unit 4 r',
    ]) {
      expect(speller.correct(text)).toBe(text);
    }
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('invioce', 'invoice', 2)).toBe(1);
    expect(editDistance('balanse', 'balance', 2)).toBe(1);
    expect(editDistance('abc', 'xyz', 1)).toBe(2);
  });
});

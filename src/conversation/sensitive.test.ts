import { describe, expect, it } from 'vitest';
import { redactSensitive } from './sensitive.js';

describe('redactSensitive', () => {
  it('masks card numbers however they are grouped, keeping only the last four digits', () => {
    for (const typed of ['4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111', '5500 0000 0000 0004', '3782 822463 10005']) {
      const { text, kinds } = redactSensitive(`my card is ${typed} thanks`);
      expect(text).not.toContain(typed);
      expect(text.replace(/\D/g, '')).toBe(typed.replace(/\D/g, '').slice(-4));
      expect(kinds).toEqual(['card_number']);
    }
  });

  it('masks security codes and PINs named as such', () => {
    const { text, kinds } = redactSensitive('card 4242424242424242 exp 12/28 cvv 123, and my PIN is 2468');
    expect(text).not.toMatch(/4242424242424242|12\/28|\b123\b|2468/);
    expect(kinds).toEqual(['card_number', 'expiry', 'security_code', 'pin']);
    expect(redactSensitive('security code: 9876').text).toBe('security code: [removed]');
    expect(redactSensitive('mon NIP est 1357').text).not.toContain('1357');
  });

  it('masks a card however it is spaced, with the expiry and code typed after it', () => {
    for (const typed of [
      'my card is 4111 1111 1111 1111 123 exp 12/28',
      '4111-1111-1111-1111 12/28',
      '4111  1111  1111  1111',
      '4111 - 1111 - 1111 - 1111',
      '4111\u00a01111\u00a01111\u00a01111',
      'Card 5555 5555 5555 4444, 123, 11/27',
      'pay $50 with visa 4242424242424242 12/28',
    ]) {
      const { text, kinds } = redactSensitive(typed);
      expect(text.replace(/ending \d{4}/, '')).not.toMatch(/1111|4444|4242|\b123\b|12\/28|11\/27/);
      expect(kinds).toContain('card_number');
    }
  });

  it('masks PINs and codes however they are introduced', () => {
    for (const typed of ['my pin is: 4321', 'pin # is 4321', 'pin-4321', 'PIN4321', 'my pin for 5000001 is 4321', 'security code is: 432', 'cvv number is 432']) {
      expect(redactSensitive(typed).text).not.toMatch(/4321|432/);
    }
  });

  it('leaves account numbers, phone numbers, tickets, amounts and dates alone', () => {
    const text = 'pay $1,250.00 on 5000001 from 416-555-0142 5000002 about TT-104233 on 2026-12-01, order 1234567890123 ref';
    expect(redactSensitive(text)).toEqual({ text, kinds: [] });
  });
});

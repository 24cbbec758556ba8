import { describe, expect, it } from 'vitest';
import { isTollFreeNumber, isValidEmail, normaliseNanpNumber, validateAddress } from './validation.js';

describe('normaliseNanpNumber', () => {
  it.each([
    ['416-555-0142', '+14165550142'],
    ['(647) 555 0188', '+16475550188'],
    ['+1 312 555 0100', '+13125550100'],
    ['1.604.555.0199', '+16045550199'],
  ])('reads %s as %s', (input, e164) => {
    expect(normaliseNanpNumber(input)).toBe(e164);
  });

  it.each(['911', '416-055-0142', '116-555-0142', '411-555-0142', '416-911-0000', '+44 20 7946 0958', 'call me', '4165550142999'])(
    'refuses %s',
    (input) => {
      expect(normaliseNanpNumber(input)).toBe(null);
    },
  );

  it('knows toll-free area codes', () => {
    expect(isTollFreeNumber('+18005550100')).toBe(true);
    expect(isTollFreeNumber('+14165550100')).toBe(false);
  });
});

describe('validateAddress', () => {
  it('tidies a Canadian address', () => {
    expect(validateAddress({ street: ' 1  Main St ', city: 'Ottawa', region: 'on', postalCode: 'k1a0b1', country: 'ca' })).toEqual({
      kind: 'ok',
      value: { street: '1 Main St', city: 'Ottawa', region: 'ON', postalCode: 'K1A 0B1', country: 'CA' },
    });
  });

  it('accepts a US ZIP+4', () => {
    expect(validateAddress({ street: '233 S Wacker Dr', city: 'Chicago', region: 'IL', postalCode: '60606-6306', country: 'US' }).kind).toBe('ok');
  });

  it.each([
    [{ street: 'Main St', city: 'Ottawa', region: 'ON', postalCode: 'K1A 0B1', country: 'CA' }, 'street'],
    [{ street: '1 Main St', city: 'Ottawa', region: 'IL', postalCode: 'K1A 0B1', country: 'CA' }, 'region'],
    [{ street: '1 Main St', city: 'Ottawa', region: 'ON', postalCode: '60606', country: 'CA' }, 'postalCode'],
    [{ street: '1 Main St', city: 'Chicago', region: 'IL', postalCode: 'K1A 0B1', country: 'US' }, 'postalCode'],
    [{ street: '1 Main St', city: 'Paris', region: 'IDF', postalCode: '75001', country: 'FR' }, 'country'],
  ])('names the wrong field of %o', (address, field) => {
    expect(validateAddress(address)).toMatchObject({ kind: 'invalid', field });
  });

  it('checks emails loosely', () => {
    expect(isValidEmail('ap@northwind.example')).toBe(true);
    expect(isValidEmail('not an email')).toBe(false);
  });
});

// The action codec: a form action survives a button value and back; anything the core did not write reads as null.
import { describe, expect, it } from 'vitest';
import {
  decodeForm,
  decodeFormValues,
  encodeForm,
  encodeFormValues,
  escalateTicketForm,
  formAction,
  linkAction,
  MAX_ENCODED_FORM_LENGTH,
  replyAction,
  signInAction,
} from './actions.js';

describe('action codec', () => {
  const form = escalateTicketForm('TT-104233');

  it('reads back the form it wrote, whole or values only', () => {
    const encoded = encodeForm(form);
    expect(encoded).toBe('escalate_ticket/TT-104233');
    expect(decodeForm(encoded)).toEqual(form);
    const values = encodeFormValues(form);
    expect(values).toBe('TT-104233');
    expect(decodeFormValues('escalate_ticket', values)).toEqual(form);
  });

  it('keeps every encoding within the 2,000 characters of a Slack button value', () => {
    const long = escalateTicketForm(`TT-${'9'.repeat(1990)}`);
    expect(encodeForm(long)).toBeNull();
    expect(encodeFormValues(long)).toBe(long.values.ticket);
    expect(decodeFormValues('escalate_ticket', long.values.ticket)).toEqual(long);
  });

  it('encodes nothing for a form the core does not know or values that do not fit it', () => {
    expect(encodeForm({ name: 'delete_account', values: { ticket: 'TT-104233' } })).toBeNull();
    expect(encodeForm({ name: 'escalate_ticket', values: { ticket: 'TT-1' } })).toBeNull();
    expect(encodeForm({ name: 'escalate_ticket', values: {} })).toBeNull();
    expect(encodeForm({ name: 'escalate_ticket', values: { ticket: 'TT-104233', priority: 'high' } })).toBeNull();
    expect(encodeFormValues({ name: 'toString', values: {} })).toBeNull();
  });

  it.each([
    ['another form', 'delete_account/TT-104233'],
    ['a prototype name', 'constructor/TT-104233'],
    ['an extra field', 'escalate_ticket/TT-104233/high'],
    ['a missing field', 'escalate_ticket/'],
    ['no form name', '/TT-104233'],
    ['a changed field', 'escalate_ticket/TT-10423x'],
    ['an escape the core does not write', 'escalate_ticket/%54T-104233'],
    ['a broken escape', 'escalate_ticket/TT-104233%'],
    ['a value with the intent prefix', 'escalate_ticket/intent:ticket_escalate:TT-104233'],
  ])('reads a tampered string (%s) as null', (_, text) => {
    expect(decodeForm(text)).toBeNull();
  });

  it('reads oversized strings as null', () => {
    const huge = `escalate_ticket/TT-${'1'.repeat(MAX_ENCODED_FORM_LENGTH)}`;
    expect(decodeForm(huge)).toBeNull();
    expect(decodeFormValues('escalate_ticket', huge.slice('escalate_ticket/'.length))).toBeNull();
  });

  it.each([[''], ['garbage'], ['////'], ['%%%'], ['💥/💥'], ['\u0000escalate_ticket/TT-104233']])(
    'reads garbage (%j) as null',
    (text) => {
      expect(decodeForm(text)).toBeNull();
      expect(decodeFormValues('escalate_ticket', text)).toBeNull();
    },
  );

  it('reads what is not a string, or a values string under the wrong form name, as null', () => {
    expect(decodeForm(undefined)).toBeNull();
    expect(decodeForm(42)).toBeNull();
    expect(decodeFormValues('escalate_ticket', undefined)).toBeNull();
    expect(decodeFormValues('delete_account', 'TT-104233')).toBeNull();
  });
});

describe('action builders', () => {
  it('give each kind with the value a channel without that kind sends back', () => {
    expect(replyAction('Balance', 'intent:balance')).toEqual({ label: 'Balance', value: 'intent:balance' });
    expect(formAction('Escalate', 'intent:ticket_escalate:TT-104233', escalateTicketForm('TT-104233'))).toEqual({
      kind: 'form',
      label: 'Escalate',
      value: 'intent:ticket_escalate:TT-104233',
      form: { name: 'escalate_ticket', values: { ticket: 'TT-104233' } },
    });
    expect(linkAction('Status page', 'https://status.example', 'intent:outages')).toMatchObject({
      kind: 'link',
      url: 'https://status.example',
    });
    expect(signInAction('Sign in', 'intent:sign_in', { style: 'primary' })).toEqual({
      kind: 'sign_in',
      label: 'Sign in',
      value: 'intent:sign_in',
      style: 'primary',
    });
  });
});

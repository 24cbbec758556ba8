// How values read in replies: money, dates and times in the person's time zone, statuses in words.
import { DateTime } from 'luxon';
import type { Outcome } from '../domain/result.js';

export function formatMoney(cents: number, currency = 'CAD'): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString('en-US');
  const prefix = currency === 'USD' ? 'US$' : '$';
  return `${sign}${prefix}${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/** 'YYYY-MM-DD' → 'Dec 1, 2026'. */
export function formatDate(isoDate: string): string {
  const date = DateTime.fromISO(isoDate.slice(0, 10), { zone: 'UTC' });
  return date.isValid ? date.toFormat('LLL d, yyyy') : isoDate;
}

/** A UTC instant shown in a zone: 'Nov 21, 2026, 1:27 PM EST'. */
export function formatDateTime(isoInstant: string, timeZone: string): string {
  const dt = DateTime.fromISO(isoInstant, { zone: 'UTC' }).setZone(timeZone);
  return dt.isValid ? dt.toFormat('LLL d, yyyy, h:mm a ZZZZ') : isoInstant;
}

/** 'YYYY-MM-01' → 'October 2026'. */
export function formatMonth(isoDate: string): string {
  const date = DateTime.fromISO(isoDate.slice(0, 10), { zone: 'UTC' });
  return date.isValid ? date.toFormat('LLLL yyyy') : isoDate;
}

/** Today's date in a zone, 'YYYY-MM-DD'. */
export function todayIn(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now).setZone(timeZone).toISODate() ?? now.toISOString().slice(0, 10);
}

export function humanise(value: string): string {
  const text = value.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** +14165550142 → (416) 555-0142 */
export function formatPhone(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}

/** What a person is told when a use case did not go through (a channel's own forms word it the same way). */
export function outcomeText(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>, signInText: string): string {
  switch (outcome.kind) {
    case 'invalid':
    case 'conflict':
      return outcome.message;
    case 'not_found':
      return `I can't find ${outcome.what}.`;
    case 'forbidden':
      return outcome.reason;
    case 'sign_in_required':
      return signInText;
  }
}


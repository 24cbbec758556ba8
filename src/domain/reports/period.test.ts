// Periods and zones: local days become UTC instants at the zone's own midnight, and local times convert exactly.
import { describe, expect, it } from 'vitest';
import { canonicalZone, namedPeriod, resolvePeriod, ZoneClock } from './period.js';
import { nextRunAfter, scheduledPeriod } from './schedules.js';

describe('report periods', () => {
  it('starts a March report in America/Vancouver at 08:00 UTC on March 1 and ends it at 07:00 UTC on April 1 (after DST)', () => {
    expect(resolvePeriod('2026-03-01', '2026-03-31', 'America/Vancouver')).toEqual({
      from: '2026-03-01',
      to: '2026-03-31',
      startUtc: '2026-03-01T08:00:00.000Z',
      endUtc: '2026-04-01T07:00:00.000Z',
      label: 'March 2026',
    });
  });

  it('uses half-hour offsets where the zone has them', () => {
    const period = resolvePeriod('2026-07-01', '2026-07-15', 'America/St_Johns');
    expect(period).toMatchObject({
      startUtc: '2026-07-01T02:30:00.000Z',
      endUtc: '2026-07-16T02:30:00.000Z',
      label: '1 Jul 2026 – 15 Jul 2026',
    });
  });

  it.each([
    ['2026-03-31', '2026-03-01', /ends \(2026-03-01\) before it starts/],
    ['2025-01-01', '2026-02-01', /at most 13 months/],
    ['2026-02-30', '2026-03-01', /calendar date/],
    ['March', '2026-03-01', /calendar date/],
    ['0000-01-01', '0000-01-31', /between 2000 and 2100; 0000-01-01/],
    ['9999-01-01', '9999-12-31', /between 2000 and 2100; 9999-01-01/],
    ['2026-01-01', '9999-12-31', /between 2000 and 2100; 9999-12-31/],
  ])('refuses %s to %s', (from, to, message) => {
    const period = resolvePeriod(from, to, 'UTC');
    expect(period).toMatchObject({ kind: 'invalid' });
    expect('message' in period ? period.message : '').toMatch(message);
  });

  it('allows exactly 13 months', () => {
    expect(resolvePeriod('2025-11-01', '2026-11-30', 'America/Toronto')).not.toHaveProperty('kind');
  });

  it('knows IANA zones in any case and nothing else', () => {
    expect(canonicalZone('america/vancouver')).toBe('America/Vancouver');
    expect(canonicalZone('Mars/Base')).toBeNull();
    expect(canonicalZone('UTC+3')).toBeNull();
    expect(canonicalZone('')).toBeNull();
  });

  it('names periods relative to now in the zone', () => {
    // 02:00 UTC on Nov 1 is still October 31 in Vancouver.
    const now = new Date('2026-11-01T02:00:00.000Z');
    expect(namedPeriod('last_month', now, 'America/Vancouver')).toEqual({ from: '2026-09-01', to: '2026-09-30' });
    expect(namedPeriod('last_month', now, 'Europe/Paris')).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(namedPeriod('this_quarter', now, 'America/Vancouver')).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(namedPeriod('last_week', now, 'UTC')).toEqual({ from: '2026-10-19', to: '2026-10-25' });
  });
});

describe('ZoneClock', () => {
  it('converts across a DST change exactly, including zones with half-hour offsets', () => {
    const span = (zone: string) =>
      new ZoneClock(zone, Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z'));
    const vancouver = span('America/Vancouver');
    expect(vancouver.localDateTime('2026-03-08T09:59:59.000Z')).toBe('2026-03-08 01:59:59');
    expect(vancouver.localDateTime('2026-03-08T10:00:00.000Z')).toBe('2026-03-08 03:00:00');
    expect(vancouver.slotMinutes).toBe(60);
    const stJohns = span('America/St_Johns');
    expect(stJohns.slotMinutes).toBe(10);
    expect(stJohns.localDateTime('2026-03-08T05:29:59.000Z')).toBe('2026-03-08 01:59:59');
    expect(stJohns.localDateTime('2026-03-08T05:30:00.000Z')).toBe('2026-03-08 03:00:00');
    expect(stJohns.localDateTime('2026-03-02T03:20:00.000Z')).toBe('2026-03-01 23:50:00');
    // Outside the span, it still answers (more slowly).
    expect(vancouver.localDateTime('2026-07-01T12:00:00.000Z')).toBe('2026-07-01 05:00:00');
  });
});

describe('schedule calendar', () => {
  it('runs at 06:00 local: the next day, the next Monday, or the next 1st', () => {
    const now = new Date('2026-11-22T15:00:00.000Z'); // a Sunday
    expect(nextRunAfter('daily', now, 'America/Toronto')).toBe('2026-11-23T11:00:00.000Z');
    expect(nextRunAfter('weekly', now, 'America/Toronto')).toBe('2026-11-23T11:00:00.000Z');
    expect(nextRunAfter('monthly', now, 'America/Toronto')).toBe('2026-12-01T11:00:00.000Z');
    expect(nextRunAfter('monthly', new Date('2026-12-01T11:00:00.000Z'), 'America/Toronto')).toBe(
      '2027-01-01T11:00:00.000Z',
    );
    // Across the spring change, 06:00 stays 06:00 local.
    expect(nextRunAfter('daily', new Date('2026-03-07T15:00:00.000Z'), 'America/Vancouver')).toBe(
      '2026-03-08T13:00:00.000Z',
    );
  });

  it('reports on the day, week or month before the run', () => {
    expect(scheduledPeriod('daily', '2026-11-23T11:00:00.000Z', 'America/Toronto')).toEqual({
      from: '2026-11-22',
      to: '2026-11-22',
    });
    expect(scheduledPeriod('weekly', '2026-11-23T11:00:00.000Z', 'America/Toronto')).toEqual({
      from: '2026-11-16',
      to: '2026-11-22',
    });
    expect(scheduledPeriod('monthly', '2026-12-01T11:00:00.000Z', 'America/Toronto')).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
  });
});

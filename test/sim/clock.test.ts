import { describe, expect, it } from 'vitest';
import { SimClock } from '../../src/broker/sim/clock.js';

const nyse = (start: string) => new SimClock({ mode: 'nyse', start: new Date(start) });
const iso = (d: Date) => d.toISOString();

describe('the nyse clock', () => {
  it('opens 09:30 and closes 16:00 New York time, across the DST change', () => {
    const c = nyse('2026-03-06T12:00:00Z');
    expect(iso(c.session('2026-03-06')!.open)).toBe('2026-03-06T14:30:00.000Z'); // EST
    expect(iso(c.session('2026-03-09')!.open)).toBe('2026-03-09T13:30:00.000Z'); // EDT from 8 March
    expect(iso(c.session('2026-03-09')!.close)).toBe('2026-03-09T20:00:00.000Z');
  });

  it('is closed on weekends and NYSE holidays, open on ordinary days', () => {
    const c = nyse('2026-01-01T00:00:00Z');
    for (const closed of ['2026-03-07', '2026-03-08', '2026-01-01', '2026-01-19', '2026-04-03', '2026-06-19', '2026-07-03', '2026-11-26', '2026-12-25', '2027-12-24']) {
      expect(c.session(closed), closed).toBeNull();
    }
    for (const open of ['2026-03-09', '2026-07-02', '2027-12-31']) expect(c.session(open), open).not.toBeNull();
  });

  it('closes at 13:00 on early-close days', () => {
    const c = nyse('2026-01-01T00:00:00Z');
    expect(iso(c.session('2026-11-27')!.close)).toBe('2026-11-27T18:00:00.000Z');
    expect(iso(c.session('2026-12-24')!.close)).toBe('2026-12-24T18:00:00.000Z');
    expect(iso(c.session('2025-07-03')!.close)).toBe('2025-07-03T17:00:00.000Z');
    expect(iso(c.session('2026-12-23')!.close)).toBe('2026-12-23T21:00:00.000Z');
  });

  it('reports the clock before the open, during the session, after the close and over a weekend', () => {
    const c = nyse('2026-03-10T12:00:00Z'); // Tuesday, before the open
    expect(c.clock()).toEqual({ timestamp: new Date('2026-03-10T12:00:00Z'), isOpen: false, nextOpen: new Date('2026-03-10T13:30:00Z'), nextClose: new Date('2026-03-10T20:00:00Z') });
    c.set(new Date('2026-03-10T15:00:00Z'));
    expect(c.clock()).toMatchObject({ isOpen: true, nextOpen: new Date('2026-03-11T13:30:00Z'), nextClose: new Date('2026-03-10T20:00:00Z') });
    c.set(new Date('2026-03-13T20:00:00Z')); // Friday, at the close
    expect(c.clock()).toMatchObject({ isOpen: false, nextOpen: new Date('2026-03-16T13:30:00Z'), nextClose: new Date('2026-03-16T20:00:00Z') });
  });

  it('lists the sessions of a range like /v2/calendar, skipping Good Friday', () => {
    const days = nyse('2026-01-01T00:00:00Z').calendar('2026-04-01', '2026-04-07');
    expect(days.map((d) => d.date)).toEqual(['2026-04-01', '2026-04-02', '2026-04-06', '2026-04-07']);
  });
});

describe('the always clock and moving time', () => {
  it('is open at any hour, with sessions from midnight to midnight New York time', () => {
    const c = new SimClock({ mode: 'always', start: new Date('2026-03-07T03:00:00Z') }); // Friday 22:00 EST
    expect(c.isOpen()).toBe(true);
    expect(c.tradingDay()).toBe('2026-03-06');
    expect(c.clock()).toMatchObject({ isOpen: true, nextClose: new Date('2026-03-07T05:00:00Z'), nextOpen: new Date('2026-03-07T05:00:00Z') });
  });

  it('moves only forward by advance, and anywhere by set', () => {
    const c = new SimClock({ mode: 'always', start: new Date('2026-03-02T15:00:00Z') });
    expect(iso(c.advance(90_000))).toBe('2026-03-02T15:01:30.000Z');
    expect(() => c.advance(-1)).toThrow(RangeError);
    c.set(new Date('2020-01-01T00:00:00Z'));
    expect(iso(c.now())).toBe('2020-01-01T00:00:00.000Z');
  });
});

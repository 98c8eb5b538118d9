import { describe, expect, it } from 'vitest';
import { alwaysOpen, MARKET_CALENDAR_NAMES, MARKET_CALENDARS, nyse as nyseCalendar } from '../../../src/broker/sim/calendars/index.js';
import { simPlugin } from '../../../src/broker/sim/plugin.js';
import { SimClock } from '../../../src/broker/sim/clock.js';
import type { CalendarDay, Clock } from '../../../src/domain/ports/broker.js';

const nyse = (start = '2026-01-01T00:00:00Z') => new SimClock({ calendar: nyseCalendar, start: new Date(start) });
const always = (start = '2026-01-01T00:00:00Z') => new SimClock({ calendar: alwaysOpen, start: new Date(start) });

/** A session as ISO strings, so every expectation is an exact instant. */
const iso = (s: CalendarDay | null) => s && { date: s.date, open: s.open.toISOString(), close: s.close.toISOString() };
const isoClock = (c: Clock) => ({
  timestamp: c.timestamp.toISOString(),
  isOpen: c.isOpen,
  nextOpen: c.nextOpen.toISOString(),
  nextClose: c.nextClose.toISOString(),
});
const clockAt = (c: SimClock, at: string) => {
  c.set(new Date(at));
  return isoClock(c.clock());
};

describe('the nyse clock: sessions', () => {
  it('opens 09:30 and closes 16:00 New York time on weekdays, following DST both ways', () => {
    const c = nyse();
    expect(iso(c.session('2026-03-06'))).toEqual({ date: '2026-03-06', open: '2026-03-06T14:30:00.000Z', close: '2026-03-06T21:00:00.000Z' }); // EST
    expect(iso(c.session('2026-03-09'))).toEqual({ date: '2026-03-09', open: '2026-03-09T13:30:00.000Z', close: '2026-03-09T20:00:00.000Z' }); // EDT from 8 March
    expect(iso(c.session('2026-10-30'))).toEqual({ date: '2026-10-30', open: '2026-10-30T13:30:00.000Z', close: '2026-10-30T20:00:00.000Z' }); // EDT
    expect(iso(c.session('2026-11-02'))).toEqual({ date: '2026-11-02', open: '2026-11-02T14:30:00.000Z', close: '2026-11-02T21:00:00.000Z' }); // EST from 1 November
  });

  it('has no session on weekends', () => {
    const c = nyse();
    for (const day of ['2026-03-07', '2026-03-08', '2027-01-02', '2027-01-03']) expect(c.session(day), day).toBeNull();
  });

  it.each([
    ['2026-01-01', "New Year's Day"],
    ['2026-01-19', 'Martin Luther King Jr. Day'],
    ['2026-02-16', "Presidents' Day"],
    ['2026-04-03', 'Good Friday'],
    ['2026-05-25', 'Memorial Day'],
    ['2026-06-19', 'Juneteenth'],
    ['2026-07-03', 'Independence Day, observed on the Friday before'],
    ['2026-09-07', 'Labor Day'],
    ['2026-11-26', 'Thanksgiving'],
    ['2026-12-25', 'Christmas'],
    ['2027-03-26', 'Good Friday 2027'],
    ['2027-06-18', 'Juneteenth 2027, observed on the Friday before'],
    ['2027-07-05', 'Independence Day 2027, observed on the Monday after'],
    ['2027-12-24', 'Christmas 2027, observed on the Friday before'],
    ['2022-12-26', 'Christmas 2022, observed on the Monday after'],
    ['2025-01-09', 'National Day of Mourning for President Carter (special closure)'],
  ])('is closed on %s (%s)', (day) => {
    const c = nyse();
    expect(c.session(day)).toBeNull();
    expect(c.sessionAt(new Date(`${day}T16:00:00Z`))).toBeNull();
    expect(c.isOpen(new Date(`${day}T16:00:00Z`))).toBe(false);
  });

  it.each([
    ['2027-12-31', "New Year's Day 2028 falls on a Saturday and is not observed on the Friday before"],
    ['2021-12-31', 'the same for 2022'],
    ['2021-06-18', 'Juneteenth was not an NYSE holiday before 2022'],
    ['2026-07-02', 'the day before an observed Independence Day is a full day'],
    ['2027-07-02', 'no early close when July 3 is a Saturday'],
  ])('is open all day on %s (%s)', (day) => {
    const s = nyse().session(day);
    expect(s).not.toBeNull();
    expect(s!.close.getTime() - s!.open.getTime()).toBe(6.5 * 3_600_000);
  });

  it('closes at 13:00 New York time on early-close days', () => {
    const c = nyse();
    expect(iso(c.session('2026-11-27'))).toEqual({ date: '2026-11-27', open: '2026-11-27T14:30:00.000Z', close: '2026-11-27T18:00:00.000Z' }); // after Thanksgiving
    expect(iso(c.session('2026-12-24'))).toEqual({ date: '2026-12-24', open: '2026-12-24T14:30:00.000Z', close: '2026-12-24T18:00:00.000Z' }); // Christmas Eve
    expect(iso(c.session('2025-07-03'))).toEqual({ date: '2025-07-03', open: '2025-07-03T13:30:00.000Z', close: '2025-07-03T17:00:00.000Z' }); // before Independence Day (EDT)
    expect(iso(c.session('2027-11-26'))).toEqual({ date: '2027-11-26', open: '2027-11-26T14:30:00.000Z', close: '2027-11-26T18:00:00.000Z' });
    expect(c.session('2026-12-23')!.close.toISOString()).toBe('2026-12-23T21:00:00.000Z'); // an ordinary day
  });

  it('finds the session in progress at an instant, with [open, close) bounds', () => {
    const c = nyse();
    expect(c.sessionAt(new Date('2026-03-10T13:29:59.999Z'))).toBeNull();
    expect(iso(c.sessionAt(new Date('2026-03-10T13:30:00Z')))?.date).toBe('2026-03-10');
    expect(iso(c.sessionAt(new Date('2026-03-10T19:59:59.999Z')))?.date).toBe('2026-03-10');
    expect(c.sessionAt(new Date('2026-03-10T20:00:00Z'))).toBeNull();
    expect(c.isOpen(new Date('2026-11-27T17:59:00Z'))).toBe(true);
    expect(c.isOpen(new Date('2026-11-27T18:00:00Z'))).toBe(false);
  });

  it('refuses dates that are not real YYYY-MM-DD dates', () => {
    const c = nyse();
    for (const bad of ['2026-02-30', '2026-13-01', '2026-3-9', 'tomorrow']) expect(() => c.session(bad), bad).toThrow(RangeError);
    expect(() => c.calendar('2026-02-30', '2026-03-05')).toThrow(RangeError);
  });
});

describe('the nyse clock: /v2/clock', () => {
  const c = nyse();

  it('before the open: today’s session is next', () => {
    expect(clockAt(c, '2026-03-10T12:00:00Z')).toEqual({
      timestamp: '2026-03-10T12:00:00.000Z',
      isOpen: false,
      nextOpen: '2026-03-10T13:30:00.000Z',
      nextClose: '2026-03-10T20:00:00.000Z',
    });
  });

  it('during the session: closes today, opens tomorrow', () => {
    expect(clockAt(c, '2026-03-10T13:30:00Z')).toEqual({
      timestamp: '2026-03-10T13:30:00.000Z',
      isOpen: true,
      nextOpen: '2026-03-11T13:30:00.000Z',
      nextClose: '2026-03-10T20:00:00.000Z',
    });
  });

  it('at and after the close: tomorrow’s session', () => {
    const next = { isOpen: false, nextOpen: '2026-03-11T13:30:00.000Z', nextClose: '2026-03-11T20:00:00.000Z' };
    expect(clockAt(c, '2026-03-10T20:00:00Z')).toEqual({ timestamp: '2026-03-10T20:00:00.000Z', ...next });
    // 22:00 New York is already the next day in UTC.
    expect(clockAt(c, '2026-03-11T02:00:00Z')).toEqual({ timestamp: '2026-03-11T02:00:00.000Z', ...next });
  });

  it('Friday after the close and over the weekend: Monday, across the DST change', () => {
    const monday = { isOpen: false, nextOpen: '2026-03-09T13:30:00.000Z', nextClose: '2026-03-09T20:00:00.000Z' };
    expect(clockAt(c, '2026-03-06T21:30:00Z')).toEqual({ timestamp: '2026-03-06T21:30:00.000Z', ...monday });
    expect(clockAt(c, '2026-03-07T15:00:00Z')).toEqual({ timestamp: '2026-03-07T15:00:00.000Z', ...monday });
    expect(clockAt(c, '2026-03-09T04:00:00Z')).toEqual({ timestamp: '2026-03-09T04:00:00.000Z', ...monday }); // Monday 00:00 EDT
  });

  it('skips holidays: Good Friday weekend, Thanksgiving into the early close, the year end', () => {
    expect(clockAt(c, '2026-04-02T20:00:00Z')).toMatchObject({ isOpen: false, nextOpen: '2026-04-06T13:30:00.000Z', nextClose: '2026-04-06T20:00:00.000Z' });
    expect(clockAt(c, '2026-11-26T15:00:00Z')).toMatchObject({ isOpen: false, nextOpen: '2026-11-27T14:30:00.000Z', nextClose: '2026-11-27T18:00:00.000Z' });
    expect(clockAt(c, '2026-11-27T17:00:00Z')).toMatchObject({ isOpen: true, nextOpen: '2026-11-30T14:30:00.000Z', nextClose: '2026-11-27T18:00:00.000Z' });
    expect(clockAt(c, '2026-11-27T18:00:00Z')).toMatchObject({ isOpen: false, nextOpen: '2026-11-30T14:30:00.000Z', nextClose: '2026-11-30T21:00:00.000Z' });
    expect(clockAt(c, '2026-12-31T21:00:00Z')).toMatchObject({ isOpen: false, nextOpen: '2027-01-04T14:30:00.000Z', nextClose: '2027-01-04T21:00:00.000Z' });
    expect(clockAt(c, '2027-12-23T21:00:00Z')).toMatchObject({ isOpen: false, nextOpen: '2027-12-27T14:30:00.000Z', nextClose: '2027-12-27T21:00:00.000Z' });
    expect(clockAt(c, '2027-12-31T21:00:00Z')).toMatchObject({ isOpen: false, nextOpen: '2028-01-03T14:30:00.000Z', nextClose: '2028-01-03T21:00:00.000Z' });
  });
});

describe('the nyse clock: /v2/calendar', () => {
  it('lists the sessions of a range inclusively, skipping Good Friday and the weekend', () => {
    expect(nyse().calendar('2026-04-01', '2026-04-07').map(iso)).toEqual([
      { date: '2026-04-01', open: '2026-04-01T13:30:00.000Z', close: '2026-04-01T20:00:00.000Z' },
      { date: '2026-04-02', open: '2026-04-02T13:30:00.000Z', close: '2026-04-02T20:00:00.000Z' },
      { date: '2026-04-06', open: '2026-04-06T13:30:00.000Z', close: '2026-04-06T20:00:00.000Z' },
      { date: '2026-04-07', open: '2026-04-07T13:30:00.000Z', close: '2026-04-07T20:00:00.000Z' },
    ]);
  });

  it('crosses the year end with its holidays and early close', () => {
    const days = nyse().calendar('2026-12-23', '2027-01-05');
    expect(days.map((d) => d.date)).toEqual(['2026-12-23', '2026-12-24', '2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-04', '2027-01-05']);
    expect(days.map((d) => d.close.toISOString().slice(11, 16))).toEqual(['21:00', '18:00', '21:00', '21:00', '21:00', '21:00', '21:00', '21:00']);
  });

  it('is empty when the range holds no session or is reversed', () => {
    expect(nyse().calendar('2026-03-07', '2026-03-08')).toEqual([]);
    expect(nyse().calendar('2026-03-10', '2026-03-09')).toEqual([]);
  });
});

describe('the always clock', () => {
  it('is open at any hour, weekends and holidays included', () => {
    const c = always();
    for (const at of ['2026-03-07T15:00:00Z', '2026-03-08T07:00:00Z', '2026-12-25T12:00:00Z', '2026-03-10T04:59:59.999Z']) {
      expect(c.isOpen(new Date(at)), at).toBe(true);
    }
  });

  it('makes every day a session from midnight to midnight New York time (23 and 25 hours on DST days)', () => {
    const c = always();
    expect(iso(c.session('2026-12-25'))).toEqual({ date: '2026-12-25', open: '2026-12-25T05:00:00.000Z', close: '2026-12-26T05:00:00.000Z' });
    expect(iso(c.session('2026-03-08'))).toEqual({ date: '2026-03-08', open: '2026-03-08T05:00:00.000Z', close: '2026-03-09T04:00:00.000Z' });
    expect(iso(c.session('2026-11-01'))).toEqual({ date: '2026-11-01', open: '2026-11-01T04:00:00.000Z', close: '2026-11-02T05:00:00.000Z' });
    expect(c.calendar('2026-12-24', '2026-12-27').map((d) => d.date)).toEqual(['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-27']);
  });

  it('reports the clock: open, closing at the next midnight, next session from then', () => {
    expect(isoClock(always('2026-03-07T03:00:00Z').clock())).toEqual({
      timestamp: '2026-03-07T03:00:00.000Z', // Friday 22:00 EST
      isOpen: true,
      nextOpen: '2026-03-07T05:00:00.000Z',
      nextClose: '2026-03-07T05:00:00.000Z',
    });
  });

  it('starts the new day’s session exactly at midnight', () => {
    const c = always('2026-03-07T04:59:59.999Z');
    expect(c.tradingDay()).toBe('2026-03-06');
    expect(c.sessionAt()?.date).toBe('2026-03-06');
    c.advance(1);
    expect(c.tradingDay()).toBe('2026-03-07');
    expect(c.sessionAt()?.date).toBe('2026-03-07');
  });
});

describe('the trading day', () => {
  it('is the New York date, in winter and in summer', () => {
    const c = nyse();
    expect(c.tradingDay(new Date('2026-03-07T04:59:59Z'))).toBe('2026-03-06');
    expect(c.tradingDay(new Date('2026-03-07T05:00:00Z'))).toBe('2026-03-07');
    expect(c.tradingDay(new Date('2026-07-01T03:59:59Z'))).toBe('2026-06-30');
    expect(c.tradingDay(new Date('2026-07-01T04:00:00Z'))).toBe('2026-07-01');
  });
});

describe('moving time', () => {
  it('stays where it was put: it does not follow the wall clock', () => {
    const c = always('2020-01-01T00:00:00Z');
    expect(c.now().toISOString()).toBe('2020-01-01T00:00:00.000Z');
    c.now().setTime(0); // now() is a copy
    expect(c.now().toISOString()).toBe('2020-01-01T00:00:00.000Z');
  });

  it('starts at the wall-clock time when no start is given', () => {
    const before = Date.now();
    const t = new SimClock({ calendar: alwaysOpen }).now().getTime();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('advances forward only, returning the new time', () => {
    const c = always('2026-03-02T15:00:00Z');
    expect(c.advance(90_000).toISOString()).toBe('2026-03-02T15:01:30.000Z');
    expect(c.advance(0).toISOString()).toBe('2026-03-02T15:01:30.000Z');
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => c.advance(bad), String(bad)).toThrow(RangeError);
    expect(c.now().toISOString()).toBe('2026-03-02T15:01:30.000Z');
  });

  it('sets any instant, backwards too, and refuses an invalid Date', () => {
    const c = nyse('2026-03-10T15:00:00Z');
    c.set(new Date('2020-01-01T00:00:00Z'));
    expect(c.now().toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(() => c.set(new Date('nonsense'))).toThrow(RangeError);
    expect(() => new SimClock({ calendar: nyseCalendar, start: new Date(Number.NaN) })).toThrow(RangeError);
  });

  it('moves the market through its close as time advances', () => {
    const c = nyse('2026-03-10T19:59:00Z');
    expect(c.isOpen()).toBe(true);
    c.advance(60_000);
    expect(c.isOpen()).toBe(false);
    expect(c.clock().nextOpen.toISOString()).toBe('2026-03-11T13:30:00.000Z');
    c.advance(17.5 * 3_600_000);
    expect(c.now().toISOString()).toBe('2026-03-11T13:30:00.000Z');
    expect(c.isOpen()).toBe(true);
  });
});

describe('the clock with a calendar of its own', () => {
  it('follows whatever calendar it is given: here one that trades only on Mondays, 10:00 to 11:00 UTC', () => {
    const mondays = {
      name: 'mondays',
      session: (date: string) =>
        new Date(`${date}T00:00:00Z`).getUTCDay() === 1 ? { date, open: new Date(`${date}T10:00:00Z`), close: new Date(`${date}T11:00:00Z`) } : null,
    };
    const c = new SimClock({ calendar: mondays, start: new Date('2026-03-04T12:00:00Z') }); // a Wednesday
    expect(isoClock(c.clock())).toEqual({
      timestamp: '2026-03-04T12:00:00.000Z',
      isOpen: false,
      nextOpen: '2026-03-09T10:00:00.000Z',
      nextClose: '2026-03-09T11:00:00.000Z',
    });
    expect(c.calendar('2026-03-01', '2026-03-16').map((d) => d.date)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16']);
    expect(() => c.session('2026-02-30')).toThrow(RangeError);
  });

  it('offers SIM_MARKET_HOURS exactly the calendars there are, each under its own name', () => {
    expect(simPlugin.variables.SIM_MARKET_HOURS.options).toEqual(MARKET_CALENDAR_NAMES);
    expect(Object.entries(MARKET_CALENDARS).map(([key, calendar]) => [key, calendar.name])).toEqual([
      ['always', 'always'],
      ['nyse', 'nyse'],
    ]);
  });
});

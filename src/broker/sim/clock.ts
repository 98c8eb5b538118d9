/**
 * The simulator's market clock. Time moves only when told (`advance`, `set`),
 * so tests and `/sim advance` control it exactly. Two calendars: `always`
 * (every day a session from midnight to midnight, New York time) and `nyse`
 * (09:30–16:00 New York, weekdays, NYSE holidays from the nyse-holidays
 * library, 13:00 early closes by the exchange's rules).
 *
 * nyse-holidays was chosen over date-holidays: the latter models US federal
 * holidays, so it has no Good Friday, closes Juneteenth 2021 and observes
 * New Year's Day 2022 on Friday 2021-12-31, none of which the NYSE did.
 */
import { getHolidays } from 'nyse-holidays';
import { addDays, exchangeDate, exchangeTime } from '../marketTime.js';
import type { CalendarDay, Clock } from '../types.js';

export { EXCHANGE_TIME_ZONE, exchangeDate, exchangeTime } from '../marketTime.js';

export type MarketHoursMode = 'always' | 'nyse';

export interface SimClockOptions {
  mode: MarketHoursMode;
  start?: Date;
}

/** Day of the week (0 = Sunday) of a YYYY-MM-DD date; RangeError unless it is a real date. */
function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC rolls 2026-02-30 over to March: a round trip catches it.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || at.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  }
  return at.getUTCDay();
}

/**
 * Unscheduled full-day closings, which no rule-based holiday library can
 * know: Hurricane Sandy, and the national days of mourning for Presidents
 * G. H. W. Bush and Carter.
 */
const SPECIAL_CLOSURES: ReadonlySet<string> = new Set(['2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09']);

const holidayCache = new Map<number, ReadonlySet<string>>();

function holidaysOf(year: number): ReadonlySet<string> {
  let set = holidayCache.get(year);
  if (!set) {
    set = new Set(getHolidays(year).map((h) => h.dateString));
    holidayCache.set(year, set);
  }
  return set;
}

function isNyseHoliday(date: string): boolean {
  return SPECIAL_CLOSURES.has(date) || holidaysOf(Number(date.slice(0, 4))).has(date);
}

/**
 * NYSE closes at 13:00 on July 3 and December 24 when they are trading days,
 * and on the day after Thanksgiving. The library lists full closures only.
 */
function isEarlyClose(date: string, wd: number): boolean {
  const md = date.slice(5);
  if (md === '07-03' || md === '12-24') return true;
  // Thanksgiving is the fourth Thursday of November: the Friday after is day 23–29.
  const day = Number(date.slice(8));
  return date.slice(5, 7) === '11' && wd === 5 && day >= 23 && day <= 29;
}

/** A copy of `at`; an Invalid Date would poison every later answer, so it is refused. */
function instant(at: Date): Date {
  const t = at.getTime();
  if (Number.isNaN(t)) throw new RangeError('invalid Date');
  return new Date(t);
}

export class SimClock {
  readonly mode: MarketHoursMode;
  private current: Date;
  private readonly dayBounds: { date: string; start: number; end: number }[] = [];
  private readonly sessions = new Map<string, CalendarDay | null>();

  constructor(options: SimClockOptions) {
    this.mode = options.mode;
    this.current = instant(options.start ?? new Date());
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(at: Date): void {
    this.current = instant(at);
  }

  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward: ms must be >= 0');
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }

  tradingDay(at: Date = this.current): string {
    // Time-zone formatting is the hot spot of the engine: remember the bounds of the last few days
    // asked about (account() asks about today and a week ago each time).
    const t = at.getTime();
    const cached = this.dayBounds.find((b) => t >= b.start && t < b.end);
    if (cached) return cached.date;
    const date = exchangeDate(at);
    this.dayBounds.unshift({ date, start: exchangeTime(date, 0, 0).getTime(), end: exchangeTime(addDays(date, 1), 0, 0).getTime() });
    this.dayBounds.length = Math.min(this.dayBounds.length, 8);
    return date;
  }

  /** The session on a date, or null when the exchange is closed that day. */
  session(date: string): CalendarDay | null {
    if (!this.sessions.has(date)) this.sessions.set(date, this.computeSession(date));
    return this.sessions.get(date) ?? null;
  }

  private computeSession(date: string): CalendarDay | null {
    const wd = weekday(date); // validates the date in both modes
    if (this.mode === 'always') {
      return { date, open: exchangeTime(date, 0, 0), close: exchangeTime(addDays(date, 1), 0, 0) };
    }
    if (wd === 0 || wd === 6 || isNyseHoliday(date)) return null;
    return { date, open: exchangeTime(date, 9, 30), close: exchangeTime(date, isEarlyClose(date, wd) ? 13 : 16, 0) };
  }

  /** The session in progress at `at`, or null. */
  sessionAt(at: Date = this.current): CalendarDay | null {
    const s = this.session(this.tradingDay(at));
    return s && at >= s.open && at < s.close ? s : null;
  }

  isOpen(at: Date = this.current): boolean {
    return this.sessionAt(at) !== null;
  }

  /** Alpaca's /v2/clock: whether it is open now, and the next open and close. */
  clock(): Clock {
    const now = this.now();
    const today = this.tradingDay(now);
    const current = this.sessionAt(now);
    if (current) return { timestamp: now, isOpen: true, nextOpen: this.nextSessionAfter(today).open, nextClose: current.close };
    const todays = this.session(today);
    const next = todays && now < todays.open ? todays : this.nextSessionAfter(today);
    return { timestamp: now, isOpen: false, nextOpen: next.open, nextClose: next.close };
  }

  /** Alpaca's /v2/calendar: the sessions between two dates, inclusive. */
  calendar(start: string, end: string): CalendarDay[] {
    weekday(start);
    weekday(end);
    const days: CalendarDay[] = [];
    for (let d = start; d <= end; d = addDays(d, 1)) {
      const s = this.session(d);
      if (s) days.push(s);
    }
    return days;
  }

  private nextSessionAfter(date: string): CalendarDay {
    // No exchange closes for more than a few days in a row; 14 is a safe bound.
    for (let i = 1; i <= 14; i++) {
      const s = this.session(addDays(date, i));
      if (s) return s;
    }
    throw new Error(`no trading session within 14 days after ${date}`);
  }
}

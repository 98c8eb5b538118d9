/**
 * The simulator's market clock. Time moves only when told (`advance`, `set`),
 * so tests and `/sim advance` control it exactly. Which days trade, and when,
 * is the market calendar it is given (`calendars/`: `always`, `nyse`).
 */
import { addDays, exchangeDate, exchangeTime } from '../../domain/marketTime.js';
import type { CalendarDay, Clock } from '../../domain/ports/broker.js';
import { MARKET_CALENDARS, type MarketCalendar, type MarketCalendarName } from './calendars/index.js';
import { weekday } from './calendars/calendar.js';

export { EXCHANGE_TIME_ZONE, exchangeDate, exchangeTime } from '../../domain/marketTime.js';

/** A calendar by its SIM_MARKET_HOURS name. */
export type MarketHoursMode = MarketCalendarName;

export interface SimClockOptions {
  /** The exchange's sessions. */
  calendar?: MarketCalendar;
  /** A built-in calendar by name, when `calendar` is not given. */
  mode?: MarketHoursMode;
  start?: Date;
}

/** A copy of `at`; an Invalid Date would poison every later answer, so it is refused. */
function instant(at: Date): Date {
  const t = at.getTime();
  if (Number.isNaN(t)) throw new RangeError('invalid Date');
  return new Date(t);
}

export class SimClock {
  readonly marketCalendar: MarketCalendar;
  private current: Date;
  private readonly dayBounds: { date: string; start: number; end: number }[] = [];
  private readonly sessions = new Map<string, CalendarDay | null>();

  constructor(options: SimClockOptions) {
    this.marketCalendar = options.calendar ?? MARKET_CALENDARS[options.mode ?? 'always'];
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
    weekday(date); // a bad date is refused whatever the calendar
    return this.marketCalendar.session(date);
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

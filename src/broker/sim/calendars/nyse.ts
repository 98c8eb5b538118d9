/**
 * The New York Stock Exchange: 09:30–16:00 New York time on weekdays, closed
 * on NYSE holidays (from the nyse-holidays library), 13:00 early closes by the
 * exchange's rules.
 *
 * nyse-holidays was chosen over date-holidays: the latter models US federal
 * holidays, so it has no Good Friday, closes Juneteenth 2021 and observes
 * New Year's Day 2022 on Friday 2021-12-31, none of which the NYSE did.
 */
import { getHolidays } from 'nyse-holidays';
import { exchangeTime } from '../../../domain/marketTime.js';
import { type MarketCalendar, weekday } from './calendar.js';

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

export const nyse: MarketCalendar = {
  name: 'nyse',
  session(date) {
    const wd = weekday(date);
    if (wd === 0 || wd === 6 || isNyseHoliday(date)) return null;
    return { date, open: exchangeTime(date, 9, 30), close: exchangeTime(date, isEarlyClose(date, wd) ? 13 : 16, 0) };
  },
};

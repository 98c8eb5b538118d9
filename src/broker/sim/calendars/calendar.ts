/**
 * A market calendar: which days an exchange trades, and when each session
 * opens and closes. The simulator's clock is given one; it knows nothing of
 * any particular exchange.
 */
import type { CalendarDay } from '../../../domain/ports/broker.js';

export interface MarketCalendar {
  /** How SIM_MARKET_HOURS names it. */
  readonly name: string;
  /** The session on a YYYY-MM-DD date (exchange time zone), or null when closed that day. The date is already checked. */
  session(date: string): CalendarDay | null;
}

/** Day of the week (0 = Sunday) of a YYYY-MM-DD date; RangeError unless it is a real date. */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC rolls 2026-02-30 over to March: a round trip catches it.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || at.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  }
  return at.getUTCDay();
}

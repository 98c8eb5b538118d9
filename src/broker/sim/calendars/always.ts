/** A market that never closes: every day one session from midnight to midnight, New York time. */
import { addDays, exchangeTime } from '../../../domain/marketTime.js';
import type { MarketCalendar } from './calendar.js';

export const alwaysOpen: MarketCalendar = {
  name: 'always',
  session: (date) => ({ date, open: exchangeTime(date, 0, 0), close: exchangeTime(addDays(date, 1), 0, 0) }),
};

/** The market calendars the simulator offers (SIM_MARKET_HOURS picks one by name). */
import { alwaysOpen } from './always.js';
import type { MarketCalendar } from './calendar.js';
import { nyse } from './nyse.js';

export type { MarketCalendar } from './calendar.js';
export { alwaysOpen } from './always.js';
export { nyse } from './nyse.js';

export const MARKET_CALENDARS = { always: alwaysOpen, nyse } as const satisfies Record<string, MarketCalendar>;
export type MarketCalendarName = keyof typeof MARKET_CALENDARS;
export const MARKET_CALENDAR_NAMES = Object.keys(MARKET_CALENDARS) as MarketCalendarName[];

/** One OHLCV bar of one symbol: the unit the backtester replays (the broker port's historical bar). */
export type { HistoricalBar as Bar, BarTimeframe } from '../domain/bars.js';

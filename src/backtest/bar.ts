/** One OHLCV bar of one symbol: the unit the backtester replays. */
import type { Decimal } from '../domain/money.js';

export type BarTimeframe = '1Day' | '1Hour' | '1Min';

export interface Bar {
  symbol: string;
  /** When the bar opens (a daily bar: that day's 00:00 UTC when the source gives only a date). */
  timestamp: Date;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
}

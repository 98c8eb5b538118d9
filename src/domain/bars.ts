/**
 * Historical OHLCV bars as brokers deliver them and the bar cache keeps them.
 * The same shape as the backtester's Bar, defined here so the broker and
 * store ports can speak of bars without importing anything outside domain/.
 */
import type { Decimal } from './money.js';

export type BarTimeframe = '1Day' | '1Hour' | '1Min';

export const BAR_TIMEFRAMES = ['1Day', '1Hour', '1Min'] as const satisfies readonly BarTimeframe[];

export interface HistoricalBar {
  symbol: string;
  /** When the bar opens (a daily bar: the start of its day as the source dates it). */
  timestamp: Date;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
}

/** What a broker is asked for: every bar of these symbols whose timestamp lies in [start, end]. */
export interface BarRequest {
  symbols: readonly string[];
  timeframe: BarTimeframe;
  start: Date;
  end: Date;
}

/**
 * Stored signals as backtest input: every signal of a period, whatever was
 * decided about it at the time, replayed as if approved.
 */
import type { Decimal } from '../../domain/money.js';
import { toTradingSignal, type StoredSignal } from '../../domain/records.js';
import type { TradingSignal } from '../../domain/signal.js';

export interface HistorySelection {
  /** Signals stamped at or after this time. */
  since: Date;
  /** Signals below this confidence are left out (none when absent). */
  minConfidence?: Decimal;
}

/** The stored signals a `--history` run replays, oldest first. */
export function selectHistory(stored: readonly StoredSignal[], selection: HistorySelection): TradingSignal[] {
  const { since, minConfidence } = selection;
  return stored
    .filter((s) => s.signalTime.getTime() >= since.getTime() && (minConfidence === undefined || s.confidence.gte(minConfidence)))
    .map(toTradingSignal)
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || a.signalId.localeCompare(b.signalId));
}

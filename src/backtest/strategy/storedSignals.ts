/**
 * Stored signals as backtest input: every signal of a period, whatever was
 * decided about it at the time, replayed as if approved.
 */
import type { Decimal } from '../../domain/money.js';
import type { StoredSignal } from '../../domain/records.js';
import type { TradingSignal } from '../../domain/signal.js';

/** A stored signal in the form the executor takes; its time is the signal's own, not its arrival. */
export function storedToTradingSignal(s: StoredSignal): TradingSignal {
  return {
    signalId: s.signalId,
    ticker: s.ticker,
    timestamp: s.signalTime,
    action: s.action,
    confidence: s.confidence,
    currentPrice: s.entryPrice,
    stopLossPrice: s.stopLossPrice,
    takeProfitPrice: s.takeProfitPrice,
    positionSizePct: s.positionSizePct,
    signalType: s.signalType,
    strategy: s.strategy,
  };
}

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
    .map(storedToTradingSignal)
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || a.signalId.localeCompare(b.signalId));
}

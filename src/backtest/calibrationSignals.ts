/**
 * calibrated_kelly in a replay: the calibration reads closed trades joined to
 * their signals' stated confidence, so each replayed signal is stored in the
 * run's own store before it is executed. The replay clock is the signal's
 * time, so the trades it is calibrated on are those the run closed before it.
 */
import type { SignalStore } from '../domain/ports/store.js';
import { storedSignalOf, type TradingSignal } from '../domain/signal.js';

export function storeForCalibration(signals: SignalStore, signal: TradingSignal): Promise<boolean> {
  const at = signal.timestamp;
  return signals.insertIfNew(
    storedSignalOf(signal, { source: 'code', receivedAt: at, expiresAt: at, status: 'approved', decidedBy: 'backtest', decidedAt: at }),
  );
}

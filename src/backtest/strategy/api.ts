/**
 * The strategy API of the backtester: a module exports a strategy, an object
 * with a name and an `onBar` called once per bar, in time order. From the
 * context it reads the bars seen so far (never a later one) and emits trading
 * signals; each is checked by the same schema as a live signal.
 *
 * A signal emitted on a bar is stamped with that bar's time (its opening
 * time, as bars are dated) and executed by the replay before the next bar:
 * the fill rules fill an order only on a bar strictly after the signal's
 * time, so a signal can never fill on the bar that produced it.
 */
import type { Bar } from '../bar.js';
import type { Decimal } from '../../domain/money.js';
import type { OrderSide } from '../../domain/enums.js';

/** A price or ratio as a strategy may give it: a Decimal, a decimal string or a number. */
export type Amount = Decimal | string | number;

/** What a strategy emits; the id, the time and the strategy name are filled in by the runner. */
export interface StrategySignal {
  /** Defaults to the symbol of the bar being handled. */
  ticker?: string;
  action: OrderSide;
  /** 0..1 */
  confidence: Amount;
  current_price: Amount;
  stop_loss_price: Amount;
  take_profit_price: Amount;
  /** Fraction of equity for the `percent` sizing method. */
  position_size_pct?: Amount;
  signal_type?: string;
}

export interface StrategyContext {
  /**
   * The last `n` bars of `symbol` up to and including the current bar time,
   * oldest first (fewer while fewer have been seen). `n` may not exceed the
   * strategy's `lookback`.
   */
  history(symbol: string, n: number): readonly Bar[];
  /** Queues a signal for execution before the next bar. */
  emit(signal: StrategySignal): void;
}

export interface Strategy {
  /** Letters, digits, `.`, `_` and `-`: it starts every signal id. */
  name: string;
  /** How many bars per symbol `history` can return (default 250). */
  lookback?: number;
  onBar(bar: Bar, context: StrategyContext): void | Promise<void>;
}

/** Types a strategy object in a module of its own (`export default defineStrategy({...})`). */
export function defineStrategy<S extends Strategy>(strategy: S): S {
  return strategy;
}

/**
 * Moving-average crossover, long only: buys when the fast simple moving
 * average of closes crosses above the slow one (at or below it on the bar
 * before, above it on this bar). The stop and the target are a percentage
 * below and above the close. All arithmetic is Decimal.
 *
 *   npm run backtest -- --bars data/bars/2024.csv --strategy examples/movingAverageCrossover.ts
 */
import { defineStrategy, type Strategy } from '../src/backtest/strategy/api.js';
import type { Bar } from '../src/backtest/bar.js';
import { Decimal, dec, ONE } from '../src/domain/money.js';

export interface CrossoverSettings {
  /** Bars in the fast average. */
  fast: number;
  /** Bars in the slow average (more than `fast`). */
  slow: number;
  /** The stop, as a fraction below the close (0.05 = 5%). */
  stopPct: Decimal;
  /** The target, as a fraction above the close. */
  targetPct: Decimal;
  confidence: Decimal;
}

export const DEFAULT_CROSSOVER: CrossoverSettings = { fast: 10, slow: 30, stopPct: dec('0.05'), targetPct: dec('0.10'), confidence: dec('0.6') };

function sma(bars: readonly Bar[]): Decimal {
  return bars.reduce((sum, b) => sum.plus(b.close), new Decimal(0)).div(bars.length);
}

const cents = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

export function movingAverageCrossover(settings: CrossoverSettings = DEFAULT_CROSSOVER, name = 'ma-crossover'): Strategy {
  const { fast, slow } = settings;
  if (!(fast >= 1 && slow > fast)) throw new RangeError(`moving-average crossover: expected 1 <= fast < slow, got ${fast} and ${slow}`);
  return defineStrategy({
    name,
    // Today's two averages and yesterday's: one bar more than the slow average.
    lookback: slow + 1,
    onBar(bar, context) {
      const bars = context.history(bar.symbol, slow + 1);
      if (bars.length < slow + 1) return;
      const today = bars.slice(1);
      const yesterday = bars.slice(0, -1);
      const crossedUp = sma(yesterday.slice(-fast)).lte(sma(yesterday)) && sma(today.slice(-fast)).gt(sma(today));
      if (!crossedUp) return;
      context.emit({
        action: 'buy',
        confidence: settings.confidence,
        current_price: bar.close,
        stop_loss_price: cents(bar.close.times(ONE.minus(settings.stopPct))),
        take_profit_price: cents(bar.close.times(ONE.plus(settings.targetPct))),
        signal_type: 'ma_cross_up',
      });
    },
  });
}

export default movingAverageCrossover();

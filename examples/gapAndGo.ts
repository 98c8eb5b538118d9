/**
 * Gap and go, the catalyst pattern on bars: a bar that opens at least
 * `minGapPct` above the previous close, on volume above the average of the
 * bars before it, is bought at its close. The stop is one cent under the gap
 * bar's low (the gap has failed if that breaks) and the target is `reward`
 * times that risk above the entry. All arithmetic is Decimal.
 *
 *   npm run backtest -- --bars data/bars/2024.csv --strategy examples/gapAndGo.ts
 */
import { defineStrategy, type Strategy } from '../src/backtest/strategy/api.js';
import { Decimal, dec } from '../src/domain/money.js';

export interface GapSettings {
  /** The smallest gap, as a fraction of the previous close (0.04 = 4%). */
  minGapPct: Decimal;
  /** Bars before the gap bar whose volume is averaged. */
  volumeBars: number;
  /** Target distance in multiples of the risk (entry − stop). */
  reward: Decimal;
  confidence: Decimal;
}

export const DEFAULT_GAP: GapSettings = { minGapPct: dec('0.04'), volumeBars: 10, reward: dec(2), confidence: dec('0.7') };

const TICK = dec('0.01');

export function gapAndGo(settings: GapSettings = DEFAULT_GAP, name = 'gap-and-go'): Strategy {
  const { volumeBars } = settings;
  if (!(volumeBars >= 1)) throw new RangeError(`gap and go: expected volumeBars >= 1, got ${volumeBars}`);
  return defineStrategy({
    name,
    lookback: volumeBars + 1,
    onBar(bar, context) {
      const bars = context.history(bar.symbol, volumeBars + 1);
      if (bars.length < volumeBars + 1) return;
      const before = bars.slice(0, -1);
      const previous = before[before.length - 1];
      if (previous === undefined) return;
      const gap = bar.open.div(previous.close).minus(1);
      const averageVolume = before.reduce((sum, b) => sum.plus(b.volume), new Decimal(0)).div(before.length);
      if (gap.lt(settings.minGapPct) || !bar.volume.gt(averageVolume)) return;
      const stop = bar.low.minus(TICK);
      const risk = bar.close.minus(stop);
      context.emit({
        action: 'buy',
        confidence: settings.confidence,
        current_price: bar.close,
        stop_loss_price: stop,
        take_profit_price: bar.close.plus(risk.times(settings.reward)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP),
        signal_type: 'gap_up',
      });
    },
  });
}

export default gapAndGo();

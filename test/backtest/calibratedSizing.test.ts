/**
 * Walk-forward calibrated Kelly against raw Kelly on the synthetic
 * over-confident strategy of scripts/calibrationEval.ts (fixed seed): the
 * calibrated run ends with more equity and a shallower drawdown.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.js';
import { expandGrid, settingsOf, sweepSchema } from '../../src/backtest/sweep/grid.js';
import { overconfidentScenario, runScenario } from '../../scripts/calibrationEval.js';
import { useTempDir } from '../helpers/tempDb.js';

describe('calibrated_kelly in the backtester', () => {
  const newDir = useTempDir();

  it('beats raw Kelly on final equity and max drawdown when the stated confidence is too high', async () => {
    const scenario = overconfidentScenario(7, 200);
    const raw = await runScenario(scenario, 'kelly', newDir());
    const calibrated = await runScenario(scenario, 'calibrated_kelly', newDir());
    expect(raw.trades).toBe(200);
    // It learns to refuse the signals with no edge, on the trades closed before each.
    expect(calibrated.signals_refused).toBeGreaterThan(0);
    expect(new Decimal(calibrated.ending_equity).gt(raw.ending_equity)).toBe(true);
    expect(new Decimal(calibrated.max_drawdown_pct).lt(raw.max_drawdown_pct)).toBe(true);
  });

  it('sizes the first signals as raw Kelly does: no closed trades, the stated value stands', async () => {
    const scenario = overconfidentScenario(7, 1);
    const raw = await runScenario(scenario, 'kelly', newDir());
    const calibrated = await runScenario(scenario, 'calibrated_kelly', newDir());
    expect(calibrated.ending_equity).toBe(raw.ending_equity);
  });

  it('is a value the sweep accepts', () => {
    const axes = sweepSchema.parse(['sizing=kelly,calibrated_kelly']);
    expect(expandGrid(axes).map((c) => settingsOf(c).sizing)).toEqual(['kelly', 'calibrated_kelly']);
  });
});

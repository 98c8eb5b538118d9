/** SIZING_METHOD=calibrated_kelly and CALIBRATION_MIN_TRADES as the configuration reads them. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { sizingFromConfig } from '../../src/execution/engine.js';
import { problemsOf } from '../helpers/configProblems.js';

describe('calibrated sizing configuration', () => {
  it('accepts calibrated_kelly, with 30 trades before the isotonic map by default', () => {
    const c = loadConfig({ SIZING_METHOD: 'calibrated_kelly' });
    expect([c.sizing.method, c.sizing.calibrationMinTrades]).toEqual(['calibrated_kelly', 30]);
    expect(sizingFromConfig(loadConfig({ CALIBRATION_MIN_TRADES: '64' }).sizing).calibrationMinTrades).toBe(64);
  });

  it('refuses a minimum below one trade, or not a whole number, naming the variable', () => {
    for (const value of ['0', '2.5', 'many']) {
      expect(problemsOf({ CALIBRATION_MIN_TRADES: value }).some((p) => p.includes('CALIBRATION_MIN_TRADES'))).toBe(true);
    }
  });
});

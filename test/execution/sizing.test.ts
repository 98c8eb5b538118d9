/** Position sizing: each method and each cap, in whole shares. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { type PositionSizingConfig, type SizingResult, sizePosition } from '../../src/execution/sizing.js';
import { signal } from '../helpers/engineHarness.js';

const config = (overrides: Partial<PositionSizingConfig> = {}): PositionSizingConfig => ({
  method: 'risk',
  maxPositionSizePct: dec('0.10'),
  riskPerTradePct: dec('0.02'),
  kellyFraction: dec('0.5'),
  ...overrides,
});
const account = { equity: dec(100_000), buyingPower: dec(200_000) };
const summary = (r: SizingResult) => (r.ok ? [r.quantity.toFixed(), r.boundBy, r.methodQuantity.toFixed()] : ['refused', r.reason]);

describe('sizePosition', () => {
  it('percent: the signal’s own size, else the maximum', () => {
    // 100,000 × 10% / 190 = 52.6 → 52 (the cap says the same: the method binds)
    expect(summary(sizePosition(signal(), account, config({ method: 'percent' })))).toEqual(['52', 'method', '52']);
    // 100,000 × 5% / 190 = 26.3 → 26
    expect(summary(sizePosition(signal({ position_size_pct: '0.05' }), account, config({ method: 'percent' })))).toEqual(['26', 'method', '26']);
  });

  it('risk: equity × risk % / |entry − stop|, capped by the position size', () => {
    // 2,000 / 5 = 400; the 10% cap allows 52
    expect(summary(sizePosition(signal(), account, config()))).toEqual(['52', 'max_position_size', '400']);
    const r = sizePosition(signal(), account, config({ maxPositionSizePct: dec(1) }));
    expect([...summary(r), r.ok ? r.riskAmount?.toFixed(2) : null, r.ok ? r.notional.toFixed(2) : null]).toEqual([
      '400',
      'method',
      '400',
      '2000.00',
      '76000.00',
    ]);
  });

  it('kelly: f = p − (1 − p) / b, times the Kelly fraction', () => {
    // b = 10 / 5 = 2; f = 0.7 − 0.3 / 2 = 0.55; 100,000 × 0.5 × 0.55 / 190 = 144.7 → 144
    const r = sizePosition(signal(), account, config({ method: 'kelly', maxPositionSizePct: dec(1) }));
    expect([...summary(r), r.kellyF?.toFixed()]).toEqual(['144', 'method', '144', '0.55']);
  });

  it('kelly: no edge, no trade, with the figures', () => {
    const r = sizePosition(signal({ confidence: '0.3' }), account, config({ method: 'kelly' }));
    expect(summary(r)).toEqual(['refused', 'Kelly sizing finds no edge: f = p − (1 − p) / b = -0.05 at confidence 0.3 and reward:risk 2']);
  });

  it('caps by buying power', () => {
    // 5,000 / 190 = 26.3 → 26
    expect(summary(sizePosition(signal(), { equity: dec(100_000), buyingPower: dec(5_000) }, config({ maxPositionSizePct: dec(1) })))).toEqual([
      '26',
      'buying_power',
      '400',
    ]);
  });

  it('refuses less than one share, saying which rule left none', () => {
    expect(summary(sizePosition(signal(), { equity: dec(100), buyingPower: dec(200) }, config({ method: 'percent' })))).toEqual([
      'refused',
      'percent sizing gives 0 shares: 10.00% of equity is $10.00, and one share costs $190.00',
    ]);
    expect(summary(sizePosition(signal(), { equity: dec(100_000), buyingPower: dec(0) }, config()))).toEqual([
      'refused',
      'buying power $0.00 does not pay for one share at $190.00',
    ]);
    expect(summary(sizePosition(signal(), { equity: dec(1_000), buyingPower: dec(2_000) }, config({ maxPositionSizePct: dec('0.1') })))).toEqual([
      'refused',
      'the position cap (10.00% of equity $1,000.00) is less than one share at $190.00',
    ]);
  });
});

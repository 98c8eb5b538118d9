/** /calibration and calibrated Kelly sizing through the console, on the simulator and a real SQLite file. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { Store } from '../../src/domain/ports/store.js';
import { closedRecord, signalRecord } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from './appHarness.js';

/**
 * 40 closed trades of `momentum`, every one stated at 0.8: 20 won 4%, 20 lost 2%
 * (closed a day before the simulator's clock starts).
 */
async function seed(store: Store): Promise<void> {
  const closedAt = new Date('2026-03-01T20:00:00Z');
  for (let i = 0; i < 40; i++)
    await store.signals.insertIfNew(signalRecord({ signalId: `m${i}`, confidence: dec('0.8'), strategy: 'momentum', status: 'executed' }));
  await store.closedPositions.insertMany(
    Array.from({ length: 40 }, (_, i) =>
      closedRecord({
        positionId: `p${i}`,
        signalId: `m${i}`,
        strategy: 'momentum',
        realizedPnl: dec(i % 2 === 0 ? 40 : -20),
        realizedPnlPct: dec(i % 2 === 0 ? '0.04' : '-0.02'),
        closedAt: new Date(closedAt.getTime() + i * 60_000),
      }),
    ),
  );
}

describe('console: /calibration and calibrated_kelly', () => {
  const newStore = useTempStore();

  it('/calibration shows the reliability table, the scores, what sizing would use, and the chart', async () => {
    const store = await newStore();
    await seed(store);
    const t = await operatorHarness(store, { SIZING_METHOD: 'calibrated_kelly' });
    const out = await t.type('/calibration');
    // p(0.8) = (40 × 0.5 + 10 × 0.8) / 50 = 0.56; Brier 0.34 → 0.2536; log loss −½(ln 0.8 + ln 0.2) → −½(ln 0.56 + ln 0.44)
    expect(out).toContain('40 trades, 20 won (50.0%) · isotonic map (40 ≥ 30 trades)');
    expect(out).toContain('Brier 0.3400 stated → 0.2536 calibrated · log loss 0.9163 → 0.7004');
    // The realized 0.5 holds 40 of 50 weights, the stated value 10: (20 + 10c) / 50.
    expect(out).toContain('Sizing would use: 0.50 → 0.50 · 0.60 → 0.52 · 0.70 → 0.54 · 0.80 → 0.56 · 0.90 → 0.58');
    expect(out).toContain('realized reward:risk 2.00 (average win 4.0%, average loss 2.0%)');
    expect(out).toContain('0.80–0.90    0.80      0.50        0.56      40');
    const png = /(\S+calibration-\S+\.png)/.exec(out)?.[1] ?? '';
    expect(readFileSync(png).subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(await t.type('/calibration strategy:breakout')).toContain('No closed trades linked to signals for strategy breakout yet');
  });

  it('a signal is sized on the calibrated confidence, and its embed shows stated against calibrated', async () => {
    const store = await newStore();
    await seed(store);
    const t = await operatorHarness(store, { SIZING_METHOD: 'calibrated_kelly' });
    const out = await t.type('/signal AAPL buy 190 185 200 confidence:0.8 strategy:momentum');
    expect(out).toContain('0.80 stated → 0.56 calibrated over 40 trades · reward:risk 2.00 stated → 2.00');
    // f = 0.56 − 0.44 / 2 = 0.34; 100,000 × 0.5 × 0.34 / 190 = 89.5 → 89
    expect(out).toContain('89 shares');
    expect(out).toContain('the calibrated Kelly rule (f 0.34 × 0.5)');
    // Approved, the executor sizes it the same way and records the figures with the execution.
    await t.type('approve');
    const [order] = await t.store.orders.listSubmittedSince(new Date(0));
    expect(order?.quantity.toFixed()).toBe('89');
    const execution = await t.store.executions.get(order?.signalId ?? '');
    expect(JSON.parse(execution?.sizing ?? '{}')).toMatchObject({
      method: 'calibrated_kelly',
      quantity: '89',
      stated_confidence: '0.8',
      calibrated_confidence: '0.56',
      calibration_trades: '40',
      calibration_basis: 'isotonic',
    });
    // A strategy with no record: the stated value, which is raw Kelly's size.
    const fresh = await t.type('/signal MSFT buy 410 400 430 confidence:0.8 strategy:breakout');
    expect(fresh).toContain('0.80 stated → 0.80 calibrated (no closed trades yet)');
  });
});

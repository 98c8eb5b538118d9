/** Calibration: exact Beta-binomial and PAV vectors, the mapping's properties, calibrated Kelly sizing, no look-ahead. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec, Decimal } from '../../src/domain/money.js';
import type { CalibrationTradeQuery, CalibrationTradeRecord } from '../../src/domain/ports/store.js';
import { CalibrationBook, statedRewardRisk } from '../../src/execution/calibration/book.js';
import {
  betaBinomialMean,
  type CalibrationEstimate,
  type CalibrationPoint,
  calibratedProbability,
  calibratedRewardRisk,
  closedBefore,
  estimate,
  fitCalibration,
  type IsotonicBlock,
  isotonicAt,
  poolAdjacentViolators,
  PRIOR_TRADES,
  reliabilityTable,
  scores,
} from '../../src/execution/calibration/model.js';
import { type PositionSizingConfig, type SizingResult, sizePosition } from '../../src/execution/sizing.js';
import { signal } from '../helpers/engineHarness.js';

const point = (confidence: number, won: boolean, closedAt = 0, returnPct = won ? 0.04 : -0.02): CalibrationPoint => ({ confidence, won, returnPct, closedAt });
const unit = (x: number, y: number) => ({ x, sum: y, weight: 1 });

describe('the Beta-binomial rate', () => {
  it('is the posterior mean of a Beta(k·prior, k·(1 − prior)) prior', () => {
    // (3 + 10 × 0.8) / (10 + 10) = 11 / 20
    expect(betaBinomialMean(0.8, 3, 10)).toBe(0.55);
    // no trades: the prior itself
    expect(betaBinomialMean(0.8, 0, 0)).toBe(0.8);
    // (30 + 5 × 0.5) / (60 + 5) = 32.5 / 65
    expect(betaBinomialMean(0.5, 30, 60, 5)).toBe(0.5);
  });

  it('is what a strategy below the minimum trades gets, and the stated value with none', () => {
    const fit = fitCalibration([point(0.8, true), point(0.8, false), point(0.8, false), point(0.8, false)], 30);
    expect(fit.blocks).toBeNull();
    // (1 + 10 × 0.8) / (4 + 10) = 9 / 14
    expect(calibratedProbability(fit, 0.8)).toBeCloseTo(9 / 14, 15);
    expect(calibratedProbability(fitCalibration([], 30), 0.8)).toBe(0.8);
  });
});

describe('pool adjacent violators', () => {
  it('pools each violating pair into its mean, and blocks of equal rate into one', () => {
    // 1, 0 → ½ ½; 1, 0 → ½ ½; two blocks of ½ are one level set
    expect(poolAdjacentViolators([unit(0.5, 1), unit(0.6, 0), unit(0.7, 1), unit(0.8, 0)])).toEqual([
      { from: 0.5, to: 0.8, meanConfidence: 0.65, rate: 0.5, trades: 4 },
    ]);
    // 0, 1, 0, 1 → 0, ½ ½, 1
    expect(poolAdjacentViolators([unit(0.5, 0), unit(0.6, 1), unit(0.7, 0), unit(0.8, 1)])).toEqual([
      { from: 0.5, to: 0.5, meanConfidence: 0.5, rate: 0, trades: 1 },
      { from: 0.6, to: 0.7, meanConfidence: (0.6 + 0.7) / 2, rate: 0.5, trades: 2 },
      { from: 0.8, to: 0.8, meanConfidence: 0.8, rate: 1, trades: 1 },
    ]);
  });

  it('merges backwards until the sequence is non-decreasing', () => {
    // 1, 1, 0 → 1, ½ ½ → ⅔ ⅔ ⅔; then 0 → ½ × 4
    expect(poolAdjacentViolators([unit(0.1, 1), unit(0.2, 1), unit(0.3, 0), unit(0.4, 0)])).toEqual([
      { from: 0.1, to: 0.4, meanConfidence: 0.25, rate: 0.5, trades: 4 },
    ]);
  });

  it('fits the trades of one confidence as one point, and leaves a rising sequence alone', () => {
    expect(fitCalibration([point(0.6, false), point(0.7, true), point(0.6, true)], 1).blocks).toEqual([
      { from: 0.6, to: 0.6, meanConfidence: 0.6, rate: 0.5, trades: 2 },
      { from: 0.7, to: 0.7, meanConfidence: 0.7, rate: 1, trades: 1 },
    ]);
  });

  it('maps between block centres linearly and flat beyond them', () => {
    const blocks = poolAdjacentViolators([{ x: 0.6, sum: 1, weight: 2 }, unit(0.7, 1)]);
    expect(isotonicAt(blocks, 0.65)).toBeCloseTo(0.75, 12);
    expect(isotonicAt(blocks, 0.2)).toBe(0.5);
    expect(isotonicAt(blocks, 0.95)).toBe(1);
  });

  it('is the realized map of a strategy at the minimum, shrunk toward the stated value', () => {
    const fit = fitCalibration([point(0.6, false), point(0.6, true), point(0.7, true)], 3);
    // n = 3, g(0.7) = 1: (3 × 1 + 10 × 0.7) / 13 = 10 / 13
    expect(calibratedProbability(fit, 0.7)).toBeCloseTo(10 / 13, 15);
  });
});

describe('reward:risk and scores', () => {
  it('is the realized average win over average loss, shrunk toward the stated one', () => {
    const fit = fitCalibration([point(0.7, true, 0, 0.06), point(0.7, true, 0, 0.02), point(0.7, false, 0, -0.02), point(0.7, false, 0, -0.02)], 30);
    // realized 0.04 / 0.02 = 2; (4 × 2 + 10 × 3) / 14 = 38 / 14
    expect(calibratedRewardRisk(fit, 3)).toBeCloseTo(38 / 14, 12);
    // no loss yet: the stated one
    expect(calibratedRewardRisk(fitCalibration([point(0.7, true)], 30), 3)).toBe(3);
  });

  it('scores Brier and log loss', () => {
    const s = scores([0.8, 0.4], [true, false]);
    // Brier (0.04 + 0.16) / 2; log loss −(ln 0.8 + ln 0.6) / 2
    expect(s?.brier).toBeCloseTo(0.1, 15);
    expect(s?.logLoss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    expect(scores([], [])).toBeNull();
  });

  it('tabulates stated against realized by confidence bin', () => {
    const trades = [point(0.81, true), point(0.85, false), point(0.55, true)];
    const rows = reliabilityTable(fitCalibration(trades, 30), trades).map((r) => [r.from, r.to, r.trades, r.stated.toFixed(2), r.realized]);
    expect(rows).toEqual([
      [0.5, 0.6, 1, '0.55', 1],
      [0.8, 0.9, 2, '0.83', 0.5],
    ]);
  });
});

const arbTrades = fc.array(
  fc.record({
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    won: fc.boolean(),
    returnPct: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
    closedAt: fc.nat(),
  }),
  { maxLength: 120 },
);

describe('properties of the map', () => {
  it('is non-decreasing in the stated confidence and within [0, 1]', () => {
    fc.assert(
      fc.property(
        arbTrades,
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (trades, min, a, b) => {
          const fit = fitCalibration(trades, min);
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const pLo = calibratedProbability(fit, lo);
          const pHi = calibratedProbability(fit, hi);
          return pLo >= 0 && pHi <= 1 && pLo <= pHi + 1e-12;
        },
      ),
    );
  });

  it('fits level sets: rising rates, each its trades’ win rate, a confidence never split, in any order of the trades', () => {
    const confidences = fc.constantFrom(0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95);
    fc.assert(
      fc.property(fc.array(fc.record({ confidence: confidences, won: fc.boolean() }), { minLength: 1, maxLength: 200 }), (raw) => {
        const trades = raw.map((t) => point(t.confidence, t.won));
        const blocks = fitCalibration(trades, 1).blocks ?? [];
        const reversed = fitCalibration([...trades].reverse(), 1).blocks ?? [];
        const ofBlock = (b: IsotonicBlock) => trades.filter((t) => t.confidence >= b.from && t.confidence <= b.to);
        return (
          blocks.every((b, i) => i === 0 || (blocks[i - 1]?.rate ?? 0) < b.rate) &&
          blocks.every((b) => ofBlock(b).length === b.trades && ofBlock(b).filter((t) => t.won).length / b.trades === b.rate) &&
          blocks.reduce((n, b) => n + b.trades, 0) === trades.length &&
          reversed.length === blocks.length &&
          reversed.every((b, i) => b.from === blocks[i]?.from && b.to === blocks[i]?.to && b.rate === blocks[i]?.rate)
        );
      }),
    );
  });

  it('moves toward the realized rate as the same record grows', () => {
    fc.assert(
      fc.property(
        arbTrades.filter((t) => t.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 2, max: 5 }),
        (trades, c, times) => {
          // Below the minimum (Beta-binomial) and at it (isotonic): the same proportions, `times` as much evidence.
          for (const min of [1_000_000, 1]) {
            const once = fitCalibration(trades, min);
            const more = fitCalibration(Array.from({ length: times }, () => trades).flat(), min);
            const realized = once.blocks === null ? once.wins / once.trades : isotonicAt(once.blocks, c);
            if (Math.abs(calibratedProbability(more, c) - realized) > Math.abs(calibratedProbability(once, c) - realized) + 1e-12) return false;
          }
          return true;
        },
      ),
    );
  });
});

const config = (overrides: Partial<PositionSizingConfig> = {}): PositionSizingConfig => ({
  method: 'calibrated_kelly',
  maxPositionSizePct: dec('0.10'),
  riskPerTradePct: dec('0.02'),
  kellyFraction: dec('0.5'),
  ...overrides,
});
const account = { equity: dec(100_000), buyingPower: dec(200_000) };
const calibrated = (p: string, b: string, trades = 64): CalibrationEstimate => ({
  statedConfidence: dec('0.7'),
  probability: dec(p),
  statedRewardRisk: dec(2),
  rewardRisk: dec(b),
  trades,
  basis: 'isotonic',
});
const summary = (r: SizingResult) => (r.ok ? [r.quantity.toFixed(), r.boundBy, r.kellyF?.toFixed()] : ['refused', r.reason]);

describe('calibrated Kelly sizing', () => {
  it('bets the Kelly fraction of f on the calibrated probability and reward:risk', () => {
    // f = 0.6 − 0.4 / 1.5 = ⅓; 100,000 × 0.5 × ⅓ / 190 = 87.7 → 87
    const r = sizePosition(signal(), account, config({ maxPositionSizePct: dec(1) }), calibrated('0.6', '1.5'));
    expect(summary(r)).toEqual(['87', 'method', '0.3333333333333333333333333333333333333333']);
    expect(r.calibration?.probability.toFixed()).toBe('0.6');
  });

  it('refuses no edge with the figures, and a signal it has no calibration for', () => {
    const r = sizePosition(signal(), account, config(), calibrated('0.4', '1.2'));
    expect(summary(r)).toEqual([
      'refused',
      'calibrated Kelly sizing finds no edge: f = p − (1 − p) / b = -0.1 at calibrated confidence 0.4 (0.7 stated, 64 trades) and reward:risk 1.2 (2 stated)',
    ]);
    expect(summary(sizePosition(signal(), account, config()))).toEqual([
      'refused',
      'calibrated Kelly sizing has no calibration for this signal (or give a quantity)',
    ]);
  });

  it('rounds the estimate to four places as a Decimal', () => {
    const fit = fitCalibration([point(0.8, true), point(0.8, false), point(0.8, false)], 30);
    // (1 + 8) / 13 = 0.692307… → 0.6923
    expect(estimate(fit, dec('0.8'), dec(2)).probability.toFixed()).toBe('0.6923');
  });

  it('sizes within [0, the position cap], in whole shares', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        (p, b, cap, equity, price) => {
          const estimateOf = calibrated(new Decimal(p).div(10_000).toFixed(), new Decimal(b).div(1_000).toFixed());
          const entry = new Decimal(price).div(10);
          const s = signal({ current_price: entry.toFixed(), stop_loss_price: entry.times('0.9').toFixed(), take_profit_price: entry.times('1.2').toFixed() });
          const r = sizePosition(s, { equity: dec(equity), buyingPower: dec(equity) }, config({ maxPositionSizePct: new Decimal(cap).div(100) }), estimateOf);
          if (!r.ok) return true;
          return (
            r.quantity.isInteger() && r.quantity.gte(1) && r.quantity.lte(r.maxPositionQuantity) && r.quantity.times(entry).lte(dec(equity).times(cap).div(100))
          );
        },
      ),
    );
  });
});

/** A store of calibration trades that answers the book's query as the repository does. */
class Trades {
  rows: CalibrationTradeRecord[] = [];
  reads = 0;
  add(id: string, at: string, won: boolean, confidence = '0.8'): void {
    this.rows.push({
      positionId: id,
      strategy: 'catalyst',
      confidence: dec(confidence),
      realizedPnl: dec(won ? 40 : -20),
      realizedPnlPct: dec(won ? '0.04' : '-0.02'),
      closedAt: new Date(at),
    });
  }
  listCalibrationTrades(q: CalibrationTradeQuery): Promise<CalibrationTradeRecord[]> {
    this.reads += 1;
    return Promise.resolve(
      this.rows
        .filter((r) => (q.strategy === undefined || r.strategy === q.strategy) && (q.since === undefined || r.closedAt >= q.since))
        .sort((a, b) => a.closedAt.getTime() - b.closedAt.getTime()),
    );
  }
}

describe('no look-ahead', () => {
  it('fits on exactly the trades closed before the cutoff, whatever closes at or after it', () => {
    fc.assert(
      fc.property(arbTrades, arbTrades, fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), (past, later, cutoff, c) => {
        const before = past.map((t) => ({ ...t, closedAt: t.closedAt % (cutoff + 1) })).filter((t) => t.closedAt < cutoff);
        const after = later.map((t) => ({ ...t, closedAt: cutoff + t.closedAt }));
        const all = [...before, ...after].sort((a, b) => a.closedAt - b.closedAt);
        const fit = fitCalibration(all.slice(0, closedBefore(all, cutoff)), 30);
        const alone = fitCalibration(before, 30);
        return fit.trades === alone.trades && estimate(fit, dec(c.toFixed(4)), dec(2)).probability.eq(estimate(alone, dec(c.toFixed(4)), dec(2)).probability);
      }),
    );
  });
});

describe('CalibrationBook', () => {
  const rr = dec(2);
  it('fits only on trades closed before the sizing time: a later close never changes a size', async () => {
    const store = new Trades();
    for (let i = 0; i < 5; i++) store.add(`p${i}`, `2026-03-0${i + 1}T20:00:00Z`, i === 0);
    const book = new CalibrationBook(store, 30);
    const at = new Date('2026-03-04T15:00:00Z');
    const before = await book.estimate('catalyst', dec('0.8'), rr, at);
    // 3 trades before (1 win): (1 + 8) / 13
    expect([before.trades, before.probability.toFixed()]).toEqual([3, '0.6923']);
    store.add('late', '2026-03-04T15:00:00Z', true);
    store.add('later', '2026-03-09T20:00:00Z', true);
    book.invalidate('catalyst', new Date('2026-03-09T20:00:00Z'));
    book.invalidate('catalyst', new Date('2026-03-04T15:00:00Z'));
    expect(await book.estimate('catalyst', dec('0.8'), rr, at)).toEqual(before);
    // Sized after them, they count.
    expect((await book.estimate('catalyst', dec('0.8'), rr, new Date('2026-03-10T00:00:00Z'))).trades).toBe(7);
  });

  it('reads a strategy once, then only the trades closed since, when told a position closed', async () => {
    const store = new Trades();
    store.add('a', '2026-03-01T20:00:00Z', true);
    const book = new CalibrationBook(store, 30);
    const now = new Date('2026-04-01T00:00:00Z');
    await book.estimate('catalyst', dec('0.8'), rr, now);
    await book.estimate('catalyst', dec('0.8'), rr, now);
    expect(store.reads).toBe(1);
    store.add('b', '2026-03-01T20:00:00Z', false);
    book.invalidate('catalyst', new Date('2026-03-01T20:00:00Z'));
    const e = await book.estimate('catalyst', dec('0.8'), rr, now);
    expect([store.reads, e.trades]).toEqual([2, 2]);
  });

  it('reads reward:risk from the signal', () => {
    expect(statedRewardRisk(signal())?.toFixed()).toBe('2');
    expect(statedRewardRisk({ currentPrice: dec(10), stopLossPrice: dec(10), takeProfitPrice: dec(12) })).toBeNull();
    expect(PRIOR_TRADES).toBe(10);
  });
});

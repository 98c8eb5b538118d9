/**
 * No look-ahead: a fill depends only on bars from the one after its signal up
 * to the bar it happened in. Random bar series, random orders and brackets,
 * random signal times; then random rewrites of the bars the fill must not see.
 * Last, the bounds every limit fill keeps on the same random bars.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/backtest/bar.js';
import { fillAfter, runBracket, type BarOrder, type Fill, type FillCosts } from '../../../src/backtest/fills/fills.js';
import { dec, type Decimal } from '../../../src/domain/money.js';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

/** A bar's prices in cents, drawn so that low ≤ open, close ≤ high and every price is positive. */
const ohlcCents = fc.record({
  open: fc.integer({ min: 500, max: 1500 }),
  close: fc.integer({ min: 500, max: 1500 }),
  up: fc.integer({ min: 0, max: 300 }),
  down: fc.integer({ min: 0, max: 300 }),
});
type Ohlc = typeof ohlcCents extends fc.Arbitrary<infer T> ? T : never;

const cents = (n: number): Decimal => dec(n).div(100);

function toBar(p: Ohlc, index: number): Bar {
  return {
    symbol: 'X',
    timestamp: new Date(START + index * DAY),
    open: cents(p.open),
    high: cents(Math.max(p.open, p.close) + p.up),
    low: cents(Math.max(1, Math.min(p.open, p.close) - p.down)),
    close: cents(p.close),
    volume: dec(1000),
  };
}

const series = fc.array(ohlcCents, { minLength: 2, maxLength: 30 });

const order: fc.Arbitrary<BarOrder> = fc.oneof(
  fc.record({
    kind: fc.constant('market' as const),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    quantity: fc.integer({ min: 1, max: 500 }).map(dec),
  }),
  fc.record({
    kind: fc.constant('limit' as const),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    quantity: fc.integer({ min: 1, max: 500 }).map(dec),
    limitPrice: fc.integer({ min: 300, max: 1800 }).map(cents),
  }),
  fc.record({
    kind: fc.constant('stop' as const),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    quantity: fc.integer({ min: 1, max: 500 }).map(dec),
    stopPrice: fc.integer({ min: 300, max: 1800 }).map(cents),
  }),
);

const costs: fc.Arbitrary<FillCosts> = fc.record({
  slippageBps: fc.integer({ min: 0, max: 50 }).map(dec),
  commissionPerShare: fc.integer({ min: 0, max: 10 }).map((n) => dec(n).div(1000)),
});

/** The signal: a bar index and an offset into that day (0 = exactly at the bar's timestamp). */
const signalAt = fc.record({ index: fc.integer({ min: -1, max: 29 }), offsetMs: fc.integer({ min: 0, max: DAY - 1 }) });

const plain = (f: Fill | null) =>
  f === null
    ? null
    : { ...f, price: f.price.toFixed(), quantity: f.quantity.toFixed(), commission: f.commission.toFixed(), barTimestamp: f.barTimestamp.toISOString() };

/** The series with every bar chosen by `which` replaced by the matching random one. */
function rewrite(prices: readonly Ohlc[], replacements: readonly Ohlc[], which: (index: number) => boolean): Bar[] {
  return prices.map((p, i) => toBar(which(i) ? (replacements[i % replacements.length] ?? p) : p, i));
}

describe('no look-ahead', () => {
  it('changing any bar after an order’s fill bar never changes the fill', () => {
    fc.assert(
      fc.property(series, fc.array(ohlcCents, { minLength: 1, maxLength: 30 }), order, costs, signalAt, (prices, replacements, o, c, at) => {
        const signal = new Date(START + at.index * DAY + at.offsetMs);
        const fill = fillAfter(o, prices.map(toBar), signal, c);
        if (fill === null) return;
        const fillIndex = Math.round((fill.barTimestamp.getTime() - START) / DAY);
        const changed = rewrite(prices, replacements, (i) => i > fillIndex);
        expect(plain(fillAfter(o, changed, signal, c))).toEqual(plain(fill));
      }),
      { numRuns: 500 },
    );
  });

  it('the fill is on a bar strictly after the signal, and bars at or before the signal cannot move it', () => {
    fc.assert(
      fc.property(series, fc.array(ohlcCents, { minLength: 1, maxLength: 30 }), order, costs, signalAt, (prices, replacements, o, c, at) => {
        const signal = new Date(START + at.index * DAY + at.offsetMs);
        const fill = fillAfter(o, prices.map(toBar), signal, c);
        const changed = fillAfter(
          o,
          rewrite(prices, replacements, (i) => START + i * DAY <= signal.getTime()),
          signal,
          c,
        );
        for (const f of [fill, changed]) if (f) expect(f.barTimestamp.getTime()).toBeGreaterThan(signal.getTime());
        expect(plain(changed)).toEqual(plain(fill));
        if (o.kind === 'market' && at.index + 1 < prices.length) {
          // A market order fills on exactly the next bar, whatever came before.
          expect(fill?.barTimestamp.getTime()).toBe(START + (at.index + 1) * DAY);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a bracket’s entry and each exit are unchanged by any rewrite of the bars after it', () => {
    const bracket = fc
      .record({
        entry: order,
        near: fc.integer({ min: 20, max: 400 }),
        far: fc.integer({ min: 20, max: 400 }),
        reference: fc.integer({ min: 500, max: 1500 }),
      })
      .map(({ entry, near, far, reference }) =>
        entry.side === 'buy'
          ? { entry, stopLoss: cents(reference - near), takeProfit: cents(reference + far) }
          : { entry, stopLoss: cents(reference + near), takeProfit: cents(reference - far) },
      );
    fc.assert(
      fc.property(series, fc.array(ohlcCents, { minLength: 1, maxLength: 30 }), bracket, costs, signalAt, (prices, replacements, b, c, at) => {
        const signal = new Date(START + at.index * DAY + at.offsetMs);
        const run = runBracket(b, prices.map(toBar), signal, c);
        const fills = [run.entry, ...run.exits].filter((f): f is Fill => f !== null);
        fills.forEach((fill, k) => {
          const fillIndex = Math.round((fill.barTimestamp.getTime() - START) / DAY);
          const again = runBracket(
            b,
            rewrite(prices, replacements, (i) => i > fillIndex),
            signal,
            c,
          );
          const againFills = [again.entry, ...again.exits].filter((f): f is Fill => f !== null);
          // Every fill up to this one is the same; what comes after may differ.
          expect(againFills.slice(0, k + 1).map(plain)).toEqual(fills.slice(0, k + 1).map(plain));
        });
        if (run.entry) expect(run.entry.barTimestamp.getTime()).toBeGreaterThan(signal.getTime());
      }),
      { numRuns: 300 },
    );
  });
});

describe('limit fills on random bars', () => {
  it('a limit fill is inside its bar and never worse than its limit', () => {
    fc.assert(
      fc.property(ohlcCents, fc.constantFrom('buy' as const, 'sell' as const), fc.integer({ min: 300, max: 1800 }), costs, (p, side, limit, c) => {
        const b = toBar(p, 0);
        const limitPrice = cents(limit);
        const fill = fillAfter({ kind: 'limit', side, quantity: dec(7), limitPrice }, [b], new Date(START - 1), c);
        const reached = side === 'buy' ? b.low.lte(limitPrice) : b.high.gte(limitPrice);
        expect(fill !== null).toBe(reached);
        if (fill === null) return;
        expect(fill.price.gte(b.low) && fill.price.lte(b.high)).toBe(true);
        expect(side === 'buy' ? fill.price.lte(limitPrice) : fill.price.gte(limitPrice)).toBe(true);
        expect(fill.commission.eq(c.commissionPerShare.times(7))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, dec, formatPct, formatUsd, fromStorage, signedTotals, toCents, toStorage } from '../../src/domain/money.js';
import { orderRecord, positionRecord } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';

/** Prices on a 0.0001 grid from $0.0001 to $100,000. */
const subPennyPrice = fc.bigInt({ min: 1n, max: 1_000_000_000n }).map((n) => new Decimal(n.toString()).div(10_000));
/** Notionals up to a trillion dollars with up to 8 decimals, either sign. */
const largeAmount = fc
  .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }))
  .map(([n, scale]) => new Decimal(n.toString()).div(new Decimal(10).pow(scale)));
/** Results of division: long expansions like a P&L percentage. */
const ratio = fc.tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 1, max: 999_999 })).map(([a, b]) => new Decimal(a).div(b));

describe('money is exact', () => {
  it('does decimal arithmetic where floats fail', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(dec('0.1').plus('0.2').toFixed()).toBe('0.3');
    // 263 shares bought at 190.0437, sold at 185.1: -4.9437 x 263 = -1300.1931.
    expect(toCents(dec('185.1').minus('190.0437').times(263)).toFixed(2)).toBe('-1300.19');
  });

  it('stores canonical text: no exponent, no trailing zeros, no negative zero', () => {
    expect(toStorage(dec('1e-8'))).toBe('0.00000001');
    expect(toStorage(dec('1.50'))).toBe('1.5');
    expect(toStorage(dec('-0'))).toBe('0');
    expect(toStorage(dec('123456789012345678901234.5678'))).toBe('123456789012345678901234.5678');
    expect(() => toStorage(new Decimal(NaN))).toThrow();
  });

  it('round-trips any price, notional or ratio through its storage text', () => {
    fc.assert(
      fc.property(fc.oneof(subPennyPrice, largeAmount, ratio), (value) => {
        const back = fromStorage(toStorage(value));
        expect(back.eq(value)).toBe(true);
        expect(toStorage(back)).toBe(toStorage(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('formats for people with cents and thousands separators', () => {
    expect(formatUsd(dec('1234567.005'))).toBe('$1,234,567.01');
    expect(formatUsd(dec('-12'))).toBe('-$12.00');
    expect(formatUsd(dec('-0.004'))).toBe('$0.00');
    expect(formatPct(dec('0.012345'))).toBe('1.23%');
    expect(formatPct(dec('-0.1'))).toBe('-10.00%');
  });
});

describe('totals of stored amounts (trade statistics)', () => {
  it('adds winners and losers exactly, at mixed scales', () => {
    const t = signedTotals(['12.5', '-3.25', '0', '100', '-0.001', '0.0000001']);
    expect(t.count).toBe(6);
    expect([t.positive.count, t.positive.sum.toFixed(), t.positive.max?.toFixed()]).toEqual([3, '112.5000001', '100']);
    expect([t.negative.count, t.negative.sum.toFixed(), t.negative.min?.toFixed()]).toEqual([2, '-3.251', '-3.25']);
  });

  it('gives zero sums and no extremes for no trades, or only breakevens', () => {
    for (const texts of [[], ['0', '0']]) {
      const t = signedTotals(texts);
      expect([t.count, t.positive.sum.toFixed(), t.negative.sum.toFixed(), t.positive.max, t.negative.min]).toEqual([texts.length, '0', '0', null, null]);
    }
  });

  it('refuses text that is not a stored amount', () => {
    for (const bad of ['1e5', '12,5', '', '.5', 'NaN']) expect(() => signedTotals([bad])).toThrow(RangeError);
  });

  it('is exact on any amounts (checked against Decimal with room for every digit)', () => {
    const Wide = Decimal.clone({ precision: 1000 });
    fc.assert(
      fc.property(fc.array(fc.oneof(largeAmount, ratio), { maxLength: 60 }), (amounts) => {
        const t = signedTotals(amounts.map(toStorage));
        const pos = amounts.filter((a) => a.gt(0));
        const neg = amounts.filter((a) => a.lt(0));
        const sum = (xs: Decimal[]) => xs.reduce((acc, x) => acc.plus(x.toFixed()), new Wide(0)).toFixed();
        expect(t.positive.sum.toFixed()).toBe(sum(pos));
        expect(t.negative.sum.toFixed()).toBe(sum(neg));
        expect(t.positive.max?.toFixed() ?? null).toBe(pos.length ? Decimal.max(...pos).toFixed() : null);
        expect(t.negative.min?.toFixed() ?? null).toBe(neg.length ? Decimal.min(...neg).toFixed() : null);
      }),
      { numRuns: 300 },
    );
  });
});

describe('money survives SQLite exactly', () => {
  const newStore = useTempStore();

  it('reads back every stored price, quantity and P&L digit for digit', async () => {
    const store = await newStore();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(subPennyPrice, largeAmount, ratio, subPennyPrice, async (price, notional, pct, qtyBase) => {
        n += 1;
        const quantity = qtyBase.times(10_000).floor().plus(1); // whole shares
        const order = orderRecord({
          orderId: `o-${n}`,
          clientOrderId: `c-${n}`,
          quantity,
          limitPrice: price,
          filledQty: quantity,
          filledAvgPrice: price.plus('0.0001'),
          signalPrice: price,
        });
        const position = positionRecord({
          positionId: `p-${n}`,
          ticker: `T${n}`,
          quantity,
          entryPrice: price,
          currentPrice: price,
          unrealizedPnl: notional,
          stopLossPrice: pct.abs(),
          takeProfitPrice: null,
        });
        await store.orders.insert(order);
        await store.positions.insert(position);
        const o = await store.orders.get(order.orderId);
        const p = await store.positions.get(position.positionId);
        expect(o?.limitPrice?.eq(price)).toBe(true);
        expect(o?.filledAvgPrice?.toFixed()).toBe(price.plus('0.0001').toFixed());
        expect(o?.quantity.toFixed()).toBe(quantity.toFixed());
        expect(p?.unrealizedPnl.toFixed()).toBe(notional.toFixed());
        expect(p?.stopLossPrice?.toFixed()).toBe(pct.abs().toFixed());
        expect(p?.takeProfitPrice).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

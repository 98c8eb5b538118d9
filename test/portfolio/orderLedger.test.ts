import { describe, expect, it } from 'vitest';
import { dec } from '../../src/broker/money.js';
import { Order } from '../../src/broker/types.js';
import { OrderLedger } from '../../src/portfolio/OrderLedger.js';
import { useTempStore } from '../helpers/tempDb.js';

const t0 = new Date('2026-03-02T15:00:00Z');
function order(status: string, filled: string, avg: string | null, at: number): Order {
  return new Order({
    id: 'o1', clientOrderId: 'sig-1:entry', ticker: 'AAPL', side: 'buy', type: 'market', orderClass: 'simple', timeInForce: 'day',
    quantity: dec(100), filledQty: dec(filled), filledAvgPrice: avg === null ? null : dec(avg), limitPrice: null, stopPrice: null,
    trailPrice: null, trailPercent: null, highWaterMark: null, status: status as never, parentOrderId: null, legs: [],
    submittedAt: t0, updatedAt: new Date(t0.getTime() + at), filledAt: status === 'filled' ? new Date(t0.getTime() + at) : null,
    canceledAt: null, expiredAt: null, statusReason: null,
  } as never);
}

/** The ledger against stale and repeated order states. */
describe('OrderLedger with an out-of-order (stale) snapshot', () => {
  const newStore = useTempStore();
  it('never counts the same shares twice', async () => {
    const store = await newStore();
    const ledger = new OrderLedger(store);
    // Stream: partial 50, then filled 100.
    await ledger.apply(order('partially_filled', '50', '100', 1000));
    await ledger.apply(order('filled', '100', '100', 2000));
    expect((await store.positions.getByTicker('AAPL'))?.quantity.toFixed()).toBe('100');
    // The monitor's listing, taken before the fill, is applied after it.
    await ledger.apply(order('partially_filled', '50', '100', 1000));
    // Next cycle's listing (or a stream replay) reports the final state again.
    await ledger.apply(order('filled', '100', '100', 2000));
    const pos = await store.positions.getByTicker('AAPL');
    
    expect(pos?.quantity.toFixed()).toBe('100');
  });
});

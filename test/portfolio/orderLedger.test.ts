import { describe, expect, it } from 'vitest';
import { dec } from '../../src/broker/money.js';
import { Order } from '../../src/broker/types.js';
import { OrderLedger } from '../../src/portfolio/OrderLedger.js';
import { useTempStore } from '../helpers/tempDb.js';

const t0 = new Date('2026-03-02T15:00:00Z');

/** A simple market buy as the broker reports it. */
function brokerOrder(o: { id?: string; clientOrderId?: string; ticker?: string; qty?: number; status: string; filled: string; avg: string | null; at: number }): Order {
  const at = new Date(t0.getTime() + o.at);
  return new Order({
    id: o.id ?? 'o1', clientOrderId: o.clientOrderId ?? 'sig-1:entry', ticker: o.ticker ?? 'AAPL', side: 'buy', type: 'market', orderClass: 'simple', timeInForce: 'day',
    quantity: dec(o.qty ?? 100), filledQty: dec(o.filled), filledAvgPrice: o.avg === null ? null : dec(o.avg), limitPrice: null, stopPrice: null,
    trailPrice: null, trailPercent: null, highWaterMark: null, status: o.status as never, parentOrderId: null, legs: [],
    submittedAt: t0, updatedAt: at, filledAt: o.status === 'filled' ? at : null, canceledAt: null, expiredAt: null, statusReason: null,
  } as never);
}

function order(status: string, filled: string, avg: string | null, at: number): Order {
  return brokerOrder({ status, filled, avg, at });
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

function filledOrder(id: string, clientOrderId: string, ticker: string, qty: number, price: string): Order {
  return brokerOrder({ id, clientOrderId, ticker, qty, status: 'filled', filled: String(qty), avg: price, at: 0 });
}

/** A burst of stream events is written in one transaction; one bad event must not take the others down with it. */
describe('OrderLedger with updates arriving together', () => {
  const newStore = useTempStore();

  it('records every update of a burst, in one transaction', async () => {
    const store = await newStore();
    const ledger = new OrderLedger(store);
    const before = ledger.version;
    const results = await Promise.all([
      ledger.apply(filledOrder('o1', 'sig-1:entry', 'AAPL', 100, '190.12')),
      ledger.apply(filledOrder('o2', 'sig-2:entry', 'MSFT', 30, '410.5')),
      ledger.apply(filledOrder('o3', 'sig-3:entry', 'NVDA', 12, '880.25')),
    ]);
    expect(results.map((changes) => changes.map((c) => [c.record.orderId, c.fillQty.toFixed()]))).toEqual([[['o1', '100']], [['o2', '30']], [['o3', '12']]]);
    expect(ledger.version - before).toBe(1);
    const positions = await store.positions.list();
    expect(positions.map((p) => [p.ticker, p.quantity.toFixed(), p.entryPrice.toFixed()])).toEqual([
      ['AAPL', '100', '190.12'],
      ['MSFT', '30', '410.5'],
      ['NVDA', '12', '880.25'],
    ]);
  });

  it('fails only the update that cannot be written (a client_order_id already taken)', async () => {
    const store = await newStore();
    const ledger = new OrderLedger(store);
    const [first, clash, last] = await Promise.allSettled([
      ledger.apply(filledOrder('o1', 'sig-1:entry', 'AAPL', 100, '190.12')),
      ledger.apply(filledOrder('o2', 'sig-1:entry', 'MSFT', 30, '410.5')),
      ledger.apply(filledOrder('o3', 'sig-3:entry', 'NVDA', 12, '880.25')),
    ]);
    expect([first.status, clash.status, last.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((clash as PromiseRejectedResult).reason)).toContain('UNIQUE constraint failed: executed_orders.client_order_id');
    expect((await store.orders.get('o2'))).toBeNull();
    expect((await store.positions.list()).map((p) => `${p.quantity.toFixed()} ${p.ticker}`)).toEqual(['100 AAPL', '12 NVDA']);
  });
});

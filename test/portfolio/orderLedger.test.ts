import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { Order } from '../../src/domain/order.js';
import { TradingEvents, type TradingEvent } from '../../src/domain/events.js';
import { alertFor } from '../../src/monitor/alertViews.js';
import { OrderLedger } from '../../src/portfolio/OrderLedger.js';
import { useTempStore } from '../helpers/tempDb.js';

const t0 = new Date('2026-03-02T15:00:00Z');

/** A simple market buy as the broker reports it. */
function brokerOrder(o: {
  id?: string;
  clientOrderId?: string;
  ticker?: string;
  qty?: number;
  status: string;
  filled: string;
  avg: string | null;
  at: number;
}): Order {
  const at = new Date(t0.getTime() + o.at);
  return new Order({
    id: o.id ?? 'o1',
    clientOrderId: o.clientOrderId ?? 'sig-1:entry',
    ticker: o.ticker ?? 'AAPL',
    side: 'buy',
    type: 'market',
    orderClass: 'simple',
    timeInForce: 'day',
    quantity: dec(o.qty ?? 100),
    filledQty: dec(o.filled),
    filledAvgPrice: o.avg === null ? null : dec(o.avg),
    limitPrice: null,
    stopPrice: null,
    trailPrice: null,
    trailPercent: null,
    highWaterMark: null,
    status: o.status as never,
    parentOrderId: null,
    legs: [],
    submittedAt: t0,
    updatedAt: at,
    filledAt: o.status === 'filled' ? at : null,
    canceledAt: null,
    expiredAt: null,
    statusReason: null,
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
    expect(await store.orders.get('o2')).toBeNull();
    expect((await store.positions.list()).map((p) => `${p.quantity.toFixed()} ${p.ticker}`)).toEqual(['100 AAPL', '12 NVDA']);
  });
});

/** Money from several fills: each fill's own price, and a realized P&L that is exit value minus entry value, exact. */
describe('OrderLedger with entries and exits in several fills', () => {
  const newStore = useTempStore();

  function sell(o: { id: string; qty: number; status: string; filled: string; avg: string; at: number }): Order {
    const buy = brokerOrder({ ...o, clientOrderId: `${o.id}-cid` });
    return new Order({ ...buy, side: 'sell' } as never);
  }

  it('stores the exact P&L when the average entry price repeats (3 @ 100.01 + 4 @ 100.02, out at 60.26)', async () => {
    const store = await newStore();
    const events: TradingEvent[] = [];
    const trading = new TradingEvents();
    trading.on((e) => events.push(e));
    const ledger = new OrderLedger(store, trading);
    // The broker's running average after the second fill, to 40 digits: 700.11 / 7.
    const avg = dec('700.11').div(7).toFixed();
    await ledger.apply(brokerOrder({ qty: 7, status: 'partially_filled', filled: '3', avg: '100.01', at: 1000 }));
    await ledger.apply(brokerOrder({ qty: 7, status: 'filled', filled: '7', avg, at: 2000 }), undefined, { orderId: 'o1', qty: dec(4), price: dec('100.02') });
    const open = await store.positions.getByTicker('AAPL');
    expect([open?.quantity.toFixed(), open?.entryValue.toFixed()]).toEqual(['7', '700.11']);

    await ledger.apply(sell({ id: 'x1', qty: 7, status: 'filled', filled: '7', avg: '60.26', at: 3000 }));
    const [closed] = await store.closedPositions.listClosedBetween(new Date(0));
    expect([closed?.realizedPnl.toFixed(), closed?.exitPrice.toFixed(), closed?.quantity.toFixed()]).toEqual(['-278.29', '60.26', '7']);
    // The alert of each fill carries that fill's own price, not the order's running average.
    const fills = events.filter((e) => e.kind === 'order_partially_filled' || e.kind === 'order_filled');
    expect(fills.map((e) => (e.kind === 'order_filled' || e.kind === 'order_partially_filled' ? [e.fillQty.toFixed(), e.fillPrice.toFixed()] : null))).toEqual([
      ['3', '100.01'],
      ['4', '100.02'],
      ['7', '60.26'],
    ]);
  });

  it("derives a fill's own price exactly from the change in quantity and average when no event reported it", async () => {
    const store = await newStore();
    const events: TradingEvent[] = [];
    const trading = new TradingEvents();
    trading.on((e) => events.push(e));
    const ledger = new OrderLedger(store, trading);
    // 15 @ 5,000.00 then 25 @ 5,000.03: the running average is 5,000.01875.
    await ledger.apply(brokerOrder({ ticker: 'BRK', qty: 40, status: 'partially_filled', filled: '15', avg: '5000.00', at: 1000 }));
    await ledger.apply(brokerOrder({ ticker: 'BRK', qty: 40, status: 'filled', filled: '40', avg: '5000.01875', at: 2000 }));
    const last = events.filter((e) => e.kind === 'order_filled').at(-1);
    expect(last?.kind === 'order_filled' ? [last.fillQty.toFixed(), last.fillPrice.toFixed()] : null).toEqual(['25', '5000.03']);
    const spec = last ? alertFor(last) : null;
    expect(spec?.view.description).toBe('buy 25 BRK @ $5,000.03');
    const partial = events.find((e) => e.kind === 'order_partially_filled');
    expect(partial ? alertFor(partial)?.view.description : null).toBe('buy 15 BRK @ $5,000.00 (15 of 40 so far, average $5,000.00)');
  });
});

/** Every update goes through the order state machine: one that does not fit is refused, reported, and changes nothing. */
describe('OrderLedger and the order state machine', () => {
  const newStore = useTempStore();

  it('refuses a finished order working again, and logs why', async () => {
    const store = await newStore();
    const warnings: { details: Record<string, unknown>; message: string }[] = [];
    const events: TradingEvent[] = [];
    const trading = new TradingEvents();
    trading.on((e) => events.push(e));
    const ledger = new OrderLedger(store, trading, { log: { warn: (details, message) => warnings.push({ details, message }) } });
    await ledger.apply(order('canceled', '0', null, 1000));
    const before = ledger.version;
    expect(await ledger.apply(order('new', '0', null, 2000))).toEqual([]);
    expect((await store.orders.get('o1'))?.status).toBe('canceled');
    expect([ledger.version - before, ledger.refused]).toEqual([0, 1]);
    expect(warnings.map((w) => [w.details.orderId, w.details.reason])).toEqual([['o1', 'canceled cannot become new']]);
    expect(events.map((e) => e.kind)).toEqual(['order_canceled']);
  });

  it('refuses a partial fill going back to new, and a held leg reported held again after it started working', async () => {
    const store = await newStore();
    const ledger = new OrderLedger(store);
    await ledger.apply(order('partially_filled', '40', '100', 1000));
    await ledger.apply(order('new', '40', '100', 500));
    expect((await store.orders.get('o1'))?.status).toBe('partially_filled');
    await ledger.apply(brokerOrder({ id: 'o2', clientOrderId: 'sig-2:entry', status: 'new', filled: '0', avg: null, at: 1000 }));
    await ledger.apply(brokerOrder({ id: 'o2', clientOrderId: 'sig-2:entry', status: 'held', filled: '0', avg: null, at: 900 }));
    expect((await store.orders.get('o2'))?.status).toBe('new');
    expect(ledger.refused).toBe(2);
  });

  it('takes the bracket legs by the role the adapter gave them, never by their order type', async () => {
    const store = await newStore();
    const ledger = new OrderLedger(store);
    const entry = brokerOrder({ id: 'e1', clientOrderId: 'sig-9:entry', status: 'filled', filled: '100', avg: '190', at: 1000 });
    // Both exits are stop-limits here: only the role tells which is which.
    const leg = (id: string, role: 'stop_loss' | 'take_profit', price: string) =>
      new Order({
        ...brokerOrder({ id, clientOrderId: `sig-9:${role}`, status: 'new', filled: '0', avg: null, at: 1000 }),
        side: 'sell',
        type: 'stop_limit',
        orderClass: 'bracket',
        parentOrderId: 'e1',
        legRole: role,
        stopPrice: dec(price),
        limitPrice: dec(price),
      } as never);
    const bracket = new Order({ ...entry, orderClass: 'bracket', legs: [leg('tp', 'take_profit', '200'), leg('sl', 'stop_loss', '185')] } as never);
    await ledger.apply(bracket, { signalId: 'sig-9', leg: 'entry', strategy: 'test' });
    expect([(await store.orders.get('tp'))?.leg, (await store.orders.get('sl'))?.leg]).toEqual(['take_profit', 'stop_loss']);
    const position = await store.positions.getByTicker('AAPL');
    expect([position?.stopLossOrderId, position?.takeProfitOrderId]).toEqual(['sl', 'tp']);
  });
});

/**
 * Change tracking: whatever the engine does, applying only the changes it
 * hands out (rows upserted, flat holdings deleted) to a copy of its rows
 * reproduces its whole state exactly. A change the engine forgot to note
 * would leave the copy stale and fail here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../../src/domain/money.js';
import { SimRejection } from '../../../src/broker/sim/api.js';
import type { SimChanges, SimHoldingState, SimOrderState, SimPriceState, SimScalarState, SimState } from '../../../src/broker/sim/state.js';
import { harness } from './engineHarness.js';

/** A copy of the rows, kept up to date from the changes alone. */
class Rows {
  scalar: SimScalarState | null = null;
  orders = new Map<string, SimOrderState>();
  holdings = new Map<string, SimHoldingState>();
  prices = new Map<string, SimPriceState>();

  apply(c: SimChanges): void {
    this.scalar = c.scalar;
    for (const o of c.orders) this.orders.set(o.id, o);
    for (const h of c.holdings) this.holdings.set(h.ticker, h);
    for (const t of c.closedHoldings) this.holdings.delete(t);
    for (const p of c.prices) this.prices.set(p.ticker, p);
  }

  state(): SimState {
    return sorted({ scalar: this.scalar!, orders: [...this.orders.values()], holdings: [...this.holdings.values()], prices: [...this.prices.values()] });
  }
}

function sorted(s: SimState): SimState {
  return {
    scalar: s.scalar,
    orders: [...s.orders].sort((a, b) => a.seq - b.seq),
    holdings: [...s.holdings].sort((a, b) => a.seq - b.seq),
    prices: [...s.prices].sort((a, b) => a.seq - b.seq),
  };
}

const ticker = fc.constantFrom('AAPL', 'MSFT', 'PENY');
const qty = fc.integer({ min: 1, max: 40 });
const offset = fc.integer({ min: -30, max: 30 });
const op = fc.oneof(
  fc.record({ kind: fc.constant('market' as const), ticker, qty, buy: fc.boolean(), tif: fc.constantFrom('day' as const, 'gtc' as const, 'ioc' as const) }),
  fc.record({
    kind: fc.constant('limit' as const),
    ticker,
    qty,
    buy: fc.boolean(),
    offset,
    tif: fc.constantFrom('day' as const, 'gtc' as const, 'fok' as const),
  }),
  fc.record({ kind: fc.constant('stopLimit' as const), ticker, qty, buy: fc.boolean(), offset }),
  fc.record({ kind: fc.constant('trail' as const), ticker, qty, buy: fc.boolean(), percent: fc.boolean() }),
  fc.record({ kind: fc.constant('bracket' as const), ticker, qty, buy: fc.boolean(), width: fc.integer({ min: 1, max: 20 }), entryOffset: offset }),
  fc.record({ kind: fc.constant('oco' as const), ticker, qty, width: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('price' as const), ticker, offset }),
  fc.record({ kind: fc.constant('advance' as const), minutes: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 300, max: 1500 })) }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), offset }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('close' as const), ticker, percent: fc.constantFrom(null, 50) }),
  fc.record({ kind: fc.constant('cancelAll' as const) }),
  fc.record({ kind: fc.constant('closeAll' as const) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function run(engine: ReturnType<typeof harness>['engine'], o: Op): void {
  const last = (t: string) => engine.latestTrade(t)!.price;
  const near = (t: string, by: number) => Decimal.max(last(t).plus(last(t).times(by).div(1000)).toDecimalPlaces(2), dec('0.01'));
  switch (o.kind) {
    case 'market':
      engine.submit({ symbol: o.ticker, qty: dec(o.qty), side: o.buy ? 'buy' : 'sell', type: 'market', timeInForce: o.tif });
      break;
    case 'limit':
      engine.submit({
        symbol: o.ticker,
        qty: dec(o.qty),
        side: o.buy ? 'buy' : 'sell',
        type: 'limit',
        limitPrice: near(o.ticker, o.offset),
        timeInForce: o.tif,
      });
      break;
    case 'stopLimit': {
      const stop = near(o.ticker, o.offset);
      engine.submit({
        symbol: o.ticker,
        qty: dec(o.qty),
        side: o.buy ? 'buy' : 'sell',
        type: 'stop_limit',
        stopPrice: stop,
        limitPrice: stop,
        timeInForce: 'gtc',
      });
      break;
    }
    case 'trail':
      engine.submit({
        symbol: o.ticker,
        qty: dec(o.qty),
        side: o.buy ? 'buy' : 'sell',
        type: 'trailing_stop',
        timeInForce: 'gtc',
        ...(o.percent ? { trailPercent: dec(1) } : { trailPrice: near(o.ticker, 5).minus(last(o.ticker)).abs().plus('0.01') }),
      });
      break;
    case 'bracket': {
      const sign = o.buy ? 1 : -1;
      engine.submit({
        symbol: o.ticker,
        qty: dec(o.qty),
        side: o.buy ? 'buy' : 'sell',
        type: o.entryOffset > 0 ? 'market' : 'limit',
        limitPrice: o.entryOffset > 0 ? null : near(o.ticker, o.entryOffset * sign),
        timeInForce: 'gtc',
        orderClass: 'bracket',
        takeProfit: { limitPrice: near(o.ticker, o.width * sign) },
        stopLoss: { stopPrice: near(o.ticker, -o.width * sign) },
      });
      break;
    }
    case 'oco':
      engine.submit({
        symbol: o.ticker,
        qty: dec(o.qty),
        side: 'sell',
        type: 'limit',
        timeInForce: 'gtc',
        orderClass: 'oco',
        takeProfit: { limitPrice: near(o.ticker, o.width) },
        stopLoss: { stopPrice: near(o.ticker, -o.width) },
      });
      break;
    case 'price':
      engine.setPrice(o.ticker, near(o.ticker, o.offset));
      break;
    case 'advance':
      engine.advance(o.minutes);
      break;
    case 'replace': {
      const open = engine
        .listOrders({ status: 'open', limit: 500 })
        .flatMap((x) => [x, ...x.legs])
        .filter((x) => x.isOpen() && x.status !== 'held');
      const target = open[o.pick % Math.max(open.length, 1)];
      if (!target) break;
      if (target.type === 'limit') engine.replaceOrder(target.id, { limitPrice: near(target.ticker, o.offset) });
      else if (target.type === 'stop' || target.type === 'stop_limit') engine.replaceOrder(target.id, { stopPrice: near(target.ticker, o.offset) });
      else if (target.type === 'trailing_stop') engine.replaceOrder(target.id, { trail: dec(2) });
      else engine.replaceOrder(target.id, { qty: target.quantity.plus(1) });
      break;
    }
    case 'cancel': {
      const open = engine.listOrders({ status: 'open', limit: 500 });
      const target = open[o.pick % Math.max(open.length, 1)];
      if (target) engine.cancelOrder(target.id);
      break;
    }
    case 'close':
      engine.closePosition(o.ticker, o.percent === null ? {} : { percentage: dec(o.percent) });
      break;
    case 'cancelAll':
      engine.cancelAllOrders();
      break;
    case 'closeAll':
      engine.closeAllPositions();
      break;
  }
}

describe('change tracking', () => {
  it('hands out every change: the rows rebuilt from changes alone equal the whole state after every command', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), fc.boolean(), fc.constantFrom('always', 'nyse open', 'nyse closed'), (ops, partial, hours) => {
        const { engine } = harness({
          volumePerTick: partial ? dec(15) : null,
          // NYSE hours: orders queue while closed and go live at the open; day orders expire at the close.
          ...(hours === 'nyse open' ? { mode: 'nyse' as const, start: '2026-03-02T20:30:00.000Z' } : {}),
          ...(hours === 'nyse closed' ? { mode: 'nyse' as const, start: '2026-03-03T13:00:00.000Z' } : {}),
        });
        engine.markAllChanged();
        const rows = new Rows();
        rows.apply(engine.takeChanges());
        expect(rows.state()).toEqual(sorted(engine.state()));
        for (const o of ops) {
          try {
            run(engine, o);
          } catch (e) {
            if (!(e instanceof SimRejection)) throw e;
          }
          rows.apply(engine.takeChanges());
          expect(rows.state()).toEqual(sorted(engine.state()));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('notes nothing when tracking is off, and an untouched engine hands out only the scalar row', () => {
    const { engine } = harness();
    engine.submit({ symbol: 'AAPL', qty: dec(1), side: 'buy', type: 'market', timeInForce: 'day' });
    const off = engine.takeChanges();
    expect([off.orders.length, off.holdings.length, off.prices.length, off.closedHoldings.length]).toEqual([0, 0, 0, 0]);
    engine.trackChanges();
    const quiet = engine.takeChanges();
    expect([quiet.orders.length, quiet.holdings.length, quiet.prices.length, quiet.closedHoldings.length]).toEqual([0, 0, 0, 0]);
    expect(quiet.scalar).toEqual({
      clock: '2026-03-02T15:00:00.000Z',
      cash: '99810',
      realizedPnl: '0',
      feedDraws: 0,
      lastEquity: '100000',
      lastEquityDay: '2026-03-02',
      dayTrades: {},
      accountId: engine.account().id,
    });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO, dec } from '../../../src/domain/money.js';
import { SimRejection } from '../../../src/broker/sim/api.js';
import { harness } from './engineHarness.js';

const ticker = fc.constantFrom('AAPL', 'MSFT');
const price = fc.integer({ min: 10_000, max: 50_000 }).map((cents) => new Decimal(cents).div(100));
const op = fc.oneof(
  fc.record({ kind: fc.constant('market' as const), ticker, qty: fc.integer({ min: 1, max: 60 }), buy: fc.boolean() }),
  fc.record({ kind: fc.constant('limit' as const), ticker, qty: fc.integer({ min: 1, max: 60 }), buy: fc.boolean(), price }),
  fc.record({ kind: fc.constant('bracket' as const), ticker, qty: fc.integer({ min: 1, max: 40 }), width: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('price' as const), ticker, price }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('close' as const), ticker }),
);

describe('simulator invariants', () => {
  it('keeps cash + positions = equity, and fills every order at most its size, once per execution', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.boolean(), (ops, partial) => {
        const { engine, updates } = harness({ volumePerTick: partial ? dec(25) : null });
        for (const o of ops) {
          try {
            switch (o.kind) {
              case 'market':
                engine.submit({ symbol: o.ticker, qty: dec(o.qty), side: o.buy ? 'buy' : 'sell', type: 'market', timeInForce: 'day' });
                break;
              case 'limit':
                engine.submit({ symbol: o.ticker, qty: dec(o.qty), side: o.buy ? 'buy' : 'sell', type: 'limit', limitPrice: o.price, timeInForce: 'gtc' });
                break;
              case 'bracket': {
                const last = engine.latestTrade(o.ticker)!.price;
                engine.submit({
                  symbol: o.ticker,
                  qty: dec(o.qty),
                  side: 'buy',
                  type: 'market',
                  timeInForce: 'gtc',
                  orderClass: 'bracket',
                  takeProfit: { limitPrice: last.plus(o.width) },
                  stopLoss: { stopPrice: last.minus(o.width) },
                });
                break;
              }
              case 'price':
                engine.setPrice(o.ticker, o.price);
                break;
              case 'cancel': {
                const open = engine.listOrders({ status: 'open' });
                if (open.length > 0) engine.cancelOrder(open[o.pick % open.length]!.id);
                break;
              }
              case 'close':
                engine.closePosition(o.ticker);
                break;
            }
          } catch (e) {
            if (!(e instanceof SimRejection)) throw e;
          }

          const account = engine.account();
          const positionsValue = engine.positions().reduce((sum, p) => sum.plus(p.marketValue), ZERO);
          expect(account.cash.plus(positionsValue).eq(account.equity)).toBe(true);
        }

        // Every execution is reported once; an order never fills past its size or after it ended.
        const filledByOrder = new Map<string, Decimal>();
        const ended = new Set<string>();
        const netByTicker = new Map<string, Decimal>();
        const executionIds = new Set<string>();
        for (const u of updates) {
          if (u.event === 'fill' || u.event === 'partial_fill') {
            expect(ended.has(u.order.id)).toBe(false);
            expect(executionIds.has(u.executionId!)).toBe(false);
            executionIds.add(u.executionId!);
            filledByOrder.set(u.order.id, (filledByOrder.get(u.order.id) ?? ZERO).plus(u.qty!));
            const signed = u.order.side === 'buy' ? u.qty! : u.qty!.neg();
            netByTicker.set(u.order.ticker, (netByTicker.get(u.order.ticker) ?? ZERO).plus(signed));
          }
          if (['fill', 'canceled', 'expired', 'rejected', 'replaced'].includes(u.event)) ended.add(u.order.id);
        }
        for (const [id, filled] of filledByOrder) {
          const order = engine.getOrder(id)!;
          expect(filled.eq(order.filledQty)).toBe(true);
          expect(order.filledQty.lte(order.quantity)).toBe(true);
        }
        for (const [t, net] of netByTicker) {
          const p = engine.position(t);
          const held = p ? (p.side === 'long' ? p.quantity : p.quantity.neg()) : ZERO;
          expect(held.eq(net)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

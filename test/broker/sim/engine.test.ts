import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/money.js';
import { SimRejection } from '../../../src/broker/sim/api.js';
import { harness } from './engineHarness.js';

const bracketBuy = (overrides = {}) => ({
  symbol: 'AAPL',
  qty: dec(100),
  side: 'buy' as const,
  type: 'market' as const,
  timeInForce: 'gtc' as const,
  orderClass: 'bracket' as const,
  takeProfit: { limitPrice: dec(200) },
  stopLoss: { stopPrice: dec(185) },
  clientOrderId: 'sig-1',
  ...overrides,
});

function rejection(fn: () => unknown): { status: number; code: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof SimRejection) return { status: e.status, code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('bracket orders', () => {
  it('fills the entry, then stops out: cash, equity and realized P&L to the cent', () => {
    const { engine, events, updates } = harness();
    const entry = engine.submit(bracketBuy());
    expect(entry.status).toBe('filled');
    expect(entry.filledAvgPrice?.toFixed(2)).toBe('190.00');
    let account = engine.account();
    expect([account.cash.toFixed(2), account.equity.toFixed(2)]).toEqual(['81000.00', '100000.00']);
    expect(engine.position('AAPL')?.quantity.toFixed()).toBe('100');

    engine.setPrice('AAPL', dec('186'));
    expect(engine.position('AAPL')?.unrealizedPnl.toFixed(2)).toBe('-400.00');
    engine.setPrice('AAPL', dec('184.50'));

    account = engine.account();
    expect([account.cash.toFixed(2), account.equity.toFixed(2)]).toEqual(['99450.00', '99450.00']);
    expect(engine.position('AAPL')).toBeNull();
    const done = engine.getOrderByClientId('sig-1')!;
    const [tp, sl] = done.legs;
    expect([tp?.status, sl?.status]).toEqual(['canceled', 'filled']);
    expect(sl?.filledAvgPrice?.toFixed(2)).toBe('184.50');
    expect(events()).toEqual(['new:sig-1', 'fill:sig-1', 'new:sig-1:tp', 'new:sig-1:sl', 'fill:sig-1:sl', 'canceled:sig-1:tp']);
    const stopFill = updates.find((u) => u.event === 'fill' && u.order.clientOrderId === 'sig-1:sl')!;
    expect([stopFill.price?.toFixed(2), stopFill.qty?.toFixed(), stopFill.positionQty?.toFixed()]).toEqual(['184.50', '100', '0']);
  });

  it('takes profit and cancels the stop', () => {
    const { engine, events } = harness();
    engine.submit(bracketBuy());
    engine.setPrice('AAPL', dec('199.99'));
    expect(engine.position('AAPL')).not.toBeNull();
    engine.setPrice('AAPL', dec('200.50'));
    const account = engine.account();
    // Sold 100 at 200.50 (a marketable limit fills at the market): +1,050.00.
    expect([account.cash.toFixed(2), account.equity.toFixed(2)]).toEqual(['101050.00', '101050.00']);
    expect(events().slice(-2)).toEqual(['fill:sig-1:tp', 'canceled:sig-1:sl']);
  });

  it('applies slippage against the trader on market and stop fills', () => {
    const { engine } = harness({ slippageBps: dec(10) });
    const entry = engine.submit(bracketBuy());
    expect(entry.filledAvgPrice?.toFixed(2)).toBe('190.19'); // 190 x 1.001
    engine.setPrice('AAPL', dec('184.50'));
    const sl = engine.getOrderByClientId('sig-1:sl')!;
    expect(sl.filledAvgPrice?.toFixed(2)).toBe('184.32'); // 184.50 x 0.999 = 184.3155
    expect(engine.account().cash.toFixed(2)).toBe('99413.00'); // 100000 - 19019 + 18432
  });

  it('holds a limit entry and its legs until the entry fills', () => {
    const { engine, events } = harness();
    const entry = engine.submit(bracketBuy({ type: 'limit', limitPrice: dec('189.50'), clientOrderId: 'lim' }));
    expect(entry.status).toBe('new');
    expect(entry.legs.map((l) => l.status)).toEqual(['held', 'held']);
    engine.setPrice('AAPL', dec('184')); // below the stop, but the entry has not filled: nothing exits
    expect(engine.getOrderByClientId('lim')?.status).toBe('filled');
    // It filled at 184 (marketable limit) and the stop, now live and crossed, filled too.
    expect(events()).toEqual(['new:lim', 'fill:lim', 'new:lim:tp', 'new:lim:sl', 'fill:lim:sl', 'canceled:lim:tp']);
    expect(engine.account().cash.toFixed(2)).toBe('100000.00');
  });

  it('cancels held legs with their parent', () => {
    const { engine, events } = harness();
    const entry = engine.submit(bracketBuy({ type: 'limit', limitPrice: dec('188'), clientOrderId: 'c' }));
    engine.cancelOrder(entry.id);
    expect(engine.getOrder(entry.id)?.legs.map((l) => l.status)).toEqual(['canceled', 'canceled']);
    expect(events()).toEqual(['new:c', 'canceled:c', 'canceled:c:tp', 'canceled:c:sl']);
    expect(engine.listOrders({ status: 'open' })).toEqual([]);
    expect(engine.listOrders({ status: 'closed' }).map((o) => o.id)).toEqual([entry.id]);
  });
});

describe('partial fills', () => {
  it('fills a tick volume at a time and averages the price exactly', () => {
    const { engine, updates } = harness({ volumePerTick: dec(30) });
    engine.submit({ symbol: 'AAPL', qty: dec(100), side: 'buy', type: 'limit', limitPrice: dec(189), timeInForce: 'gtc', clientOrderId: 'p' });
    for (const price of ['188.9', '188.8', '188.7', '188.6']) engine.setPrice('AAPL', dec(price));
    const o = engine.getOrderByClientId('p')!;
    expect(o.status).toBe('filled');
    expect(o.filledAvgPrice?.toFixed()).toBe('188.78'); // (30x188.9 + 30x188.8 + 30x188.7 + 10x188.6) / 100
    expect(updates.map((u) => `${u.event}:${u.qty?.toFixed() ?? '-'}`)).toEqual(['new:-', 'partial_fill:30', 'partial_fill:30', 'partial_fill:30', 'fill:10']);
    expect(engine.account().cash.toFixed(2)).toBe('81122.00');
  });

  it('cancels the unfilled rest of an IOC order and all of an unfillable FOK', () => {
    const { engine } = harness({ volumePerTick: dec(40) });
    const ioc = engine.submit({ symbol: 'AAPL', qty: dec(100), side: 'buy', type: 'market', timeInForce: 'ioc', clientOrderId: 'ioc' });
    expect([ioc.status, ioc.filledQty.toFixed()]).toEqual(['canceled', '40']);
    const fok = engine.submit({ symbol: 'AAPL', qty: dec(100), side: 'buy', type: 'market', timeInForce: 'fok', clientOrderId: 'fok' });
    expect([fok.status, fok.filledQty.toFixed()]).toEqual(['canceled', '0']);
    expect(engine.position('AAPL')?.quantity.toFixed()).toBe('40');
  });
});

describe('time in force and the session', () => {
  it('expires a day order at the close and keeps a gtc order', () => {
    // Monday 2 March 2026, 15:50 New York (EST): ten minutes to the close.
    const { engine, events } = harness({ mode: 'nyse', start: '2026-03-02T20:50:00.000Z' });
    engine.submit({ symbol: 'AAPL', qty: dec(10), side: 'buy', type: 'limit', limitPrice: dec(100), timeInForce: 'day', clientOrderId: 'day' });
    engine.submit({ symbol: 'AAPL', qty: dec(10), side: 'buy', type: 'limit', limitPrice: dec(100), timeInForce: 'gtc', clientOrderId: 'gtc' });
    engine.advance(9);
    expect(engine.getOrderByClientId('day')?.status).toBe('new');
    engine.advance(1);
    const day = engine.getOrderByClientId('day')!;
    expect([day.status, day.expiredAt?.toISOString()]).toEqual(['expired', '2026-03-02T21:00:00.000Z']);
    expect(engine.getOrderByClientId('gtc')?.status).toBe('new');
    expect(events()).toContain('expired:day');
  });

  it('queues a market order placed after the close and fills it at the next open', () => {
    const { engine, updates } = harness({ mode: 'nyse', start: '2026-03-06T22:00:00.000Z' }); // Friday, after the close
    const o = engine.submit({ symbol: 'MSFT', qty: dec(5), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'weekend' });
    expect(o.status).toBe('accepted');
    engine.advance(60 * 24 * 2 + 60 * 15); // to Monday 9 March 13:00Z (DST began: the open is 13:30Z)
    expect(engine.getOrderByClientId('weekend')?.status).toBe('accepted');
    engine.advance(31);
    const filled = engine.getOrderByClientId('weekend')!;
    expect(filled.status).toBe('filled');
    expect(updates.find((u) => u.event === 'fill')?.timestamp.toISOString()).toBe('2026-03-09T13:30:00.000Z');
  });
});

describe('trailing stops', () => {
  it('follows the high-water mark by a price offset and fills when it turns', () => {
    const { engine } = harness();
    engine.submit({ symbol: 'AAPL', qty: dec(100), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'in' });
    const trail = engine.submit({
      symbol: 'AAPL',
      qty: dec(100),
      side: 'sell',
      type: 'trailing_stop',
      trailPrice: dec(2),
      timeInForce: 'gtc',
      clientOrderId: 'trail',
    });
    expect(trail.stopPrice?.toFixed(2)).toBe('188.00');
    engine.setPrice('AAPL', dec(195));
    expect(engine.getOrder(trail.id)?.stopPrice?.toFixed(2)).toBe('193.00');
    expect(engine.getOrder(trail.id)?.highWaterMark?.toFixed(2)).toBe('195.00');
    engine.setPrice('AAPL', dec(194)); // the mark holds at 195
    expect(engine.getOrder(trail.id)?.stopPrice?.toFixed(2)).toBe('193.00');
    engine.setPrice('AAPL', dec('192.90'));
    expect(engine.getOrder(trail.id)?.filledAvgPrice?.toFixed(2)).toBe('192.90');
    expect(engine.account().cash.toFixed(2)).toBe('100290.00'); // (192.90 - 190) x 100
  });

  it('trails by a percentage for a short cover', () => {
    const { engine } = harness();
    engine.submit({ symbol: 'MSFT', qty: dec(10), side: 'sell', type: 'market', timeInForce: 'day', clientOrderId: 'short' });
    const trail = engine.submit({
      symbol: 'MSFT',
      qty: dec(10),
      side: 'buy',
      type: 'trailing_stop',
      trailPercent: dec(1),
      timeInForce: 'gtc',
      clientOrderId: 'cover',
    });
    expect(trail.stopPrice?.toFixed(2)).toBe('414.10');
    engine.setPrice('MSFT', dec(400)); // low-water mark 400: stop 404
    expect(engine.getOrder(trail.id)?.stopPrice?.toFixed(2)).toBe('404.00');
    engine.setPrice('MSFT', dec('404.20'));
    expect(engine.position('MSFT')).toBeNull();
    expect(engine.account().cash.toFixed(2)).toBe('100058.00'); // (410 - 404.20) x 10
  });
});

describe('shorts and the margin account', () => {
  it('books a short sale, its unrealized and its realized P&L', () => {
    const { engine } = harness();
    engine.submit({ symbol: 'MSFT', qty: dec(50), side: 'sell', type: 'market', timeInForce: 'day', clientOrderId: 's' });
    const p = engine.position('MSFT')!;
    expect([p.side, p.quantity.toFixed(), p.marketValue.toFixed(2)]).toEqual(['short', '50', '-20500.00']);
    engine.setPrice('MSFT', dec(400));
    expect(engine.position('MSFT')?.unrealizedPnl.toFixed(2)).toBe('500.00');
    const a = engine.account();
    expect([a.cash.toFixed(2), a.shortMarketValue.toFixed(2), a.equity.toFixed(2)]).toEqual(['120500.00', '-20000.00', '100500.00']);
    engine.closePosition('MSFT');
    expect(engine.account().equity.toFixed(2)).toBe('100500.00');
    expect(engine.positions()).toEqual([]);
  });

  it('reports buying power of a 2x margin account and of a cash account', () => {
    expect(harness().engine.account().buyingPower.toFixed(2)).toBe('200000.00');
    const cash = harness({ marginMultiplier: 1 }).engine;
    expect(cash.account().buyingPower.toFixed(2)).toBe('100000.00');
    cash.submit({ symbol: 'AAPL', qty: dec(100), side: 'buy', type: 'limit', limitPrice: dec(180), timeInForce: 'gtc', clientOrderId: 'r' });
    expect(cash.account().buyingPower.toFixed(2)).toBe('82000.00'); // 18,000 reserved by the working order
  });

  it('counts a same-day round trip as a day trade', () => {
    const { engine } = harness();
    engine.submit({ symbol: 'AAPL', qty: dec(1), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'a' });
    engine.closePosition('AAPL');
    expect(engine.account().daytradeCount).toBe(1);
  });
});

describe('rejections, as Alpaca answers them', () => {
  const base = { symbol: 'AAPL', qty: dec(10), side: 'buy' as const, type: 'market' as const, timeInForce: 'day' as const };

  it('refuses an order beyond buying power (403, 40310000)', () => {
    const { engine } = harness({ marginMultiplier: 1 });
    expect(rejection(() => engine.submit({ ...base, qty: dec(527) }))).toEqual({ status: 403, code: 40310000, message: 'insufficient buying power' });
    expect(engine.submit({ ...base, qty: dec(526) }).status).toBe('filled'); // 99,940 fits in 100,000
  });

  it('refuses a short on a cash account', () => {
    const { engine } = harness({ marginMultiplier: 1 });
    expect(rejection(() => engine.submit({ ...base, side: 'sell' }))).toEqual({ status: 403, code: 40310000, message: 'account is not allowed to short' });
  });

  it('refuses bracket legs on the wrong side of the entry', () => {
    const { engine } = harness();
    expect(rejection(() => engine.submit(bracketBuy({ takeProfit: { limitPrice: dec(189) } }))).message).toBe(
      'take_profit.limit_price must be >= base_price + 0.01',
    );
    expect(rejection(() => engine.submit(bracketBuy({ stopLoss: { stopPrice: dec(191) } }))).message).toBe('stop_loss.stop_price must be <= base_price - 0.01');
    expect(rejection(() => engine.submit(bracketBuy({ side: 'sell' }))).message).toBe('take_profit.limit_price must be < stop_loss.stop_price');
    expect(engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('refuses sub-penny prices: 2 decimals at or above $1, 4 below', () => {
    const { engine } = harness();
    expect(rejection(() => engine.submit({ ...base, type: 'limit', limitPrice: dec('190.123') }))).toEqual({
      status: 422,
      code: 42210000,
      message: 'invalid limit_price 190.123. sub-penny increment does not fulfill minimum pricing criteria',
    });
    expect(rejection(() => engine.submit({ ...base, symbol: 'PENY', type: 'limit', limitPrice: dec('0.12345') })).status).toBe(422);
    expect(engine.submit({ ...base, symbol: 'PENY', type: 'limit', limitPrice: dec('0.1234'), clientOrderId: 'ok' }).status).toBe('new');
  });

  it('refuses a zero or negative quantity, an unknown symbol, a reused client order id and a fractional bracket', () => {
    const { engine } = harness();
    expect(rejection(() => engine.submit({ ...base, qty: dec(0) })).message).toBe('qty must be > 0');
    expect(rejection(() => engine.submit({ ...base, qty: dec(-5) })).message).toBe('qty must be > 0');
    expect(rejection(() => engine.submit({ ...base, symbol: 'ZZZZ' }))).toEqual({ status: 422, code: 42210000, message: 'asset "ZZZZ" not found' });
    engine.submit({ ...base, clientOrderId: 'once' });
    expect(rejection(() => engine.submit({ ...base, clientOrderId: 'once' }))).toEqual({
      status: 422,
      code: 42210000,
      message: 'client_order_id must be unique',
    });
    expect(rejection(() => engine.submit(bracketBuy({ qty: dec('1.5') }))).message).toBe('fractional orders must be simple orders');
    expect(engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('refuses to cancel an unknown or finished order', () => {
    const { engine } = harness();
    expect(rejection(() => engine.cancelOrder('nope'))).toEqual({ status: 404, code: 40410000, message: 'order not found' });
    const o = engine.submit({ ...base, clientOrderId: 'f' });
    expect(rejection(() => engine.cancelOrder(o.id)).message).toBe('order is already in "filled" state');
  });
});

describe('oco and oto', () => {
  it('an OCO exit: one fills, the other is canceled', () => {
    const { engine, events } = harness();
    engine.submit({ symbol: 'AAPL', qty: dec(20), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'in' });
    engine.submit({
      symbol: 'AAPL',
      qty: dec(20),
      side: 'sell',
      type: 'limit',
      timeInForce: 'gtc',
      orderClass: 'oco',
      takeProfit: { limitPrice: dec(195) },
      stopLoss: { stopPrice: dec(187) },
      clientOrderId: 'oco',
    });
    engine.setPrice('AAPL', dec(195.5));
    expect(events().slice(-2)).toEqual(['fill:oco', 'canceled:oco:sl']);
    expect(engine.account().cash.toFixed(2)).toBe('100110.00');
  });

  it('an OTO: the single exit is held until the entry fills', () => {
    const { engine } = harness();
    const o = engine.submit({
      symbol: 'AAPL',
      qty: dec(20),
      side: 'buy',
      type: 'limit',
      limitPrice: dec(189),
      timeInForce: 'gtc',
      orderClass: 'oto',
      stopLoss: { stopPrice: dec(185) },
      clientOrderId: 'oto',
    });
    expect(o.legs.map((l) => [l.type, l.status])).toEqual([['stop', 'held']]);
    engine.setPrice('AAPL', dec(188));
    expect(engine.getOrder(o.id)?.legs[0]?.status).toBe('new');
  });
});

describe('restart continuity', () => {
  it('continues the same account, orders and positions from its saved state', () => {
    const first = harness();
    first.engine.submit(bracketBuy());
    first.engine.setPrice('MSFT', dec(412));
    const snapshot = JSON.parse(JSON.stringify(first.engine.state()));

    const second = harness();
    second.engine.restore(snapshot);
    expect(second.engine.account().cash.toFixed(2)).toBe('81000.00');
    expect(second.engine.position('AAPL')?.avgEntryPrice.toFixed(2)).toBe('190.00');
    expect(second.engine.latestTrade('MSFT')?.price.toFixed(2)).toBe('412.00');
    expect(second.engine.listOrders({ status: 'open' }).map((o) => o.clientOrderId)).toEqual(['sig-1']);
    // The stop leg is still live after the restart.
    second.engine.setPrice('AAPL', dec(184));
    expect(second.engine.account().cash.toFixed(2)).toBe('99400.00');
    expect(second.events()).toEqual(['fill:sig-1:sl', 'canceled:sig-1:tp']);
  });

  it('resumes the random walk where it stood, not from the start', () => {
    const a = harness();
    a.engine.advance(5);
    const snapshot = JSON.parse(JSON.stringify(a.engine.state()));
    a.engine.advance(5);
    const b = harness();
    b.engine.restore(snapshot);
    b.engine.advance(5);
    expect(b.engine.latestTrade('AAPL')?.price.toFixed()).toBe(a.engine.latestTrade('AAPL')?.price.toFixed());
    expect(b.engine.latestTrade('AAPL')?.price.toFixed()).not.toBe('190');
  });
});

describe('replacing an order', () => {
  it('replaces a working stop with a new order and keeps the bracket pair linked', () => {
    const { engine, events } = harness();
    engine.submit(bracketBuy());
    const stop = engine.getOrderByClientId('sig-1:sl')!;
    const moved = engine.replaceOrder(stop.id, { stopPrice: dec(188), clientOrderId: 'sig-1:sl:2' });
    expect([engine.getOrder(stop.id)?.status, moved.status, moved.stopPrice?.toFixed()]).toEqual(['replaced', 'new', '188']);
    expect(events().slice(-2)).toEqual(['replaced:sig-1:sl', 'new:sig-1:sl:2']);
    engine.setPrice('AAPL', dec('187.90'));
    expect(events().slice(-2)).toEqual(['fill:sig-1:sl:2', 'canceled:sig-1:tp']);
    expect(engine.account().cash.toFixed(2)).toBe('99790.00'); // (187.90 - 190) x 100
  });

  it('names each leg by its role, the replacement keeping it, and links old and new both ways', () => {
    const { engine } = harness();
    const entry = engine.submit(bracketBuy());
    expect(entry.legs.map((l) => [l.clientOrderId, l.legRole, l.parentOrderId])).toEqual([
      ['sig-1:tp', 'take_profit', entry.id],
      ['sig-1:sl', 'stop_loss', entry.id],
    ]);
    const stop = engine.getOrderByClientId('sig-1:sl')!;
    const moved = engine.replaceOrder(stop.id, { stopPrice: dec(188) });
    expect([moved.legRole, moved.parentOrderId]).toEqual(['stop_loss', entry.id]);
    expect([engine.replacementOf(stop.id), engine.replacementOf(moved.id)]).toEqual([
      { replaces: null, replacedBy: moved.id },
      { replaces: stop.id, replacedBy: null },
    ]);
    expect(engine.submit({ symbol: 'MSFT', qty: dec(1), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'plain' }).legRole).toBeNull();
  });

  it('refuses to replace an order queued for the open, as Alpaca refuses an accepted one', () => {
    const { engine } = harness({ mode: 'nyse', start: '2026-03-07T15:00:00.000Z' }); // a Saturday
    const queued = engine.submit({ symbol: 'AAPL', qty: dec(1), side: 'buy', type: 'limit', limitPrice: dec(180), timeInForce: 'gtc', clientOrderId: 'q-1' });
    expect(queued.status).toBe('accepted');
    expect(() => engine.replaceOrder(queued.id, { limitPrice: dec(181) })).toThrow('order is not replaceable in "accepted" state');
  });
});

describe('stop-limit orders, commissions and rejections at the open', () => {
  it('triggers a stop-limit at its stop and fills it only within its limit, paying commission', () => {
    const { engine, updates } = harness({ commissionPerShare: dec('0.005') });
    engine.submit({ symbol: 'AAPL', qty: dec(100), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'in' });
    const sl = engine.submit({
      symbol: 'AAPL',
      qty: dec(100),
      side: 'sell',
      type: 'stop_limit',
      stopPrice: dec(185),
      limitPrice: dec('184.50'),
      timeInForce: 'gtc',
      clientOrderId: 'sl',
    });
    engine.setPrice('AAPL', dec('184.40')); // stop touched, but below the limit: no fill
    expect(engine.getOrder(sl.id)?.status).toBe('new');
    engine.setPrice('AAPL', dec('184.60'));
    expect(engine.getOrder(sl.id)?.filledAvgPrice?.toFixed(2)).toBe('184.60');
    // 100000 - 19000 - 0.50 commission + 18460 - 0.50 commission
    expect(engine.account().cash.toFixed(2)).toBe('99459.00');
    expect(updates.filter((u) => u.event === 'fill')).toHaveLength(2);
  });

  it('rejects an order queued overnight that no longer fits the buying power at the open', () => {
    const { engine, events } = harness({ mode: 'nyse', start: '2026-03-06T22:00:00.000Z', marginMultiplier: 1 });
    engine.submit({ symbol: 'AAPL', qty: dec(500), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'late' });
    engine.setPrice('AAPL', dec(250)); // the weekend news: 500 x 250 = 125,000 > 100,000
    engine.advance(60 * 24 * 2 + 60 * 16);
    const o = engine.getOrderByClientId('late')!;
    expect([o.status, o.statusReason]).toEqual(['rejected', 'insufficient buying power at the open']);
    expect(events()).toEqual(['new:late', 'rejected:late']);
    expect(engine.account().cash.toFixed(2)).toBe('100000.00');
  });
});

describe('day P&L base and client order ids of legs', () => {
  it("books the previous day's closing equity as last equity when the day turns", () => {
    // Monday 15:50 New York: buy, let the session close, then cross midnight.
    const { engine } = harness({ mode: 'nyse', start: '2026-03-02T20:50:00.000Z' });
    engine.submit({ symbol: 'AAPL', qty: dec(100), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'in' });
    engine.setPrice('AAPL', dec(191));
    expect(engine.account().lastEquity.toFixed(2)).toBe('100000.00');
    engine.advance(10); // to the 16:00 close; the feed walked in between
    const closing = engine.account().equity;
    expect(closing.toFixed(2)).not.toBe('100100.00');
    engine.advance(9 * 60); // 01:00 Tuesday: a new trading day, no trading yet
    const a = engine.account();
    expect(a.lastEquity.toFixed()).toBe(closing.toFixed());
    expect(a.dayPnl().toFixed()).toBe('0');
  });

  it("refuses a bracket whose legs' client order ids are already in use", () => {
    const { engine } = harness();
    engine.submit({ symbol: 'AAPL', qty: dec(1), side: 'buy', type: 'market', timeInForce: 'day', clientOrderId: 'sig-1:sl' });
    expect(() => engine.submit(bracketBuy())).toThrow('client_order_id must be unique');
  });
});

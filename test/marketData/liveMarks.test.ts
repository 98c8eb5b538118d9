/**
 * Streamed prices in the running bot: what is subscribed, marks written in
 * batches, stops without a broker leg fired once, the drift guard's price,
 * and the alerts when the stream drops. Real parts: the simulator, a SQLite
 * file, and for the drop the bot's Alpaca adapter against the simulator
 * served on loopback.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { StreamState } from '../../src/domain/ports/broker.js';
import { useTempStore } from '../helpers/tempDb.js';
import { signal } from '../helpers/engineHarness.js';
import { CountingSimFeed, liveApp } from './liveHarness.js';

const trader = { id: 'u1', name: 'trader' };

describe('the market-data subscription', () => {
  const newStore = useTempStore();

  it('follows open positions, working entries and pending signals, and is not sent again when nothing changed', async () => {
    const t = await liveApp(await newStore());
    const feed = t.feed as CountingSimFeed;
    await t.live.start();
    expect([...t.live.tickers()]).toEqual([]);

    // A pending signal.
    await t.app.operator.submitSignal(
      signal({ signal_id: 'sig-msft', ticker: 'MSFT', current_price: '410', stop_loss_price: '400', take_profit_price: '430' }),
      'console',
      'tester',
    );
    await t.settle();
    expect([...t.live.tickers()]).toEqual(['MSFT']);

    // A working limit entry (far below the market), from a signal approved in code.
    await t.app.engine.executor.executeSignal(signal({ signal_id: 'sig-aapl', current_price: '180', stop_loss_price: '175', take_profit_price: '200' }), {
      entryType: 'limit',
      limitPrice: dec('180'),
    });
    await t.settle();
    expect([...t.live.tickers()].sort()).toEqual(['AAPL', 'MSFT']);

    // The signal is rejected: MSFT goes; the entry fills: AAPL stays, as a position.
    await t.app.operator.reject('sig-msft', trader);
    await t.settle();
    expect([...t.live.tickers()]).toEqual(['AAPL']);
    t.sim.engine.setPrice('AAPL', dec('179.5'));
    await t.settle();
    expect((await t.store.positions.list()).map((p) => p.ticker)).toEqual(['AAPL']);
    expect([...t.live.tickers()]).toEqual(['AAPL']);

    // Every trading event worked the set out again; the feed was told only of the three changes.
    expect(feed.calls).toEqual([['MSFT'], ['AAPL', 'MSFT'], ['AAPL']]);
    expect(t.errors).toEqual([]);
  });
});

describe('marks between monitor cycles', () => {
  const newStore = useTempStore();

  it('keeps the latest price at once and writes a burst of trades to the database once, exactly', async () => {
    const t = await liveApp(await newStore());
    await t.app.engine.executor.executeSignal(signal(), { useBracketOrder: false });
    await t.live.start();
    await t.settle();
    const marksBefore = t.events.filter((e) => e.kind === 'positions_marked').length;

    const prices = ['190.01', '190.37', '189.99', '191.2', '191.25', '190.5', '192.13', '192.07', '191.86', '192.41'];
    for (const p of prices) t.sim.engine.setPrice('AAPL', dec(p));
    // In memory at once, before anything is written.
    expect(t.live.freshPrice('AAPL')?.toFixed()).toBe('192.41');
    await t.settle();

    expect(t.events.filter((e) => e.kind === 'positions_marked').length - marksBefore).toBe(1);
    const [position] = await t.store.positions.list();
    // 400 shares from 190: (192.41 − 190) × 400 = 964.
    expect([position?.currentPrice.toFixed(), position?.unrealizedPnl.toFixed(2)]).toEqual(['192.41', '964.00']);
  });

  it('offers the drift guard a streamed price only while it is fresh and the stream is up', async () => {
    const t = await liveApp(await newStore());
    await t.app.engine.executor.executeSignal(signal(), { useBracketOrder: false });
    await t.live.start();
    await t.settle();
    expect(t.live.freshPrice('AAPL')).toBeNull();
    t.sim.engine.setPrice('AAPL', dec('193.25'));
    expect(t.live.freshPrice('AAPL')?.toFixed()).toBe('193.25');
    expect(t.live.freshPrice('MSFT')).toBeNull();
    await t.live.close();
    expect(t.live.freshPrice('AAPL')).toBeNull();
  });
});

describe('stops and targets without a broker leg', () => {
  const newStore = useTempStore();

  it('closes the position on the trade that crosses its stop, with one exit, whatever else crosses meanwhile', async () => {
    const t = await liveApp(await newStore());
    await t.app.engine.executor.executeSignal(signal(), { useBracketOrder: false });
    await t.live.start();
    await t.settle();
    const closed = t.next('position_closed');

    t.sim.engine.setPrice('AAPL', dec('184.9'));
    // A second crossing trade and a monitor cycle while the exit is on its way.
    t.sim.engine.setPrice('AAPL', dec('184.8'));
    const cycle = t.monitor.runCycle();
    const event = await closed;
    expect(await cycle).toBe(true);
    await t.settle();

    // The exit is a market order: it fills at the price when it arrives, after the second trade: (184.80 − 190) × 400.
    expect([event.closed.exitReason, event.closed.exitPrice?.toFixed(), event.closed.realizedPnl.toFixed(2)]).toEqual(['stop_loss', '184.8', '-2080.00']);
    const orders = t.sim.engine.listOrders({ status: 'all', direction: 'asc' });
    expect(orders.map((o) => `${o.side} ${o.quantity.toFixed()} ${o.type} ${o.status}`)).toEqual(['buy 400 market filled', 'sell 400 market filled']);
    expect(await t.store.positions.list()).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  it('closes a short at its target', async () => {
    const t = await liveApp(await newStore());
    await t.app.engine.executor.executeSignal(signal({ action: 'sell', stop_loss_price: '195', take_profit_price: '180' }), { useBracketOrder: false });
    await t.live.start();
    await t.settle();
    const closed = t.next('position_closed');
    t.sim.engine.setPrice('AAPL', dec('179.95'));
    const event = await closed;
    expect([event.closed.side, event.closed.exitReason, event.closed.exitPrice?.toFixed()]).toEqual(['short', 'take_profit', '179.95']);
    expect(t.sim.engine.listOrders({ status: 'all' })).toHaveLength(2);
  });

  it('sends nothing when a broker leg holds the stop: the leg fills', async () => {
    const t = await liveApp(await newStore());
    await t.app.engine.executor.executeSignal(signal());
    await t.live.start();
    await t.settle();
    const [position] = await t.store.positions.list();
    const closed = t.next('position_closed');
    t.sim.engine.setPrice('AAPL', dec('184.9'));
    t.sim.engine.setPrice('AAPL', dec('184.7'));
    const event = await closed;
    await t.settle();
    expect([event.closed.exitReason, event.closed.exitOrderId]).toEqual(['stop_loss', position?.stopLossOrderId]);
    // The bracket only: its entry, and its two legs (the stop filled, the target canceled with it).
    const orders = t.sim.engine.listOrders({ status: 'all' });
    expect(orders).toHaveLength(1);
    expect([orders[0]?.status, orders[0]?.legs.map((l) => `${l.type} ${l.status}`).sort()]).toEqual(['filled', ['limit canceled', 'stop filled']]);
    expect(t.errors).toEqual([]);
  });
});

describe('a position whose broker legs are canceled', () => {
  const newStore = useTempStore();

  it('is guarded by the bot from then on: the next crossing trade sends one exit', async () => {
    const t = await liveApp(await newStore());
    await t.app.engine.executor.executeSignal(signal());
    await t.live.start();
    await t.settle();
    const [position] = await t.store.positions.list();
    // Canceling one leg cancels its sibling (one-cancels-other).
    await t.broker.cancelOrder(position?.stopLossOrderId ?? '');
    await t.settle();
    expect(t.sim.engine.listOrders({ status: 'open' })).toEqual([]);

    const closed = t.next('position_closed');
    t.sim.engine.setPrice('AAPL', dec('200.05'));
    const event = await closed;
    await t.settle();
    expect([event.closed.exitReason, event.closed.exitPrice?.toFixed(), event.closed.realizedPnl.toFixed(2)]).toEqual(['take_profit', '200.05', '4020.00']);
    const orders = t.sim.engine.listOrders({ status: 'all', direction: 'asc' });
    expect(orders.map((o) => `${o.side} ${o.quantity.toFixed()} ${o.type} ${o.status}`)).toEqual(['buy 400 market filled', 'sell 400 market filled']);
    expect(t.errors).toEqual([]);
  });
});

describe('the drift guard at approval', () => {
  const newStore = useTempStore();

  it('judges the signal on the streamed price while it is fresh, without asking the broker', async () => {
    const t = await liveApp(await newStore());
    await t.live.start();
    // A pending signal: AAPL is subscribed from now on.
    await t.app.operator.submitSignal(
      signal({ signal_id: 'sig-drift', current_price: '190', stop_loss_price: '185', take_profit_price: '200' }),
      'console',
      'tester',
    );
    await t.settle();
    t.sim.engine.setPrice('AAPL', dec('199.5'));
    const asked = t.broker.latestPriceCalls;
    const outcome = await t.app.operator.approve('sig-drift', trader);
    expect(outcome.kind === 'refused' ? outcome.reason : outcome.kind).toMatch(/^AAPL is at \$199\.50, /);
    expect(t.broker.latestPriceCalls - asked).toBe(0);
  });

  it('asks the broker when no trade has been streamed', async () => {
    const t = await liveApp(await newStore());
    await t.live.start();
    await t.app.operator.submitSignal(
      signal({ signal_id: 'sig-quiet', ticker: 'MSFT', current_price: '400', stop_loss_price: '395', take_profit_price: '420' }),
      'console',
      'tester',
    );
    await t.settle();
    const asked = t.broker.latestPriceCalls;
    const outcome = await t.app.operator.approve('sig-quiet', trader);
    // MSFT is at 410 at the broker: 2.5% above the entry.
    expect(outcome.kind === 'refused' ? outcome.reason : outcome.kind).toMatch(/^MSFT is at \$410\.00, 2\.5/);
    expect(t.broker.latestPriceCalls - asked).toBe(1);
  });
});

describe('a market-data stream that drops', () => {
  const newStore = useTempStore();

  it('alerts once when it goes and once when it is back, and the monitor marks positions meanwhile', async () => {
    const t = await liveApp(await newStore(), { feed: 'alpaca' });
    await t.app.engine.executor.executeSignal(signal(), { useBracketOrder: false });
    await t.live.start();
    await t.settle();
    expect(t.live.state()).toBe('connected');
    const server = t.server;
    if (!server) throw new Error('no server');

    const states: StreamState[] = [];
    t.live.onState((s) => states.push(s));
    const down = new Promise<void>((resolve) => t.live.onState((s) => s === 'reconnecting' && resolve()));
    const up = new Promise<void>((resolve) => t.live.onState((s) => s === 'connected' && resolve()));
    server.server.dropMarketData();
    await down;
    // /status says so.
    expect((await t.app.operator.status()).marketData).toBe('reconnecting');
    // Polling carries on: the monitor's cycle marks the position at the broker's price.
    t.sim.engine.setPrice('AAPL', dec('191.75'));
    expect(await t.monitor.runCycle()).toBe(true);
    expect((await t.store.positions.list())[0]?.currentPrice.toFixed()).toBe('191.75');
    await up;
    expect((await t.app.operator.status()).marketData).toBe('connected');
    await t.alerts.flush();

    expect(states).toEqual(['reconnecting', 'connected']);
    expect(t.posted.map((v) => v.title)).toEqual(['Entry filled: buy AAPL', 'Market data disconnected', 'Market data reconnected']);
    const kinds = (await t.store.alerts.listRecent(10)).map((a) => a.kind).filter((k) => k.startsWith('broker_'));
    expect(kinds.sort()).toEqual(['broker_disconnected', 'broker_reconnected']);
  });
});

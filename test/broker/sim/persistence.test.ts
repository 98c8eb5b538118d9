/**
 * The simulator's state in SQLite as rows: a restart continues the same
 * account exactly, and a save writes only the rows its command changed
 * (seen by triggers in the database file itself).
 */
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/money.js';
import { createSimBroker } from '../../../src/broker/sim/index.js';
import type { SimChanges, SimStatePersistence } from '../../../src/broker/sim/state.js';
import { loadConfig } from '../../../src/config.js';
import { openStore, type Store } from '../../../src/db/index.js';
import { useTempDir } from '../../helpers/tempDb.js';
import { aaplBracket } from '../../helpers/fixtures.js';

const START = new Date('2026-03-02T15:00:00.000Z');
const LATER = new Date('2030-01-01T00:00:00.000Z');
const simConfig = loadConfig({ SIM_PRICES: 'AAPL=190,MSFT=410' }).sim;

/** Logs every row written to the simulator's tables, through triggers in the file (so any connection's writes count). */
function writeLog(path: string) {
  const db = new SqliteDatabase(path);
  db.exec('CREATE TABLE write_log (n INTEGER PRIMARY KEY, op TEXT NOT NULL, tbl TEXT NOT NULL, row_key TEXT NOT NULL)');
  const keys: Record<string, string> = { sim_orders: 'id', sim_holdings: 'ticker', sim_prices: 'ticker', sim_state: 'id' };
  for (const [table, key] of Object.entries(keys)) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      const row = op === 'DELETE' ? 'OLD' : 'NEW';
      db.exec(`CREATE TRIGGER log_${table}_${op} AFTER ${op} ON ${table} BEGIN
        INSERT INTO write_log (op, tbl, row_key) VALUES ('${op.toLowerCase()}', '${table}', ${row}.${key}); END`);
    }
  }
  return {
    /** The rows written since the last call, as `op table key`. */
    take(): string[] {
      const rows = db.prepare('SELECT op, tbl, row_key FROM write_log ORDER BY n').all() as { op: string; tbl: string; row_key: string }[];
      db.exec('DELETE FROM write_log');
      return rows.map((r) => `${r.op} ${r.tbl} ${r.row_key}`);
    },
    close: () => db.close(),
  };
}

describe('the simulator persisted as rows', () => {
  const newDir = useTempDir();

  async function opened(path: string, start = START): Promise<{ store: Store; broker: ReturnType<typeof createSimBroker> }> {
    const store = await openStore(path);
    const broker = createSimBroker(simConfig, store.simState, start);
    await broker.connect();
    return { store, broker };
  }

  it('continues the same account after a restart: orders, client ids, holdings, cash, and working orders still fill', async () => {
    const path = join(newDir(), 'trading.db');
    const first = await opened(path);
    const b = first.broker;
    await b.placeBracketOrder(aaplBracket('sig-1:entry'));
    await b.placeOrder('MSFT', 'buy', dec(5), 'market', { clientOrderId: 'msft-in' });
    await b.placeOrder('MSFT', 'sell', dec(2), 'market', { clientOrderId: 'msft-out' });
    await b.placeOrder('MSFT', 'buy', dec(10), 'limit', { limitPrice: dec(400), timeInForce: 'gtc', clientOrderId: 'lim-1' });
    await b.placeOrder('MSFT', 'sell', dec(3), 'trailing_stop', { trailPercent: dec(5), timeInForce: 'gtc', clientOrderId: 'trail-1' });
    const canceled = await b.placeOrder('AAPL', 'buy', dec('0.5'), 'limit', { limitPrice: dec(150), timeInForce: 'gtc', clientOrderId: 'cxl-1' });
    await b.cancelOrder(canceled.id);
    await b.advance(3);
    await b.setPrice('MSFT', dec('412.34'));
    const before = b.engine.state();
    await b.disconnect();
    await first.store.close();

    // A different start time: the saved clock wins, as with every restart.
    const second = await opened(path, LATER);
    const again = second.broker;
    expect(again.engine.state()).toEqual(before);
    const account = await again.getAccount();
    expect([account.cash.toFixed(), account.equity.toFixed(), account.daytradeCount]).toEqual(['79770', '99962.02', 1]);
    expect((await again.getPositions()).map((p) => [p.ticker, p.side, p.quantity.toFixed(), p.avgEntryPrice.toFixed()])).toEqual([
      ['AAPL', 'long', '100', '190'],
      ['MSFT', 'long', '3', '410'],
    ]);
    const statusOf = async (id: string) => (await again.getOrderByClientId(id))?.status;
    expect(await Promise.all(['sig-1:entry', 'sig-1:entry:tp', 'sig-1:entry:sl', 'msft-in', 'msft-out', 'lim-1', 'trail-1', 'cxl-1'].map(statusOf))).toEqual([
      'filled',
      'new',
      'new',
      'filled',
      'filled',
      'new',
      'new',
      'canceled',
    ]);
    expect((await again.getOrderByClientId('trail-1'))?.stopPrice?.toFixed()).toBe('391.72');
    expect((await again.listOrders({ status: 'open' })).map((o) => o.clientOrderId)).toEqual(['trail-1', 'lim-1', 'sig-1:entry']);
    expect((await again.getClock()).timestamp.toISOString()).toBe('2026-03-02T15:03:00.000Z');

    // The working orders are armed again: the limit buy and the trailing stop fill, then the bracket's stop.
    const msft = await again.setPrice('MSFT', dec(380));
    expect(msft.map((u) => `${u.event}:${u.order.clientOrderId}:${u.price?.toFixed() ?? ''}`)).toEqual(['fill:lim-1:380', 'fill:trail-1:380']);
    const aapl = await again.setPrice('AAPL', dec(184));
    expect(aapl.map((u) => `${u.event}:${u.order.clientOrderId}`)).toEqual(['fill:sig-1:entry:sl', 'canceled:sig-1:entry:tp']);
    const after = await again.getAccount();
    expect([after.cash.toFixed(), after.equity.toFixed()]).toEqual(['95510', '99310']);
    const end = again.engine.state();
    await again.disconnect();
    await second.store.close();

    // What changed after the restart was saved too.
    const third = await opened(path, LATER);
    expect(third.broker.engine.state()).toEqual(end);
    expect((await third.broker.getPositions()).map((p) => [p.ticker, p.quantity.toFixed(), p.avgEntryPrice.toFixed()])).toEqual([
      ['MSFT', '10', '386.9230769230769230769230769230769230769'],
    ]);
    await third.broker.disconnect();
    await third.store.close();
  });

  it('writes only the rows a command changed, however long the history', async () => {
    const path = join(newDir(), 'trading.db');
    const { store, broker } = await opened(path);
    for (let i = 0; i < 300; i++) {
      await broker.placeOrder('AAPL', i % 2 === 0 ? 'buy' : 'sell', dec(1), 'market', { clientOrderId: `h-${i}` });
    }
    const log = writeLog(path);
    try {
      const limit = await broker.placeOrder('MSFT', 'buy', dec(1), 'limit', { limitPrice: dec(300), timeInForce: 'gtc', clientOrderId: 'lim' });
      expect(log.take()).toEqual([`insert sim_orders ${limit.id}`, 'update sim_state 1']);

      const bracket = await broker.placeBracketOrder({
        ticker: 'AAPL',
        side: 'buy',
        quantity: dec(10),
        entryType: 'market',
        takeProfitPrice: dec(200),
        stopLossPrice: dec(185),
        timeInForce: 'gtc',
        clientOrderId: 'br',
      });
      const [tp, sl] = [bracket.takeProfitOrder!.id, bracket.stopLossOrder!.id];
      expect(log.take().sort()).toEqual(
        [
          `insert sim_orders ${bracket.entryOrder.id}`,
          `insert sim_orders ${tp}`,
          `insert sim_orders ${sl}`,
          'insert sim_holdings AAPL',
          'update sim_state 1',
        ].sort(),
      );

      // A price with nothing working on it: the price row and the scalars.
      await broker.setPrice('MSFT', dec(411));
      expect(log.take()).toEqual(['update sim_prices MSFT', 'update sim_state 1']);

      await broker.cancelOrder(limit.id);
      expect(log.take()).toEqual([`update sim_orders ${limit.id}`, 'update sim_state 1']);

      // Closing the position cancels both exits, sells, and the flat holding's row goes.
      const close = await broker.closePosition('AAPL');
      expect(log.take().sort()).toEqual(
        [`update sim_orders ${tp}`, `update sim_orders ${sl}`, `insert sim_orders ${close.id}`, 'delete sim_holdings AAPL', 'update sim_state 1'].sort(),
      );

      // A simulated minute: every feed ticker moves; no order works, so no order row is written.
      await broker.advance(1);
      expect(log.take()).toEqual(['update sim_prices AAPL', 'update sim_prices MSFT', 'update sim_state 1']);
    } finally {
      log.close();
      await broker.disconnect();
      await store.close();
    }
    const db = new SqliteDatabase(path, { readonly: true });
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('sim_orders'), count('sim_holdings'), count('sim_prices'), count('sim_state')]).toEqual([300 + 1 + 3 + 1, 0, 2, 1]);
    db.close();
  });

  it('a failed save is reported, and its rows are written by the next one', async () => {
    const path = join(newDir(), 'trading.db');
    const store = await openStore(path);
    let failNext = false;
    const saved: SimChanges[] = [];
    const flaky: SimStatePersistence = {
      load: () => store.simState.load(),
      save: async (changes, at) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        saved.push(changes);
        await store.simState.save(changes, at);
      },
    };
    const broker = createSimBroker(simConfig, flaky, START);
    await broker.connect();
    failNext = true;
    await expect(broker.placeOrder('AAPL', 'buy', dec(10), 'market', { clientOrderId: 'lost?' })).rejects.toThrow('disk full');
    await broker.placeOrder('MSFT', 'buy', dec(1), 'limit', { limitPrice: dec(300), timeInForce: 'gtc', clientOrderId: 'next' });
    const last = saved.at(-1)!;
    expect([last.orders.map((o) => o.clientOrderId).sort(), last.holdings.map((h) => h.ticker)]).toEqual([['lost?', 'next'], ['AAPL']]);
    const before = broker.engine.state();
    await broker.disconnect();
    await store.close();

    const reopened = await opened(path, LATER);
    expect(reopened.broker.engine.state()).toEqual(before);
    expect((await reopened.broker.getAccount()).cash.toFixed()).toBe('98100');
    await reopened.broker.disconnect();
    await reopened.store.close();
  });

  it('saves a new account whole on its first start', async () => {
    const path = join(newDir(), 'trading.db');
    const { store, broker } = await opened(path);
    await broker.disconnect();
    await store.close();
    const db = new SqliteDatabase(path, { readonly: true });
    expect(db.prepare('SELECT ticker, seq, price, size, timestamp FROM sim_prices ORDER BY seq').all()).toEqual([
      { ticker: 'AAPL', seq: 0, price: '190', size: '100', timestamp: START.toISOString() },
      { ticker: 'MSFT', seq: 1, price: '410', size: '100', timestamp: START.toISOString() },
    ]);
    expect(db.prepare('SELECT clock, cash, realized_pnl, feed_draws, last_equity, last_equity_day, day_trades FROM sim_state').all()).toEqual([
      { clock: START.toISOString(), cash: '100000', realized_pnl: '0', feed_draws: 0, last_equity: '100000', last_equity_day: '2026-03-02', day_trades: '{}' },
    ]);
    db.close();
  });
});

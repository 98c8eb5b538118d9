import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { type Kysely, Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { createSimBroker } from '../../src/broker/sim/index.js';
import { loadConfig } from '../../src/config.js';
import { migrateToLatest, openDatabase, openStore } from '../../src/db/index.js';
import { migrationProvider } from '../../src/db/sqlite/migrations/index.js';
import { orderRecord } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/tempDb.js';
import { toDomainStatus } from '../../src/broker/alpaca/statusMap.js';

const TABLES = [
  'alerts',
  'audit_log',
  'bar_coverage',
  'bars',
  'closed_positions',
  'equity_snapshots',
  'executed_orders',
  'executions',
  'positions',
  'signals',
  'sim_holdings',
  'sim_orders',
  'sim_prices',
  'sim_state',
  'trading_state',
];

function schemaOf(path: string): string[] {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    return (
      db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
        type: string;
        name: string;
        sql: string | null;
      }[]
    ).map((r) => `${r.type}:${r.name}:${r.sql ?? ''}`);
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  const newDir = useTempDir();

  it('creates every table of the design from an empty file, in a folder that did not exist', async () => {
    const path = join(newDir(), 'nested', 'data', 'trading.db');
    const handle = openDatabase(path);
    const report = await migrateToLatest(handle);
    await handle.close();

    expect(report.applied).toEqual([
      '0001_initial',
      '0002_sim_state',
      '0003_trading_engine',
      '0004_monitor_failed_alert',
      '0005_order_indexes',
      '0006_fewer_order_indexes',
      '0007_sim_rows',
      '0008_position_entry_value',
      '0009_domain_order_statuses',
      '0010_bars',
      '0011_closed_trade_pages',
      '0012_reducing_state',
      '0013_position_modified_alert',
    ]);
    const db = new SqliteDatabase(path, { readonly: true });
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    db.close();
    expect(tables).toEqual(TABLES);
  });

  it('is idempotent: a second run applies nothing and changes no schema', async () => {
    const path = join(newDir(), 'trading.db');
    const first = openDatabase(path);
    await migrateToLatest(first);
    await first.close();
    const before = schemaOf(path);

    const second = openDatabase(path);
    const report = await migrateToLatest(second);
    await second.close();

    expect(report.applied).toEqual([]);
    expect(schemaOf(path)).toEqual(before);
  });

  it('keeps data across a restart and starts with trading ACTIVE', async () => {
    const path = join(newDir(), 'trading.db');
    const store = await openStore(path);
    expect((await store.tradingState.get()).state).toBe('ACTIVE');
    await store.tradingState.setState('HALTED', 'drawdown 10.2% > 10%', 'system', new Date('2026-03-02T15:00:00Z'));
    await store.close();

    const reopened = await openStore(path);
    const state = await reopened.tradingState.get();
    await reopened.close();
    expect(state.state).toBe('HALTED');
    expect(state.reason).toBe('drawdown 10.2% > 10%');
  });

  it('keeps a REDUCING state with its reason across a restart; going back down turns it into HALTED', async () => {
    const path = join(newDir(), 'trading.db');
    const store = await openStore(path);
    expect(await store.tradingState.setState('REDUCING', 'daily loss 2.1%', 'system', new Date('2026-03-02T15:00:00Z'))).toBe(true);
    expect(await store.tradingState.setState('REDUCING', 'again', 'system', new Date('2026-03-02T15:01:00Z'))).toBe(false);
    await store.close();

    const reopened = await openStore(path);
    const state = await reopened.tradingState.get();
    await reopened.close();
    expect([state.state, state.reason, state.changedBy, state.changedAt.toISOString()]).toEqual([
      'REDUCING',
      'daily loss 2.1%',
      'system',
      '2026-03-02T15:00:00.000Z',
    ]);

    const handle = openDatabase(path);
    const migrator = new Migrator({ db: handle.db as unknown as Kysely<unknown>, provider: migrationProvider });
    const { error } = await migrator.migrateTo('0011_closed_trade_pages');
    await handle.close();
    expect(error).toBeUndefined();
    const db = new SqliteDatabase(path, { readonly: true });
    const row = db.prepare('SELECT state, reason FROM trading_state').get() as { state: string; reason: string };
    db.close();
    expect(row).toEqual({ state: 'HALTED', reason: 'daily loss 2.1%' });
  });

  it('opens in WAL mode with foreign keys enforced', async () => {
    const path = join(newDir(), 'trading.db');
    const store = await openStore(path);
    await store.close();
    const db = new SqliteDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    // Foreign keys are a per-connection setting: check ours through a leg whose parent does not exist.
    const again = await openStore(path);
    const leg = orderRecord({ orderId: 'leg-1', clientOrderId: 'sig-1:stop_loss', parentOrderId: 'no-such-parent', leg: 'stop_loss' });
    await expect(again.orders.insert(leg)).rejects.toThrow(/FOREIGN KEY/);
    await again.close();
  });
});

describe('migration 0007: the simulator snapshot becomes rows', () => {
  const newDir = useTempDir();
  /** A real snapshot written by the simulator before 0007 (one bracket, a day trade, working limit and trailing orders, a canceled one). */
  const V1_SNAPSHOT = readFileSync(new URL('../broker/sim/fixtures/sim-state-v1.json', import.meta.url), 'utf8');
  const simConfig = loadConfig({ SIM_PRICES: 'AAPL=190,MSFT=410' }).sim;

  /** A database as it was before 0007, holding that snapshot. */
  async function databaseWithSnapshot(): Promise<string> {
    const path = join(newDir(), 'trading.db');
    const handle = openDatabase(path);
    const migrator = new Migrator({ db: handle.db as unknown as Kysely<unknown>, provider: migrationProvider });
    const { error } = await migrator.migrateTo('0006_fewer_order_indexes');
    await handle.close();
    if (error) throw error;
    const db = new SqliteDatabase(path);
    db.prepare('INSERT INTO sim_state (id, snapshot, saved_at) VALUES (1, ?, ?)').run(V1_SNAPSHOT, '2026-03-02T15:03:00.000Z');
    db.close();
    return path;
  }

  it('converts an existing paper account into rows, and the account continues exactly', async () => {
    const path = await databaseWithSnapshot();
    const store = await openStore(path);
    const raw = new SqliteDatabase(path, { readonly: true });
    expect(raw.prepare('SELECT ticker, seq, qty, avg_entry_price, opened_on FROM sim_holdings ORDER BY seq').all()).toEqual([
      { ticker: 'AAPL', seq: 0, qty: '100', avg_entry_price: '190', opened_on: '2026-03-02' },
      { ticker: 'MSFT', seq: 1, qty: '3', avg_entry_price: '410', opened_on: '2026-03-02' },
    ]);
    expect(raw.prepare('SELECT client_order_id, status, qty, filled_avg_price, hwm, stop_price FROM sim_orders ORDER BY seq').all()).toEqual([
      { client_order_id: 'sig-1:entry', status: 'filled', qty: '100', filled_avg_price: '190', hwm: null, stop_price: null },
      { client_order_id: 'sig-1:entry:tp', status: 'new', qty: '100', filled_avg_price: null, hwm: null, stop_price: null },
      { client_order_id: 'sig-1:entry:sl', status: 'new', qty: '100', filled_avg_price: null, hwm: null, stop_price: '185' },
      { client_order_id: 'msft-in', status: 'filled', qty: '5', filled_avg_price: '410', hwm: null, stop_price: null },
      { client_order_id: 'msft-out', status: 'filled', qty: '2', filled_avg_price: '410', hwm: null, stop_price: null },
      { client_order_id: 'lim-1', status: 'new', qty: '10', filled_avg_price: null, hwm: null, stop_price: null },
      { client_order_id: 'trail-1', status: 'new', qty: '3', filled_avg_price: null, hwm: '412.34', stop_price: '391.72' },
      { client_order_id: 'cxl-1', status: 'canceled', qty: '0.5', filled_avg_price: null, hwm: null, stop_price: null },
    ]);
    expect(raw.prepare('SELECT clock, cash, realized_pnl, feed_draws, last_equity, last_equity_day, day_trades, saved_at FROM sim_state').all()).toEqual([
      {
        clock: '2026-03-02T15:03:00.000Z',
        cash: '79770',
        realized_pnl: '0',
        feed_draws: 18,
        last_equity: '100000',
        last_equity_day: '2026-03-02',
        day_trades: '{"2026-03-02":1}',
        saved_at: '2026-03-02T15:03:00.000Z',
      },
    ]);
    raw.close();

    const broker = createSimBroker(simConfig, store.simState, new Date('2030-01-01T00:00:00Z'));
    await broker.connect();
    const account = await broker.getAccount();
    expect([account.cash.toFixed(), account.equity.toFixed(), account.daytradeCount]).toEqual(['79770', '99962.02', 1]);
    expect((await broker.listOrders({ status: 'all' })).map((o) => o.clientOrderId)).toEqual([
      'cxl-1',
      'trail-1',
      'lim-1',
      'msft-out',
      'msft-in',
      'sig-1:entry',
    ]);
    // Expected values below come from the pre-0007 simulator restoring the same snapshot and doing the same.
    await broker.advance(5);
    expect([...(await broker.getLatestPrices(['AAPL', 'MSFT'])).values()].map((p) => p.toFixed())).toEqual(['189.77', '410.87']);
    const updates = [...(await broker.setPrice('MSFT', dec(380))), ...(await broker.setPrice('AAPL', dec(184)))];
    expect(updates.map((u) => `${u.event}:${u.order.clientOrderId}:${u.price?.toFixed() ?? ''}`)).toEqual([
      'fill:lim-1:380',
      'fill:trail-1:380',
      'fill:sig-1:entry:sl:184',
      'canceled:sig-1:entry:tp:',
    ]);
    const after = await broker.getAccount();
    expect([after.cash.toFixed(), after.equity.toFixed(), after.daytradeCount]).toEqual(['95510', '99310', 3]);
    expect((await broker.getPositions()).map((p) => [p.ticker, p.side, p.quantity.toFixed(), p.avgEntryPrice.toFixed()])).toEqual([
      ['MSFT', 'long', '10', '386.9230769230769230769230769230769230769'],
    ]);
    await broker.disconnect();
    await store.close();
  });

  it('goes back down to the same snapshot it came from', async () => {
    const path = await databaseWithSnapshot();
    const handle = openDatabase(path);
    await migrateToLatest(handle);
    const migrator = new Migrator({ db: handle.db as unknown as Kysely<unknown>, provider: migrationProvider });
    const { error } = await migrator.migrateTo('0006_fewer_order_indexes');
    await handle.close();
    expect(error).toBeUndefined();
    const db = new SqliteDatabase(path, { readonly: true });
    const row = db.prepare('SELECT snapshot, saved_at FROM sim_state').get() as { snapshot: string; saved_at: string };
    db.close();
    expect(JSON.parse(row.snapshot)).toEqual(JSON.parse(V1_SNAPSHOT));
    expect(row.saved_at).toBe('2026-03-02T15:03:00.000Z');
  });

  it('leaves a database without a simulator account with empty tables, and the first start saves a new one', async () => {
    const path = join(newDir(), 'trading.db');
    const store = await openStore(path);
    expect(await store.simState.load()).toBeNull();
    const broker = createSimBroker(simConfig, store.simState, new Date('2026-03-02T15:00:00Z'));
    await broker.connect();
    expect((await store.simState.load())?.prices.map((p) => [p.ticker, p.price])).toEqual([
      ['AAPL', '190'],
      ['MSFT', '410'],
    ]);
    await broker.disconnect();
    await store.close();
  });
});

describe("migration 0009: stored orders in the bot's own statuses", () => {
  const newDir = useTempDir();

  it("maps every Alpaca-only status by what has filled, and leaves the bot's statuses alone", async () => {
    const path = join(newDir(), 'trading.db');
    const handle = openDatabase(path);
    const migrator = new Migrator({ db: handle.db as unknown as Kysely<unknown>, provider: migrationProvider });
    const { error } = await migrator.migrateTo('0008_position_entry_value');
    await handle.close();
    if (error) throw error;

    // status as stored before, quantity, filled → status after
    const cases: [string, string, string, string][] = [
      ['pending_new', '10', '0', 'accepted'],
      ['accepted_for_bidding', '10', '0', 'accepted'],
      ['pending_new', '10', '3', 'partially_filled'],
      ['done_for_day', '10', '0', 'new'],
      ['pending_cancel', '10', '4', 'partially_filled'],
      ['pending_replace', '10', '0', 'new'],
      ['stopped', '7', '0', 'new'],
      ['suspended', '7', '2.5', 'partially_filled'],
      ['calculated', '10', '10', 'filled'],
      ['calculated', '10', '6', 'partially_filled'],
      ['held', '10', '0', 'held'],
      ['filled', '10', '10', 'filled'],
      ['canceled', '10', '4', 'canceled'],
    ];
    const db = new SqliteDatabase(path);
    const insert = db.prepare(
      `INSERT INTO executed_orders (order_id, client_order_id, ticker, side, order_type, order_class, time_in_force, quantity, filled_qty, status, submitted_at, updated_at)
       VALUES (?, ?, 'AAPL', 'buy', 'limit', 'simple', 'gtc', ?, ?, ?, '2026-03-02T15:00:00.000Z', '2026-03-02T15:00:00.000Z')`,
    );
    cases.forEach(([status, quantity, filled], i) => insert.run(`o-${i}`, `c-${i}`, quantity, filled, status));
    db.close();

    const migrated = openDatabase(path);
    const report = await migrateToLatest(migrated);
    await migrated.close();
    expect(report.applied).toEqual([
      '0009_domain_order_statuses',
      '0010_bars',
      '0011_closed_trade_pages',
      '0012_reducing_state',
      '0013_position_modified_alert',
    ]);

    const after = new SqliteDatabase(path, { readonly: true });
    const statuses = after.prepare('SELECT order_id, status FROM executed_orders ORDER BY rowid').all() as { order_id: string; status: string }[];
    after.close();
    expect(statuses.map((r) => r.status)).toEqual(cases.map((c) => c[3]));
    // The same reading the Alpaca adapter gives a live order today.
    expect(cases.map(([status, quantity, filled]) => toDomainStatus(status, { quantity: dec(quantity), filledQty: dec(filled) }))).toEqual(
      cases.map((c) => c[3]),
    );
  });
});

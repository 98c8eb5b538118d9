import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, openStore } from '../../src/db/index.js';
import { orderRecord } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/tempDb.js';

const TABLES = [
  'alerts',
  'audit_log',
  'closed_positions',
  'equity_snapshots',
  'executed_orders',
  'executions',
  'positions',
  'signals',
  'sim_state',
  'trading_state',
];

function schemaOf(path: string): string[] {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    return (db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      type: string;
      name: string;
      sql: string | null;
    }[]).map((r) => `${r.type}:${r.name}:${r.sql ?? ''}`);
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  const newDir = useTempDir();

  it('creates every table of the design from an empty file, in a folder that did not exist', async () => {
    const path = join(newDir(), 'nested', 'data', 'trading.db');
    const handle = openDatabase(path);
    const report = await migrateToLatest(handle.db);
    await handle.close();

    expect(report.applied).toEqual(['0001_initial', '0002_sim_state', '0003_trading_engine', '0004_monitor_failed_alert', '0005_order_indexes', '0006_fewer_order_indexes', '0008_position_entry_value']);
    const db = new SqliteDatabase(path, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    db.close();
    expect(tables).toEqual(TABLES);
  });

  it('is idempotent: a second run applies nothing and changes no schema', async () => {
    const path = join(newDir(), 'trading.db');
    const first = openDatabase(path);
    await migrateToLatest(first.db);
    await first.close();
    const before = schemaOf(path);

    const second = openDatabase(path);
    const report = await migrateToLatest(second.db);
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

import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/db/sqlite/checkpointer.js';
import { openStore } from '../../src/db/index.js';
import { orderRecord } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/tempDb.js';
import { until } from '../helpers/until.js';

/** Orders in a copy of the database file alone (what a backup of trading.db without its -wal holds). */
function ordersInFileCopy(path: string, dir: string): number {
  const copy = join(dir, `copy-${Date.now()}-${Math.random()}.db`);
  copyFileSync(path, copy);
  const db = new SqliteDatabase(copy, { readonly: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'executed_orders'").get();
    // Until the first checkpoint even the schema is only in the WAL.
    return table ? (db.prepare('SELECT count(*) AS n FROM executed_orders').get() as { n: number }).n : 0;
  } finally {
    db.close();
  }
}

/** Records the pragmas a checkpointer sets on the main connection. */
function recorder(): { pragmas: string[]; pragma(source: string): unknown } {
  const pragmas: string[] = [];
  return { pragmas, pragma: (source: string) => pragmas.push(source) };
}

describe('WAL checkpoints off the order path', () => {
  const newDir = useTempDir();

  it('copies committed orders into the database file within a second, without the main connection checkpointing', async () => {
    const dir = newDir();
    const store = await openStore(join(dir, 'trading.db'));
    try {
      // Far under the main connection's own threshold (10,000 pages): only the worker checkpoints these.
      for (let i = 0; i < 40; i++) {
        await store.orders.insert(orderRecord({ orderId: `o-${i}`, clientOrderId: `sig-${i}:entry`, signalId: null }));
      }
      expect(await until(() => (ordersInFileCopy(store.path, dir) === 40 ? true : null), 3000, 50)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("puts back SQLite's own checkpoints when the worker dies", async () => {
    const main = recorder();
    // The worker cannot open a file that is not there: it fails at once.
    const checkpointer = startCheckpointer(join(newDir(), 'missing.db'), main, 50);
    await until(() => (main.pragmas.length === 2 ? true : null));
    expect(main.pragmas).toEqual(['wal_autocheckpoint = 10000', 'wal_autocheckpoint = 1000']);
    await checkpointer.stop();
  });

  it('stops cleanly without touching the main connection again', async () => {
    const dir = newDir();
    const path = join(dir, 'trading.db');
    const created = new SqliteDatabase(path);
    created.pragma('journal_mode = WAL');
    created.close();
    const main = recorder();
    const checkpointer = startCheckpointer(path, main, 20);
    await new Promise((r) => setTimeout(r, 100));
    await checkpointer.stop();
    expect(main.pragmas).toEqual(['wal_autocheckpoint = 10000']);
  });
});

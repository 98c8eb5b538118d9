import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { Store } from '../../src/db/index.js';
import { at, closedRecord, orderRecord, positionRecord } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';

/** docs/database.md: the examples a user copies, so the tests read them from there. */
const DATABASE_DOC = readFileSync(new URL('../../docs/database.md', import.meta.url), 'utf8');

/** The `sqlite3 data/trading.db "…"` examples, in order. */
const SHELL_QUERIES = [...DATABASE_DOC.matchAll(/^sqlite3 data\/trading\.db "(.+)"$/gm)].map((m) => m[1]!);

/** The statements of the ```sql block (the seed's examples), in order. */
const SEED_SQL = (() => {
  const block = /```sql\n([\s\S]*?)```/.exec(DATABASE_DOC)?.[1] ?? '';
  return block.split('\n').filter((l) => l.startsWith('SELECT'));
})();

const hasSqliteShell = (() => {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

async function seed(store: Store): Promise<void> {
  await store.positions.insert(positionRecord({ positionId: 'open-1', ticker: 'NVDA' }));
  const trades = [
    ['w1', 'AAPL', '987.50'],
    ['l1', 'AAPL', '-512.00'],
    ['w2', 'MSFT', '0.01'],
    ['z1', 'TSLA', '0'],
  ] as const;
  for (const [id, ticker, pnl] of trades) {
    await store.positions.insert(positionRecord({ positionId: id, ticker }));
    await store.positions.close(closedRecord({ positionId: id, ticker, realizedPnl: dec(pnl), closedAt: at(trades.findIndex((t) => t[0] === id) * 10) }));
  }
  await store.orders.insert(orderRecord({ orderId: 'work-1', clientOrderId: 'c-work', ticker: 'NVDA', status: 'partially_filled', filledQty: dec(40) }));
  await store.orders.insert(orderRecord({ orderId: 'done-1', clientOrderId: 'c-done', status: 'filled', filledQty: dec(100) }));
}

describe('the example queries of docs/database.md', () => {
  const newStore = useTempStore();

  it('are all found', () => {
    expect([SHELL_QUERIES.length, SEED_SQL.length]).toEqual([7, 4]);
  });

  it("the seed's SQL examples answer on a real file, the 30-day window included", async () => {
    const store = await newStore();
    await store.orders.insert(orderRecord({ orderId: 'o1', clientOrderId: 'c1', ticker: 'AAPL', status: 'filled', submittedAt: daysAgo(2) }));
    await store.orders.insert(orderRecord({ orderId: 'o2', clientOrderId: 'c2', ticker: 'MSFT', side: 'sell', quantity: dec(25), submittedAt: daysAgo(1) }));
    await store.positions.insert(
      positionRecord({
        positionId: 'open-1',
        ticker: 'NVDA',
        quantity: dec(10),
        entryPrice: dec('120.50'),
        currentPrice: dec('125.25'),
        unrealizedPnl: dec('47.50'),
      }),
    );
    const trades = [
      ['recent-win', '300.25', 3],
      ['recent-loss', '-100.25', 29],
      ['old-loss', '-5000', 31],
    ] as const;
    for (const [id, pnl, age] of trades) {
      await store.positions.insert(positionRecord({ positionId: id, ticker: id.toUpperCase().slice(0, 6) }));
      await store.positions.close(
        closedRecord({
          positionId: id,
          ticker: id.toUpperCase().slice(0, 6),
          realizedPnl: dec(pnl),
          realizedPnlPct: dec('0.01'),
          openedAt: daysAgo(age + 1),
          closedAt: daysAgo(age),
        }),
      );
    }
    const db = new SqliteDatabase(store.path, { readonly: true });
    try {
      const [orders, positions, closed, summary] = SEED_SQL.map((sql) => db.prepare(sql).raw().all() as unknown[][]);
      expect(orders!.map((r) => r.slice(0, 4))).toEqual([
        ['MSFT', 'sell', '25', 'new'],
        ['AAPL', 'buy', '100', 'filled'],
      ]);
      expect(positions).toEqual([['NVDA', '10', '120.5', '125.25', '47.5']]);
      expect(closed!.map((r) => [r[0], r[1], r[3]])).toEqual([
        ['RECENT', '300.25', 'stop_loss'],
        ['RECENT', '-100.25', 'stop_loss'],
        ['OLD-LO', '-5000', 'stop_loss'],
      ]);
      // The trade 31 days old is outside the window.
      expect(summary).toEqual([[2, 1, 100, 200]]);
    } finally {
      db.close();
    }
  });

  it('give the right answers on a real database file (text amounts included)', async () => {
    const store = await newStore();
    await seed(store);
    const db = new SqliteDatabase(store.path, { readonly: true });
    const run = (sql: string) => db.prepare(sql).raw().all() as unknown[][];
    try {
      const [orders, positions, recent, total, winRate, working, byTicker] = SHELL_QUERIES.map(run);
      expect(orders).toHaveLength(2);
      expect(positions).toHaveLength(1);
      expect(recent!.map((r) => r[0])).toEqual(['z1', 'w2', 'l1', 'w1']);
      expect(total).toEqual([[475.51]]);
      expect(winRate).toEqual([[4, 2]]); // 0 is not a win, 0.01 is
      expect(working).toEqual([['work-1', 'NVDA', 'buy', '100', 'partially_filled']]);
      expect(byTicker).toEqual([
        ['AAPL', 2, 475.5],
        ['MSFT', 1, 0.01],
        ['TSLA', 1, 0],
      ]);
    } finally {
      db.close();
    }
  });

  it.runIf(hasSqliteShell)('run unchanged in the sqlite3 shell while the bot holds the file open', async () => {
    const store = await newStore();
    await seed(store);
    const shell = (sql: string) => execFileSync('sqlite3', [store.path, sql], { encoding: 'utf8' }).trim();
    expect(shell(SHELL_QUERIES[3]!)).toBe('475.51');
    expect(shell(SHELL_QUERIES[4]!)).toBe('4|2');
    expect(shell(SHELL_QUERIES[5]!)).toBe('work-1|NVDA|buy|100|partially_filled');
  });
});

import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { join } from 'node:path';
import { openDatabase, type Store } from '../../src/db/index.js';
import { type PositionRecord } from '../../src/domain/records.js';
import { OpenPositionsCache } from '../../src/db/openPositionsCache.js';
import { at, closedRecord, positionRecord } from '../helpers/fixtures.js';
import { useTempDir, useTempStore } from '../helpers/tempDb.js';
import { until } from '../helpers/until.js';

/** What the database file itself holds, read by a connection of its own. */
function onDisk(store: Store): { position_id: string; current_price: string; unrealized_pnl: string; stop_loss_price: string | null }[] {
  const db = new SqliteDatabase(store.path, { readonly: true });
  try {
    return db.prepare('SELECT position_id, current_price, unrealized_pnl, stop_loss_price FROM positions ORDER BY opened_at').all() as never;
  } finally {
    db.close();
  }
}

const brief = (ps: Awaited<ReturnType<Store['positions']['list']>>) =>
  ps.map((p) => ({ id: p.positionId, last: p.currentPrice.toFixed(), pnl: p.unrealizedPnl.toFixed(), stop: p.stopLossPrice?.toFixed() ?? null }));

/** The open positions are listed every monitor cycle and kept in memory between writes; they must never go stale. */
describe('listing open positions', () => {
  const newStore = useTempStore();
  const newDir = useTempDir();

  it('shows a change another connection committed (an operator in the sqlite3 shell)', async () => {
    const store = await newStore();
    await store.positions.insert(positionRecord({ positionId: 'p1', ticker: 'AAPL', stopLossPrice: dec('185') }));
    expect(brief(await store.positions.list())[0]?.stop).toBe('185');

    const shell = new SqliteDatabase(store.path);
    shell.prepare("UPDATE positions SET stop_loss_price = '187.5' WHERE position_id = 'p1'").run();
    shell.close();

    expect(brief(await store.positions.list())[0]?.stop).toBe('187.5');
  });

  it('lists marked prices exactly as written, and only what transactions committed', async () => {
    const store = await newStore();
    await store.positions.insert(positionRecord({ positionId: 'p1', ticker: 'AAPL', quantity: dec(100), entryPrice: dec('190.12'), openedAt: at(0) }));
    await store.positions.insert(positionRecord({ positionId: 'p2', ticker: 'MSFT', quantity: dec(30), entryPrice: dec('410.5'), openedAt: at(1) }));
    await store.positions.list();

    // 100 × (191.37 − 190.12) = 125; 30 × (408.25 − 410.5) = −67.5
    await store.positions.markPrices([
      {
        positionId: 'p1',
        currentPrice: dec('191.37'),
        unrealizedPnl: dec('125'),
        marketValue: dec('19137'),
        unrealizedPnlPct: dec('0.0065'),
        updatedAt: at(5),
      },
      {
        positionId: 'p2',
        currentPrice: dec('408.25'),
        unrealizedPnl: dec('-67.5'),
        marketValue: dec('12247.5'),
        unrealizedPnlPct: dec('-0.0055'),
        updatedAt: at(5),
      },
    ]);
    const listed = await store.positions.list();
    expect(brief(listed)).toEqual([
      { id: 'p1', last: '191.37', pnl: '125', stop: '185' },
      { id: 'p2', last: '408.25', pnl: '-67.5', stop: '185' },
    ]);
    expect(listed[0]?.updatedAt).toEqual(at(5));
    expect(onDisk(store).map((r) => [r.position_id, r.current_price, r.unrealized_pnl])).toEqual([
      ['p1', '191.37', '125'],
      ['p2', '408.25', '-67.5'],
    ]);
    // Shared between callers: nobody can change a listed record under another.
    expect(Object.isFrozen(listed[0])).toBe(true);

    // Rolled back: the insert never happened.
    await expect(
      store.transaction(async (tx) => {
        await tx.positions.insert(positionRecord({ positionId: 'p3', ticker: 'NVDA', openedAt: at(2) }));
        throw new Error('the fill could not be recorded');
      }),
    ).rejects.toThrow('the fill could not be recorded');
    expect((await store.positions.list()).map((p) => p.positionId)).toEqual(['p1', 'p2']);

    // Committed: the close shows at once.
    await store.transaction((tx) => tx.positions.close(closedRecord({ positionId: 'p1', ticker: 'AAPL' })));
    expect((await store.positions.list()).map((p) => p.positionId)).toEqual(['p2']);
    expect(onDisk(store).map((r) => r.position_id)).toEqual(['p2']);
  });

  it('never keeps a listing that raced a write', async () => {
    const store = await newStore();
    for (let round = 0; round < 20; round++) {
      const stop = dec(180).plus(round).toFixed();
      await store.positions.insert(positionRecord({ positionId: `p${round}`, ticker: `T${round}`, stopLossPrice: dec(170) }));
      // A listing started alongside a transaction may see either side of it; the next one must see the commit.
      const during = store.positions.list();
      await store.transaction(async (t) => {
        await t.positions.update(positionRecord({ positionId: `p${round}`, ticker: `T${round}`, stopLossPrice: dec(stop) }));
      });
      expect(['170', stop]).toContain(brief(await during).at(-1)?.stop);
      expect(brief(await store.positions.list()).at(-1)?.stop).toBe(stop);
    }
  });

  it('drops a read that a write overtook, and reads again next time', async () => {
    const handle = openDatabase(join(newDir(), 'cache.db'));
    try {
      const cache = new OpenPositionsCache(handle.dialect);
      let release: ((records: PositionRecord[]) => void) | null = null;
      const inFlight = cache.list(handle.db, () => new Promise((resolve) => (release = resolve)));
      const deliver = await until(() => release);
      cache.invalidate(); // a write lands while the read is in flight
      deliver([positionRecord({ positionId: 'stale' })]);
      expect((await inFlight).map((p) => p.positionId)).toEqual(['stale']);

      let reads = 0;
      const next = await cache.list(handle.db, async () => {
        reads++;
        return [positionRecord({ positionId: 'fresh' })];
      });
      expect(next.map((p) => p.positionId)).toEqual(['fresh']);
      expect(reads).toBe(1);
      // Kept now: the third listing needs no read.
      expect((await cache.list(handle.db, async () => [])).map((p) => p.positionId)).toEqual(['fresh']);
    } finally {
      await handle.close();
    }
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../src/db/index.js';
import type { RowTarget } from '../../src/db/dialect.js';
import { useTempDir } from '../helpers/tempDb.js';

const ROOT = new URL('../..', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the SQLite dialect folder', () => {
  it('holds every SQL string and every better-sqlite3 import of src/db: the rest uses the query builder', () => {
    const rawSql = [
      /\bsql\s*(<[^>]*>)?\s*`/, // sql`…` templates
      /\bsql\.raw\(/,
      /CompiledQuery\.raw\(/,
      /['"`]\s*(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE|DROP|ALTER|BEGIN|COMMIT)\s/i,
      /from\s+'better-sqlite3'/,
    ];
    const offenders = sourceFiles(join(ROOT, 'src/db'))
      .map((f) => relative(ROOT, f))
      .filter((rel) => !rel.startsWith('src/db/sqlite/'))
      .flatMap((rel) => {
        const text = readFileSync(join(ROOT, rel), 'utf8');
        return rawSql.filter((p) => p.test(text)).map((p) => `${rel} matches ${p.source}`);
      });
    expect(offenders).toEqual([]);
  });

  it('keeps src/domain free of the database', () => {
    const offenders = sourceFiles(join(ROOT, 'src/domain'))
      .filter((f) => /from\s+'[^']*\/db\//.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});

describe('writeRows (the simulator saves)', () => {
  const newDir = useTempDir();
  const HOLDINGS: RowTarget = { table: 'sim_holdings', columns: ['ticker', 'seq', 'qty', 'avg_entry_price', 'opened_on'], key: 'ticker' };

  async function open(): Promise<DatabaseHandle> {
    const handle = openDatabase(join(newDir(), 'rows.db'));
    await migrateToLatest(handle);
    return handle;
  }
  const tickers = async (h: DatabaseHandle) => (await h.db.selectFrom('sim_holdings').select('ticker').orderBy('ticker').execute()).map((r) => r.ticker);
  const holding = (ticker: string, qty: string) => ({ kind: 'upsert' as const, target: HOLDINGS, values: [ticker, 1, qty, '10', null] });

  it('inserts, overwrites by key and deletes, all at once', async () => {
    const h = await open();
    try {
      await h.dialect.writeRows(h.db, [holding('AAPL', '1'), holding('MSFT', '2')]);
      await h.dialect.writeRows(h.db, [holding('AAPL', '5'), { kind: 'delete', target: HOLDINGS, key: 'MSFT' }]);
      expect(await h.db.selectFrom('sim_holdings').select(['ticker', 'qty']).execute()).toEqual([{ ticker: 'AAPL', qty: '5' }]);
      // A failing write takes the whole batch with it.
      await expect(
        h.dialect.writeRows(h.db, [holding('TSLA', '1'), { kind: 'upsert', target: HOLDINGS, values: ['NVDA', 1, null, '10', null] }]),
      ).rejects.toThrow(/NOT NULL/);
      expect(await tickers(h)).toEqual(['AAPL']);
    } finally {
      await h.close();
    }
  });

  it('joins the transaction it is given, and is rolled back with it', async () => {
    const h = await open();
    try {
      await expect(
        h.db.transaction().execute(async (trx) => {
          await h.dialect.writeRows(trx, [holding('AAPL', '1')]);
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      expect(await tickers(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('never becomes part of another transaction left open between two awaits', async () => {
    const h = await open();
    try {
      let midway!: () => void;
      const reached = new Promise<void>((resolve) => (midway = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const other = h.db.transaction().execute(async (trx) => {
        await h.dialect.writeRows(trx, [holding('MSFT', '1')]);
        midway();
        await released;
        throw new Error('the other transaction fails');
      });
      await reached;
      // A save while that transaction is open waits for it instead of writing into it.
      const save = h.dialect.writeRows(h.db, [holding('AAPL', '1')]);
      release();
      await expect(other).rejects.toThrow('the other transaction fails');
      await save;
      expect(await tickers(h)).toEqual(['AAPL']);
    } finally {
      await h.close();
    }
  });
});

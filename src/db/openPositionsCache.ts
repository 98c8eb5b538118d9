import type { Kysely } from 'kysely';
import type { Decimal } from '../domain/money.js';
import type { PositionRecord } from '../domain/records.js';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';

/**
 * The open positions as this process last read them, shared by a store's
 * repositories (the transaction-bound ones too). A monitor cycle lists every
 * position each minute; decoding a thousand rows into Decimals each time is
 * most of its cost, and the book rarely changes between two cycles.
 *
 * Valid while nothing has written positions since it was filled: writes on
 * this connection drop it (`invalidate`, called before the write runs, so a
 * read racing a write is never kept), and commits by any other connection
 * (the sqlite3 shell, a second process) move the dialect's change counter
 * (SQLite's `data_version`), which is checked on every use. Records are frozen: callers share them.
 */
/** An open position's ticker and market value (quantity × last). */
export interface Exposure {
  ticker: string;
  value: Decimal;
}

export class OpenPositionsCache {
  private records: readonly PositionRecord[] | null = null;
  private dataVersion = -1;
  /** The exposures every entry's risk check reads, kept apart: they are read far more often than the book changes. */
  private exposureList: readonly Exposure[] | null = null;
  private exposureVersion = -1;
  private generation = 0;

  constructor(private readonly dialect: Pick<Dialect, 'changeCounter'>) {}

  /** Drops the cache; reads in flight are not kept. */
  invalidate(): void {
    this.records = null;
    this.exposureList = null;
    this.generation++;
  }

  /** The cached exposures when still current, else what `read` returns (kept when nothing wrote meanwhile). */
  async exposures(db: Kysely<Database>, read: () => Promise<Exposure[]>): Promise<Exposure[]> {
    if (db.isTransaction) return read();
    const version = await this.dialect.changeCounter(db);
    if (this.exposureList !== null && version === this.exposureVersion) return [...this.exposureList];
    const generation = this.generation;
    const list = (await read()).map((e) => Object.freeze(e));
    if (generation === this.generation) {
      this.exposureList = list;
      this.exposureVersion = version;
    }
    return [...list];
  }

  /** The cached list when still current, else the list `read` returns (kept when nothing wrote meanwhile). */
  async list(db: Kysely<Database>, read: () => Promise<PositionRecord[]>): Promise<PositionRecord[]> {
    // Inside a transaction the book may hold its own uncommitted writes: read them, keep nothing.
    if (db.isTransaction) return read();
    const version = await this.dialect.changeCounter(db);
    if (this.records !== null && version === this.dataVersion) return [...this.records];
    const generation = this.generation;
    const records = (await read()).map((r) => Object.freeze(r));
    if (generation === this.generation) {
      this.records = records;
      this.dataVersion = version;
    }
    return [...records];
  }

  /**
   * Runs a write made outside any transaction, then keeps the cache current
   * with `patch` instead of dropping it, when nothing else wrote meanwhile.
   */
  async write(run: () => Promise<void>, patch: (records: readonly PositionRecord[]) => PositionRecord[]): Promise<void> {
    const before = this.records;
    this.invalidate();
    const generation = this.generation;
    await run();
    if (before !== null && generation === this.generation) this.records = patch(before).map((r) => Object.freeze(r));
  }
}

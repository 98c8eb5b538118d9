import { type Kysely, sql } from 'kysely';
import type { EquitySnapshotStore } from '../../domain/ports/store.js';
import type { EquitySnapshot, SnapshotKind } from '../../domain/records.js';
import { money, readTime, writeTime } from '../codec.js';
import type { Database, EquitySnapshotRow } from '../schema.js';

function fromRow(row: EquitySnapshotRow): EquitySnapshot {
  return {
    takenAt: readTime(row.taken_at),
    tradingDay: row.trading_day,
    kind: row.kind as SnapshotKind,
    equity: money.read(row.equity),
    cash: money.read(row.cash),
    positionsValue: money.read(row.positions_value),
    unrealizedPnl: money.read(row.unrealized_pnl),
    realizedPnlDay: money.read(row.realized_pnl_day),
    openPositions: row.open_positions,
  };
}

export class EquitySnapshotsRepository implements EquitySnapshotStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a snapshot. An end-of-day snapshot replaces that day's earlier
   * one (a re-run of the close job keeps one row per day).
   */
  async record(s: EquitySnapshot): Promise<void> {
    const values = {
      taken_at: writeTime(s.takenAt),
      trading_day: s.tradingDay,
      kind: s.kind,
      equity: money.write(s.equity),
      cash: money.write(s.cash),
      positions_value: money.write(s.positionsValue),
      unrealized_pnl: money.write(s.unrealizedPnl),
      realized_pnl_day: money.write(s.realizedPnlDay),
      open_positions: s.openPositions,
    };
    if (s.kind === 'intraday') {
      await this.db.insertInto('equity_snapshots').values(values).execute();
      return;
    }
    await this.db
      .insertInto('equity_snapshots')
      .values(values)
      .onConflict((oc) =>
        oc
          .column('trading_day')
          // The partial index's predicate, with 'eod' as a literal: the database matches it by text, not by a bound value.
          .where('kind', '=', sql.lit('eod'))
          .doUpdateSet({ ...values }),
      )
      .execute();
  }

  /** End-of-day snapshots from `sinceDay` (inclusive), oldest first: the daily equity series. */
  async listDaily(sinceDay: string): Promise<EquitySnapshot[]> {
    const rows = await this.db
      .selectFrom('equity_snapshots')
      .selectAll()
      .where('kind', '=', 'eod')
      .where('trading_day', '>=', sinceDay)
      .orderBy('trading_day')
      .execute();
    return rows.map(fromRow);
  }

  async getDaily(tradingDay: string): Promise<EquitySnapshot | null> {
    const row = await this.db.selectFrom('equity_snapshots').selectAll().where('kind', '=', 'eod').where('trading_day', '=', tradingDay).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** A trading day's intraday snapshots, oldest first (what a chart draws before there are two days). */
  async listIntraday(tradingDay: string): Promise<EquitySnapshot[]> {
    const rows = await this.db
      .selectFrom('equity_snapshots')
      .selectAll()
      .where('kind', '=', 'intraday')
      .where('trading_day', '=', tradingDay)
      .orderBy('taken_at')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  /** The last intraday snapshot of a trading day: its closing figure when the end-of-day one was missed. */
  async lastIntraday(tradingDay: string): Promise<EquitySnapshot | null> {
    const row = await this.db
      .selectFrom('equity_snapshots')
      .selectAll()
      .where('kind', '=', 'intraday')
      .where('trading_day', '=', tradingDay)
      .orderBy('taken_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async earliest(): Promise<EquitySnapshot | null> {
    const row = await this.db.selectFrom('equity_snapshots').selectAll().orderBy('taken_at').orderBy('id').limit(1).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async latest(): Promise<EquitySnapshot | null> {
    const row = await this.db.selectFrom('equity_snapshots').selectAll().orderBy('taken_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? fromRow(row) : null;
  }
}

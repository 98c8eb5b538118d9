import type { Kysely } from 'kysely';
import type { Decimal } from '../../domain/money.js';
import type { PositionSide } from '../../domain/enums.js';
import { costBasisOf, marketValueOf, pnlRatio } from '../../domain/position.js';
import type { PositionStore } from '../../domain/ports/store.js';
import type { ClosedPositionRecord, MarkBasis, PositionRecord, PriceMark } from '../../domain/records.js';
import { money, readTime, writeTime } from '../codec.js';
import type { Dialect, MarkRow } from '../dialect.js';
import type { OpenPositionsCache } from '../openPositionsCache.js';
import { columnsOf, precompile, slotsFor } from '../precompiled.js';
import type { Database, PositionRow } from '../schema.js';
import { inTransaction } from '../transaction.js';
import { closedToRow } from './ClosedPositionsRepository.js';

function toRow(r: PositionRecord): PositionRow {
  return {
    position_id: r.positionId,
    ticker: r.ticker,
    side: r.side,
    quantity: money.write(r.quantity),
    entry_price: money.write(r.entryPrice),
    current_price: money.write(r.currentPrice),
    unrealized_pnl: money.write(r.unrealizedPnl),
    cost_basis: money.write(costBasisOf(r)),
    market_value: money.write(marketValueOf(r)),
    unrealized_pnl_pct: money.write(pnlRatio(r.unrealizedPnl, costBasisOf(r))),
    exited_qty: money.write(r.exitedQty),
    exit_value: money.write(r.exitValue),
    realized_pnl: money.write(r.realizedPnl),
    entry_value: money.write(r.entryValue),
    stop_loss_price: money.writeOrNull(r.stopLossPrice),
    take_profit_price: money.writeOrNull(r.takeProfitPrice),
    signal_id: r.signalId,
    strategy: r.strategy,
    entry_order_id: r.entryOrderId,
    stop_loss_order_id: r.stopLossOrderId,
    take_profit_order_id: r.takeProfitOrderId,
    opened_at: writeTime(r.openedAt),
    updated_at: writeTime(r.updatedAt),
  };
}

function fromRow(row: PositionRow): PositionRecord {
  return {
    positionId: row.position_id,
    ticker: row.ticker,
    side: row.side as PositionSide,
    quantity: money.read(row.quantity),
    entryPrice: money.read(row.entry_price),
    currentPrice: money.read(row.current_price),
    unrealizedPnl: money.read(row.unrealized_pnl),
    exitedQty: money.read(row.exited_qty),
    exitValue: money.read(row.exit_value),
    realizedPnl: money.read(row.realized_pnl),
    entryValue: money.read(row.entry_value),
    stopLossPrice: money.readOrNull(row.stop_loss_price),
    takeProfitPrice: money.readOrNull(row.take_profit_price),
    signalId: row.signal_id,
    strategy: row.strategy,
    entryOrderId: row.entry_order_id,
    stopLossOrderId: row.stop_loss_order_id,
    takeProfitOrderId: row.take_profit_order_id,
    openedAt: readTime(row.opened_at),
    updatedAt: readTime(row.updated_at),
  };
}

const COLUMNS = columnsOf<PositionRow>({
  position_id: true,
  ticker: true,
  side: true,
  quantity: true,
  entry_price: true,
  current_price: true,
  unrealized_pnl: true,
  cost_basis: true,
  market_value: true,
  unrealized_pnl_pct: true,
  exited_qty: true,
  exit_value: true,
  realized_pnl: true,
  entry_value: true,
  stop_loss_price: true,
  take_profit_price: true,
  signal_id: true,
  strategy: true,
  entry_order_id: true,
  stop_loss_order_id: true,
  take_profit_order_id: true,
  opened_at: true,
  updated_at: true,
});

// The order path's statements, compiled once (see precompiled.ts).
const INSERT = precompile<PositionRow, unknown>((db, slot) => db.insertInto('positions').values(slotsFor(COLUMNS, slot)));
const UPDATE = precompile<PositionRow, unknown>((db, slot) => {
  const { position_id, ...rest } = slotsFor(COLUMNS, slot);
  return db.updateTable('positions').set(rest).where('position_id', '=', position_id);
});
const BY_TICKER = precompile<{ ticker: string }, PositionRow>((db, slot) => db.selectFrom('positions').selectAll().where('ticker', '=', slot('ticker')));
const EXPOSURES = precompile<Record<string, never>, Pick<PositionRow, 'ticker' | 'quantity' | 'current_price'>>((db) =>
  db.selectFrom('positions').select(['ticker', 'quantity', 'current_price']),
);

const MARK_BASIS = precompile<
  Record<string, never>,
  Pick<PositionRow, 'position_id' | 'ticker' | 'side' | 'quantity' | 'entry_price' | 'entry_value' | 'exited_qty'>
>((db) => db.selectFrom('positions').select(['position_id', 'ticker', 'side', 'quantity', 'entry_price', 'entry_value', 'exited_qty']).orderBy('opened_at'));

export class PositionsRepository implements PositionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** Shared with the store's other PositionsRepository instances (see OpenPositionsCache). */
    private readonly cache: OpenPositionsCache,
  ) {}

  async insert(record: PositionRecord): Promise<void> {
    this.cache.invalidate();
    await INSERT.execute(this.db, toRow(record));
  }

  /** Replaces every field of an existing position (e.g. after another partial fill). */
  async update(record: PositionRecord): Promise<void> {
    this.cache.invalidate();
    await UPDATE.execute(this.db, toRow(record));
  }

  async get(positionId: string): Promise<PositionRecord | null> {
    const row = await this.db.selectFrom('positions').selectAll().where('position_id', '=', positionId).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async getByTicker(ticker: string): Promise<PositionRecord | null> {
    const row = (await BY_TICKER.execute(this.db, { ticker })).rows[0];
    return row ? fromRow(row) : null;
  }

  /** Every open position, oldest first. */
  list(): Promise<PositionRecord[]> {
    return this.cache.list(this.db, async () => {
      const rows = await this.db.selectFrom('positions').selectAll().orderBy('opened_at').execute();
      return rows.map(fromRow);
    });
  }

  /** Each open position's ticker and market value (quantity × last): what the risk checks need, without decoding whole records. */
  exposures(): Promise<{ ticker: string; value: Decimal }[]> {
    return this.cache.exposures(this.db, async () => {
      const { rows } = await EXPOSURES.execute(this.db, {});
      return rows.map((r) => ({ ticker: r.ticker, value: money.read(r.quantity).times(money.read(r.current_price)) }));
    });
  }

  async markBasis(): Promise<MarkBasis[]> {
    const { rows } = await MARK_BASIS.execute(this.db, {});
    return rows.map((r) => ({
      positionId: r.position_id,
      ticker: r.ticker,
      side: r.side as PositionSide,
      quantity: money.read(r.quantity),
      entryPrice: money.read(r.entry_price),
      entryValue: money.read(r.entry_value),
      exitedQty: money.read(r.exited_qty),
    }));
  }

  async count(): Promise<number> {
    const { n } = await this.db
      .selectFrom('positions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Marks many positions to market in one transaction. */
  async markPrices(marks: readonly PriceMark[]): Promise<void> {
    if (marks.length === 0) return;
    const rows = marks.map((m): MarkRow => [
      m.positionId,
      money.write(m.currentPrice),
      money.write(m.unrealizedPnl),
      money.write(m.marketValue),
      money.write(m.unrealizedPnlPct),
      writeTime(m.updatedAt),
    ]);
    const write = () => inTransaction(this.db, (trx) => this.dialect.markPositions(trx, rows));
    if (this.db.isTransaction) {
      this.cache.invalidate();
      return write();
    }
    // The cached book takes the same marks: the next cycle's list needs no read.
    const byId = new Map(marks.map((m) => [m.positionId, m]));
    await this.cache.write(write, (records) =>
      records.map((r) => {
        const m = byId.get(r.positionId);
        return m ? { ...r, currentPrice: m.currentPrice, unrealizedPnl: m.unrealizedPnl, updatedAt: m.updatedAt } : r;
      }),
    );
  }

  /**
   * Closes a position: the closed row is written and the open row deleted in
   * one transaction, so a crash leaves it either open or closed, never both.
   * Returns false when the position was already gone (closed by another path).
   */
  async close(closed: ClosedPositionRecord): Promise<boolean> {
    this.cache.invalidate();
    return inTransaction(this.db, async (trx) => {
      const deleted = await trx.deleteFrom('positions').where('position_id', '=', closed.positionId).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) return false;
      await trx.insertInto('closed_positions').values(closedToRow(closed)).execute();
      return true;
    });
  }
}

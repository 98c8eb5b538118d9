import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { PositionSide } from '../../domain/enums.js';
import { type Decimal, signedTotals } from '../../domain/money.js';
import type { CalibrationTradeQuery, CalibrationTradeRecord, ClosedPositionStore, ClosedTradeFilter, ClosedTradePageQuery } from '../../domain/ports/store.js';
import { type ClosedPositionRecord, type ExitReason, holdSeconds, type TradeOutcomes } from '../../domain/records.js';
import { money, readTime, writeTime } from '../codec.js';
import type { Dialect } from '../dialect.js';
import type { ClosedPositionRow, Database } from '../schema.js';

export function closedToRow(r: ClosedPositionRecord): ClosedPositionRow {
  return {
    position_id: r.positionId,
    ticker: r.ticker,
    side: r.side,
    quantity: money.write(r.quantity),
    entry_price: money.write(r.entryPrice),
    exit_price: money.write(r.exitPrice),
    realized_pnl: money.write(r.realizedPnl),
    realized_pnl_pct: money.write(r.realizedPnlPct),
    exit_reason: r.exitReason,
    signal_id: r.signalId,
    strategy: r.strategy,
    exit_order_id: r.exitOrderId,
    opened_at: writeTime(r.openedAt),
    closed_at: writeTime(r.closedAt),
    cost_basis: money.write(r.quantity.times(r.entryPrice)),
    hold_duration_seconds: holdSeconds(r),
    entry_order_id: r.entryOrderId,
  };
}

function fromRow(row: ClosedPositionRow): ClosedPositionRecord {
  return {
    positionId: row.position_id,
    ticker: row.ticker,
    side: row.side as PositionSide,
    quantity: money.read(row.quantity),
    entryPrice: money.read(row.entry_price),
    exitPrice: money.read(row.exit_price),
    realizedPnl: money.read(row.realized_pnl),
    realizedPnlPct: money.read(row.realized_pnl_pct),
    exitReason: row.exit_reason as ExitReason,
    signalId: row.signal_id,
    strategy: row.strategy,
    exitOrderId: row.exit_order_id,
    entryOrderId: row.entry_order_id,
    openedAt: readTime(row.opened_at),
    closedAt: readTime(row.closed_at),
  };
}

export class ClosedPositionsRepository implements ClosedPositionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async get(positionId: string): Promise<ClosedPositionRecord | null> {
    const row = await this.db.selectFrom('closed_positions').selectAll().where('position_id', '=', positionId).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** Trades closed in [since, until), oldest first. */
  async listClosedBetween(since: Date, until?: Date): Promise<ClosedPositionRecord[]> {
    let query = this.db.selectFrom('closed_positions').selectAll().where('closed_at', '>=', writeTime(since));
    if (until) query = query.where('closed_at', '<', writeTime(until));
    // Trades closed at the same instant (a flatten) come in position id order: the index's, and the same on every read.
    const rows = await query.orderBy('closed_at').orderBy('position_id').execute();
    return rows.map(fromRow);
  }

  /** Writes closed trades directly (history imports, benchmarks), 500 rows per statement. */
  async insertMany(records: readonly ClosedPositionRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 500) {
      await this.db
        .insertInto('closed_positions')
        .values(records.slice(i, i + 500).map(closedToRow))
        .execute();
    }
  }

  /**
   * Just what the statistics read, for trades closed since `since`: each
   * realized P&L, and the hold times summed by the database (whole seconds, exact).
   * One pass, and one row: the P&L texts come joined by commas, because a
   * row object per trade costs more than the scan (100,000 trades: ~20 ms
   * this way, ~90 ms as rows). Canonical decimal text never holds a comma.
   */
  async outcomesSince(since: Date): Promise<TradeOutcomes> {
    const { pnls, hold } = await this.db
      .selectFrom('closed_positions')
      .select((eb) => [
        this.dialect.joinedWithCommas('realized_pnl').as('pnls'),
        eb.fn.coalesce(eb.fn.sum<number>('hold_duration_seconds'), eb.lit(0)).as('hold'),
      ])
      .where('closed_at', '>=', writeTime(since))
      .executeTakeFirstOrThrow();
    return { realizedPnl: signedTotals(pnls === null ? [] : pnls.split(',')), totalHoldSeconds: Number(hold) };
  }

  /**
   * One page, newest first, by keyset: the rows after the last one shown,
   * found through the (closed_at, position_id) index (or the ticker's), so
   * page 500 costs what page 1 does (an OFFSET would read every row before it).
   */
  async listPage(query: ClosedTradePageQuery): Promise<ClosedPositionRecord[]> {
    let select = filtered(this.db.selectFrom('closed_positions').selectAll(), query);
    const { after } = query;
    // A row-value comparison, not `a < x OR (a = x AND b < y)`: databases search an index by the former and scan for the latter.
    if (after) select = select.where((eb) => eb(eb.refTuple('closed_at', 'position_id'), '<', eb.tuple(writeTime(after.closedAt), after.positionId)));
    const rows = await select.orderBy('closed_at', 'desc').orderBy('position_id', 'desc').limit(query.limit).execute();
    return rows.map(fromRow);
  }

  /** The count and the exact P&L sum in one pass (the P&L texts joined, as outcomesSince reads them). */
  async summarize(filter: ClosedTradeFilter): Promise<{ count: number; realizedPnl: Decimal }> {
    const { count, pnls } = await filtered(this.db.selectFrom('closed_positions'), filter)
      .select((eb) => [eb.fn.countAll<number | string | bigint>().as('count'), this.dialect.joinedWithCommas('realized_pnl').as('pnls')])
      .executeTakeFirstOrThrow();
    const totals = signedTotals(pnls === null ? [] : pnls.split(','));
    return { count: Number(count), realizedPnl: totals.positive.sum.plus(totals.negative.sum) };
  }

  /** Trades linked to a stored signal, joined to its confidence, oldest first. */
  async listCalibrationTrades(query: CalibrationTradeQuery): Promise<CalibrationTradeRecord[]> {
    let select = this.db
      .selectFrom('closed_positions as c')
      .innerJoin('signals as s', 's.signal_id', 'c.signal_id')
      .select(['c.position_id', 'c.strategy', 's.confidence', 'c.realized_pnl', 'c.realized_pnl_pct', 'c.closed_at']);
    if (query.strategy === null) select = select.where('c.strategy', 'is', null);
    else if (query.strategy !== undefined) select = select.where('c.strategy', '=', query.strategy);
    if (query.since) select = select.where('c.closed_at', '>=', writeTime(query.since));
    if (query.until) select = select.where('c.closed_at', '<', writeTime(query.until));
    const rows = await select.orderBy('c.closed_at').orderBy('c.position_id').execute();
    return rows.map((row) => ({
      positionId: row.position_id,
      strategy: row.strategy,
      confidence: money.read(row.confidence),
      realizedPnl: money.read(row.realized_pnl),
      realizedPnlPct: money.read(row.realized_pnl_pct),
      closedAt: readTime(row.closed_at),
    }));
  }
}

/** The filter's conditions on a closed_positions query. */
function filtered<O>(query: SelectQueryBuilder<Database, 'closed_positions', O>, f: ClosedTradeFilter): SelectQueryBuilder<Database, 'closed_positions', O> {
  let q = query;
  if (f.since) q = q.where('closed_at', '>=', writeTime(f.since));
  if (f.until) q = q.where('closed_at', '<', writeTime(f.until));
  if (f.ticker !== undefined) q = q.where('ticker', '=', f.ticker);
  if (f.strategy !== undefined) q = q.where('strategy', '=', f.strategy);
  if (f.exitReason !== undefined) q = q.where('exit_reason', '=', f.exitReason);
  return q;
}

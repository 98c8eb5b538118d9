import { type Kysely, sql } from 'kysely';
import { type Decimal, type SignedTotals, signedTotals } from '../../broker/money.js';
import type { PositionSide } from '../../broker/types.js';
import { money, readTime, writeTime } from '../codec.js';
import type { ClosedPositionRow, Database } from '../schema.js';

export const EXIT_REASONS = ['stop_loss', 'take_profit', 'manual', 'flatten', 'external'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface ClosedPositionRecord {
  positionId: string;
  ticker: string;
  side: PositionSide;
  quantity: Decimal;
  entryPrice: Decimal;
  exitPrice: Decimal;
  realizedPnl: Decimal;
  /** Ratio of the cost basis (0.05 = +5%). */
  realizedPnlPct: Decimal;
  exitReason: ExitReason;
  signalId: string | null;
  strategy: string | null;
  exitOrderId: string | null;
  entryOrderId: string | null;
  openedAt: Date;
  closedAt: Date;
}

/** Whole seconds the position was held. */
export function holdSeconds(r: Pick<ClosedPositionRecord, 'openedAt' | 'closedAt'>): number {
  return Math.max(0, Math.floor((r.closedAt.getTime() - r.openedAt.getTime()) / 1000));
}

export interface TradeOutcomes {
  realizedPnl: SignedTotals;
  totalHoldSeconds: number;
}

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

export class ClosedPositionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(positionId: string): Promise<ClosedPositionRecord | null> {
    const row = await this.db
      .selectFrom('closed_positions')
      .selectAll()
      .where('position_id', '=', positionId)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** Trades closed in [since, until), oldest first. */
  async listClosedBetween(since: Date, until?: Date): Promise<ClosedPositionRecord[]> {
    let query = this.db.selectFrom('closed_positions').selectAll().where('closed_at', '>=', writeTime(since));
    if (until) query = query.where('closed_at', '<', writeTime(until));
    const rows = await query.orderBy('closed_at').execute();
    return rows.map(fromRow);
  }

  /** Writes closed trades directly (history imports, benchmarks), 500 rows per statement. */
  async insertMany(records: readonly ClosedPositionRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 500) {
      await this.db.insertInto('closed_positions').values(records.slice(i, i + 500).map(closedToRow)).execute();
    }
  }

  /**
   * Just what the statistics read, for trades closed since `since`: each
   * realized P&L, and the hold times summed by SQLite (whole seconds, exact).
   * One pass, and one row: the P&L texts come joined by group_concat, because
   * a row object per trade costs more than the scan (100,000 trades: ~20 ms
   * this way, ~90 ms as rows). Canonical decimal text never holds a comma.
   */
  async outcomesSince(since: Date): Promise<TradeOutcomes> {
    const { pnls, hold } = await this.db
      .selectFrom('closed_positions')
      .select((eb) => [sql<string | null>`group_concat(realized_pnl)`.as('pnls'), eb.fn.coalesce(eb.fn.sum<number>('hold_duration_seconds'), eb.lit(0)).as('hold')])
      .where('closed_at', '>=', writeTime(since))
      .executeTakeFirstOrThrow();
    return { realizedPnl: signedTotals(pnls === null ? [] : pnls.split(',')), totalHoldSeconds: Number(hold) };
  }

  async listRecent(limit: number): Promise<ClosedPositionRecord[]> {
    const rows = await this.db.selectFrom('closed_positions').selectAll().orderBy('closed_at', 'desc').limit(limit).execute();
    return rows.map(fromRow);
  }
}

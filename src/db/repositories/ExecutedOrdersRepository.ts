import type { Kysely } from 'kysely';
import {
  type OrderClass,
  type OrderSide,
  type OrderStatus,
  type OrderType,
  ALL_ORDER_STATUSES,
  TERMINAL_STATUSES,
  type TimeInForce,
} from '../../domain/enums.js';
import type { ExecutedOrderStore, OrderBookQuery } from '../../domain/ports/store.js';
import type { ExecutedOrderRecord, ExitReason, OrderLeg, OrderProgress } from '../../domain/records.js';
import { money, readTime, readTimeOrNull, writeTime, writeTimeOrNull } from '../codec.js';
import { columnsOf, precompile, slotsFor } from '../precompiled.js';
import type { Database, ExecutedOrderRow } from '../schema.js';

function toRow(r: ExecutedOrderRecord): ExecutedOrderRow {
  return {
    order_id: r.orderId,
    client_order_id: r.clientOrderId,
    ticker: r.ticker,
    signal_id: r.signalId,
    side: r.side,
    quantity: money.write(r.quantity),
    order_type: r.orderType,
    order_class: r.orderClass,
    parent_order_id: r.parentOrderId,
    limit_price: money.writeOrNull(r.limitPrice),
    stop_price: money.writeOrNull(r.stopPrice),
    trail_price: money.writeOrNull(r.trailPrice),
    trail_percent: money.writeOrNull(r.trailPercent),
    time_in_force: r.timeInForce,
    status: r.status,
    filled_qty: money.write(r.filledQty),
    filled_avg_price: money.writeOrNull(r.filledAvgPrice),
    signal_price: money.writeOrNull(r.signalPrice),
    leg: r.leg,
    status_reason: r.statusReason,
    position_id: r.positionId,
    exit_reason: r.exitReason,
    stop_loss_price: money.writeOrNull(r.plannedStopLoss),
    take_profit_price: money.writeOrNull(r.plannedTakeProfit),
    strategy: r.strategy,
    submitted_at: writeTime(r.submittedAt),
    filled_at: writeTimeOrNull(r.filledAt),
    updated_at: writeTime(r.updatedAt),
  };
}

function fromRow(row: ExecutedOrderRow): ExecutedOrderRecord {
  return {
    orderId: row.order_id,
    clientOrderId: row.client_order_id,
    ticker: row.ticker,
    signalId: row.signal_id,
    side: row.side as OrderSide,
    quantity: money.read(row.quantity),
    orderType: row.order_type as OrderType,
    orderClass: row.order_class as OrderClass,
    parentOrderId: row.parent_order_id,
    limitPrice: money.readOrNull(row.limit_price),
    stopPrice: money.readOrNull(row.stop_price),
    trailPrice: money.readOrNull(row.trail_price),
    trailPercent: money.readOrNull(row.trail_percent),
    timeInForce: row.time_in_force as TimeInForce,
    status: row.status as OrderStatus,
    filledQty: money.read(row.filled_qty),
    filledAvgPrice: money.readOrNull(row.filled_avg_price),
    signalPrice: money.readOrNull(row.signal_price),
    leg: row.leg as OrderLeg | null,
    statusReason: row.status_reason,
    positionId: row.position_id,
    exitReason: row.exit_reason as ExitReason | null,
    plannedStopLoss: money.readOrNull(row.stop_loss_price),
    plannedTakeProfit: money.readOrNull(row.take_profit_price),
    strategy: row.strategy,
    submittedAt: readTime(row.submitted_at),
    filledAt: readTimeOrNull(row.filled_at),
    updatedAt: readTime(row.updated_at),
  };
}

const TERMINAL = [...TERMINAL_STATUSES];
/** The statuses an order can still change from, listed so the database can use the status index (a NOT IN cannot). */
const WORKING = ALL_ORDER_STATUSES.filter((s) => !TERMINAL_STATUSES.has(s));

const COLUMNS = columnsOf<ExecutedOrderRow>({
  order_id: true,
  client_order_id: true,
  ticker: true,
  signal_id: true,
  side: true,
  quantity: true,
  order_type: true,
  order_class: true,
  parent_order_id: true,
  limit_price: true,
  stop_price: true,
  trail_price: true,
  trail_percent: true,
  time_in_force: true,
  status: true,
  filled_qty: true,
  filled_avg_price: true,
  signal_price: true,
  leg: true,
  status_reason: true,
  position_id: true,
  exit_reason: true,
  stop_loss_price: true,
  take_profit_price: true,
  strategy: true,
  submitted_at: true,
  filled_at: true,
  updated_at: true,
});

// The order path's statements, compiled once (see precompiled.ts).
const INSERT = precompile<ExecutedOrderRow, unknown>((db, slot) => db.insertInto('executed_orders').values(slotsFor(COLUMNS, slot)));
const GET = precompile<{ orderId: string }, ExecutedOrderRow>((db, slot) =>
  db.selectFrom('executed_orders').selectAll().where('order_id', '=', slot('orderId')),
);
type ProgressRow = Pick<ExecutedOrderRow, 'order_id' | 'status' | 'filled_qty' | 'filled_avg_price' | 'filled_at' | 'updated_at' | 'status_reason'>;
const UPDATE_PROGRESS = precompile<ProgressRow, unknown>((db, slot) =>
  db
    .updateTable('executed_orders')
    .set({
      status: slot('status'),
      filled_qty: slot('filled_qty'),
      filled_avg_price: slot('filled_avg_price'),
      filled_at: slot('filled_at'),
      updated_at: slot('updated_at'),
      status_reason: slot('status_reason'),
    })
    .where('order_id', '=', slot('order_id'))
    // Never backwards: a finished order stays finished, unless it is the same finish (the ledger checks too; this holds for any writer).
    .where((eb) => eb.or([eb('status', 'not in', TERMINAL), eb('status', '=', slot('status'))])),
);

export class ExecutedOrdersRepository implements ExecutedOrderStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records an order; a second insert of the same order id or client id fails. */
  async insert(record: ExecutedOrderRecord): Promise<void> {
    await INSERT.execute(this.db, toRow(record));
  }

  async updateProgress(orderId: string, progress: OrderProgress): Promise<boolean> {
    const result = await UPDATE_PROGRESS.execute(this.db, {
      order_id: orderId,
      status: progress.status,
      filled_qty: money.write(progress.filledQty),
      filled_avg_price: money.writeOrNull(progress.filledAvgPrice),
      filled_at: writeTimeOrNull(progress.filledAt),
      updated_at: writeTime(progress.updatedAt),
      status_reason: progress.statusReason,
    });
    return (result.numAffectedRows ?? 0n) > 0n;
  }

  async get(orderId: string): Promise<ExecutedOrderRecord | null> {
    const row = (await GET.execute(this.db, { orderId })).rows[0];
    return row ? fromRow(row) : null;
  }

  async getByClientOrderId(clientOrderId: string): Promise<ExecutedOrderRecord | null> {
    const row = await this.db.selectFrom('executed_orders').selectAll().where('client_order_id', '=', clientOrderId).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** Orders that can still fill or change, oldest first (the ledger reads them once, then keeps them itself). */
  async listOpen(): Promise<ExecutedOrderRecord[]> {
    const rows = await this.db.selectFrom('executed_orders').selectAll().where('status', 'in', WORKING).orderBy('submitted_at').execute();
    return rows.map(fromRow);
  }

  /** A bracket's legs (children of `parentOrderId`). */
  listChildren(parentOrderId: string): Promise<ExecutedOrderRecord[]> {
    return this.listWhere('parent_order_id', parentOrderId);
  }

  /** Orders sent to close `positionId` (for the next exit's client order id). */
  listForPosition(positionId: string): Promise<ExecutedOrderRecord[]> {
    return this.listWhere('position_id', positionId);
  }

  listBySignal(signalId: string): Promise<ExecutedOrderRecord[]> {
    return this.listWhere('signal_id', signalId);
  }

  /** Orders whose `column` equals `value`, oldest first. */
  private async listWhere(column: 'parent_order_id' | 'position_id' | 'signal_id', value: string): Promise<ExecutedOrderRecord[]> {
    const rows = await this.db.selectFrom('executed_orders').selectAll().where(column, '=', value).orderBy('submitted_at').execute();
    return rows.map(fromRow);
  }

  /** Orders submitted at or after `since`, oldest first (execution statistics). */
  async listSubmittedSince(since: Date): Promise<ExecutedOrderRecord[]> {
    const rows = await this.db.selectFrom('executed_orders').selectAll().where('submitted_at', '>=', writeTime(since)).orderBy('submitted_at').execute();
    return rows.map(fromRow);
  }

  /**
   * Orders without a parent, newest first (down the submitted_at index).
   * Open means the order or one of its legs still works: a filled bracket
   * entry whose stop and target wait at the broker is an open bracket.
   */
  async listTopLevel(query: OrderBookQuery): Promise<ExecutedOrderRecord[]> {
    let select = this.db.selectFrom('executed_orders').selectAll().where('parent_order_id', 'is', null);
    if (query.ticker !== undefined) select = select.where('ticker', '=', query.ticker);
    if (query.status !== 'all') {
      const open = query.status === 'open';
      select = select.where((eb) => {
        const working = eb.or([
          eb('status', 'in', WORKING),
          eb.exists(
            eb
              .selectFrom('executed_orders as leg')
              .select('leg.order_id')
              .whereRef('leg.parent_order_id', '=', 'executed_orders.order_id')
              .where('leg.status', 'in', WORKING),
          ),
        ]);
        return open ? working : eb.not(working);
      });
    }
    const rows = await select.orderBy('submitted_at', 'desc').orderBy('order_id', 'desc').limit(query.limit).execute();
    return rows.map(fromRow);
  }
}

import type { Kysely } from 'kysely';
import type { SimChanges, SimOrderState, SimState, SimStatePersistence } from '../../broker/sim/state.js';
import type { OrderClass, OrderSide, OrderStatus, OrderType, TimeInForce } from '../../domain/enums.js';
import { writeTime } from '../codec.js';
import type { Dialect, RowTarget, RowWrite } from '../dialect.js';
import { columnsOf } from '../precompiled.js';
import type { Database } from '../schema.js';
import { inTransaction } from '../transaction.js';

type OrderRow = Database['sim_orders'];
type HoldingRow = Database['sim_holdings'];
type PriceRow = Database['sim_prices'];
type ScalarRow = Database['sim_state'];

/** An order as its row (the readable form of `orderValues`). */
function orderToRow(o: SimOrderState): OrderRow {
  return {
    id: o.id,
    seq: o.seq,
    client_order_id: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    order_class: o.orderClass,
    time_in_force: o.timeInForce,
    qty: o.qty,
    filled_qty: o.filledQty,
    filled_avg_price: o.filledAvgPrice,
    limit_price: o.limitPrice,
    stop_price: o.stopPrice,
    trail_price: o.trailPrice,
    trail_percent: o.trailPercent,
    hwm: o.hwm,
    status: o.status,
    parent_id: o.parentId,
    leg_ids: JSON.stringify(o.legIds),
    oco_with: o.ocoWith,
    triggered: o.triggered ? 1 : 0,
    submitted_at: o.submittedAt,
    updated_at: o.updatedAt,
    filled_at: o.filledAt,
    canceled_at: o.canceledAt,
    expired_at: o.expiredAt,
    expires_at: o.expiresAt,
    status_reason: o.statusReason,
    replaced_by: o.replacedBy,
    executions: o.executions,
  };
}

function orderFromRow(r: OrderRow): SimOrderState {
  return {
    seq: r.seq,
    id: r.id,
    clientOrderId: r.client_order_id,
    symbol: r.symbol,
    side: r.side as OrderSide,
    type: r.type as OrderType,
    orderClass: r.order_class as OrderClass,
    timeInForce: r.time_in_force as TimeInForce,
    qty: r.qty,
    filledQty: r.filled_qty,
    filledAvgPrice: r.filled_avg_price,
    limitPrice: r.limit_price,
    stopPrice: r.stop_price,
    trailPrice: r.trail_price,
    trailPercent: r.trail_percent,
    hwm: r.hwm,
    status: r.status as OrderStatus,
    parentId: r.parent_id,
    legIds: JSON.parse(r.leg_ids) as string[],
    ocoWith: r.oco_with,
    triggered: r.triggered === 1,
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
    filledAt: r.filled_at,
    canceledAt: r.canceled_at,
    expiredAt: r.expired_at,
    expiresAt: r.expires_at,
    statusReason: r.status_reason,
    replacedBy: r.replaced_by,
    executions: r.executions,
  };
}

const ORDER_COLUMNS = columnsOf<OrderRow>({
  seq: true,
  id: true,
  client_order_id: true,
  symbol: true,
  side: true,
  type: true,
  order_class: true,
  time_in_force: true,
  qty: true,
  filled_qty: true,
  filled_avg_price: true,
  limit_price: true,
  stop_price: true,
  trail_price: true,
  trail_percent: true,
  hwm: true,
  status: true,
  parent_id: true,
  leg_ids: true,
  oco_with: true,
  triggered: true,
  submitted_at: true,
  updated_at: true,
  filled_at: true,
  canceled_at: true,
  expired_at: true,
  expires_at: true,
  status_reason: true,
  replaced_by: true,
  executions: true,
});
const HOLDING_COLUMNS = columnsOf<HoldingRow>({ ticker: true, seq: true, qty: true, avg_entry_price: true, opened_on: true });
const PRICE_COLUMNS = columnsOf<PriceRow>({ ticker: true, seq: true, price: true, size: true, timestamp: true });
const SCALAR_COLUMNS = columnsOf<ScalarRow>({
  id: true,
  clock: true,
  cash: true,
  realized_pnl: true,
  feed_draws: true,
  last_equity: true,
  last_equity_day: true,
  day_trades: true,
  account_id: true,
  saved_at: true,
});

/** An order's values straight from the engine's form, in ORDER_COLUMNS order (checked against orderToRow below). */
function orderValues(o: SimOrderState): unknown[] {
  return [
    o.seq,
    o.id,
    o.clientOrderId,
    o.symbol,
    o.side,
    o.type,
    o.orderClass,
    o.timeInForce,
    o.qty,
    o.filledQty,
    o.filledAvgPrice,
    o.limitPrice,
    o.stopPrice,
    o.trailPrice,
    o.trailPercent,
    o.hwm,
    o.status,
    o.parentId,
    o.legIds.length === 0 ? '[]' : JSON.stringify(o.legIds),
    o.ocoWith,
    o.triggered ? 1 : 0,
    o.submittedAt,
    o.updatedAt,
    o.filledAt,
    o.canceledAt,
    o.expiredAt,
    o.expiresAt,
    o.statusReason,
    o.replacedBy,
    o.executions,
  ];
}

// orderValues must list ORDER_COLUMNS in order: checked once, on a sample, when the module loads.
{
  const sample = Object.fromEntries(ORDER_COLUMNS.map((c, i) => [c, `v${i}`])) as unknown as OrderRow;
  const o = { ...orderFromRow({ ...sample, leg_ids: '["v18"]', triggered: 1 }) };
  const direct = orderValues(o);
  const viaRow = orderToRow(o);
  if (ORDER_COLUMNS.some((c, i) => direct[i] !== viaRow[c])) throw new Error('sim_orders: orderValues does not follow ORDER_COLUMNS');
}

// Where a save's rows go: the same objects every time (the dialect keeps a statement per target).
const ORDERS: RowTarget = { table: 'sim_orders', columns: ORDER_COLUMNS, key: 'seq' };
const HOLDINGS: RowTarget = { table: 'sim_holdings', columns: HOLDING_COLUMNS, key: 'ticker' };
const PRICES: RowTarget = { table: 'sim_prices', columns: PRICE_COLUMNS, key: 'ticker' };
const SCALAR: RowTarget = { table: 'sim_state', columns: SCALAR_COLUMNS, key: 'id' };

/**
 * The paper simulator's state as rows: `sim_orders` (one per order),
 * `sim_holdings` (one per open position), `sim_prices` (one per feed ticker)
 * and the scalar row in `sim_state`. A save writes only the rows that changed.
 */
export class SimStateRepository implements SimStatePersistence {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async load(): Promise<SimState | null> {
    return inTransaction(this.db, async (trx) => {
      const scalar = await trx.selectFrom('sim_state').selectAll().where('id', '=', 1).executeTakeFirst();
      if (!scalar) return null;
      const orders = await trx.selectFrom('sim_orders').selectAll().orderBy('seq').execute();
      const holdings = await trx.selectFrom('sim_holdings').selectAll().orderBy('seq').execute();
      const prices = await trx.selectFrom('sim_prices').selectAll().orderBy('seq').execute();
      return {
        scalar: {
          clock: scalar.clock,
          cash: scalar.cash,
          realizedPnl: scalar.realized_pnl,
          feedDraws: scalar.feed_draws,
          lastEquity: scalar.last_equity,
          lastEquityDay: scalar.last_equity_day,
          dayTrades: JSON.parse(scalar.day_trades) as Record<string, number>,
          accountId: scalar.account_id,
        },
        orders: orders.map(orderFromRow),
        holdings: holdings.map((h) => ({ ticker: h.ticker, seq: h.seq, qty: h.qty, avgEntryPrice: h.avg_entry_price, openedOn: h.opened_on })),
        prices: prices.map((p) => ({ ticker: p.ticker, seq: p.seq, price: p.price, size: p.size, timestamp: p.timestamp })),
      };
    });
  }

  /**
   * One atomic write of what changed, every row through the dialect's kept
   * statements. Not an async function: on the order path each turn of the
   * event loop counts, so the caller's await resumes as soon as the write is done.
   */
  save(changes: SimChanges, at: Date): Promise<void> {
    let writes: RowWrite[];
    try {
      writes = rowWrites(changes, at);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.dialect.writeRows(this.db, writes);
  }
}

function rowWrites(changes: SimChanges, at: Date): RowWrite[] {
  const writes: RowWrite[] = [];
  for (const o of changes.orders) writes.push({ kind: 'upsert', target: ORDERS, values: orderValues(o) });
  // Values in HOLDING_COLUMNS and PRICE_COLUMNS order.
  for (const h of changes.holdings) writes.push({ kind: 'upsert', target: HOLDINGS, values: [h.ticker, h.seq, h.qty, h.avgEntryPrice, h.openedOn] });
  for (const ticker of changes.closedHoldings) writes.push({ kind: 'delete', target: HOLDINGS, key: ticker });
  for (const p of changes.prices) writes.push({ kind: 'upsert', target: PRICES, values: [p.ticker, p.seq, p.price, p.size, p.timestamp] });
  const s = changes.scalar;
  const scalar: ScalarRow = {
    id: 1,
    clock: s.clock,
    cash: s.cash,
    realized_pnl: s.realizedPnl,
    feed_draws: s.feedDraws,
    last_equity: s.lastEquity,
    last_equity_day: s.lastEquityDay,
    day_trades: JSON.stringify(s.dayTrades),
    account_id: s.accountId,
    saved_at: writeTime(at),
  };
  writes.push({ kind: 'upsert', target: SCALAR, values: SCALAR_COLUMNS.map((c) => scalar[c]) });
  return writes;
}

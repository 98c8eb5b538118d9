import type { CompiledQuery, Kysely } from 'kysely';
import type {
  SimChanges,
  SimHoldingState,
  SimOrderState,
  SimPriceState,
  SimState,
  SimStatePersistence,
} from '../../broker/sim/state.js';
import type { OrderClass, OrderSide, OrderStatus, OrderType, TimeInForce } from '../../broker/types.js';
import { writeTime } from '../codec.js';
import { columnsOf, precompile } from '../precompiled.js';
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
  seq: true, id: true, client_order_id: true, symbol: true, side: true, type: true, order_class: true, time_in_force: true,
  qty: true, filled_qty: true, filled_avg_price: true, limit_price: true, stop_price: true, trail_price: true, trail_percent: true,
  hwm: true, status: true, parent_id: true, leg_ids: true, oco_with: true, triggered: true, submitted_at: true, updated_at: true,
  filled_at: true, canceled_at: true, expired_at: true, expires_at: true, status_reason: true, replaced_by: true, executions: true,
});
const HOLDING_COLUMNS = columnsOf<HoldingRow>({ ticker: true, seq: true, qty: true, avg_entry_price: true, opened_on: true });
const PRICE_COLUMNS = columnsOf<PriceRow>({ ticker: true, seq: true, price: true, size: true, timestamp: true });
const SCALAR_COLUMNS = columnsOf<ScalarRow>({
  id: true, clock: true, cash: true, realized_pnl: true, feed_draws: true, last_equity: true, last_equity_day: true,
  day_trades: true, account_id: true, saved_at: true,
});

/**
 * `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET every column`:
 * all of a save's rows of one table in one statement, compiled once per row
 * count (only the values change between runs, as in precompiled.ts).
 */
class Upsert<Row extends object, Item = Row> {
  private readonly compiled = new Map<number, CompiledQuery>();

  constructor(
    private readonly table: 'sim_orders' | 'sim_holdings' | 'sim_prices' | 'sim_state',
    private readonly columns: readonly (keyof Row & string)[],
    private readonly key: keyof Row & string,
    /** Appends one item's values to `out`, in `columns` order. */
    private readonly values: (item: Item, out: unknown[]) => void,
  ) {}

  async execute(db: Kysely<Database>, items: readonly Item[]): Promise<void> {
    for (let i = 0; i < items.length; i += MAX_ROWS_PER_STATEMENT) {
      const chunk = items.slice(i, i + MAX_ROWS_PER_STATEMENT);
      const template = this.template(db, chunk.length);
      const parameters: unknown[] = [];
      for (const item of chunk) this.values(item, parameters);
      await db.executeQuery({ ...template, parameters });
    }
  }

  private template(db: Kysely<Database>, count: number): CompiledQuery {
    let template = this.compiled.get(count);
    if (template) return template;
    const placeholder = Object.fromEntries(this.columns.map((c) => [c, null]));
    const any = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    template = any
      .insertInto(this.table)
      .values(Array.from({ length: count }, () => placeholder))
      .onConflict((oc) =>
        oc.column(this.key).doUpdateSet((eb) =>
          Object.fromEntries(this.columns.filter((c) => c !== this.key).map((c) => [c, eb.ref(`excluded.${c}`)])),
        ),
      )
      .compile();
    // Every parameter is a row value, row after row, in column order.
    if (template.parameters.length !== count * this.columns.length) throw new Error(`${this.table}: unexpected upsert parameters`);
    this.compiled.set(count, template);
    return template;
  }
}

/** SQLite allows 32,766 variables in a statement; 31 columns x 100 rows stays far below. */
const MAX_ROWS_PER_STATEMENT = 100;

/** A row's values in its columns' order. */
function valuesOf<Row extends object>(columns: readonly (keyof Row & string)[]): (row: Row, out: unknown[]) => void {
  return (row, out) => {
    for (const c of columns) out.push(row[c]);
  };
}

/** An order's values straight from the engine's form, in ORDER_COLUMNS order (checked against orderToRow below). */
function orderValues(o: SimOrderState, out: unknown[]): void {
  out.push(
    o.seq, o.id, o.clientOrderId, o.symbol, o.side, o.type, o.orderClass, o.timeInForce, o.qty, o.filledQty, o.filledAvgPrice,
    o.limitPrice, o.stopPrice, o.trailPrice, o.trailPercent, o.hwm, o.status, o.parentId, JSON.stringify(o.legIds), o.ocoWith,
    o.triggered ? 1 : 0, o.submittedAt, o.updatedAt, o.filledAt, o.canceledAt, o.expiredAt, o.expiresAt, o.statusReason,
    o.replacedBy, o.executions,
  );
}

// orderValues must list ORDER_COLUMNS in order: checked once, on a sample, when the module loads.
{
  const sample = Object.fromEntries(ORDER_COLUMNS.map((c, i) => [c, `v${i}`])) as unknown as OrderRow;
  const o = { ...orderFromRow({ ...sample, leg_ids: '["v18"]', triggered: 1 }) };
  const direct: unknown[] = [];
  orderValues(o, direct);
  const viaRow = orderToRow(o);
  if (ORDER_COLUMNS.some((c, i) => direct[i] !== viaRow[c])) throw new Error('sim_orders: orderValues does not follow ORDER_COLUMNS');
}

const UPSERT_ORDERS = new Upsert<OrderRow, SimOrderState>('sim_orders', ORDER_COLUMNS, 'seq', orderValues);
const UPSERT_HOLDINGS = new Upsert<HoldingRow, SimHoldingState>('sim_holdings', HOLDING_COLUMNS, 'ticker', (h, out) => {
  out.push(h.ticker, h.seq, h.qty, h.avgEntryPrice, h.openedOn);
});
const UPSERT_PRICES = new Upsert<PriceRow, SimPriceState>('sim_prices', PRICE_COLUMNS, 'ticker', (p, out) => {
  out.push(p.ticker, p.seq, p.price, p.size, p.timestamp);
});
const UPSERT_SCALAR = new Upsert<ScalarRow>('sim_state', SCALAR_COLUMNS, 'id', valuesOf(SCALAR_COLUMNS));
const DELETE_HOLDING = precompile<{ ticker: string }, unknown>((db, slot) => db.deleteFrom('sim_holdings').where('ticker', '=', slot('ticker')));

/**
 * The paper simulator's state as rows: `sim_orders` (one per order),
 * `sim_holdings` (one per open position), `sim_prices` (one per feed ticker)
 * and the scalar row in `sim_state`. A save writes only the rows that changed.
 */
export class SimStateRepository implements SimStatePersistence {
  constructor(private readonly db: Kysely<Database>) {}

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

  async save(changes: SimChanges, at: Date): Promise<void> {
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
    await inTransaction(this.db, async (trx) => {
      if (changes.orders.length > 0) await UPSERT_ORDERS.execute(trx, changes.orders);
      if (changes.holdings.length > 0) await UPSERT_HOLDINGS.execute(trx, changes.holdings);
      for (const ticker of changes.closedHoldings) await DELETE_HOLDING.execute(trx, { ticker });
      if (changes.prices.length > 0) await UPSERT_PRICES.execute(trx, changes.prices);
      await UPSERT_SCALAR.execute(trx, [scalar]);
    });
  }
}

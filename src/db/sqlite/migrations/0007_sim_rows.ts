/**
 * The paper simulator's state as rows instead of one JSON snapshot: one row
 * per order (`sim_orders`), per open holding (`sim_holdings`) and per feed
 * ticker (`sim_prices`), and `sim_state` keeps one small row of scalars. A
 * command then writes what it changed, not the account's whole history.
 *
 * An existing snapshot is converted, so a paper account survives the upgrade.
 * Self-contained on purpose: it reads the snapshot format as it was shipped
 * (version 1), whatever the engine's code becomes.
 */
import { type Kysely, sql } from 'kysely';

/** An order in the version 1 snapshot. */
interface V1Order {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: string;
  type: string;
  orderClass: string;
  timeInForce: string;
  qty: string;
  filledQty: string;
  filledAvgPrice: string | null;
  limitPrice: string | null;
  stopPrice: string | null;
  trailPrice: string | null;
  trailPercent: string | null;
  hwm: string | null;
  status: string;
  parentId: string | null;
  legIds: string[];
  ocoWith: string | null;
  triggered: boolean;
  submittedAt: string;
  updatedAt: string;
  filledAt: string | null;
  canceledAt: string | null;
  expiredAt: string | null;
  expiresAt: string | null;
  statusReason: string | null;
  replacedBy: string | null;
  executions: number;
}

/** The version 1 snapshot, as `sim_state.snapshot` held it. */
interface V1Snapshot {
  version: 1;
  clock: string;
  ledger: { cash: string; realizedPnl: string; holdings: Record<string, { qty: string; avgEntryPrice: string }> };
  feed: { trades: Record<string, { price: string; size: string; timestamp: string }>; draws: number };
  orders: V1Order[];
  lastEquity: string;
  lastEquityDay: string;
  dayTrades: string[];
  openedOn: Record<string, string>;
  accountId: string;
}

/** Rows per multi-row INSERT (31 columns each stays far under SQLite's variable limit). */
const CHUNK = 200;

async function createRowTables(db: Kysely<unknown>): Promise<void> {
  // Keyed by `seq` (the rowid): new orders append to the table's last page, so
  // a bracket's three orders are one page written, and no index on the random
  // order id has to be kept (the engine looks orders up in memory).
  await db.schema
    .createTable('sim_orders')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('client_order_id', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('order_class', 'text', (c) => c.notNull())
    .addColumn('time_in_force', 'text', (c) => c.notNull())
    .addColumn('qty', 'text', (c) => c.notNull())
    .addColumn('filled_qty', 'text', (c) => c.notNull())
    .addColumn('filled_avg_price', 'text')
    .addColumn('limit_price', 'text')
    .addColumn('stop_price', 'text')
    .addColumn('trail_price', 'text')
    .addColumn('trail_percent', 'text')
    .addColumn('hwm', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('leg_ids', 'text', (c) => c.notNull())
    .addColumn('oco_with', 'text')
    .addColumn('triggered', 'integer', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('filled_at', 'text')
    .addColumn('canceled_at', 'text')
    .addColumn('expired_at', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('status_reason', 'text')
    .addColumn('replaced_by', 'text')
    .addColumn('executions', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sim_holdings')
    .addColumn('ticker', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('qty', 'text', (c) => c.notNull())
    .addColumn('avg_entry_price', 'text', (c) => c.notNull())
    .addColumn('opened_on', 'text')
    // One b-tree keyed by ticker (no separate key index): a change writes one page.
    .modifyEnd(sql`without rowid`)
    .execute();
  await db.schema
    .createTable('sim_prices')
    .addColumn('ticker', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('price', 'text', (c) => c.notNull())
    .addColumn('size', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .modifyEnd(sql`without rowid`)
    .execute();
}

async function createScalarTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sim_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('clock', 'text', (c) => c.notNull())
    .addColumn('cash', 'text', (c) => c.notNull())
    .addColumn('realized_pnl', 'text', (c) => c.notNull())
    .addColumn('feed_draws', 'integer', (c) => c.notNull())
    .addColumn('last_equity', 'text', (c) => c.notNull())
    .addColumn('last_equity_day', 'text', (c) => c.notNull())
    .addColumn('day_trades', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('saved_at', 'text', (c) => c.notNull())
    .execute();
}

async function insertChunked(db: Kysely<unknown>, table: string, rows: Record<string, unknown>[]): Promise<void> {
  // Migrations are written against no schema type.
  const any = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (let i = 0; i < rows.length; i += CHUNK)
    await any
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK))
      .execute();
}

async function columnsOf(db: Kysely<unknown>, table: string): Promise<string[]> {
  const result = await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db);
  return result.rows.map((r) => r.name);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite migrations are not wrapped in a transaction by kysely: this one is, so
  // an interrupted upgrade leaves the snapshot as it was.
  await db.transaction().execute(async (trx) => {
    // Already converted (the upgrade committed but was not recorded): nothing to do.
    if (!(await columnsOf(trx, 'sim_state')).includes('snapshot')) return;
    const old = await sql<{ snapshot: string; saved_at: string }>`SELECT snapshot, saved_at FROM sim_state WHERE id = 1`.execute(trx);
    const saved = old.rows[0] ?? null;
    await trx.schema.dropTable('sim_state').execute();
    await createScalarTable(trx);
    await createRowTables(trx);
    if (!saved) return;

    const s = JSON.parse(saved.snapshot) as V1Snapshot;
    if (s.version !== 1) throw new Error(`sim_state: unknown snapshot version ${String(s.version)}`);
    await insertChunked(trx, 'sim_state', [
      {
        id: 1,
        clock: s.clock,
        cash: s.ledger.cash,
        realized_pnl: s.ledger.realizedPnl,
        feed_draws: s.feed.draws,
        last_equity: s.lastEquity,
        last_equity_day: s.lastEquityDay,
        // One entry per day trade becomes a count per day.
        day_trades: JSON.stringify(s.dayTrades.reduce<Record<string, number>>((counts, d) => ({ ...counts, [d]: (counts[d] ?? 0) + 1 }), {})),
        account_id: s.accountId,
        saved_at: saved.saved_at,
      },
    ]);
    await insertChunked(
      trx,
      'sim_orders',
      // The snapshot listed orders in the engine's order: that order becomes `seq`.
      s.orders.map((o, seq) => ({
        seq,
        id: o.id,
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
      })),
    );
    await insertChunked(
      trx,
      'sim_holdings',
      Object.entries(s.ledger.holdings).map(([ticker, h], seq) => ({
        ticker,
        seq,
        qty: h.qty,
        avg_entry_price: h.avgEntryPrice,
        opened_on: s.openedOn[ticker] ?? null,
      })),
    );
    await insertChunked(
      trx,
      'sim_prices',
      Object.entries(s.feed.trades).map(([ticker, t], seq) => ({ ticker, seq, price: t.price, size: t.size, timestamp: t.timestamp })),
    );
  });
}

/** Back to one snapshot row (version 1), built from the rows. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const any = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const scalar = (await any.selectFrom('sim_state').selectAll().where('id', '=', 1).executeTakeFirst()) as Record<string, string | number> | undefined;
    let snapshot: V1Snapshot | null = null;
    if (scalar) {
      const orders = (await any.selectFrom('sim_orders').selectAll().orderBy('seq').execute()) as Record<string, string | number | null>[];
      const holdings = (await any.selectFrom('sim_holdings').selectAll().orderBy('seq').execute()) as Record<string, string | null>[];
      const prices = (await any.selectFrom('sim_prices').selectAll().orderBy('seq').execute()) as Record<string, string>[];
      snapshot = {
        version: 1,
        clock: String(scalar.clock),
        ledger: {
          cash: String(scalar.cash),
          realizedPnl: String(scalar.realized_pnl),
          holdings: Object.fromEntries(holdings.map((h) => [String(h.ticker), { qty: String(h.qty), avgEntryPrice: String(h.avg_entry_price) }])),
        },
        feed: {
          trades: Object.fromEntries(prices.map((p) => [p.ticker, { price: p.price, size: p.size, timestamp: p.timestamp }])),
          draws: Number(scalar.feed_draws),
        },
        orders: orders.map((o) => ({
          id: String(o.id),
          clientOrderId: String(o.client_order_id),
          symbol: String(o.symbol),
          side: String(o.side),
          type: String(o.type),
          orderClass: String(o.order_class),
          timeInForce: String(o.time_in_force),
          qty: String(o.qty),
          filledQty: String(o.filled_qty),
          filledAvgPrice: o.filled_avg_price as string | null,
          limitPrice: o.limit_price as string | null,
          stopPrice: o.stop_price as string | null,
          trailPrice: o.trail_price as string | null,
          trailPercent: o.trail_percent as string | null,
          hwm: o.hwm as string | null,
          status: String(o.status),
          parentId: o.parent_id as string | null,
          legIds: JSON.parse(String(o.leg_ids)) as string[],
          ocoWith: o.oco_with as string | null,
          triggered: Number(o.triggered) === 1,
          submittedAt: String(o.submitted_at),
          updatedAt: String(o.updated_at),
          filledAt: o.filled_at as string | null,
          canceledAt: o.canceled_at as string | null,
          expiredAt: o.expired_at as string | null,
          expiresAt: o.expires_at as string | null,
          statusReason: o.status_reason as string | null,
          replacedBy: o.replaced_by as string | null,
          executions: Number(o.executions),
        })),
        lastEquity: String(scalar.last_equity),
        lastEquityDay: String(scalar.last_equity_day),
        dayTrades: Object.entries(JSON.parse(String(scalar.day_trades)) as Record<string, number>).flatMap(([d, n]) => Array<string>(n).fill(d)),
        openedOn: Object.fromEntries(holdings.filter((h) => h.opened_on !== null).map((h) => [String(h.ticker), String(h.opened_on)])),
        accountId: String(scalar.account_id),
      };
    }
    for (const table of ['sim_orders', 'sim_holdings', 'sim_prices', 'sim_state']) await trx.schema.dropTable(table).execute();
    await trx.schema
      .createTable('sim_state')
      .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('saved_at', 'text', (c) => c.notNull())
      .execute();
    if (snapshot && scalar) await insertChunked(trx, 'sim_state', [{ id: 1, snapshot: JSON.stringify(snapshot), saved_at: String(scalar.saved_at) }]);
  });
}

/**
 * The first tables. Money columns are TEXT on purpose: a NUMERIC
 * column would turn '0.1' into a binary float; TEXT keeps it exact.
 */
import { type Kysely, sql } from 'kysely';

const ORDER_SIDES = sql`('buy', 'sell')`;
const EXIT_REASONS = sql`('stop_loss', 'take_profit', 'manual', 'flatten', 'external')`;
const ALERT_KINDS = sql`('fill', 'partial_fill', 'stop_loss', 'take_profit', 'position_closed',
  'order_rejected', 'order_canceled', 'order_expired', 'halted', 'resumed',
  'broker_disconnected', 'broker_reconnected', 'reconciliation', 'daily_report')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('executed_orders')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('client_order_id', 'text', (c) => c.notNull().unique())
    .addColumn('ticker', 'text', (c) => c.notNull())
    .addColumn('signal_id', 'text')
    .addColumn('side', 'text', (c) => c.notNull().check(sql`side IN ${ORDER_SIDES}`))
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('order_type', 'text', (c) => c.notNull())
    .addColumn('order_class', 'text', (c) => c.notNull().defaultTo('simple'))
    .addColumn('parent_order_id', 'text', (c) => c.references('executed_orders.order_id').onDelete('cascade'))
    .addColumn('limit_price', 'text')
    .addColumn('stop_price', 'text')
    .addColumn('trail_price', 'text')
    .addColumn('trail_percent', 'text')
    .addColumn('time_in_force', 'text', (c) => c.notNull().defaultTo('day'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('filled_qty', 'text', (c) => c.notNull().defaultTo('0'))
    .addColumn('filled_avg_price', 'text')
    .addColumn('signal_price', 'text')
    .addColumn('leg', 'text', (c) => c.check(sql`leg IS NULL OR leg IN ('entry', 'stop_loss', 'take_profit')`))
    .addColumn('status_reason', 'text')
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('filled_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('idx_executed_orders_ticker').on('executed_orders').column('ticker').execute();
  await db.schema.createIndex('idx_executed_orders_status').on('executed_orders').column('status').execute();
  await db.schema.createIndex('idx_executed_orders_signal').on('executed_orders').column('signal_id').execute();
  await db.schema.createIndex('idx_executed_orders_submitted').on('executed_orders').column('submitted_at').execute();
  await db.schema.createIndex('idx_executed_orders_parent').on('executed_orders').column('parent_order_id').execute();

  await db.schema
    .createTable('positions')
    .addColumn('position_id', 'text', (c) => c.primaryKey())
    // One open position per ticker: the broker nets them anyway.
    .addColumn('ticker', 'text', (c) => c.notNull().unique())
    .addColumn('side', 'text', (c) => c.notNull().check(sql`side IN ('long', 'short')`))
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('entry_price', 'text', (c) => c.notNull())
    .addColumn('current_price', 'text', (c) => c.notNull())
    .addColumn('unrealized_pnl', 'text', (c) => c.notNull().defaultTo('0'))
    .addColumn('stop_loss_price', 'text')
    .addColumn('take_profit_price', 'text')
    .addColumn('signal_id', 'text')
    .addColumn('strategy', 'text')
    .addColumn('entry_order_id', 'text')
    .addColumn('stop_loss_order_id', 'text')
    .addColumn('take_profit_order_id', 'text')
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('closed_positions')
    .addColumn('position_id', 'text', (c) => c.primaryKey())
    .addColumn('ticker', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull().check(sql`side IN ('long', 'short')`))
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('entry_price', 'text', (c) => c.notNull())
    .addColumn('exit_price', 'text', (c) => c.notNull())
    .addColumn('realized_pnl', 'text', (c) => c.notNull())
    .addColumn('realized_pnl_pct', 'text', (c) => c.notNull())
    .addColumn('exit_reason', 'text', (c) => c.notNull().check(sql`exit_reason IN ${EXIT_REASONS}`))
    .addColumn('signal_id', 'text')
    .addColumn('strategy', 'text')
    .addColumn('exit_order_id', 'text')
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('idx_closed_positions_closed_at').on('closed_positions').column('closed_at').execute();
  await db.schema.createIndex('idx_closed_positions_ticker').on('closed_positions').column('ticker').execute();

  await db.schema
    .createTable('signals')
    .addColumn('signal_id', 'text', (c) => c.primaryKey())
    .addColumn('ticker', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action IN ${ORDER_SIDES}`))
    .addColumn('entry_price', 'text', (c) => c.notNull())
    .addColumn('stop_loss_price', 'text', (c) => c.notNull())
    .addColumn('take_profit_price', 'text', (c) => c.notNull())
    .addColumn('confidence', 'text', (c) => c.notNull())
    .addColumn('position_size_pct', 'text')
    .addColumn('signal_type', 'text')
    .addColumn('strategy', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('pending', 'approved', 'executed', 'rejected', 'expired', 'failed')`))
    .addColumn('signal_time', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('order_id', 'text')
    .addColumn('channel_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('idx_signals_status').on('signals').columns(['status', 'received_at']).execute();
  await db.schema.createIndex('idx_signals_ticker').on('signals').column('ticker').execute();

  await db.schema
    .createTable('equity_snapshots')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('trading_day', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('intraday', 'eod')`))
    .addColumn('equity', 'text', (c) => c.notNull())
    .addColumn('cash', 'text', (c) => c.notNull())
    .addColumn('positions_value', 'text', (c) => c.notNull())
    .addColumn('unrealized_pnl', 'text', (c) => c.notNull())
    .addColumn('realized_pnl_day', 'text', (c) => c.notNull())
    .addColumn('open_positions', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('idx_equity_snapshots_taken_at').on('equity_snapshots').column('taken_at').execute();
  // One end-of-day snapshot per trading day.
  await sql`CREATE UNIQUE INDEX idx_equity_snapshots_eod ON equity_snapshots (trading_day) WHERE kind = 'eod'`.execute(db);

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('event_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ${ALERT_KINDS}`))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  await sql`CREATE INDEX idx_alerts_unposted ON alerts (created_at) WHERE posted_at IS NULL`.execute(db);

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN ('ok', 'refused', 'error')`))
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('idx_audit_log_at').on('audit_log').column('at').execute();

  await db.schema
    .createTable('trading_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('ACTIVE', 'HALTED')`))
    .addColumn('reason', 'text')
    .addColumn('changed_by', 'text')
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('day_start_equity', 'text')
    .addColumn('day_start_date', 'text')
    .addColumn('peak_equity', 'text')
    .execute();
  await sql`INSERT INTO trading_state (id, state, changed_by, changed_at)
            VALUES (1, 'ACTIVE', 'system', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['trading_state', 'audit_log', 'alerts', 'equity_snapshots', 'signals', 'closed_positions', 'positions', 'executed_orders']) {
    await db.schema.dropTable(table).execute();
  }
}

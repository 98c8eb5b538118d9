/**
 * The trading engine's additions: the seed's position columns (cost basis,
 * market value, P&L %, hold time), the link from an exit order to the position
 * it closes and why, and `executions`: one row per signal executed, written
 * before the order is sent, so a signal places at most one order even across
 * a crash or a second process.
 */
import { type Kysely, sql } from 'kysely';

const EXIT_REASONS = sql`('stop_loss', 'take_profit', 'manual', 'flatten', 'external')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('executed_orders').addColumn('position_id', 'text').execute();
  // Entries: the plan the position inherits when the order fills (a simple
  // order has no legs to carry its stop and target).
  for (const column of ['stop_loss_price', 'take_profit_price', 'strategy']) {
    await db.schema.alterTable('executed_orders').addColumn(column, 'text').execute();
  }
  await db.schema
    .alterTable('executed_orders')
    .addColumn('exit_reason', 'text', (c) => c.check(sql`exit_reason IS NULL OR exit_reason IN ${EXIT_REASONS}`))
    .execute();

  // exited_qty / exit_value / realized_pnl: partial exits so far, so the closed
  // row of a position sold in parts carries one average exit and the whole P&L.
  for (const column of ['cost_basis', 'market_value', 'unrealized_pnl_pct', 'exited_qty', 'exit_value', 'realized_pnl']) {
    await db.schema
      .alterTable('positions')
      .addColumn(column, 'text', (c) => c.notNull().defaultTo('0'))
      .execute();
  }
  await db.schema
    .alterTable('closed_positions')
    .addColumn('cost_basis', 'text', (c) => c.notNull().defaultTo('0'))
    .execute();
  await db.schema
    .alterTable('closed_positions')
    .addColumn('hold_duration_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('closed_positions').addColumn('entry_order_id', 'text').execute();

  await db.schema
    .createTable('executions')
    .addColumn('signal_id', 'text', (c) => c.primaryKey())
    .addColumn('client_order_id', 'text', (c) => c.notNull().unique())
    // The plan, written before the order is sent: an order found at the broker
    // after a crash is recognised by its client_order_id and gets it back.
    .addColumn('ticker', 'text', (c) => c.notNull())
    .addColumn('signal_price', 'text', (c) => c.notNull())
    .addColumn('stop_loss_price', 'text')
    .addColumn('take_profit_price', 'text')
    .addColumn('strategy', 'text')
    // submitting: the order may be at the broker; done: the result below is final.
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('submitting', 'done')`))
    .addColumn('success', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('order_id', 'text')
    .addColumn('quantity', 'text')
    .addColumn('estimated_cost', 'text')
    .addColumn('error_message', 'text')
    // Which check refused it: a risk limit, sizing, the broker, an invalid signal.
    .addColumn('refused_by', 'text')
    /** The sizing decision (JSON, amounts as decimal strings). */
    .addColumn('sizing', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('executions').execute();
  for (const column of ['entry_order_id', 'hold_duration_seconds', 'cost_basis']) {
    await db.schema.alterTable('closed_positions').dropColumn(column).execute();
  }
  for (const column of ['realized_pnl', 'exit_value', 'exited_qty', 'unrealized_pnl_pct', 'market_value', 'cost_basis']) {
    await db.schema.alterTable('positions').dropColumn(column).execute();
  }
  await db.schema.alterTable('executed_orders').dropColumn('exit_reason').execute();
  await db.schema.alterTable('executed_orders').dropColumn('position_id').execute();
  for (const column of ['strategy', 'take_profit_price', 'stop_loss_price']) {
    await db.schema.alterTable('executed_orders').dropColumn(column).execute();
  }
}

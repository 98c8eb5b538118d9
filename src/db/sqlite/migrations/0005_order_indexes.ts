/**
 * Indexes for the order path. Without statistics SQLite chose the
 * parent_order_id index for "working entries" (`parent_order_id IS NULL`
 * matches every entry ever sent), scanning the whole history on every signal.
 * The parent index now holds legs only, so the status index serves that
 * query; orders are also found by the position they close.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX idx_executed_orders_parent`.execute(db);
  await sql`CREATE INDEX idx_executed_orders_parent ON executed_orders (parent_order_id) WHERE parent_order_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX idx_executed_orders_position ON executed_orders (position_id) WHERE position_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX idx_executed_orders_position`.execute(db);
  await sql`DROP INDEX idx_executed_orders_parent`.execute(db);
  await sql`CREATE INDEX idx_executed_orders_parent ON executed_orders (parent_order_id)`.execute(db);
}

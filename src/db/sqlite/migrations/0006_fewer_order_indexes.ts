/**
 * Every index on executed_orders costs a page in each commit that writes an
 * order, and the order path commits on every signal. Dropped: by ticker and
 * by signal id (nothing queries them) and by status (read once per start,
 * when the ledger loads the working orders it then keeps in memory: a scan
 * there is cheaper than an index kept on every write). The bot finds orders
 * by id, client id, parent, position and time.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX idx_executed_orders_ticker`.execute(db);
  await sql`DROP INDEX idx_executed_orders_signal`.execute(db);
  await sql`DROP INDEX idx_executed_orders_status`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX idx_executed_orders_status ON executed_orders (status)`.execute(db);
  await sql`CREATE INDEX idx_executed_orders_signal ON executed_orders (signal_id)`.execute(db);
  await sql`CREATE INDEX idx_executed_orders_ticker ON executed_orders (ticker)`.execute(db);
}

/**
 * Two indexes nothing queries: executed_orders by ticker and by signal_id.
 * Every order written updated both (each a page in the commit); the bot
 * finds orders by id, client id, parent, position, status and time.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX idx_executed_orders_ticker`.execute(db);
  await sql`DROP INDEX idx_executed_orders_signal`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX idx_executed_orders_ticker ON executed_orders (ticker)`.execute(db);
  await sql`CREATE INDEX idx_executed_orders_signal ON executed_orders (signal_id)`.execute(db);
}

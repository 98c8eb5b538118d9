/**
 * positions.entry_value: Σ quantity × price of every entry fill of the
 * position. With exit_value beside it, a closed position's realized P&L is
 * exit value minus entry value, exact, however many fills made the entry
 * (an average entry price multiplied back is not exact when it repeats).
 * Rows already open take quantity entered × their average entry price.
 */
import { type Kysely, sql } from 'kysely';
import { fromStorage, toStorage } from '../../../domain/money.js';

interface Row {
  position_id: string;
  quantity: string;
  exited_qty: string;
  entry_price: string;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE positions ADD COLUMN entry_value TEXT NOT NULL DEFAULT '0'`.execute(db);
  const { rows } = await sql<Row>`SELECT position_id, quantity, exited_qty, entry_price FROM positions`.execute(db);
  for (const r of rows) {
    const value = fromStorage(r.quantity).plus(fromStorage(r.exited_qty)).times(fromStorage(r.entry_price));
    await sql`UPDATE positions SET entry_value = ${toStorage(value)} WHERE position_id = ${r.position_id}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE positions DROP COLUMN entry_value`.execute(db);
}

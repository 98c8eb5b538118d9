/**
 * Order rows in the bot's own status vocabulary. Rows written while the order
 * model spoke Alpaca's seventeen statuses may hold one the bot no longer
 * follows; each becomes what it meant for a live order: acknowledged and not
 * yet working → accepted, a cancel or replace under way / done for the day /
 * stopped / suspended → new, and either one partially_filled once shares have
 * filled; `calculated` → filled when every share is, else as the others.
 * The rule is written out here (not imported from the adapter) so that this
 * migration means the same thing forever.
 */
import { type Kysely, sql } from 'kysely';
import { fromStorage } from '../../../domain/money.js';

const ACKNOWLEDGED = ['pending_new', 'accepted_for_bidding'];
const WORKING = ['done_for_day', 'pending_cancel', 'pending_replace', 'stopped', 'suspended'];
const SETTLING = ['calculated'];

interface Row {
  order_id: string;
  status: string;
  quantity: string;
  filled_qty: string;
}

export function domainStatusOf(row: Pick<Row, 'status' | 'quantity' | 'filled_qty'>): string {
  const quantity = fromStorage(row.quantity);
  const filled = fromStorage(row.filled_qty);
  if (SETTLING.includes(row.status) && quantity.gt(0) && filled.gte(quantity)) return 'filled';
  if (filled.gt(0)) return 'partially_filled';
  return ACKNOWLEDGED.includes(row.status) ? 'accepted' : 'new';
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const legacy = [...ACKNOWLEDGED, ...WORKING, ...SETTLING];
  const { rows } = await sql<Row>`SELECT order_id, status, quantity, filled_qty FROM executed_orders WHERE status IN (${sql.join(legacy)})`.execute(db);
  for (const row of rows) {
    await sql`UPDATE executed_orders SET status = ${domainStatusOf(row)} WHERE order_id = ${row.order_id}`.execute(db);
  }
}

export async function down(): Promise<void> {
  // The Alpaca status a row held is not kept; the rows stay in the bot's vocabulary.
}

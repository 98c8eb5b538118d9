/**
 * The historical bars cache. `bars` holds one row per symbol, timeframe and
 * bar time (prices and volume as exact decimal text); `bar_coverage` holds
 * the time ranges already fetched per symbol and timeframe, so a range the
 * broker had no bars for (weekends, holidays, a symbol not yet listed) is
 * known to be empty instead of being fetched again.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bars')
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('timeframe', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('open', 'text', (c) => c.notNull())
    .addColumn('high', 'text', (c) => c.notNull())
    .addColumn('low', 'text', (c) => c.notNull())
    .addColumn('close', 'text', (c) => c.notNull())
    .addColumn('volume', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bars_pk', ['symbol', 'timeframe', 'timestamp'])
    // The key is the order every read wants: one b-tree, no second index.
    .modifyEnd(sql`without rowid`)
    .execute();
  await db.schema
    .createTable('bar_coverage')
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('timeframe', 'text', (c) => c.notNull())
    .addColumn('start', 'text', (c) => c.notNull())
    .addColumn('end', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bar_coverage_pk', ['symbol', 'timeframe', 'start'])
    .modifyEnd(sql`without rowid`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bar_coverage').execute();
  await db.schema.dropTable('bars').execute();
}

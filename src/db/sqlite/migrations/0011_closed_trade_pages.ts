/**
 * Indexes for reading closed trades a page at a time, newest first, by the
 * key (closed_at, position_id): the page after a given trade is a range
 * search that stops after one page, whatever the page number. The ticker
 * index gains the same key, so one ticker's trades come in that order too
 * instead of all of them being sorted. The two single-column indexes they
 * replace are prefixes of these (a range on closed_at, a ticker's rows).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idx_closed_positions_closed_at').execute();
  await db.schema.dropIndex('idx_closed_positions_ticker').execute();
  await db.schema.createIndex('idx_closed_positions_closed').on('closed_positions').columns(['closed_at', 'position_id']).execute();
  await db.schema.createIndex('idx_closed_positions_ticker_closed').on('closed_positions').columns(['ticker', 'closed_at', 'position_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idx_closed_positions_ticker_closed').execute();
  await db.schema.dropIndex('idx_closed_positions_closed').execute();
  await db.schema.createIndex('idx_closed_positions_closed_at').on('closed_positions').column('closed_at').execute();
  await db.schema.createIndex('idx_closed_positions_ticker').on('closed_positions').column('ticker').execute();
}

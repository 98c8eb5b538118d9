/**
 * The trading state gains REDUCING (only orders that shrink exposure). SQLite
 * cannot change a CHECK constraint in place, so the one-row table is rebuilt
 * with its row. Going back, REDUCING becomes HALTED: the stricter state that
 * existed then, so no entry slips through a downgrade.
 */
import { type Kysely, sql } from 'kysely';

async function rebuild(db: Kysely<unknown>, states: string, state: ReturnType<typeof sql>): Promise<void> {
  await sql`CREATE TABLE trading_state_new (
    id integer PRIMARY KEY CHECK (id = 1),
    state text NOT NULL CHECK (state IN ${sql.raw(states)}),
    reason text,
    changed_by text,
    changed_at text NOT NULL,
    day_start_equity text,
    day_start_date text,
    peak_equity text
  )`.execute(db);
  await sql`INSERT INTO trading_state_new
            SELECT id, ${state}, reason, changed_by, changed_at, day_start_equity, day_start_date, peak_equity FROM trading_state`.execute(db);
  await sql`DROP TABLE trading_state`.execute(db);
  await sql`ALTER TABLE trading_state_new RENAME TO trading_state`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, "('ACTIVE', 'REDUCING', 'HALTED')", sql`state`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, "('ACTIVE', 'HALTED')", sql`CASE state WHEN 'REDUCING' THEN 'HALTED' ELSE state END`);
}

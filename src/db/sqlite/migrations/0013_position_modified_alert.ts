/**
 * A stop or target moved with /modify is alerted too: `alerts.kind` gains
 * `position_modified`. SQLite cannot change a CHECK constraint in place, so
 * the table is rebuilt with its rows, ids and index (going back drops the
 * alerts of that kind, which the older schema cannot hold).
 */
import { type Kysely, sql } from 'kysely';

const KINDS = (extra: boolean) =>
  sql.raw(
    `('fill', 'partial_fill', 'stop_loss', 'take_profit', 'position_closed', 'order_rejected', 'order_canceled', 'order_expired', 'halted', 'resumed', 'broker_disconnected', 'broker_reconnected', 'reconciliation', 'daily_report', 'monitor_failed'${extra ? ", 'position_modified'" : ''})`,
  );

async function rebuild(db: Kysely<unknown>, extra: boolean): Promise<void> {
  await sql`CREATE TABLE alerts_new (
    id integer PRIMARY KEY AUTOINCREMENT,
    event_key text NOT NULL UNIQUE,
    kind text NOT NULL CHECK (kind IN ${KINDS(extra)}),
    payload text NOT NULL,
    created_at text NOT NULL,
    posted_at text,
    attempts integer NOT NULL DEFAULT 0,
    last_error text
  )`.execute(db);
  const keep = extra ? sql`` : sql`WHERE kind != 'position_modified'`;
  await sql`INSERT INTO alerts_new SELECT id, event_key, kind, payload, created_at, posted_at, attempts, last_error FROM alerts ${keep}`.execute(db);
  await sql`DROP TABLE alerts`.execute(db);
  await sql`ALTER TABLE alerts_new RENAME TO alerts`.execute(db);
  await sql`CREATE INDEX idx_alerts_unposted ON alerts (created_at) WHERE posted_at IS NULL`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, true);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, false);
}

import type { Kysely } from 'kysely';
import { readTime, readTimeOrNull, writeTime } from '../codec.js';
import type { AlertKind, AlertRecord } from '../../domain/records.js';
import type { AlertStore } from '../../domain/ports/store.js';
import type { AlertRow, Database } from '../schema.js';

function fromRow(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    eventKey: row.event_key,
    kind: row.kind as AlertKind,
    payload: row.payload,
    createdAt: readTime(row.created_at),
    postedAt: readTimeOrNull(row.posted_at),
    attempts: row.attempts,
    lastError: row.last_error,
  };
}

export class AlertsRepository implements AlertStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Queues an alert; false when that event was queued before (it is never posted twice). */
  async enqueue(eventKey: string, kind: AlertKind, payload: string, createdAt: Date): Promise<boolean> {
    const result = await this.db
      .insertInto('alerts')
      .values({ event_key: eventKey, kind, payload, created_at: writeTime(createdAt) })
      .onConflict((oc) => oc.column('event_key').doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async getByEventKey(eventKey: string): Promise<AlertRecord | null> {
    const row = await this.db.selectFrom('alerts').selectAll().where('event_key', '=', eventKey).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** Alerts not yet delivered, oldest first. */
  async listUnposted(limit = 100): Promise<AlertRecord[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().where('posted_at', 'is', null).orderBy('created_at').orderBy('id').limit(limit).execute();
    return rows.map(fromRow);
  }

  async countUnposted(): Promise<number> {
    const { n } = await this.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('posted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async markPosted(ids: readonly number[], postedAt: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('alerts')
      .set((eb) => ({ posted_at: writeTime(postedAt), attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', 'in', ids)
      .where('posted_at', 'is', null)
      .execute();
  }

  /** Gives up on alerts the destination refuses for what they are: kept, with the reason, and no longer retried. */
  async markAbandoned(ids: readonly number[], error: string, at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('alerts')
      .set((eb) => ({ posted_at: writeTime(at), attempts: eb('attempts', '+', 1), last_error: `abandoned: ${error}` }))
      .where('id', 'in', ids)
      .where('posted_at', 'is', null)
      .execute();
  }

  async markFailed(ids: readonly number[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('alerts')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error }))
      .where('id', 'in', ids)
      .execute();
  }

  /** The latest alerts, posted or not, newest first (ties: the later id first). */
  async listRecent(limit: number): Promise<AlertRecord[]> {
    const rows = await this.db.selectFrom('alerts').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(fromRow);
  }
}

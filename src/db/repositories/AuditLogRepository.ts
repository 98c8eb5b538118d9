import type { Kysely } from 'kysely';
import { readTime, writeTime } from '../codec.js';
import type { AuditLogStore } from '../../domain/ports/store.js';
import type { AuditEntry, AuditOutcome, AuditRecord } from '../../domain/records.js';
import type { Database } from '../schema.js';

export class AuditLogRepository implements AuditLogStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: writeTime(entry.at),
        actor: entry.actor,
        actor_name: entry.actorName ?? null,
        action: entry.action,
        target: entry.target ?? null,
        outcome: entry.outcome,
        details: entry.details ? JSON.stringify(entry.details) : null,
      })
      .execute();
  }

  /** Newest first. */
  async listRecent(limit = 50): Promise<AuditRecord[]> {
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => ({
      id: row.id,
      at: readTime(row.at),
      actor: row.actor,
      actorName: row.actor_name,
      action: row.action,
      target: row.target,
      outcome: row.outcome as AuditOutcome,
      details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
    }));
  }
}

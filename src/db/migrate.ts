import { type Kysely, Migrator } from 'kysely';
import type { DatabaseHandle } from './dialect.js';

export interface MigrationReport {
  /** Names applied by this run, in order; empty when already up to date. */
  applied: string[];
}

/** Brings the schema to the engine's latest version; each migration runs in its own transaction. */
export async function migrateToLatest(handle: Pick<DatabaseHandle, 'db' | 'dialect'>): Promise<MigrationReport> {
  // Migrations are written against no schema type: they create it.
  const migrator = new Migrator({ db: handle.db as unknown as Kysely<unknown>, provider: handle.dialect.migrations });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error !== undefined || failed) {
    const which = failed ? ` (migration ${failed.migrationName})` : '';
    throw new Error(`database migration failed${which}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

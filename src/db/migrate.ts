import { type Kysely, Migrator } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export interface MigrationReport {
  /** Names applied by this run, in order; empty when already up to date. */
  applied: string[];
}

/** Brings the schema to the latest version; each migration runs in its own transaction. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationReport> {
  // Migrations are written against no schema type: they create it.
  const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: migrationProvider });
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

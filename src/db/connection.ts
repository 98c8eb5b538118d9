import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export interface DatabaseHandle {
  db: Kysely<Database>;
  /** The file it opened (`:memory:` for an in-memory database). */
  path: string;
  close(): Promise<void>;
}

/**
 * Opens (creating the folder and file if missing) the SQLite database at
 * `path` with the settings the product relies on: WAL, foreign keys, and a
 * busy timeout so a second reader (the sqlite3 shell) does not fail writes.
 */
export function openDatabase(path: string): DatabaseHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // WAL + NORMAL survives an application crash; the broker stays the source
  // of truth for the last instant before a power loss and reconciliation
  // recovers it at start-up.
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    path,
    // Kysely's destroy closes the better-sqlite3 handle too.
    close: () => db.destroy(),
  };
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { startCheckpointer } from './checkpointer.js';
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
  const checkpointer = path === ':memory:' ? null : startCheckpointer(path, sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    path,
    close: async () => {
      await checkpointer?.stop();
      // Kysely's destroy closes the better-sqlite3 handle too (the last connection checkpoints the WAL away).
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; the bot runs the same few hundred SQL
 * texts over and over, so prepared statements are kept by their text
 * (bounded, least recently used dropped). A statement is only ever used by
 * one query at a time: kysely runs one query per connection at a time.
 */
function withStatementCache(sqlite: SqliteDatabase.Database, limit = 500): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, key, receiver) {
      if (key !== 'prepare') return Reflect.get(target, key, receiver) as unknown;
      return (source: string) => {
        let statement = cache.get(source);
        if (statement) {
          cache.delete(source);
        } else {
          statement = prepare(source);
          if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
        }
        cache.set(source, statement);
        return statement;
      };
    },
  });
}

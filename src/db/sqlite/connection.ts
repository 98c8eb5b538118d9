import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { startCheckpointer } from './checkpointer.js';
import { SqliteFunctions } from './functions.js';

export interface SqliteHandle<DB> {
  db: Kysely<DB>;
  functions: SqliteFunctions;
  close(): Promise<void>;
}

/**
 * Opens (creating the file if missing; its folder must exist) the SQLite
 * database at `path` with the settings the product relies on: WAL, foreign
 * keys, and a busy timeout so a second reader (the sqlite3 shell) does not
 * fail writes.
 */
export function openSqlite<DB>(path: string): SqliteHandle<DB> {
  let sqlite: SqliteDatabase.Database | null = null;
  try {
    sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // WAL + NORMAL survives an application crash; the broker stays the source
    // of truth for the last instant before a power loss and reconciliation
    // recovers it at start-up.
    sqlite.pragma('synchronous = NORMAL');
  } catch (error) {
    sqlite?.close();
    throw new Error(`cannot open the database ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const checkpointer = path === ':memory:' ? null : startCheckpointer(path, sqlite);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    functions: new SqliteFunctions(sqlite),
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

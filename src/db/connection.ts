import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
  let sqlite: SqliteDatabase.Database | null = null;
  try {
    if (path !== ':memory:') ensureFolder(dirname(path));
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
 * Creates `dir` and its missing parents, one level at a time. Node's own
 * `mkdirSync(dir, { recursive: true })` loops forever when a level can never
 * be made (mkdir under /proc answers ENOENT with the parent present); this
 * fails at once, naming the folder it could not create.
 */
export function ensureFolder(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  const statOf = (path: string) => {
    try {
      return statSync(path, { throwIfNoEntry: false });
    } catch (error) {
      // A file somewhere above: this level is missing; the walk up finds the file.
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
  };
  for (;;) {
    const kind = statOf(at);
    if (kind) {
      if (!kind.isDirectory()) throw new Error(`${at} is not a folder`);
      break;
    }
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statOf(folder)?.isDirectory()) continue;
      throw new Error(`cannot create the folder ${folder}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
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

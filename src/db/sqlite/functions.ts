/**
 * The SQLite side of the repositories' dialect functions (the `Dialect` of
 * src/db/dialect.ts, which this class meets without importing it: the
 * repositories depend on this folder, never the reverse): SQL that kysely's
 * builder cannot write, or that is worth running through better-sqlite3
 * directly.
 */
import type SqliteDatabase from 'better-sqlite3';
import { type AliasableExpression, CompiledQuery, type QueryResult, sql } from 'kysely';
import { migrationProvider } from './migrations/index.js';

/** What these functions need of a kysely instance (a database or a transaction), whatever its schema type. */
export interface Queries {
  readonly isTransaction: boolean;
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
  connection(): { execute<T>(callback: (connection: unknown) => Promise<T>): Promise<T> };
}

/** A table, its columns in the order a row's values come, and its key; one object per table, reused. */
export interface RowTarget {
  table: string;
  columns: readonly string[];
  key: string;
}

export type RowWrite = { kind: 'upsert'; target: RowTarget; values: readonly unknown[] } | { kind: 'delete'; target: RowTarget; key: unknown };

/** id, current price, unrealized P&L, market value, P&L ratio, time. */
export type MarkRow = readonly [string, string, string, string, string, string];

/** Marks per statement: 6 parameters each, far under SQLite's 32,766. */
const MARK_CHUNK = 200;

const DONE = Promise.resolve();

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function upsertSql(table: string, columns: readonly string[], key: string): string {
  const updates = columns.filter((c) => c !== key).map((c) => `${quote(c)} = excluded.${quote(c)}`);
  return `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
          ON CONFLICT (${quote(key)}) DO UPDATE SET ${updates.join(', ')}`;
}

export class SqliteFunctions {
  readonly migrations = migrationProvider;
  private readonly upserts = new Map<RowTarget, SqliteDatabase.Statement>();
  private readonly deletes = new Map<RowTarget, SqliteDatabase.Statement>();
  private readonly markTexts = new Map<number, string>();
  private readonly dataVersion: SqliteDatabase.Statement<[], number>;
  /** Every write on prepared statements, in one better-sqlite3 transaction (a savepoint when one is open). */
  private readonly applyAll: (writes: readonly RowWrite[]) => void;

  constructor(private readonly sqlite: SqliteDatabase.Database) {
    this.dataVersion = sqlite.prepare<[], number>('PRAGMA data_version').pluck();
    this.applyAll = sqlite.transaction((writes: readonly RowWrite[]) => {
      for (const w of writes) {
        if (w.kind === 'upsert') (this.upserts.get(w.target) ?? this.prepareUpsert(w.target)).run(w.values);
        else (this.deletes.get(w.target) ?? this.prepareDelete(w.target)).run(w.key);
      }
    });
  }

  changeCounter(): Promise<number> {
    return Promise.resolve(this.dataVersion.get() ?? -1);
  }

  joinedWithCommas(column: string): AliasableExpression<string | null> {
    return sql<string | null>`group_concat(${sql.ref(column)})`;
  }

  async markPositions(db: Queries, rows: readonly MarkRow[]): Promise<void> {
    // One UPDATE … FROM (VALUES …) per 200 positions instead of one statement per position.
    for (let i = 0; i < rows.length; i += MARK_CHUNK) {
      const chunk = rows.slice(i, i + MARK_CHUNK);
      await db.executeQuery(CompiledQuery.raw(this.markSql(chunk.length), chunk.flat()));
    }
  }

  /**
   * Runs synchronously on better-sqlite3's prepared statements: no query
   * building, and no turn of the event loop between the rows, which is most
   * of what a save costs through kysely. Inside a kysely transaction the
   * writes join it. Outside one, the connection may still be between two
   * awaits of someone else's transaction: these rows must not become part of
   * it (its rollback would take them), so they wait for the connection.
   */
  writeRows(db: Queries, writes: readonly RowWrite[]): Promise<void> {
    if (!db.isTransaction && this.sqlite.inTransaction) return db.connection().execute(async () => this.applyAll(writes));
    // Not an async function: the caller's await resumes one turn sooner (this is on the order path).
    try {
      if (writes.length > 0) this.applyAll(writes);
      return DONE;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private prepareUpsert(target: RowTarget): SqliteDatabase.Statement {
    const statement = this.sqlite.prepare(upsertSql(target.table, target.columns, target.key));
    this.upserts.set(target, statement);
    return statement;
  }

  private prepareDelete(target: RowTarget): SqliteDatabase.Statement {
    const statement = this.sqlite.prepare(`DELETE FROM ${quote(target.table)} WHERE ${quote(target.key)} = ?`);
    this.deletes.set(target, statement);
    return statement;
  }

  /** The mark statement for `n` positions (its text built once per size). */
  private markSql(n: number): string {
    let text = this.markTexts.get(n);
    if (text === undefined) {
      text = `UPDATE positions SET current_price = v.column2, unrealized_pnl = v.column3, market_value = v.column4,
                unrealized_pnl_pct = v.column5, updated_at = v.column6
              FROM (VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}) AS v WHERE positions.position_id = v.column1`;
      this.markTexts.set(n, text);
    }
    return text;
  }
}

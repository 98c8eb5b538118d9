/**
 * What the repositories need from a database beyond kysely's query builder.
 * A database engine is one folder (src/db/sqlite/ today) that opens a
 * connection and implements these few functions; the repositories, written
 * with the builder alone, stay the same for every engine.
 */
import type { AliasableExpression, Kysely, MigrationProvider } from 'kysely';
import type { Database } from './schema.js';

/**
 * Where row writes go: a table, its columns in the order a row's values
 * come, and the key a row is found by. A module keeps one per table and
 * passes the same object every time, so an engine may keep a prepared
 * statement per target.
 */
export interface RowTarget {
  table: keyof Database & string;
  columns: readonly string[];
  key: string;
}

/** A row to insert, or to overwrite when its key is already there (values in `columns` order); or a row to delete by its key. */
export type RowWrite = { kind: 'upsert'; target: RowTarget; values: readonly unknown[] } | { kind: 'delete'; target: RowTarget; key: unknown };

/** A position's new mark: id, current price, unrealized P&L, market value, P&L ratio, time (storage forms). */
export type MarkRow = readonly [
  positionId: string,
  currentPrice: string,
  unrealizedPnl: string,
  marketValue: string,
  unrealizedPnlPct: string,
  updatedAt: string,
];

export interface Dialect {
  /** Every migration of this engine's schema, in order. */
  readonly migrations: MigrationProvider;

  /**
   * A number that changes whenever another connection commits (never for
   * this connection's own commits): what tells a cache its rows went stale.
   */
  changeCounter(db: Kysely<Database>): Promise<number>;

  /** The non-null values of a text column over the selected rows, joined by commas (null when there are none). */
  joinedWithCommas(column: string): AliasableExpression<string | null>;

  /** Sets many positions' marks (`positions` columns current_price … updated_at) in as few statements as the engine allows. */
  markPositions(db: Kysely<Database>, rows: readonly MarkRow[]): Promise<void>;

  /**
   * Applies the writes in order, atomically: all of them or none. Inside a
   * transaction they join it. Meant for small writes that come often (the
   * simulator's saves): an engine may run them on statements it keeps per target.
   */
  writeRows(db: Kysely<Database>, writes: readonly RowWrite[]): Promise<void>;
}

/** An open database: the query builder, the engine's functions, and how to close it. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The file or address it opened (`:memory:` for an in-memory SQLite database). */
  path: string;
  close(): Promise<void>;
}

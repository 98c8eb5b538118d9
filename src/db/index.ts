/**
 * The persistence layer's front door: open the database, migrate it, and get
 * one repository per table, implementing the store ports of src/domain.
 * Nothing outside src/db writes SQL, and nothing outside src/db/sqlite/ knows
 * the database is SQLite.
 */
import type { Repositories as CoreRepositories, Store as CoreStore } from '../domain/ports/store.js';
import { dirname } from 'node:path';
import type { DatabaseHandle, Dialect } from './dialect.js';
import { ensureFolder } from './files.js';
import { migrateToLatest } from './migrate.js';
import { OpenPositionsCache } from './openPositionsCache.js';
import { AlertsRepository } from './repositories/AlertsRepository.js';
import { AuditLogRepository } from './repositories/AuditLogRepository.js';
import { BarsRepository } from './repositories/BarsRepository.js';
import { ClosedPositionsRepository } from './repositories/ClosedPositionsRepository.js';
import { EquitySnapshotsRepository } from './repositories/EquitySnapshotsRepository.js';
import { ExecutedOrdersRepository } from './repositories/ExecutedOrdersRepository.js';
import { ExecutionsRepository } from './repositories/ExecutionsRepository.js';
import { PositionsRepository } from './repositories/PositionsRepository.js';
import { SignalsRepository } from './repositories/SignalsRepository.js';
import { SimStateRepository } from './repositories/SimStateRepository.js';
import { TradingStateRepository } from './repositories/TradingStateRepository.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite/connection.js';
import { inTransaction } from './transaction.js';

/** The core's repositories, plus the paper simulator's own state (which only the simulator reads). */
export interface Repositories extends CoreRepositories {
  orders: ExecutedOrdersRepository;
  executions: ExecutionsRepository;
  positions: PositionsRepository;
  closedPositions: ClosedPositionsRepository;
  signals: SignalsRepository;
  equity: EquitySnapshotsRepository;
  alerts: AlertsRepository;
  audit: AuditLogRepository;
  tradingState: TradingStateRepository;
  simState: SimStateRepository;
  bars: BarsRepository;
}

export interface Store extends Repositories {
  /** Runs `fn` with repositories bound to one transaction: all of it commits, or none. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly path: string;
}

// This store is the core's store: checked here, where a mismatch names the method.
type Implements<T extends CoreStore> = T;
export type CheckedStore = Implements<Store>;

function repositories(handle: DatabaseHandle, db: DatabaseHandle['db'], positions: OpenPositionsCache): Repositories {
  const { dialect } = handle;
  return {
    orders: new ExecutedOrdersRepository(db),
    executions: new ExecutionsRepository(db),
    positions: new PositionsRepository(db, dialect, positions),
    closedPositions: new ClosedPositionsRepository(db, dialect),
    signals: new SignalsRepository(db),
    equity: new EquitySnapshotsRepository(db),
    alerts: new AlertsRepository(db),
    audit: new AuditLogRepository(db),
    tradingState: new TradingStateRepository(db),
    simState: new SimStateRepository(db, dialect),
    bars: new BarsRepository(db),
  };
}

export function createStore(handle: DatabaseHandle): Store {
  const openPositions = new OpenPositionsCache(handle.dialect);
  return {
    ...repositories(handle, handle.db, openPositions),
    transaction: (fn) => inTransaction(handle.db, (trx) => fn(repositories(handle, trx, openPositions))),
    close: () => handle.close(),
    path: handle.path,
  };
}

/** Opens the database file at `path` (SQLite), creating its folder if missing. */
export function openDatabase(path: string): DatabaseHandle {
  try {
    if (path !== ':memory:') ensureFolder(dirname(path));
  } catch (error) {
    throw new Error(`cannot open the database ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const { db, functions, close } = openSqlite<Database>(path);
  // The SQLite folder meets the dialect contract without importing it: checked here.
  const dialect: Dialect = functions;
  return { db, dialect, path, close };
}

/** Opens the database at `path`, brings its schema up to date, and returns the store. */
export async function openStore(path: string): Promise<Store> {
  const handle = openDatabase(path);
  try {
    await migrateToLatest(handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return createStore(handle);
}

export type { DatabaseHandle, Dialect } from './dialect.js';
export { migrateToLatest } from './migrate.js';
export * from './repositories/AlertsRepository.js';
export * from './repositories/AuditLogRepository.js';
export * from './repositories/BarsRepository.js';
export * from './repositories/ClosedPositionsRepository.js';
export * from './repositories/EquitySnapshotsRepository.js';
export * from './repositories/ExecutedOrdersRepository.js';
export * from './repositories/ExecutionsRepository.js';
export * from './repositories/PositionsRepository.js';
export * from './repositories/SignalsRepository.js';
export * from './repositories/SimStateRepository.js';
export * from './repositories/TradingStateRepository.js';

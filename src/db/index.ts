/**
 * The persistence layer's front door: open the file, migrate it, and get one
 * repository per table. Nothing outside src/db writes SQL.
 */
import type { Kysely } from 'kysely';
import { type DatabaseHandle, openDatabase } from './connection.js';
import { migrateToLatest } from './migrate.js';
import { OpenPositionsCache } from './openPositionsCache.js';
import { AlertsRepository } from './repositories/AlertsRepository.js';
import { AuditLogRepository } from './repositories/AuditLogRepository.js';
import { ClosedPositionsRepository } from './repositories/ClosedPositionsRepository.js';
import { EquitySnapshotsRepository } from './repositories/EquitySnapshotsRepository.js';
import { ExecutedOrdersRepository } from './repositories/ExecutedOrdersRepository.js';
import { ExecutionsRepository } from './repositories/ExecutionsRepository.js';
import { PositionsRepository } from './repositories/PositionsRepository.js';
import { SignalsRepository } from './repositories/SignalsRepository.js';
import { SimStateRepository } from './repositories/SimStateRepository.js';
import { TradingStateRepository } from './repositories/TradingStateRepository.js';
import type { Database } from './schema.js';
import { inTransaction } from './transaction.js';

export interface Repositories {
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
}

export interface Store extends Repositories {
  /** Runs `fn` with repositories bound to one transaction: all of it commits, or none. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly path: string;
}

function repositories(db: Kysely<Database>, positions: OpenPositionsCache): Repositories {
  return {
    orders: new ExecutedOrdersRepository(db),
    executions: new ExecutionsRepository(db),
    positions: new PositionsRepository(db, positions),
    closedPositions: new ClosedPositionsRepository(db),
    signals: new SignalsRepository(db),
    equity: new EquitySnapshotsRepository(db),
    alerts: new AlertsRepository(db),
    audit: new AuditLogRepository(db),
    tradingState: new TradingStateRepository(db),
    simState: new SimStateRepository(db),
  };
}

export function createStore(handle: DatabaseHandle): Store {
  const openPositions = new OpenPositionsCache();
  return {
    ...repositories(handle.db, openPositions),
    transaction: (fn) => inTransaction(handle.db, (trx) => fn(repositories(trx, openPositions))),
    close: () => handle.close(),
    path: handle.path,
  };
}

/** Opens the database at `path`, brings its schema up to date, and returns the store. */
export async function openStore(path: string): Promise<Store> {
  const handle = openDatabase(path);
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return createStore(handle);
}

export type { DatabaseHandle } from './connection.js';
export { openDatabase } from './connection.js';
export { migrateToLatest } from './migrate.js';
export * from './repositories/AlertsRepository.js';
export * from './repositories/AuditLogRepository.js';
export * from './repositories/ClosedPositionsRepository.js';
export * from './repositories/EquitySnapshotsRepository.js';
export * from './repositories/ExecutedOrdersRepository.js';
export * from './repositories/ExecutionsRepository.js';
export * from './repositories/PositionsRepository.js';
export * from './repositories/SignalsRepository.js';
export * from './repositories/SimStateRepository.js';
export * from './repositories/TradingStateRepository.js';

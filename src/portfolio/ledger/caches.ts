/**
 * What the ledger keeps in memory between transactions. The ledger is the
 * only writer of orders, so each of these is the database's own state as last
 * committed, and saves a read.
 */
import type { ExecutedOrderRecord, OrderContext } from '../../domain/records.js';
import { isWorking, type WorkingOrder, workingOrderOf } from '../orderRecord.js';

/** How many recently written order records are kept (the working book and then some). */
export const RECORD_CACHE_SIZE = 10_000;

/**
 * The records last committed, by order id, oldest dropped beyond `capacity`.
 * An update that repeats a cached record (the stream reports a bracket's
 * whole family on every event) is skipped, and a change needs no read first.
 */
export class RecordCache {
  private readonly records = new Map<string, ExecutedOrderRecord>();

  constructor(private readonly capacity = RECORD_CACHE_SIZE) {}

  get(orderId: string): ExecutedOrderRecord | undefined {
    return this.records.get(orderId);
  }

  remember(record: ExecutedOrderRecord): void {
    this.records.delete(record.orderId);
    this.records.set(record.orderId, record);
    if (this.records.size > this.capacity) this.records.delete(this.records.keys().next().value as string);
  }
}

/**
 * The working orders by id: read once, then kept up to date by every commit.
 * The monitor compares the broker's listing with it and the risk checks count
 * pending entries in it, without reading the book.
 */
export class WorkingBook {
  private book: Map<string, WorkingOrder> | null = null;

  /** The book, or null until it has been loaded. */
  get current(): ReadonlyMap<string, WorkingOrder> | null {
    return this.book;
  }

  /** Loads the book from the open orders, unless it is loaded already. */
  load(open: readonly ExecutedOrderRecord[]): ReadonlyMap<string, WorkingOrder> {
    this.book ??= new Map(open.map((r) => [r.orderId, workingOrderOf(r)]));
    return this.book;
  }

  /** Follows a committed record (nothing to do before the book is loaded: the load reads it). */
  track(record: ExecutedOrderRecord): void {
    if (this.book === null) return;
    if (isWorking(record)) this.book.set(record.orderId, workingOrderOf(record));
    else this.book.delete(record.orderId);
  }
}

/** What orders being sent right now are for, by client_order_id: the stream may report them before the send returns. */
export class ExpectedOrders {
  private readonly contexts = new Map<string, OrderContext>();

  expect(clientOrderId: string, context: OrderContext): void {
    this.contexts.set(clientOrderId, context);
  }

  forget(clientOrderId: string): void {
    this.contexts.delete(clientOrderId);
  }

  get(clientOrderId: string): OrderContext | undefined {
    return this.contexts.get(clientOrderId);
  }
}

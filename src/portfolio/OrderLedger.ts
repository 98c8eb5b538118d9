/**
 * The one path from the broker's view of an order into the database: the
 * order's row, and the position its fills open, grow, reduce or close, written
 * in one transaction. It is fed by the trade stream, the monitor's listing and
 * reconciliation alike; each fill counts once however often the same order
 * state arrives, because only the growth of `filled_qty` is applied.
 */
import { type Decimal, ZERO } from '../broker/money.js';
import { bracketOf, type Order, OrderType, type Position, TERMINAL_STATUSES } from '../broker/types.js';
import type {
  ClosedPositionRecord,
  ExecutedOrderRecord,
  ExitReason,
  OrderContext,
  OrderLeg,
  PositionRecord,
  Repositories,
  Store,
} from '../db/index.js';
import type { TradingEvent, TradingEvents } from '../execution/events.js';
import { isPendingEntry, recordFromOrder, type WorkingOrder, workingOrderOf } from './orderRecord.js';
import { type Execution, grow, incrementalFillPrice, openFrom, reduce, sideOpenedBy } from './fills.js';

export type LedgerStore = Repositories & Pick<Store, 'transaction'>;

export interface OrderChange {
  record: ExecutedOrderRecord;
  previousStatus: ExecutedOrderRecord['status'] | null;
  /** Shares filled since the order was last seen (0 when none). */
  fillQty: Decimal;
}

/** One execution as the broker reported it (a trade update's own quantity and price). */
export interface ReportedFill {
  orderId: string;
  qty: Decimal;
  price: Decimal;
}

interface PendingUpdate {
  order: Order;
  context: OrderContext | undefined;
  fill: ReportedFill | undefined;
  resolve: (changes: OrderChange[]) => void;
  reject: (error: unknown) => void;
}

/** The running transaction's writes, as the rest of it must see them. */
interface PendingWrites {
  /** Order records by id, as the transaction leaves them. */
  orders: Map<string, ExecutedOrderRecord>;
  /**
   * Order rows still to write, by id: each once, in its last state, when the
   * updates are done (a burst reports an order new, then filled: one insert,
   * not an insert and an update). `stored`: the row exists already.
   */
  rows: Map<string, { record: ExecutedOrderRecord; stored: boolean }>;
  /** Positions by ticker as this transaction read or left them (null: none open). */
  positions: Map<string, PositionRecord | null>;
}

const familyOf = (order: Order): Order[] => [order, ...order.legs];

/** How many recently written order records the ledger keeps (the working book and then some). */
const RECORD_CACHE_SIZE = 10_000;

/** Bracket legs are told apart by type: the limit takes profit, the stop stops out. */
function legOf(order: Order): OrderLeg {
  return order.type === OrderType.Limit ? 'take_profit' : 'stop_loss';
}

function exitReasonOf(record: ExecutedOrderRecord): ExitReason {
  if (record.leg === 'stop_loss' || record.leg === 'take_profit') return record.leg;
  return record.exitReason ?? 'external';
}

const STATUS_EVENTS: Partial<Record<string, TradingEvent['kind']>> = {
  rejected: 'order_rejected',
  canceled: 'order_canceled',
  expired: 'order_expired',
};

export class OrderLedger {
  private queue: Promise<unknown> = Promise.resolve();
  /** Context for orders being sent now, by client_order_id: the stream may report them before the send returns. */
  private readonly expected = new Map<string, OrderContext>();
  /**
   * The records this ledger last committed, by order id (oldest dropped
   * beyond RECORD_CACHE_SIZE). The ledger is the only writer of orders, so a
   * cached record is the database's own row: an update that repeats it (the
   * stream reports a bracket's whole family on every event) is skipped, and
   * a change needs no read first. A miss reads the database.
   */
  private readonly records = new Map<string, ExecutedOrderRecord>();
  /** What the transaction in progress has written (visible to the rest of it, cached once it commits). */
  private pending: PendingWrites | null = null;
  /**
   * The working orders by id, read once and then kept by every commit (the
   * ledger writes every order): the monitor compares the broker's listing,
   * and the risk checks count pending entries, without reading the book.
   */
  private working: Map<string, WorkingOrder> | null = null;
  /** Updates queued together, not yet started: a later update joins them. */
  private openBatch: PendingUpdate[] | null = null;
  private writes = 0;

  /** Counts committed changes to orders and positions: a reader can tell whether what it read is still current. */
  get version(): number {
    return this.writes;
  }

  constructor(
    private readonly store: LedgerStore,
    private readonly events?: TradingEvents,
  ) {}

  /** Registers what an order about to be sent is for (removed once it is recorded). */
  expect(clientOrderId: string, context: OrderContext): void {
    this.expected.set(clientOrderId, context);
  }

  forget(clientOrderId: string): void {
    this.expected.delete(clientOrderId);
  }

  /**
   * Applies the broker's current view of an order and its legs, in one
   * transaction; events go out after it commits. Updates that queue up while
   * the ledger is busy (a bracket's burst of stream events) are applied
   * together in one transaction, in arrival order; should that fail, each is
   * applied alone so one bad update cannot sink the others. `fill`, the
   * execution a trade update reports, gives the new shares their own price
   * when it accounts for exactly those shares; otherwise their price is
   * derived from the change in filled quantity and average.
   */
  apply(order: Order, context?: OrderContext, fill?: ReportedFill): Promise<OrderChange[]> {
    return new Promise<OrderChange[]>((resolve, reject) => {
      const update: PendingUpdate = { order, context, fill, resolve, reject };
      if (this.openBatch) {
        this.openBatch.push(update);
        return;
      }
      const batch = [update];
      void this.enqueue(async () => {
        if (this.openBatch === batch) this.openBatch = null;
        await this.applyBatch(batch);
      });
      this.openBatch = batch;
    });
  }

  private async applyBatch(batch: readonly PendingUpdate[]): Promise<void> {
    const work = batch.filter((u) => {
      if (!familyOf(u.order).every((o) => this.isRecorded(o))) return true;
      u.resolve([]);
      return false;
    });
    if (work.length === 0) return;
    try {
      const results = await this.commit(work);
      work.forEach((u, i) => u.resolve(results[i]!));
    } catch (error) {
      if (work.length === 1) return work[0]!.reject(error);
      for (const u of work) {
        try {
          u.resolve((await this.commit([u]))[0]!);
        } catch (alone) {
          u.reject(alone);
        }
      }
    }
  }

  /** Applies updates in one transaction; records, events and the cache change only once it commits. */
  private async commit(updates: readonly PendingUpdate[]): Promise<OrderChange[][]> {
    const emitted: TradingEvent[] = [];
    const pending: PendingWrites = { orders: new Map(), rows: new Map(), positions: new Map() };
    this.pending = pending;
    try {
      const results = await this.store.transaction(async (tx) => {
        const out: OrderChange[][] = [];
        for (const u of updates) out.push(await this.applyFamily(tx, u, emitted));
        await this.writeRows(tx);
        return out;
      });
      if (results.some((r) => r.length > 0)) this.writes++;
      for (const record of pending.orders.values()) {
        this.remember(record);
        this.track(record);
      }
      for (const u of updates) for (const o of familyOf(u.order)) this.forget(o.clientOrderId);
      for (const event of emitted) this.events?.emit(event);
      return results;
    } finally {
      this.pending = null;
    }
  }

  private get writing(): PendingWrites {
    if (!this.pending) throw new Error('the ledger writes orders and positions only inside commit()');
    return this.pending;
  }

  /** Writes the order rows staged so far (before anything reads them with SQL). */
  private async writeRows(tx: Repositories): Promise<void> {
    const { rows } = this.writing;
    for (const { record, stored } of rows.values()) {
      if (stored) await tx.orders.updateProgress(record.orderId, record);
      else await tx.orders.insert(record);
    }
    rows.clear();
  }

  /** The ticker's open position: as this transaction left it, else read (and remembered for the rest of it). */
  private async positionOf(tx: Repositories, ticker: string): Promise<PositionRecord | null> {
    const { positions } = this.writing;
    if (positions.has(ticker)) return positions.get(ticker) ?? null;
    const position = await tx.positions.getByTicker(ticker);
    positions.set(ticker, position);
    return position;
  }

  private async savePosition(tx: Repositories, position: PositionRecord, how: 'insert' | 'update'): Promise<void> {
    if (how === 'insert') await tx.positions.insert(position);
    else await tx.positions.update(position);
    this.writing.positions.set(position.ticker, position);
  }

  private async applyFamily(tx: Repositories, update: PendingUpdate, emitted: TradingEvent[]): Promise<OrderChange[]> {
    const { order, context, fill } = update;
    const out: OrderChange[] = [];
    let parent: ExecutedOrderRecord | null = null;
    for (const [i, o] of familyOf(order).entries()) {
      if (this.isRecorded(o)) continue;
      const change = await this.applyChange(tx, o, i === 0 ? context : undefined, emitted, parent, fill?.orderId === o.id ? fill : undefined);
      if (change) {
        out.push(change);
        this.writing.orders.set(change.record.orderId, change.record);
      }
      if (i === 0) parent = change?.record ?? null;
    }
    // Only an entry or legs seen for the first time, or an entry's fill, can leave a position without its legs.
    if (order.legs.length > 0 && out.some((c) => c.previousStatus === null || c.fillQty.gt(0))) await this.linkLegs(tx, order);
    return out;
  }

  /** Orders still able to fill, as last committed: what the monitor refreshes from the broker. */
  async workingOrders(): Promise<WorkingOrder[]> {
    return [...(await this.workingBook()).values()];
  }

  /** Entries still waiting for their first fill, as last committed: what the risk checks count as pending. */
  async pendingEntries(): Promise<WorkingOrder[]> {
    const pending: WorkingOrder[] = [];
    for (const o of (await this.workingBook()).values()) if (isPendingEntry(o)) pending.push(o);
    return pending;
  }

  private async workingBook(): Promise<ReadonlyMap<string, WorkingOrder>> {
    return (
      this.working ??
      (await this.serial(async () => {
        // Set here, inside the queue: a commit queued behind this read must find it to keep it.
        this.working ??= new Map((await this.store.orders.listOpen()).map((r) => [r.orderId, workingOrderOf(r)]));
        return this.working;
      }))
    );
  }

  private track(record: ExecutedOrderRecord): void {
    if (this.working === null) return;
    if (isWorking(record)) this.working.set(record.orderId, workingOrderOf(record));
    else this.working.delete(record.orderId);
  }

  /** The order as this ledger last recorded it, if still cached (no database read). */
  recorded(orderId: string): ExecutedOrderRecord | undefined {
    return this.records.get(orderId);
  }

  /** The record written in the running transaction, else the committed one, if cached. */
  private cached(orderId: string): ExecutedOrderRecord | undefined {
    return this.pending?.orders.get(orderId) ?? this.records.get(orderId);
  }

  /** Whether the broker's state of `order` is already what was recorded. */
  private isRecorded(order: Order): boolean {
    const known = this.cached(order.id);
    return known !== undefined && known.status === order.status && known.filledQty.eq(order.filledQty);
  }

  private remember(record: ExecutedOrderRecord): void {
    this.records.delete(record.orderId);
    this.records.set(record.orderId, record);
    if (this.records.size > RECORD_CACHE_SIZE) this.records.delete(this.records.keys().next().value as string);
  }

  /** An order's record: cached, else read (inside the transaction). */
  private async known(tx: Repositories, orderId: string): Promise<ExecutedOrderRecord | null> {
    return this.cached(orderId) ?? (await tx.orders.get(orderId));
  }

  /**
   * A position the database holds but the broker no longer does, closed
   * outside the bot: recorded closed (exit reason `external`) at `price`.
   */
  closeExternally(position: PositionRecord, price: Decimal, at: Date): Promise<ClosedPositionRecord | null> {
    return this.serial(async () => {
      const current = await this.store.positions.get(position.positionId);
      if (!current) return null;
      const outcome = reduce(current, { orderId: '', side: current.side === 'long' ? 'sell' : 'buy', qty: current.quantity, price, at }, 'external');
      if (outcome.kind !== 'closed') return null;
      const closed = { ...outcome.closed, exitOrderId: null };
      if (!(await this.store.positions.close(closed))) return null;
      this.writes++;
      this.events?.emit({ kind: 'position_closed', closed, at });
      return closed;
    });
  }

  /** A position at the broker the database does not know: adopted as it is (strategy `external`). */
  adopt(broker: Position, at: Date): Promise<PositionRecord | null> {
    return this.serial(async () => {
      // Recorded meanwhile (its fill arrived): nothing to adopt.
      if (await this.store.positions.getByTicker(broker.ticker)) return null;
      const position: PositionRecord = {
        ...openFrom(
          { orderId: '', side: broker.side === 'long' ? 'buy' : 'sell', qty: broker.quantity, price: broker.avgEntryPrice, at },
          { positionId: `ext-${broker.ticker}-${at.getTime()}`, ticker: broker.ticker, signalId: null, strategy: 'external', stopLossPrice: null, takeProfitPrice: null, stopLossOrderId: null, takeProfitOrderId: null },
        ),
        entryOrderId: null,
        currentPrice: broker.currentPrice,
        unrealizedPnl: broker.unrealizedPnl,
      };
      await this.store.positions.insert(position);
      this.writes++;
      this.events?.emit({ kind: 'position_opened', position, at });
      return position;
    });
  }

  /** Takes the broker's size, side and average entry where the database disagrees (read afresh: nothing committed since is lost). */
  resync(positionId: string, broker: Position, at: Date): Promise<PositionRecord | null> {
    return this.serial(async () => {
      const current = await this.store.positions.get(positionId);
      if (!current) return null;
      // What the exited shares cost stays; the shares held now cost what the broker says.
      const exitedCost = current.side === 'long' ? current.exitValue.minus(current.realizedPnl) : current.exitValue.plus(current.realizedPnl);
      const synced: PositionRecord = {
        ...current,
        side: broker.side,
        quantity: broker.quantity,
        entryPrice: broker.avgEntryPrice,
        entryValue: broker.quantity.times(broker.avgEntryPrice).plus(exitedCost),
        currentPrice: broker.currentPrice,
        unrealizedPnl: broker.unrealizedPnl,
        updatedAt: at,
      };
      await this.store.positions.update(synced);
      this.writes++;
      return synced;
    });
  }

  /** Runs `fn` after every queued update, alone: position writes never interleave. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    // Updates applied after this must not join a batch queued before it.
    this.openBatch = null;
    return this.enqueue(fn);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A position opened by an entry seen for the first time learns its legs once they are recorded. */
  private async linkLegs(tx: Repositories, entry: Order): Promise<void> {
    const position = await this.positionOf(tx, entry.ticker);
    if (!position || position.entryOrderId !== entry.id) return;
    if (position.stopLossOrderId !== null || position.takeProfitOrderId !== null) return;
    const { stopLossOrder, takeProfitOrder } = bracketOf(entry);
    await this.savePosition(tx, {
      ...position,
      stopLossOrderId: stopLossOrder?.id ?? null,
      takeProfitOrderId: takeProfitOrder?.id ?? null,
      stopLossPrice: position.stopLossPrice ?? stopLossOrder?.stopPrice ?? null,
      takeProfitPrice: position.takeProfitPrice ?? takeProfitOrder?.limitPrice ?? null,
    }, 'update');
  }

  private async contextFor(tx: Repositories, order: Order, given: OrderContext | undefined): Promise<OrderContext> {
    if (given) return given;
    const expected = this.expected.get(order.clientOrderId);
    if (expected) return expected;
    if (order.parentOrderId !== null) {
      const parent = await this.known(tx, order.parentOrderId);
      if (parent) return { signalId: parent.signalId, leg: legOf(order), strategy: parent.strategy };
    }
    // An order sent before a crash: its plan was written before it was sent.
    const plan = await tx.executions.getByClientOrderId(order.clientOrderId);
    if (plan) {
      return {
        signalId: plan.signalId,
        signalPrice: plan.signalPrice,
        leg: order.orderClass === 'bracket' ? 'entry' : null,
        plannedStopLoss: plan.stopLossPrice,
        plannedTakeProfit: plan.takeProfitPrice,
        strategy: plan.strategy,
      };
    }
    return {};
  }

  private async applyChange(
    tx: Repositories,
    order: Order,
    given: OrderContext | undefined,
    emitted: TradingEvent[],
    /** The family's entry as just written (legs need not read it back). */
    parent: ExecutedOrderRecord | null = null,
    reported?: ReportedFill,
  ): Promise<OrderChange | null> {
    const known = await this.known(tx, order.id);
    // A stale view (a listing taken before a stream event, a replay) never moves an order backwards:
    // fewer shares filled than recorded, or out of a finished state, is ignored.
    if (known && (order.filledQty.lt(known.filledQty) || (TERMINAL_STATUSES.has(known.status) && order.status !== known.status))) return null;
    let record: ExecutedOrderRecord;
    if (known) {
      record = {
        ...known,
        status: order.status,
        filledQty: order.filledQty,
        filledAvgPrice: order.filledAvgPrice,
        filledAt: order.filledAt,
        updatedAt: order.updatedAt,
        statusReason: order.statusReason ?? known.statusReason,
      };
    } else {
      const writtenParent = parent !== null && parent.orderId === order.parentOrderId ? parent : null;
      const context = writtenParent ? { signalId: writtenParent.signalId, leg: legOf(order), strategy: writtenParent.strategy } : await this.contextFor(tx, order, given);
      record = recordFromOrder(order, context);
      // A leg whose parent we never saw keeps no dangling reference.
      if (record.parentOrderId !== null && !writtenParent && !(await this.known(tx, record.parentOrderId))) record = { ...record, parentOrderId: null };
    }
    const before = known ?? { status: null, filledQty: ZERO, filledAvgPrice: null };
    const fillQty = order.filledQty.minus(before.filledQty);
    const statusChanged = order.status !== before.status;
    if (known && !statusChanged && fillQty.lte(0)) return null;

    const { rows } = this.writing;
    rows.set(order.id, { record, stored: rows.get(order.id)?.stored ?? known !== null });
    const at = order.updatedAt;
    const executionEvents: TradingEvent[] = [];
    if (fillQty.gt(0) && order.filledAvgPrice !== null) {
      const price =
        reported && reported.qty.eq(fillQty)
          ? reported.price
          : incrementalFillPrice({ qty: before.filledQty, avg: before.filledAvgPrice }, { qty: order.filledQty, avg: order.filledAvgPrice });
      const filledAt = order.filledAt ?? order.updatedAt;
      await this.applyExecution(tx, order, record, { orderId: order.id, side: order.side, qty: fillQty, price, at: filledAt }, executionEvents);
      emitted.push({ kind: order.status === 'filled' ? 'order_filled' : 'order_partially_filled', order: record, fillQty, fillPrice: price, at });
    } else {
      const kind = statusChanged ? STATUS_EVENTS[order.status] : undefined;
      if (kind === 'order_rejected' || kind === 'order_canceled' || kind === 'order_expired') emitted.push({ kind, order: record, at });
    }
    emitted.push(...executionEvents);
    return { record, previousStatus: before.status, fillQty };
  }

  /** One execution against the ticker's position, inside the order's transaction. */
  private async applyExecution(
    tx: Repositories,
    order: Order,
    record: ExecutedOrderRecord,
    exec: Execution,
    emitted: TradingEvent[],
  ): Promise<PositionRecord | null> {
    const position = await this.positionOf(tx, record.ticker);
    if (!position) return this.open(tx, record, exec, `pos-${record.orderId}`, emitted, await this.legsOf(tx, order, record));
    if (sideOpenedBy(exec.side) === position.side) {
      const grown = grow(position, exec);
      await this.savePosition(tx, grown, 'update');
      return grown;
    }
    const outcome = reduce(position, exec, exitReasonOf(record));
    if (outcome.kind === 'reduced') {
      await this.savePosition(tx, outcome.position, 'update');
      return outcome.position;
    }
    await tx.positions.close(outcome.closed);
    this.writing.positions.set(position.ticker, null);
    emitted.push({ kind: 'position_closed', closed: outcome.closed, at: exec.at });
    // Legs still working for a closed position are the broker's to cancel (OCO); nothing more is sent here.
    if (outcome.remainder.gt(0)) {
      // Sold through zero: the rest is a new position the other way, with no plan.
      return this.open(tx, { ...record, plannedStopLoss: null, plannedTakeProfit: null, strategy: 'external' }, { ...exec, qty: outcome.remainder }, `pos-${record.orderId}-flip`, emitted, []);
    }
    return null;
  }

  /** A bracket entry's recorded legs: from the cache when the broker's view names them all, else read. */
  private async legsOf(tx: Repositories, order: Order, record: ExecutedOrderRecord): Promise<readonly ExecutedOrderRecord[]> {
    if (record.leg !== 'entry') return [];
    const cached = order.legs.map((l) => this.cached(l.id));
    if (order.legs.length > 0 && cached.every((l) => l !== undefined)) return cached as ExecutedOrderRecord[];
    await this.writeRows(tx); // legs staged in this transaction must be there to be listed
    return tx.orders.listChildren(record.orderId);
  }

  private async open(
    tx: Repositories,
    record: ExecutedOrderRecord,
    exec: Execution,
    positionId: string,
    emitted: TradingEvent[],
    legs: readonly ExecutedOrderRecord[],
  ): Promise<PositionRecord> {
    const stopLeg = legs.find((l) => l.leg === 'stop_loss') ?? null;
    const targetLeg = legs.find((l) => l.leg === 'take_profit') ?? null;
    const external = record.signalId === null && record.strategy === null && record.leg === null;
    const position = openFrom(exec, {
      positionId,
      ticker: record.ticker,
      signalId: record.signalId,
      strategy: record.strategy ?? (external ? 'external' : null),
      stopLossPrice: stopLeg?.stopPrice ?? record.plannedStopLoss,
      takeProfitPrice: targetLeg?.limitPrice ?? record.plannedTakeProfit,
      stopLossOrderId: stopLeg?.orderId ?? null,
      takeProfitOrderId: targetLeg?.orderId ?? null,
    });
    await this.savePosition(tx, position, 'insert');
    emitted.push({ kind: 'position_opened', position, at: exec.at });
    return position;
  }
}

/** Still able to fill: what the monitor refreshes. */
export function isWorking(record: Pick<ExecutedOrderRecord, 'status'>): boolean {
  return !TERMINAL_STATUSES.has(record.status);
}

/**
 * The one path from the broker's view of an order into the database: the
 * order's row, and the position its fills open, grow, reduce or close, written
 * in one transaction. It is fed by the trade stream, the monitor's listing and
 * reconciliation alike. Every update goes through the order state machine: one
 * that does not fit what was recorded (a stale listing, a replay) is refused,
 * and each fill counts once however often the same order state arrives,
 * because only the growth of `filled_qty` is applied.
 *
 * The parts, one job each: `ledger/queue.ts` runs one thing at a time;
 * `ledger/caches.ts` keeps what was committed; `ledger/staging.ts` holds a
 * transaction's writes; `ledger/context.ts` says why an order was sent;
 * `ledger/positionEffects.ts` applies executions to positions;
 * `ledger/orderEvents.ts` says what an order's change stands for;
 * `ledger/positionSync.ts` computes reconciliation's corrections. This class
 * composes them.
 */
import type { ClosedPositionRecord, ExecutedOrderRecord, OrderContext, PositionRecord } from '../domain/records.js';
import type { Repositories, Store } from '../domain/ports/store.js';
import type { TradingEvent, TradingEvents } from '../domain/events.js';
import { type Decimal, ZERO } from '../domain/money.js';
import type { Order } from '../domain/order.js';
import { applyOrderUpdate } from '../domain/orderState.js';
import type { Position } from '../domain/position.js';
import { ExpectedOrders, RecordCache, WorkingBook } from './ledger/caches.js';
import { contextFor, legContext } from './ledger/context.js';
import { orderEventOf } from './ledger/orderEvents.js';
import { adopted, closedExternally, resynced } from './ledger/positionSync.js';
import { applyExecution, type EffectScope, linkLegs } from './ledger/positionEffects.js';
import { BatchingQueue } from './ledger/queue.js';
import { StagedWrites } from './ledger/staging.js';
import { isPendingEntry, recordFromOrder, type WorkingOrder } from './orderRecord.js';

export { isWorking } from './orderRecord.js';

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

/** Where the ledger reports an update it refused (pino's logger fits). */
export interface LedgerLog {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface OrderLedgerOptions {
  log?: LedgerLog;
}

interface PendingUpdate {
  order: Order;
  context: OrderContext | undefined;
  fill: ReportedFill | undefined;
  resolve: (changes: OrderChange[]) => void;
  reject: (error: unknown) => void;
}

const familyOf = (order: Order): Order[] => [order, ...order.legs];

export class OrderLedger {
  private readonly queue = new BatchingQueue<PendingUpdate>((batch) => this.applyBatch(batch));
  private readonly expected = new ExpectedOrders();
  private readonly records = new RecordCache();
  private readonly working = new WorkingBook();
  /** What the transaction in progress has written (visible to the rest of it, cached once it commits). */
  private staged: StagedWrites | null = null;
  private writes = 0;
  private refusals = 0;

  /** Counts committed changes to orders and positions: a reader can tell whether what it read is still current. */
  get version(): number {
    return this.writes;
  }

  /** Broker updates refused because they did not fit the order's recorded state. */
  get refused(): number {
    return this.refusals;
  }

  constructor(
    private readonly store: LedgerStore,
    private readonly events?: TradingEvents,
    private readonly options: OrderLedgerOptions = {},
  ) {}

  /** Registers what an order about to be sent is for (removed once it is recorded). */
  expect(clientOrderId: string, context: OrderContext): void {
    this.expected.expect(clientOrderId, context);
  }

  forget(clientOrderId: string): void {
    this.expected.forget(clientOrderId);
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
      this.queue.push({ order, context, fill, resolve, reject });
    });
  }

  /** Runs `fn` after every queued update, alone: position writes never interleave. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.serial(fn);
  }

  private async applyBatch(batch: readonly PendingUpdate[]): Promise<void> {
    const work = batch.filter((u) => {
      if (!familyOf(u.order).every((o) => this.isRecorded(o))) return true;
      u.resolve([]);
      return false;
    });
    if (work.length === 0) return;
    try {
      for (const [u, changes] of await this.commit(work)) u.resolve(changes);
    } catch (error) {
      const [only, ...others] = work;
      if (only !== undefined && others.length === 0) return only.reject(error);
      for (const u of work) {
        try {
          for (const [one, changes] of await this.commit([u])) one.resolve(changes);
        } catch (alone) {
          u.reject(alone);
        }
      }
    }
  }

  /**
   * Applies updates in one transaction; records, events and the caches change
   * only once it commits. Returns each update with its changes, in order.
   */
  private async commit(updates: readonly PendingUpdate[]): Promise<[PendingUpdate, OrderChange[]][]> {
    try {
      const { results, staged, emitted } = await this.store.transaction(async (tx) => {
        const staged = (this.staged = new StagedWrites(tx));
        const emitted: TradingEvent[] = [];
        const results: [PendingUpdate, OrderChange[]][] = [];
        for (const u of updates) results.push([u, await this.applyFamily(staged, u, emitted)]);
        await staged.writeRows();
        return { results, staged, emitted };
      });
      if (results.some(([, changes]) => changes.length > 0)) this.writes++;
      for (const record of staged.orders.values()) {
        this.records.remember(record);
        this.working.track(record);
      }
      for (const u of updates) for (const o of familyOf(u.order)) this.forget(o.clientOrderId);
      for (const event of emitted) this.events?.emit(event);
      return results;
    } finally {
      this.staged = null;
    }
  }

  private async applyFamily(staged: StagedWrites, update: PendingUpdate, emitted: TradingEvent[]): Promise<OrderChange[]> {
    const { order, context, fill } = update;
    const out: OrderChange[] = [];
    let parent: ExecutedOrderRecord | null = null;
    for (const [i, o] of familyOf(order).entries()) {
      if (this.isRecorded(o)) continue;
      const change = await this.applyChange(staged, o, i === 0 ? context : undefined, emitted, parent, fill?.orderId === o.id ? fill : undefined);
      if (change) {
        out.push(change);
        staged.orders.set(change.record.orderId, change.record);
      }
      if (i === 0) parent = change?.record ?? null;
    }
    // Only an entry or legs seen for the first time, or an entry's fill, can leave a position without its legs.
    if (order.legs.length > 0 && out.some((c) => c.previousStatus === null || c.fillQty.gt(0))) await linkLegs(staged, order);
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
    // Loaded inside the queue: a commit queued behind this read must find the book to keep it.
    return this.working.current ?? (await this.serial(async () => this.working.current ?? this.working.load(await this.store.orders.listOpen())));
  }

  /** The order as this ledger last recorded it, if still cached (no database read). */
  recorded(orderId: string): ExecutedOrderRecord | undefined {
    return this.records.get(orderId);
  }

  /** The record written in the running transaction, else the committed one, if cached. */
  private cached(orderId: string): ExecutedOrderRecord | undefined {
    return this.staged?.orders.get(orderId) ?? this.records.get(orderId);
  }

  /** Whether the broker's state of `order` is already what was recorded. */
  private isRecorded(order: Order): boolean {
    const known = this.cached(order.id);
    return known !== undefined && known.status === order.status && known.filledQty.eq(order.filledQty);
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
      const closed = current ? closedExternally(current, price, at) : null;
      if (!closed || !(await this.store.positions.close(closed))) return null;
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
      const position = adopted(broker, at);
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
      const synced = resynced(current, broker, at);
      await this.store.positions.update(synced);
      this.writes++;
      return synced;
    });
  }

  private async applyChange(
    staged: StagedWrites,
    order: Order,
    given: OrderContext | undefined,
    emitted: TradingEvent[],
    /** The family's entry as just written (legs need not read it back). */
    parent: ExecutedOrderRecord | null = null,
    reported?: ReportedFill,
  ): Promise<OrderChange | null> {
    const { tx } = staged;
    const known = await this.known(tx, order.id);
    const verdict = applyOrderUpdate(known, order);
    if (verdict.kind === 'unchanged') return null;
    if (verdict.kind === 'refused') {
      // A stale view (a listing taken before a stream event, a replay) never moves an order backwards.
      this.refusals++;
      this.options.log?.warn(
        { orderId: order.id, clientOrderId: order.clientOrderId, recorded: known?.status, reported: order.status, reason: verdict.reason },
        'broker order update refused: it does not follow what was recorded',
      );
      return null;
    }
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
      const context = writtenParent
        ? legContext(writtenParent, order)
        : await contextFor(tx, order, given, this.expected.get(order.clientOrderId), (id) => this.known(tx, id));
      record = recordFromOrder(order, context);
      // A leg whose parent we never saw keeps no dangling reference.
      if (record.parentOrderId !== null && !writtenParent && !(await this.known(tx, record.parentOrderId))) record = { ...record, parentOrderId: null };
    }
    staged.stageRow(record, known !== null);

    const at = order.updatedAt;
    // Shares with no average from the broker are recorded as filled but move no position.
    const newShares = verdict.fill !== null && verdict.fill.price !== null ? { qty: verdict.fill.qty, price: verdict.fill.price } : null;
    const fill = newShares && reported?.qty.eq(newShares.qty) ? { qty: newShares.qty, price: reported.price } : newShares;
    const scope: EffectScope = { staged, cached: (id) => this.cached(id), emitted: [] };
    if (fill) {
      await applyExecution(scope, order, record, {
        orderId: order.id,
        side: order.side,
        qty: fill.qty,
        price: fill.price,
        at: order.filledAt ?? order.updatedAt,
      });
    }
    const event = orderEventOf(record, { statusChanged: verdict.statusChanged, fill }, at);
    if (event) emitted.push(event);
    emitted.push(...scope.emitted);
    return { record, previousStatus: verdict.previous, fillQty: verdict.fill?.qty ?? ZERO };
  }
}

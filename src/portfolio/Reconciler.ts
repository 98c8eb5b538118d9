/**
 * Makes the database agree with the broker: at start-up (after downtime) and
 * in every monitor cycle. Orders and fills come first (a bracket leg that
 * filled while the bot was down closes its position with the leg's reason);
 * what still disagrees afterwards happened outside the bot.
 */
import type { BrokerInterface } from '../domain/ports/broker.js';
import { type Decimal, formatUsd } from '../domain/money.js';
import type { Order } from '../domain/order.js';
import type { ClosedPositionRecord, ExecutedOrderRecord, ExecutionRecord, PositionRecord } from '../domain/records.js';
import type { LedgerStore, OrderLedger } from './OrderLedger.js';

export interface ReconciliationSummary {
  at: Date;
  /** Executions interrupted mid-submission, now settled (found at the broker, or known never sent). */
  submissionsSettled: number;
  /** Orders that became filled (fills recorded once each). */
  fillsRecorded: ExecutedOrderRecord[];
  closedExternally: ClosedPositionRecord[];
  adopted: PositionRecord[];
  resynced: { ticker: string; from: Decimal; to: Decimal }[];
  /** The open positions afterwards, when nothing changed them since they were read (saves the next step a read); else null. */
  positions: PositionRecord[] | null;
}

/** An execution left `submitting` this long is taken as interrupted. */
const SETTLE_AFTER_MS = 60_000;

/**
 * What reconciliation needs of the order executor (which sits above this
 * layer and implements it): which signals are being sent right now, settling
 * a submission a crash interrupted, and refreshing the working orders.
 */
export interface SubmissionRecovery {
  isExecuting(signalId: string): boolean;
  /** Null when the submission cannot be settled yet. */
  settle(execution: ExecutionRecord): Promise<unknown>;
  monitorPendingOrders(): Promise<ExecutedOrderRecord[]>;
}

export interface ReconcilerOptions {
  broker: BrokerInterface;
  store: LedgerStore;
  ledger: OrderLedger;
  executor: SubmissionRecovery;
  now?: () => Date;
}

export class Reconciler {
  private readonly now: () => Date;
  /** Differences seen by the last pass, by ticker: a cycle acts on those it sees twice. */
  private mismatches = new Map<string, string>();

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * `immediate` (the default, for start-up): settle every interrupted
   * submission and act on every difference found. A monitor cycle passes
   * false: a submission is settled once its grace has passed, and a
   * difference is acted on when the next pass finds it again, so an order
   * filling between the two reads is not mistaken for a position opened or
   * closed outside the bot.
   */
  async reconcile(options: { immediate?: boolean } = {}): Promise<ReconciliationSummary> {
    const { broker, store, ledger, executor } = this.options;
    const at = this.now();
    let submissionsSettled = 0;
    const startUp = options.immediate !== false;
    // First of all: an order the broker accepted just before a crash is recorded as ours (with its signal,
    // stop, target and legs) before any position is compared, so it is never taken for an outside one.
    for (const execution of await store.executions.listSubmitting()) {
      // One this process is sending right now is not interrupted. In a cycle, one claimed a moment ago may
      // still be on its way; at start-up nothing of this process is on its way, so none waits.
      if (executor.isExecuting(execution.signalId)) continue;
      if (!startUp && at.getTime() - execution.createdAt.getTime() < SETTLE_AFTER_MS) continue;
      const settled = await executor.settle(execution);
      if (!settled) {
        await store.executions.finish(
          execution.signalId,
          {
            success: false,
            orderId: null,
            quantity: null,
            estimatedCost: null,
            errorMessage: 'interrupted before the broker received the order: nothing was placed',
            refusedBy: 'broker',
            sizing: null,
          },
          at,
        );
      }
      submissionsSettled++;
    }

    const fillsRecorded = await executor.monitorPendingOrders();

    const held = new Map((await broker.getPositions()).map((p) => [p.ticker, p]));
    const version = ledger.version;
    const known = await store.positions.list();
    // The broker was read a moment before the database: a fill or close landing in between looks like a
    // mismatch. Unless `immediate` (start-up, nothing in flight), act only on one seen by the previous pass too.
    const seen = new Map<string, string>();
    const confirmed = (ticker: string, what: string) => {
      seen.set(ticker, what);
      return options.immediate !== false || this.mismatches.get(ticker) === what;
    };
    const closedExternally: ClosedPositionRecord[] = [];
    const resynced: ReconciliationSummary['resynced'] = [];
    for (const position of known) {
      const atBroker = held.get(position.ticker);
      held.delete(position.ticker);
      if (!atBroker) {
        if (!confirmed(position.ticker, `gone:${position.positionId}`)) continue;
        const closed = await this.closeOutside(position, at);
        if (closed) closedExternally.push(closed);
      } else if (!atBroker.quantity.eq(position.quantity) || atBroker.side !== position.side) {
        if (!confirmed(position.ticker, `size:${position.positionId}:${atBroker.side}:${atBroker.quantity.toFixed()}`)) continue;
        if (await ledger.resync(position.positionId, atBroker, at)) resynced.push({ ticker: position.ticker, from: position.quantity, to: atBroker.quantity });
      }
    }
    const adopted: PositionRecord[] = [];
    for (const position of held.values()) {
      if (!confirmed(position.ticker, `unknown:${position.side}:${position.quantity.toFixed()}`)) continue;
      // A position our own orders explain is recorded through them, never adopted as external.
      if (await this.recordOwnOrders(position.ticker)) {
        const recorded = await store.positions.getByTicker(position.ticker);
        if (recorded) {
          if ((!recorded.quantity.eq(position.quantity) || recorded.side !== position.side) && (await ledger.resync(recorded.positionId, position, at))) {
            resynced.push({ ticker: position.ticker, from: recorded.quantity, to: position.quantity });
          }
          continue;
        }
      }
      const taken = await ledger.adopt(position, at);
      if (taken) adopted.push(taken);
    }
    this.mismatches = seen;
    return { at, submissionsSettled, fillsRecorded, closedExternally, adopted, resynced, positions: ledger.version === version ? known : null };
  }

  /**
   * Records the ticker's orders that the bot sent (their client_order_id
   * belongs to an execution) but the database does not hold: an entry whose
   * local record was lost. Returns whether any was recorded.
   */
  private async recordOwnOrders(ticker: string): Promise<boolean> {
    const { broker, store, executor } = this.options;
    const orders = await broker.listOrders({ status: 'all', tickers: [ticker], limit: 100, direction: 'desc' });
    let recorded = false;
    for (const order of orders.reverse()) {
      if (await store.orders.get(order.id)) continue;
      const execution = await store.executions.getByClientOrderId(order.clientOrderId);
      if (!execution) continue;
      recorded = (await executor.settle(execution)) !== null || recorded;
    }
    return recorded;
  }

  /**
   * Closed outside the bot: the closing fill is looked for among the broker's
   * orders since the position opened (its price is the exit); without one,
   * the last price stands in.
   */
  private async closeOutside(position: PositionRecord, at: Date): Promise<ClosedPositionRecord | null> {
    const { broker, store, ledger } = this.options;
    const closingSide = position.side === 'long' ? 'sell' : 'buy';
    const orders = await broker.listOrders({
      status: 'closed',
      tickers: [position.ticker],
      after: new Date(position.openedAt.getTime() - 1),
      limit: 100,
      direction: 'desc',
    });
    const candidates: Order[] = [];
    for (const o of orders.flatMap((x) => [x, ...x.legs])) {
      if (o.side === closingSide && o.filledQty.gt(0) && o.filledAvgPrice !== null && !(await store.orders.get(o.id))) candidates.push(o);
    }
    const exit = candidates[0];
    if (exit) {
      await ledger.apply(exit, { positionId: position.positionId, exitReason: 'external' });
      const closed = await store.closedPositions.get(position.positionId);
      if (closed) return closed;
    }
    const prices = await broker.getLatestPrices([position.ticker]);
    return ledger.closeExternally(position, prices.get(position.ticker) ?? position.currentPrice, at);
  }
}

/** The start-up alert's text. */
export function describeReconciliation(s: ReconciliationSummary): string {
  const lines: string[] = [];
  if (s.submissionsSettled > 0) lines.push(`${s.submissionsSettled} interrupted submission(s) settled`);
  if (s.fillsRecorded.length > 0)
    lines.push(`${s.fillsRecorded.length} fill(s) recorded: ${s.fillsRecorded.map((o) => `${o.side} ${o.filledQty.toFixed()} ${o.ticker}`).join(', ')}`);
  for (const c of s.closedExternally) lines.push(`${c.ticker} closed outside the bot at ${formatUsd(c.exitPrice)} (P&L ${formatUsd(c.realizedPnl)})`);
  for (const p of s.adopted) lines.push(`${p.ticker} adopted: ${p.side} ${p.quantity.toFixed()} at ${formatUsd(p.entryPrice)}`);
  for (const r of s.resynced) lines.push(`${r.ticker} quantity corrected from ${r.from.toFixed()} to ${r.to.toFixed()}`);
  return lines.length === 0 ? 'Database and broker agree.' : lines.join('\n');
}

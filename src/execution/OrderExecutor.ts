/**
 * From a signal to an order at the broker: risk checks, sizing, then a
 * bracket (or simple) order with a deterministic client_order_id.
 *
 * Exactly once: a signal is claimed in `executions` before anything is sent,
 * so the same signal_id executed twice (in turn, at once, or after a restart)
 * places one order and answers with the first result.
 */
import type { BrokerInterface } from '../domain/ports/broker.js';
import { BrokerConnectionError, BrokerError, NotFoundError } from '../domain/errors.js';
import { type Decimal, ZERO } from '../domain/money.js';
import type { Order } from '../domain/order.js';
import type { OrderType, TimeInForce } from '../domain/enums.js';
import type { ExecutedOrderRecord, ExecutionPlan, ExecutionRecord, OrderContext } from '../domain/records.js';
import { isWorking, type LedgerStore, type OrderChange, type OrderLedger } from '../portfolio/OrderLedger.js';
import type { RiskLimitName, RiskManager } from '../risk/RiskManager.js';
import { parseSignal, type TradingSignal } from '../domain/signal.js';
import { type PositionSizingConfig, type SizingResult, sizePosition, sizingToJson } from './sizing.js';
import { type CalibrationBook, statedRewardRisk } from './calibration/book.js';
import type { CalibrationEstimate } from './calibration/model.js';
import { AmbiguousSubmissionError, clientOrderId, type SubmitRetry, submitOnce } from '../domain/submitOnce.js';

export interface ExecuteOptions {
  /** Bracket (entry + stop-loss + take-profit legs held by the broker). Default true. */
  useBracketOrder?: boolean;
  /** Default market; a limit entry defaults to the signal's price. */
  entryType?: Extract<OrderType, 'market' | 'limit'>;
  limitPrice?: Decimal;
  /** Default gtc, so the legs protect the position overnight. */
  timeInForce?: Extract<TimeInForce, 'day' | 'gtc'>;
  /** A fixed quantity instead of the sizing method (manual orders); still capped by risk. */
  quantity?: Decimal;
}

/**
 * What the executor places: a TradingSignal, or a manual entry (from /buy or
 * /sell) whose stop and target may be missing. `signalId` is the idempotency
 * key: the same id never places a second order.
 */
export type EntryRequest = Omit<TradingSignal, 'stopLossPrice' | 'takeProfitPrice' | 'timestamp'> & {
  stopLossPrice: Decimal | null;
  takeProfitPrice: Decimal | null;
};

export type RefusedBy = RiskLimitName | 'invalid_signal' | 'sizing' | 'broker';

export interface ExecutionResult {
  success: boolean;
  signalId: string;
  /** The entry order as recorded (null when nothing was placed). */
  order: ExecutedOrderRecord | null;
  /** Entry and legs, when a bracket was placed. */
  bracketOrder: { entry: ExecutedOrderRecord; stopLoss: ExecutedOrderRecord | null; takeProfit: ExecutedOrderRecord | null } | null;
  quantity: Decimal | null;
  /** quantity × entry price. */
  estimatedCost: Decimal | null;
  errorMessage: string | null;
  refusedBy: RefusedBy | null;
  /** True when this answer is the stored result of an earlier execution. */
  duplicate: boolean;
  /** True when the broker's answer was lost: the order may exist and reconciliation settles it. */
  pending: boolean;
}

export interface ExecutionStats {
  days: number;
  /** Orders the bot sent (entries and exits; bracket legs are counted with their entry). */
  totalOrders: number;
  filled: number;
  partiallyFilled: number;
  canceled: number;
  rejected: number;
  expired: number;
  /** filled / orders that reached a terminal state; null when none did. */
  fillRate: Decimal | null;
  /** Mean slippage against the signal price in basis points, positive = adverse; null without data. */
  avgSlippageBps: Decimal | null;
  /** Mean seconds from submission to the (last) fill. */
  avgTimeToFillSeconds: Decimal | null;
}

export interface OrderExecutorOptions {
  broker: BrokerInterface;
  store: LedgerStore;
  ledger: OrderLedger;
  risk: RiskManager;
  sizing: PositionSizingConfig;
  /** Each strategy's calibration on its closed trades: what calibrated_kelly sizes on. */
  calibration?: CalibrationBook;
  /** Retries of a submission the broker provably did not take (timeouts, 5xx, 429). */
  submitRetry?: SubmitRetry;
  now?: () => Date;
}

const BPS = 10_000;

export class OrderExecutor {
  private readonly inFlight = new Map<string, Promise<ExecutionResult>>();
  /** Entries run one at a time: the risk checks of one see the order of the one before (no two slip past a limit together). */
  private entryQueue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly options: OrderExecutorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The deterministic client_order_id of a signal's entry. */
  static entryClientOrderId(signalId: string): string {
    return clientOrderId(signalId, 'entry');
  }

  /** Sizing against the current account, without sending anything (for approval embeds). */
  async previewSignal(signal: TradingSignal): Promise<SizingResult> {
    const account = await this.options.broker.getAccount();
    return sizePosition(signal, account, this.options.sizing, await this.calibrate(signal));
  }

  /**
   * calibrated_kelly: the strategy's calibration on the trades closed before
   * the signal's own time (before now for a request without one), so the
   * preview and the approval size on the same past. Null for the other
   * methods, or without a stop and a target.
   */
  private async calibrate(
    signal: Pick<EntryRequest, 'strategy' | 'confidence' | 'currentPrice' | 'stopLossPrice' | 'takeProfitPrice'> & { timestamp?: Date },
  ): Promise<CalibrationEstimate | null> {
    const book = this.options.calibration;
    const rewardRisk = statedRewardRisk(signal);
    if (this.options.sizing.method !== 'calibrated_kelly' || book === undefined || rewardRisk === null) return null;
    const now = this.now();
    const stamped = 'timestamp' in signal && signal.timestamp instanceof Date ? signal.timestamp : now;
    return book.estimate(signal.strategy, signal.confidence, rewardRisk, stamped < now ? stamped : now);
  }

  /**
   * Executes a signal (a TradingSignal, or its wire JSON, validated here).
   * Never throws for a refusal or a broker error: the result says what happened.
   */
  executeSignal(input: TradingSignal | unknown, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const parsed = isTradingSignal(input) ? { ok: true as const, signal: input } : parseSignal(input);
    if (!parsed.ok) {
      const id = typeof input === 'object' && input !== null && 'signal_id' in input ? String(input.signal_id) : '';
      return Promise.resolve(failure(id, `invalid signal: ${parsed.problems.join('; ')}`, 'invalid_signal'));
    }
    return this.executeEntry(parsed.signal, options);
  }

  /** Executes an entry request (a signal, or a manual order); the same `signalId` places one order. */
  executeEntry(signal: EntryRequest, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const running = this.inFlight.get(signal.signalId);
    if (running) return running.then((r) => ({ ...r, duplicate: true }));
    const run = this.execute(signal, options).finally(() => this.inFlight.delete(signal.signalId));
    this.inFlight.set(signal.signalId, run);
    return run;
  }

  private async execute(signal: EntryRequest, options: ExecuteOptions): Promise<ExecutionResult> {
    const { store } = this.options;
    const cid = OrderExecutor.entryClientOrderId(signal.signalId);
    const plan: ExecutionPlan = {
      signalId: signal.signalId,
      clientOrderId: cid,
      ticker: signal.ticker,
      signalPrice: signal.currentPrice,
      stopLossPrice: signal.stopLossPrice,
      takeProfitPrice: signal.takeProfitPrice,
      strategy: signal.strategy,
    };
    if (!(await store.executions.claim(plan, this.now()))) {
      const earlier = await store.executions.get(signal.signalId);
      if (earlier && earlier.status === 'done') return this.replay(earlier);
      // Claimed before but never finished (a crash or a lost answer): ask the broker first.
      const settled = earlier ? await this.settle(earlier) : null;
      if (settled) return settled;
    }
    return this.oneAtATime(() => this.place(signal, plan, options));
  }

  private oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.entryQueue.then(fn, fn);
    this.entryQueue = run.catch(() => undefined);
    return run;
  }

  /** Whether an execution of this signal was ever started (claimed), here or before a restart. */
  async hasExecution(signalId: string): Promise<boolean> {
    return (await this.options.store.executions.get(signalId)) !== null;
  }

  /** Whether this process is executing the signal right now (reconciliation leaves it alone). */
  isExecuting(signalId: string): boolean {
    return this.inFlight.has(signalId);
  }

  /**
   * Settles an execution left `submitting`: if the broker has its order, the
   * order is recorded and the execution finished. Null when the broker has
   * none (it is then safe to send, with the same client_order_id).
   */
  async settle(execution: ExecutionRecord): Promise<ExecutionResult | null> {
    const order = await this.options.broker.getOrderByClientId(execution.clientOrderId);
    if (!order) return null;
    const changes = await this.options.ledger.apply(order, contextOf(execution, order));
    return this.finishSuccess(execution.signalId, order, null, execution.signalPrice, changes);
  }

  private async place(signal: EntryRequest, plan: ExecutionPlan, options: ExecuteOptions): Promise<ExecutionResult> {
    const { broker, risk, ledger, store } = this.options;
    const entryType = options.entryType ?? 'market';
    let sizing: SizingResult | null = null;
    // Until the order is handed to the broker, any failure means nothing was placed.
    let sending = false;
    try {
      const account = await broker.getAccount();
      const assessment = await risk.assessEntry(signal.ticker, entryType, account);
      const gate = assessment.decision;
      if (!gate.ok) return this.finishFailure(signal.signalId, gate.reason, gate.limit, null);

      let quantity: Decimal;
      if (options.quantity !== undefined) {
        quantity = options.quantity;
      } else {
        sizing = sizePosition(signal, account, this.options.sizing, await this.calibrate(signal));
        if (!sizing.ok) return this.finishFailure(signal.signalId, sizing.reason, 'sizing', sizing);
        quantity = sizing.quantity;
      }
      const price = options.limitPrice ?? signal.currentPrice;
      const check = risk.checkSize({ ticker: signal.ticker, side: signal.action, quantity, price, orderType: entryType }, assessment);
      if (!check.ok) return this.finishFailure(signal.signalId, check.reason, check.limit, sizing);

      const stopLossPrice = signal.stopLossPrice;
      const takeProfitPrice = signal.takeProfitPrice;
      const bracket = (options.useBracketOrder ?? true) && stopLossPrice !== null && takeProfitPrice !== null;
      const context: OrderContext = {
        signalId: signal.signalId,
        signalPrice: signal.currentPrice,
        leg: bracket ? 'entry' : null,
        plannedStopLoss: signal.stopLossPrice,
        plannedTakeProfit: signal.takeProfitPrice,
        strategy: signal.strategy,
      };
      const timeInForce = options.timeInForce ?? 'gtc';
      const limitPrice = entryType === 'limit' ? price : undefined;
      ledger.expect(plan.clientOrderId, context);
      sending = true;
      try {
        const { order } = await submitOnce(
          broker,
          plan.clientOrderId,
          async () =>
            bracket && stopLossPrice !== null && takeProfitPrice !== null
              ? (
                  await broker.placeBracketOrder({
                    ticker: signal.ticker,
                    side: signal.action,
                    quantity,
                    entryType,
                    ...(limitPrice ? { limitPrice } : {}),
                    stopLossPrice,
                    takeProfitPrice,
                    timeInForce,
                    clientOrderId: plan.clientOrderId,
                  })
                ).entryOrder
              : broker.placeOrder(signal.ticker, signal.action, quantity, entryType, {
                  ...(limitPrice ? { limitPrice } : {}),
                  timeInForce,
                  clientOrderId: plan.clientOrderId,
                }),
          this.options.submitRetry,
        );
        const changes = await ledger.apply(order, context);
        return this.finishSuccess(signal.signalId, order, sizing, plan.signalPrice, changes);
      } finally {
        ledger.forget(plan.clientOrderId);
      }
    } catch (error) {
      if (!sending && error instanceof BrokerError) {
        return this.finishFailure(signal.signalId, `not sent: ${brokerReason(error)}`, 'broker', sizing);
      }
      if (error instanceof AmbiguousSubmissionError || stillUncertain(error)) {
        // Left `submitting`: the next attempt or reconciliation asks the broker before sending.
        const message =
          error instanceof AmbiguousSubmissionError
            ? error.message
            : `the broker did not confirm the order (${error instanceof Error ? error.message : String(error)}); it may still arrive, and reconciliation settles it before anything is sent again`;
        return { ...failure(signal.signalId, message, 'broker'), pending: true };
      }
      if (error instanceof BrokerError) {
        // The broker refused or failed before holding the order (submitOnce checked).
        return this.finishFailure(signal.signalId, `the broker refused the order: ${brokerReason(error)}`, 'broker', sizing);
      }
      // Anything else (a bug, the database): nothing is recorded as final, so nothing is lost.
      await store.executions.release(signal.signalId).catch(() => undefined);
      throw error;
    }
  }

  private async finishFailure(signalId: string, reason: string, refusedBy: RefusedBy, sizing: SizingResult | null): Promise<ExecutionResult> {
    await this.options.store.executions.finish(
      signalId,
      {
        success: false,
        orderId: null,
        quantity: null,
        estimatedCost: null,
        errorMessage: reason,
        refusedBy,
        sizing: sizing ? JSON.stringify(sizingToJson(sizing)) : null,
      },
      this.now(),
    );
    return failure(signalId, reason, refusedBy);
  }

  private async finishSuccess(
    signalId: string,
    order: Order,
    sizing: SizingResult | null,
    signalPrice: Decimal,
    changes: readonly OrderChange[] | null,
  ): Promise<ExecutionResult> {
    const estimatedCost = order.quantity.times(order.limitPrice ?? signalPrice);
    await this.options.store.executions.finish(
      signalId,
      {
        success: true,
        orderId: order.id,
        quantity: order.quantity,
        estimatedCost,
        errorMessage: null,
        refusedBy: null,
        sizing: sizing ? JSON.stringify(sizingToJson(sizing)) : null,
      },
      this.now(),
    );
    // The records the ledger just wrote (or holds) answer without reading them back.
    const records = new Map((changes ?? []).map((c) => [c.record.orderId, c.record]));
    const recorded = (id: string) => records.get(id) ?? this.options.ledger.recorded(id);
    const entry = recorded(order.id) ?? (await this.options.store.orders.get(order.id));
    let legs = order.legs.map((l) => recorded(l.id)).filter((r): r is ExecutedOrderRecord => r !== undefined);
    if (legs.length < order.legs.length) legs = await this.options.store.orders.listChildren(order.id);
    return placed(signalId, entry, legs, order.quantity, estimatedCost, false);
  }

  /** The stored result, with the orders as recorded now. */
  private async replay(execution: ExecutionRecord): Promise<ExecutionResult> {
    const { orders } = this.options.store;
    if (!execution.success || execution.orderId === null) {
      const refusedBy = (execution.refusedBy ?? 'broker') as RefusedBy;
      return { ...failure(execution.signalId, execution.errorMessage ?? 'failed', refusedBy), duplicate: true };
    }
    const entry = await orders.get(execution.orderId);
    const legs = entry ? await orders.listChildren(entry.orderId) : [];
    return placed(execution.signalId, entry, legs, execution.quantity, execution.estimatedCost, true);
  }

  /**
   * Refreshes every order the database thinks is working: one listing call
   * (more pages only beyond 500 orders), then only the orders whose status or
   * fill changed go through the ledger; orders missing from the listing are
   * fetched one by one. Returns the orders that became filled.
   */
  async monitorPendingOrders(): Promise<ExecutedOrderRecord[]> {
    const { broker, ledger } = this.options;
    const open = await ledger.workingOrders();
    if (open.length === 0) return [];
    const byId = new Map(open.map((o) => [o.orderId, o]));
    const oldest = open.reduce((min, o) => Math.min(min, o.submittedAt.getTime()), Number.POSITIVE_INFINITY);
    const listed = await listSince(broker, new Date(oldest - 1));
    const changed = (o: Order) => {
      const known = byId.get(o.id);
      return known !== undefined && (known.status !== o.status || !known.filledQty.eq(o.filledQty));
    };
    const filled: ExecutedOrderRecord[] = [];
    const collect = (changes: Awaited<ReturnType<OrderLedger['apply']>>) => {
      for (const c of changes) if (c.record.status === 'filled' && c.previousStatus !== 'filled') filled.push(c.record);
    };
    const seen = new Set<string>();
    for (const order of listed) {
      const family = [order, ...order.legs];
      for (const o of family) seen.add(o.id);
      if (family.some(changed)) collect(await ledger.apply(order));
    }
    for (const record of open) {
      if (seen.has(record.orderId)) continue;
      try {
        collect(await ledger.apply(await broker.getOrder(record.orderId)));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    return filled;
  }

  async getExecutionStats(days = 30): Promise<ExecutionStats> {
    const since = new Date(this.now().getTime() - days * 86_400_000);
    const orders = (await this.options.store.orders.listSubmittedSince(since)).filter((o) => o.parentOrderId === null);
    const count = (status: string) => orders.filter((o) => o.status === status).length;
    const filled = orders.filter((o) => o.status === 'filled');
    const terminal = orders.filter((o) => !isWorking(o)).length;
    let slippageSum = ZERO;
    let slippageN = 0;
    let fillTimeSum = ZERO;
    let fillTimeN = 0;
    for (const o of filled) {
      if (o.signalPrice !== null && o.filledAvgPrice !== null && o.signalPrice.gt(0)) {
        const diff = o.side === 'buy' ? o.filledAvgPrice.minus(o.signalPrice) : o.signalPrice.minus(o.filledAvgPrice);
        slippageSum = slippageSum.plus(diff.div(o.signalPrice).times(BPS));
        slippageN++;
      }
      if (o.filledAt !== null) {
        fillTimeSum = fillTimeSum.plus((o.filledAt.getTime() - o.submittedAt.getTime()) / 1000);
        fillTimeN++;
      }
    }
    return {
      days,
      totalOrders: orders.length,
      filled: filled.length,
      partiallyFilled: count('partially_filled'),
      canceled: count('canceled'),
      rejected: count('rejected'),
      expired: count('expired'),
      fillRate: terminal === 0 ? null : ZERO.plus(filled.length).div(terminal),
      avgSlippageBps: slippageN === 0 ? null : slippageSum.div(slippageN),
      avgTimeToFillSeconds: fillTimeN === 0 ? null : fillTimeSum.div(fillTimeN),
    };
  }
}

const PAGE = 500;

/** Every order submitted after `after`, oldest first, a page of 500 at a time (one call for most books). */
async function listSince(broker: BrokerInterface, after: Date): Promise<Order[]> {
  const orders = new Map<string, Order>();
  let from = after;
  for (let page = 0; page < 50; page++) {
    const batch = await broker.listOrders({ status: 'all', after: from, limit: PAGE, direction: 'asc' });
    let added = 0;
    for (const o of batch) {
      if (!orders.has(o.id)) added++;
      orders.set(o.id, o);
    }
    const last = batch.at(-1);
    if (batch.length < PAGE || added === 0 || !last) break;
    // Pages overlap by a millisecond so orders sharing the boundary instant are not skipped.
    from = new Date(last.submittedAt.getTime() - 1);
  }
  return [...orders.values()];
}

/**
 * A connection failure or a 5xx that outlasted the retries: the last lookup
 * found nothing, but the order may still reach the broker. The execution
 * stays `submitting` for reconciliation rather than being recorded as refused.
 */
function stillUncertain(error: unknown): boolean {
  return error instanceof BrokerConnectionError || (error instanceof BrokerError && error.status !== null && error.status >= 500);
}

function brokerReason(error: BrokerError): string {
  return error.brokerMessage && !error.message.includes(error.brokerMessage) ? `${error.message} (${error.brokerMessage})` : error.message;
}

function isTradingSignal(input: unknown): input is TradingSignal {
  return typeof input === 'object' && input !== null && 'signalId' in input && 'currentPrice' in input;
}

/** A placed order's result: the entry as recorded and, for a bracket, its legs picked out. */
function placed(
  signalId: string,
  entry: ExecutedOrderRecord | null,
  legs: readonly ExecutedOrderRecord[],
  quantity: Decimal | null,
  estimatedCost: Decimal | null,
  duplicate: boolean,
): ExecutionResult {
  return {
    success: true,
    signalId,
    order: entry,
    bracketOrder:
      entry && legs.length > 0
        ? { entry, stopLoss: legs.find((l) => l.leg === 'stop_loss') ?? null, takeProfit: legs.find((l) => l.leg === 'take_profit') ?? null }
        : null,
    quantity,
    estimatedCost,
    errorMessage: null,
    refusedBy: null,
    duplicate,
    pending: false,
  };
}

function failure(signalId: string, errorMessage: string, refusedBy: RefusedBy): ExecutionResult {
  return {
    success: false,
    signalId,
    order: null,
    bracketOrder: null,
    quantity: null,
    estimatedCost: null,
    errorMessage,
    refusedBy,
    duplicate: false,
    pending: false,
  };
}

function contextOf(execution: ExecutionRecord, order: Order): OrderContext {
  return {
    signalId: execution.signalId,
    signalPrice: execution.signalPrice,
    leg: order.legs.length > 0 ? 'entry' : null,
    plannedStopLoss: execution.stopLossPrice,
    plannedTakeProfit: execution.takeProfitPrice,
    strategy: execution.strategy,
  };
}

/**
 * Open positions: prices, P&L, stop and target checks, exits, and the
 * portfolio's figures. Positions open and close from fills (see OrderLedger);
 * this class decides when the bot itself must send an exit, and sends it
 * once: where the broker holds a bracket leg, the leg does the work.
 */
import type { BrokerInterface } from '../domain/ports/broker.js';
import type { TradingEvents } from '../domain/events.js';
import { InsufficientFundsError, NotFoundError, OrderRejectedError, TradingError } from '../domain/errors.js';
import { addDays, exchangeDate } from '../domain/marketTime.js';
import { type Decimal, HUNDRED, ZERO } from '../domain/money.js';
import type { Order } from '../domain/order.js';
import type { ClosedPositionRecord, ExecutedOrderRecord, ExitReason, MarkBasis, OrderContext, PositionRecord, PriceMark } from '../domain/records.js';
import { clientOrderId, submitOnce } from '../domain/submitOnce.js';
import { type DayChange, equityStats, statsOf, type TradeStats } from './analytics.js';
import { costBasisOf, marketValueOf, openPnl, pnlRatio } from '../domain/position.js';
import { stopHit, targetHit } from './fills.js';
import { isWorking, type LedgerStore, type OrderLedger } from './OrderLedger.js';

export interface PositionManagerOptions {
  broker: BrokerInterface;
  store: LedgerStore;
  ledger: OrderLedger;
  /** Told `positions_marked` after each mark that wrote prices (a live page redraws on it). */
  events?: TradingEvents;
  now?: () => Date;
}

/** The seed's `openPosition` arguments: an entry order and the plan it carries. */
export interface OpenPositionRequest {
  order: Order;
  signalId?: string | null;
  strategy?: string | null;
  stopLossPrice?: Decimal | null;
  takeProfitPrice?: Decimal | null;
}

export interface ExitAction {
  position: PositionRecord;
  reason: ExitReason;
  /** The exit order sent (null when skipped). */
  order: ExecutedOrderRecord | null;
  /** Set when nothing was sent, and why (the broker's refusal included). */
  skipped: string | null;
}

export interface PortfolioMetrics {
  totalPositions: number;
  longPositions: number;
  shortPositions: number;
  /** Σ |quantity × last|. */
  totalExposure: Decimal;
  /** totalExposure / equity. */
  exposurePct: Decimal;
  totalUnrealizedPnl: Decimal;
  positionsAtStopLoss: number;
  positionsAtTakeProfit: number;
  largestPosition: { ticker: string; value: Decimal; pctOfEquity: Decimal } | null;
}

export interface PerformanceStats extends TradeStats {
  days: number;
  sharpe: Decimal | null;
  sortino: Decimal | null;
  /** The max drawdown episode: its dollars, its fraction of the peak, and its days (see EquityStats). */
  maxDrawdown: Decimal;
  maxDrawdownPct: Decimal;
  drawdownPeakDay: string | null;
  drawdownTroughDay: string | null;
  bestDay: DayChange | null;
  worstDay: DayChange | null;
  /** End-of-day snapshots the equity figures are computed from. */
  equityDays: number;
}

/** Polls `done` until it holds or `timeoutMs` passes; true when it held. */
async function settleWithin(done: () => Promise<boolean>, timeoutMs = 5_000, everyMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class PositionManager {
  private readonly now: () => Date;
  /** Positions whose exit is being decided or sent now: a streamed trade and a monitor cycle never both send one. */
  private readonly closing = new Set<string>();

  constructor(private readonly options: PositionManagerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  getOpenPositions(): Promise<PositionRecord[]> {
    return this.options.store.positions.list();
  }

  getPosition(ticker: string): Promise<PositionRecord | null> {
    return this.options.store.positions.getByTicker(ticker.toUpperCase());
  }

  /**
   * Records an entry order with its plan and applies its fills: the position
   * opens at the fill price. Returns it (null while the order has not filled).
   */
  async openPosition(request: OpenPositionRequest): Promise<PositionRecord | null> {
    const context: OrderContext = {
      signalId: request.signalId ?? null,
      strategy: request.strategy ?? null,
      plannedStopLoss: request.stopLossPrice ?? null,
      plannedTakeProfit: request.takeProfitPrice ?? null,
      leg: request.order.legs.length > 0 ? 'entry' : null,
    };
    await this.options.ledger.apply(request.order, context);
    return this.getPosition(request.order.ticker);
  }

  /**
   * Marks every position to market: one batch price call (skipped when
   * `prices` is given) and one transaction. Returns the marked positions.
   * `current`: the open positions as the caller just read them (else read here).
   */
  async updatePositionPrices(prices?: ReadonlyMap<string, Decimal>, current?: readonly PositionRecord[]): Promise<PositionRecord[]> {
    const { store, broker } = this.options;
    // `current`: the positions as just read by the caller (a monitor cycle), saving a read.
    const positions = current ?? (await store.positions.list());
    if (positions.length === 0) return [];
    const last = prices ?? (await broker.getLatestPrices(positions.map((p) => p.ticker)));
    const at = this.now();
    const marked: PositionRecord[] = [];
    const marks: PriceMark[] = [];
    for (const p of positions) {
      const price = last.get(p.ticker);
      if (price === undefined) {
        marked.push(p);
        continue;
      }
      const mark = priceMark(p, price, at);
      marks.push(mark);
      marked.push({ ...p, currentPrice: price, unrealizedPnl: mark.unrealizedPnl, updatedAt: at });
    }
    await store.positions.markPrices(marks);
    if (marks.length > 0) this.options.events?.emit({ kind: 'positions_marked', at });
    return marked;
  }

  /**
   * `updatePositionPrices` when the caller needs no records back (a
   * backtest, before each signal): reads only the shares and their cost of
   * each position, so a large book is marked without decoding it whole.
   * Returns how many positions were marked.
   */
  async markToMarket(): Promise<number> {
    const { store, broker } = this.options;
    const held = await store.positions.markBasis();
    if (held.length === 0) return 0;
    const last = await broker.getLatestPrices(held.map((p) => p.ticker));
    const at = this.now();
    const marks: PriceMark[] = [];
    for (const p of held) {
      const price = last.get(p.ticker);
      if (price !== undefined) marks.push(priceMark(p, price, at));
    }
    await store.positions.markPrices(marks);
    if (marks.length > 0) this.options.events?.emit({ kind: 'positions_marked', at });
    return marks.length;
  }

  /** Positions whose last price is at or through the stop (long: last <= stop; short: last >= stop). */
  async checkStopLosses(): Promise<PositionRecord[]> {
    return (await this.getOpenPositions()).filter(stopHit);
  }

  /** Positions whose last price reached the target (long: last >= target; short: last <= target). */
  async checkTakeProfits(): Promise<PositionRecord[]> {
    return (await this.getOpenPositions()).filter(targetHit);
  }

  /**
   * Closes triggered positions that no broker leg protects: cancels what
   * remains of their legs and sends one market exit each. Positions whose
   * leg is still working at the broker are left to it (nothing sent twice),
   * as are positions with an exit already working. `marked`: the positions
   * as updatePositionPrices just returned them (read afresh when omitted).
   */
  async autoCloseTriggeredPositions(marked?: readonly PositionRecord[]): Promise<ExitAction[]> {
    const { store } = this.options;
    const actions: ExitAction[] = [];
    let failure: unknown;
    // A monitor cycle passes the positions it has just marked, saving a read.
    for (const seen of marked ?? (await this.getOpenPositions())) {
      const reason: ExitReason | null = stopHit(seen) ? 'stop_loss' : targetHit(seen) ? 'take_profit' : null;
      if (reason === null) continue;
      if (this.closing.has(seen.positionId)) {
        actions.push({ position: seen, reason, order: null, skipped: 'its exit is being sent already' });
        continue;
      }
      this.closing.add(seen.positionId);
      try {
        // Read again: the broker's leg may have closed it since it was marked.
        const position = await store.positions.get(seen.positionId);
        if (!position) continue;
        const legId = reason === 'stop_loss' ? position.stopLossOrderId : position.takeProfitOrderId;
        const leg = legId ? await store.orders.get(legId) : null;
        if (leg && isWorking(leg)) {
          actions.push({ position, reason, order: null, skipped: `the broker's ${reason.replace('_', '-')} leg ${leg.orderId} is working` });
          continue;
        }
        const working = (await store.orders.listForPosition(position.positionId)).find(isWorking);
        if (working) {
          actions.push({ position, reason, order: null, skipped: `exit order ${working.orderId} is already working` });
          continue;
        }
        await this.cancelLegs(position);
        actions.push({ position, reason, order: await this.sendExit(position, position.quantity, reason), skipped: null });
      } catch (error) {
        // A refusal of one position's exit must not hold back the others' exits: it is told, and the next check tries again.
        if (!(error instanceof OrderRejectedError || error instanceof InsufficientFundsError)) {
          failure ??= error;
          continue;
        }
        const refusal = error.brokerMessage ?? error.message;
        actions.push({ position: seen, reason, order: null, skipped: `the broker refused the exit: ${refusal}` });
        this.options.events?.emit({ kind: 'exit_refused', position: seen, reason, error: refusal, at: this.now() });
      } finally {
        this.closing.delete(seen.positionId);
      }
    }
    // Anything else (the broker unreachable) fails the check as before, once every position has had its turn.
    if (failure !== undefined) throw failure;
    return actions;
  }

  /**
   * Closes a position (all of it, or `percent` of it in whole shares) at
   * market. Its bracket legs are canceled first: they are sized for the whole
   * position and would oversell; the monitor guards the rest from then on.
   */
  async closePosition(ticker: string, options: { percent?: Decimal; reason?: ExitReason } = {}): Promise<ExecutedOrderRecord> {
    const position = await this.getPosition(ticker);
    if (!position) throw new TradingError(`No open position in ${ticker.toUpperCase()}.`);
    const reason = options.reason ?? 'manual';
    let qty = position.quantity;
    if (options.percent !== undefined) {
      if (options.percent.lte(0) || options.percent.gt(HUNDRED))
        throw new TradingError(`percent must be above 0 and at most 100, got ${options.percent.toFixed()}.`);
      qty = position.quantity.times(options.percent).div(HUNDRED).floor();
      if (qty.lt(1)) throw new TradingError(`${options.percent.toFixed()}% of ${position.quantity.toFixed()} shares is less than one share.`);
    }
    const working = (await this.options.store.orders.listForPosition(position.positionId)).find(isWorking);
    if (working) throw new TradingError(`An exit order for ${position.ticker} is already working (${working.orderId}).`);
    await this.cancelLegs(position);
    return this.sendExit(position, qty, reason);
  }

  /** Cancels every open order, then closes every position at market (exit reason `flatten`). */
  async flatten(): Promise<{ canceled: boolean; exits: ExecutedOrderRecord[]; failures: { ticker: string; error: string }[] }> {
    const { broker } = this.options;
    await broker.cancelAllOrders();
    // Cancels are asynchronous at Alpaca: shares held for the exit legs are free only once they are done.
    const canceled = await settleWithin(async () => (await broker.listOrders({ status: 'open', limit: 1 })).length === 0);
    const exits: ExecutedOrderRecord[] = [];
    const failures: { ticker: string; error: string }[] = [];
    for (const position of await this.getOpenPositions()) {
      try {
        exits.push(await this.sendExit(position, position.quantity, 'flatten'));
      } catch (error) {
        failures.push({ ticker: position.ticker, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { canceled, exits, failures };
  }

  async calculatePortfolioMetrics(equity: Decimal): Promise<PortfolioMetrics> {
    const positions = await this.getOpenPositions();
    let totalExposure = ZERO;
    let totalUnrealizedPnl = ZERO;
    let largest: PortfolioMetrics['largestPosition'] = null;
    for (const p of positions) {
      const value = p.quantity.times(p.currentPrice);
      totalExposure = totalExposure.plus(value);
      totalUnrealizedPnl = totalUnrealizedPnl.plus(p.unrealizedPnl);
      if (largest === null || value.gt(largest.value)) {
        largest = { ticker: p.ticker, value, pctOfEquity: equity.isZero() ? ZERO : value.div(equity) };
      }
    }
    return {
      totalPositions: positions.length,
      longPositions: positions.filter((p) => p.side === 'long').length,
      shortPositions: positions.filter((p) => p.side === 'short').length,
      totalExposure,
      exposurePct: equity.isZero() ? ZERO : totalExposure.div(equity),
      totalUnrealizedPnl,
      positionsAtStopLoss: positions.filter(stopHit).length,
      positionsAtTakeProfit: positions.filter(targetHit).length,
      largestPosition: largest,
    };
  }

  /**
   * Trade statistics over the trades closed in the last `days` days, and the
   * risk-adjusted figures from the daily (end-of-day) equity series.
   */
  async getPerformanceStats(days = 30): Promise<PerformanceStats> {
    const since = new Date(this.now().getTime() - days * 86_400_000);
    const outcomes = await this.options.store.closedPositions.outcomesSince(since);
    const trades = statsOf(outcomes.realizedPnl, outcomes.totalHoldSeconds);
    const daily = await this.options.store.equity.listDaily(exchangeDate(since));
    const equity = equityStats(daily.map((s) => ({ day: s.tradingDay, equity: s.equity })));
    return {
      days,
      ...trades,
      sharpe: equity.sharpe,
      sortino: equity.sortino,
      maxDrawdown: equity.maxDrawdown,
      maxDrawdownPct: equity.maxDrawdownPct,
      drawdownPeakDay: equity.drawdownPeakDay,
      drawdownTroughDay: equity.drawdownTroughDay,
      bestDay: equity.bestDay,
      worstDay: equity.worstDay,
      equityDays: equity.days,
    };
  }

  /** Trades closed on a trading day (YYYY-MM-DD, New York), oldest first. */
  async getClosedOn(day: string): Promise<ClosedPositionRecord[]> {
    // From the UTC midnight before the day: no New York session day starts earlier.
    const closed = await this.options.store.closedPositions.listClosedBetween(
      new Date(`${addDays(day, -1)}T00:00:00Z`),
      new Date(`${addDays(day, 2)}T00:00:00Z`),
    );
    return closed.filter((c) => exchangeDate(c.closedAt) === day);
  }

  /** Trades closed in the last `days` days, newest last. */
  getClosedPositions(days: number): Promise<ClosedPositionRecord[]> {
    return this.options.store.closedPositions.listClosedBetween(new Date(this.now().getTime() - days * 86_400_000));
  }

  private async cancelLegs(position: PositionRecord): Promise<void> {
    const { store, broker } = this.options;
    for (const id of [position.stopLossOrderId, position.takeProfitOrderId]) {
      if (id === null) continue;
      const leg = await store.orders.get(id);
      if (leg && !isWorking(leg)) continue;
      try {
        await broker.cancelOrder(id);
      } catch (error) {
        // Already finished at the broker (filled, or canceled with its OCO sibling): its update says which.
        if (error instanceof NotFoundError) continue;
        const current = await broker.getOrder(id).catch(() => null);
        if (current === null || current.isOpen()) throw error;
      }
      // Wait for the cancel to take (asynchronous at Alpaca) before the exit needs the shares.
      await settleWithin(async () => (await broker.getOrder(id).catch(() => null))?.isOpen() !== true);
    }
  }

  /** Sends one market exit with a deterministic client_order_id and records it. */
  private async sendExit(position: PositionRecord, qty: Decimal, reason: ExitReason): Promise<ExecutedOrderRecord> {
    const { store, broker, ledger } = this.options;
    const attempt = (await store.orders.listForPosition(position.positionId)).length + 1;
    const id = clientOrderId(position.positionId, `exit${attempt}`);
    const context: OrderContext = { positionId: position.positionId, exitReason: reason, signalId: position.signalId, strategy: position.strategy };
    ledger.expect(id, context);
    const side = position.side === 'long' ? 'sell' : 'buy';
    // Never more than the broker holds: an exit sized from a stale record would open the other way.
    const held = await broker.getPosition(position.ticker);
    if (!held || held.side !== position.side) {
      throw new TradingError(
        `The broker holds no ${position.side} position in ${position.ticker}; nothing was sent (reconciliation will record how it closed).`,
      );
    }
    const size = qty.gt(held.quantity) ? held.quantity : qty;
    try {
      const { order } = await submitOnce(broker, id, () => broker.placeOrder(position.ticker, side, size, 'market', { clientOrderId: id, timeInForce: 'day' }));
      await ledger.apply(order, context);
      const recorded = await store.orders.get(order.id);
      if (!recorded) throw new TradingError(`exit order ${order.id} was placed but not recorded`);
      return recorded;
    } finally {
      ledger.forget(id);
    }
  }
}

/** A position's mark at `price`: P&L, market value and P&L ratio as the positions table keeps them. */
function priceMark(p: MarkBasis, price: Decimal, at: Date): PriceMark {
  const unrealizedPnl = openPnl(p, price);
  return {
    positionId: p.positionId,
    currentPrice: price,
    unrealizedPnl,
    marketValue: marketValueOf({ quantity: p.quantity, currentPrice: price, side: p.side }),
    unrealizedPnlPct: pnlRatio(unrealizedPnl, costBasisOf(p)),
    updatedAt: at,
  };
}

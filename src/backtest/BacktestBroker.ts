/**
 * A broker driven by historical bars, for the backtester: it holds cash,
 * positions and orders, and fills orders by the bar rules of fills/fills.ts
 * as the replay hands it bars. It speaks the broker port exactly like the
 * paper simulator (the same order shapes, the same trade updates in the same
 * sequence), so the unchanged trading engine records a backtest the way it
 * records a live session, and the two can only disagree where the market did.
 *
 * Time is the replay's: the clock is whatever `setTime` last said, and the
 * latest price of a ticker is the close of the last bar it was handed, never
 * a later one.
 */
import { randomUUID } from 'node:crypto';
import { Account } from '../domain/account.js';
import type { BracketLegRole, OrderSide, OrderType, TradeEvent } from '../domain/enums.js';
import { TERMINAL_STATUSES } from '../domain/enums.js';
import { NotFoundError, OrderRejectedError, DuplicateClientOrderIdError } from '../domain/errors.js';
import { exchangeDate } from '../domain/marketTime.js';
import { Decimal, ZERO } from '../domain/money.js';
import { Order } from '../domain/order.js';
import type { BracketOrder, OrderProps } from '../domain/order.js';
import { Position } from '../domain/position.js';
import {
  type BracketOrderParams,
  type BrokerInterface,
  type CalendarDay,
  type Clock,
  type ClosePositionOptions,
  type Execution,
  type OrderChanges,
  type OrderFilter,
  type PlaceOrderOptions,
  tradeUpdateOf,
  type TradeUpdateListener,
} from '../domain/ports/broker.js';
import type { Bar } from './bar.js';
import { barOf, type BarRow } from './input/barsCsv.js';
import { type BarOrder, type Fill, type FillCosts, exitSide, fillOnBar, positionExitOnBar } from './fills/fills.js';

/**
 * The trading day a bar time belongs to: a bar stamped 00:00 UTC is a daily
 * bar named by its date (how dated CSV rows are read); any other time is
 * read on the exchange's calendar (Alpaca stamps daily bars at New York's
 * midnight, intraday bars at their minute).
 */
export function tradingDayOf(at: Date): string {
  const ms = at.getTime();
  return tradingDayAt(ms, ms % DAY_MS === 0);
}

const DAY_MS = 86_400_000;
/** The last date named: every bar of a daily bar time asks again. */
let lastMidnight = { ms: Number.NaN, day: '' };

/**
 * The trading day of an instant in a run of daily bars (named by their UTC
 * date) or of intraday bars (the exchange's date: an hourly bar at 00:00 UTC
 * belongs to the evening before in New York).
 */
export function tradingDayAt(ms: number, daily: boolean): string {
  if (!daily) return exchangeDate(new Date(ms));
  if (ms !== lastMidnight.ms) lastMidnight = { ms, day: new Date(ms).toISOString().slice(0, 10) };
  return lastMidnight.day;
}

export interface BacktestBrokerOptions {
  startingCash: Decimal;
  costs: FillCosts;
  /** Daily bars (stamped 00:00 UTC, named by their date); intraday by default when absent: each instant's own rule. */
  dailyBars?: boolean;
}

/** One order as the broker tracks it (mutable; handed out as `Order` values): the order's own fields, its family by id, and its execution count. */
type BookOrder = Pick<
  OrderProps,
  | 'id'
  | 'clientOrderId'
  | 'ticker'
  | 'side'
  | 'type'
  | 'orderClass'
  | 'timeInForce'
  | 'quantity'
  | 'filledQty'
  | 'filledAvgPrice'
  | 'limitPrice'
  | 'stopPrice'
  | 'status'
  | 'submittedAt'
  | 'updatedAt'
  | 'filledAt'
  | 'canceledAt'
  | 'statusReason'
> & {
  parentId: string | null;
  legIds: string[];
  legRole: BracketLegRole | null;
  executions: number;
};

/** A ticker's latest close: the row as read, its close made a Decimal when first asked for. */
interface Close {
  row: BarRow | null;
  value: Decimal | null;
}

/** Shares held in one ticker: signed (negative = short), at an average price. */
interface Holding {
  qty: Decimal;
  avgPrice: Decimal;
}

export class BacktestBroker implements BrokerInterface {
  readonly name = 'backtest';
  private cash: Decimal;
  private now = new Date(0);
  private lastEquity: Decimal;
  private equityDay: string | null = null;
  private readonly orders = new Map<string, BookOrder>();
  private readonly byClientId = new Map<string, string>();
  private readonly holdings = new Map<string, Holding>();
  private readonly closes = new Map<string, Close>();
  /** Trade updates sent so far: the replay waits for the ledger only when there were some. */
  private updates = 0;
  private readonly listeners = new Set<TradeUpdateListener>();
  private readonly commissions = new Map<string, Decimal>();
  private readonly filledShares = new Map<string, Decimal>();
  /** Per ticker, the orders sent to it (not legs) whose family may still fill: what a bar of it has to look at. */
  private readonly live = new Map<string, Set<BookOrder>>();
  /**
   * Moves whenever cash, a holding or a held ticker's close changes: the
   * account is valued again only then (every signal reads it, and most
   * signals of a day arrive with nothing moved since the last one).
   */
  private bookVersion = 0;
  private valued: { version: number; equity: Decimal; long: Decimal; short: Decimal } | null = null;

  constructor(private readonly options: BacktestBrokerOptions) {
    this.cash = options.startingCash;
    this.lastEquity = options.startingCash;
  }

  // ---- the replay's controls ---------------------------------------------------

  /** Moves the clock (never backwards); the first instant of a new exchange day makes yesterday's equity `lastEquity`. */
  setTime(at: Date): void {
    const ms = at.getTime();
    if (ms < this.now.getTime()) throw new RangeError(`the clock cannot go back from ${this.now.toISOString()} to ${at.toISOString()}`);
    if (ms === this.now.getTime()) return;
    const day = tradingDayAt(ms, this.options.dailyBars ?? ms % DAY_MS === 0);
    if (this.equityDay !== null && day !== this.equityDay) this.lastEquity = this.equity();
    this.equityDay = day;
    this.now = at;
  }

  /**
   * Hands the broker one bar: the working orders of its symbol sent before the
   * bar opened fill by the bar rules, then its close becomes the latest price.
   */
  advance(bar: Bar): void {
    this.setTime(bar.timestamp);
    this.work(bar);
    this.setClose(bar.symbol, null, bar.close);
  }

  /**
   * `advance` for a bar as read: its figures become Decimals only when an
   * order of its symbol is working, or when its close is asked for.
   */
  advanceRow(row: BarRow): void {
    if (row.time !== this.now.getTime()) this.setTime(new Date(row.time));
    const families = this.live.get(row.symbol);
    if (families !== undefined && families.size > 0 && this.mayFill(families, row)) this.work(barOf(row));
    this.setClose(row.symbol, row, null);
  }

  private setClose(symbol: string, row: BarRow | null, value: Decimal | null): void {
    if (this.holdings.has(symbol)) this.bookVersion++;
    const close = this.closes.get(symbol);
    if (close === undefined) this.closes.set(symbol, { row, value });
    else {
      close.row = row;
      close.value = value;
    }
  }

  /** The latest close of a ticker, if any bar of it has been seen. */
  private closeOf(ticker: string): Decimal | undefined {
    const close = this.closes.get(ticker);
    if (close === undefined) return undefined;
    close.value ??= new Decimal(close.row?.close ?? '0');
    return close.value;
  }

  /** The working orders of the bar's symbol sent before the bar opened fill by the bar rules. */
  private work(bar: Bar): void {
    const t = bar.timestamp.getTime();
    const families = this.live.get(bar.symbol);
    for (const o of families ?? []) {
      if (this.familyDone(o)) {
        families?.delete(o);
        continue;
      }
      if ((o.status === 'new' || o.status === 'partially_filled') && o.submittedAt.getTime() < t) this.workEntry(o, bar);
      // Exits of a position opened on an earlier bar (the entry bar's own exits were worked with its fill).
      else if (o.filledAt !== null && o.filledAt.getTime() < t && o.legIds.some((id) => this.registered(id).status === 'new')) this.workExits(o, bar, true);
    }
  }

  /**
   * Whether an order of the bar's symbol could fill on it. Judged on doubles
   * with a margin, and false only when every working exit's price lies clear
   * of the bar's range, where the exact rules cannot fill either; anything
   * else (an entry, a family to drop) goes to the exact path.
   */
  private mayFill(families: ReadonlySet<BookOrder>, row: BarRow): boolean {
    let low = Number.NaN;
    let high = Number.NaN;
    for (const o of families) {
      if (o.status !== 'filled' || this.familyDone(o)) return true;
      for (const id of o.legIds) {
        const leg = this.registered(id);
        if (leg.status !== 'new') continue;
        const price = leg.type === 'stop' ? leg.stopPrice : leg.limitPrice;
        if (price === null) return true;
        if (Number.isNaN(low)) {
          low = row.lowValue();
          high = row.highValue();
        }
        const p = price.toNumber();
        const margin = Math.abs(p) * 1e-9;
        // A sell stop or a buy limit is reached at or below its price; a sell limit or a buy stop at or above.
        const fromAbove = (leg.side === 'sell') === (leg.type === 'stop');
        if (fromAbove ? !(low > p + margin) : !(high < p - margin)) return true;
      }
    }
    return false;
  }

  /** An order and its legs all finished: nothing of it can fill any more. */
  private familyDone(o: BookOrder): boolean {
    return TERMINAL_STATUSES.has(o.status) && o.legIds.every((id) => TERMINAL_STATUSES.has(this.registered(id).status));
  }

  /** The replay's clock. */
  time(): Date {
    return this.now;
  }

  /** Cash plus every holding at its last close. */
  equity(): Decimal {
    return this.valuation().equity;
  }

  /** Equity and the long and short market values, computed again only when the book or a held close moved. */
  private valuation(): { equity: Decimal; long: Decimal; short: Decimal } {
    if (this.valued?.version === this.bookVersion) return this.valued;
    let equity = this.cash;
    let long = ZERO;
    let short = ZERO;
    for (const [ticker, h] of this.holdings) {
      const value = h.qty.times(this.closeOf(ticker) ?? h.avgPrice);
      equity = equity.plus(value);
      if (value.isPositive()) long = long.plus(value);
      else short = short.plus(value);
    }
    this.valued = { version: this.bookVersion, equity, long, short };
    return this.valued;
  }

  /** The commission charged on an order's fills so far. */
  commissionOf(orderId: string): Decimal {
    return this.commissions.get(orderId) ?? ZERO;
  }

  /** The shares an order has filled so far. */
  filledOf(orderId: string): Decimal {
    return this.filledShares.get(orderId) ?? ZERO;
  }

  /** Whether any shares are held. */
  holdsAny(): boolean {
    return this.holdings.size > 0;
  }

  /** Trade updates sent so far. */
  updatesSent(): number {
    return this.updates;
  }

  latestClose(ticker: string): Decimal | undefined {
    return this.closeOf(ticker);
  }

  // ---- fills -----------------------------------------------------------------

  private workEntry(o: BookOrder, bar: Bar): void {
    const order = this.barOrder(o);
    if (order === null) return;
    const fill = fillOnBar(order, bar, this.options.costs, o.legIds.length > 0 ? 'entry' : undefined);
    if (fill === null) return;
    this.fill(o, fill);
    if (o.legIds.length === 0) return;
    // An entry at the open has the whole bar after it; one inside the bar leaves
    // unknown what came next, so there only the stop may trigger (pessimistic).
    const atOpen = o.type === 'market' || fill.price.eq(bar.open);
    this.workExits(o, bar, atOpen);
  }

  private barOrder(o: BookOrder): BarOrder | null {
    const quantity = o.quantity.minus(o.filledQty);
    if (o.type === 'market') return { kind: 'market', side: o.side, quantity };
    if (o.type === 'limit' && o.limitPrice !== null) return { kind: 'limit', side: o.side, quantity, limitPrice: o.limitPrice };
    if (o.type === 'stop' && o.stopPrice !== null) return { kind: 'stop', side: o.side, quantity, stopPrice: o.stopPrice };
    return null;
  }

  private workExits(parent: BookOrder, bar: Bar, targetAllowed: boolean): void {
    const legs = parent.legIds.map((id) => this.registered(id)).filter((l) => l.status === 'new');
    const stop = legs.find((l) => l.legRole === 'stop_loss');
    const target = targetAllowed ? legs.find((l) => l.legRole === 'take_profit') : undefined;
    const held = this.holdings.get(parent.ticker);
    if ((!stop && !target) || !held) return;
    const side = held.qty.gt(0) ? 'long' : 'short';
    const quantity = Decimal.min(held.qty.abs(), (stop ?? target)?.quantity ?? ZERO);
    if (quantity.lte(0)) return;
    const fills = positionExitOnBar(
      {
        side,
        quantity,
        stopLoss: stop?.stopPrice ? { price: stop.stopPrice } : null,
        takeProfit: target?.limitPrice ? { price: target.limitPrice } : null,
      },
      bar,
      this.options.costs,
    );
    for (const f of fills) {
      if (f.side !== exitSide(side)) continue;
      const leg = f.reason === 'stop_loss' ? stop : target;
      if (leg && leg.status === 'new') this.fill(leg, f);
    }
  }

  private fill(o: BookOrder, f: Fill): void {
    const at = f.barTimestamp;
    this.book(o.ticker, o.side, f.quantity, f.price);
    this.cash = this.cash.minus(f.commission);
    this.bookVersion++;
    this.commissions.set(o.id, this.commissionOf(o.id).plus(f.commission));
    this.filledShares.set(o.id, this.filledOf(o.id).plus(f.quantity));
    const before = o.filledQty;
    o.filledQty = before.plus(f.quantity);
    o.filledAvgPrice = (o.filledAvgPrice ?? ZERO).times(before).plus(f.price.times(f.quantity)).div(o.filledQty);
    o.executions += 1;
    o.updatedAt = at;
    const complete = o.filledQty.eq(o.quantity);
    o.status = complete ? 'filled' : 'partially_filled';
    if (complete) o.filledAt = at;
    const positionQty = this.holdings.get(o.ticker)?.qty ?? ZERO;
    this.emit(complete ? 'fill' : 'partial_fill', o, at, { price: f.price, qty: f.quantity, positionQty });
    if (!complete) return;
    // A bracket exit takes its sibling with it (one-cancels-other).
    if (o.parentId !== null) {
      const parent = this.registered(o.parentId);
      for (const id of parent.legIds) {
        const sibling = this.registered(id);
        if (sibling.id !== o.id && !TERMINAL_STATUSES.has(sibling.status)) this.finish(sibling, 'oco sibling filled', at);
      }
    }
    // A filled entry releases its held exits, sized to what filled.
    for (const id of o.legIds) {
      const leg = this.registered(id);
      if (leg.status !== 'held') continue;
      leg.status = 'new';
      leg.quantity = o.filledQty;
      leg.updatedAt = at;
      this.emit('new', leg, at);
    }
  }

  /** Moves shares and cash for one execution. */
  private book(ticker: string, side: OrderSide, qty: Decimal, price: Decimal): void {
    const signed = side === 'buy' ? qty : qty.negated();
    this.bookVersion++;
    this.cash = this.cash.minus(signed.times(price));
    const h = this.holdings.get(ticker);
    if (!h) {
      this.holdings.set(ticker, { qty: signed, avgPrice: price });
      return;
    }
    const next = h.qty.plus(signed);
    if (next.isZero()) this.holdings.delete(ticker);
    else if (h.qty.isPositive() === signed.isPositive()) {
      this.holdings.set(ticker, { qty: next, avgPrice: h.avgPrice.times(h.qty).plus(price.times(signed)).div(next) });
    } else if (next.isPositive() === h.qty.isPositive()) this.holdings.set(ticker, { qty: next, avgPrice: h.avgPrice });
    else this.holdings.set(ticker, { qty: next, avgPrice: price });
  }

  private finish(o: BookOrder, reason: string, at: Date): void {
    o.status = 'canceled';
    o.statusReason = reason;
    o.canceledAt = at;
    o.updatedAt = at;
    this.emit('canceled', o, at);
    for (const id of o.legIds) {
      const leg = this.registered(id);
      if (!TERMINAL_STATUSES.has(leg.status)) this.finish(leg, `parent order ${reason}`, at);
    }
  }

  // ---- the broker port ----------------------------------------------------------

  connect(): Promise<void> {
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }

  getAccount(): Promise<Account> {
    const { equity, long, short } = this.valuation();
    return Promise.resolve(
      new Account({
        id: 'backtest',
        accountNumber: 'backtest',
        status: 'ACTIVE',
        currency: 'USD',
        cash: this.cash,
        equity,
        lastEquity: this.lastEquity,
        // A cash account: what is not invested can buy.
        buyingPower: Decimal.max(this.cash, ZERO),
        longMarketValue: long,
        shortMarketValue: short,
        multiplier: new Decimal(1),
        daytradeCount: 0,
        patternDayTrader: false,
        tradingBlocked: false,
      }),
    );
  }

  getPositions(): Promise<Position[]> {
    return Promise.resolve([...this.holdings.keys()].map((t) => this.positionOf(t)).filter((p): p is Position => p !== null));
  }

  getPosition(ticker: string): Promise<Position | null> {
    return Promise.resolve(this.positionOf(ticker.toUpperCase()));
  }

  private positionOf(ticker: string): Position | null {
    const h = this.holdings.get(ticker);
    if (!h) return null;
    const current = this.closeOf(ticker) ?? h.avgPrice;
    const quantity = h.qty.abs();
    const costBasis = quantity.times(h.avgPrice);
    const long = h.qty.isPositive();
    const pnl = long ? quantity.times(current).minus(costBasis) : costBasis.minus(quantity.times(current));
    return new Position({
      ticker,
      side: long ? 'long' : 'short',
      quantity,
      avgEntryPrice: h.avgPrice,
      currentPrice: current,
      marketValue: h.qty.times(current),
      costBasis,
      unrealizedPnl: pnl,
      unrealizedPnlPct: costBasis.isZero() ? ZERO : pnl.div(costBasis),
    });
  }

  async placeOrder(ticker: string, side: OrderSide, quantity: Decimal, orderType: OrderType, opts: PlaceOrderOptions): Promise<Order> {
    const symbol = ticker.toUpperCase();
    this.checkNew(symbol, quantity, [opts.clientOrderId]);
    if (orderType !== 'market' && orderType !== 'limit' && orderType !== 'stop') {
      throw new OrderRejectedError(`the backtest broker fills market, limit and stop orders, not ${orderType}`);
    }
    const o = this.newOrder({
      clientOrderId: opts.clientOrderId,
      ticker: symbol,
      side,
      type: orderType,
      orderClass: 'simple',
      timeInForce: opts.timeInForce ?? 'day',
      quantity,
      limitPrice: opts.limitPrice ?? null,
      stopPrice: opts.stopPrice ?? null,
      status: 'new',
      parentId: null,
      legRole: null,
    });
    this.emit('new', o, this.now);
    return this.toOrder(o);
  }

  async placeBracketOrder(params: BracketOrderParams): Promise<BracketOrder> {
    const symbol = params.ticker.toUpperCase();
    const cid = params.clientOrderId;
    this.checkNew(symbol, params.quantity, [cid, `${cid}:tp`, `${cid}:sl`]);
    const long = params.side === 'buy';
    if (long ? !params.stopLossPrice.lt(params.takeProfitPrice) : !params.stopLossPrice.gt(params.takeProfitPrice)) {
      throw new OrderRejectedError(`a ${long ? 'long' : 'short'} bracket needs its stop loss ${long ? 'below' : 'above'} its take profit`);
    }
    const parent = this.newOrder({
      clientOrderId: cid,
      ticker: symbol,
      side: params.side,
      type: params.entryType,
      orderClass: 'bracket',
      timeInForce: params.timeInForce,
      quantity: params.quantity,
      limitPrice: params.limitPrice ?? null,
      stopPrice: null,
      status: 'new',
      parentId: null,
      legRole: null,
    });
    const exit: OrderSide = long ? 'sell' : 'buy';
    const leg = (suffix: string, role: BracketLegRole, type: OrderType, limitPrice: Decimal | null, stopPrice: Decimal | null) =>
      this.newOrder({
        clientOrderId: `${cid}:${suffix}`,
        ticker: symbol,
        side: exit,
        type,
        orderClass: 'bracket',
        timeInForce: params.timeInForce,
        quantity: params.quantity,
        limitPrice,
        stopPrice,
        status: 'held',
        parentId: parent.id,
        legRole: role,
      });
    const tp = leg('tp', 'take_profit', 'limit', params.takeProfitPrice, null);
    // A stop-limit leg is filled as a stop: bars cannot say whether its limit would have held.
    const sl = leg('sl', 'stop_loss', 'stop', null, params.stopLossPrice);
    parent.legIds = [tp.id, sl.id];
    this.emit('new', parent, this.now);
    const entryOrder = this.toOrder(parent);
    return { entryOrder, takeProfitOrder: this.toOrder(tp), stopLossOrder: this.toOrder(sl) };
  }

  private checkNew(symbol: string, quantity: Decimal, clientIds: readonly string[]): void {
    if (!this.closes.has(symbol)) throw new OrderRejectedError(`no bar of ${symbol} has been seen yet: nothing to price the order`);
    if (!quantity.isFinite() || quantity.lte(0) || !quantity.isInteger())
      throw new OrderRejectedError(`qty must be a positive whole number: ${quantity.toFixed()}`);
    if (clientIds.some((id) => this.byClientId.has(id))) throw new DuplicateClientOrderIdError(`client_order_id ${clientIds[0] ?? ''} is already in use`);
  }

  private newOrder(
    fields: Pick<
      BookOrder,
      'clientOrderId' | 'ticker' | 'side' | 'type' | 'orderClass' | 'timeInForce' | 'quantity' | 'limitPrice' | 'stopPrice' | 'status' | 'parentId' | 'legRole'
    >,
  ): BookOrder {
    const o: BookOrder = {
      ...fields,
      id: randomUUID(),
      filledQty: ZERO,
      filledAvgPrice: null,
      legIds: [],
      submittedAt: this.now,
      updatedAt: this.now,
      filledAt: null,
      canceledAt: null,
      statusReason: null,
      executions: 0,
    };
    this.orders.set(o.id, o);
    this.byClientId.set(o.clientOrderId, o.id);
    if (o.parentId === null) {
      const set = this.live.get(o.ticker) ?? new Set<BookOrder>();
      set.add(o);
      this.live.set(o.ticker, set);
    }
    return o;
  }

  private registered(id: string): BookOrder {
    const o = this.orders.get(id);
    if (!o) throw new NotFoundError(`order ${id} not found`, { status: 404 });
    return o;
  }

  getOrder(id: string): Promise<Order> {
    try {
      return Promise.resolve(this.toOrder(this.registered(id)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  getOrderByClientId(clientOrderId: string): Promise<Order | null> {
    const id = this.byClientId.get(clientOrderId);
    return Promise.resolve(id === undefined ? null : this.toOrder(this.registered(id)));
  }

  listOrders(filter: OrderFilter = {}): Promise<Order[]> {
    const status = filter.status ?? 'open';
    const tickers = filter.tickers?.map((t) => t.toUpperCase());
    let list = [...this.orders.values()].filter(
      (o) =>
        o.parentId === null &&
        (status === 'all' || (status === 'open') === !TERMINAL_STATUSES.has(o.status)) &&
        (filter.after === undefined || o.submittedAt.getTime() > filter.after.getTime()) &&
        (filter.until === undefined || o.submittedAt.getTime() <= filter.until.getTime()) &&
        (tickers === undefined || tickers.includes(o.ticker)),
    );
    if (filter.direction !== 'asc') list = list.reverse();
    if (filter.limit !== undefined) list = list.slice(0, filter.limit);
    return Promise.resolve(list.map((o) => this.toOrder(o)));
  }

  cancelOrder(id: string): Promise<void> {
    const o = this.orders.get(id);
    if (!o) return Promise.reject(new NotFoundError(`order ${id} not found`, { status: 404 }));
    if (TERMINAL_STATUSES.has(o.status)) return Promise.reject(new OrderRejectedError(`order ${id} is already ${o.status}`, { status: 422 }));
    this.finish(o, 'canceled by request', this.now);
    return Promise.resolve();
  }

  cancelAllOrders(): Promise<void> {
    for (const o of this.orders.values()) if (!TERMINAL_STATUSES.has(o.status) && o.parentId === null) this.finish(o, 'canceled by request', this.now);
    for (const o of this.orders.values()) if (!TERMINAL_STATUSES.has(o.status)) this.finish(o, 'canceled by request', this.now);
    return Promise.resolve();
  }

  replaceOrder(id: string, changes: OrderChanges): Promise<Order> {
    const old = this.orders.get(id);
    if (!old) return Promise.reject(new NotFoundError(`order ${id} not found`, { status: 404 }));
    if (old.status !== 'new')
      return Promise.reject(new OrderRejectedError(`order ${id} is ${old.status}: only a working order can be replaced`, { status: 422 }));
    const next = this.newOrder({
      clientOrderId: `${old.clientOrderId}:r${randomUUID().slice(0, 8)}`,
      ticker: old.ticker,
      side: old.side,
      type: old.type,
      orderClass: old.orderClass,
      timeInForce: old.timeInForce,
      quantity: changes.quantity ?? old.quantity,
      limitPrice: changes.limitPrice ?? old.limitPrice,
      stopPrice: changes.stopPrice ?? old.stopPrice,
      status: 'new',
      parentId: old.parentId,
      legRole: old.legRole,
    });
    if (old.parentId !== null) {
      const parent = this.registered(old.parentId);
      parent.legIds = parent.legIds.map((l) => (l === old.id ? next.id : l));
    }
    old.status = 'replaced';
    old.updatedAt = this.now;
    this.emit('replaced', old, this.now);
    this.emit('new', next, this.now);
    return Promise.resolve(this.toOrder(next));
  }

  async closePosition(ticker: string, opts?: ClosePositionOptions): Promise<Order> {
    const symbol = ticker.toUpperCase();
    const h = this.holdings.get(symbol);
    if (!h) throw new NotFoundError(`no position in ${symbol}`, { status: 404 });
    const held = h.qty.abs();
    const qty = opts?.qty ?? (opts?.percentage ? held.times(opts.percentage).div(100).floor() : held);
    if (qty.eq(held)) {
      for (const o of this.orders.values())
        if (o.ticker === symbol && o.parentId === null && !TERMINAL_STATUSES.has(o.status)) this.finish(o, 'position closed', this.now);
      for (const o of this.orders.values()) if (o.ticker === symbol && !TERMINAL_STATUSES.has(o.status)) this.finish(o, 'position closed', this.now);
    }
    return this.placeOrder(symbol, h.qty.isPositive() ? 'sell' : 'buy', qty, 'market', { clientOrderId: randomUUID(), timeInForce: 'day' });
  }

  async closeAllPositions(): Promise<Order[]> {
    const out: Order[] = [];
    for (const ticker of [...this.holdings.keys()]) out.push(await this.closePosition(ticker));
    return out;
  }

  /** Open while the replay runs: bars are sessions, so every instant handed over is a trading one. */
  getClock(): Promise<Clock> {
    return Promise.resolve({ timestamp: this.now, isOpen: true, nextOpen: this.now, nextClose: this.now });
  }

  getCalendar(): Promise<CalendarDay[]> {
    return Promise.resolve([]);
  }

  getLatestPrices(tickers: readonly string[]): Promise<Map<string, Decimal>> {
    const out = new Map<string, Decimal>();
    for (const t of tickers) {
      const price = this.closeOf(t.toUpperCase());
      if (price !== undefined) out.set(t.toUpperCase(), price);
    }
    return Promise.resolve(out);
  }

  onTradeUpdate(listener: TradeUpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: TradeEvent, o: BookOrder, at: Date, exec?: Execution): void {
    const update = tradeUpdateOf(event, this.toOrder(o), at, o.executions, exec);
    this.updates += 1;
    for (const listener of this.listeners) listener(update);
  }

  private toOrder(o: BookOrder): Order {
    return new Order({
      id: o.id,
      clientOrderId: o.clientOrderId,
      ticker: o.ticker,
      side: o.side,
      type: o.type,
      orderClass: o.orderClass,
      timeInForce: o.timeInForce,
      quantity: o.quantity,
      filledQty: o.filledQty,
      filledAvgPrice: o.filledAvgPrice,
      limitPrice: o.limitPrice,
      stopPrice: o.stopPrice,
      trailPrice: null,
      trailPercent: null,
      highWaterMark: null,
      status: o.status,
      parentOrderId: o.parentId,
      legs: o.legIds.map((id) => this.toOrder(this.registered(id))),
      legRole: o.legRole,
      submittedAt: o.submittedAt,
      updatedAt: o.updatedAt,
      filledAt: o.filledAt,
      canceledAt: o.canceledAt,
      expiredAt: null,
      statusReason: o.statusReason,
    });
  }
}

/**
 * The paper-trading engine: Alpaca's order model (market, limit, stop,
 * stop-limit, trailing stop; simple, bracket, OCO, OTO; day, gtc, ioc, fok)
 * filled against the simulated feed, booked on a cash or margin account,
 * with a trade update for every transition.
 *
 * Single-threaded and synchronous: every public call runs to completion, so
 * no order can fill twice and the books always balance between calls.
 */
import { randomUUID } from 'node:crypto';
import { Decimal, HUNDRED, ONE, ZERO, dec, toStorage } from '../../domain/money.js';
import { Account } from '../../domain/account.js';
import {
  type BracketLegRole,
  type OrderClass,
  type OrderSide,
  type OrderStatus,
  type OrderType,
  TERMINAL_STATUSES,
  type TimeInForce,
  type TradeEvent,
} from '../../domain/enums.js';
import { type CalendarDay, type Clock, type Execution, type OrderFilter, tradeUpdateOf, type TradeUpdateListener } from '../../domain/ports/broker.js';
import { Order } from '../../domain/order.js';
import { Position } from '../../domain/position.js';
import {
  AlpacaCode,
  type AssetInfo,
  type LatestTrade,
  type OrderRequest,
  type ReplaceRequest,
  type SimEngineApi,
  SimDuplicateClientOrderId,
  SimRejection,
} from './api.js';
import type { SimClock } from './clock.js';
import { PriceFeed, roundToTick } from './feed.js';
import { Ledger } from './ledger.js';
import type { SimChanges, SimHoldingState, SimOrderState, SimPriceState, SimScalarState, SimState } from './state.js';
import { validateOrder, validateReplace } from './validation.js';
import { must } from '../../domain/invariant.js';

export interface SimEngineOptions {
  startingCash: Decimal;
  prices: ReadonlyMap<string, Decimal>;
  seed: number;
  clock: SimClock;
  /** Adverse slippage of market and triggered stop fills, in basis points. Default 0. */
  slippageBps?: Decimal;
  /** Most shares one order can fill per price tick (partial fills); null = no cap. */
  volumePerTick?: Decimal | null;
  /** 1 = cash account (no shorts); 2 or 4 = margin. Default 2. */
  marginMultiplier?: 1 | 2 | 4;
  /** Commission per share. Default 0, like Alpaca. */
  commissionPerShare?: Decimal;
}

/** An order as the engine tracks it: mutable, with the links Alpaca keeps. */
interface SimOrder {
  /** Registration order (kept across a restart). */
  seq: number;
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  orderClass: OrderClass;
  timeInForce: TimeInForce;
  qty: Decimal;
  filledQty: Decimal;
  filledAvgPrice: Decimal | null;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  trailPrice: Decimal | null;
  trailPercent: Decimal | null;
  hwm: Decimal | null;
  status: OrderStatus;
  parentId: string | null;
  legIds: string[];
  /** The other half of an OCO pair (bracket exits, oco orders). */
  ocoWith: string | null;
  /** A stop-limit whose stop has been touched now works as a limit. */
  triggered: boolean;
  submittedAt: Date;
  updatedAt: Date;
  filledAt: Date | null;
  canceledAt: Date | null;
  expiredAt: Date | null;
  /** Day orders: the session close they expire at. */
  expiresAt: Date | null;
  statusReason: string | null;
  replacedBy: string | null;
  executions: number;
}

/** The stored form of a SimOrder: amounts and times as text. Checked both ways against SimOrderState below. */
type SimOrderJson = {
  [K in keyof SimOrder]: SimOrder[K] extends Decimal
    ? string
    : SimOrder[K] extends Decimal | null
      ? string | null
      : SimOrder[K] extends Date
        ? string
        : SimOrder[K] extends Date | null
          ? string | null
          : SimOrder[K];
};
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const storedFormIsComplete: Same<SimOrderJson, SimOrderState> = true;
void storedFormIsComplete;

/** What changed since the last save: order ids, holding and price tickers. */
interface Dirty {
  orders: Set<string>;
  holdings: Set<string>;
  prices: Set<string>;
}

/** Day trades older than this never count again (the count looks back five sessions, at most 7 days). */
const DAY_TRADE_MEMORY_DAYS = 14;

/**
 * Which exit of a bracket an order is. `submit` makes a bracket's take profit
 * its limit child and its stop loss its stop (or stop-limit) child, and a
 * replacement keeps the type, so the role follows from the two.
 */
function legRoleOf(o: SimOrder): BracketLegRole | null {
  if (o.parentId === null || o.orderClass !== 'bracket') return null;
  return o.type === 'limit' ? 'take_profit' : 'stop_loss';
}

const WORKING: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['new', 'partially_filled', 'accepted']);

export class SimEngine implements SimEngineApi {
  readonly clockSource: SimClock;
  private readonly ledger: Ledger;
  private readonly feed: PriceFeed;
  private readonly slippage: Decimal;
  private readonly volumePerTick: Decimal | null;
  private readonly multiplier: 1 | 2 | 4;
  private readonly commissionPerShare: Decimal;
  private readonly orders = new Map<string, SimOrder>();
  private readonly byClientId = new Map<string, string>();
  /** Replacement id → the id it replaced (the other way is `replacedBy`). */
  private readonly replaces = new Map<string, string>();
  /** Ids of orders that may not be finished yet, in registration order (finished ones are pruned when met). */
  private readonly live = new Set<string>();
  /** Working orders by symbol, in submission order: what a price tick can fill. */
  private readonly workingBySymbol = new Map<string, Set<string>>();
  private readonly listeners = new Set<TradeUpdateListener>();
  /** Told of every price the feed prints: the simulator's market-data trades. */
  private readonly priceListeners = new Set<(ticker: string, trade: LatestTrade) => void>();
  private lastEquity: Decimal;
  private lastEquityDay: string;
  /** Day trades per trading day, the last DAY_TRADE_MEMORY_DAYS days only. */
  private dayTrades = new Map<string, number>();
  /** The trading day each position was opened: a same-day exit is a day trade. */
  private readonly openedOn = new Map<string, string>();
  private accountId: string = randomUUID();
  private nextSeq = 0;
  /** Null until change tracking is turned on (a persistent SimBroker): then every change is noted here. */
  private dirty: Dirty | null = null;

  constructor(options: SimEngineOptions) {
    this.clockSource = options.clock;
    this.ledger = new Ledger(options.startingCash);
    this.feed = new PriceFeed(options.prices, options.seed, options.clock.now());
    this.slippage = (options.slippageBps ?? ZERO).div(10_000);
    this.volumePerTick = options.volumePerTick ?? null;
    this.multiplier = options.marginMultiplier ?? 2;
    this.commissionPerShare = options.commissionPerShare ?? ZERO;
    this.lastEquity = options.startingCash;
    this.lastEquityDay = options.clock.tradingDay();
  }

  // ---- queries ---------------------------------------------------------------

  getOrder(id: string): Order | null {
    const o = this.orders.get(id);
    return o ? this.toOrder(o) : null;
  }

  replacementOf(id: string): { replaces: string | null; replacedBy: string | null } {
    return { replaces: this.replaces.get(id) ?? null, replacedBy: this.orders.get(id)?.replacedBy ?? null };
  }

  getOrderByClientId(clientOrderId: string): Order | null {
    const id = this.byClientId.get(clientOrderId);
    return id ? this.getOrder(id) : null;
  }

  listOrders(filter: OrderFilter = {}): Order[] {
    const status = filter.status ?? 'open';
    const tickers = filter.tickers ? new Set(filter.tickers) : null;
    let list = [...this.orders.values()].filter((o) => {
      if (o.parentId !== null) return false;
      const terminal = this.familyTerminal(o);
      if (status === 'open' && terminal) return false;
      if (status === 'closed' && !terminal) return false;
      if (tickers && !tickers.has(o.symbol)) return false;
      if (filter.after && o.submittedAt <= filter.after) return false;
      if (filter.until && o.submittedAt > filter.until) return false;
      return true;
    });
    list.sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime());
    if ((filter.direction ?? 'desc') === 'desc') list.reverse();
    list = list.slice(0, Math.min(filter.limit ?? 50, 500));
    return list.map((o) => this.toOrder(o));
  }

  account(): Account {
    const { equity, long, short } = this.valuation();
    return new Account({
      id: this.accountId,
      accountNumber: `PA${this.accountId.replace(/\D/g, '').padEnd(10, '0').slice(0, 10)}`,
      status: 'ACTIVE',
      currency: 'USD',
      cash: this.ledger.cash,
      equity,
      lastEquity: this.lastEquity,
      buyingPower: this.buyingPower(equity, long, short),
      longMarketValue: long,
      shortMarketValue: short,
      multiplier: dec(this.multiplier),
      daytradeCount: this.dayTradeCount(),
      patternDayTrader: false,
      tradingBlocked: false,
    });
  }

  positions(): Position[] {
    return this.ledger
      .tickers()
      .sort()
      .map((t) => this.position(t))
      .filter((p): p is Position => p !== null);
  }

  position(ticker: string): Position | null {
    const h = this.ledger.holding(ticker);
    if (!h) return null;
    const price = this.lastPrice(ticker);
    const costBasis = h.qty.times(h.avgEntryPrice);
    const marketValue = h.qty.times(price);
    const unrealized = marketValue.minus(costBasis);
    return new Position({
      ticker,
      side: h.qty.isPositive() ? 'long' : 'short',
      quantity: h.qty.abs(),
      avgEntryPrice: h.avgEntryPrice,
      currentPrice: price,
      marketValue,
      costBasis,
      unrealizedPnl: unrealized,
      unrealizedPnlPct: costBasis.isZero() ? ZERO : unrealized.div(costBasis.abs()),
    });
  }

  clock(): Clock {
    return this.clockSource.clock();
  }

  calendar(start: string, end: string): CalendarDay[] {
    return this.clockSource.calendar(start, end);
  }

  latestTrade(ticker: string): LatestTrade | null {
    return this.feed.latest(ticker);
  }

  asset(symbol: string): AssetInfo | null {
    return this.feed.has(symbol) ? { symbol, tradable: true, shortable: this.multiplier > 1, fractionable: true } : null;
  }

  tickers(): string[] {
    return this.feed.tickers();
  }

  onTradeUpdate(listener: TradeUpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told of each new price (a set price, a step of the feed), after the fills it causes. Returns the unsubscribe. */
  onPrice(listener: (ticker: string, trade: LatestTrade) => void): () => void {
    this.priceListeners.add(listener);
    return () => this.priceListeners.delete(listener);
  }

  private printed(ticker: string): void {
    if (this.priceListeners.size === 0) return;
    const trade = this.feed.latest(ticker);
    if (!trade) return;
    for (const listener of this.priceListeners) {
      try {
        listener(ticker, trade);
      } catch {
        // A failing listener must never corrupt the books.
      }
    }
  }

  // ---- commands --------------------------------------------------------------

  submit(request: OrderRequest): Order {
    const symbol = request.symbol.toUpperCase();
    const req: OrderRequest = { ...request, symbol };
    const last = this.feed.latest(symbol);
    // Legs take their parent's id plus :tp / :sl; none of them may be in use.
    const ids = req.clientOrderId
      ? [req.clientOrderId, ...((req.orderClass ?? 'simple') === 'simple' ? [] : [`${req.clientOrderId}:tp`, `${req.clientOrderId}:sl`])]
      : [];
    validateOrder(req, {
      knownSymbol: last !== null,
      lastPrice: last?.price ?? null,
      clientOrderIdTaken: ids.some((id) => this.byClientId.has(id)),
    });
    // validateOrder refused an unknown symbol, so its latest trade exists.
    this.checkBuyingPower(req, must(last, `latest trade of ${symbol}`).price);

    const now = this.clockSource.now();
    const orderClass = req.orderClass ?? 'simple';
    const open = this.clockSource.isOpen(now);
    const parent = this.newOrder(req, {
      id: randomUUID(),
      clientOrderId: req.clientOrderId ?? randomUUID(),
      type: orderClass === 'oco' ? 'limit' : req.type,
      limitPrice: orderClass === 'oco' ? (req.takeProfit?.limitPrice ?? null) : (req.limitPrice ?? null),
      status: open ? 'new' : 'accepted',
      now,
    });
    const legs: SimOrder[] = [];
    const exitSide: OrderSide = orderClass === 'oco' ? req.side : req.side === 'buy' ? 'sell' : 'buy';
    const legStatus: OrderStatus = orderClass === 'oco' ? parent.status : 'held';
    if (req.takeProfit && orderClass !== 'oco') {
      legs.push(this.newLeg(parent, exitSide, 'limit', { limitPrice: req.takeProfit.limitPrice }, legStatus, now));
    }
    if (req.stopLoss && orderClass !== 'simple') {
      const type: OrderType = req.stopLoss.limitPrice ? 'stop_limit' : 'stop';
      legs.push(this.newLeg(parent, exitSide, type, { stopPrice: req.stopLoss.stopPrice, limitPrice: req.stopLoss.limitPrice ?? null }, legStatus, now));
    }
    parent.legIds = legs.map((l) => l.id);
    this.touch(parent);
    if (orderClass === 'bracket') {
      const [tp, sl] = legs;
      if (tp && sl) this.linkOco(tp, sl);
    }
    if (orderClass === 'oco' && legs[0]) this.linkOco(parent, legs[0]);

    for (const o of [parent, ...legs]) this.register(o);
    this.emit('new', parent, now);
    if (orderClass === 'oco' && legs[0]) this.emit('new', legs[0], now);
    // Outside the session the orders are queued (`accepted`) and go live at the open.
    this.work(parent, now);
    if (orderClass === 'oco' && legs[0]) this.work(legs[0], now);
    if (open) this.settleImmediate(parent, now);
    return this.toOrder(this.registered(parent.id));
  }

  cancelOrder(id: string): void {
    const o = this.orders.get(id);
    if (!o) throw new SimRejection(404, AlpacaCode.NotFound, 'order not found');
    if (TERMINAL_STATUSES.has(o.status)) {
      throw new SimRejection(422, AlpacaCode.Unprocessable, `order is already in "${o.status}" state`);
    }
    const now = this.clockSource.now();
    this.finish(o, 'canceled', now, 'canceled by request');
  }

  cancelAllOrders(): Order[] {
    const now = this.clockSource.now();
    const canceled: SimOrder[] = [];
    for (const o of this.orders.values()) {
      if (o.parentId === null && !this.familyTerminal(o)) {
        this.finish(o, 'canceled', now, 'canceled by request');
        canceled.push(o);
      }
    }
    return canceled.map((o) => this.toOrder(o));
  }

  replaceOrder(id: string, patch: ReplaceRequest): Order {
    const old = this.orders.get(id);
    if (!old) throw new SimRejection(404, AlpacaCode.NotFound, 'order not found');
    // Alpaca replaces only working orders: not finished ones, nor those not yet working (held legs, queued `accepted`).
    if (TERMINAL_STATUSES.has(old.status) || old.status === 'held' || old.status === 'accepted') {
      throw new SimRejection(422, AlpacaCode.Unprocessable, `order is not replaceable in "${old.status}" state`);
    }
    validateReplace(old, patch);
    const qty = patch.qty ?? old.qty;
    if (patch.clientOrderId && this.byClientId.has(patch.clientOrderId)) {
      throw new SimDuplicateClientOrderId();
    }
    const now = this.clockSource.now();
    const next: SimOrder = {
      ...old,
      id: randomUUID(),
      clientOrderId: patch.clientOrderId ?? randomUUID(),
      qty,
      filledQty: ZERO,
      filledAvgPrice: null,
      timeInForce: patch.timeInForce ?? old.timeInForce,
      limitPrice: patch.limitPrice ?? old.limitPrice,
      stopPrice: patch.stopPrice ?? old.stopPrice,
      trailPrice: old.trailPrice && patch.trail ? patch.trail : old.trailPrice,
      trailPercent: old.trailPercent && patch.trail ? patch.trail : old.trailPercent,
      legIds: [...old.legIds],
      submittedAt: now,
      updatedAt: now,
      executions: 0,
      replacedBy: null,
    };
    next.qty = qty.minus(old.filledQty);
    this.unwork(old);
    old.status = 'replaced';
    old.replacedBy = next.id;
    this.replaces.set(next.id, old.id);
    old.updatedAt = now;
    this.touch(old);
    this.register(next);
    // Keep the family links pointing at the live order.
    if (old.ocoWith) {
      const sibling = this.orders.get(old.ocoWith);
      if (sibling) {
        sibling.ocoWith = next.id;
        this.touch(sibling);
      }
    }
    if (old.parentId) {
      const parent = this.orders.get(old.parentId);
      if (parent) {
        parent.legIds = parent.legIds.map((l) => (l === old.id ? next.id : l));
        this.touch(parent);
      }
    }
    for (const legId of next.legIds) {
      const leg = this.orders.get(legId);
      if (leg) {
        leg.parentId = next.id;
        this.touch(leg);
      }
    }
    this.emit('replaced', old, now);
    this.emit('new', next, now);
    this.work(next, now);
    return this.toOrder(next);
  }

  closePosition(ticker: string, opts: { qty?: Decimal; percentage?: Decimal } = {}): Order {
    const symbol = ticker.toUpperCase();
    const h = this.ledger.holding(symbol);
    if (!h) throw new SimRejection(404, AlpacaCode.NotFound, 'position not found');
    const held = h.qty.abs();
    let qty = held;
    if (opts.qty) qty = opts.qty;
    else if (opts.percentage) qty = held.times(opts.percentage).div(HUNDRED);
    if (held.isInteger()) qty = qty.floor();
    if (qty.lte(0) || qty.gt(held)) {
      throw new SimRejection(422, AlpacaCode.Unprocessable, `qty must be > 0 and <= the position's ${held.toFixed()}`);
    }
    // A full close cancels the exits still working on the symbol, so no stale
    // stop can open a reverse position afterwards.
    if (qty.eq(held)) this.cancelWhere((o) => o.symbol === symbol);
    return this.submit({
      symbol,
      qty,
      side: h.qty.isPositive() ? 'sell' : 'buy',
      type: 'market',
      timeInForce: 'day',
      clientOrderId: null,
    });
  }

  closeAllPositions(): Order[] {
    this.cancelWhere(() => true);
    return this.ledger.tickers().map((t) => this.closePosition(t));
  }

  setPrice(ticker: string, price: Decimal): void {
    const symbol = ticker.toUpperCase();
    if (price.lte(0)) throw new SimRejection(422, AlpacaCode.Unprocessable, 'price must be > 0');
    const now = this.clockSource.now();
    this.feed.set(symbol, price, now);
    this.dirty?.prices.add(symbol);
    if (this.clockSource.isOpen(now)) this.onTick(symbol, now);
    this.printed(symbol);
  }

  /** Moves time minute by minute: sessions open and close, the feed walks, orders fill and expire. */
  advance(minutes: number): void {
    if (!Number.isInteger(minutes) || minutes < 0) throw new RangeError('minutes must be a whole number >= 0');
    for (let i = 0; i < minutes; i++) {
      const now = this.clockSource.advance(60_000);
      this.onTime(now);
      if (this.clockSource.isOpen(now)) {
        for (const ticker of this.feed.step(now).keys()) {
          this.dirty?.prices.add(ticker);
          this.onTick(ticker, now);
          this.printed(ticker);
        }
      }
    }
  }

  // ---- persistence -------------------------------------------------------------

  /**
   * Turns on change tracking: from now on every order, holding and price the
   * engine touches is noted, and `takeChanges` hands them out. A persistent
   * SimBroker turns it on; without it nothing is noted (and nothing grows).
   */
  trackChanges(): void {
    this.changeSet();
  }

  /** The noted set, created (turning tracking on) when there is none yet. */
  private changeSet(): Dirty {
    this.dirty ??= { orders: new Set(), holdings: new Set(), prices: new Set() };
    return this.dirty;
  }

  /** Marks everything changed: the next save writes the whole state (a first save). */
  markAllChanged(): void {
    const dirty = this.changeSet();
    for (const id of this.orders.keys()) dirty.orders.add(id);
    for (const t of this.ledger.tickers()) dirty.holdings.add(t);
    for (const t of this.feed.tickers()) dirty.prices.add(t);
  }

  /** What changed since the last call (nothing when tracking is off), plus the scalar row; the noted set starts empty again. */
  takeChanges(): SimChanges {
    const dirty = this.dirty;
    const changes: SimChanges = { scalar: this.scalarState(), orders: [], holdings: [], prices: [], closedHoldings: [] };
    if (!dirty) return changes;
    for (const id of dirty.orders) {
      const o = this.orders.get(id);
      // An order touched before it was registered and then refused (never registered) has no row.
      if (o) changes.orders.push(orderToState(o));
    }
    for (const ticker of dirty.holdings) {
      const h = this.holdingState(ticker);
      if (h) changes.holdings.push(h);
      else changes.closedHoldings.push(ticker);
    }
    for (const ticker of dirty.prices) {
      const p = this.priceState(ticker);
      if (p) changes.prices.push(p);
    }
    this.dirty = { orders: new Set(), holdings: new Set(), prices: new Set() };
    return changes;
  }

  /** A save of `changes` failed: their rows are noted again, so the next save writes them (in their state then). */
  requeueChanges(changes: SimChanges): void {
    if (!this.dirty) return;
    for (const o of changes.orders) this.dirty.orders.add(o.id);
    for (const h of changes.holdings) this.dirty.holdings.add(h.ticker);
    for (const t of changes.closedHoldings) this.dirty.holdings.add(t);
    for (const p of changes.prices) this.dirty.prices.add(p.ticker);
  }

  /** The whole state, as rows. */
  state(): SimState {
    return {
      scalar: this.scalarState(),
      orders: [...this.orders.values()].map(orderToState),
      // Every ticker listed by the ledger or feed has a row there.
      holdings: this.ledger.tickers().map((t) => must(this.holdingState(t), `holding row for ${t}`)),
      prices: this.feed.tickers().map((t) => must(this.priceState(t), `price row for ${t}`)),
    };
  }

  /** Continues a saved account: orders (working ones armed again), books, feed, clock. Nothing is noted as changed. */
  restore(s: SimState): void {
    this.clockSource.set(new Date(s.scalar.clock));
    this.ledger.restore(
      dec(s.scalar.cash),
      dec(s.scalar.realizedPnl),
      s.holdings.map((h) => ({ ticker: h.ticker, seq: h.seq, qty: dec(h.qty), avgEntryPrice: dec(h.avgEntryPrice) })),
    );
    this.feed.restore(
      s.prices.map((p) => ({ ticker: p.ticker, seq: p.seq, price: dec(p.price), size: dec(p.size), timestamp: new Date(p.timestamp) })),
      s.scalar.feedDraws,
    );
    this.orders.clear();
    this.byClientId.clear();
    this.replaces.clear();
    this.workingBySymbol.clear();
    this.live.clear();
    this.nextSeq = 0;
    for (const row of [...s.orders].sort((a, b) => a.seq - b.seq)) {
      const o = orderFromState(row);
      this.orders.set(o.id, o);
      this.byClientId.set(o.clientOrderId, o.id);
      if (o.replacedBy !== null) this.replaces.set(o.replacedBy, o.id);
      if (!TERMINAL_STATUSES.has(o.status)) this.live.add(o.id);
      this.nextSeq = Math.max(this.nextSeq, o.seq + 1);
      if (WORKING.has(o.status)) this.work(o, null);
    }
    this.lastEquity = dec(s.scalar.lastEquity);
    this.lastEquityDay = s.scalar.lastEquityDay;
    this.dayTrades = new Map(Object.entries(s.scalar.dayTrades));
    this.openedOn.clear();
    for (const h of s.holdings) if (h.openedOn !== null) this.openedOn.set(h.ticker, h.openedOn);
    this.accountId = s.scalar.accountId;
    if (this.dirty) this.dirty = { orders: new Set(), holdings: new Set(), prices: new Set() };
  }

  private scalarState(): SimScalarState {
    return {
      clock: this.clockSource.now().toISOString(),
      cash: toStorage(this.ledger.cash),
      realizedPnl: toStorage(this.ledger.realizedPnl),
      feedDraws: this.feed.drawCount(),
      lastEquity: toStorage(this.lastEquity),
      lastEquityDay: this.lastEquityDay,
      dayTrades: Object.fromEntries(this.dayTrades),
      accountId: this.accountId,
    };
  }

  private holdingState(ticker: string): SimHoldingState | null {
    const row = this.ledger.row(ticker);
    if (!row) return null;
    return { ticker, seq: row.seq, qty: toStorage(row.qty), avgEntryPrice: toStorage(row.avgEntryPrice), openedOn: this.openedOn.get(ticker) ?? null };
  }

  private priceState(ticker: string): SimPriceState | null {
    const row = this.feed.row(ticker);
    if (!row) return null;
    return { ticker, seq: row.seq, price: toStorage(row.price), size: toStorage(row.size), timestamp: row.timestamp.toISOString() };
  }

  // ---- internals -----------------------------------------------------------------

  /** An order the engine holds: ids taken from its own books (legs, working sets) always resolve. */
  private registered(id: string): SimOrder {
    return must(this.orders.get(id), `order ${id}`);
  }

  private lastPrice(ticker: string): Decimal {
    return this.feed.latest(ticker)?.price ?? ZERO;
  }

  private valuation(): { equity: Decimal; long: Decimal; short: Decimal } {
    const { long, short } = this.ledger.marketValue((t) => this.lastPrice(t));
    return { equity: this.ledger.cash.plus(long).plus(short), long, short };
  }

  private buyingPower(equity: Decimal, long: Decimal, short: Decimal): Decimal {
    const reserved = this.reservedForOpenOrders();
    const raw = this.multiplier === 1 ? this.ledger.cash.minus(reserved) : equity.times(this.multiplier).minus(long).plus(short).minus(reserved);
    return Decimal.max(raw, ZERO);
  }

  /** Notional that working entry orders would add to exposure. */
  private reservedForOpenOrders(): Decimal {
    let reserved = ZERO;
    for (const ids of this.workingBySymbol.values()) {
      for (const id of ids) {
        const o = this.registered(id);
        if (o.parentId !== null || o.ocoWith !== null) continue; // exits free, not use, buying power
        const price = o.limitPrice ?? o.stopPrice ?? this.lastPrice(o.symbol);
        reserved = reserved.plus(this.openingQty(o.symbol, o.side, o.qty.minus(o.filledQty)).times(price));
      }
    }
    return reserved;
  }

  /** The part of an order that adds exposure rather than reducing a position. */
  private openingQty(symbol: string, side: OrderSide, qty: Decimal): Decimal {
    const held = this.ledger.holding(symbol)?.qty ?? ZERO;
    const reducing = side === 'buy' ? Decimal.max(held.neg(), ZERO) : Decimal.max(held, ZERO);
    return Decimal.max(qty.minus(reducing), ZERO);
  }

  private checkBuyingPower(req: OrderRequest, lastPrice: Decimal): void {
    if ((req.orderClass ?? 'simple') === 'oco') return; // an exit: it reduces exposure
    const opening = this.openingQty(req.symbol, req.side, req.qty);
    if (opening.isZero()) return;
    if (req.side === 'sell' && this.multiplier === 1) {
      throw new SimRejection(403, AlpacaCode.Forbidden, 'account is not allowed to short');
    }
    const price = req.limitPrice ?? req.stopPrice ?? lastPrice;
    const cost = opening.times(price);
    const { equity, long, short } = this.valuation();
    const bp = this.buyingPower(equity, long, short);
    if (cost.gt(bp)) {
      throw new SimRejection(403, AlpacaCode.InsufficientBuyingPower, 'insufficient buying power');
    }
  }

  private newOrder(
    req: OrderRequest,
    f: { id: string; clientOrderId: string; type: OrderType; limitPrice: Decimal | null; status: OrderStatus; now: Date },
  ): SimOrder {
    const o: SimOrder = {
      seq: -1, // set when registered
      id: f.id,
      clientOrderId: f.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      type: f.type,
      orderClass: req.orderClass ?? 'simple',
      timeInForce: req.timeInForce,
      qty: req.qty,
      filledQty: ZERO,
      filledAvgPrice: null,
      limitPrice: f.limitPrice,
      stopPrice: f.type === 'stop' || f.type === 'stop_limit' ? (req.stopPrice ?? null) : null,
      trailPrice: f.type === 'trailing_stop' ? (req.trailPrice ?? null) : null,
      trailPercent: f.type === 'trailing_stop' ? (req.trailPercent ?? null) : null,
      hwm: null,
      status: f.status,
      parentId: null,
      legIds: [],
      ocoWith: null,
      triggered: false,
      submittedAt: f.now,
      updatedAt: f.now,
      filledAt: null,
      canceledAt: null,
      expiredAt: null,
      expiresAt: req.timeInForce === 'day' ? this.sessionCloseFor(f.now) : null,
      statusReason: null,
      replacedBy: null,
      executions: 0,
    };
    if (o.type === 'trailing_stop') this.updateTrail(o, this.lastPrice(o.symbol));
    return o;
  }

  private newLeg(
    parent: SimOrder,
    side: OrderSide,
    type: OrderType,
    prices: { limitPrice?: Decimal | null; stopPrice?: Decimal | null },
    status: OrderStatus,
    now: Date,
  ): SimOrder {
    return {
      ...parent,
      id: randomUUID(),
      clientOrderId: `${parent.clientOrderId}:${type === 'limit' ? 'tp' : 'sl'}`,
      side,
      type,
      limitPrice: prices.limitPrice ?? null,
      stopPrice: prices.stopPrice ?? null,
      trailPrice: null,
      trailPercent: null,
      status,
      parentId: parent.id,
      legIds: [],
      submittedAt: now,
      updatedAt: now,
      // Exits of a bracket live until filled or canceled, even a day bracket's.
      expiresAt: parent.orderClass === 'oco' ? parent.expiresAt : null,
      timeInForce: parent.orderClass === 'oco' ? parent.timeInForce : 'gtc',
    };
  }

  private linkOco(a: SimOrder, b: SimOrder): void {
    a.ocoWith = b.id;
    b.ocoWith = a.id;
    this.touch(a);
    this.touch(b);
  }

  /** The close of the session an order placed at `at` trades in (the next one when closed). */
  private sessionCloseFor(at: Date): Date | null {
    const current = this.clockSource.sessionAt(at);
    if (current) return current.close;
    const next = this.clockSource.clock().nextClose;
    return next;
  }

  private register(o: SimOrder): void {
    o.seq = this.nextSeq++;
    this.orders.set(o.id, o);
    this.byClientId.set(o.clientOrderId, o.id);
    if (!TERMINAL_STATUSES.has(o.status)) this.live.add(o.id);
    this.touch(o);
  }

  /** Notes that `o` changed (when changes are tracked). */
  private touch(o: SimOrder): void {
    this.dirty?.orders.add(o.id);
  }

  private recordDayTrade(day: string): void {
    const cutoff = this.dayBefore(DAY_TRADE_MEMORY_DAYS);
    for (const d of this.dayTrades.keys()) if (d < cutoff) this.dayTrades.delete(d);
    this.dayTrades.set(day, (this.dayTrades.get(day) ?? 0) + 1);
  }

  private work(o: SimOrder, now: Date | null): void {
    if (!WORKING.has(o.status)) return;
    let set = this.workingBySymbol.get(o.symbol);
    if (!set) {
      set = new Set();
      this.workingBySymbol.set(o.symbol, set);
    }
    set.add(o.id);
    if (now && o.status === 'new') this.tryFill(o, this.lastPrice(o.symbol), now);
  }

  private unwork(o: SimOrder): void {
    this.workingBySymbol.get(o.symbol)?.delete(o.id);
  }

  /** IOC and FOK: whatever did not fill on arrival is canceled. */
  private settleImmediate(o: SimOrder, now: Date): void {
    if ((o.timeInForce === 'ioc' || o.timeInForce === 'fok') && !TERMINAL_STATUSES.has(o.status)) {
      this.finish(o, 'canceled', now, `${o.timeInForce} order could not fill${o.timeInForce === 'ioc' ? ' completely' : ''} on arrival`);
    }
  }

  private onTick(symbol: string, now: Date): void {
    const ids = this.workingBySymbol.get(symbol);
    if (!ids || ids.size === 0) return;
    const price = this.lastPrice(symbol);
    for (const id of [...ids]) {
      const o = this.orders.get(id);
      if (o && WORKING.has(o.status) && o.status !== 'accepted') this.tryFill(o, price, now);
    }
  }

  /** Session boundaries: queued orders go live at the open, day orders expire at the close. */
  private onTime(now: Date): void {
    const open = this.clockSource.isOpen(now);
    for (const ids of this.workingBySymbol.values()) {
      for (const id of [...ids]) {
        const o = this.registered(id);
        if (o.expiresAt && now >= o.expiresAt && !TERMINAL_STATUSES.has(o.status)) {
          this.finish(o, 'expired', now, 'day order expired at the session close');
        } else if (open && o.status === 'accepted') {
          this.goLive(o, now);
        }
      }
    }
    // A new trading day: yesterday's closing equity is the base of day P&L.
    const day = this.clockSource.tradingDay(now);
    if (day !== this.lastEquityDay) {
      this.lastEquity = this.account().equity;
      this.lastEquityDay = day;
    }
  }

  /**
   * A queued order reaches the market at the open. Prices moved overnight, so
   * its buying power is checked again; without it the order is rejected.
   */
  private goLive(o: SimOrder, now: Date): void {
    const isEntry = o.parentId === null && o.orderClass !== 'oco';
    if (isEntry) {
      this.unwork(o); // not reserved against itself
      const opening = this.openingQty(o.symbol, o.side, o.qty.minus(o.filledQty));
      const cost = opening.times(o.limitPrice ?? this.lastPrice(o.symbol));
      const { equity, long, short } = this.valuation();
      if (cost.gt(this.buyingPower(equity, long, short))) {
        o.status = 'rejected';
        o.updatedAt = now;
        o.statusReason = 'insufficient buying power at the open';
        this.touch(o);
        this.emit('rejected', o, now);
        for (const id of o.legIds) this.finish(this.registered(id), 'canceled', now, 'parent order rejected', false);
        return;
      }
    }
    o.status = 'new';
    o.updatedAt = now;
    this.touch(o);
    this.work(o, now);
  }

  /** Moves a trailing stop with the price; returns its stop price. */
  private updateTrail(o: SimOrder, price: Decimal): Decimal {
    const hwm = o.hwm === null ? price : o.side === 'sell' ? Decimal.max(o.hwm, price) : Decimal.min(o.hwm, price);
    const offset = o.trailPrice ?? hwm.times(o.trailPercent ?? ZERO).div(HUNDRED);
    const stop = roundToTick(o.side === 'sell' ? hwm.minus(offset) : hwm.plus(offset));
    if (o.hwm !== null && o.hwm.eq(hwm) && o.stopPrice !== null && o.stopPrice.eq(stop)) return o.stopPrice; // nothing moved
    o.hwm = hwm;
    o.stopPrice = stop;
    this.touch(o);
    return stop;
  }

  /** Fills what the price allows: the whole order, or a tick's volume of it. */
  private tryFill(o: SimOrder, price: Decimal, now: Date): void {
    if (price.lte(0)) return;
    const buy = o.side === 'buy';
    let fillPrice: Decimal | null = null;
    switch (o.type) {
      case 'market':
        fillPrice = this.slipped(price, buy);
        break;
      case 'limit': {
        // A marketable limit fills at the market, never worse than its limit.
        const limit = must(o.limitPrice, `limit price of limit order ${o.id}`);
        if (buy ? price.lte(limit) : price.gte(limit)) fillPrice = price;
        break;
      }
      case 'stop': {
        const stop = must(o.stopPrice, `stop price of stop order ${o.id}`);
        if (buy ? price.gte(stop) : price.lte(stop)) fillPrice = this.slipped(price, buy);
        break;
      }
      case 'stop_limit':
        if (!o.triggered) {
          const stop = must(o.stopPrice, `stop price of stop-limit order ${o.id}`);
          if (buy ? price.gte(stop) : price.lte(stop)) {
            o.triggered = true;
            this.touch(o);
          }
        }
        if (o.triggered) {
          const limit = must(o.limitPrice, `limit price of stop-limit order ${o.id}`);
          if (buy ? price.lte(limit) : price.gte(limit)) fillPrice = price;
        }
        break;
      case 'trailing_stop': {
        const stop = this.updateTrail(o, price);
        if (buy ? price.gte(stop) : price.lte(stop)) fillPrice = this.slipped(price, buy);
        break;
      }
    }
    if (fillPrice === null) return;
    const remaining = o.qty.minus(o.filledQty);
    const cap = this.volumePerTick;
    if (o.timeInForce === 'fok' && cap !== null && cap.lt(remaining)) return; // all or nothing
    const qty = cap === null ? remaining : Decimal.min(remaining, cap);
    this.fill(o, qty, fillPrice, now);
  }

  private slipped(price: Decimal, buy: boolean): Decimal {
    if (this.slippage.isZero()) return price;
    return roundToTick(price.times(buy ? ONE.plus(this.slippage) : ONE.minus(this.slippage)));
  }

  private fill(o: SimOrder, qty: Decimal, price: Decimal, now: Date): void {
    const day = this.clockSource.tradingDay(now);
    const before = this.ledger.holding(o.symbol)?.qty ?? ZERO;
    const result = this.ledger.apply(o.symbol, o.side, qty, price, this.commissionPerShare.times(qty));
    this.dirty?.holdings.add(o.symbol);
    if (result.reduced && this.openedOn.get(o.symbol) === day) this.recordDayTrade(day);
    if (result.positionQty.isZero()) this.openedOn.delete(o.symbol);
    else if (before.isZero() || before.isPositive() !== result.positionQty.isPositive()) this.openedOn.set(o.symbol, day);

    const filledBefore = o.filledQty;
    o.filledQty = filledBefore.plus(qty);
    o.filledAvgPrice = (o.filledAvgPrice ?? ZERO).times(filledBefore).plus(price.times(qty)).div(o.filledQty);
    o.updatedAt = now;
    o.executions += 1;
    this.touch(o);
    const complete = o.filledQty.eq(o.qty);
    o.status = complete ? 'filled' : 'partially_filled';
    if (complete) {
      o.filledAt = now;
      this.unwork(o);
    }
    this.emit(complete ? 'fill' : 'partial_fill', o, now, { price, qty, positionQty: result.positionQty });

    // The other half of an OCO only needs what is left to exit.
    if (o.ocoWith) {
      const sibling = this.orders.get(o.ocoWith);
      if (sibling && !TERMINAL_STATUSES.has(sibling.status)) {
        if (complete) this.finish(sibling, 'canceled', now, 'oco sibling filled', false);
        else {
          sibling.qty = Decimal.max(sibling.filledQty, o.qty.minus(o.filledQty));
          this.touch(sibling);
        }
      }
    }
    if (complete) this.activateLegs(o, now);
  }

  /** A filled entry releases its held exits; they may fill at once. */
  private activateLegs(parent: SimOrder, now: Date): void {
    for (const id of parent.legIds) {
      const leg = this.registered(id);
      if (leg.status !== 'held') continue;
      leg.status = 'new';
      leg.qty = parent.filledQty;
      leg.updatedAt = now;
      this.touch(leg);
      this.emit('new', leg, now);
    }
    for (const id of parent.legIds) this.work(this.registered(id), now);
  }

  /**
   * Ends an order (canceled or expired) with its family: a parent takes its
   * held legs along, a bracket exit takes its OCO sibling. An entry that
   * partly filled before it ended still releases its exits for what filled.
   */
  private finish(o: SimOrder, status: 'canceled' | 'expired', now: Date, reason: string, withSibling = true): void {
    if (TERMINAL_STATUSES.has(o.status)) return;
    this.unwork(o);
    o.status = status;
    o.updatedAt = now;
    o.statusReason = reason;
    if (status === 'canceled') o.canceledAt = now;
    else o.expiredAt = now;
    this.touch(o);
    this.emit(status, o, now);
    if (o.filledQty.gt(0) && o.legIds.length > 0) {
      this.activateLegs(o, now);
    } else {
      for (const id of o.legIds) this.finish(this.registered(id), 'canceled', now, `parent order ${status}`, false);
    }
    if (withSibling && o.ocoWith) {
      const sibling = this.orders.get(o.ocoWith);
      if (sibling && o.parentId !== null) this.finish(sibling, 'canceled', now, 'oco sibling canceled', false);
    }
  }

  private cancelWhere(match: (o: SimOrder) => boolean): void {
    const now = this.clockSource.now();
    for (const o of this.liveOrders()) {
      if (!TERMINAL_STATUSES.has(o.status) && match(o)) this.finish(o, 'canceled', now, 'canceled by request');
    }
  }

  /** The orders not yet finished, oldest first; finished ones are dropped from the set on the way. */
  private liveOrders(): SimOrder[] {
    const out: SimOrder[] = [];
    for (const id of this.live) {
      const o = this.orders.get(id);
      if (o && !TERMINAL_STATUSES.has(o.status)) out.push(o);
      else this.live.delete(id);
    }
    return out;
  }

  /** A family is done when the order and all its legs are. */
  private familyTerminal(o: SimOrder): boolean {
    return TERMINAL_STATUSES.has(o.status) && o.legIds.every((id) => TERMINAL_STATUSES.has(this.registered(id).status));
  }

  private dayTradeCount(): number {
    const days = this.clockSource.calendar(this.dayBefore(7), this.clockSource.tradingDay()).map((d) => d.date);
    const lastFive = new Set(days.slice(-5));
    let count = 0;
    for (const d of lastFive) count += this.dayTrades.get(d) ?? 0;
    return count;
  }

  private dayBefore(n: number): string {
    return this.clockSource.tradingDay(new Date(this.clockSource.now().getTime() - n * 86_400_000));
  }

  private emit(event: TradeEvent, o: SimOrder, at: Date, exec?: Execution): void {
    this.touch(o); // every event is a change of its order (the explicit touches cover the silent ones)
    const update = tradeUpdateOf(event, this.toOrder(o), at, o.executions, exec);
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch {
        // A failing listener must never corrupt the books.
      }
    }
  }

  private toOrder(o: SimOrder): Order {
    return new Order({
      id: o.id,
      clientOrderId: o.clientOrderId,
      ticker: o.symbol,
      side: o.side,
      type: o.type,
      orderClass: o.orderClass,
      timeInForce: o.timeInForce,
      quantity: o.qty,
      filledQty: o.filledQty,
      filledAvgPrice: o.filledAvgPrice,
      limitPrice: o.limitPrice,
      stopPrice: o.stopPrice,
      trailPrice: o.trailPrice,
      trailPercent: o.trailPercent,
      highWaterMark: o.hwm,
      status: o.status,
      parentOrderId: o.parentId,
      legs: o.legIds.map((id) => this.toOrder(this.registered(id))),
      legRole: legRoleOf(o),
      submittedAt: o.submittedAt,
      updatedAt: o.updatedAt,
      filledAt: o.filledAt,
      canceledAt: o.canceledAt,
      expiredAt: o.expiredAt,
      statusReason: o.statusReason,
    });
  }
}

const DECIMAL_FIELDS = ['qty', 'filledQty', 'filledAvgPrice', 'limitPrice', 'stopPrice', 'trailPrice', 'trailPercent', 'hwm'] as const;
const DATE_FIELDS = ['submittedAt', 'updatedAt', 'filledAt', 'canceledAt', 'expiredAt', 'expiresAt'] as const;

const text = (d: Decimal | null): string | null => (d === null ? null : toStorage(d));
const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Field by field (one object shape, no generic copying): it runs for every changed order of every save. */
function orderToState(o: SimOrder): SimOrderState {
  return {
    seq: o.seq,
    id: o.id,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    orderClass: o.orderClass,
    timeInForce: o.timeInForce,
    qty: toStorage(o.qty),
    filledQty: toStorage(o.filledQty),
    filledAvgPrice: text(o.filledAvgPrice),
    limitPrice: text(o.limitPrice),
    stopPrice: text(o.stopPrice),
    trailPrice: text(o.trailPrice),
    trailPercent: text(o.trailPercent),
    hwm: text(o.hwm),
    status: o.status,
    parentId: o.parentId,
    legIds: [...o.legIds],
    ocoWith: o.ocoWith,
    triggered: o.triggered,
    submittedAt: o.submittedAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
    filledAt: iso(o.filledAt),
    canceledAt: iso(o.canceledAt),
    expiredAt: iso(o.expiredAt),
    expiresAt: iso(o.expiresAt),
    statusReason: o.statusReason,
    replacedBy: o.replacedBy,
    executions: o.executions,
  };
}

function orderFromState(j: SimOrderState): SimOrder {
  const out: Record<string, unknown> = { ...j };
  for (const f of DECIMAL_FIELDS) out[f] = j[f] === null ? null : dec(j[f]);
  for (const f of DATE_FIELDS) out[f] = j[f] === null ? null : new Date(j[f]);
  out.legIds = [...j.legIds];
  return out as unknown as SimOrder;
}

export function createSimEngine(options: SimEngineOptions): SimEngine {
  return new SimEngine(options);
}

/**
 * BrokerInterface over the in-process simulator engine: the product's default
 * broker (BROKER=sim). Refusals arrive as the same error classes the Alpaca
 * adapter raises, and state is saved after every change when a store is given:
 * only the orders, holdings and prices the change touched, with the scalar row.
 */
import type {
  BrokerInterface,
  BracketOrderParams,
  CalendarDay,
  ClosePositionOptions,
  Clock,
  OrderChanges,
  OrderFilter,
  PlaceOrderOptions,
  TradeUpdate,
  TradeUpdateListener,
} from '../../domain/ports/broker.js';
import { BrokerError, DuplicateClientOrderIdError, InsufficientFundsError, NotFoundError, OrderRejectedError } from '../../domain/errors.js';
import type { Decimal } from '../../domain/money.js';
import { type Account } from '../../domain/account.js';
import { type BracketOrder, bracketOf, type Order } from '../../domain/order.js';
import { type OrderSide, type OrderType } from '../../domain/enums.js';
import { type Position } from '../../domain/position.js';
import { AlpacaCode, type OrderRequest, SimDuplicateClientOrderId, SimRejection } from './api.js';
import type { SimEngine } from './engine.js';
import type { SimStatePersistence } from './state.js';
import { historyOf, type SimHistory } from './history.js';
import type { BarRequest, HistoricalBar } from '../../domain/bars.js';

export type { SimChanges, SimState, SimStatePersistence } from './state.js';

/** Maps the engine's Alpaca-style refusal to the product's error classes. */
export function fromSimRejection(error: unknown): unknown {
  if (!(error instanceof SimRejection)) return error;
  const details = { code: error.code, status: error.status, brokerMessage: error.message };
  if (error instanceof SimDuplicateClientOrderId) return new DuplicateClientOrderIdError(error.message, details);
  if (error.status === 404) return new NotFoundError(error.message, details);
  if (error.status === 403 && error.code === AlpacaCode.InsufficientBuyingPower && /buying power/.test(error.message)) {
    return new InsufficientFundsError(error.message, details);
  }
  if ([400, 403, 422].includes(error.status)) return new OrderRejectedError(error.message, details);
  return new BrokerError(error.message, details);
}

export class SimBroker implements BrokerInterface {
  readonly name = 'sim';
  private saving: Promise<void> = Promise.resolve();
  /** Saves started and not yet settled. */
  private savesInFlight = 0;

  constructor(
    readonly engine: SimEngine,
    private readonly persistence: SimStatePersistence | null = null,
  ) {
    if (persistence) engine.trackChanges();
    // Anchored now, at the configured prices, before a saved account moves them: the history stays the same run to run.
    this.history = historyOf(engine);
    this.history.anchorAll(engine.tickers());
  }

  /** The simulator's historical bars (synthetic, or fed in). */
  readonly history: SimHistory;

  /** Bars by symbol, then time, as the simulator's Alpaca-compatible server serves them. */
  async *getBars(request: BarRequest): AsyncIterable<HistoricalBar> {
    for (const symbol of [...new Set(request.symbols.map((s) => s.toUpperCase()))].sort()) {
      for (const { tradeCount: _n, vwap: _vw, ...bar } of this.history.bars(symbol, request.timeframe, request.start, request.end)) yield bar;
    }
  }

  /** Restores the saved paper account, if there is one; a new account is saved whole. */
  async connect(): Promise<void> {
    if (this.persistence) {
      const saved = await this.persistence.load();
      if (saved) this.engine.restore(saved);
      else this.engine.markAllChanged();
    }
    await this.persist();
  }

  async disconnect(): Promise<void> {
    await this.persist();
  }

  async getAccount(): Promise<Account> {
    return this.engine.account();
  }

  async getPositions(): Promise<Position[]> {
    return this.engine.positions();
  }

  async getPosition(ticker: string): Promise<Position | null> {
    return this.engine.position(ticker.toUpperCase());
  }

  placeOrder(ticker: string, side: OrderSide, quantity: Decimal, orderType: OrderType, opts: PlaceOrderOptions): Promise<Order> {
    return this.mutate(() =>
      this.engine.submit({
        symbol: ticker,
        qty: quantity,
        side,
        type: orderType,
        timeInForce: opts.timeInForce ?? 'day',
        limitPrice: opts.limitPrice ?? null,
        stopPrice: opts.stopPrice ?? null,
        trailPrice: opts.trailPrice ?? null,
        trailPercent: opts.trailPercent ?? null,
        clientOrderId: opts.clientOrderId,
      }),
    );
  }

  placeBracketOrder(params: BracketOrderParams): Promise<BracketOrder> {
    const request: OrderRequest = {
      symbol: params.ticker,
      qty: params.quantity,
      side: params.side,
      type: params.entryType,
      timeInForce: params.timeInForce,
      limitPrice: params.limitPrice ?? null,
      orderClass: 'bracket',
      takeProfit: { limitPrice: params.takeProfitPrice },
      stopLoss: { stopPrice: params.stopLossPrice, limitPrice: params.stopLossLimitPrice ?? null },
      clientOrderId: params.clientOrderId,
    };
    return this.mutate(() => this.engine.submit(request)).then(bracketOf);
  }

  async getOrder(id: string): Promise<Order> {
    const order = this.engine.getOrder(id);
    if (!order) throw new NotFoundError(`order ${id} not found`, { status: 404, code: AlpacaCode.NotFound });
    return order;
  }

  async getOrderByClientId(clientOrderId: string): Promise<Order | null> {
    return this.engine.getOrderByClientId(clientOrderId);
  }

  async listOrders(filter?: OrderFilter): Promise<Order[]> {
    return this.engine.listOrders(filter);
  }

  cancelOrder(id: string): Promise<void> {
    return this.mutate(() => this.engine.cancelOrder(id));
  }

  async cancelAllOrders(): Promise<void> {
    await this.mutate(() => this.engine.cancelAllOrders());
  }

  replaceOrder(id: string, changes: OrderChanges): Promise<Order> {
    return this.mutate(() =>
      this.engine.replaceOrder(id, {
        ...(changes.quantity ? { qty: changes.quantity } : {}),
        ...(changes.limitPrice ? { limitPrice: changes.limitPrice } : {}),
        ...(changes.stopPrice ? { stopPrice: changes.stopPrice } : {}),
      }),
    );
  }

  closePosition(ticker: string, opts?: ClosePositionOptions): Promise<Order> {
    return this.mutate(() => this.engine.closePosition(ticker, opts ?? {}));
  }

  closeAllPositions(): Promise<Order[]> {
    return this.mutate(() => this.engine.closeAllPositions());
  }

  async getClock(): Promise<Clock> {
    return this.engine.clock();
  }

  async getCalendar(start: string, end: string): Promise<CalendarDay[]> {
    return this.engine.calendar(start, end);
  }

  async getLatestPrices(tickers: readonly string[]): Promise<Map<string, Decimal>> {
    const prices = new Map<string, Decimal>();
    for (const ticker of tickers) {
      const trade = this.engine.latestTrade(ticker.toUpperCase());
      if (trade) prices.set(ticker.toUpperCase(), trade.price);
    }
    return prices;
  }

  onTradeUpdate(listener: TradeUpdateListener): () => void {
    return this.engine.onTradeUpdate(listener);
  }

  /** `/sim price`: sets a price; returns the trade updates that followed at once. */
  setPrice(ticker: string, price: Decimal): Promise<TradeUpdate[]> {
    return this.mutate(() => this.collecting(() => this.engine.setPrice(ticker, price)));
  }

  /** `/sim advance`: moves the simulated clock; returns the trade updates on the way. */
  advance(minutes: number): Promise<TradeUpdate[]> {
    return this.mutate(() => this.collecting(() => this.engine.advance(minutes)));
  }

  private collecting(command: () => void): TradeUpdate[] {
    const updates: TradeUpdate[] = [];
    const stop = this.engine.onTradeUpdate((u) => updates.push(u));
    try {
      command();
    } finally {
      stop();
    }
    return updates;
  }

  /** Runs an engine command, maps its refusal, and saves the new state. */
  private mutate<T>(command: () => T): Promise<T> {
    let result: T;
    try {
      result = command();
    } catch (error) {
      return Promise.reject(fromSimRejection(error));
    }
    // Chained, not awaited: the caller resumes one turn sooner after the save.
    try {
      return this.persist().then(() => result);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Saves are chained so two quick commands never write out of order. */
  private persist(): Promise<void> {
    const persistence = this.persistence;
    if (!persistence) return Promise.resolve();
    // Taken now, in command order: what this command (and anything since the last save) changed.
    const changes = this.engine.takeChanges();
    const at = this.engine.clockSource.now();
    const save = () => persistence.save(changes, at);
    // With no save in flight this one starts now, ahead of whatever the trade
    // updates of this command set off; otherwise it waits for the last one.
    // A failed save is reported to its caller but does not block the next
    // one, and its rows are noted again so a later save writes them.
    const started = this.savesInFlight === 0 ? save() : this.saving.catch(() => undefined).then(save);
    const next = started.catch((error: unknown) => {
      this.engine.requeueChanges(changes);
      throw error;
    });
    this.savesInFlight += 1;
    const settled = () => {
      this.savesInFlight -= 1;
    };
    next.then(settled, settled);
    this.saving = next;
    return next;
  }
}

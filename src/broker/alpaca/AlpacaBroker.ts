/**
 * BrokerInterface over Alpaca's official SDK (v4): paper or live, any host.
 *
 * Safety: reads retry with backoff and honour Retry-After (the SDK's retry,
 * safe verbs only); an order POST is never retried blindly. When a submission
 * ends ambiguously (timeout, reset after sending) the order is looked up by its
 * client_order_id before anything else happens; since every order carries a
 * deterministic client_order_id, a later retry can never create a second order
 * (Alpaca refuses the duplicate id: DuplicateClientOrderIdError).
 */
import { DEFAULT_RATE_LIMIT, marketData, OrdersApi, trading } from '@alpacahq/alpaca-trade-api';
import type {
  BrokerInterface,
  StreamState,
  BracketOrderParams,
  OrderChanges,
  CalendarDay,
  ClosePositionOptions,
  Clock,
  OrderFilter,
  PlaceOrderOptions,
  TradeUpdateListener,
} from '../../domain/ports/broker.js';
import { BrokerConnectionError, NotFoundError, OrderRejectedError } from '../../domain/errors.js';
import { exchangeTime } from '../../domain/marketTime.js';
import { type Decimal, dec } from '../../domain/money.js';
import { type Account } from '../../domain/account.js';
import { type BracketOrder, bracketOf, type Order } from '../../domain/order.js';
import { type OrderSide, type OrderType } from '../../domain/enums.js';
import { type Position } from '../../domain/position.js';
import type { BarRequest, HistoricalBar } from '../../domain/bars.js';
import { fetchBars } from './bars.js';
import { toBrokerError } from './errors.js';
import { amount, toAccount, toCalendarDay, toClock, toOrder, toPosition } from './mapping.js';
import { LegBook } from './legBook.js';
import { AlpacaTradeStream } from './tradeStream.js';

export interface AlpacaBrokerOptions {
  keyId: string;
  secret: string;
  /** Default true. */
  paper?: boolean;
  tradingUrl?: string | null;
  dataUrl?: string | null;
  streamUrl?: string | null;
  /** Per-request deadline. Default 10 s. */
  timeoutMs?: number;
  /** Read retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** First backoff delay; doubles per attempt. Default 250 ms. */
  retryDelayMs?: number;
}

type PostOrderRequest = Parameters<InstanceType<typeof trading.OrdersApi>['postOrder']>[0]['postOrderRequest'];

const TRADING_STREAM = { paper: 'wss://paper-api.alpaca.markets/stream', live: 'wss://api.alpaca.markets/stream' };

/** The SDK takes position quantities as JS numbers: only exact ones are sent. */
function exactNumber(value: Decimal, field: string): number {
  const n = Number(value.toFixed());
  if (!Number.isFinite(n) || !dec(n).eq(value)) throw new OrderRejectedError(`${field} ${value.toFixed()} cannot be sent exactly`);
  return n;
}

export class AlpacaBroker implements BrokerInterface {
  readonly name: string;
  private readonly account: InstanceType<typeof trading.AccountsApi>;
  private readonly orders: OrdersApi;
  private readonly positions: InstanceType<typeof trading.PositionsApi>;
  private readonly clock: InstanceType<typeof trading.ClockApi>;
  private readonly calendar: InstanceType<typeof trading.CalendarApi>;
  private readonly stocks: InstanceType<typeof marketData.StockApi>;
  private readonly stream: AlpacaTradeStream;
  private readonly legBook = new LegBook();

  constructor(options: AlpacaBrokerOptions) {
    const paper = options.paper ?? true;
    this.name = paper ? 'alpaca-paper' : 'alpaca-live';
    const common = {
      keyId: options.keyId,
      secret: options.secret,
      timeoutMs: options.timeoutMs ?? 10_000,
      retry: { maxRetries: options.maxRetries ?? 3, retryDelayMs: options.retryDelayMs ?? 250, maxDelayMs: 5_000, respectRetryAfter: true },
      // Alpaca allows about 200 requests a minute; the limiter keeps us under it.
      rateLimit: DEFAULT_RATE_LIMIT,
    };
    const tradingConfig = new trading.Configuration({ ...common, paper, ...(options.tradingUrl ? { basePath: options.tradingUrl } : {}) });
    const dataConfig = new marketData.Configuration({ ...common, ...(options.dataUrl ? { basePath: options.dataUrl } : {}) });
    this.account = new trading.AccountsApi(tradingConfig);
    this.orders = new OrdersApi(tradingConfig);
    this.positions = new trading.PositionsApi(tradingConfig);
    this.clock = new trading.ClockApi(tradingConfig);
    this.calendar = new trading.CalendarApi(tradingConfig);
    this.stocks = new marketData.StockApi(dataConfig);
    this.stream = new AlpacaTradeStream({
      keyId: options.keyId,
      secret: options.secret,
      url: options.streamUrl ?? (paper ? TRADING_STREAM.paper : TRADING_STREAM.live),
      recover: (since) => this.changedSince(since),
      toOrder: (o) => this.mapped(o),
    });
  }

  /** Checks the credentials (a readable BrokerAuthenticationError when wrong), then opens the stream. */
  async connect(): Promise<void> {
    await this.getAccount();
    await this.stream.start();
  }

  async disconnect(): Promise<void> {
    this.stream.stop();
  }

  getAccount(): Promise<Account> {
    return this.call('reading the account', async () => toAccount(await this.account.getAccount()));
  }

  getPositions(): Promise<Position[]> {
    return this.call('reading positions', async () => (await this.positions.getAllOpenPositions()).map(toPosition));
  }

  async getPosition(ticker: string): Promise<Position | null> {
    try {
      return await this.call(`reading the ${ticker} position`, async () => toPosition(await this.positions.getOpenPosition({ symbolOrAssetId: ticker })));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  placeOrder(ticker: string, side: OrderSide, quantity: Decimal, orderType: OrderType, opts: PlaceOrderOptions): Promise<Order> {
    const str = (d: Decimal | undefined) => (d === undefined ? undefined : d.toFixed());
    return this.submit({
      symbol: ticker,
      qty: quantity.toFixed(),
      side,
      type: orderType,
      timeInForce: opts.timeInForce ?? 'day',
      ...(opts.limitPrice ? { limitPrice: str(opts.limitPrice) } : {}),
      ...(opts.stopPrice ? { stopPrice: str(opts.stopPrice) } : {}),
      ...(opts.trailPrice ? { trailPrice: str(opts.trailPrice) } : {}),
      ...(opts.trailPercent ? { trailPercent: str(opts.trailPercent) } : {}),
      clientOrderId: opts.clientOrderId,
    } as PostOrderRequest);
  }

  async placeBracketOrder(params: BracketOrderParams): Promise<BracketOrder> {
    const entry = await this.submit({
      symbol: params.ticker,
      qty: params.quantity.toFixed(),
      side: params.side,
      type: params.entryType,
      timeInForce: params.timeInForce,
      orderClass: 'bracket',
      ...(params.limitPrice ? { limitPrice: params.limitPrice.toFixed() } : {}),
      takeProfit: { limitPrice: params.takeProfitPrice.toFixed() },
      stopLoss: {
        stopPrice: params.stopLossPrice.toFixed(),
        ...(params.stopLossLimitPrice ? { limitPrice: params.stopLossLimitPrice.toFixed() } : {}),
      },
      clientOrderId: params.clientOrderId,
    } as PostOrderRequest);
    return bracketOf(entry);
  }

  getOrder(id: string): Promise<Order> {
    return this.call(`reading order ${id}`, async () => this.mapped(await this.orders.getOrderByOrderID({ orderId: id, nested: true })));
  }

  async getOrderByClientId(clientOrderId: string): Promise<Order | null> {
    try {
      return await this.call(`looking up order ${clientOrderId}`, async () => this.mapped(await this.orders.getOrderByClientOrderId({ clientOrderId })));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  listOrders(filter: OrderFilter = {}): Promise<Order[]> {
    return this.call('listing orders', async () => {
      const list = await this.orders.getAllOrders({
        status: filter.status ?? 'open',
        limit: filter.limit ?? 50,
        direction: filter.direction ?? 'desc',
        nested: true,
        ...(filter.after ? { after: filter.after.toISOString() } : {}),
        ...(filter.until ? { until: filter.until.toISOString() } : {}),
        ...(filter.tickers && filter.tickers.length > 0 ? { symbols: filter.tickers.join(',') } : {}),
      });
      return list.map((o) => this.mapped(o));
    });
  }

  cancelOrder(id: string): Promise<void> {
    return this.call(`canceling order ${id}`, () => this.orders.deleteOrderByOrderID({ orderId: id }));
  }

  async cancelAllOrders(): Promise<void> {
    await this.call('canceling all orders', () => this.orders.deleteAllOrders());
  }

  /**
   * PATCH /v2/orders/{id}: Alpaca answers with the replacement (a new id); the
   * old order ends `replaced`. A leg's replacement keeps its parent and role.
   * Like any order write it is sent once, never retried.
   */
  async replaceOrder(id: string, changes: OrderChanges): Promise<Order> {
    // A leg fetched or streamed alone has no parent on Alpaca's wire: find its bracket first.
    if (!this.legBook.parentOf(id)) await this.listOrders({ status: 'open', limit: 500 }).catch(() => []);
    return this.call(`replacing order ${id}`, async () => {
      const replacement = await this.orders.patchOrderByOrderId({
        orderId: id,
        patchOrderRequest: {
          ...(changes.quantity ? { qty: changes.quantity.toFixed() } : {}),
          ...(changes.limitPrice ? { limitPrice: changes.limitPrice.toFixed() } : {}),
          ...(changes.stopPrice ? { stopPrice: changes.stopPrice.toFixed() } : {}),
        },
      });
      this.legBook.replaced(id, String(replacement.id));
      return this.mapped(replacement);
    });
  }

  closePosition(ticker: string, opts?: ClosePositionOptions): Promise<Order> {
    const request = {
      symbolOrAssetId: ticker,
      ...(opts?.qty ? { qty: exactNumber(opts.qty, 'qty') } : {}),
      ...(opts?.percentage ? { percentage: exactNumber(opts.percentage, 'percentage') } : {}),
    };
    return this.call(`closing the ${ticker} position`, async () => this.mapped(await this.positions.deleteOpenPosition(request)));
  }

  closeAllPositions(): Promise<Order[]> {
    return this.call('closing all positions', async () => {
      const results = await this.positions.deleteAllOpenPositions({ cancelOrders: true });
      return results.flatMap((r) => (r.body ? [this.mapped(r.body as unknown as trading.Order)] : []));
    });
  }

  getClock(): Promise<Clock> {
    return this.call('reading the clock', async () => toClock(await this.clock.legacyClock()));
  }

  getCalendar(start: string, end: string): Promise<CalendarDay[]> {
    const at = (day: string) => new Date(`${day}T00:00:00Z`);
    const instant = (day: string, hhmm: string) => {
      const [h, m] = hhmm.split(':').map(Number) as [number, number];
      return exchangeTime(day, h, m);
    };
    return this.call('reading the calendar', async () =>
      (await this.calendar.legacyCalendar({ start: at(start), end: at(end) })).map((d) => toCalendarDay(d, instant)),
    );
  }

  /** One market-data request for all tickers. */
  async getLatestPrices(tickers: readonly string[]): Promise<Map<string, Decimal>> {
    const prices = new Map<string, Decimal>();
    if (tickers.length === 0) return prices;
    const resp = await this.call('reading latest prices', () => this.stocks.stockLatestTrades({ symbols: tickers.join(',') }));
    for (const [symbol, trade] of Object.entries(resp.trades ?? {})) {
      const price = amount(trade.p);
      if (price) prices.set(symbol, price);
    }
    return prices;
  }

  /** Historical bars, paged through the SDK as they are read. */
  getBars(request: BarRequest): AsyncIterable<HistoricalBar> {
    return fetchBars(this.stocks, request, { call: (what, fn) => this.call(what, fn) });
  }

  onTradeUpdate(listener: TradeUpdateListener): () => void {
    return this.stream.onUpdate(listener);
  }

  /** Whether the trade-update stream is connected (for /status and alerts). */
  streamState(): StreamState {
    return this.stream.state();
  }

  onStreamState(listener: (state: StreamState) => void): () => void {
    return this.stream.onState(listener);
  }

  /** An SDK order as a domain order, its legs noted (and, for a leg, its parent and role filled in). */
  private mapped(o: trading.Order): Order {
    // A replacement streamed before its PATCH answer arrived: its parent is the replaced leg's.
    if (o.replaces) this.legBook.replaced(String(o.replaces), String(o.id));
    const order = toOrder(o, this.legBook.parentOf(String(o.id)));
    this.legBook.learn(order);
    return order;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toBrokerError(error, what);
    }
  }

  /** Places an order once; an ambiguous outcome is resolved by client_order_id before anything else. */
  private async submit(request: PostOrderRequest): Promise<Order> {
    const clientOrderId = String(request.clientOrderId ?? '');
    if (clientOrderId === '') throw new OrderRejectedError('every order needs a client_order_id');
    try {
      return this.mapped(await this.orders.postOrder({ postOrderRequest: request }));
    } catch (raw) {
      // A repeated client_order_id surfaces as DuplicateClientOrderIdError: the
      // caller looks the earlier order up, as with any broker.
      const error = toBrokerError(raw, `placing order ${clientOrderId}`);
      if (error instanceof BrokerConnectionError) {
        const existing = await this.getOrderByClientId(clientOrderId).catch(() => null);
        if (existing) return existing;
        throw new BrokerConnectionError(
          `order ${clientOrderId}: no answer from Alpaca and no such order found yet; ` +
            'placing it again with the same client_order_id is safe (Alpaca refuses a duplicate)',
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Orders changed after `since` (what a stream reconnect may have missed), oldest first. */
  private async changedSince(since: Date): Promise<Order[]> {
    const recent = await this.listOrders({ status: 'all', limit: 500, direction: 'desc' });
    const all = recent.flatMap((o) => [o, ...o.legs]);
    return all.filter((o) => o.updatedAt >= since).sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
  }
}

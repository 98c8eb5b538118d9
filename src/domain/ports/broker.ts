/**
 * The broker port: what every broker adapter (Alpaca, the paper simulator,
 * any other) implements, and the shapes it speaks in. Methods throw the
 * errors of `domain/errors.ts`; none returns a partial result silently.
 */
import type { Account } from '../account.js';
import type { BarRequest, HistoricalBar } from '../bars.js';
import type { OrderSide, OrderType, TimeInForce, TradeEvent } from '../enums.js';
import type { Decimal } from '../money.js';
import type { BracketOrder, Order } from '../order.js';
import type { Position } from '../position.js';

export interface BracketOrderParams {
  ticker: string;
  side: OrderSide;
  quantity: Decimal;
  /** Entry leg: market, or limit at `limitPrice`. */
  entryType: typeof OrderType.Market | typeof OrderType.Limit;
  limitPrice?: Decimal;
  takeProfitPrice: Decimal;
  stopLossPrice: Decimal;
  /** Makes the stop-loss leg a stop-limit. */
  stopLossLimitPrice?: Decimal;
  timeInForce: typeof TimeInForce.Day | typeof TimeInForce.Gtc;
  clientOrderId: string;
}

export interface PlaceOrderOptions {
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailPrice?: Decimal;
  trailPercent?: Decimal;
  timeInForce?: TimeInForce;
  clientOrderId: string;
}

export interface OrderFilter {
  status?: 'open' | 'closed' | 'all';
  limit?: number;
  /** Orders submitted (or, with `updatedSince`, changed) after this instant. */
  after?: Date;
  until?: Date;
  tickers?: readonly string[];
  direction?: 'asc' | 'desc';
}

/** What `replaceOrder` may change; what is left out stays as it was. */
export interface OrderChanges {
  stopPrice?: Decimal;
  limitPrice?: Decimal;
  quantity?: Decimal;
}

/** Close part of a position: a share count or a percentage (0–100), not both. */
export type ClosePositionOptions = { qty: Decimal; percentage?: never } | { percentage: Decimal; qty?: never };

export interface Clock {
  timestamp: Date;
  isOpen: boolean;
  nextOpen: Date;
  nextClose: Date;
}

/** One trading session of the exchange calendar (times in UTC instants). */
export interface CalendarDay {
  /** YYYY-MM-DD in the exchange's time zone. */
  date: string;
  open: Date;
  close: Date;
}

export interface TradeUpdate {
  event: TradeEvent;
  order: Order;
  timestamp: Date;
  /** The execution's price and size (fills and partial fills). */
  price: Decimal | null;
  qty: Decimal | null;
  /** The position's size after this execution, signed. */
  positionQty: Decimal | null;
  /** Unique per execution: the key that makes a fill count once. */
  executionId: string | null;
}

export type TradeUpdateListener = (update: TradeUpdate) => void;

/** One execution of an order: its price and size, and the position's signed size after it. */
export interface Execution {
  price: Decimal;
  qty: Decimal;
  positionQty: Decimal;
}

/**
 * A trade update of a broker that runs in this process (the simulator, the
 * backtester): `executions` counts the order's executions so far, which
 * makes each execution's id unique.
 */
export function tradeUpdateOf(event: TradeEvent, order: Order, at: Date, executions: number, exec?: Execution): TradeUpdate {
  return {
    event,
    order,
    timestamp: at,
    price: exec?.price ?? null,
    qty: exec?.qty ?? null,
    positionQty: exec?.positionQty ?? null,
    executionId: exec ? `${order.id}:${executions}` : null,
  };
}

/** A network trade-update stream: up, down and retrying, or closed by us. */
export type StreamState = 'connected' | 'reconnecting' | 'stopped';

/**
 * What every broker (Alpaca, the paper simulator) implements. Methods throw
 * the errors of `domain/errors.ts`; none returns a partial result silently.
 */
export interface BrokerInterface {
  /** A short name for status lines: `alpaca-paper`, `alpaca-live`, `sim`. */
  readonly name: string;

  /** Validates credentials and opens the trade-update stream. */
  connect(): Promise<void>;
  disconnect(): Promise<void>;

  getAccount(): Promise<Account>;
  getPositions(): Promise<Position[]>;
  /** Null when there is no open position in `ticker`. */
  getPosition(ticker: string): Promise<Position | null>;

  /** `opts.clientOrderId` is required: it is what makes a retry safe. */
  placeOrder(ticker: string, side: OrderSide, quantity: Decimal, orderType: OrderType, opts: PlaceOrderOptions): Promise<Order>;
  placeBracketOrder(params: BracketOrderParams): Promise<BracketOrder>;

  /** Throws NotFoundError when the broker has no such order. */
  getOrder(id: string): Promise<Order>;
  /** Null when the broker never received an order with that id: the check before any retry. */
  getOrderByClientId(clientOrderId: string): Promise<Order | null>;
  listOrders(filter?: OrderFilter): Promise<Order[]>;
  cancelOrder(id: string): Promise<void>;
  cancelAllOrders(): Promise<void>;
  /**
   * Changes a working order (a bracket's exit: its stop or limit price, or its
   * size). The broker answers with the replacement, a new order with a new id
   * that keeps the leg's role and parent; the old one ends `replaced`. Throws
   * NotFoundError for an unknown order, OrderRejectedError for a finished one
   * or a bad value.
   */
  replaceOrder(id: string, changes: OrderChanges): Promise<Order>;

  /** Sends the closing order; without options closes the whole position. */
  closePosition(ticker: string, opts?: ClosePositionOptions): Promise<Order>;
  closeAllPositions(): Promise<Order[]>;

  getClock(): Promise<Clock>;
  /** Trading sessions between two dates (inclusive, YYYY-MM-DD). */
  getCalendar(start: string, end: string): Promise<CalendarDay[]>;
  /** Last trade price of each ticker, in one request. Unknown tickers are absent from the map. */
  getLatestPrices(tickers: readonly string[]): Promise<Map<string, Decimal>>;

  /**
   * Historical bars of `request.symbols` with timestamps in [start, end],
   * ordered by symbol, then time; a symbol the broker has no data for yields
   * nothing. Pages are fetched as the caller reads (absent: the broker has no
   * historical data).
   */
  getBars?(request: BarRequest): AsyncIterable<HistoricalBar>;

  /** Fills, partial fills, cancels, rejections, expiries. Returns the unsubscribe function. */
  onTradeUpdate(listener: TradeUpdateListener): () => void;

  /** The trade-update stream's state, for brokers that stream over the network (absent: in-process). */
  streamState?(): StreamState;
  /** Told each time the stream's state changes (a drop, its return), as it happens. Returns the unsubscribe function. */
  onStreamState?(listener: (state: StreamState) => void): () => void;
}

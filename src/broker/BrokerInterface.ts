import type { Decimal } from './money.js';
import type {
  Account,
  BracketOrder,
  BracketOrderParams,
  CalendarDay,
  ClosePositionOptions,
  Clock,
  Order,
  OrderFilter,
  OrderSide,
  OrderType,
  PlaceOrderOptions,
  Position,
  TradeUpdateListener,
} from './types.js';

/** A network trade-update stream: up, down and retrying, or closed by us. */
export type StreamState = 'connected' | 'reconnecting' | 'stopped';

/**
 * What every broker (Alpaca, the paper simulator) implements. Methods throw
 * the errors of `errors.ts`; none returns a partial result silently.
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

  /** Sends the closing order; without options closes the whole position. */
  closePosition(ticker: string, opts?: ClosePositionOptions): Promise<Order>;
  closeAllPositions(): Promise<Order[]>;

  getClock(): Promise<Clock>;
  /** Trading sessions between two dates (inclusive, YYYY-MM-DD). */
  getCalendar(start: string, end: string): Promise<CalendarDay[]>;
  /** Last trade price of each ticker, in one request. Unknown tickers are absent from the map. */
  getLatestPrices(tickers: readonly string[]): Promise<Map<string, Decimal>>;

  /** Fills, partial fills, cancels, rejections, expiries. Returns the unsubscribe function. */
  onTradeUpdate(listener: TradeUpdateListener): () => void;

  /** The trade-update stream's state, for brokers that stream over the network (absent: in-process). */
  streamState?(): StreamState;
  /** Told each time the stream's state changes (a drop, its return), as it happens. Returns the unsubscribe function. */
  onStreamState?(listener: (state: StreamState) => void): () => void;
}

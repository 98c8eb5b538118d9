/**
 * The market-data port: a stream of trades for the tickers the bot cares
 * about. Alpaca's adapter speaks Alpaca's market-data WebSocket through the
 * official SDK; the simulator turns its own price moves into trades. The bot
 * keeps the subscription in step with what it holds, and reads marks, stops
 * and the drift guard's price from what arrives.
 */
import type { Decimal } from '../money.js';
import type { StreamState } from './broker.js';

/** One trade printed on the tape. */
export interface StreamedTrade {
  ticker: string;
  price: Decimal;
  size: Decimal;
  at: Date;
}

export type StreamedTradeListener = (trade: StreamedTrade) => void;

export interface MarketDataFeed {
  /** A short name for logs and status lines: `alpaca-iex`, `sim`. */
  readonly name: string;
  /** Connects (and logs in); resolves once connected, or once the first attempt has failed and retrying has begun. */
  start(): Promise<void>;
  /**
   * The tickers to receive trades for, as a whole: only the difference from
   * the current subscription goes on the wire, and nothing when it is the same.
   */
  setTickers(tickers: ReadonlySet<string>): void;
  /** The tickers subscribed now. */
  tickers(): ReadonlySet<string>;
  /** Told of every trade of a subscribed ticker, synchronously as it is decoded. Returns the unsubscribe function. */
  onTrade(listener: StreamedTradeListener): () => void;
  state(): StreamState;
  /** Told each time the stream drops or returns. Returns the unsubscribe function. */
  onState(listener: (state: StreamState) => void): () => void;
  close(): Promise<void>;
}

/**
 * Alpaca's real-time stock data (trades) through the SDK's StockDataStream:
 * msgpack frames, login, subscriptions kept across reconnects and the
 * reconnects themselves are the SDK's. This adapter keeps the subscribed set
 * in step with what the bot asks for, sending only the difference, and turns
 * each decoded trade into a domain trade with Decimal price and size.
 */
import { streaming } from '@alpacahq/alpaca-trade-api';
import { z } from 'zod';
import { Listeners, StateCell } from '../../domain/listeners.js';
import { dec } from '../../domain/money.js';
import type { StreamState } from '../../domain/ports/broker.js';
import type { MarketDataFeed, StreamedTrade, StreamedTradeListener } from '../../domain/ports/marketData.js';

export const DATA_FEEDS = ['iex', 'sip', 'delayed_sip'] as const;
export type DataFeed = (typeof DATA_FEEDS)[number];

/** Alpaca's market-data stream for a feed, when no override is configured. */
export const dataStreamUrlOf = (feed: DataFeed): string => `wss://stream.data.alpaca.markets/v2/${feed}`;

export interface MarketDataStreamOptions {
  keyId: string;
  secret: string;
  feed: DataFeed;
  /** Override of the stream's URL (a proxy, a local server); default Alpaca's for the feed. */
  url?: string | null;
  /** How long start() waits for the first login before going on with retries in the background. Default 10 s. */
  connectTimeoutMs?: number;
  /** Told when a trade the SDK decoded does not have the shape of one (it is dropped). */
  onInvalid?: (problem: string) => void;
}

type SdkStream = InstanceType<typeof streaming.StockDataStream>;

/** What a decoded trade must carry before the bot acts on it. */
const tradeShape = z.object({
  symbol: z.string().min(1),
  price: z.number().finite().positive(),
  size: z.number().finite().nonnegative(),
  timestamp: z.date().refine((d) => !Number.isNaN(d.getTime()), 'a valid time'),
});

export class AlpacaMarketDataStream implements MarketDataFeed {
  readonly name: string;
  private readonly stream: SdkStream;
  private readonly subscribed = new Set<string>();
  private readonly listeners = new Listeners<StreamedTrade>();
  private readonly status = new StateCell<StreamState>('stopped');
  private closed = false;
  /** Waiting for the server to acknowledge the subscription as it is now. */
  private waiters: (() => void)[] = [];
  private acknowledged = new Set<string>();

  constructor(private readonly options: MarketDataStreamOptions) {
    this.name = `alpaca-${options.feed}`;
    this.stream = new streaming.StockDataStream({
      credentials: { keyId: options.keyId, secret: options.secret },
      feed: options.feed,
      ...(options.url ? { url: options.url } : {}),
      reconnect: true,
      maxReconnectAttempts: -1,
      initialReconnectMs: 250,
      maxReconnectMs: 30_000,
    });
    this.stream.onTrade((trade) => this.deliver(trade));
    this.stream.on(streaming.EVENT.SUBSCRIPTION, () => {
      this.acknowledged = new Set(this.stream.getSubscriptions().trades);
      this.wake();
    });
    this.stream.onStateChange((state) => {
      // A new connection starts with nothing subscribed until the SDK subscribes again.
      if (state === streaming.STATE.DISCONNECTED) this.acknowledged = new Set();
      if (this.closed) return;
      if (state === streaming.STATE.AUTHENTICATED) this.status.set('connected');
      else if (state === streaming.STATE.DISCONNECTED || state === streaming.STATE.WAITING_TO_RECONNECT) this.status.set('reconnecting');
    });
  }

  async start(): Promise<void> {
    if (this.closed) return;
    this.stream.connect();
    const result = await this.stream.waitForAuthenticationResult(this.options.connectTimeoutMs ?? 10_000);
    // Refused credentials are final (the SDK stops); anything else keeps retrying in the background.
    if (!result.authenticated && result.status === streaming.STREAM_AUTH_STATUS.SERVER_REJECTED) {
      this.status.set('stopped');
      throw new Error(`the market-data stream refused the login: ${result.message}`);
    }
  }

  setTickers(tickers: ReadonlySet<string>): void {
    const added = [...tickers].filter((t) => !this.subscribed.has(t));
    const removed = [...this.subscribed].filter((t) => !tickers.has(t));
    for (const t of added) this.subscribed.add(t);
    for (const t of removed) this.subscribed.delete(t);
    // The SDK remembers the set and sends it again after a reconnect.
    if (added.length > 0) this.stream.subscribeForTrades(added);
    if (removed.length > 0) this.stream.unsubscribeFromTrades(removed);
  }

  tickers(): ReadonlySet<string> {
    return this.subscribed;
  }

  /** Resolves once the server has acknowledged the subscription as it is now (at once when it has). */
  settled(): Promise<void> {
    if (this.inStep()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private inStep(): boolean {
    return this.acknowledged.size === this.subscribed.size && [...this.subscribed].every((t) => this.acknowledged.has(t));
  }

  private wake(): void {
    if (!this.inStep()) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  onTrade(listener: StreamedTradeListener): () => void {
    return this.listeners.add(listener);
  }

  state(): StreamState {
    return this.status.get();
  }

  onState(listener: (state: StreamState) => void): () => void {
    return this.status.onChange(listener);
  }

  async close(): Promise<void> {
    this.status.set('stopped');
    this.closed = true;
    this.stream.disconnect();
    await Promise.resolve();
  }

  private deliver(raw: unknown): void {
    const parsed = tradeShape.safeParse(raw);
    if (!parsed.success) {
      this.options.onInvalid?.(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return;
    }
    const { symbol, price, size, timestamp } = parsed.data;
    // A trade for a ticker just unsubscribed may still be in flight: it is not ours any more.
    if (!this.subscribed.has(symbol)) return;
    // msgpack carries the price as a float64; its shortest decimal form is the price as printed.
    const trade: StreamedTrade = { ticker: symbol, price: dec(price), size: dec(size), at: timestamp };
    this.listeners.emit(trade);
  }
}

/**
 * The simulator's market data in process: every price the engine prints (a
 * `/sim price`, a step of the simulated feed) is a trade of the subscribed
 * ticker, delivered synchronously, after the fills it causes at the
 * simulated broker. Always connected: there is no network to drop.
 */
import type { StreamState } from '../../domain/ports/broker.js';
import type { MarketDataFeed, StreamedTrade, StreamedTradeListener } from '../../domain/ports/marketData.js';
import { Listeners, StateCell } from '../../domain/listeners.js';
import type { SimEngine } from './engine.js';

export class SimMarketData implements MarketDataFeed {
  readonly name = 'sim';
  private subscribed: ReadonlySet<string> = new Set();
  private readonly listeners = new Listeners<StreamedTrade>();
  private stopListening: (() => void) | null = null;
  private readonly status = new StateCell<StreamState>('stopped');

  constructor(private readonly engine: Pick<SimEngine, 'onPrice'>) {}

  start(): Promise<void> {
    this.stopListening ??= this.engine.onPrice((ticker, trade) => {
      if (!this.subscribed.has(ticker)) return;
      const streamed: StreamedTrade = { ticker, price: trade.price, size: trade.size, at: trade.timestamp };
      this.listeners.emit(streamed);
    });
    this.status.set('connected');
    return Promise.resolve();
  }

  setTickers(tickers: ReadonlySet<string>): void {
    this.subscribed = new Set(tickers);
  }

  tickers(): ReadonlySet<string> {
    return this.subscribed;
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

  close(): Promise<void> {
    this.stopListening?.();
    this.stopListening = null;
    this.status.set('stopped');
    return Promise.resolve();
  }
}

/**
 * Prices between monitor cycles, from the market-data stream. Every streamed
 * trade becomes the ticker's latest price at once (the drift guard reads
 * it); open positions are marked to those prices in the database in batches,
 * at most once per `flushMs`, through the position manager's marking path;
 * and a position whose stop or target no broker leg holds is closed as soon
 * as a trade crosses the level, once.
 *
 * The subscription follows what the bot has at stake: every ticker with an
 * open position, a working order or a pending signal. It is worked out
 * again after each trading event and signal decision, and the feed is told
 * only when the set changed.
 */
import type { TradingEvents } from '../domain/events.js';
import type { Decimal } from '../domain/money.js';
import type { StreamState } from '../domain/ports/broker.js';
import type { MarketDataFeed, StreamedTrade } from '../domain/ports/marketData.js';
import type { Repositories } from '../domain/ports/store.js';
import type { PositionRecord } from '../domain/records.js';
import type { OrderLedger } from './OrderLedger.js';
import type { PositionManager } from './PositionManager.js';

export interface LiveMarksOptions {
  feed: MarketDataFeed;
  manager: Pick<PositionManager, 'updatePositionPrices' | 'autoCloseTriggeredPositions'>;
  store: Pick<Repositories, 'positions' | 'signals'>;
  ledger: Pick<OrderLedger, 'workingOrders'>;
  events: TradingEvents;
  /** Marks reach the database at most this often. Default 1000 ms. */
  flushMs?: number;
  /** A streamed price older than this is not "fresh" for the drift guard. Default 10 s. */
  freshMs?: number;
  /** Milliseconds of the wall clock (freshness, batching). */
  clock?: () => number;
}

/** A position the bot itself guards: the levels no working broker leg holds (null: none, or a leg holds it). */
interface Guard {
  position: PositionRecord;
  stop: Decimal | null;
  target: Decimal | null;
}

/** Pending signals read for the subscription: far more than a desk ever has waiting. */
const PENDING_LIMIT = 10_000;
/** After an exit the stream tried and failed, how long before a crossing trade may try again (the monitor retries meanwhile). */
const RETRY_EXIT_MS = 5_000;

export class LiveMarks {
  private readonly latest = new Map<string, { price: Decimal; receivedAt: number }>();
  private readonly dirty = new Map<string, Decimal>();
  private guards = new Map<string, Guard[]>();
  /** Positions whose exit the stream has set off: a second crossing trade sends nothing. */
  private readonly exiting = new Set<string>();
  /** Positions whose exit call is still running. */
  private readonly inFlight = new Set<string>();
  private readonly flushMs: number;
  private readonly freshMs: number;
  private readonly clock: () => number;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> | null = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly pendingExits = new Set<Promise<unknown>>();
  private closed = false;
  private errorListener: (error: unknown, what: string) => void = () => undefined;

  constructor(private readonly options: LiveMarksOptions) {
    this.flushMs = options.flushMs ?? 1000;
    this.freshMs = options.freshMs ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  /** Where a failed mark, exit or subscription update is reported (the stream goes on). */
  onError(listener: (error: unknown, what: string) => void): void {
    this.errorListener = listener;
  }

  /** Subscribes to what the bot holds, then connects the feed (a feed that cannot connect yet keeps retrying: polling carries on). */
  async start(): Promise<void> {
    const { feed, events } = this.options;
    this.unsubscribe.push(feed.onTrade((trade) => this.onTrade(trade)));
    this.unsubscribe.push(
      events.on((event) => {
        // Our own marks change nothing the subscription or the guards depend on.
        if (event.kind !== 'positions_marked') this.resync();
      }),
    );
    await this.refresh();
    await feed.start();
  }

  /** Works the subscription and the guarded levels out again (after a signal arrives or is decided; trading events do this by themselves). */
  resync(): void {
    this.refresh().catch((error: unknown) => this.errorListener(error, 'updating the market-data subscription'));
  }

  /** The latest streamed price of `ticker` while the stream is up and the price recent; null otherwise (ask the broker). */
  freshPrice(ticker: string): Decimal | null {
    const seen = this.latest.get(ticker);
    if (!seen || this.options.feed.state() !== 'connected') return null;
    return this.clock() - seen.receivedAt <= this.freshMs ? seen.price : null;
  }

  state(): StreamState {
    return this.options.feed.state();
  }

  onState(listener: (state: StreamState) => void): () => void {
    return this.options.feed.onState(listener);
  }

  /** The tickers subscribed now. */
  tickers(): ReadonlySet<string> {
    return this.options.feed.tickers();
  }

  /** Resolves once the marks received so far are written and the exits set off so far have been sent (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.flushTimer !== null || this.flushing !== null || this.pendingExits.size > 0 || this.refreshing !== null) {
      if (this.flushTimer !== null) {
        clearTimeout(this.flushTimer);
        this.flushTimer = null;
        this.flushing ??= this.flush();
      }
      await Promise.all([this.flushing, this.refreshing, ...this.pendingExits]);
    }
  }

  /** Stops listening, writes the marks still held, closes the feed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.unsubscribe.splice(0)) stop();
    await this.settled();
    await this.options.feed.close();
  }

  /** One streamed trade: the ticker's latest price now, a mark to write soon, and any guarded level it crosses. */
  private onTrade(trade: StreamedTrade): void {
    const { ticker, price } = trade;
    this.latest.set(ticker, { price, receivedAt: this.clock() });
    const guards = this.guards.get(ticker);
    if (guards === undefined) return;
    this.dirty.set(ticker, price);
    this.scheduleFlush();
    for (const guard of guards) {
      if (this.exiting.has(guard.position.positionId)) continue;
      const long = guard.position.side === 'long';
      const { stop, target } = guard;
      const crossed = (stop !== null && (long ? price.lte(stop) : price.gte(stop))) || (target !== null && (long ? price.gte(target) : price.lte(target)));
      if (crossed) this.exit(guard, price);
    }
  }

  /** Closes a position through the manager's own path, which checks again (legs, exits already working) and sends one exit. */
  private exit(guard: Guard, price: Decimal): void {
    const id = guard.position.positionId;
    this.exiting.add(id);
    this.inFlight.add(id);
    const sent = this.options.manager
      .autoCloseTriggeredPositions([{ ...guard.position, currentPrice: price }])
      .catch((error: unknown) => {
        this.errorListener(error, `closing ${guard.position.ticker} at its level`);
        setTimeout(() => this.exiting.delete(id), RETRY_EXIT_MS).unref();
      })
      .finally(() => {
        this.inFlight.delete(id);
        this.pendingExits.delete(sent);
      });
    this.pendingExits.add(sent);
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null || this.flushing !== null || this.closed) return;
    const wait = Math.max(0, this.lastFlushAt + this.flushMs - this.clock());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushing = this.flush();
    }, wait);
    this.flushTimer.unref();
  }

  /** Writes the marks held since the last write, in one transaction (and one `positions_marked`). */
  private async flush(): Promise<void> {
    try {
      if (this.dirty.size === 0) return;
      const prices = new Map(this.dirty);
      this.dirty.clear();
      this.lastFlushAt = this.clock();
      await this.options.manager.updatePositionPrices(prices);
    } catch (error) {
      this.errorListener(error, 'writing streamed marks');
    } finally {
      this.flushing = null;
      // Trades that came during the write are written at the next turn.
      if (this.dirty.size > 0) this.scheduleFlush();
    }
  }

  /** Runs one refresh at a time; a request during one runs once more after it. */
  private refresh(): Promise<void> {
    if (this.refreshing !== null) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.rebuild();
        } while (this.refreshAgain && !this.closed);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async rebuild(): Promise<void> {
    const { store, ledger, feed } = this.options;
    const [positions, working, pending] = await Promise.all([
      store.positions.list(),
      ledger.workingOrders(),
      store.signals.listByStatus('pending', PENDING_LIMIT),
    ]);
    const workingIds = new Set(working.map((o) => o.orderId));
    const guards = new Map<string, Guard[]>();
    const open = new Map<string, PositionRecord>();
    for (const position of positions) {
      open.set(position.positionId, position);
      const held = (legId: string | null) => legId !== null && workingIds.has(legId);
      const guard: Guard = {
        position,
        stop: held(position.stopLossOrderId) ? null : position.stopLossPrice,
        target: held(position.takeProfitOrderId) ? null : position.takeProfitPrice,
      };
      guards.set(position.ticker, [...(guards.get(position.ticker) ?? []), guard]);
    }
    this.guards = guards;
    // A position stays marked as exiting while its exit call runs or an order of its own (not a leg) works at the broker;
    // otherwise (closed, or nothing was sent because a leg held it) a later crossing trade may act again.
    for (const id of this.exiting) {
      const position = open.get(id);
      const exitWorking =
        position !== undefined &&
        working.some((o) => o.ticker === position.ticker && o.orderId !== position.stopLossOrderId && o.orderId !== position.takeProfitOrderId);
      if (!this.inFlight.has(id) && !exitWorking) this.exiting.delete(id);
    }
    if (this.closed) return;
    const tickers = new Set([...positions.map((p) => p.ticker), ...working.map((o) => o.ticker), ...pending.map((s) => s.ticker)]);
    const current = feed.tickers();
    if (tickers.size !== current.size || [...tickers].some((t) => !current.has(t))) feed.setTickers(tickers);
  }
}

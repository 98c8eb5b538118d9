/**
 * Market-data benchmarks, with 1,000 tickers subscribed and 1,000 open
 * positions without broker legs (every trade is checked against a stop and a
 * target) on a real SQLite file:
 *  - streamed trades processed per second: a burst of trades through the
 *    bot's follower (latest price, mark held for the batch, level check),
 *    the batch of marks written to the database included, next to the floor:
 *    a bare loop putting the same trades in a Map;
 *  - latency from a trade crossing a stop to the exit order being handed to
 *    the broker, every broker call timed and subtracted, next to the floor:
 *    the same comparison and a bare call, nothing of ours around it.
 */
import { dec, type Decimal } from '../src/domain/money.js';
import type { StreamState } from '../src/domain/ports/broker.js';
import type { MarketDataFeed, StreamedTrade, StreamedTradeListener } from '../src/domain/ports/marketData.js';
import { SimBroker } from '../src/broker/sim/SimBroker.js';
import type { Store } from '../src/db/index.js';
import { createTradingEngine } from '../src/execution/engine.js';
import { LIMITS, signalFor, simWith, SIZING, timedBroker } from './engineSetup.js';
import { fmt, median, percentile, withTempStore } from './stats.js';

const TICKERS = 1000;
const BURST = 200_000;
const CROSSINGS = 300;

export interface MarketDataFigures {
  tradesPerSecond: number;
  floorTradesPerSecond: number;
  /** Database writes of marks the burst made. */
  markWrites: number;
  exitP50Micros: number;
  exitP99Micros: number;
  floorP99Micros: number;
}

/** A feed the benchmark drives itself: the trades arrive as the adapter would hand them over, already decoded. */
class DrivenFeed implements MarketDataFeed {
  readonly name = 'bench';
  private subscribed: ReadonlySet<string> = new Set();
  private listener: StreamedTradeListener = () => undefined;
  start(): Promise<void> {
    return Promise.resolve();
  }
  setTickers(tickers: ReadonlySet<string>): void {
    this.subscribed = new Set(tickers);
  }
  tickers(): ReadonlySet<string> {
    return this.subscribed;
  }
  onTrade(listener: StreamedTradeListener): () => void {
    this.listener = listener;
    return () => {
      this.listener = () => undefined;
    };
  }
  state(): StreamState {
    return 'connected';
  }
  onState(): () => void {
    return () => undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  emit(trade: StreamedTrade): void {
    this.listener(trade);
  }
}

async function measure(store: Store): Promise<MarketDataFigures> {
  const tickers = Array.from({ length: TICKERS }, (_, i) => `D${i}`);
  const { sim, clock } = simWith(tickers, new Date('2026-03-02T15:00:00Z'));
  const timed = timedBroker(new SimBroker(sim));
  const feed = new DrivenFeed();
  const engine = createTradingEngine({
    broker: timed.broker,
    store,
    sizing: SIZING,
    risk: LIMITS,
    now: () => clock.now(),
    marketData: feed,
  });
  engine.followTradeUpdates();
  const live = engine.live;
  if (!live) throw new Error('no market-data follower');
  for (const [i, ticker] of tickers.entries()) {
    const result = await engine.executor.executeSignal(signalFor(`md-${i}`, ticker), { useBracketOrder: false });
    if (!result.success) throw new Error(`bench signal refused: ${result.errorMessage}`);
  }
  await engine.ledger.serial(async () => undefined);
  await live.start();
  await live.settled();
  if (live.tickers().size !== TICKERS) throw new Error(`subscribed to ${live.tickers().size} tickers, not ${TICKERS}`);

  // Trades between the stop (98) and the target (105): each one checked, none crossing.
  const prices: Decimal[] = Array.from({ length: 100 }, (_, i) => dec(99).plus(dec(i).div(20)));
  const at = new Date('2026-03-02T15:00:01Z');
  const trades: StreamedTrade[] = Array.from({ length: BURST }, (_, i) => ({
    ticker: tickers[i % TICKERS] ?? 'D0',
    price: prices[i % prices.length] ?? dec(100),
    size: dec(100),
    at,
  }));
  let writes = 0;
  const stop = engine.events.on((e) => {
    if (e.kind === 'positions_marked') writes++;
  });
  const start = process.hrtime.bigint();
  for (const trade of trades) feed.emit(trade);
  await live.settled();
  const burstSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  stop();

  const bare = new Map<string, Decimal>();
  const floorStart = process.hrtime.bigint();
  for (const trade of trades) bare.set(trade.ticker, trade.price);
  const floorSeconds = Number(process.hrtime.bigint() - floorStart) / 1e9;

  // Crossing trades, one at a time: the clock runs from the trade to the exit order handed to the broker.
  let lastSent = '';
  const send = (ticker: string) => {
    lastSent = ticker;
  };
  const latencies: number[] = [];
  const floors: number[] = [];
  const stopLevel = dec(98);
  const crossing = dec('97.5');
  for (let i = 0; i < CROSSINGS; i++) {
    const ticker = tickers[i] ?? 'D0';
    const placed = new Promise<void>((resolve) => timed.onPlace(resolve));
    const brokerBefore = timed.spentMicros();
    const t0 = process.hrtime.bigint();
    feed.emit({ ticker, price: crossing, size: dec(100), at });
    await placed;
    const total = Number(process.hrtime.bigint() - t0) / 1000;
    latencies.push(total - (timed.spentMicros() - brokerBefore));
    await live.settled();
    await engine.ledger.serial(async () => undefined);
    await live.settled();

    const f0 = process.hrtime.bigint();
    if (crossing.lte(stopLevel)) send(ticker);
    floors.push(Number(process.hrtime.bigint() - f0) / 1000);
  }
  await live.close();
  if (lastSent === '') throw new Error('the floor sent nothing');
  const measured = latencies.slice(20).sort((a, b) => a - b);
  const floorSorted = floors.slice(20).sort((a, b) => a - b);
  return {
    tradesPerSecond: BURST / burstSeconds,
    floorTradesPerSecond: BURST / floorSeconds,
    markWrites: writes,
    exitP50Micros: percentile(measured, 50),
    exitP99Micros: percentile(measured, 99),
    floorP99Micros: percentile(floorSorted, 99),
  };
}

export function benchMarketData(): Promise<MarketDataFigures> {
  return withTempStore(measure);
}

export function marketDataTable(runs: readonly MarketDataFigures[]): string {
  const m = (f: (r: MarketDataFigures) => number) => median(runs.map(f));
  const range = (f: (r: MarketDataFigures) => number, digits: number) => `${fmt(Math.min(...runs.map(f)), digits)}–${fmt(Math.max(...runs.map(f)), digits)}`;
  return [
    '| market data, 1,000 tickers subscribed, 1,000 open positions without broker legs | median of runs (lowest–highest run) | floor | target |',
    '| --- | --- | --- | --- |',
    `| streamed trades processed per second (a burst of ${fmt(BURST, 0)}; the marks' database write included) | ${fmt(
      m((r) => r.tradesPerSecond),
      0,
    )}/s (${range((r) => r.tradesPerSecond, 0)}) | ${fmt(
      m((r) => r.floorTradesPerSecond),
      0,
    )}/s (a bare loop putting each trade in a Map) | ≥ 100,000/s |`,
    `| database writes of marks for that burst | ${fmt(
      m((r) => r.markWrites),
      0,
    )} | | at most one a second |`,
    `| crossing trade → exit order sent, p50 (broker excluded) | ${fmt(
      m((r) => r.exitP50Micros),
      0,
    )} µs | | |`,
    `| crossing trade → exit order sent, p99 (broker excluded) | ${fmt(
      m((r) => r.exitP99Micros),
      0,
    )} µs (${range((r) => r.exitP99Micros, 0)}) | ${fmt(
      m((r) => r.floorP99Micros),
      1,
    )} µs (the level comparison alone) | < 5,000 µs |`,
  ].join('\n');
}

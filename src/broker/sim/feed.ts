/**
 * The simulated market-data feed: a seeded random walk per ticker, one step
 * per simulated minute, prices on the exchange's tick grid. The same seed and
 * the same steps replay the same prices.
 */
import { Decimal, dec } from '../../domain/money.js';
import type { LatestTrade } from './api.js';

/** mulberry32: a tiny, fast, well-distributed seeded PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sub-dollar prices trade in 0.0001, others in 0.01 (Alpaca's / Reg NMS tick sizes). */
export function roundToTick(price: Decimal): Decimal {
  const places = price.lt(1) ? 4 : 2;
  const rounded = price.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  return rounded.gt(0) ? rounded : dec('0.0001');
}

/** One ticker's last trade as stored; `seq` is its place in the feed (the walk draws in that order). */
export interface FeedRow extends LatestTrade {
  ticker: string;
  seq: number;
}

export class PriceFeed {
  private readonly last = new Map<string, LatestTrade>();
  /** Each ticker's place in `last` (tickers are only ever added). */
  private readonly seqOf = new Map<string, number>();
  private readonly seed: number;
  private rng: () => number;
  private draws = 0;

  /** About 2% daily volatility spread over 390 one-minute steps. */
  static readonly MINUTE_VOLATILITY = 0.02 / Math.sqrt(390);

  constructor(prices: ReadonlyMap<string, Decimal>, seed: number, at: Date) {
    this.seed = seed;
    this.rng = mulberry32(seed);
    for (const [ticker, price] of prices) this.put(ticker, { price: roundToTick(price), size: dec(100), timestamp: at });
  }

  private put(ticker: string, trade: LatestTrade): void {
    if (!this.seqOf.has(ticker)) this.seqOf.set(ticker, this.seqOf.size);
    this.last.set(ticker, trade);
  }

  has(ticker: string): boolean {
    return this.last.has(ticker);
  }

  tickers(): string[] {
    return [...this.last.keys()];
  }

  latest(ticker: string): LatestTrade | null {
    return this.last.get(ticker) ?? null;
  }

  set(ticker: string, price: Decimal, at: Date): void {
    this.put(ticker, { price: roundToTick(price), size: dec(100), timestamp: at });
  }

  /** One random-walk step for every ticker; returns the new prices. */
  step(at: Date): Map<string, Decimal> {
    const moved = new Map<string, Decimal>();
    for (const [ticker, trade] of this.last) {
      const z = this.gaussian();
      const factor = dec((PriceFeed.MINUTE_VOLATILITY * z).toFixed(8)).plus(1);
      const price = roundToTick(trade.price.times(factor));
      const size = dec(100 * (1 + Math.floor(this.next() * 20)));
      this.last.set(ticker, { price, size, timestamp: at });
      moved.set(ticker, price);
    }
    return moved;
  }

  /** Box–Muller: a standard normal draw from two uniform ones. */
  private gaussian(): number {
    const u = Math.max(this.next(), Number.EPSILON);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private next(): number {
    this.draws += 1;
    return this.rng();
  }

  /** Random draws taken so far. */
  drawCount(): number {
    return this.draws;
  }

  row(ticker: string): FeedRow | null {
    const trade = this.last.get(ticker);
    return trade ? { ticker, seq: this.seqOf.get(ticker) ?? 0, ...trade } : null;
  }

  /** Replaces the last trades and replays `draws` draws, so the walk resumes where it stood. */
  restore(rows: readonly FeedRow[], draws: number): void {
    this.last.clear();
    this.seqOf.clear();
    for (const r of [...rows].sort((a, b) => a.seq - b.seq)) this.put(r.ticker, { price: r.price, size: r.size, timestamp: r.timestamp });
    this.rng = mulberry32(this.seed);
    this.draws = 0;
    while (this.draws < draws) this.next();
  }
}

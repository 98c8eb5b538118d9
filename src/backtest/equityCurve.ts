/**
 * The replay's equity curve, kept as it runs: one point per trading day
 * (intraday bar times collapse to the day's last), the share of bar times
 * with shares held, and the buy-and-hold reference line valued at the same
 * points. Memory grows with the days replayed, never with the bars.
 */
import { Decimal, ZERO } from '../domain/money.js';
import type { TradingSignal } from '../domain/signal.js';
import { tradingDayAt } from './BacktestBroker.js';
import type { BarRow } from './input/barsCsv.js';

export interface CurvePoint {
  timestamp: Date;
  /** The trading day the point closes (YYYY-MM-DD). */
  day: string;
  equity: Decimal;
}

/**
 * The symbols of the buy-and-hold line: those the signals name, or, for a
 * strategy (which may trade any of them), every symbol of the bars.
 */
export function benchmarkSymbols(strategy: boolean, signals: readonly TradingSignal[], barSymbols: Iterable<string>): Set<string> {
  return new Set(strategy ? barSymbols : signals.map((s) => s.ticker));
}

/** A benchmark symbol's first close and its latest close over it. */
interface Held {
  first: number;
  ratio: number;
}

export class EquityCurve {
  private readonly equity: CurvePoint[] = [];
  private readonly reference: CurvePoint[] = [];
  private pending: { at: number; day: string; equity: Decimal; reference: number } | null = null;
  private times = 0;
  private exposed = 0;
  private readonly held = new Map<string, Held>();
  /** Σ latest/first over the benchmark symbols seen so far; summed afresh once a day so rounding cannot build up. */
  private ratios = 0;

  constructor(
    private readonly startingCash: Decimal,
    private readonly benchmark: ReadonlySet<string>,
    /** Daily bars: days named by their UTC date, not the exchange's. */
    private readonly daily: boolean,
  ) {}

  /** A bar replayed: moves the buy-and-hold line when its symbol is one of the benchmark's. */
  see(row: BarRow): void {
    if (!this.benchmark.has(row.symbol)) return;
    const close = row.closeValue();
    const h = this.held.get(row.symbol);
    if (h === undefined) {
      // Bought at its first close: worth its share of the cash, as the unbought shares are.
      this.held.set(row.symbol, { first: close, ratio: 1 });
      this.ratios += 1;
      return;
    }
    const ratio = close / h.first;
    this.ratios += ratio - h.ratio;
    h.ratio = ratio;
  }

  /** The end of a bar time: the account's equity then, and whether any shares were held. */
  record(at: number, equity: Decimal, exposed: boolean): void {
    this.times += 1;
    if (exposed) this.exposed += 1;
    const day = tradingDayAt(at, this.daily);
    if (this.pending !== null && this.pending.day !== day) {
      this.flush(this.pending);
      let sum = 0;
      for (const h of this.held.values()) sum += h.ratio;
      this.ratios = sum;
    }
    const n = this.benchmark.size;
    const reference = n === 0 ? 0 : (this.startingCash.toNumber() / n) * (this.ratios + (n - this.held.size));
    this.pending = { at, day, equity, reference };
  }

  private flush(p: { at: number; day: string; equity: Decimal; reference: number }): void {
    const timestamp = new Date(p.at);
    this.equity.push({ timestamp, day: p.day, equity: p.equity });
    if (this.benchmark.size > 0) this.reference.push({ timestamp, day: p.day, equity: new Decimal(p.reference.toFixed(2)) });
  }

  /** The share of bar times (0 to 1) that ended with shares held. */
  exposure(): Decimal {
    return this.times === 0 ? ZERO : new Decimal(this.exposed).div(this.times);
  }

  /** The day points of the account and of the reference line (empty when there is no benchmark symbol). */
  finish(): { equity: CurvePoint[]; benchmark: CurvePoint[] } {
    if (this.pending !== null) this.flush(this.pending);
    this.pending = null;
    return { equity: this.equity, benchmark: this.reference };
  }
}

/**
 * The simulator's historical bars: a deterministic synthetic history per
 * symbol, or bars fed in (a real price history) which then take its place.
 *
 * The synthetic history is a pure function of the symbol, its anchor price
 * (the feed's price when the history first meets the symbol, normally the
 * configured SIM_PRICES value) and the bar's time: any range, asked for in
 * any pieces or pages, gives the same bars, so a cache filled piecewise holds
 * exactly what one request would have returned. It does not replay the live
 * random walk (that only runs forward from now). Integer hashing and Decimal
 * arithmetic only: no floating point, so the figures are the same everywhere.
 *
 * Shape: the price drifts between hashed levels (±20% of the anchor) set every
 * 30 days, with ±0.5% of hashed noise at every minute; a bar opens at its first
 * minute's price and closes at the price of the minute after its last, so
 * contiguous minute bars chain, and sessions gap as markets do. Bars exist
 * only inside the calendar's sessions and never after the simulated now.
 */
import type { BarTimeframe, HistoricalBar } from '../../domain/bars.js';
import { addDays, exchangeDate, exchangeTime } from '../../domain/marketTime.js';
import { type Decimal, ONE, dec } from '../../domain/money.js';
import type { CalendarDay } from '../../domain/ports/broker.js';
import type { SimEngineApi } from './api.js';
import { roundToTick } from './feed.js';

/** A bar as the simulator serves it: with Alpaca's trade count and volume-weighted price. */
export interface SimBar extends HistoricalBar {
  tradeCount: number;
  vwap: Decimal;
}

export interface SimHistoryOptions {
  /** The price a symbol's synthetic history centres on; null: the simulator does not know the symbol. */
  anchor(symbol: string): Decimal | null;
  /** Trading sessions between two YYYY-MM-DD dates, inclusive. */
  calendar(start: string, end: string): CalendarDay[];
  /** The simulated now: no bar starts after it. */
  now(): Date;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Minutes between two hashed levels. */
const LEVEL_SPAN = 30 * 1440;
/** Sessions are looked up a month at a time. */
const CALENDAR_CHUNK_DAYS = 31;
const TIMEFRAME_CODE: Record<BarTimeframe, number> = { '1Min': 1, '1Hour': 2, '1Day': 3 };

/** A 32-bit integer hash of integer parts (murmur3's finalizer applied per part). */
function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** FNV-1a of a symbol. */
function symbolHash(symbol: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i += 1) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A hashed fraction in [-width, +width] ten-thousandths. */
function hashedBps(width: number, ...parts: number[]): Decimal {
  return dec((mix(...parts) % (2 * width + 1)) - width).div(10_000);
}

class SyntheticSeries {
  private readonly key: number;
  constructor(
    symbol: string,
    private readonly anchor: Decimal,
  ) {
    this.key = symbolHash(symbol);
  }

  private level(minute: number): Decimal {
    const k = Math.floor(minute / LEVEL_SPAN);
    const from = hashedBps(2000, this.key, 1, k);
    const to = hashedBps(2000, this.key, 1, k + 1);
    const along = dec(minute - k * LEVEL_SPAN).div(LEVEL_SPAN);
    return this.anchor.times(ONE.plus(from).plus(to.minus(from).times(along)));
  }

  /** The traded price at the start of an epoch minute. */
  price(minute: number): Decimal {
    return roundToTick(this.level(minute).times(ONE.plus(hashedBps(50, this.key, 2, minute))));
  }

  /** The bar over the minutes [first, end), stamped `at`. */
  bar(symbol: string, timeframe: BarTimeframe, at: Date, first: number, end: number): SimBar {
    const code = TIMEFRAME_CODE[timeframe];
    const open = this.price(first);
    const close = this.price(end);
    const top = open.gt(close) ? open : close;
    const bottom = open.lt(close) ? open : close;
    const high = roundToTick(top.times(ONE.plus(dec(mix(this.key, 3, code, first) % 51).div(10_000))));
    const low = roundToTick(bottom.times(ONE.minus(dec(mix(this.key, 4, code, first) % 51).div(10_000))));
    const minutes = end - first;
    const volume = dec((1 + (mix(this.key, 5, code, first) % 1000)) * 100 * minutes);
    const tradeCount = 1 + (mix(this.key, 6, code, first) % (10 * minutes));
    const vwap = roundToTick(high.plus(low).plus(close).div(3));
    return { symbol, timestamp: at, open, high, low, close, volume, tradeCount, vwap };
  }
}

export class SimHistory {
  private readonly anchors = new Map<string, Decimal>();
  /** Bars fed in, per `symbol|timeframe`, oldest first. */
  private readonly fed = new Map<string, SimBar[]>();

  constructor(private readonly options: SimHistoryOptions) {}

  /** Fixes the anchors of these symbols now (so later price moves leave their history as it is). */
  anchorAll(symbols: Iterable<string>): void {
    for (const symbol of symbols) this.anchorOf(symbol);
  }

  /** Serves these bars (of one timeframe) instead of the synthetic history of their symbols. */
  feed(timeframe: BarTimeframe, bars: Iterable<HistoricalBar>): void {
    const added = new Set<string>();
    for (const bar of bars) {
      const key = `${bar.symbol}|${timeframe}`;
      const list = this.fed.get(key) ?? [];
      list.push({ ...bar, tradeCount: 1, vwap: roundToTick(bar.high.plus(bar.low).plus(bar.close).div(3)) });
      this.fed.set(key, list);
      added.add(key);
    }
    for (const key of added) this.fed.get(key)?.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  }

  /** The bars of one symbol with timestamps in [from, to] (and not after the simulated now), oldest first. */
  *bars(symbol: string, timeframe: BarTimeframe, from: Date, to: Date): Generator<SimBar> {
    const now = this.options.now();
    const last = to < now ? to : now;
    if (last < from) return;
    const fed = this.fed.get(`${symbol}|${timeframe}`);
    if (fed) {
      for (const bar of fed) if (bar.timestamp >= from && bar.timestamp <= last) yield bar;
      return;
    }
    const anchor = this.anchorOf(symbol);
    if (anchor === null) return;
    const series = new SyntheticSeries(symbol, anchor);
    const minuteOf = (at: Date) => Math.floor(at.getTime() / MINUTE_MS);
    // A daily bar is stamped at its day's midnight, before its session opens: start a day early.
    const lastDay = exchangeDate(last);
    for (let day = addDays(exchangeDate(from), -1); day <= lastDay; day = addDays(day, CALENDAR_CHUNK_DAYS)) {
      const chunkEnd = addDays(day, CALENDAR_CHUNK_DAYS - 1);
      for (const session of this.options.calendar(day, chunkEnd < lastDay ? chunkEnd : lastDay)) {
        for (const [at, first, end] of slots(session, timeframe, minuteOf)) {
          if (at < from) continue;
          if (at > last) return;
          yield series.bar(symbol, timeframe, at, first, end);
        }
      }
    }
  }

  private anchorOf(symbol: string): Decimal | null {
    const known = this.anchors.get(symbol);
    if (known) return known;
    const anchor = this.options.anchor(symbol);
    if (anchor) this.anchors.set(symbol, anchor);
    return anchor;
  }
}

/** The bars of one session: each one's timestamp and its minutes [first, end). */
function* slots(session: CalendarDay, timeframe: BarTimeframe, minuteOf: (at: Date) => number): Generator<[Date, number, number]> {
  const open = minuteOf(session.open);
  const close = minuteOf(session.close);
  if (timeframe === '1Day') {
    yield [exchangeTime(session.date, 0, 0), open, close];
    return;
  }
  if (timeframe === '1Min') {
    for (let m = open; m < close; m += 1) yield [new Date(m * MINUTE_MS), m, m + 1];
    return;
  }
  // Hourly bars sit on the clock hour; the first and last cover only the part inside the session.
  for (let h = Math.floor(session.open.getTime() / HOUR_MS) * HOUR_MS; h < session.close.getTime(); h += HOUR_MS) {
    const first = Math.max(minuteOf(new Date(h)), open);
    const end = Math.min(minuteOf(new Date(h + HOUR_MS)), close);
    yield [new Date(h), first, end];
  }
}

/** The history of an engine's symbols, each anchored at its price when first asked for. */
export function historyOf(engine: Pick<SimEngineApi, 'latestTrade' | 'calendar' | 'clock'>): SimHistory {
  return new SimHistory({
    anchor: (symbol) => engine.latestTrade(symbol)?.price ?? null,
    calendar: (start, end) => engine.calendar(start, end),
    now: () => engine.clock().timestamp,
  });
}

/**
 * Historical bars through the cache: the parts of a range never fetched are
 * asked of the broker and saved, so a repeated request reads locally without
 * connecting to the broker at all.
 */
import type { BarTimeframe, HistoricalBar } from '../../domain/bars.js';
import type { BrokerInterface } from '../../domain/ports/broker.js';
import type { BarStore, TimeRange } from '../../domain/ports/store.js';

/** What is wanted: every bar of these symbols and timeframe whose time lies in `range`. */
export interface BarsWanted {
  symbols: readonly string[];
  timeframe: BarTimeframe;
  range: TimeRange;
}

const BAR_MS: Record<BarTimeframe, number> = { '1Min': 60_000, '1Hour': 3_600_000, '1Day': 86_400_000 };
/** How recent a bar may be before it is asked for: 16 minutes, just past Alpaca's 15-minute delay. */
const RECENT_DATA_MS = 16 * 60_000;
/** Bars saved per write while a long history streams in. */
const SAVE_BATCH = 10_000;

/**
 * Fills the cache for `args` from the broker, asking only for the ranges not
 * fetched before (symbols missing the same range share one request). The
 * broker is connected only when something is missing. A range reaching into
 * the last bar's period is saved but not marked fetched: that bar may still
 * change. Nothing from the last 16 minutes is asked for. Returns the bars
 * fetched.
 */
export async function fillCache(args: BarsWanted, cache: BarStore, connect: () => Promise<BrokerInterface>, now: Date): Promise<number> {
  const gaps = new Map<string, { range: TimeRange; symbols: string[] }>();
  for (const symbol of args.symbols) {
    for (const range of await cache.missing(symbol, args.timeframe, args.range)) {
      const key = `${range.start.toISOString()}|${range.end.toISOString()}`;
      const gap = gaps.get(key) ?? { range, symbols: [] };
      gap.symbols.push(symbol);
      gaps.set(key, gap);
    }
  }
  if (gaps.size === 0) return 0;
  const broker = await connect();
  if (!broker.getBars) throw new Error(`the ${broker.name} broker offers no historical bars`);
  // Alpaca serves the consolidated (SIP) tape of the last 15 minutes only to paid plans: never ask for it.
  const askable = now.getTime() - RECENT_DATA_MS;
  const settledBefore = Math.min(now.getTime() - BAR_MS[args.timeframe], askable);
  let fetched = 0;
  for (const { range, symbols } of gaps.values()) {
    if (askable < range.start.getTime()) continue;
    const end = new Date(Math.min(range.end.getTime(), askable));
    let batch: HistoricalBar[] = [];
    for await (const bar of broker.getBars({ symbols, timeframe: args.timeframe, start: range.start, end })) {
      batch.push(bar);
      fetched += 1;
      if (batch.length === SAVE_BATCH) {
        await cache.save(batch, args.timeframe, [], range);
        batch = [];
      }
    }
    const settledEnd = Math.min(range.end.getTime(), settledBefore);
    const covered = settledEnd >= range.start.getTime() ? { start: range.start, end: new Date(settledEnd) } : null;
    await cache.save(batch, args.timeframe, covered ? symbols : [], covered ?? range);
  }
  return fetched;
}

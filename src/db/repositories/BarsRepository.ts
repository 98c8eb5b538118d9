import type { Kysely } from 'kysely';
import type { BarTimeframe, HistoricalBar } from '../../domain/bars.js';
import type { BarStore, TimeRange } from '../../domain/ports/store.js';
import { money, readTime, writeTime } from '../codec.js';
import type { BarsTable, Database } from '../schema.js';

/** Rows per INSERT: 8 parameters each, well under SQLite's limit of bound parameters. */
const INSERT_CHUNK = 500;

function toRow(bar: HistoricalBar, timeframe: BarTimeframe): BarsTable {
  return {
    symbol: bar.symbol,
    timeframe,
    timestamp: writeTime(bar.timestamp),
    open: money.write(bar.open),
    high: money.write(bar.high),
    low: money.write(bar.low),
    close: money.write(bar.close),
    volume: money.write(bar.volume),
  };
}

function fromRow(row: BarsTable): HistoricalBar {
  return {
    symbol: row.symbol,
    timestamp: readTime(row.timestamp),
    open: money.read(row.open),
    high: money.read(row.high),
    low: money.read(row.low),
    close: money.read(row.close),
    volume: money.read(row.volume),
  };
}

/**
 * The bars cache. Times are stored as fixed-width ISO-8601 UTC text, so text
 * order is time order and range queries use the primary key. Coverage ranges
 * are kept merged: touching or overlapping ones become one row.
 */
export class BarsRepository implements BarStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(symbol: string, timeframe: BarTimeframe, range: TimeRange): Promise<HistoricalBar[]> {
    const rows = await this.db
      .selectFrom('bars')
      .selectAll()
      .where('symbol', '=', symbol)
      .where('timeframe', '=', timeframe)
      .where('timestamp', '>=', writeTime(range.start))
      .where('timestamp', '<=', writeTime(range.end))
      .orderBy('timestamp')
      .execute();
    return rows.map(fromRow);
  }

  async missing(symbol: string, timeframe: BarTimeframe, range: TimeRange): Promise<TimeRange[]> {
    const covered = await this.coverage(symbol, timeframe, range);
    const gaps: TimeRange[] = [];
    let cursor = range.start.getTime();
    const end = range.end.getTime();
    for (const c of covered) {
      if (c.start.getTime() > cursor) gaps.push({ start: new Date(cursor), end: new Date(Math.min(c.start.getTime() - 1, end)) });
      cursor = Math.max(cursor, c.end.getTime() + 1);
      if (cursor > end) break;
    }
    if (cursor <= end) gaps.push({ start: new Date(cursor), end: range.end });
    return gaps;
  }

  async save(bars: readonly HistoricalBar[], timeframe: BarTimeframe, symbols: readonly string[], covered: TimeRange): Promise<void> {
    for (let i = 0; i < bars.length; i += INSERT_CHUNK) {
      const rows = bars.slice(i, i + INSERT_CHUNK).map((b) => toRow(b, timeframe));
      await this.db
        .insertInto('bars')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['symbol', 'timeframe', 'timestamp']).doUpdateSet((eb) => ({
            open: eb.ref('excluded.open'),
            high: eb.ref('excluded.high'),
            low: eb.ref('excluded.low'),
            close: eb.ref('excluded.close'),
            volume: eb.ref('excluded.volume'),
          })),
        )
        .execute();
    }
    for (const symbol of new Set(symbols)) await this.cover(symbol, timeframe, covered);
  }

  /** Coverage rows overlapping or touching `range` (1 ms either side), oldest first. */
  private async coverage(symbol: string, timeframe: BarTimeframe, range: TimeRange): Promise<TimeRange[]> {
    const rows = await this.db
      .selectFrom('bar_coverage')
      .select(['start', 'end'])
      .where('symbol', '=', symbol)
      .where('timeframe', '=', timeframe)
      .where('start', '<=', writeTime(new Date(range.end.getTime() + 1)))
      .where('end', '>=', writeTime(new Date(range.start.getTime() - 1)))
      .orderBy('start')
      .execute();
    return rows.map((r) => ({ start: readTime(r.start), end: readTime(r.end) }));
  }

  /** Notes `range` as fetched, merged with the ranges it overlaps or touches. */
  private async cover(symbol: string, timeframe: BarTimeframe, range: TimeRange): Promise<void> {
    const neighbours = await this.coverage(symbol, timeframe, range);
    let start = range.start.getTime();
    let end = range.end.getTime();
    for (const n of neighbours) {
      start = Math.min(start, n.start.getTime());
      end = Math.max(end, n.end.getTime());
    }
    if (neighbours.length > 0) {
      await this.db
        .deleteFrom('bar_coverage')
        .where('symbol', '=', symbol)
        .where('timeframe', '=', timeframe)
        .where(
          'start',
          'in',
          neighbours.map((n) => writeTime(n.start)),
        )
        .execute();
    }
    await this.db
      .insertInto('bar_coverage')
      .values({ symbol, timeframe, start: writeTime(new Date(start)), end: writeTime(new Date(end)) })
      .execute();
  }
}

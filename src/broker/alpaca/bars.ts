/**
 * Historical bars through the SDK's generated market-data client
 * (GET /v2/stocks/bars), following `next_page_token` with the SDK's own
 * pagination helper; pages are fetched as the caller reads.
 *
 * Prices: the SDK parses market-data JSON with lossless-json but hands back
 * every non-integer as a JS number, so the exact text of a price is gone by
 * the time we see it. `String(x)` gives the shortest decimal that reads back
 * as the same number, which is the text Alpaca sent for any price of up to
 * 15 significant digits (every real one): that string becomes the Decimal.
 */
import { type marketData, pagination } from '@alpacahq/alpaca-trade-api';
import type { BarRequest, HistoricalBar } from '../../domain/bars.js';
import { dec } from '../../domain/money.js';

type StockApi = InstanceType<typeof marketData.StockApi>;

/** Alpaca's ceiling per page: the fewest requests for a long history. */
export const BARS_PAGE_LIMIT = 10_000;

/** The SDK types `t` as a Date but passes the symbol map through unread: it arrives as the RFC 3339 string. */
function instant(value: unknown): Date {
  const at = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(at.getTime())) throw new Error(`a bar with an unreadable time: ${String(value)}`);
  return at;
}

function price(value: unknown, field: string, symbol: string): ReturnType<typeof dec> {
  if (typeof value !== 'number' && typeof value !== 'string') throw new Error(`a ${symbol} bar without ${field}`);
  return dec(String(value));
}

export interface BarsFetchOptions {
  /** Bars per request (1–10000). */
  pageLimit?: number;
  /** Wraps each page request (the adapter maps SDK errors to the product's). */
  call?: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
}

export async function* fetchBars(stocks: StockApi, request: BarRequest, options: BarsFetchOptions = {}): AsyncGenerator<HistoricalBar> {
  if (request.symbols.length === 0) return;
  const call = options.call ?? (<T>(_what: string, fn: () => Promise<T>) => fn());
  const symbols = [...new Set(request.symbols.map((s) => s.toUpperCase()))].sort().join(',');
  const pages = pagination.paginateSymbolMap(async (pageToken) => {
    const resp = await call(`reading ${request.timeframe} bars of ${symbols}`, () =>
      stocks.stockBars({
        symbols,
        timeframe: request.timeframe,
        start: request.start,
        end: request.end,
        limit: options.pageLimit ?? BARS_PAGE_LIMIT,
        // Raw prices, as they traded: what stored signals quoted at the time.
        adjustment: 'raw',
        sort: 'asc',
        ...(pageToken ? { pageToken } : {}),
      }),
    );
    return { data: resp.bars ?? {}, nextPageToken: resp.nextPageToken };
  });
  for await (const { symbol, value } of pages) {
    const bar = value as unknown as Record<string, unknown>;
    yield {
      symbol,
      timestamp: instant(bar.t),
      open: price(bar.o, 'o', symbol),
      high: price(bar.h, 'h', symbol),
      low: price(bar.l, 'l', symbol),
      close: price(bar.c, 'c', symbol),
      volume: price(bar.v, 'v', symbol),
    };
  }
}

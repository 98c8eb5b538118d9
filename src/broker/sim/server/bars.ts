/**
 * Alpaca's historical bars endpoints over the simulator's history:
 * GET /v2/stocks/bars?symbols=…&timeframe=…&start&end&limit&page_token (many
 * symbols) and GET /v2/stocks/{symbol}/bars (one). The wire format and paging
 * are Alpaca's: bars ordered by symbol, then time; `limit` (1–10000, default
 * 1000) counts bars across all symbols of a page; `next_page_token` is opaque
 * and null on the last page. Prices are JSON numbers, as Alpaca sends them.
 */
import { BAR_TIMEFRAMES, type BarTimeframe } from '../../../domain/bars.js';
import { toStorage } from '../../../domain/money.js';
import { AlpacaCode, SimRejection } from '../api.js';
import type { SimBar, SimHistory } from '../history.js';
import type { Reply, Route } from './routes.js';
import { symbolsOf } from './routes.js';
import type { Json } from './wire.js';

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;

function badRequest(message: string): never {
  throw new SimRejection(400, AlpacaCode.BadRequest, message);
}

export function barJson(bar: SimBar): Json {
  const num = (d: SimBar['open']) => Number(toStorage(d));
  return {
    t: bar.timestamp.toISOString(),
    o: num(bar.open),
    h: num(bar.high),
    l: num(bar.low),
    c: num(bar.close),
    v: num(bar.volume),
    n: bar.tradeCount,
    vw: num(bar.vwap),
  };
}

/** Where the next page starts: a symbol and the first bar time still to send. */
interface Cursor {
  symbol: string;
  at: Date;
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify({ s: c.symbol, t: c.at.toISOString() })).toString('base64url');

function decodeCursor(token: string): Cursor {
  try {
    const raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; t?: unknown };
    const at = new Date(String(raw.t));
    if (typeof raw.s === 'string' && raw.s !== '' && !Number.isNaN(at.getTime())) return { symbol: raw.s, at };
  } catch {
    // Falls through to the refusal.
  }
  return badRequest('invalid page token');
}

interface BarQuery {
  timeframe: BarTimeframe;
  start: Date;
  end: Date;
  limit: number;
  cursor: Cursor | null;
}

function timeParam(query: URLSearchParams, name: string, fallback: Date): Date {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const at = new Date(raw);
  return Number.isNaN(at.getTime()) ? badRequest(`invalid ${name}: ${raw}`) : at;
}

function barQuery(query: URLSearchParams, now: Date): BarQuery {
  const timeframe = query.get('timeframe') ?? badRequest("query parameter 'timeframe' is required");
  if (!(BAR_TIMEFRAMES as readonly string[]).includes(timeframe)) badRequest(`invalid timeframe: the simulator serves ${BAR_TIMEFRAMES.join(', ')}`);
  const limitText = query.get('limit') ?? String(DEFAULT_LIMIT);
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) badRequest(`invalid limit: must be from 1 to ${MAX_LIMIT}`);
  const sort = query.get('sort') ?? 'asc';
  if (sort !== 'asc') badRequest('invalid sort: the simulator serves asc only');
  // Alpaca's defaults: from the start of the current day to now.
  const start = timeParam(query, 'start', new Date(Math.floor(now.getTime() / 86_400_000) * 86_400_000));
  const end = timeParam(query, 'end', now);
  if (end < start) badRequest('end should not be before start');
  const token = query.get('page_token');
  return { timeframe: timeframe as BarTimeframe, start, end, limit, cursor: token ? decodeCursor(token) : null };
}

/** One page: up to `limit` bars across the symbols (sorted), and the cursor of the next bar when there is one. */
function page(history: SimHistory, symbols: readonly string[], q: BarQuery): { bars: Record<string, Json[]>; next: Cursor | null } {
  const bars: Record<string, Json[]> = {};
  let count = 0;
  for (const symbol of [...new Set(symbols)].sort()) {
    if (q.cursor && symbol < q.cursor.symbol) continue;
    const from = q.cursor && symbol === q.cursor.symbol && q.cursor.at > q.start ? q.cursor.at : q.start;
    for (const bar of history.bars(symbol, q.timeframe, from, q.end)) {
      if (count === q.limit) return { bars, next: { symbol, at: bar.timestamp } };
      (bars[symbol] ??= []).push(barJson(bar));
      count += 1;
    }
  }
  return { bars, next: null };
}

export function barRoutes(history: SimHistory, now: () => Date): Route[] {
  const ok = (body: unknown): Reply => ({ status: 200, body });
  return [
    {
      method: 'GET',
      pattern: /^\/v2\/stocks\/bars$/,
      handle: ({ query }) => {
        const symbols = symbolsOf(query);
        if (symbols.length === 0) badRequest("query parameter 'symbols' is required");
        const { bars, next } = page(history, symbols, barQuery(query, now()));
        return ok({ bars, next_page_token: next ? encodeCursor(next) : null, currency: 'USD' });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/stocks\/([^/]+)\/bars$/,
      handle: ({ params, query }) => {
        const symbol = (params[0] ?? '').toUpperCase();
        const { bars, next } = page(history, [symbol], barQuery(query, now()));
        return ok({ symbol, bars: bars[symbol] ?? [], next_page_token: next ? encodeCursor(next) : null, currency: 'USD' });
      },
    },
  ];
}

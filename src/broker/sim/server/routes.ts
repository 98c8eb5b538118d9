/**
 * The REST routes: Alpaca's trading API (/v2/account, orders, positions,
 * clock, calendar, assets) and the market-data endpoints the adapter uses
 * (/v2/stocks/...), each a pure function of the engine, the path parameters,
 * the query and the parsed body. Refusals are thrown as SimRejection and
 * become Alpaca's `{code, message}` in the server.
 */
import { addDays, exchangeDate } from '../../../domain/marketTime.js';
import { type Decimal, dec } from '../../../domain/money.js';
import type { Order } from '../../../domain/order.js';
import type { OrderFilter } from '../../../domain/ports/broker.js';
import { AlpacaCode, type LatestTrade, type SimEngineApi, SimRejection } from '../api.js';
import {
  accountJson,
  assetJson,
  assetSymbol,
  barJson,
  calendarJson,
  clockJson,
  type Json,
  orderJson,
  orderRequestSchema,
  parseBody,
  positionJson,
  quoteJson,
  replaceRequestSchema,
  snapshotJson,
  toOrderRequest,
  toReplaceRequest,
  tradeJson,
} from './wire.js';

export interface Reply {
  status: number;
  /** JSON body; none for 204. */
  body?: unknown;
}

export interface RouteInput {
  /** Decoded path parameters, in pattern order. */
  params: readonly string[];
  query: URLSearchParams;
  /** The parsed JSON body (undefined when there was none). */
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  handle(input: RouteInput): Reply;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

function reject(status: number, code: number, message: string): never {
  throw new SimRejection(status, code, message);
}
const unprocessable = (message: string): never => reject(422, AlpacaCode.Unprocessable, message);
const notFound = (message: string): never => reject(404, AlpacaCode.NotFound, message);

// ---- query parsing ------------------------------------------------------------------

function param(params: readonly string[], index = 0): string {
  return params[index] ?? '';
}

/** `symbols=AAPL,msft` → ['AAPL', 'MSFT']. */
export function symbolsOf(query: URLSearchParams): string[] {
  return (query.get('symbols') ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
}

function requiredSymbols(query: URLSearchParams): string[] {
  const symbols = symbolsOf(query);
  return symbols.length > 0 ? symbols : reject(400, AlpacaCode.BadRequest, "query parameter 'symbols' is required");
}

function decimalParam(query: URLSearchParams, name: string): Decimal | null {
  const raw = query.get(name);
  if (raw === null || raw === '') return null;
  try {
    return dec(raw);
  } catch {
    return unprocessable(`invalid ${name}`);
  }
}

function dateParam(query: URLSearchParams, name: string): Date | null {
  const raw = query.get(name);
  if (raw === null || raw === '') return null;
  const at = new Date(raw);
  return Number.isNaN(at.getTime()) ? unprocessable(`invalid ${name}`) : at;
}

function booleanParam(query: URLSearchParams, name: string): boolean {
  return (query.get(name) ?? '').toLowerCase() === 'true';
}

type StatusFilter = NonNullable<OrderFilter['status']>;

interface OrderQuery {
  filter: OrderFilter & { status: StatusFilter; limit: number; direction: 'asc' | 'desc' };
  nested: boolean;
  side: 'buy' | 'sell' | null;
}

/** GET /v2/orders' query: status, limit, after, until, direction, nested, symbols, side. */
export function orderQuery(query: URLSearchParams): OrderQuery {
  const status = query.get('status') ?? 'open';
  if (status !== 'open' && status !== 'closed' && status !== 'all') unprocessable('invalid status');
  const limitText = query.get('limit') ?? '50';
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 500) unprocessable('invalid limit: must be from 1 to 500');
  const direction = query.get('direction') ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') unprocessable('invalid direction');
  const side = query.get('side');
  if (side !== null && side !== 'buy' && side !== 'sell') unprocessable('invalid side');
  const after = dateParam(query, 'after');
  const until = dateParam(query, 'until');
  const symbols = symbolsOf(query);
  return {
    filter: {
      status: status as StatusFilter,
      limit,
      direction: direction as 'asc' | 'desc',
      ...(after ? { after } : {}),
      ...(until ? { until } : {}),
      ...(symbols.length > 0 ? { tickers: symbols } : {}),
    },
    nested: booleanParam(query, 'nested'),
    side: side as OrderQuery['side'],
  };
}

function matchesStatus(o: Order, status: StatusFilter): boolean {
  return status === 'all' || (status === 'open' ? o.isOpen() : o.isTerminal());
}

/**
 * Alpaca lists a bracket's legs as orders of their own unless `nested=true`
 * rolls them up under the entry's `legs`.
 */
export function listOrders(engine: SimEngineApi, q: OrderQuery): Json[] {
  const { filter, nested, side } = q;
  const links = { links: (id: string) => engine.replacementOf(id) };
  if (nested && !side) return engine.listOrders(filter).map((o) => orderJson(o, links));
  // Filter per order (legs included) over the widest page, then cut to the limit.
  const wide = engine.listOrders({ ...filter, status: nested ? filter.status : 'all', limit: 500 });
  const orders = nested ? wide : wide.flatMap((o) => [o.with({ legs: [] }), ...o.legs]);
  const sign = filter.direction === 'asc' ? 1 : -1;
  return (
    orders
      .filter((o) => matchesStatus(o, filter.status) && (!side || o.side === side))
      .map((o, i) => ({ o, i }))
      // Stable: legs keep their place after their entry.
      .sort((a, b) => sign * (a.o.submittedAt.getTime() - b.o.submittedAt.getTime()) || a.i - b.i)
      .slice(0, filter.limit)
      .map(({ o }) => orderJson(o, links))
  );
}

/** YYYY-MM-DD, or an RFC 3339 time whose date counts. */
function dayParam(query: URLSearchParams, name: string, fallback: string): string {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const day = raw.slice(0, 10);
  // Round-tripping through Date rejects impossible days such as 2026-02-30.
  const parsed = new Date(`${day}T00:00:00Z`);
  const real = /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(day);
  return real ? day : reject(400, AlpacaCode.BadRequest, `invalid ${name}: ${raw}`);
}

// ---- market data --------------------------------------------------------------------

function latestBySymbol(engine: SimEngineApi, symbols: readonly string[], shape: (t: LatestTrade) => Json): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const symbol of symbols) {
    const trade = engine.latestTrade(symbol);
    // Unknown symbols are simply absent, as at Alpaca.
    if (trade) out[symbol] = shape(trade);
  }
  return out;
}

function latestOne(engine: SimEngineApi, symbol: string): LatestTrade {
  return engine.latestTrade(symbol) ?? notFound(`no data for ${symbol}`);
}

// ---- the table ----------------------------------------------------------------------

export function createRoutes(engine: SimEngineApi): Route[] {
  const order = (id: string): Order => engine.getOrder(id) ?? notFound('order not found');
  // Every order answered carries its replacement history, as Alpaca's do.
  const links = (id: string) => engine.replacementOf(id);
  const route = (method: Route['method'], pattern: RegExp, handle: Route['handle']): Route => ({ method, pattern, handle });

  return [
    route('GET', /^\/v2\/account$/, () => ok(accountJson(engine.account(), engine.clock().timestamp))),

    // Orders.
    route('GET', /^\/v2\/orders$/, ({ query }) => ok(listOrders(engine, orderQuery(query)))),
    route('POST', /^\/v2\/orders$/, ({ body }) => ok(orderJson(engine.submit(toOrderRequest(parseBody(orderRequestSchema, body))), { links }))),
    route('DELETE', /^\/v2\/orders$/, () => ({
      status: 207,
      body: engine.cancelAllOrders().map((o) => ({ id: o.id, status: 200, body: orderJson(o, { links }) })),
    })),
    route('GET', /^\/v2\/orders:by_client_order_id$/, ({ query }) => {
      const clientOrderId = query.get('client_order_id') || unprocessable('client_order_id is required');
      return ok(orderJson(engine.getOrderByClientId(clientOrderId) ?? notFound('order not found'), { links }));
    }),
    route('GET', /^\/v2\/orders\/([^/]+)$/, ({ params }) => ok(orderJson(order(param(params)), { links }))),
    route('PATCH', /^\/v2\/orders\/([^/]+)$/, ({ params, body }) => {
      const id = param(params);
      const replacement = engine.replaceOrder(id, toReplaceRequest(parseBody(replaceRequestSchema, body)));
      return ok(orderJson(replacement, { links }));
    }),
    route('DELETE', /^\/v2\/orders\/([^/]+)$/, ({ params }) => {
      engine.cancelOrder(param(params));
      return { status: 204 };
    }),

    // Positions.
    route('GET', /^\/v2\/positions$/, () => ok(engine.positions().map(positionJson))),
    route('DELETE', /^\/v2\/positions$/, ({ query }) => {
      if (booleanParam(query, 'cancel_orders')) engine.cancelAllOrders();
      return { status: 207, body: engine.closeAllPositions().map((o) => ({ symbol: o.ticker, status: 200, body: orderJson(o, { links }) })) };
    }),
    route('GET', /^\/v2\/positions\/([^/]+)$/, ({ params }) => {
      const symbol = assetSymbol(param(params));
      return ok(positionJson(engine.position(symbol) ?? notFound('position does not exist')));
    }),
    route('DELETE', /^\/v2\/positions\/([^/]+)$/, ({ params, query }) => {
      const qty = decimalParam(query, 'qty');
      const percentage = decimalParam(query, 'percentage');
      if (qty && percentage) unprocessable('only one of qty or percentage may be specified');
      if (percentage && (percentage.lte(0) || percentage.gt(100))) unprocessable('percentage must be > 0 and <= 100');
      const opts = qty ? { qty } : percentage ? { percentage } : {};
      return ok(orderJson(engine.closePosition(assetSymbol(param(params)), opts), { links }));
    }),

    // Clock, calendar, assets.
    route('GET', /^\/v2\/clock$/, () => ok(clockJson(engine.clock()))),
    route('GET', /^\/v2\/calendar$/, ({ query }) => {
      const today = exchangeDate(engine.clock().timestamp);
      const start = dayParam(query, 'start', today);
      const end = dayParam(query, 'end', addDays(start, 30));
      if (end < start) return ok([]);
      // A few days past the end: each day's settlement is the next session.
      const sessions = engine.calendar(start, addDays(end, 10));
      return ok(sessions.filter((d) => d.date <= end).map((d, i) => calendarJson(d, sessions[i + 1]?.date)));
    }),
    route('GET', /^\/v2\/assets\/([^/]+)$/, ({ params }) => {
      const symbol = assetSymbol(param(params));
      return ok(assetJson(engine.asset(symbol) ?? notFound(`asset not found for ${symbol}`)));
    }),

    // Market data: many symbols in one request, or one.
    route('GET', /^\/v2\/stocks\/trades\/latest$/, ({ query }) => ok({ trades: latestBySymbol(engine, requiredSymbols(query), tradeJson) })),
    route('GET', /^\/v2\/stocks\/quotes\/latest$/, ({ query }) => ok({ quotes: latestBySymbol(engine, requiredSymbols(query), quoteJson) })),
    route('GET', /^\/v2\/stocks\/bars\/latest$/, ({ query }) => ok({ bars: latestBySymbol(engine, requiredSymbols(query), barJson) })),
    route('GET', /^\/v2\/stocks\/snapshots$/, ({ query }) => ok(latestBySymbol(engine, requiredSymbols(query), snapshotJson))),
    route('GET', /^\/v2\/stocks\/([^/]+)\/trades\/latest$/, ({ params }) => {
      const symbol = param(params).toUpperCase();
      return ok({ symbol, trade: tradeJson(latestOne(engine, symbol)) });
    }),
    route('GET', /^\/v2\/stocks\/([^/]+)\/quotes\/latest$/, ({ params }) => {
      const symbol = param(params).toUpperCase();
      return ok({ symbol, quote: quoteJson(latestOne(engine, symbol)) });
    }),
    route('GET', /^\/v2\/stocks\/([^/]+)\/snapshot$/, ({ params }) => {
      const symbol = param(params).toUpperCase();
      return ok({ symbol, ...snapshotJson(latestOne(engine, symbol)) });
    }),
  ];
}

export type RouteMatch = { route: Route; params: string[] } | { route: null; allowed: string[] };

/** The route for a method and path; when only the method is wrong, the methods that path allows. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    allowed.push(route.method);
  }
  return { route: null, allowed };
}

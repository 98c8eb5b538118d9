/**
 * The closed trades and the order book as the operator reads them: a
 * trade query in the operator's terms (exchange days, a page cursor) turned
 * into the store's, and refused with a reason when it cannot mean anything.
 */
import { addDays, exchangeTime } from '../domain/marketTime.js';
import type { Decimal } from '../domain/money.js';
import type { ClosedTradeFilter, ClosedTradeKey, ClosedTradePageQuery, OrderBookQuery, Repositories } from '../domain/ports/store.js';
import type { ClosedPositionRecord, ExecutedOrderRecord, ExitReason } from '../domain/records.js';
import { OperatorError } from './errors.js';

/** Rows per page when none is asked for, and the most a page may hold. */
export const TRADE_PAGE_DEFAULT = 50;
export const TRADE_PAGE_MAX = 200;

/** Which closed trades, in the operator's terms. */
export interface TradeFilter {
  /** First exchange day (New York), YYYY-MM-DD, included. */
  from?: string;
  /** Last exchange day, included. */
  to?: string;
  ticker?: string;
  strategy?: string;
  exitReason?: ExitReason;
}

export interface TradeQuery extends TradeFilter {
  /** Where the previous page ended (its `nextCursor`); absent for the first page. */
  cursor?: string;
  /** 1 to TRADE_PAGE_MAX; default TRADE_PAGE_DEFAULT. */
  limit?: number;
}

export interface TradePage {
  /** Newest first. */
  rows: ClosedPositionRecord[];
  /** The cursor of the next page; null on the last one. */
  nextCursor: string | null;
}

export interface TradeTotals {
  count: number;
  realizedPnl: Decimal;
}

export interface OrderBookFilter {
  status: OrderBookQuery['status'];
  ticker?: string;
  /** 1 to TRADE_PAGE_MAX; default TRADE_PAGE_DEFAULT. */
  limit?: number;
}

/** An order without a parent (an entry, or an exit sent on its own) and its bracket legs, oldest leg first. */
export interface OrderBookEntry {
  order: ExecutedOrderRecord;
  legs: ExecutedOrderRecord[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A YYYY-MM-DD that names a real day (2026-02-30 does not). */
function checkDay(name: string, day: string): string {
  const parsed = new Date(`${day}T00:00:00Z`);
  if (!DAY.test(day) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) {
    throw new OperatorError(`${name} must be a date as YYYY-MM-DD, not ${JSON.stringify(day)}.`);
  }
  return day;
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return TRADE_PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > TRADE_PAGE_MAX) {
    throw new OperatorError(`limit must be a whole number from 1 to ${String(TRADE_PAGE_MAX)}, not ${String(limit)}.`);
  }
  return limit;
}

/** The store's filter: the days become New York midnights, the last day's end excluded. */
export function storeFilter(filter: TradeFilter): ClosedTradeFilter {
  const from = filter.from === undefined ? undefined : checkDay('from', filter.from);
  const to = filter.to === undefined ? undefined : checkDay('to', filter.to);
  if (from !== undefined && to !== undefined && from > to) throw new OperatorError(`from (${from}) is after to (${to}): no trade can match.`);
  return {
    ...(from !== undefined ? { since: exchangeTime(from, 0, 0) } : {}),
    ...(to !== undefined ? { until: exchangeTime(addDays(to, 1), 0, 0) } : {}),
    ...(filter.ticker !== undefined ? { ticker: filter.ticker } : {}),
    ...(filter.strategy !== undefined ? { strategy: filter.strategy } : {}),
    ...(filter.exitReason !== undefined ? { exitReason: filter.exitReason } : {}),
  };
}

/**
 * A cursor is the last row's key, closing time in ms and position id, in
 * base64url: opaque to its user, and a page boundary that holds while trades
 * are added (a new trade is newer than every cursor, so no row shifts).
 */
export function encodeCursor(key: ClosedTradeKey): string {
  return Buffer.from(`${String(key.closedAt.getTime())}:${key.positionId}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): ClosedTradeKey {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^(\d{1,15}):(.+)$/s.exec(text);
  if (!match?.[1] || !match[2]) throw new OperatorError('cursor is not one this dashboard gave: start again from the first page.');
  return { closedAt: new Date(Number(match[1])), positionId: match[2] };
}

/** One page of closed trades: one row more than asked is read, to know whether another page follows. */
export async function tradePage(store: Pick<Repositories, 'closedPositions'>, query: TradeQuery): Promise<TradePage> {
  const limit = checkLimit(query.limit);
  const pageQuery: ClosedTradePageQuery = { ...storeFilter(query), limit: limit + 1 };
  if (query.cursor !== undefined) pageQuery.after = decodeCursor(query.cursor);
  const rows = await store.closedPositions.listPage(pageQuery);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const last = rows.at(-1);
  return { rows, nextCursor: more && last ? encodeCursor({ closedAt: last.closedAt, positionId: last.positionId }) : null };
}

/** The entries newest first, each with its legs. */
export async function orderBook(store: Pick<Repositories, 'orders'>, filter: OrderBookFilter): Promise<OrderBookEntry[]> {
  const query: OrderBookQuery = { status: filter.status, limit: checkLimit(filter.limit) };
  if (filter.ticker !== undefined) query.ticker = filter.ticker;
  const orders = await store.orders.listTopLevel(query);
  return Promise.all(orders.map(async (order) => ({ order, legs: (await store.orders.listChildren(order.orderId)).sort(byLeg) })));
}

/** Legs sent together read target first, then stop, whatever order the database returned them in. */
const LEG_RANK = { take_profit: 0, stop_loss: 1, entry: 2 } as const;
function byLeg(a: ExecutedOrderRecord, b: ExecutedOrderRecord): number {
  const rank = (o: ExecutedOrderRecord) => (o.leg === null ? 3 : LEG_RANK[o.leg]);
  return a.submittedAt.getTime() - b.submittedAt.getTime() || rank(a) - rank(b);
}

/**
 * SDK models to domain types. The SDK hands amounts over as strings (or
 * lossless numbers); each becomes a Decimal from its text, never a float.
 */
import type { trading } from '@alpacahq/alpaca-trade-api';
import { toDomainStatus } from './statusMap.js';
import { type Decimal, ZERO, dec } from '../../domain/money.js';
import { Account } from '../../domain/account.js';
import { type BracketLegRole, type OrderClass, type OrderSide, type OrderType, type TimeInForce } from '../../domain/enums.js';
import { type CalendarDay, type Clock } from '../../domain/ports/broker.js';
import { Order } from '../../domain/order.js';
import { Position } from '../../domain/position.js';

type SdkOrder = trading.Order;
type SdkLeg = NonNullable<trading.Order['legs']>[number];

export function amount(value: unknown): Decimal | null {
  if (value === null || value === undefined || value === '') return null;
  return dec(String(value));
}

const amountOrZero = (value: unknown): Decimal => amount(value) ?? ZERO;
const date = (value: Date | string | null | undefined): Date | null => (value ? new Date(value) : null);

/**
 * Which exit a bracket's child is. Alpaca nests a bracket's two exits under
 * its entry and names neither: the stop (or stop-limit) child is the stop
 * loss, the limit child the take profit. A replacement keeps its type, so
 * the role survives a PATCH.
 */
export function legRoleOf(parentClass: string, legType: string): BracketLegRole | null {
  if (parentClass !== 'bracket') return null;
  if (legType === 'stop' || legType === 'stop_limit') return 'stop_loss';
  if (legType === 'limit') return 'take_profit';
  return null;
}

/** `parent`: the order `o` is nested under, when it is a leg. */
export function toOrder(o: SdkOrder | SdkLeg, parent: { id: string; orderClass: string } | null = null): Order {
  const legs = ('legs' in o ? (o.legs ?? []) : []) as SdkLeg[];
  const id = String(o.id);
  const type = String(o.type ?? o.orderType);
  const orderClass = o.orderClass ? String(o.orderClass) : 'simple';
  const submitted = date(o.submittedAt) ?? date(o.createdAt) ?? new Date(0);
  return new Order({
    id,
    clientOrderId: String(o.clientOrderId ?? ''),
    ticker: String(o.symbol ?? ''),
    side: String(o.side) as OrderSide,
    type: type as OrderType,
    orderClass: orderClass as OrderClass,
    timeInForce: String(o.timeInForce) as TimeInForce,
    quantity: amountOrZero(o.qty),
    filledQty: amountOrZero(o.filledQty),
    filledAvgPrice: amount(o.filledAvgPrice),
    limitPrice: amount(o.limitPrice),
    stopPrice: amount(o.stopPrice),
    trailPrice: amount(o.trailPrice),
    trailPercent: amount(o.trailPercent),
    highWaterMark: amount(o.hwm),
    status: toDomainStatus(String(o.status), { quantity: amountOrZero(o.qty), filledQty: amountOrZero(o.filledQty) }),
    parentOrderId: parent?.id ?? null,
    legs: legs.map((l) => toOrder(l, { id, orderClass })),
    legRole: parent ? legRoleOf(parent.orderClass, type) : null,
    submittedAt: submitted,
    updatedAt: date(o.updatedAt) ?? submitted,
    filledAt: date(o.filledAt),
    canceledAt: date(o.canceledAt),
    expiredAt: date(o.expiredAt),
    statusReason: null,
  });
}

export function toAccount(a: trading.Account): Account {
  // The SDK's Account model omits these two; its deserialiser passes the raw
  // snake_case keys through untouched, so they are read from there.
  const raw = a as unknown as Readonly<Record<string, unknown>>;
  return new Account({
    id: String(a.id ?? ''),
    accountNumber: String(a.accountNumber ?? ''),
    status: String(a.status ?? ''),
    currency: String(a.currency ?? 'USD'),
    cash: amountOrZero(a.cash),
    equity: amountOrZero(a.equity),
    lastEquity: amountOrZero(a.lastEquity),
    buyingPower: amountOrZero(a.buyingPower),
    longMarketValue: amountOrZero(a.longMarketValue),
    shortMarketValue: amountOrZero(a.shortMarketValue),
    multiplier: amount(a.multiplier) ?? dec(1),
    daytradeCount: Number(raw['daytrade_count'] ?? 0),
    patternDayTrader: raw['pattern_day_trader'] === true,
    tradingBlocked: Boolean(a.tradingBlocked),
  });
}

export function toPosition(p: trading.Position): Position {
  const qty = amountOrZero(p.qty);
  return new Position({
    ticker: String(p.symbol),
    side: String(p.side) === 'short' || qty.isNegative() ? 'short' : 'long',
    quantity: qty.abs(),
    avgEntryPrice: amountOrZero(p.avgEntryPrice),
    currentPrice: amountOrZero(p.currentPrice),
    marketValue: amountOrZero(p.marketValue),
    costBasis: amountOrZero(p.costBasis),
    unrealizedPnl: amountOrZero(p.unrealizedPl),
    unrealizedPnlPct: amountOrZero(p.unrealizedPlpc),
  });
}

export function toClock(c: trading.LegacyClock): Clock {
  return { timestamp: new Date(c.timestamp), isOpen: c.isOpen, nextOpen: new Date(c.nextOpen), nextClose: new Date(c.nextClose) };
}

/** Alpaca's calendar gives New York wall times; `toInstant` turns them into instants. */
export function toCalendarDay(d: trading.LegacyCalendarDay, toInstant: (date: string, hhmm: string) => Date): CalendarDay {
  const day = d.date instanceof Date ? d.date.toISOString().slice(0, 10) : String(d.date).slice(0, 10);
  return { date: day, open: toInstant(day, String(d.open)), close: toInstant(day, String(d.close)) };
}

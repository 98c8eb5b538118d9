/**
 * Alpaca's JSON shapes: domain objects out (snake_case, amounts as strings,
 * ISO times) and order requests in (validated with zod, amounts to Decimal).
 */
import { z } from 'zod';
import { type Decimal, dec } from '../../money.js';
import {
  ALL_ORDER_CLASSES,
  ALL_ORDER_SIDES,
  ALL_ORDER_TYPES,
  ALL_TIME_IN_FORCE,
  type Account,
  type CalendarDay,
  type Clock,
  type Order,
  type Position,
  type TradeUpdate,
} from '../../types.js';
import type { AssetInfo, LatestTrade, OrderRequest, ReplaceRequest } from '../api.js';
import { exchangeDate, EXCHANGE_TIME_ZONE } from '../clock.js';

type Json = Record<string, unknown>;

const str = (d: Decimal | null | undefined): string | null => (d === null || d === undefined ? null : d.toFixed());
const time = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** A stable asset id per symbol, shaped like Alpaca's UUIDs. */
function assetId(symbol: string): string {
  const hex = Buffer.from(symbol.padEnd(16, '_')).toString('hex').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function orderJson(o: Order): Json {
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    created_at: time(o.submittedAt),
    updated_at: time(o.updatedAt),
    submitted_at: time(o.submittedAt),
    filled_at: time(o.filledAt),
    expired_at: time(o.expiredAt),
    canceled_at: time(o.canceledAt),
    failed_at: null,
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: assetId(o.ticker),
    symbol: o.ticker,
    asset_class: 'us_equity',
    notional: null,
    qty: str(o.quantity),
    filled_qty: str(o.filledQty),
    filled_avg_price: str(o.filledAvgPrice),
    order_class: o.orderClass,
    order_type: o.type,
    type: o.type,
    side: o.side,
    time_in_force: o.timeInForce,
    limit_price: str(o.limitPrice),
    stop_price: str(o.stopPrice),
    status: o.status,
    extended_hours: false,
    legs: o.legs.length > 0 ? o.legs.map(orderJson) : null,
    trail_percent: str(o.trailPercent),
    trail_price: str(o.trailPrice),
    hwm: str(o.highWaterMark),
  };
}

export function accountJson(a: Account): Json {
  const equity = str(a.equity);
  return {
    id: a.id,
    account_number: a.accountNumber,
    status: a.status,
    currency: a.currency,
    cash: str(a.cash),
    portfolio_value: equity,
    equity,
    last_equity: str(a.lastEquity),
    buying_power: str(a.buyingPower),
    regt_buying_power: str(a.buyingPower),
    daytrading_buying_power: str(a.buyingPower),
    non_marginable_buying_power: str(a.cash),
    long_market_value: str(a.longMarketValue),
    short_market_value: str(a.shortMarketValue),
    multiplier: str(a.multiplier),
    initial_margin: '0',
    maintenance_margin: '0',
    daytrade_count: a.daytradeCount,
    pattern_day_trader: a.patternDayTrader,
    trading_blocked: a.tradingBlocked,
    transfers_blocked: false,
    account_blocked: false,
    trade_suspended_by_user: false,
    shorting_enabled: !a.multiplier.eq(1),
    crypto_status: 'INACTIVE',
    created_at: '2024-01-02T14:30:00Z',
  };
}

export function positionJson(p: Position): Json {
  const signedQty = p.side === 'long' ? p.quantity : p.quantity.neg();
  return {
    asset_id: assetId(p.ticker),
    symbol: p.ticker,
    exchange: 'NASDAQ',
    asset_class: 'us_equity',
    asset_marginable: true,
    avg_entry_price: str(p.avgEntryPrice),
    qty: str(signedQty),
    qty_available: str(signedQty),
    side: p.side,
    market_value: str(p.marketValue),
    cost_basis: str(p.costBasis),
    unrealized_pl: str(p.unrealizedPnl),
    unrealized_plpc: str(p.unrealizedPnlPct),
    unrealized_intraday_pl: str(p.unrealizedPnl),
    unrealized_intraday_plpc: str(p.unrealizedPnlPct),
    current_price: str(p.currentPrice),
    lastday_price: str(p.currentPrice),
    change_today: '0',
  };
}

export function clockJson(c: Clock): Json {
  return { timestamp: time(c.timestamp), is_open: c.isOpen, next_open: time(c.nextOpen), next_close: time(c.nextClose) };
}

const hhmm = (at: Date): string =>
  new Intl.DateTimeFormat('en-US', { timeZone: EXCHANGE_TIME_ZONE, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(at);

export function calendarJson(d: CalendarDay): Json {
  return {
    date: d.date,
    open: hhmm(d.open),
    close: exchangeDate(d.close) === d.date ? hhmm(d.close) : '24:00',
    session_open: '0400',
    session_close: '2000',
    settlement_date: d.date,
  };
}

export function assetJson(a: AssetInfo): Json {
  return {
    id: assetId(a.symbol),
    class: 'us_equity',
    exchange: 'NASDAQ',
    symbol: a.symbol,
    name: a.symbol,
    status: 'active',
    tradable: a.tradable,
    marginable: true,
    shortable: a.shortable,
    easy_to_borrow: a.shortable,
    fractionable: a.fractionable,
  };
}

export function tradeJson(t: LatestTrade): Json {
  return { t: t.timestamp.toISOString(), x: 'V', p: Number(t.price.toFixed()), s: Number(t.size.toFixed()), c: ['@'], i: 1, z: 'C' };
}

export function tradeUpdateJson(u: TradeUpdate): Json {
  return {
    event: u.event,
    order: orderJson(u.order),
    timestamp: time(u.timestamp),
    ...(u.price ? { price: str(u.price) } : {}),
    ...(u.qty ? { qty: str(u.qty) } : {}),
    ...(u.positionQty ? { position_qty: str(u.positionQty) } : {}),
    ...(u.executionId ? { execution_id: u.executionId } : {}),
  };
}

// ---- requests -----------------------------------------------------------------------

const amount = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return dec(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: `invalid number ${JSON.stringify(v)}` });
    return z.NEVER;
  }
});
const optionalAmount = amount.nullish();

export const orderRequestSchema = z.object({
  symbol: z.string().min(1),
  qty: amount,
  side: z.enum(ALL_ORDER_SIDES),
  type: z.enum(ALL_ORDER_TYPES),
  time_in_force: z.enum(ALL_TIME_IN_FORCE),
  limit_price: optionalAmount,
  stop_price: optionalAmount,
  trail_price: optionalAmount,
  trail_percent: optionalAmount,
  order_class: z.enum([...ALL_ORDER_CLASSES, '']).nullish(),
  take_profit: z.object({ limit_price: amount }).nullish(),
  stop_loss: z.object({ stop_price: amount, limit_price: optionalAmount }).nullish(),
  client_order_id: z.string().max(128).nullish(),
  extended_hours: z.boolean().nullish(),
});

export function toOrderRequest(body: z.infer<typeof orderRequestSchema>): OrderRequest {
  return {
    symbol: body.symbol,
    qty: body.qty,
    side: body.side,
    type: body.type,
    timeInForce: body.time_in_force,
    limitPrice: body.limit_price ?? null,
    stopPrice: body.stop_price ?? null,
    trailPrice: body.trail_price ?? null,
    trailPercent: body.trail_percent ?? null,
    orderClass: body.order_class ? body.order_class : 'simple',
    takeProfit: body.take_profit ? { limitPrice: body.take_profit.limit_price } : null,
    stopLoss: body.stop_loss ? { stopPrice: body.stop_loss.stop_price, limitPrice: body.stop_loss.limit_price ?? null } : null,
    clientOrderId: body.client_order_id ?? null,
    extendedHours: body.extended_hours ?? false,
  };
}

export const replaceRequestSchema = z.object({
  qty: amount.optional(),
  time_in_force: z.enum(ALL_TIME_IN_FORCE).optional(),
  limit_price: amount.optional(),
  stop_price: amount.optional(),
  trail: amount.optional(),
  client_order_id: z.string().max(128).optional(),
});

export function toReplaceRequest(body: z.infer<typeof replaceRequestSchema>): ReplaceRequest {
  return {
    ...(body.qty ? { qty: body.qty } : {}),
    ...(body.time_in_force ? { timeInForce: body.time_in_force } : {}),
    ...(body.limit_price ? { limitPrice: body.limit_price } : {}),
    ...(body.stop_price ? { stopPrice: body.stop_price } : {}),
    ...(body.trail ? { trail: body.trail } : {}),
    ...(body.client_order_id ? { clientOrderId: body.client_order_id } : {}),
  };
}

/** zod issues as one Alpaca-style message: `qty: invalid number "x"; side: …`. */
export function issuesMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

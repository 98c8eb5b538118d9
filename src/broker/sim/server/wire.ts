/**
 * Alpaca's JSON shapes: domain objects out (snake_case, trading amounts as
 * decimal strings, ISO times; market data as JSON numbers, as Alpaca sends
 * it) and order requests in (validated with zod, amounts to Decimal).
 *
 * Field lists follow the official SDK's generated `*FromJSONTyped` readers
 * (Order, Account, Position, LegacyClock, LegacyCalendarDay, Assets,
 * StockTrade, StockQuote, StockBar) and Alpaca's documented responses.
 */
import { z } from 'zod';
import { EXCHANGE_TIME_ZONE, addDays, exchangeDate, exchangeIso } from '../../../domain/marketTime.js';
import { type Decimal, ZERO, dec, toStorage } from '../../../domain/money.js';
import { ALL_ORDER_CLASSES, ALL_ORDER_SIDES, ALL_ORDER_TYPES, ALL_TIME_IN_FORCE } from '../../../domain/enums.js';
import { type Account } from '../../../domain/account.js';
import { type CalendarDay, type Clock, type TradeUpdate } from '../../../domain/ports/broker.js';
import { type Order } from '../../../domain/order.js';
import { type Position } from '../../../domain/position.js';
import { AlpacaCode, type AssetInfo, type LatestTrade, type OrderRequest, type ReplaceRequest, SimRejection } from '../api.js';

export type Json = Record<string, unknown>;

/** Alpaca's code for a body that is not JSON (or not the JSON it expects): HTTP 400. */
export const BODY_FORMAT_INVALID = 40010000;

/** A decimal as Alpaca writes it: plain notation, no exponent, never `-0`. */
export const decimalString = (d: Decimal | null | undefined): string | null => (d === null || d === undefined ? null : toStorage(d));
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** Alpaca's error body. */
export const errorJson = (code: number, message: string): Json => ({ code, message });

// ---- ids ----------------------------------------------------------------------------

/**
 * A stable asset id per symbol, shaped like Alpaca's UUIDs. It encodes the
 * symbol (hex of up to 16 characters), so `assetSymbol` reads it back: paths
 * that take `{symbol_or_asset_id}` accept either.
 */
export function assetId(symbol: string): string {
  const hex = Buffer.from(symbol.slice(0, 16).padEnd(16, '_')).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The symbol of a path segment that is a symbol or one of our asset ids. */
export function assetSymbol(symbolOrAssetId: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(symbolOrAssetId)) {
    const text = Buffer.from(symbolOrAssetId.replace(/-/g, ''), 'hex').toString('utf8');
    const symbol = text.replace(/_+$/, '');
    if (/^[A-Z0-9.]+$/.test(symbol)) return symbol;
  }
  return symbolOrAssetId.toUpperCase();
}

// ---- trading ------------------------------------------------------------------------

/** An order's replacement history: the order it replaced, the order that replaced it. */
export type ReplacementLinks = (id: string) => { replaces: string | null; replacedBy: string | null };

const NO_LINKS: ReplacementLinks = () => ({ replaces: null, replacedBy: null });

export interface OrderJsonExtras {
  /** The order this one replaced (PATCH answers). */
  replaces?: string | null;
  /** Where `replaces` and `replaced_by` come from, for the order and its legs. */
  links?: ReplacementLinks;
}

export function orderJson(o: Order, extras: OrderJsonExtras = {}): Json {
  const links = extras.links ?? NO_LINKS;
  const { replaces, replacedBy } = links(o.id);
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    created_at: iso(o.submittedAt),
    updated_at: iso(o.updatedAt),
    submitted_at: iso(o.submittedAt),
    filled_at: iso(o.filledAt),
    expired_at: iso(o.expiredAt),
    canceled_at: iso(o.canceledAt),
    failed_at: o.status === 'rejected' ? iso(o.updatedAt) : null,
    replaced_at: o.status === 'replaced' ? iso(o.updatedAt) : null,
    replaced_by: replacedBy,
    replaces: extras.replaces ?? replaces,
    asset_id: assetId(o.ticker),
    symbol: o.ticker,
    asset_class: 'us_equity',
    notional: null,
    qty: decimalString(o.quantity),
    filled_qty: decimalString(o.filledQty),
    filled_avg_price: decimalString(o.filledAvgPrice),
    // Alpaca answers "" for a simple order.
    order_class: o.orderClass === 'simple' ? '' : o.orderClass,
    order_type: o.type,
    type: o.type,
    side: o.side,
    time_in_force: o.timeInForce,
    limit_price: decimalString(o.limitPrice),
    stop_price: decimalString(o.stopPrice),
    status: o.status,
    extended_hours: false,
    legs: o.legs.length > 0 ? o.legs.map((l) => orderJson(l, { links })) : null,
    trail_percent: decimalString(o.trailPercent),
    trail_price: decimalString(o.trailPrice),
    hwm: decimalString(o.highWaterMark),
    subtag: null,
    source: null,
  };
}

export function accountJson(a: Account, at: Date): Json {
  const equity = decimalString(a.equity);
  return {
    id: a.id,
    account_number: a.accountNumber,
    status: a.status,
    crypto_status: 'INACTIVE',
    currency: a.currency,
    buying_power: decimalString(a.buyingPower),
    regt_buying_power: decimalString(a.buyingPower),
    daytrading_buying_power: decimalString(a.buyingPower),
    effective_buying_power: decimalString(a.buyingPower),
    non_marginable_buying_power: decimalString(a.cash.isNegative() ? ZERO : a.cash),
    options_buying_power: '0',
    bod_dtbp: '0',
    cash: decimalString(a.cash),
    accrued_fees: '0',
    pending_transfer_in: '0',
    portfolio_value: equity,
    pattern_day_trader: a.patternDayTrader,
    trading_blocked: a.tradingBlocked,
    transfers_blocked: false,
    account_blocked: false,
    created_at: '2024-01-02T14:30:00Z',
    trade_suspended_by_user: false,
    multiplier: decimalString(a.multiplier),
    shorting_enabled: !a.multiplier.eq(1),
    equity,
    last_equity: decimalString(a.lastEquity),
    long_market_value: decimalString(a.longMarketValue),
    short_market_value: decimalString(a.shortMarketValue),
    position_market_value: decimalString(a.longMarketValue.plus(a.shortMarketValue.abs())),
    initial_margin: '0',
    maintenance_margin: '0',
    last_maintenance_margin: '0',
    sma: '0',
    daytrade_count: a.daytradeCount,
    balance_asof: exchangeDate(at),
    options_approved_level: 0,
    options_trading_level: 0,
    intraday_adjustments: '0',
    pending_reg_taf_fees: '0',
  };
}

export function positionJson(p: Position): Json {
  // Alpaca signs a short's qty (and its market value).
  const signedQty = p.side === 'long' ? p.quantity : p.quantity.neg();
  return {
    asset_id: assetId(p.ticker),
    symbol: p.ticker,
    exchange: 'NASDAQ',
    asset_class: 'us_equity',
    asset_marginable: true,
    qty: decimalString(signedQty),
    qty_available: decimalString(signedQty),
    avg_entry_price: decimalString(p.avgEntryPrice),
    side: p.side,
    market_value: decimalString(p.marketValue),
    cost_basis: decimalString(p.costBasis),
    unrealized_pl: decimalString(p.unrealizedPnl),
    unrealized_plpc: decimalString(p.unrealizedPnlPct),
    unrealized_intraday_pl: decimalString(p.unrealizedPnl),
    unrealized_intraday_plpc: decimalString(p.unrealizedPnlPct),
    current_price: decimalString(p.currentPrice),
    lastday_price: decimalString(p.currentPrice),
    change_today: '0',
  };
}

export function clockJson(c: Clock): Json {
  return {
    timestamp: exchangeIso(c.timestamp),
    is_open: c.isOpen,
    next_open: exchangeIso(c.nextOpen),
    next_close: exchangeIso(c.nextClose),
  };
}

const hhmm = (at: Date): string =>
  new Intl.DateTimeFormat('en-US', { timeZone: EXCHANGE_TIME_ZONE, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(at);

/**
 * One /v2/calendar day: open and close as New York `HH:MM` (a session that
 * runs to the next midnight closes at `24:00`). Settlement is T+1: the next
 * session's date, or the next weekday when that is not known.
 */
export function calendarJson(d: CalendarDay, nextSessionDate?: string): Json {
  return {
    date: d.date,
    open: hhmm(d.open),
    close: exchangeDate(d.close) === d.date ? hhmm(d.close) : '24:00',
    session_open: '0400',
    session_close: '2000',
    settlement_date: nextSessionDate ?? nextWeekday(d.date),
  };
}

function nextWeekday(date: string): string {
  let next = addDays(date, 1);
  while ([0, 6].includes(new Date(`${next}T12:00:00Z`).getUTCDay())) next = addDays(next, 1);
  return next;
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
    maintenance_margin_requirement: 30,
    margin_requirement_long: '30',
    margin_requirement_short: '30',
    shortable: a.shortable,
    easy_to_borrow: a.shortable,
    fractionable: a.fractionable,
    attributes: [],
  };
}

// ---- trade updates ------------------------------------------------------------------

/** The `data` of a trade_updates frame. */
export function tradeUpdateJson(u: TradeUpdate, links: ReplacementLinks = NO_LINKS): Json {
  return {
    event: u.event,
    ...(u.executionId ? { execution_id: u.executionId } : {}),
    order: orderJson(u.order, { links }),
    timestamp: iso(u.timestamp),
    ...(u.price ? { price: decimalString(u.price) } : {}),
    ...(u.qty ? { qty: decimalString(u.qty) } : {}),
    ...(u.positionQty ? { position_qty: decimalString(u.positionQty) } : {}),
  };
}

// ---- market data (numbers, as Alpaca's data API sends them) --------------------------

const num = (d: Decimal): number => Number(toStorage(d));

export function tradeJson(t: LatestTrade): Json {
  return { t: iso(t.timestamp), x: 'V', p: num(t.price), s: num(t.size), c: ['@'], i: t.timestamp.getTime(), z: 'C' };
}

/** A quote at the last trade (the simulator has no spread). */
export function quoteJson(t: LatestTrade): Json {
  const p = num(t.price);
  return { t: iso(t.timestamp), ax: 'V', ap: p, as: 1, bx: 'V', bp: p, bs: 1, c: ['R'], z: 'C' };
}

/** A flat bar at the last trade (the simulator keeps no history). */
export function barJson(t: LatestTrade): Json {
  const p = num(t.price);
  return { t: iso(t.timestamp), o: p, h: p, l: p, c: p, v: num(t.size), n: 1, vw: p };
}

export function snapshotJson(t: LatestTrade): Json {
  const bar = barJson(t);
  return { latestTrade: tradeJson(t), latestQuote: quoteJson(t), minuteBar: bar, dailyBar: bar, prevDailyBar: bar };
}

// ---- requests -----------------------------------------------------------------------

/** A decimal given as a JSON string or number. */
const amount = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return dec(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'invalid' });
    return z.NEVER;
  }
});
const optionalAmount = amount.nullish();

export const orderRequestSchema = z.object({
  symbol: z.string().min(1),
  qty: amount.nullish(),
  notional: amount.nullish(),
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
  position_intent: z.enum(['buy_to_open', 'buy_to_close', 'sell_to_open', 'sell_to_close']).nullish(),
});
export type OrderRequestBody = z.infer<typeof orderRequestSchema>;

export const replaceRequestSchema = z.object({
  qty: amount.nullish(),
  time_in_force: z.enum(ALL_TIME_IN_FORCE).nullish(),
  limit_price: optionalAmount,
  stop_price: optionalAmount,
  trail: optionalAmount,
  client_order_id: z.string().max(128).nullish(),
});
export type ReplaceRequestBody = z.infer<typeof replaceRequestSchema>;

/** Field names as Alpaca's messages say them (`invalid order type`). */
const FIELD_LABEL: Record<string, string> = { type: 'order type', order_class: 'order class', time_in_force: 'time_in_force' };

/**
 * Parses a request body with `schema`. Not an object → 400 `request body
 * format is invalid`; a bad field → 422 naming it, as Alpaca does
 * (`qty is required`, `invalid side`, …).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SimRejection(400, BODY_FORMAT_INVALID, 'request body format is invalid');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new SimRejection(422, AlpacaCode.Unprocessable, issuesMessage(result.error, body as Json));
}

/** zod issues as one Alpaca-style message: `qty is required; invalid side`. */
export function issuesMessage(error: z.ZodError, body: Json = {}): string {
  const messages = error.issues.map((issue) => {
    const path = issue.path.map(String);
    const field = path.join('.');
    const given = path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), body);
    if (given === undefined || given === null) return `${field} is required`;
    if (issue.code === 'too_big') return `${field} is too long`;
    if (issue.code === 'too_small') return `${field} is required`;
    return `invalid ${FIELD_LABEL[field] ?? field}`;
  });
  return [...new Set(messages)].join('; ');
}

export function toOrderRequest(body: OrderRequestBody): OrderRequest {
  if (body.notional !== null && body.notional !== undefined) {
    throw new SimRejection(422, AlpacaCode.Unprocessable, 'notional orders are not supported by the simulator; give qty');
  }
  if (body.qty === null || body.qty === undefined) throw new SimRejection(422, AlpacaCode.Unprocessable, 'qty is required');
  return {
    symbol: body.symbol.toUpperCase(),
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

export function toReplaceRequest(body: ReplaceRequestBody): ReplaceRequest {
  return {
    ...(body.qty ? { qty: body.qty } : {}),
    ...(body.time_in_force ? { timeInForce: body.time_in_force } : {}),
    ...(body.limit_price ? { limitPrice: body.limit_price } : {}),
    ...(body.stop_price ? { stopPrice: body.stop_price } : {}),
    ...(body.trail ? { trail: body.trail } : {}),
    ...(body.client_order_id ? { clientOrderId: body.client_order_id } : {}),
  };
}

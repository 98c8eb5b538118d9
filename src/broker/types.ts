/**
 * The broker-neutral domain model. Values mirror Alpaca's wire vocabulary
 * (snake_case strings) so adapters map one to one, but every amount is a
 * Decimal and every time a Date.
 */
import type { Decimal } from './money.js';

/** `const` object + union: usable as a value (`OrderSide.Buy`) and a type. */
type ValuesOf<T> = T[keyof T];

export const OrderSide = { Buy: 'buy', Sell: 'sell' } as const;
export type OrderSide = ValuesOf<typeof OrderSide>;

export const OrderType = {
  Market: 'market',
  Limit: 'limit',
  Stop: 'stop',
  StopLimit: 'stop_limit',
  TrailingStop: 'trailing_stop',
} as const;
export type OrderType = ValuesOf<typeof OrderType>;

export const OrderClass = { Simple: 'simple', Bracket: 'bracket', Oco: 'oco', Oto: 'oto' } as const;
export type OrderClass = ValuesOf<typeof OrderClass>;

/** Alpaca's full order status set. */
export const OrderStatus = {
  New: 'new',
  PartiallyFilled: 'partially_filled',
  Filled: 'filled',
  DoneForDay: 'done_for_day',
  Canceled: 'canceled',
  Expired: 'expired',
  Replaced: 'replaced',
  PendingCancel: 'pending_cancel',
  PendingReplace: 'pending_replace',
  Accepted: 'accepted',
  PendingNew: 'pending_new',
  AcceptedForBidding: 'accepted_for_bidding',
  Stopped: 'stopped',
  Rejected: 'rejected',
  Suspended: 'suspended',
  Calculated: 'calculated',
  /** A bracket leg waiting for its entry to fill (Alpaca reports legs as `held`). */
  Held: 'held',
} as const;
export type OrderStatus = ValuesOf<typeof OrderStatus>;

/** No further fills or state changes can happen. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>([
  OrderStatus.Filled,
  OrderStatus.Canceled,
  OrderStatus.Expired,
  OrderStatus.Replaced,
  OrderStatus.Rejected,
]);

export const TimeInForce = { Day: 'day', Gtc: 'gtc', Opg: 'opg', Cls: 'cls', Ioc: 'ioc', Fok: 'fok' } as const;
export type TimeInForce = ValuesOf<typeof TimeInForce>;

export const PositionSide = { Long: 'long', Short: 'short' } as const;
export type PositionSide = ValuesOf<typeof PositionSide>;

export const ALL_ORDER_STATUSES = Object.values(OrderStatus);
export const ALL_ORDER_TYPES = Object.values(OrderType);
export const ALL_ORDER_SIDES = Object.values(OrderSide);
export const ALL_TIME_IN_FORCE = Object.values(TimeInForce);
export const ALL_ORDER_CLASSES = Object.values(OrderClass);

export interface AccountProps {
  id: string;
  accountNumber: string;
  status: string;
  currency: string;
  cash: Decimal;
  equity: Decimal;
  /** Equity at the previous close: the base of day P&L. */
  lastEquity: Decimal;
  buyingPower: Decimal;
  longMarketValue: Decimal;
  shortMarketValue: Decimal;
  /** 1 = cash account; 2 or 4 = margin. */
  multiplier: Decimal;
  daytradeCount: number;
  patternDayTrader: boolean;
  tradingBlocked: boolean;
}

export class Account implements AccountProps {
  readonly id!: string;
  readonly accountNumber!: string;
  readonly status!: string;
  readonly currency!: string;
  readonly cash!: Decimal;
  readonly equity!: Decimal;
  readonly lastEquity!: Decimal;
  readonly buyingPower!: Decimal;
  readonly longMarketValue!: Decimal;
  readonly shortMarketValue!: Decimal;
  readonly multiplier!: Decimal;
  readonly daytradeCount!: number;
  readonly patternDayTrader!: boolean;
  readonly tradingBlocked!: boolean;

  constructor(props: AccountProps) {
    Object.assign(this, props);
  }

  /** Today's change in equity, in dollars. */
  dayPnl(): Decimal {
    return this.equity.minus(this.lastEquity);
  }

  /** Today's change as a ratio of yesterday's equity (0 when there was none). */
  dayPnlPct(): Decimal {
    return this.lastEquity.isZero() ? this.lastEquity : this.dayPnl().div(this.lastEquity);
  }
}

export interface PositionProps {
  ticker: string;
  side: PositionSide;
  /** Always positive; `side` carries the direction. */
  quantity: Decimal;
  avgEntryPrice: Decimal;
  currentPrice: Decimal;
  /** Signed: negative for a short, as Alpaca reports it. */
  marketValue: Decimal;
  costBasis: Decimal;
  unrealizedPnl: Decimal;
  /** Ratio of cost basis (0.05 = 5%). */
  unrealizedPnlPct: Decimal;
}

export class Position implements PositionProps {
  readonly ticker!: string;
  readonly side!: PositionSide;
  readonly quantity!: Decimal;
  readonly avgEntryPrice!: Decimal;
  readonly currentPrice!: Decimal;
  readonly marketValue!: Decimal;
  readonly costBasis!: Decimal;
  readonly unrealizedPnl!: Decimal;
  readonly unrealizedPnlPct!: Decimal;

  constructor(props: PositionProps) {
    Object.assign(this, props);
  }

  isLong(): boolean {
    return this.side === PositionSide.Long;
  }

  /** The side of the order that closes this position. */
  closingSide(): OrderSide {
    return this.isLong() ? OrderSide.Sell : OrderSide.Buy;
  }
}

/** The two exits of a bracket. */
export type BracketLegRole = 'stop_loss' | 'take_profit';

export interface OrderProps {
  id: string;
  clientOrderId: string;
  ticker: string;
  side: OrderSide;
  type: OrderType;
  orderClass: OrderClass;
  timeInForce: TimeInForce;
  /** Null only for notional orders, which this product does not send. */
  quantity: Decimal;
  filledQty: Decimal;
  filledAvgPrice: Decimal | null;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  trailPrice: Decimal | null;
  trailPercent: Decimal | null;
  /** Trailing stops: the high (or low) water mark the stop follows. */
  highWaterMark: Decimal | null;
  status: OrderStatus;
  parentOrderId: string | null;
  /** Bracket / OCO / OTO children, as the broker nests them. */
  legs: readonly Order[];
  /**
   * For a child of a bracket: which exit it is. The adapter sets it from what
   * its broker says, so the core never guesses a leg from an order type.
   */
  legRole?: BracketLegRole | null;
  submittedAt: Date;
  updatedAt: Date;
  filledAt: Date | null;
  canceledAt: Date | null;
  expiredAt: Date | null;
  /** Why the broker rejected or canceled it, when it says. */
  statusReason: string | null;
}

export class Order implements OrderProps {
  readonly id!: string;
  readonly clientOrderId!: string;
  readonly ticker!: string;
  readonly side!: OrderSide;
  readonly type!: OrderType;
  readonly orderClass!: OrderClass;
  readonly timeInForce!: TimeInForce;
  readonly quantity!: Decimal;
  readonly filledQty!: Decimal;
  readonly filledAvgPrice!: Decimal | null;
  readonly limitPrice!: Decimal | null;
  readonly stopPrice!: Decimal | null;
  readonly trailPrice!: Decimal | null;
  readonly trailPercent!: Decimal | null;
  readonly highWaterMark!: Decimal | null;
  readonly status!: OrderStatus;
  readonly parentOrderId!: string | null;
  readonly legs!: readonly Order[];
  readonly legRole?: BracketLegRole | null;
  readonly submittedAt!: Date;
  readonly updatedAt!: Date;
  readonly filledAt!: Date | null;
  readonly canceledAt!: Date | null;
  readonly expiredAt!: Date | null;
  readonly statusReason!: string | null;

  constructor(props: OrderProps) {
    Object.assign(this, props);
  }

  isFilled(): boolean {
    return this.status === OrderStatus.Filled;
  }

  isPartiallyFilled(): boolean {
    return this.status === OrderStatus.PartiallyFilled;
  }

  isTerminal(): boolean {
    return TERMINAL_STATUSES.has(this.status);
  }

  /** Still able to fill or change state. */
  isOpen(): boolean {
    return !this.isTerminal();
  }

  remainingQty(): Decimal {
    return this.quantity.minus(this.filledQty);
  }

  /** A copy with some fields changed; orders are values, never mutated. */
  with(changes: Partial<OrderProps>): Order {
    return new Order({ ...this, ...changes });
  }
}

export interface BracketOrderParams {
  ticker: string;
  side: OrderSide;
  quantity: Decimal;
  /** Entry leg: market, or limit at `limitPrice`. */
  entryType: typeof OrderType.Market | typeof OrderType.Limit;
  limitPrice?: Decimal;
  takeProfitPrice: Decimal;
  stopLossPrice: Decimal;
  /** Makes the stop-loss leg a stop-limit. */
  stopLossLimitPrice?: Decimal;
  timeInForce: typeof TimeInForce.Day | typeof TimeInForce.Gtc;
  clientOrderId: string;
}

/** A bracket as placed: the entry and its two exit legs (held until the entry fills). */
export interface BracketOrder {
  entryOrder: Order;
  stopLossOrder: Order | null;
  takeProfitOrder: Order | null;
}

/** A bracket's entry with its legs picked out by type, as brokers nest them. */
export function bracketOf(entry: Order): BracketOrder {
  return {
    entryOrder: entry,
    takeProfitOrder: entry.legs.find((l) => l.type === OrderType.Limit) ?? null,
    stopLossOrder: entry.legs.find((l) => l.type === OrderType.Stop || l.type === OrderType.StopLimit) ?? null,
  };
}

export interface PlaceOrderOptions {
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailPrice?: Decimal;
  trailPercent?: Decimal;
  timeInForce?: TimeInForce;
  clientOrderId: string;
}

export interface OrderFilter {
  status?: 'open' | 'closed' | 'all';
  limit?: number;
  /** Orders submitted (or, with `updatedSince`, changed) after this instant. */
  after?: Date;
  until?: Date;
  tickers?: readonly string[];
  direction?: 'asc' | 'desc';
}

/** Close part of a position: a share count or a percentage (0–100), not both. */
export type ClosePositionOptions = { qty: Decimal; percentage?: never } | { percentage: Decimal; qty?: never };

export interface Clock {
  timestamp: Date;
  isOpen: boolean;
  nextOpen: Date;
  nextClose: Date;
}

/** One trading session of the exchange calendar (times in UTC instants). */
export interface CalendarDay {
  /** YYYY-MM-DD in the exchange's time zone. */
  date: string;
  open: Date;
  close: Date;
}

export const TradeEvent = {
  New: 'new',
  Fill: 'fill',
  PartialFill: 'partial_fill',
  Canceled: 'canceled',
  Expired: 'expired',
  Rejected: 'rejected',
  Replaced: 'replaced',
  DoneForDay: 'done_for_day',
  PendingNew: 'pending_new',
  PendingCancel: 'pending_cancel',
  PendingReplace: 'pending_replace',
  Accepted: 'accepted',
  Stopped: 'stopped',
  Suspended: 'suspended',
  Calculated: 'calculated',
  OrderCancelRejected: 'order_cancel_rejected',
  OrderReplaceRejected: 'order_replace_rejected',
} as const;
export type TradeEvent = ValuesOf<typeof TradeEvent>;

export interface TradeUpdate {
  event: TradeEvent;
  order: Order;
  timestamp: Date;
  /** The execution's price and size (fills and partial fills). */
  price: Decimal | null;
  qty: Decimal | null;
  /** The position's size after this execution, signed. */
  positionQty: Decimal | null;
  /** Unique per execution: the key that makes a fill count once. */
  executionId: string | null;
}

export type TradeUpdateListener = (update: TradeUpdate) => void;

/**
 * The bot's own order and position vocabulary. The string values are the
 * ones stored in the database and spoken on the simulator's wire, so they
 * stay stable; each broker adapter maps its own vocabulary into these.
 */

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

/**
 * Where an order stands, in the bot's terms. Which status may follow which is
 * the transition table of `orderState.ts`.
 */
export const OrderStatus = {
  /** Acknowledged by the broker but not working yet (queued for the open, awaiting routing). */
  Accepted: 'accepted',
  /** A contingent order (a bracket's exit) waiting for its parent to fill. */
  Held: 'held',
  /** Working at the venue, nothing filled. */
  New: 'new',
  /** Working, some shares filled. */
  PartiallyFilled: 'partially_filled',
  Filled: 'filled',
  Canceled: 'canceled',
  Expired: 'expired',
  /** Superseded by a replacement order. */
  Replaced: 'replaced',
  Rejected: 'rejected',
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

/** The two exits of a bracket. */
export type BracketLegRole = 'stop_loss' | 'take_profit';

/** What a trade update reports happened to an order. */
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

export const ALL_ORDER_STATUSES = Object.values(OrderStatus);
export const ALL_ORDER_TYPES = Object.values(OrderType);
export const ALL_ORDER_SIDES = Object.values(OrderSide);
export const ALL_TIME_IN_FORCE = Object.values(TimeInForce);
export const ALL_ORDER_CLASSES = Object.values(OrderClass);

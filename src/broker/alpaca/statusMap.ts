/**
 * Alpaca's order statuses in the bot's vocabulary. Alpaca reports seventeen;
 * the bot follows nine (see `domain/orderState.ts`). Statuses that only say
 * something Alpaca-internal about a live order (a cancel or replace under
 * way, done for the day, stopped) become the working status its fills imply;
 * statuses that say the order is acknowledged but not yet working become
 * `accepted`.
 */
import { OrderStatus } from '../../domain/enums.js';
import type { Decimal } from '../../domain/money.js';

/** Every status Alpaca documents for an order. */
export const ALPACA_ORDER_STATUSES = [
  'new',
  'partially_filled',
  'filled',
  'done_for_day',
  'canceled',
  'expired',
  'replaced',
  'pending_cancel',
  'pending_replace',
  'accepted',
  'pending_new',
  'accepted_for_bidding',
  'stopped',
  'rejected',
  'suspended',
  'calculated',
  'held',
] as const;
export type AlpacaOrderStatus = (typeof ALPACA_ORDER_STATUSES)[number];

/** The fill figures a mapping may depend on. */
export interface AlpacaFillProgress {
  quantity: Decimal;
  filledQty: Decimal;
}

/** Live and working: partially filled once any share has filled, else new. */
const working = (p: AlpacaFillProgress): OrderStatus => (p.filledQty.gt(0) ? OrderStatus.PartiallyFilled : OrderStatus.New);
/** Acknowledged but not working yet (a fill, should one be reported, wins). */
const acknowledged = (p: AlpacaFillProgress): OrderStatus => (p.filledQty.gt(0) ? OrderStatus.PartiallyFilled : OrderStatus.Accepted);

const MAPPING: Readonly<Record<AlpacaOrderStatus, (p: AlpacaFillProgress) => OrderStatus>> = {
  new: working,
  partially_filled: () => OrderStatus.PartiallyFilled,
  filled: () => OrderStatus.Filled,
  // Done trading today; a GTC order works again tomorrow, a day order expires.
  done_for_day: working,
  canceled: () => OrderStatus.Canceled,
  expired: () => OrderStatus.Expired,
  replaced: () => OrderStatus.Replaced,
  // Still live until the venue confirms: it may fill meanwhile.
  pending_cancel: working,
  pending_replace: working,
  accepted: acknowledged,
  pending_new: acknowledged,
  accepted_for_bidding: acknowledged,
  // A guaranteed trade at a price: live, filling.
  stopped: working,
  rejected: () => OrderStatus.Rejected,
  // Not trading for now, but not finished: it may resume and fill.
  suspended: working,
  // Completed for the day with settlement figures pending: filled when every share is, else still live.
  calculated: (p) => (p.quantity.gt(0) && p.filledQty.gte(p.quantity) ? OrderStatus.Filled : working(p)),
  // A bracket's exit waiting for its entry.
  held: () => OrderStatus.Held,
};

export function isAlpacaOrderStatus(status: string): status is AlpacaOrderStatus {
  return Object.hasOwn(MAPPING, status);
}

/**
 * The bot's status for an Alpaca order. A status Alpaca adds later, unknown
 * here, is taken as live (never as finished: that would stop the bot from
 * following an order that may still fill).
 */
export function toDomainStatus(status: string, progress: AlpacaFillProgress): OrderStatus {
  return isAlpacaOrderStatus(status) ? MAPPING[status](progress) : working(progress);
}

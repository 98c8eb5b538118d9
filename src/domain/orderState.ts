/**
 * The order state machine: which status may follow which, and how a
 * broker-reported update is applied to what the bot last recorded. An update
 * that does not fit (a finished order working again, fewer shares filled than
 * before) is refused, never applied, so a stale listing or a replayed stream
 * event cannot move an order backwards. Fills are counted from the growth of
 * the cumulative filled quantity alone, so the same fill reported twice (by
 * the stream and by a listing) counts once.
 */
import { ALL_ORDER_STATUSES, OrderStatus, TERMINAL_STATUSES } from './enums.js';
import type { Decimal } from './money.js';

const S = OrderStatus;

/** What may follow a live order's status (a status may always repeat, with more shares filled). */
const LIVE_EXITS = [S.Filled, S.Canceled, S.Expired, S.Replaced] as const;

/**
 * The transition table: from each status, the statuses that may follow it.
 * Terminal statuses lead nowhere; fills only move forward (nothing goes back
 * to `new` once shares have filled).
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  [S.Held]: [S.Held, S.Accepted, S.New, S.PartiallyFilled, S.Rejected, ...LIVE_EXITS],
  [S.Accepted]: [S.Accepted, S.New, S.PartiallyFilled, S.Rejected, ...LIVE_EXITS],
  [S.New]: [S.New, S.PartiallyFilled, S.Rejected, ...LIVE_EXITS],
  [S.PartiallyFilled]: [S.PartiallyFilled, ...LIVE_EXITS],
  [S.Filled]: [S.Filled],
  [S.Canceled]: [S.Canceled],
  [S.Expired]: [S.Expired],
  [S.Replaced]: [S.Replaced],
  [S.Rejected]: [S.Rejected],
};

const ALLOWED: ReadonlyMap<OrderStatus, ReadonlySet<OrderStatus>> = new Map(ALL_ORDER_STATUSES.map((from) => [from, new Set(ORDER_TRANSITIONS[from])]));

/** Whether `to` may follow `from` (a status repeating itself always may). */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED.get(from)?.has(to) ?? false;
}

export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** The part of an order the state machine follows. */
export interface OrderFillState {
  status: OrderStatus;
  /** Cumulative shares filled. */
  filledQty: Decimal;
  /** Average price of those shares (null while none has filled, or when the broker does not say). */
  filledAvgPrice: Decimal | null;
}

/** Shares newly filled by an update, at their own average price (null: the broker gave no average). */
export interface NewFill {
  qty: Decimal;
  price: Decimal | null;
}

export type OrderUpdate =
  /** Apply it: `fill` is set only when the filled quantity grew. */
  | { kind: 'applied'; previous: OrderStatus | null; next: OrderFillState; statusChanged: boolean; fill: NewFill | null }
  /** What was recorded already: nothing to do. */
  | { kind: 'unchanged' }
  /** Does not fit what was recorded: keep the record as it is. */
  | { kind: 'refused'; reason: string };

/**
 * Applies `reported` (the broker's current view of an order) to `known`
 * (what was last recorded; null for an order never seen). Refuses a filled
 * quantity that falls and a status change the table does not allow.
 */
export function applyOrderUpdate(known: OrderFillState | null, reported: OrderFillState): OrderUpdate {
  if (reported.filledQty.isNegative()) return { kind: 'refused', reason: `filled quantity ${reported.filledQty.toFixed()} is negative` };
  if (known === null) {
    const fill = reported.filledQty.gt(0) ? { qty: reported.filledQty, price: reported.filledAvgPrice } : null;
    return { kind: 'applied', previous: null, next: reported, statusChanged: true, fill };
  }
  if (reported.filledQty.lt(known.filledQty)) {
    return { kind: 'refused', reason: `filled quantity would fall from ${known.filledQty.toFixed()} to ${reported.filledQty.toFixed()}` };
  }
  const statusChanged = reported.status !== known.status;
  // A status outside the table was recorded under an older, broker-specific
  // vocabulary: the broker's current view replaces it (fills still never fall).
  if (statusChanged && ALLOWED.has(known.status) && !canTransition(known.status, reported.status)) {
    return { kind: 'refused', reason: `${known.status} cannot become ${reported.status}` };
  }
  const grown = reported.filledQty.minus(known.filledQty);
  if (!statusChanged && grown.isZero()) return { kind: 'unchanged' };
  const fill = grown.gt(0) ? { qty: grown, price: incrementalFillPrice(known, reported) } : null;
  return { kind: 'applied', previous: known.status, next: reported, statusChanged, fill };
}

/**
 * The average price of the shares filled between two cumulative views of an
 * order, exact: positions built from several partial fills average to the
 * broker's own figure. Null when the later view has no average.
 */
export function incrementalFillPrice(
  before: { filledQty: Decimal; filledAvgPrice: Decimal | null },
  after: { filledQty: Decimal; filledAvgPrice: Decimal | null },
): Decimal | null {
  if (after.filledAvgPrice === null) return null;
  if (before.filledAvgPrice === null || before.filledQty.isZero()) return after.filledAvgPrice;
  const delta = after.filledQty.minus(before.filledQty);
  return after.filledQty.times(after.filledAvgPrice).minus(before.filledQty.times(before.filledAvgPrice)).div(delta);
}

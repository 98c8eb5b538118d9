/**
 * Position arithmetic for one execution: pure functions, no I/O. An execution
 * of `qty` at `price` either opens, grows, shrinks, closes or flips the
 * ticker's position; every figure stays exact.
 */
import { type Decimal, ZERO } from '../domain/money.js';
import type { OrderSide, PositionSide } from '../domain/enums.js';
import { openPnl } from '../domain/position.js';
import type { ClosedPositionRecord, ExitReason, PositionRecord } from '../domain/records.js';

export function unrealizedPnl(side: PositionSide, quantity: Decimal, entry: Decimal, last: Decimal): Decimal {
  const perShare = side === 'long' ? last.minus(entry) : entry.minus(last);
  return perShare.times(quantity);
}

/** The direction an order's fill pushes a position. */
export function sideOpenedBy(orderSide: OrderSide): PositionSide {
  return orderSide === 'buy' ? 'long' : 'short';
}

export interface Execution {
  orderId: string;
  side: OrderSide;
  qty: Decimal;
  price: Decimal;
  at: Date;
}

export interface OpenPlan {
  positionId: string;
  ticker: string;
  signalId: string | null;
  strategy: string | null;
  stopLossPrice: Decimal | null;
  takeProfitPrice: Decimal | null;
  stopLossOrderId: string | null;
  takeProfitOrderId: string | null;
}

export function openFrom(exec: Execution, plan: OpenPlan): PositionRecord {
  return {
    positionId: plan.positionId,
    ticker: plan.ticker,
    side: sideOpenedBy(exec.side),
    quantity: exec.qty,
    entryPrice: exec.price,
    currentPrice: exec.price,
    unrealizedPnl: ZERO,
    exitedQty: ZERO,
    exitValue: ZERO,
    realizedPnl: ZERO,
    entryValue: exec.qty.times(exec.price),
    stopLossPrice: plan.stopLossPrice,
    takeProfitPrice: plan.takeProfitPrice,
    signalId: plan.signalId,
    strategy: plan.strategy,
    entryOrderId: exec.orderId,
    stopLossOrderId: plan.stopLossOrderId,
    takeProfitOrderId: plan.takeProfitOrderId,
    openedAt: exec.at,
    updatedAt: exec.at,
  };
}

/**
 * Adds shares on the position's own side: the entry becomes the weighted
 * average (entry value over shares while nothing has been exited).
 */
export function grow(position: PositionRecord, exec: Execution): PositionRecord {
  const quantity = position.quantity.plus(exec.qty);
  const entryValue = position.entryValue.plus(exec.qty.times(exec.price));
  const entryPrice = position.exitedQty.isZero()
    ? entryValue.div(quantity)
    : position.quantity.times(position.entryPrice).plus(exec.qty.times(exec.price)).div(quantity);
  const grown = { ...position, quantity, entryPrice, entryValue, updatedAt: exec.at };
  return { ...grown, unrealizedPnl: openPnl(grown, position.currentPrice) };
}

export type ReduceOutcome = { kind: 'reduced'; position: PositionRecord } | { kind: 'closed'; closed: ClosedPositionRecord; remainder: Decimal };

/**
 * Takes shares off the position. At zero it is closed: one closed row with
 * every exit so far (average entry and exit prices, whole realized P&L, which
 * is exit value minus entry value: exact, however many fills made either
 * side); shares beyond the position (a flip) come back as `remainder`.
 */
export function reduce(position: PositionRecord, exec: Execution, reason: ExitReason): ReduceOutcome {
  const qty = minOf(exec.qty, position.quantity);
  const realized = unrealizedPnl(position.side, qty, position.entryPrice, exec.price);
  const exitedQty = position.exitedQty.plus(qty);
  const exitValue = position.exitValue.plus(qty.times(exec.price));
  const realizedPnl = position.realizedPnl.plus(realized);
  const quantity = position.quantity.minus(qty);
  if (quantity.gt(0)) {
    const reduced = { ...position, quantity, exitedQty, exitValue, realizedPnl, currentPrice: exec.price, updatedAt: exec.at };
    return { kind: 'reduced', position: { ...reduced, unrealizedPnl: openPnl(reduced, exec.price) } };
  }
  const costBasis = position.entryValue;
  const roundTrip = position.side === 'long' ? exitValue.minus(costBasis) : costBasis.minus(exitValue);
  return {
    kind: 'closed',
    remainder: exec.qty.minus(qty),
    closed: {
      positionId: position.positionId,
      ticker: position.ticker,
      side: position.side,
      quantity: exitedQty,
      entryPrice: costBasis.div(exitedQty),
      exitPrice: exitValue.div(exitedQty),
      realizedPnl: roundTrip,
      realizedPnlPct: costBasis.isZero() ? ZERO : roundTrip.div(costBasis),
      exitReason: reason,
      signalId: position.signalId,
      strategy: position.strategy,
      exitOrderId: exec.orderId,
      entryOrderId: position.entryOrderId,
      openedAt: position.openedAt,
      closedAt: exec.at,
    },
  };
}

function minOf(a: Decimal, b: Decimal): Decimal {
  return a.lt(b) ? a : b;
}

/** Stop and target checks on the last price (mirrored for shorts). */
export function stopHit(p: Pick<PositionRecord, 'side' | 'stopLossPrice' | 'currentPrice'>): boolean {
  if (p.stopLossPrice === null) return false;
  return p.side === 'long' ? p.currentPrice.lte(p.stopLossPrice) : p.currentPrice.gte(p.stopLossPrice);
}

export function targetHit(p: Pick<PositionRecord, 'side' | 'takeProfitPrice' | 'currentPrice'>): boolean {
  if (p.takeProfitPrice === null) return false;
  return p.side === 'long' ? p.currentPrice.gte(p.takeProfitPrice) : p.currentPrice.lte(p.takeProfitPrice);
}

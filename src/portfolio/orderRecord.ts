/** An order as the bot records it: the broker's order plus why the bot sent it. */
import type { Order } from '../domain/order.js';
import type { Decimal } from '../domain/money.js';
import { type OrderStatus, TERMINAL_STATUSES } from '../domain/enums.js';
import type { ExecutedOrderRecord, ExitReason, OrderContext } from '../domain/records.js';

export function recordFromOrder(order: Order, context: OrderContext = {}): ExecutedOrderRecord {
  return {
    orderId: order.id,
    clientOrderId: order.clientOrderId,
    ticker: order.ticker,
    signalId: context.signalId ?? null,
    side: order.side,
    quantity: order.quantity,
    orderType: order.type,
    orderClass: order.orderClass,
    parentOrderId: order.parentOrderId,
    limitPrice: order.limitPrice,
    stopPrice: order.stopPrice,
    trailPrice: order.trailPrice,
    trailPercent: order.trailPercent,
    timeInForce: order.timeInForce,
    status: order.status,
    filledQty: order.filledQty,
    filledAvgPrice: order.filledAvgPrice,
    signalPrice: context.signalPrice ?? null,
    leg: context.leg ?? null,
    statusReason: order.statusReason,
    positionId: context.positionId ?? null,
    exitReason: context.exitReason ?? null,
    plannedStopLoss: context.plannedStopLoss ?? null,
    plannedTakeProfit: context.plannedTakeProfit ?? null,
    strategy: context.strategy ?? null,
    submittedAt: order.submittedAt,
    filledAt: order.filledAt,
    updatedAt: order.updatedAt,
  };
}

/** A working order as the monitor (progress) and the risk checks (pending entries) see it. */
export interface WorkingOrder {
  orderId: string;
  status: OrderStatus;
  ticker: string;
  quantity: Decimal;
  filledQty: Decimal;
  parentOrderId: string | null;
  exitReason: ExitReason | null;
  /** Limit price, else the signal's price, else the stop; null when none is known. */
  expectedPrice: Decimal | null;
  submittedAt: Date;
}

export function workingOrderOf(r: ExecutedOrderRecord): WorkingOrder {
  return {
    orderId: r.orderId,
    status: r.status,
    ticker: r.ticker,
    quantity: r.quantity,
    filledQty: r.filledQty,
    parentOrderId: r.parentOrderId,
    exitReason: r.exitReason,
    expectedPrice: r.limitPrice ?? r.signalPrice ?? r.stopPrice,
    submittedAt: r.submittedAt,
  };
}

/** An entry still waiting for its first fill (what risk counts as pending): top-level, not an exit, nothing filled. */
export function isPendingEntry(o: WorkingOrder): boolean {
  return o.parentOrderId === null && o.exitReason === null && o.filledQty.isZero();
}

/** Still able to fill: what the monitor refreshes. */
export function isWorking(record: Pick<ExecutedOrderRecord, 'status'>): boolean {
  return !TERMINAL_STATUSES.has(record.status);
}

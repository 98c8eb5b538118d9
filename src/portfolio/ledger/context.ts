/** Why an order seen for the first time was sent: what its record keeps beside the broker's view. */
import type { ExecutedOrderRecord, OrderContext } from '../../domain/records.js';
import type { Repositories } from '../../domain/ports/store.js';
import type { Order } from '../../domain/order.js';

/** A bracket leg's context: its entry's signal and strategy, and which exit it is (as its adapter says). */
export function legContext(parent: Pick<ExecutedOrderRecord, 'signalId' | 'strategy'>, leg: Order): OrderContext {
  return { signalId: parent.signalId, leg: leg.legRole ?? null, strategy: parent.strategy };
}

/**
 * The context of an order: the one given, else the one registered before it
 * was sent, else its parent's (a leg), else the plan written before a send a
 * crash interrupted; none for an order the bot did not send.
 */
export async function contextFor(
  tx: Repositories,
  order: Order,
  given: OrderContext | undefined,
  expected: OrderContext | undefined,
  known: (orderId: string) => Promise<ExecutedOrderRecord | null>,
): Promise<OrderContext> {
  if (given) return given;
  if (expected) return expected;
  if (order.parentOrderId !== null) {
    const parent = await known(order.parentOrderId);
    if (parent) return legContext(parent, order);
  }
  const plan = await tx.executions.getByClientOrderId(order.clientOrderId);
  if (plan) {
    return {
      signalId: plan.signalId,
      signalPrice: plan.signalPrice,
      leg: order.orderClass === 'bracket' ? 'entry' : null,
      plannedStopLoss: plan.stopLossPrice,
      plannedTakeProfit: plan.takeProfitPrice,
      strategy: plan.strategy,
    };
  }
  return {};
}

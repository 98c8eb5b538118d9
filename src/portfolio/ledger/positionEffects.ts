/**
 * What one execution does to the ticker's position inside a ledger
 * transaction: opens it, grows it, reduces it, closes it or flips it, with
 * the events that follow. The arithmetic itself is `fills.ts`.
 */
import type { ExecutedOrderRecord, ExitReason, PositionRecord } from '../../domain/records.js';
import type { TradingEvent } from '../../domain/events.js';
import { bracketOf, type Order } from '../../domain/order.js';
import { type Execution, grow, openFrom, reduce, sideOpenedBy } from '../fills.js';
import type { StagedWrites } from './staging.js';

/** The transaction an execution is applied in. */
export interface EffectScope {
  staged: StagedWrites;
  /** An order's record as this transaction or the last commit left it, if known without a read. */
  cached: (orderId: string) => ExecutedOrderRecord | undefined;
  /** Events to send once the transaction commits. */
  emitted: TradingEvent[];
}

function exitReasonOf(record: ExecutedOrderRecord): ExitReason {
  if (record.leg === 'stop_loss' || record.leg === 'take_profit') return record.leg;
  return record.exitReason ?? 'external';
}

/** One execution against the ticker's position; returns the position as left open (null: none). */
export async function applyExecution(scope: EffectScope, order: Order, record: ExecutedOrderRecord, exec: Execution): Promise<PositionRecord | null> {
  const { staged } = scope;
  const position = await staged.positionOf(record.ticker);
  if (!position) return open(scope, record, exec, `pos-${record.orderId}`, await legsOf(scope, order, record));
  if (sideOpenedBy(exec.side) === position.side) {
    const grown = grow(position, exec);
    await staged.savePosition(grown, 'update');
    return grown;
  }
  const outcome = reduce(position, exec, exitReasonOf(record));
  if (outcome.kind === 'reduced') {
    await staged.savePosition(outcome.position, 'update');
    return outcome.position;
  }
  await staged.closePosition(outcome.closed);
  scope.emitted.push({ kind: 'position_closed', closed: outcome.closed, at: exec.at });
  // Legs still working for a closed position are the broker's to cancel (OCO); nothing more is sent here.
  if (outcome.remainder.gt(0)) {
    // Sold through zero: the rest is a new position the other way, with no plan.
    const unplanned = { ...record, plannedStopLoss: null, plannedTakeProfit: null, strategy: 'external' };
    return open(scope, unplanned, { ...exec, qty: outcome.remainder }, `pos-${record.orderId}-flip`, []);
  }
  return null;
}

/** A bracket entry's recorded legs: from the cache when the broker's view names them all, else read. */
async function legsOf(scope: EffectScope, order: Order, record: ExecutedOrderRecord): Promise<readonly ExecutedOrderRecord[]> {
  if (record.leg !== 'entry') return [];
  const cached = order.legs.map((l) => scope.cached(l.id));
  if (order.legs.length > 0 && cached.every((l) => l !== undefined)) return cached as ExecutedOrderRecord[];
  await scope.staged.writeRows(); // legs staged in this transaction must be there to be listed
  return scope.staged.tx.orders.listChildren(record.orderId);
}

async function open(
  scope: EffectScope,
  record: ExecutedOrderRecord,
  exec: Execution,
  positionId: string,
  legs: readonly ExecutedOrderRecord[],
): Promise<PositionRecord> {
  const stopLeg = legs.find((l) => l.leg === 'stop_loss') ?? null;
  const targetLeg = legs.find((l) => l.leg === 'take_profit') ?? null;
  const external = record.signalId === null && record.strategy === null && record.leg === null;
  const position = openFrom(exec, {
    positionId,
    ticker: record.ticker,
    signalId: record.signalId,
    strategy: record.strategy ?? (external ? 'external' : null),
    stopLossPrice: stopLeg?.stopPrice ?? record.plannedStopLoss,
    takeProfitPrice: targetLeg?.limitPrice ?? record.plannedTakeProfit,
    stopLossOrderId: stopLeg?.orderId ?? null,
    takeProfitOrderId: targetLeg?.orderId ?? null,
  });
  await scope.staged.savePosition(position, 'insert');
  scope.emitted.push({ kind: 'position_opened', position, at: exec.at });
  return position;
}

/** A position opened by an entry seen for the first time learns its legs once they are recorded. */
export async function linkLegs(staged: StagedWrites, entry: Order): Promise<void> {
  const position = await staged.positionOf(entry.ticker);
  if (!position || position.entryOrderId !== entry.id) return;
  if (position.stopLossOrderId !== null || position.takeProfitOrderId !== null) return;
  const { stopLossOrder, takeProfitOrder } = bracketOf(entry);
  await staged.savePosition(
    {
      ...position,
      stopLossOrderId: stopLossOrder?.id ?? null,
      takeProfitOrderId: takeProfitOrder?.id ?? null,
      stopLossPrice: position.stopLossPrice ?? stopLossOrder?.stopPrice ?? null,
      takeProfitPrice: position.takeProfitPrice ?? takeProfitOrder?.limitPrice ?? null,
    },
    'update',
  );
}

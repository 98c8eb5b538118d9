/**
 * Reconciliation's corrections to a position, as pure functions: the broker
 * is the truth about what is held, these say what the record becomes. The
 * ledger writes them in its queue.
 */
import type { Decimal } from '../../domain/money.js';
import type { Position } from '../../domain/position.js';
import type { ClosedPositionRecord, PositionRecord } from '../../domain/records.js';
import { openFrom, reduce } from '../fills.js';

/** A position the broker no longer holds, closed outside the bot at `price` (null: nothing left to close). */
export function closedExternally(current: PositionRecord, price: Decimal, at: Date): ClosedPositionRecord | null {
  const outcome = reduce(current, { orderId: '', side: current.side === 'long' ? 'sell' : 'buy', qty: current.quantity, price, at }, 'external');
  return outcome.kind === 'closed' ? { ...outcome.closed, exitOrderId: null } : null;
}

/** A position at the broker the bot never recorded, taken as it is (strategy `external`, no plan). */
export function adopted(broker: Position, at: Date): PositionRecord {
  return {
    ...openFrom(
      { orderId: '', side: broker.side === 'long' ? 'buy' : 'sell', qty: broker.quantity, price: broker.avgEntryPrice, at },
      {
        positionId: `ext-${broker.ticker}-${at.getTime()}`,
        ticker: broker.ticker,
        signalId: null,
        strategy: 'external',
        stopLossPrice: null,
        takeProfitPrice: null,
        stopLossOrderId: null,
        takeProfitOrderId: null,
      },
    ),
    entryOrderId: null,
    currentPrice: broker.currentPrice,
    unrealizedPnl: broker.unrealizedPnl,
  };
}

/** The broker's size, side and average entry taken over; what the exited shares cost stays. */
export function resynced(current: PositionRecord, broker: Position, at: Date): PositionRecord {
  const exitedCost = current.side === 'long' ? current.exitValue.minus(current.realizedPnl) : current.exitValue.plus(current.realizedPnl);
  return {
    ...current,
    side: broker.side,
    quantity: broker.quantity,
    entryPrice: broker.avgEntryPrice,
    entryValue: broker.quantity.times(broker.avgEntryPrice).plus(exitedCost),
    currentPrice: broker.currentPrice,
    unrealizedPnl: broker.unrealizedPnl,
    updatedAt: at,
  };
}

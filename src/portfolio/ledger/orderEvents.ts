/** The events an order's recorded change stands for (the position's own events come from its effects). */
import type { ExecutedOrderRecord } from '../../domain/records.js';
import type { TradingEvent } from '../../domain/events.js';
import type { Decimal } from '../../domain/money.js';

const STATUS_EVENTS: Partial<Record<string, 'order_rejected' | 'order_canceled' | 'order_expired'>> = {
  rejected: 'order_rejected',
  canceled: 'order_canceled',
  expired: 'order_expired',
};

/**
 * A fill (new shares, at their own price) is reported as one; otherwise a
 * status that just became rejected, canceled or expired is; anything else
 * says nothing.
 */
export function orderEventOf(
  record: ExecutedOrderRecord,
  change: { statusChanged: boolean; fill: { qty: Decimal; price: Decimal } | null },
  at: Date,
): TradingEvent | null {
  if (change.fill) {
    const kind = record.status === 'filled' ? 'order_filled' : 'order_partially_filled';
    return { kind, order: record, fillQty: change.fill.qty, fillPrice: change.fill.price, at };
  }
  const kind = change.statusChanged ? STATUS_EVENTS[record.status] : undefined;
  return kind ? { kind, order: record, at } : null;
}

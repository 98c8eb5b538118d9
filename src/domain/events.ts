/**
 * What the engine tells the rest of the product: fills, closes, halts. The
 * monitor turns these into channel alerts; tests and the example print them.
 * Listeners run synchronously and must not throw into the engine.
 */
import type { Decimal } from './money.js';
import type { ClosedPositionRecord, ExecutedOrderRecord, PositionRecord } from './records.js';

export type TradingEvent =
  /** `fillQty` shares filled since the order was last seen, at `fillPrice` (their own average, not the order's). */
  | { kind: 'order_filled' | 'order_partially_filled'; order: ExecutedOrderRecord; fillQty: Decimal; fillPrice: Decimal; at: Date }
  | { kind: 'order_rejected' | 'order_canceled' | 'order_expired'; order: ExecutedOrderRecord; at: Date }
  | { kind: 'position_opened'; position: PositionRecord; at: Date }
  | { kind: 'position_closed'; closed: ClosedPositionRecord; at: Date }
  | { kind: 'halted'; reason: string; by: string; limit: string | null; at: Date }
  | { kind: 'resumed'; by: string; at: Date };

export type TradingEventListener = (event: TradingEvent) => void;

export class TradingEvents {
  private readonly listeners = new Set<TradingEventListener>();

  on(listener: TradingEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: TradingEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (an alert sink) must not undo a recorded fill.
      }
    }
  }
}

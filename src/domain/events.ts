/**
 * What the engine tells the rest of the product: fills, closes, marks, halts. The
 * monitor turns these into channel alerts; tests and the example print them.
 * Listeners run synchronously and must not throw into the engine.
 */
import { Listeners } from './listeners.js';
import type { PositionSide } from './enums.js';
import type { Decimal } from './money.js';
import type { ClosedPositionRecord, ExecutedOrderRecord, PositionRecord } from './records.js';

export type TradingEvent =
  /** `fillQty` shares filled since the order was last seen, at `fillPrice` (their own average, not the order's). */
  | { kind: 'order_filled' | 'order_partially_filled'; order: ExecutedOrderRecord; fillQty: Decimal; fillPrice: Decimal; at: Date }
  | { kind: 'order_rejected' | 'order_canceled' | 'order_expired'; order: ExecutedOrderRecord; at: Date }
  | { kind: 'position_opened'; position: PositionRecord; at: Date }
  | { kind: 'position_closed'; closed: ClosedPositionRecord; at: Date }
  /** Trading stopped: no entries (HALTED), or exits and reductions only (REDUCING). */
  | { kind: 'halted'; state: 'HALTED' | 'REDUCING'; reason: string; by: string; limit: string | null; at: Date }
  | { kind: 'resumed'; by: string; at: Date }
  /** An open position's stop and/or target moved (at the broker, or kept by the bot where no leg works). */
  | {
      kind: 'position_modified';
      ticker: string;
      side: PositionSide;
      by: string;
      stopLoss: { previous: Decimal | null; current: Decimal | null };
      takeProfit: { previous: Decimal | null; current: Decimal | null };
      /** Legs replaced at the broker, and levels the bot now watches itself. */
      replacedLegs: number;
      monitored: readonly ('stop_loss' | 'take_profit')[];
      at: Date;
    }
  /** The broker refused the exit a stop or target sent (the position stays open): `error` is the broker's reason. */
  | { kind: 'exit_refused'; position: PositionRecord; reason: 'stop_loss' | 'take_profit'; error: string; at: Date }
  /** Open positions were marked to new prices (a monitor cycle, a simulator move): their last price and P&L changed. */
  | { kind: 'positions_marked'; at: Date };

export type TradingEventListener = (event: TradingEvent) => void;

/** A broken listener (an alert sink) must not undo a recorded fill: Listeners keeps it from reaching the engine. */
export class TradingEvents {
  private readonly listeners = new Listeners<TradingEvent>();

  on(listener: TradingEventListener): () => void {
    return this.listeners.add(listener);
  }

  /** How many listeners are subscribed: a listener that unsubscribes when idle costs nothing, and this shows it. */
  listenerCount(): number {
    return this.listeners.size;
  }

  emit(event: TradingEvent): void {
    this.listeners.emit(event);
  }
}

/** An order as the broker reports it, in the bot's vocabulary: amounts are Decimals, times Dates. */
import type { Decimal } from './money.js';
import { type BracketLegRole, type OrderClass, type OrderSide, OrderStatus, type OrderType, TERMINAL_STATUSES, type TimeInForce } from './enums.js';

export interface OrderProps {
  id: string;
  clientOrderId: string;
  ticker: string;
  side: OrderSide;
  type: OrderType;
  orderClass: OrderClass;
  timeInForce: TimeInForce;
  /** Null only for notional orders, which this product does not send. */
  quantity: Decimal;
  filledQty: Decimal;
  filledAvgPrice: Decimal | null;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  trailPrice: Decimal | null;
  trailPercent: Decimal | null;
  /** Trailing stops: the high (or low) water mark the stop follows. */
  highWaterMark: Decimal | null;
  status: OrderStatus;
  parentOrderId: string | null;
  /** Bracket / OCO / OTO children, as the broker nests them. */
  legs: readonly Order[];
  /**
   * For a child of a bracket: which exit it is. The adapter sets it from what
   * its broker says, so the core never guesses a leg from an order type.
   */
  legRole?: BracketLegRole | null;
  submittedAt: Date;
  updatedAt: Date;
  filledAt: Date | null;
  canceledAt: Date | null;
  expiredAt: Date | null;
  /** Why the broker rejected or canceled it, when it says. */
  statusReason: string | null;
}

export class Order implements OrderProps {
  readonly id!: string;
  readonly clientOrderId!: string;
  readonly ticker!: string;
  readonly side!: OrderSide;
  readonly type!: OrderType;
  readonly orderClass!: OrderClass;
  readonly timeInForce!: TimeInForce;
  readonly quantity!: Decimal;
  readonly filledQty!: Decimal;
  readonly filledAvgPrice!: Decimal | null;
  readonly limitPrice!: Decimal | null;
  readonly stopPrice!: Decimal | null;
  readonly trailPrice!: Decimal | null;
  readonly trailPercent!: Decimal | null;
  readonly highWaterMark!: Decimal | null;
  readonly status!: OrderStatus;
  readonly parentOrderId!: string | null;
  readonly legs!: readonly Order[];
  readonly legRole?: BracketLegRole | null;
  readonly submittedAt!: Date;
  readonly updatedAt!: Date;
  readonly filledAt!: Date | null;
  readonly canceledAt!: Date | null;
  readonly expiredAt!: Date | null;
  readonly statusReason!: string | null;

  constructor(props: OrderProps) {
    Object.assign(this, props);
  }

  isFilled(): boolean {
    return this.status === OrderStatus.Filled;
  }

  isPartiallyFilled(): boolean {
    return this.status === OrderStatus.PartiallyFilled;
  }

  isTerminal(): boolean {
    return TERMINAL_STATUSES.has(this.status);
  }

  /** Still able to fill or change state. */
  isOpen(): boolean {
    return !this.isTerminal();
  }

  remainingQty(): Decimal {
    return this.quantity.minus(this.filledQty);
  }

  /** A copy with some fields changed; orders are values, never mutated. */
  with(changes: Partial<OrderProps>): Order {
    return new Order({ ...this, ...changes });
  }
}

/** A bracket as placed: the entry and its two exit legs (held until the entry fills). */
export interface BracketOrder {
  entryOrder: Order;
  stopLossOrder: Order | null;
  takeProfitOrder: Order | null;
}

/**
 * A bracket's entry with its two exits picked out of its legs, by the role
 * the adapter gave each (never guessed from an order type: brokers differ).
 */
export function bracketOf(entry: Order): BracketOrder {
  return {
    entryOrder: entry,
    takeProfitOrder: entry.legs.find((l) => l.legRole === 'take_profit') ?? null,
    stopLossOrder: entry.legs.find((l) => l.legRole === 'stop_loss') ?? null,
  };
}

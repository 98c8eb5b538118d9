/** An open position as the broker reports it, and the valuation rules shared by every layer. */
import type { Decimal } from './money.js';
import { OrderSide, PositionSide } from './enums.js';

export interface PositionProps {
  ticker: string;
  side: PositionSide;
  /** Always positive; `side` carries the direction. */
  quantity: Decimal;
  avgEntryPrice: Decimal;
  currentPrice: Decimal;
  /** Signed: negative for a short, as Alpaca reports it. */
  marketValue: Decimal;
  costBasis: Decimal;
  unrealizedPnl: Decimal;
  /** Ratio of cost basis (0.05 = 5%). */
  unrealizedPnlPct: Decimal;
}

export class Position implements PositionProps {
  readonly ticker!: string;
  readonly side!: PositionSide;
  readonly quantity!: Decimal;
  readonly avgEntryPrice!: Decimal;
  readonly currentPrice!: Decimal;
  readonly marketValue!: Decimal;
  readonly costBasis!: Decimal;
  readonly unrealizedPnl!: Decimal;
  readonly unrealizedPnlPct!: Decimal;

  constructor(props: PositionProps) {
    Object.assign(this, props);
  }

  isLong(): boolean {
    return this.side === PositionSide.Long;
  }

  /** The side of the order that closes this position. */
  closingSide(): OrderSide {
    return this.isLong() ? OrderSide.Sell : OrderSide.Buy;
  }
}

/** What a held position is made of, for valuing it (a stored position record has these fields). */
export interface HeldShares {
  side: PositionSide;
  quantity: Decimal;
  entryPrice: Decimal;
  /** The exact sum of the entry fills. */
  entryValue: Decimal;
  /** Shares already exited (a partial close). */
  exitedQty: Decimal;
}

/**
 * What the shares held cost (positive for either side): the exact sum of the
 * entry fills while nothing has been exited, else shares × average entry.
 */
export function costBasisOf(p: Omit<HeldShares, 'side'>): Decimal {
  return p.exitedQty.isZero() ? p.entryValue : p.quantity.times(p.entryPrice);
}

/** Unrealized P&L of the shares held at `last`: market value against cost, mirrored for a short. */
export function openPnl(p: HeldShares, last: Decimal): Decimal {
  const value = p.quantity.times(last);
  const cost = costBasisOf(p);
  return p.side === 'long' ? value.minus(cost) : cost.minus(value);
}

/** Signed like Alpaca's: a short's market value is negative. */
export function marketValueOf(p: { quantity: Decimal; currentPrice: Decimal; side: PositionSide }): Decimal {
  const value = p.quantity.times(p.currentPrice);
  return p.side === 'short' ? value.negated() : value;
}

/** P&L as a ratio of the cost basis (0 for a zero basis). */
export function pnlRatio(pnl: Decimal, costBasis: Decimal): Decimal {
  return costBasis.isZero() ? costBasis : pnl.div(costBasis);
}

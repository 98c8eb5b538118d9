/**
 * The paper account's books: cash and net positions, moved by fills. Long
 * and short, averaging on adds, realizing P&L on reductions, flipping sides
 * through zero. Pure Decimal arithmetic; no orders, no time.
 */
import { Decimal, ZERO } from '../../domain/money.js';
import type { OrderSide } from '../../domain/enums.js';

export interface Holding {
  /** Signed: positive long, negative short. */
  qty: Decimal;
  avgEntryPrice: Decimal;
}

export interface FillResult {
  /** P&L realized by the part of the fill that reduced the position. */
  realizedPnl: Decimal;
  /** Signed position after the fill. */
  positionQty: Decimal;
  /** True when the fill reduced (or closed) an existing position. */
  reduced: boolean;
}

/** A holding as stored: `seq` keeps the order holdings were opened in across a restart. */
export interface LedgerHoldingRow {
  ticker: string;
  seq: number;
  qty: Decimal;
  avgEntryPrice: Decimal;
}

export class Ledger {
  cash: Decimal;
  /** Realized P&L since the account opened. */
  realizedPnl: Decimal = ZERO;
  private readonly holdings = new Map<string, Holding>();
  /** When each holding was opened, relative to the others. */
  private readonly seqOf = new Map<string, number>();
  private nextSeq = 0;

  constructor(startingCash: Decimal) {
    this.cash = startingCash;
  }

  holding(ticker: string): Holding | null {
    return this.holdings.get(ticker) ?? null;
  }

  tickers(): string[] {
    return [...this.holdings.keys()];
  }

  /** Books a fill of `qty` (positive) at `price`, paying `commission`. */
  apply(ticker: string, side: OrderSide, qty: Decimal, price: Decimal, commission: Decimal): FillResult {
    const signed = side === 'buy' ? qty : qty.neg();
    this.cash = this.cash.minus(signed.times(price)).minus(commission);
    const before = this.holdings.get(ticker) ?? { qty: ZERO, avgEntryPrice: ZERO };
    const after = before.qty.plus(signed);
    let realized = ZERO;
    let avg = before.avgEntryPrice;
    const reduces = !before.qty.isZero() && before.qty.isPositive() !== signed.isPositive();
    if (reduces) {
      const closedQty = Decimal.min(qty, before.qty.abs());
      // Long: (exit - entry) x qty; short: (entry - exit) x qty.
      const perShare = before.qty.isPositive() ? price.minus(before.avgEntryPrice) : before.avgEntryPrice.minus(price);
      realized = perShare.times(closedQty);
      // Through zero: the remainder opens the other side at the fill price.
      if (!after.isZero() && after.isPositive() !== before.qty.isPositive()) avg = price;
    } else {
      avg = before.qty.abs().times(before.avgEntryPrice).plus(qty.times(price)).div(after.abs());
    }
    this.realizedPnl = this.realizedPnl.plus(realized);
    if (after.isZero()) {
      this.holdings.delete(ticker);
      this.seqOf.delete(ticker);
    } else {
      if (!this.seqOf.has(ticker)) this.seqOf.set(ticker, this.nextSeq++);
      this.holdings.set(ticker, { qty: after, avgEntryPrice: avg });
    }
    return { realizedPnl: realized, positionQty: after, reduced: reduces };
  }

  /** Market value of all holdings at `priceOf` (shorts negative). */
  marketValue(priceOf: (ticker: string) => Decimal): { long: Decimal; short: Decimal } {
    let long = ZERO;
    let short = ZERO;
    for (const [ticker, h] of this.holdings) {
      const value = h.qty.times(priceOf(ticker));
      if (h.qty.isPositive()) long = long.plus(value);
      else short = short.plus(value);
    }
    return { long, short };
  }

  /** One holding with its opening order, or null when flat. */
  row(ticker: string): LedgerHoldingRow | null {
    const h = this.holdings.get(ticker);
    return h ? { ticker, seq: this.seqOf.get(ticker) ?? 0, qty: h.qty, avgEntryPrice: h.avgEntryPrice } : null;
  }

  /** Replaces the books: cash, realized P&L and the holdings (in any order; `seq` orders them). */
  restore(cash: Decimal, realizedPnl: Decimal, rows: readonly LedgerHoldingRow[]): void {
    this.cash = cash;
    this.realizedPnl = realizedPnl;
    this.holdings.clear();
    this.seqOf.clear();
    this.nextSeq = 0;
    for (const r of [...rows].sort((a, b) => a.seq - b.seq)) {
      this.holdings.set(r.ticker, { qty: r.qty, avgEntryPrice: r.avgEntryPrice });
      this.seqOf.set(r.ticker, r.seq);
      this.nextSeq = Math.max(this.nextSeq, r.seq + 1);
    }
  }
}

/** A broker account as the bot sees it: every amount a Decimal. */
import type { Decimal } from './money.js';

export interface AccountProps {
  id: string;
  accountNumber: string;
  status: string;
  currency: string;
  cash: Decimal;
  equity: Decimal;
  /** Equity at the previous close: the base of day P&L. */
  lastEquity: Decimal;
  buyingPower: Decimal;
  longMarketValue: Decimal;
  shortMarketValue: Decimal;
  /** 1 = cash account; 2 or 4 = margin. */
  multiplier: Decimal;
  daytradeCount: number;
  patternDayTrader: boolean;
  tradingBlocked: boolean;
}

export class Account implements AccountProps {
  readonly id!: string;
  readonly accountNumber!: string;
  readonly status!: string;
  readonly currency!: string;
  readonly cash!: Decimal;
  readonly equity!: Decimal;
  readonly lastEquity!: Decimal;
  readonly buyingPower!: Decimal;
  readonly longMarketValue!: Decimal;
  readonly shortMarketValue!: Decimal;
  readonly multiplier!: Decimal;
  readonly daytradeCount!: number;
  readonly patternDayTrader!: boolean;
  readonly tradingBlocked!: boolean;

  constructor(props: AccountProps) {
    Object.assign(this, props);
  }

  /** Today's change in equity, in dollars. */
  dayPnl(): Decimal {
    return this.equity.minus(this.lastEquity);
  }

  /** Today's change as a ratio of yesterday's equity (0 when there was none). */
  dayPnlPct(): Decimal {
    return this.lastEquity.isZero() ? this.lastEquity : this.dayPnl().div(this.lastEquity);
  }
}

/** Figures the dashboard derives, and the JSON shapes of /api/* (amounts as exact decimal strings). */
import type { AccountSummary } from '../app/OperatorService.js';
import type { Decimal } from '../domain/money.js';
import type { PositionRecord, TradingState } from '../domain/records.js';

/** Unrealized P&L over what the open shares cost (0 for a position with no cost basis), as `positionsView` shows it. */
export function positionPnlRatio(p: Pick<PositionRecord, 'quantity' | 'entryPrice' | 'unrealizedPnl'>): Decimal {
  const basis = p.quantity.times(p.entryPrice);
  return basis.isZero() ? basis : p.unrealizedPnl.div(basis);
}

const amount = (d: Decimal): string => d.toFixed();
const orNull = (d: Decimal | null): string | null => (d === null ? null : d.toFixed());
/** A ratio (0.01 = 1%) is a quotient, often without an exact decimal form: six places, the rounding stated in docs/dashboard.md. */
const ratio = (d: Decimal): string => d.toDecimalPlaces(6).toFixed();

function tradingJson(t: TradingState) {
  return { state: t.state, reason: t.reason, changed_by: t.changedBy, changed_at: t.changedAt.toISOString() };
}

export function accountJson({ account, mode, trading }: AccountSummary) {
  return {
    mode,
    equity: amount(account.equity),
    cash: amount(account.cash),
    buying_power: amount(account.buyingPower),
    last_equity: amount(account.lastEquity),
    day_pnl: amount(account.dayPnl()),
    day_pnl_ratio: ratio(account.dayPnlPct()),
    long_market_value: amount(account.longMarketValue),
    short_market_value: amount(account.shortMarketValue),
    trading: tradingJson(trading),
  };
}

export function positionJson(p: PositionRecord) {
  return {
    ticker: p.ticker,
    side: p.side,
    quantity: amount(p.quantity),
    entry_price: amount(p.entryPrice),
    current_price: amount(p.currentPrice),
    unrealized_pnl: amount(p.unrealizedPnl),
    unrealized_pnl_ratio: ratio(positionPnlRatio(p)),
    stop_loss: orNull(p.stopLossPrice),
    take_profit: orNull(p.takeProfitPrice),
    strategy: p.strategy,
    signal_id: p.signalId,
    opened_at: p.openedAt.toISOString(),
  };
}

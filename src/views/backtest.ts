/** The operator's backtest as a view: the replay's figures and what was actually done beside them. */
import type { BacktestReport } from '../app/OperatorService.js';
import { type Decimal, formatNumber, formatUsd } from '../domain/money.js';
import type { View } from './view.js';
import { signed } from './format.js';

export { BACKTEST_SIZINGS, DEFAULT_BACKTEST_DAYS, MAX_BACKTEST_DAYS } from '../app/backtest.js';

/** A percent figure (1.5 = 1.5%) to two places. */
const percent = (d: Decimal): string => `${formatNumber(d, 2)}%`;
const signedPercent = (d: Decimal): string => `${d.gt(0) ? '+' : ''}${percent(d)}`;

/** "Had you approved every signal ≥ 0.7 confidence, you would have made +$X instead of +$Y (2 trades closed)." */
export function counterfactualLine(r: BacktestReport): string {
  const which = r.minConfidence.gt(0) ? `every signal ≥ ${r.minConfidence.toFixed()} confidence` : 'every signal';
  const trades = `${r.actual.trades} trade${r.actual.trades === 1 ? '' : 's'} closed`;
  return `Had you approved ${which}, you would have made ${signed(r.figures.pnl)} instead of ${signed(r.actual.pnl)} (${trades}).`;
}

export function backtestView(r: BacktestReport): View {
  const f = r.figures;
  const closed = f.trades + (f.openPositions > 0 ? ` (+${f.openPositions} still open)` : '');
  return {
    title: `Backtest, last ${r.days} days`,
    description: counterfactualLine(r),
    fields: [
      { name: 'Return', value: signedPercent(f.returnPct), inline: true },
      { name: 'P&L', value: `${signed(f.pnl)} (${formatUsd(f.startingCash)} → ${formatUsd(f.endingEquity)})`, inline: true },
      { name: 'Trades', value: closed, inline: true },
      { name: 'Win rate', value: f.winRatePct === null ? '—' : percent(f.winRatePct), inline: true },
      { name: 'Max drawdown', value: `${formatUsd(f.maxDrawdown)} (${percent(f.maxDrawdownPct)})`, inline: true },
      { name: 'Sharpe', value: f.sharpe === null ? '—' : formatNumber(f.sharpe, 2), inline: true },
      { name: 'Signals', value: `${r.signals} replayed, ${r.refused} refused by the engine (${r.symbols.join(', ')})`, inline: false },
    ],
    tone: f.pnl.gte(r.actual.pnl) ? 'info' : 'warning',
    footer: `Sizing ${r.sizing} · ${r.timeframe} bars, ${r.barsFetched} fetched from the broker · no slippage or commission`,
  };
}

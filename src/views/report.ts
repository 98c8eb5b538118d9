/** The daily report as a view (the monitor attaches the equity chart to it). */
import { formatNumber, formatPct, formatUsd, ZERO } from '../domain/money.js';
import type { Account } from '../domain/account.js';
import type { ClosedPositionRecord, PositionRecord, TradingState } from '../domain/records.js';
import type { ExecutionStats } from '../execution/OrderExecutor.js';
import type { PerformanceStats } from '../portfolio/PositionManager.js';
import type { View } from './view.js';
import { linesWithin } from './limits.js';
import { drawdownText } from './stats.js';
import { tradingStateText } from './trading.js';
import { signed, signedPct } from './format.js';

export interface ReportData {
  day: string;
  mode: string;
  account: Account;
  closedToday: readonly ClosedPositionRecord[];
  positions: readonly PositionRecord[];
  performance: PerformanceStats;
  execution: ExecutionStats;
  state: TradingState;
}

export function reportView(r: ReportData): View {
  const realized = r.closedToday.reduce((sum, c) => sum.plus(c.realizedPnl), ZERO);
  const unrealized = r.positions.reduce((sum, p) => sum.plus(p.unrealizedPnl), ZERO);
  const exposure = r.positions.reduce((sum, p) => sum.plus(p.quantity.times(p.currentPrice)), ZERO);
  const trades = r.closedToday.map(
    (c) => `${c.ticker} ${c.side} ${c.quantity.toFixed()}: ${formatUsd(c.entryPrice)} → ${formatUsd(c.exitPrice)} ${signed(c.realizedPnl)} (${c.exitReason})`,
  );
  const open = r.positions.map((p) => `${p.ticker} ${p.side} ${p.quantity.toFixed()} @ ${formatUsd(p.entryPrice)}: ${signed(p.unrealizedPnl)}`);
  const p = r.performance;
  return {
    title: `Daily report ${r.day} (${r.mode})`,
    fields: [
      { name: 'Equity', value: formatUsd(r.account.equity), inline: true },
      { name: 'Day change', value: `${signed(r.account.dayPnl())} (${signedPct(r.account.dayPnlPct())})`, inline: true },
      { name: 'Realized today', value: signed(realized), inline: true },
      { name: `Closed today (${trades.length})`, value: trades.length > 0 ? linesWithin(trades, 1024) : 'none', inline: false },
      {
        name: `Last ${p.days} days`,
        value: [
          `win rate ${p.winRate === null ? '—' : formatPct(p.winRate)} over ${p.totalTrades} trades`,
          `profit factor ${p.profitFactor ? formatNumber(p.profitFactor, 2) : '—'}`,
          `Sharpe ${p.sharpe ? formatNumber(p.sharpe, 2) : '—'}`,
          `max drawdown ${drawdownText(p)}`,
        ].join(' · '),
        inline: false,
      },
      {
        name: `Open positions (${open.length})`,
        value: open.length > 0 ? `${linesWithin(open, 900)}\nunrealized ${signed(unrealized)}, exposure ${formatUsd(exposure)}` : 'none',
        inline: false,
      },
      { name: 'Risk', value: tradingStateText(r.state), inline: true },
      {
        name: 'Execution',
        value: `fill rate ${r.execution.fillRate === null ? '—' : formatPct(r.execution.fillRate)}, slippage ${r.execution.avgSlippageBps ? formatNumber(r.execution.avgSlippageBps, 1) : '—'} bps`,
        inline: true,
      },
    ],
    tone: r.account.dayPnl().isNegative() ? 'danger' : 'success',
  };
}

/** Performance and execution statistics, the report, status and help. */
import type { StatsReport, StatusInfo } from '../app/OperatorService.js';
import { type Decimal, formatNumber, formatPct, formatUsd } from '../domain/money.js';
import type { PerformanceStats } from '../portfolio/PositionManager.js';
import type { View } from './view.js';
import { signed } from './format.js';

const pct = (d: Decimal | null): string => (d === null ? '—' : formatPct(d));
const num = (d: Decimal | null, places = 2): string => (d === null ? '—' : formatNumber(d, places));
const usd = (d: Decimal | null): string => (d === null ? '—' : formatUsd(d));

function hold(seconds: Decimal | null): string {
  if (seconds === null) return '—';
  if (seconds.lt(3600)) return `${formatNumber(seconds.div(60), 0)} min`;
  if (seconds.lt(86_400)) return `${formatNumber(seconds.div(3600), 1)} h`;
  return `${formatNumber(seconds.div(86_400), 1)} d`;
}

/** The max drawdown episode: `$10,000.00 (10.00%), 2026-03-02 → 2026-03-03` (one fall, its dollars and its percent). */
export function drawdownText(p: Pick<PerformanceStats, 'maxDrawdown' | 'maxDrawdownPct' | 'drawdownPeakDay' | 'drawdownTroughDay'>): string {
  const days = p.drawdownPeakDay !== null && p.drawdownTroughDay !== null ? `, ${p.drawdownPeakDay} → ${p.drawdownTroughDay}` : '';
  return `${formatUsd(p.maxDrawdown)} (${formatPct(p.maxDrawdownPct)})${days}`;
}

export function statsView({ performance: p, execution: e }: Pick<StatsReport, 'performance' | 'execution'>): View {
  return {
    title: `Statistics, last ${p.days} days`,
    fields: [
      { name: 'Trades', value: `${p.totalTrades} (${p.winners} won, ${p.losers} lost)`, inline: true },
      { name: 'Win rate', value: pct(p.winRate), inline: true },
      { name: 'Total P&L', value: signed(p.totalPnl), inline: true },
      { name: 'Average win / loss', value: `${usd(p.avgWin)} / ${usd(p.avgLoss)}`, inline: true },
      { name: 'Profit factor', value: num(p.profitFactor), inline: true },
      { name: 'Expectancy', value: usd(p.expectancy), inline: true },
      { name: 'Largest win / loss', value: `${usd(p.largestWin)} / ${usd(p.largestLoss)}`, inline: true },
      { name: 'Average hold', value: hold(p.avgHoldSeconds), inline: true },
      { name: 'Sharpe / Sortino', value: `${num(p.sharpe)} / ${num(p.sortino)}`, inline: true },
      { name: 'Max drawdown', value: drawdownText(p), inline: true },
      { name: 'Orders', value: `${e.totalOrders}: ${e.filled} filled, ${e.canceled} canceled, ${e.rejected} rejected, ${e.expired} expired`, inline: false },
      { name: 'Fill rate', value: pct(e.fillRate), inline: true },
      { name: 'Slippage', value: e.avgSlippageBps === null ? '—' : `${num(e.avgSlippageBps, 1)} bps`, inline: true },
      { name: 'Time to fill', value: e.avgTimeToFillSeconds === null ? '—' : `${num(e.avgTimeToFillSeconds, 1)} s`, inline: true },
    ],
    tone: p.totalPnl.isNegative() ? 'danger' : 'info',
    footer: p.equityDays < 2 ? 'Sharpe, Sortino and drawdown need at least two end-of-day snapshots.' : `${p.equityDays} end-of-day snapshots`,
  };
}

export function statusView(s: StatusInfo, broker: string, mode: string, trading: string, marketData: string | null = null): View {
  const at = (d: Date | null) => (d === null ? '—' : d.toISOString().replace('.000Z', 'Z'));
  return {
    title: 'Status',
    fields: [
      { name: 'Broker', value: `${broker} (${mode})`, inline: true },
      { name: 'Stream', value: s.stream, inline: true },
      ...(marketData === null ? [] : [{ name: 'Market data', value: marketData, inline: true }]),
      { name: 'Trading', value: trading, inline: true },
      {
        name: 'Last monitor cycle',
        value: s.lastCycle ? `${at(s.lastCycle.at)} in ${s.lastCycle.durationMs} ms${s.lastCycle.ok ? '' : ' (failed)'}` : 'none yet',
        inline: false,
      },
      { name: 'Next cycle', value: at(s.nextCycle), inline: true },
      { name: 'Next report', value: at(s.nextReport), inline: true },
      { name: 'Alerts pending', value: String(s.alertsPending), inline: true },
    ],
    tone: 'neutral',
    footer: `catalyst-bot ${s.version} · up since ${at(s.startedAt)}`,
  };
}

/**
 * A backtest's equity.png: the daily report's equity chart drawn over the
 * run's equity (one point per trading day), its deepest drawdown marked, and
 * buy and hold of the traded symbols as a reference line. Amounts stay
 * Decimal up to the chart, which alone turns them into plain numbers.
 */
import { backtestChartExtras, equityChartOption, renderEquityChart } from '../chart/equityChart.js';
import type { EquityPoint } from '../portfolio/analytics.js';
import type { BacktestResult, EquityRow } from './replay.js';

/** The chart's option as plain data (JSON-safe), for whoever draws it elsewhere (the dashboard's pages). */
export { equityChartData } from '../chart/equityChart.js';

/** What the chart reads of a result: its equity and its buy-and-hold rows, at the same times. */
export type BacktestChartInput = Pick<BacktestResult, 'equity' | 'benchmark'>;

/** Rows as chart points, each labelled with the trading day it closes. */
export function chartPoints(rows: readonly EquityRow[]): EquityPoint[] {
  return rows.map((r) => ({ day: r.day, equity: r.equity }));
}

/** The ECharts option of the backtest's chart (no buy-and-hold line when the result has no benchmark). */
export function backtestChartOption(result: BacktestChartInput, title: string): ReturnType<typeof equityChartOption> {
  return equityChartOption(chartPoints(result.equity), title, backtestChartExtras(chartPoints(result.benchmark)));
}

/** The backtest's equity chart as a PNG. */
export function renderBacktestChart(result: BacktestChartInput, title: string): Buffer {
  return renderEquityChart(chartPoints(result.equity), title, backtestChartExtras(chartPoints(result.benchmark)));
}

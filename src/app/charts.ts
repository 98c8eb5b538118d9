/**
 * Chart options for front ends that draw in a browser: the equity chart's
 * ECharts option from the very builder the report and backtest PNGs are
 * drawn from, as plain data (JSON-safe: no formatter functions). The builder
 * pulls in ECharts, which is large, so it is loaded on the first chart, not
 * at start-up.
 */
import type { EChartsOption } from 'echarts';
import type { ReliabilitySeries } from '../chart/reliabilityChart.js';
import type { EquityPoint } from '../portfolio/analytics.js';

export type ChartOption = EChartsOption;

/** The equity curve with its drawdown band; `markMaxDrawdown` as on a backtest's PNG. */
export async function equityChartJson(points: readonly EquityPoint[], title: string, options: { markMaxDrawdown?: boolean } = {}): Promise<ChartOption> {
  const { equityChartData } = await import('../backtest/chart.js');
  return equityChartData(points, title, options.markMaxDrawdown ? { markMaxDrawdown: true } : {});
}

/** The reliability chart /calibration attaches as a PNG: stated confidence against the realized win rate, per strategy. */
export async function reliabilityChartJson(series: readonly ReliabilitySeries[], title: string): Promise<ChartOption> {
  const { reliabilityChartOption } = await import('../chart/reliabilityChart.js');
  return reliabilityChartOption(series, title);
}

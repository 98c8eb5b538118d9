/**
 * The daily report's equity curve: ECharts rendered server-side to SVG (no
 * browser, no canvas), then to PNG by resvg. The drawdown from the running
 * peak is shaded under the curve. Sparse data (a few points, or one) is drawn
 * with markers on a y-axis fitted to the data, so a single day still shows.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { drawdownSeries, type EquityPoint } from '../portfolio/analytics.js';

export const CHART_SIZE = { width: 1000, height: 420 } as const;

/** At most this many points are drawn with a marker on each. */
export const SPARSE_POINTS = 40;

/** The smallest 1, 2, 2.5 or 5 × 10^k at least `raw`. */
function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
}

/**
 * The y-axis range around the values: the data's range plus 10% of it on
 * each side (at least 0.2% of the level, at least $1), on multiples of a
 * round tick interval (about five ticks). Never ECharts' own guess, which
 * puts one point at $100,000 on a $40k–$160k axis.
 */
export function fittedRange(values: readonly number[]): { min: number; max: number; interval: number } {
  if (values.length === 0) return { min: 0, max: 1, interval: 1 };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = Math.max((hi - lo) * 0.1, Math.max(Math.abs(lo), Math.abs(hi)) * 0.002, 1);
  const interval = niceStep((hi - lo + 2 * pad) / 5);
  return { min: Math.floor((lo - pad) / interval) * interval, max: Math.ceil((hi + pad) / interval) * interval, interval };
}

/**
 * The chart's ECharts option for the points (oldest first, any order
 * accepted; `day` is the x-axis label: a date, or a time for an intraday chart).
 */
export function equityChartOption(points: readonly EquityPoint[], title: string): echarts.EChartsOption {
  const series = drawdownSeries(points);
  const labels = series.map((p) => p.day);
  // Plain numbers are fine here: the chart is a picture, not a ledger.
  const equity = series.map((p) => p.equity.toNumber());
  const peak = series.map((p) => p.peak.toNumber());
  const sparse = series.length <= SPARSE_POINTS;
  const range = fittedRange([...equity, ...peak]);
  return {
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: title, left: 16, top: 10, textStyle: { fontSize: 16, fontWeight: 'bold', color: '#111827' } },
    legend: { data: ['Equity', 'Peak', 'Drawdown'], right: 16, top: 12 },
    grid: { left: 80, right: 56, top: 56, bottom: 48 },
    // One point sits in the middle of its category, not on the axis line.
    xAxis: { type: 'category', data: labels, boundaryGap: series.length < 2, axisLabel: { color: '#374151' } },
    yAxis: {
      type: 'value',
      min: range.min,
      max: range.max,
      interval: range.interval,
      axisLabel: { color: '#374151', formatter: (v: number) => `$${Math.round(v).toLocaleString('en-US')}` },
      splitLine: { lineStyle: { color: '#e5e7eb' } },
    },
    series: [
      // The band between the peak and the equity, stacked on the equity: that is the drawdown.
      {
        name: 'Equity',
        type: 'line',
        data: equity,
        stack: 'dd',
        symbol: sparse ? 'circle' : 'none',
        symbolSize: 7,
        showSymbol: sparse,
        itemStyle: { color: '#2563eb' },
        lineStyle: { color: '#2563eb', width: 2 },
        z: 3,
      },
      {
        name: 'Drawdown',
        type: 'line',
        data: series.map((p) => p.peak.toNumber() - p.equity.toNumber()),
        stack: 'dd',
        symbol: 'none',
        showSymbol: false,
        itemStyle: { color: '#dc2626' },
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(220, 38, 38, 0.28)' },
        z: 2,
      },
      {
        name: 'Peak',
        type: 'line',
        data: peak,
        symbol: 'none',
        showSymbol: false,
        itemStyle: { color: '#9ca3af' },
        lineStyle: { color: '#9ca3af', width: 1, type: 'dashed' },
        z: 1,
      },
    ],
  };
}

/** An equity curve PNG for the points (see equityChartOption). */
export function renderEquityChart(points: readonly EquityPoint[], title: string): Buffer {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_SIZE.width, height: CHART_SIZE.height });
  chart.setOption(equityChartOption(points, title));
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return Buffer.from(png);
}

/**
 * The daily report's equity curve: ECharts rendered server-side to SVG (no
 * browser, no canvas), then to PNG by resvg. The drawdown from the running
 * peak is shaded under the curve.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { drawdownSeries, type EquityPoint } from '../portfolio/analytics.js';

export const CHART_SIZE = { width: 1000, height: 420 } as const;

/** An equity curve PNG for the points (oldest first, any order accepted). */
export function renderEquityChart(points: readonly EquityPoint[], title: string): Buffer {
  const series = drawdownSeries(points);
  const days = series.map((p) => p.day);
  // Plain numbers are fine here: the chart is a picture, not a ledger.
  const equity = series.map((p) => p.equity.toNumber());
  const peak = series.map((p) => p.peak.toNumber());
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_SIZE.width, height: CHART_SIZE.height });
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: title, left: 16, top: 10, textStyle: { fontSize: 16, fontWeight: 'bold', color: '#111827' } },
    legend: { data: ['Equity', 'Peak', 'Drawdown'], right: 16, top: 12 },
    grid: { left: 80, right: 24, top: 56, bottom: 48 },
    xAxis: { type: 'category', data: days, boundaryGap: false, axisLabel: { color: '#374151' } },
    yAxis: {
      type: 'value',
      scale: true,
      axisLabel: { color: '#374151', formatter: (v: number) => `$${Math.round(v).toLocaleString('en-US')}` },
      splitLine: { lineStyle: { color: '#e5e7eb' } },
    },
    series: [
      // The band between the peak and the equity, stacked on the equity: that is the drawdown.
      { name: 'Equity', type: 'line', data: equity, stack: 'dd', symbol: 'none', itemStyle: { color: '#2563eb' }, lineStyle: { color: '#2563eb', width: 2 }, z: 3 },
      {
        name: 'Drawdown',
        type: 'line',
        data: peak.map((p, i) => p - equity[i]!),
        stack: 'dd',
        symbol: 'none',
        itemStyle: { color: '#dc2626' },
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(220, 38, 38, 0.28)' },
        z: 2,
      },
      { name: 'Peak', type: 'line', data: peak, symbol: 'none', itemStyle: { color: '#9ca3af' }, lineStyle: { color: '#9ca3af', width: 1, type: 'dashed' }, z: 1 },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return Buffer.from(png);
}

/**
 * The reliability chart of /calibration: stated confidence (x) against the
 * realized win rate (y) per confidence bin, a dot per bin sized by its
 * trades, with each strategy's calibrated map as a line and the diagonal a
 * perfectly calibrated strategy would sit on. Drawn by the same stack as the
 * equity chart: ECharts server-side to SVG, then resvg to PNG.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';

export const RELIABILITY_CHART_SIZE = { width: 760, height: 560 } as const;
/** Strategies drawn at most (the most traded come first in the input). */
export const RELIABILITY_MAX_SERIES = 6;

const COLORS = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2'];

export interface ReliabilitySeries {
  name: string;
  /** One dot per confidence bin. */
  bins: readonly { stated: number; realized: number; trades: number }[];
  /** The calibrated map, ascending in stated confidence. */
  curve: readonly { stated: number; calibrated: number }[];
}

const pct = (v: number) => Math.round(v * 1000) / 1000;

export function reliabilityChartOption(series: readonly ReliabilitySeries[], title: string): echarts.EChartsOption {
  const shown = series.slice(0, RELIABILITY_MAX_SERIES);
  const most = Math.max(1, ...shown.flatMap((s) => s.bins.map((b) => b.trades)));
  return {
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: title, left: 'center', top: 8, textStyle: { fontSize: 15 } },
    legend: { bottom: 6, data: [...shown.map((s) => s.name), 'Perfectly calibrated'] },
    grid: { left: 64, right: 24, top: 48, bottom: 72 },
    xAxis: { type: 'value', name: 'Stated confidence', nameLocation: 'middle', nameGap: 28, min: 0, max: 1, interval: 0.1 },
    yAxis: { type: 'value', name: 'Realized win rate', nameLocation: 'middle', nameGap: 44, min: 0, max: 1, interval: 0.1 },
    series: [
      {
        name: 'Perfectly calibrated',
        type: 'line',
        data: [
          [0, 0],
          [1, 1],
        ],
        symbol: 'none',
        lineStyle: { color: '#9ca3af', type: 'dashed', width: 1 },
        itemStyle: { color: '#9ca3af' },
      },
      ...shown.flatMap((s, i) => {
        const color = COLORS[i % COLORS.length] ?? '#2563eb';
        return [
          {
            name: s.name,
            type: 'scatter' as const,
            // Area follows the trades behind a dot (a bin of one trade stays small); sized per point, so the option is plain data a page can draw too.
            data: s.bins.map((b) => ({ value: [pct(b.stated), pct(b.realized), b.trades], symbolSize: 6 + 22 * Math.sqrt(b.trades / most) })),
            itemStyle: { color, opacity: 0.8 },
          },
          {
            name: s.name,
            type: 'line' as const,
            data: s.curve.map((p) => [pct(p.stated), pct(p.calibrated)]),
            symbol: 'none',
            lineStyle: { color, width: 2 },
            itemStyle: { color },
          },
        ];
      }),
    ],
  };
}

/** The chart as PNG bytes. */
export function renderReliabilityChart(series: readonly ReliabilitySeries[], title: string): Buffer {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: RELIABILITY_CHART_SIZE.width, height: RELIABILITY_CHART_SIZE.height });
  chart.setOption(reliabilityChartOption(series, title));
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return Buffer.from(png);
}

/**
 * The equity curve chart shared by the daily report and the backtest:
 * ECharts rendered server-side to SVG (no browser, no canvas), then to PNG by
 * resvg. The drawdown from the running peak is shaded under the curve. Sparse
 * data (a few points, or one) is drawn with markers on a y-axis fitted to the
 * data, so a single day still shows. Optional extras: a reference line (a
 * backtest's buy and hold) and a marked deepest drawdown.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { Decimal } from '../domain/money.js';
import { drawdownSeries, type EquityPoint } from '../portfolio/analytics.js';

export const CHART_SIZE = { width: 1000, height: 420 } as const;

/** At most this many points are drawn with a marker on each. */
export const SPARSE_POINTS = 40;

/** The reference line's legend name on a backtest's chart. */
export const BUY_AND_HOLD = 'Buy and hold';

const RED = '#dc2626';

/** What a chart may draw besides the equity, its peak and the drawdown band. */
export interface ChartExtras {
  /**
   * A second line to compare the equity with (e.g. buy and hold), matched to
   * the equity points by `day`; a day it lacks is left as a gap.
   */
  reference?: { name: string; points: readonly EquityPoint[] };
  /** Marks the deepest drawdown, from its peak to its recovery (or the end), labelled with its depth. */
  markMaxDrawdown?: boolean;
}

/**
 * One stretch below the running peak, by index into the points sorted by
 * day: from the peak, through the lowest point, to the first point back at
 * the peak (null when the curve ends below it).
 */
export interface DrawdownEpisode {
  peakIndex: number;
  troughIndex: number;
  recoveryIndex: number | null;
  peak: Decimal;
  trough: Decimal;
  /** The fall from the peak to the trough as a fraction of the peak (0.1 = 10%). */
  depth: Decimal;
}

/** Every drawdown episode of the points (any order accepted), oldest first; a peak at or below zero has none. */
export function drawdownEpisodes(points: readonly EquityPoint[]): DrawdownEpisode[] {
  const episodes: DrawdownEpisode[] = [];
  let peakIndex = 0;
  let open: DrawdownEpisode | null = null;
  for (const [i, p] of drawdownSeries(points).entries()) {
    if (p.equity.gte(p.peak)) {
      if (open) open.recoveryIndex = i;
      open = null;
      peakIndex = i;
      continue;
    }
    // Below a peak at or under zero there is no meaningful fraction to show.
    if (!p.peak.gt(0)) continue;
    if (open === null) {
      open = { peakIndex, troughIndex: i, recoveryIndex: null, peak: p.peak, trough: p.equity, depth: p.drawdownPct };
      episodes.push(open);
    } else if (p.equity.lt(open.trough)) {
      open.troughIndex = i;
      open.trough = p.equity;
      open.depth = p.drawdownPct;
    }
  }
  return episodes;
}

/** The deepest episode as a fraction of its peak (the first of equals), as the analytics' max drawdown counts it; null with none. */
export function deepestDrawdown(points: readonly EquityPoint[]): DrawdownEpisode | null {
  return drawdownEpisodes(points).reduce<DrawdownEpisode | null>((deepest, e) => (deepest === null || e.depth.gt(deepest.depth) ? e : deepest), null);
}

/** A backtest's extras: its buy-and-hold line (none when empty) and its deepest drawdown marked. */
export function backtestChartExtras(benchmark: readonly EquityPoint[]): ChartExtras {
  return { ...(benchmark.length > 0 ? { reference: { name: BUY_AND_HOLD, points: benchmark } } : {}), markMaxDrawdown: true };
}

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

/** "Max drawdown −10.00%": the depth to two places, half up. */
function maxDrawdownLabel(e: DrawdownEpisode): string {
  return `Max drawdown −${e.depth.times(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2)}%`;
}

/** The y-axis labels: whole dollars with thousands separators (the dashboard's page script formats them the same way). */
const usdLabel = (v: number): string => `$${Math.round(v).toLocaleString('en-US')}`;

/**
 * The chart's ECharts option for the points (oldest first, any order
 * accepted; `day` is the x-axis label: a date, or a time for an intraday
 * chart). Without extras it is the daily report's chart.
 */
export function equityChartOption(points: readonly EquityPoint[], title: string, extras: ChartExtras = {}): echarts.EChartsOption {
  const option = equityChartData(points, title, extras);
  const yAxis = option.yAxis as { axisLabel: Record<string, unknown> };
  return { ...option, yAxis: { ...yAxis, axisLabel: { ...yAxis.axisLabel, formatter: usdLabel } } };
}

/**
 * The same option as plain data, without the label formatter (a function):
 * it survives JSON, so a web page can draw the very chart the PNG shows.
 */
export function equityChartData(points: readonly EquityPoint[], title: string, extras: ChartExtras = {}): echarts.EChartsOption {
  const series = drawdownSeries(points);
  const labels = series.map((p) => p.day);
  // Plain numbers are fine here: the chart is a picture, not a ledger.
  const equity = series.map((p) => p.equity.toNumber());
  const peak = series.map((p) => p.peak.toNumber());
  const referenceByDay = new Map(extras.reference?.points.map((p) => [p.day, p.equity.toNumber()]));
  const reference = extras.reference ? labels.map((day) => referenceByDay.get(day) ?? null) : [];
  const sparse = series.length <= SPARSE_POINTS;
  const range = fittedRange([...equity, ...peak, ...reference.filter((v) => v !== null)]);
  const deepest = extras.markMaxDrawdown ? deepestDrawdown(points) : null;
  return {
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: title, left: 16, top: 10, textStyle: { fontSize: 16, fontWeight: 'bold', color: '#111827' } },
    legend: { data: ['Equity', 'Peak', 'Drawdown', ...(extras.reference ? [extras.reference.name] : [])], right: 16, top: 12 },
    grid: { left: 80, right: 56, top: 56, bottom: 48 },
    // One point sits in the middle of its category, not on the axis line.
    xAxis: { type: 'category', data: labels, boundaryGap: series.length < 2, axisLabel: { color: '#374151' } },
    yAxis: {
      type: 'value',
      min: range.min,
      max: range.max,
      interval: range.interval,
      axisLabel: { color: '#374151' },
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
        ...(deepest
          ? {
              // The deepest episode's days, faintly behind the curve; category indexes, so repeated labels cannot confuse it.
              markArea: {
                silent: true,
                itemStyle: { color: 'rgba(220, 38, 38, 0.08)' },
                label: { show: true, position: 'insideTop', color: RED, fontSize: 12 },
                data: [[{ name: maxDrawdownLabel(deepest), xAxis: deepest.peakIndex }, { xAxis: deepest.recoveryIndex ?? series.length - 1 }]],
              },
            }
          : {}),
      },
      {
        name: 'Drawdown',
        type: 'line',
        data: series.map((p) => p.peak.toNumber() - p.equity.toNumber()),
        stack: 'dd',
        symbol: 'none',
        showSymbol: false,
        itemStyle: { color: RED },
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
      // Amber, not grey: the peak is already the grey dashed line.
      ...(extras.reference
        ? [
            {
              name: extras.reference.name,
              type: 'line' as const,
              data: reference,
              symbol: 'none',
              showSymbol: false,
              connectNulls: false,
              itemStyle: { color: '#d97706' },
              lineStyle: { color: '#d97706', width: 1.5, type: 'dashed' as const },
              z: 2,
            },
          ]
        : []),
    ],
  };
}

/** An equity curve PNG for the points (see equityChartOption). */
export function renderEquityChart(points: readonly EquityPoint[], title: string, extras: ChartExtras = {}): Buffer {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_SIZE.width, height: CHART_SIZE.height });
  chart.setOption(equityChartOption(points, title, extras));
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return Buffer.from(png);
}

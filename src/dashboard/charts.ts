/**
 * Charts in the pages, drawn by ECharts in the browser from options the
 * server renders into the page as JSON: the equity chart's option comes from
 * the builder the PNG charts are drawn with, so the page and the picture are
 * the same chart. No inline script (the CSP forbids it): a chart is a
 * `<div class="chart" data-chart-id=ID>` beside a
 * `<script type="application/json" id=ID>` block holding its option, and the
 * served script below draws every such pair once the page is parsed.
 */
import type { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ChartOption } from '../app/charts.js';
import type { Decimal } from '../domain/money.js';
import { ECHARTS_PATH, echartsScript } from './assets.js';
import type { Session } from './security.js';

type Html = HtmlEscapedString;
type Env = { Variables: { session: Session } };

/** The page script that draws the charts: a fixed path, like the other assets. */
export const CHARTS_PATH = '/assets/charts.js';

/**
 * What the browser runs. The options carry no functions (they travel as
 * JSON), so the labels' number formats are named by the chart's
 * `data-format` and supplied here, as the PNG renderer supplies its own:
 * `usd-y` (dollars on the value axis, y) or `usd-x` (on x, for horizontal
 * bars). Tooltips are drawn inside the canvas (richText), since HTML tooltips
 * would need inline styles the CSP refuses.
 */
export const CHARTS_SCRIPT = `(function () {
  'use strict';
  function usd(v) { return (v < 0 ? '-$' : '$') + Math.abs(Math.round(v)).toLocaleString('en-US'); }
  function cents(v) { return (v < 0 ? '-$' : '$') + Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }); }
  function withLabels(axis, formatter) {
    if (!axis || Array.isArray(axis)) return axis;
    var copy = Object.assign({}, axis);
    copy.axisLabel = Object.assign({}, axis.axisLabel, { formatter: formatter });
    return copy;
  }
  function draw(el) {
    var block = document.getElementById(el.getAttribute('data-chart-id') || '');
    if (!block || typeof echarts === 'undefined' || el.getAttribute('data-drawn') === 'true') return;
    var option = JSON.parse(block.textContent || '{}');
    var format = el.getAttribute('data-format');
    if (format === 'usd-y') option.yAxis = withLabels(option.yAxis, usd);
    if (format === 'usd-x') option.xAxis = withLabels(option.xAxis, usd);
    if (!option.tooltip) option.tooltip = { trigger: 'axis', renderMode: 'richText', valueFormatter: cents };
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(option);
    el.setAttribute('data-drawn', 'true');
    window.addEventListener('resize', function () { chart.resize(); });
  }
  function drawAll() { Array.prototype.forEach.call(document.querySelectorAll('.chart[data-chart-id]'), draw); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll); else drawAll();
})();
`;

/**
 * JSON safe inside a `<script>` element: `<`, `>` and `&` as \\u escapes, so
 * no text in the data (a ticker, a strategy, a title) can close the element
 * (`</script>`) or open a comment (`<!--`); the line separators JavaScript
 * once treated as line ends are escaped too.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** How the page labels an axis: dollars on y or on x, or as the option has it (`plain`). */
export type ChartFormat = 'usd-y' | 'usd-x' | 'plain';

/** A chart: its box, its option as JSON, and a text equivalent for readers without the picture. */
export function chartBlock(id: string, option: ChartOption, format: ChartFormat, label: string, cls = ''): Html {
  return html`<div class="chart${cls ? ` ${cls}` : ''}" data-chart-id="${id}" data-format="${format}" role="img" aria-label="${label}"></div>
    <script type="application/json" id="${id}">
      ${raw(scriptJson(option))}
    </script>` as Html;
}

/** The two scripts a page with charts loads (deferred: they run in order once the page is parsed). */
export const chartScripts = html`<script src="${ECHARTS_PATH}" defer></script>
  <script src="${CHARTS_PATH}" defer></script>` as Html;

/** Serves ECharts and the page script. */
export function registerChartAssets<E extends Env>(app: Hono<E>): void {
  const headers = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' };
  app.get(ECHARTS_PATH, async (c) => c.body(await echartsScript(), 200, headers));
  app.get(CHARTS_PATH, (c) => c.body(CHARTS_SCRIPT, 200, headers));
}

export interface Bar {
  label: string;
  value: Decimal;
}

const GREEN = '#16a34a';
const RED = '#dc2626';

/**
 * Horizontal bars, one per label (in the given order, the first on top), green
 * for a gain and red for a loss: the P&L by ticker or by strategy. Amounts
 * become plain numbers here only: the chart is a picture, the table beside
 * it has the exact figures.
 */
export function barChartOption(title: string, bars: readonly Bar[]): ChartOption {
  // ECharts draws a category axis bottom-up: reversed, the first bar is on top.
  const ordered = [...bars].reverse();
  return {
    animation: false,
    backgroundColor: '#ffffff',
    title: { text: title, left: 16, top: 10, textStyle: { fontSize: 16, fontWeight: 'bold', color: '#111827' } },
    grid: { left: 16, right: 48, top: 48, bottom: 32, containLabel: true },
    xAxis: { type: 'value', axisLabel: { color: '#374151' }, splitLine: { lineStyle: { color: '#e5e7eb' } } },
    yAxis: { type: 'category', data: ordered.map((b) => b.label), axisLabel: { color: '#374151' } },
    series: [
      {
        name: 'Realized P&L',
        type: 'bar',
        barMaxWidth: 32,
        data: ordered.map((b) => ({ value: b.value.toNumber(), itemStyle: { color: b.value.isNegative() ? RED : GREEN } })),
      },
    ],
  };
}

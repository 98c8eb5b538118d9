/**
 * The two files the pages load: the dashboard's style sheet and htmx, both
 * served by the dashboard itself (no CDN: the CSP allows 'self' only, and the
 * bot may run without internet access). The style sheet lives here as text
 * so that the compiled dist/ carries it without a copy step.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** Fixed paths: the layout links them, the server answers them. */
export const STYLE_PATH = '/assets/dashboard.css';
export const HTMX_PATH = '/assets/htmx.min.js';

export const STYLES = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #667; --line: #d8dde3; --good: #137333; --bad: #b3261e; --warn: #8a5a00; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --bg: #15181c; --muted: #9aa3ad; --line: #2c3238; --good: #6fcf8f; --bad: #ff8a80; --warn: #f0c36d; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 1.5rem; align-items: baseline; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
header .brand { font-weight: 600; }
nav a { margin-right: 1rem; color: inherit; text-decoration: none; }
nav a[aria-current="page"] { font-weight: 600; text-decoration: underline; }
main { padding: 1rem 1.5rem; max-width: 72rem; }
footer { padding: 1rem 1.5rem; color: var(--muted); font-size: .85em; }
footer form { display: inline; margin-left: 1rem; }
h1 { font-size: 1.3rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .75rem; margin: 0; }
.figures div { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
.figures dt { color: var(--muted); font-size: .85em; }
.figures dd { margin: 0; font-size: 1.15rem; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--line); text-align: left; }
td.num, th.num { text-align: right; }
.up { color: var(--good); }
.down { color: var(--bad); }
.state { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
.state.halted { border-color: var(--bad); }
.state.reducing { border-color: var(--warn); }
.state form { display: inline; }
button { font: inherit; padding: .3rem .9rem; border-radius: 4px; border: 1px solid var(--line); background: transparent; color: inherit; cursor: pointer; }
button.danger { border-color: var(--bad); color: var(--bad); }
button.warn { border-color: var(--warn); color: var(--warn); }
.muted { color: var(--muted); }
.error { color: var(--bad); }
form.login input { font: inherit; width: 24rem; max-width: 100%; padding: .3rem; }
.chart { width: 100%; height: 420px; margin: .5rem 0 1rem; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.chart.bars { height: 480px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 1.5rem; }
form.window { display: flex; gap: .5rem; align-items: center; margin: 0 0 1rem; }
form.window input { font: inherit; width: 6rem; padding: .2rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: 0 0 1rem; }
form.filters input, form.filters select { font: inherit; padding: .2rem; }
table.orders tbody { border-top: 2px solid var(--line); }
tr.leg td.role { padding-left: 1.6rem; }
.pager a { margin-right: 1rem; }
`;

/** ECharts (the same package the PNG charts are drawn with), for the pages that draw charts. */
export const ECHARTS_PATH = '/assets/echarts.min.js';

let htmx: Promise<string> | null = null;

/** htmx as npm installed it (htmx.org 2.x), read once. */
export function htmxScript(): Promise<string> {
  htmx ??= readFile(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  return htmx;
}

/** htmx's server-sent events extension: the positions page stays live through it. */
export const SSE_EXT_PATH = '/assets/htmx-ext-sse.min.js';

let sseExt: Promise<string> | null = null;

/** The SSE extension as npm installed it (htmx-ext-sse 2.x), read once. */
export function sseExtScript(): Promise<string> {
  sseExt ??= readFile(createRequire(import.meta.url).resolve('htmx-ext-sse/dist/sse.min.js'), 'utf8');
  return sseExt;
}

let echartsJs: Promise<string> | null = null;

/** ECharts' browser build as npm installed it, read once. */
export function echartsScript(): Promise<string> {
  echartsJs ??= readFile(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');
  return echartsJs;
}

/**
 * The backtests page (`/backtests`): the runs `npm run backtest` left in
 * REPORTS_DIR/backtests, newest first, with their summary; a run's page
 * (`/backtests/<run>`) shows the whole summary and its equity chart, drawn in
 * the page from equity.csv by the builder equity.png was drawn with (its
 * deepest drawdown marked; the buy-and-hold line is only in the PNG, since
 * equity.csv does not hold it), with the PNG itself one link away. A run is
 * named by its folder, and only a plain folder name is accepted: nothing
 * outside the backtests folder can be reached.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { z } from 'zod';
import type { BacktestRunDetail, BacktestRunEntry, BacktestRunSummary } from '../app/backtestRuns.js';
import { equityChartJson } from '../app/charts.js';
import type { OperatorService } from '../app/OperatorService.js';
import { chartBlock, chartScripts } from './charts.js';
import { layout, type LayoutContext, messagePage } from './pages.js';
import type { Session } from './security.js';

/** What the backtests pages need of the application. */
export type BacktestsOperator = Pick<OperatorService, 'backtestRuns' | 'backtestRun' | 'backtestChartPng'>;

type Env = { Variables: { session: Session } };
type Html = HtmlEscapedString;
type Child = string | Html | null | undefined | false | readonly Child[];
/** `html` with its children typed; nothing here is asynchronous, so the result is the finished string. */
const h = (strings: TemplateStringsArray, ...children: Child[]): Html => html(strings, ...children) as Html;

export interface BacktestRouteDeps {
  operator: BacktestsOperator;
  /** REPORTS_DIR; null when the dashboard was started without one (no runs to show). */
  reportsDir: string | null;
  /** The signed-in session, or null. */
  sessionOf: (c: Context) => Session | null;
}

/** A run's folder name as the URL carries it: checked again by the service, which alone reads files. */
const runParam = z.object({
  run: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/)
    .refine((r) => !r.includes('..')),
});

const pct = (d: string | null): string => (d === null ? '—' : `${d}%`);
const text = (d: string | null | undefined): string => (d === null || d === undefined ? '—' : d);

/** The summary fields in the order a reader wants them, worded for people; values exactly as summary.json has them. */
function summaryFields(s: BacktestRunSummary): [string, string][] {
  return [
    ['From', text(s.start)],
    ['To', text(s.end)],
    ['Starting cash', `$${s.starting_cash}`],
    ['Ending equity', `$${s.ending_equity}`],
    ['Total return', pct(s.total_return_pct)],
    ['CAGR', pct(s.cagr_pct)],
    ['Sharpe', text(s.sharpe)],
    ['Sortino', text(s.sortino)],
    ['Max drawdown', `$${s.max_drawdown} (${s.max_drawdown_pct}%)`],
    ['Trades', String(s.trades)],
    ['Open at the end', s.open_positions === undefined ? '—' : String(s.open_positions)],
    ['Win rate', text(s.win_rate)],
    ['Profit factor', text(s.profit_factor)],
    ['Exposure', pct(s.exposure_pct)],
    ['Bars', String(s.bars)],
    ['Signals', `${s.signals} (${s.signals_refused} refused)`],
  ];
}

export function backtestsPage(runs: readonly BacktestRunEntry[], reportsDir: string | null, context: LayoutContext): Html {
  if (reportsDir === null)
    return layout(
      'Backtests',
      context,
      h`<h1>Backtests</h1><p class="muted">This dashboard was started without a reports folder (REPORTS_DIR), so it has no runs to show.</p>`,
    );
  const rows = runs.map((r) => {
    const s = r.summary;
    const link = h`<a href="/backtests/${r.name}">${r.name}</a>`;
    if (s === null) return h`<tr><td>${link}</td><td colspan="6" class="muted">${r.problem ?? 'unreadable'}</td></tr>`;
    return h`<tr><td>${link}</td><td>${text(s.start)} → ${text(s.end)}</td><td class="num">$${s.ending_equity}</td><td class="num">${pct(s.total_return_pct)}</td><td class="num">${s.max_drawdown_pct}%</td><td class="num">${String(s.trades)}</td><td class="num">${text(s.win_rate)}</td></tr>`;
  });
  const body =
    runs.length === 0
      ? h`<p class="muted">No backtest runs yet in <code>${reportsDir}/backtests</code>. <code>npm run backtest -- …</code> writes one there (see docs/backtesting.md).</p>`
      : h`<table>
<thead><tr><th>Run</th><th>Period</th><th class="num">Ending equity</th><th class="num">Return</th><th class="num">Max drawdown</th><th class="num">Trades</th><th class="num">Win rate</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return layout(
    'Backtests',
    context,
    h`<h1>Backtests (${String(runs.length)})</h1>
${body}`,
  );
}

export function backtestRunPage(run: BacktestRunDetail, chart: Awaited<ReturnType<typeof equityChartJson>> | null, context: LayoutContext): Html {
  const summary =
    run.summary === null
      ? h`<p class="error">${run.problem ?? 'The summary cannot be read.'}</p>`
      : h`<dl class="figures">
${summaryFields(run.summary).map(([name, value]) => h`<div><dt>${name}</dt><dd>${value}</dd></div>`)}
</dl>`;
  const png = run.hasPng ? h`<p><a href="/backtests/${run.name}/equity.png">equity.png</a> (with buy and hold)</p>` : '';
  const chartPart =
    chart === null
      ? h`<p class="muted">No equity curve: equity.csv is missing or unreadable.</p>`
      : h`${chartBlock('backtest-equity', chart, 'usd-y', `Equity of backtest ${run.name}, its running peak and the drawdown below it`)}
${chartScripts}`;
  return layout(
    `Backtest ${run.name}`,
    context,
    h`<h1>Backtest ${run.name}</h1>
<p><a href="/backtests">All runs</a></p>
${summary}
<h2>Equity</h2>
${chartPart}
${png}`,
  );
}

export function registerBacktestRoutes(app: Hono<Env>, deps: BacktestRouteDeps): void {
  const { operator, reportsDir, sessionOf } = deps;
  const notFound = (c: Context, session: Session) => c.html(messagePage('Not found', 'There is no such backtest run.', { session, current: null }), 404);

  app.get('/backtests', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const runs = reportsDir === null ? [] : await operator.backtestRuns(reportsDir);
    return c.html(backtestsPage(runs, reportsDir, { session, current: '/backtests' }));
  });

  app.get('/backtests/:run', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const param = runParam.safeParse(c.req.param());
    if (!param.success || reportsDir === null) return notFound(c, session);
    const run = await operator.backtestRun(reportsDir, param.data.run);
    if (run === null) return notFound(c, session);
    const chart = run.equity === null || run.equity.length === 0 ? null : await equityChartJson(run.equity, 'Backtest equity', { markMaxDrawdown: true });
    return c.html(backtestRunPage(run, chart, { session, current: '/backtests' }));
  });

  app.get('/backtests/:run/equity.png', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const param = runParam.safeParse(c.req.param());
    const png = param.success && reportsDir !== null ? await operator.backtestChartPng(reportsDir, param.data.run) : null;
    if (png === null) return notFound(c, session);
    return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png' });
  });
}

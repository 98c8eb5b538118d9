/**
 * The overview (`/`): the account's figures and day P&L, the equity curve
 * with its drawdown (the daily report's chart, drawn in the page), exposure
 * long and short against the equity with the largest tickers, the trading
 * state with Halt / Resume, and the latest alerts; and `/api/equity`. The
 * page never lists every position: a book of a thousand stays small.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { z } from 'zod';
import { equityChartJson } from '../app/charts.js';
import type { EquityCurve, Exposure, OverviewFigures, RecentAlert } from '../app/figures.js';
import type { OperatorService } from '../app/OperatorService.js';
import { type Decimal, formatPct, formatUsd } from '../domain/money.js';
import { signed, signedPct } from '../views/format.js';
import { chartBlock, chartScripts, registerChartAssets } from './charts.js';
import { layout, type LayoutContext, tradingFragment } from './pages.js';
import type { Session } from './security.js';

/** What the overview needs of the application. */
export type OverviewOperator = Pick<OperatorService, 'overview' | 'equity'>;

type Env = { Variables: { session: Session } };
type Html = HtmlEscapedString;
type Child = string | Html | null | undefined | false | readonly Child[];
/** `html` with its children typed; nothing here is asynchronous, so the result is the finished string. */
const h = (strings: TemplateStringsArray, ...children: Child[]): Html => html(strings, ...children) as Html;

export interface OverviewRouteDeps {
  operator: OverviewOperator;
  /** The signed-in session, or null. */
  sessionOf: (c: Context) => Session | null;
}

/** The overview's equity window, as the daily report draws it. */
export const OVERVIEW_DAYS = 90;
export const TOP_TICKERS = 10;
export const LATEST_ALERTS = 10;

/** `?days=`: a whole number of days (digits only), 1 to ten years; 30 when absent. */
export const daysQuery = z.object({
  days: z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(3650))
    .default(30),
});
export const DAYS_PROBLEM = 'days must be a whole number from 1 to 3650';

const tone = (d: Decimal): string => (d.isZero() ? '' : d.isNegative() ? 'down' : 'up');
const ratio = (d: Decimal | null): string => (d === null ? '—' : formatPct(d));

function figure(name: string, value: string, cls = ''): Html {
  return h`<div><dt>${name}</dt><dd${cls ? h` class="${cls}"` : ''}>${value}</dd></div>`;
}

function exposureSection(e: Exposure): Html {
  const rows = e.top.map(
    (t) =>
      h`<tr><td>${t.ticker}</td><td class="num">${formatUsd(t.long)}</td><td class="num">${formatUsd(t.short)}</td><td class="num">${formatUsd(t.gross)}</td><td class="num">${ratio(e.equity.gt(0) ? t.gross.div(e.equity) : null)}</td></tr>`,
  );
  const table =
    e.top.length === 0
      ? h`<p class="muted">No open positions.</p>`
      : h`<table>
<thead><tr><th>Ticker</th><th class="num">Long</th><th class="num">Short</th><th class="num">Gross</th><th class="num">% of equity</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${e.positions > e.top.length ? h`<p class="muted">The ${String(e.top.length)} largest of ${String(e.positions)} open positions by value; <a href="/positions">see them all</a>.</p>` : ''}`;
  return h`<section id="exposure">
<h2>Exposure</h2>
<dl class="figures">
${figure('Long', `${formatUsd(e.long)} (${ratio(e.longRatio)})`)}
${figure('Short', `${formatUsd(e.short)} (${ratio(e.shortRatio)})`)}
${figure('Gross', `${formatUsd(e.gross)} (${ratio(e.grossRatio)})`)}
${figure('Net', `${formatUsd(e.net)} (${ratio(e.netRatio)})`)}
</dl>
<h2>Largest positions</h2>
${table}
</section>`;
}

function alertsSection(alerts: readonly RecentAlert[]): Html {
  const rows = alerts.map(
    (a) =>
      h`<tr><td>${a.createdAt.toISOString()}</td><td>${a.kind}</td><td><strong>${a.title}</strong>${a.text ? h` — ${a.text}` : ''}</td><td>${a.postedAt ? 'posted' : 'pending'}</td></tr>`,
  );
  return h`<section id="alerts">
<h2>Latest alerts</h2>
${
  alerts.length === 0
    ? h`<p class="muted">No alerts yet.</p>`
    : h`<table>
<thead><tr><th>Time (UTC)</th><th>Kind</th><th>Alert</th><th>Delivery</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}
</section>`;
}

export interface OverviewData extends OverviewFigures {
  chart: Awaited<ReturnType<typeof equityChartJson>>;
}

export function overviewPage(data: OverviewData, context: LayoutContext & { session: { label: string; csrf: string } }): Html {
  const { account, mode, trading } = data.summary;
  const dayPnl = account.dayPnl();
  return layout(
    'Overview',
    context,
    h`<h1>Overview</h1>
<dl class="figures">
${figure('Equity', formatUsd(account.equity))}
${figure('Cash', formatUsd(account.cash))}
${figure('Buying power', formatUsd(account.buyingPower))}
${figure('Day P&L', `${signed(dayPnl)} (${signedPct(account.dayPnlPct())})`, tone(dayPnl))}
${figure('Mode', mode)}
</dl>
<h2>Trading state</h2>
${tradingFragment(trading, context.session.csrf)}
<h2>Equity</h2>
${chartBlock('equity-chart', data.chart, 'usd-y', `${data.curve.title}: the equity, its running peak and the drawdown below it`)}
${exposureSection(data.exposure)}
${alertsSection(data.alerts)}
${chartScripts}`,
  );
}

/** `/api/equity`: each point with its running peak and drawdown (exact decimal strings; the drawdown ratio to six places). */
export function equityJson(days: number, curve: EquityCurve) {
  let peak: Decimal | null = null;
  return {
    days,
    title: curve.title,
    points: curve.points.map((p) => {
      if (peak === null || p.equity.gt(peak)) peak = p.equity;
      const drawdown = peak.minus(p.equity);
      return {
        day: p.day,
        equity: p.equity.toFixed(),
        peak: peak.toFixed(),
        drawdown: drawdown.toFixed(),
        drawdown_ratio: peak.gt(0) ? drawdown.div(peak).toDecimalPlaces(6).toFixed() : '0',
      };
    }),
  };
}

export function registerOverviewRoutes(app: Hono<Env>, deps: OverviewRouteDeps): void {
  const { operator, sessionOf } = deps;
  registerChartAssets(app);

  app.get('/', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const { summary, curve, exposure, alerts } = await operator.overview(OVERVIEW_DAYS, TOP_TICKERS, LATEST_ALERTS);
    const chart = await equityChartJson(curve.points, curve.title);
    return c.html(overviewPage({ summary, curve, chart, exposure, alerts }, { session, current: '/' }));
  });

  app.get('/api/equity', async (c) => {
    const query = daysQuery.safeParse(c.req.query());
    if (!query.success) return c.json({ error: DAYS_PROBLEM }, 400);
    return c.json(equityJson(query.data.days, await operator.equity(query.data.days)));
  });
}

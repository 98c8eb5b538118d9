/**
 * The statistics page (`/stats?days=`): the figures of the /stats command
 * over the chosen window, worded as its view, and the realized P&L of the
 * window's closed trades by ticker and by strategy, as bar charts and as
 * tables; and `/api/stats?days=`, the same figures as JSON.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type ChartOption, reliabilityChartJson } from '../app/charts.js';
import type { PnlBreakdown, PnlGroup } from '../app/figures.js';
import type { CalibrationReport, OperatorService, StatsReport } from '../app/OperatorService.js';
import { strategyName } from '../views/calibration.js';
import type { Decimal } from '../domain/money.js';
import { signed } from '../views/format.js';
import { statsView } from '../views/stats.js';
import { barChartOption, chartBlock, chartScripts } from './charts.js';
import { DAYS_PROBLEM, daysQuery } from './overview.js';
import { layout, type LayoutContext, messagePage } from './pages.js';
import type { Session } from './security.js';

/** What the statistics need of the application. */
export type StatsOperator = Pick<OperatorService, 'stats' | 'pnlBreakdown' | 'calibration'>;

type Env = { Variables: { session: Session } };
type Html = HtmlEscapedString;
type Child = string | Html | null | undefined | false | readonly Child[];
/** `html` with its children typed; nothing here is asynchronous, so the result is the finished string. */
const h = (strings: TemplateStringsArray, ...children: Child[]): Html => html(strings, ...children) as Html;

export interface StatsRouteDeps {
  operator: StatsOperator;
  /** The signed-in session, or null. */
  sessionOf: (c: Context) => Session | null;
}

/** Bars in a chart at most: the best and the worst are what a chart is for; the table lists every group. */
export const MAX_BARS = 30;

/** The bars to draw: all of them, or the best and the worst halves of MAX_BARS. */
function chartGroups(groups: readonly PnlGroup[]): PnlGroup[] {
  if (groups.length <= MAX_BARS) return [...groups];
  const half = MAX_BARS / 2;
  return [...groups.slice(0, half), ...groups.slice(-half)];
}

function breakdownSection(id: string, heading: string, column: string, groups: readonly PnlGroup[], days: number): Html {
  if (groups.length === 0) return h`<section><h2>${heading}</h2><p class="muted">No trades closed in the last ${String(days)} days.</p></section>`;
  const shown = chartGroups(groups);
  const note =
    shown.length < groups.length
      ? h`<p class="muted">The chart shows the ${String(MAX_BARS / 2)} best and ${String(MAX_BARS / 2)} worst of ${String(groups.length)}; the table lists them all.</p>`
      : '';
  const option = barChartOption(
    `${heading}, last ${days} days`,
    shown.map((g) => ({ label: g.key, value: g.realizedPnl })),
  );
  const rows = groups.map(
    (g) => h`<tr><td>${g.key}</td><td class="num">${String(g.trades)}</td><td class="num ${tone(g.realizedPnl)}">${signed(g.realizedPnl)}</td></tr>`,
  );
  return h`<section>
<h2>${heading}</h2>
${chartBlock(id, option, 'usd-x', `${heading}: realized P&L of each, best first`, 'bars')}
${note}
<table>
<thead><tr><th>${column}</th><th class="num">Trades</th><th class="num">Realized P&amp;L</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

const tone = (d: Decimal): string => (d.isZero() ? '' : d.isNegative() ? 'down' : 'up');

/** Each strategy's reliability table (as /calibration shows it), over every closed trade linked to a signal, not only the window's. */
function calibrationSection(report: CalibrationReport, reliability: ChartOption | null): Html {
  const p2 = (v: number) => v.toFixed(2);
  const p4 = (v: number) => v.toFixed(4);
  if (report.strategies.length === 0) return h`<section><h2>Calibration</h2><p class="muted">No closed trades linked to signals yet.</p></section>`;
  const tables = report.strategies.map(
    (s) => h`<h3>${strategyName(s)}</h3>
<p class="muted">${String(s.trades)} trades, ${String(s.wins)} won · ${s.basis === 'isotonic' ? 'isotonic map' : `Beta-binomial rate (the map comes at ${String(report.minTrades)} trades)`} · Brier ${p4(s.stated.brier)} stated → ${p4(s.calibrated.brier)} calibrated · log loss ${p4(s.stated.logLoss)} → ${p4(s.calibrated.logLoss)}</p>
<table>
<thead><tr><th>Confidence</th><th class="num">Stated</th><th class="num">Realized</th><th class="num">Calibrated</th><th class="num">Trades</th></tr></thead>
<tbody>
${s.table.map((b) => h`<tr><td>${p2(b.from)}–${p2(b.to)}</td><td class="num">${p2(b.stated)}</td><td class="num">${p2(b.realized)}</td><td class="num">${p2(b.calibrated)}</td><td class="num">${String(b.trades)}</td></tr>`)}
</tbody>
</table>`,
  );
  return h`<section>
<h2>Calibration</h2>
<p class="muted">Stated confidence against the realized win rate of every closed trade linked to a signal, and the calibrated value <code>calibrated_kelly</code> sizes on (in-sample scores).</p>
${reliability ? chartBlock('reliability-chart', reliability, 'plain', 'Reliability: each strategy’s stated confidence against its realized win rate, with its calibrated map') : ''}
${tables}
</section>`;
}

export function statsPage(
  report: StatsReport,
  breakdown: PnlBreakdown,
  context: LayoutContext,
  calibration?: { report: CalibrationReport; reliability: ChartOption | null },
): Html {
  const view = statsView(report);
  const fields = view.fields.map((f) => h`<div><dt>${f.name}</dt><dd>${f.value}</dd></div>`);
  return layout(
    'Stats',
    context,
    h`<h1>${view.title}</h1>
<form class="window" method="get" action="/stats">
<label>Window (days) <input name="days" type="number" min="1" max="3650" step="1" value="${String(report.days)}" required></label>
<button type="submit">Show</button>
</form>
<dl class="figures">
${fields}
</dl>
${view.footer ? h`<p class="muted">${view.footer}</p>` : ''}
<div class="columns">
${breakdownSection('pnl-by-ticker', 'P&L by ticker', 'Ticker', breakdown.byTicker, report.days)}
${breakdownSection('pnl-by-strategy', 'P&L by strategy', 'Strategy', breakdown.byStrategy, report.days)}
</div>
${calibration ? calibrationSection(calibration.report, calibration.reliability) : ''}
${chartScripts}`,
  );
}

const amount = (d: Decimal): string => d.toFixed();
const orNull = (d: Decimal | null): string | null => (d === null ? null : d.toFixed());
/** Averages and ratios are quotients, often without an exact decimal form: six places, as the other ratios of the API. */
const quotient = (d: Decimal | null): string | null => (d === null ? null : d.toDecimalPlaces(6).toFixed());

const groupJson = (g: PnlGroup) => ({ key: g.key, trades: g.trades, realized_pnl: amount(g.realizedPnl) });

/** `/api/stats`: the /stats figures and the P&L breakdown, amounts as exact decimal strings. */
export function statsJson({ days, performance: p, execution: e }: StatsReport, breakdown: PnlBreakdown) {
  const day = (d: { day: string; change: Decimal; pct: Decimal } | null) =>
    d === null ? null : { day: d.day, change: amount(d.change), change_ratio: quotient(d.pct) };
  return {
    days,
    trades: p.totalTrades,
    winners: p.winners,
    losers: p.losers,
    win_rate: quotient(p.winRate),
    total_pnl: amount(p.totalPnl),
    gross_profit: amount(p.grossProfit),
    gross_loss: amount(p.grossLoss),
    avg_win: quotient(p.avgWin),
    avg_loss: quotient(p.avgLoss),
    profit_factor: quotient(p.profitFactor),
    expectancy: quotient(p.expectancy),
    largest_win: orNull(p.largestWin),
    largest_loss: orNull(p.largestLoss),
    avg_hold_seconds: quotient(p.avgHoldSeconds),
    sharpe: quotient(p.sharpe),
    sortino: quotient(p.sortino),
    max_drawdown: amount(p.maxDrawdown),
    max_drawdown_ratio: quotient(p.maxDrawdownPct),
    drawdown_peak_day: p.drawdownPeakDay,
    drawdown_trough_day: p.drawdownTroughDay,
    best_day: day(p.bestDay),
    worst_day: day(p.worstDay),
    equity_days: p.equityDays,
    orders: {
      total: e.totalOrders,
      filled: e.filled,
      partially_filled: e.partiallyFilled,
      canceled: e.canceled,
      rejected: e.rejected,
      expired: e.expired,
      fill_rate: quotient(e.fillRate),
      avg_slippage_bps: quotient(e.avgSlippageBps),
      avg_time_to_fill_seconds: quotient(e.avgTimeToFillSeconds),
    },
    pnl_by_ticker: breakdown.byTicker.map(groupJson),
    pnl_by_strategy: breakdown.byStrategy.map(groupJson),
  };
}

export function registerStatsRoutes(app: Hono<Env>, deps: StatsRouteDeps): void {
  const { operator, sessionOf } = deps;

  app.get('/stats', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const query = daysQuery.safeParse(c.req.query());
    if (!query.success) return c.html(messagePage('Bad window', `${DAYS_PROBLEM}.`, { session, current: null }), 400);
    const { days } = query.data;
    const [report, breakdown, calibration] = await Promise.all([operator.stats(days), operator.pnlBreakdown(days), operator.calibration()]);
    const series = calibration.strategies.map((s) => ({ name: strategyName(s), bins: s.table, curve: s.curve }));
    const reliability = series.length > 0 ? await reliabilityChartJson(series, 'Reliability of stated confidence') : null;
    return c.html(statsPage(report, breakdown, { session, current: '/stats' }, { report: calibration, reliability }));
  });

  app.get('/api/stats', async (c) => {
    const query = daysQuery.safeParse(c.req.query());
    if (!query.success) return c.json({ error: DAYS_PROBLEM }, 400);
    const { days } = query.data;
    const [report, breakdown] = await Promise.all([operator.stats(days), operator.pnlBreakdown(days)]);
    return c.json(statsJson(report, breakdown));
  });
}

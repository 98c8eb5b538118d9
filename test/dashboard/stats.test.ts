/**
 * The statistics page and `/api/stats` over HTTP, on a real OperatorService:
 * the /stats figures over the chosen window, worded as the command's view;
 * the realized P&L by ticker and by strategy as bar charts and tables, to
 * the cent; a strategy's name kept as text, in the page and in the chart's
 * JSON; a bad window refused.
 */
import { describe, expect, it } from 'vitest';
import { chartOptionIn, closedTradeDaysAgo, useDashboardPages } from '../helpers/dashboardPages.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

const XSS = '</script><script>alert(1)</script>';

describe('the stats page', () => {
  const newStore = useTempStore();
  const started = useDashboardPages();

  async function withTrades() {
    const t = await operatorHarness(await newStore());
    await t.store.closedPositions.insertMany([
      closedTradeDaysAgo(t, 'c1', 'AAPL', 'momentum', '150', 2),
      closedTradeDaysAgo(t, 'c2', 'AAPL', 'catalyst', '-50.25', 3),
      closedTradeDaysAgo(t, 'c3', 'MSFT', 'momentum', '200.10', 4),
      closedTradeDaysAgo(t, 'c4', 'TSLA', XSS, '-75', 5),
      closedTradeDaysAgo(t, 'c5', 'NVDA', null, '10', 6),
      // Outside a 30-day window, inside a 60-day one.
      closedTradeDaysAgo(t, 'c6', 'AAPL', 'momentum', '1000', 40),
    ]);
    return t;
  }

  it('answers /api/stats with the window’s figures and the P&L by ticker and by strategy, to the cent', async () => {
    const client = await started(await withTrades());
    const res = await client.api('/api/stats?days=30');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect({ ...body, orders: 'checked below' }).toEqual({
      days: 30,
      trades: 5,
      winners: 3,
      losers: 2,
      win_rate: '0.6',
      total_pnl: '234.85',
      gross_profit: '360.1',
      gross_loss: '-125.25',
      // 360.10 / 3
      avg_win: '120.033333',
      avg_loss: '-62.625',
      // 360.10 / 125.25 = 2.8750499…
      profit_factor: '2.87505',
      expectancy: '46.97',
      largest_win: '200.1',
      largest_loss: '-75',
      avg_hold_seconds: '3600',
      sharpe: null,
      sortino: null,
      max_drawdown: '0',
      max_drawdown_ratio: '0',
      drawdown_peak_day: null,
      drawdown_trough_day: null,
      best_day: null,
      worst_day: null,
      equity_days: 0,
      orders: 'checked below',
      pnl_by_ticker: [
        { key: 'MSFT', trades: 1, realized_pnl: '200.1' },
        { key: 'AAPL', trades: 2, realized_pnl: '99.75' },
        { key: 'NVDA', trades: 1, realized_pnl: '10' },
        { key: 'TSLA', trades: 1, realized_pnl: '-75' },
      ],
      pnl_by_strategy: [
        { key: 'momentum', trades: 2, realized_pnl: '350.1' },
        { key: '—', trades: 1, realized_pnl: '10' },
        { key: 'catalyst', trades: 1, realized_pnl: '-50.25' },
        { key: XSS, trades: 1, realized_pnl: '-75' },
      ],
    });
    expect(body.orders).toEqual({
      total: 0,
      filled: 0,
      partially_filled: 0,
      canceled: 0,
      rejected: 0,
      expired: 0,
      fill_rate: null,
      avg_slippage_bps: null,
      avg_time_to_fill_seconds: null,
    });
    // A wider window takes in the older trade.
    const wide = (await (await client.api('/api/stats?days=60')).json()) as { trades: number; total_pnl: string; pnl_by_ticker: unknown[] };
    expect([wide.trades, wide.total_pnl, wide.pnl_by_ticker[0]]).toEqual([6, '1234.85', { key: 'AAPL', trades: 3, realized_pnl: '1099.75' }]);
  });

  it('shows the /stats figures over the chosen window and the P&L charts, every name as text', async () => {
    const client = await started(await withTrades());
    const res = await client.page('/stats?days=30');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Statistics, last 30 days</h1>');
    expect(html).toContain('<input name="days" type="number" min="1" max="3650" step="1" value="30" required>');
    expect(html).toContain('<dt>Trades</dt><dd>5 (3 won, 2 lost)</dd>');
    expect(html).toContain('<dt>Win rate</dt><dd>60.00%</dd>');
    expect(html).toContain('<dt>Total P&amp;L</dt><dd>+$234.85</dd>');
    expect(html).toContain('<dt>Average win / loss</dt><dd>$120.03 / -$62.63</dd>');
    expect(html).toContain('<dt>Profit factor</dt><dd>2.88</dd>');
    expect(html).toContain('<a href="/stats" aria-current="page">Stats</a>');

    // The bars, best on top (ECharts draws a category axis bottom-up, so the data runs worst first).
    const byTicker = chartOptionIn(html, 'pnl-by-ticker') as { yAxis: { data: string[] }; series: { data: { value: number }[] }[] };
    expect(byTicker.yAxis.data).toEqual(['TSLA', 'NVDA', 'AAPL', 'MSFT']);
    expect(byTicker.series[0]?.data.map((d) => d.value)).toEqual([-75, 10, 99.75, 200.1]);
    const byStrategy = chartOptionIn(html, 'pnl-by-strategy') as { yAxis: { data: string[] }; series: { data: { value: number }[] }[] };
    expect(byStrategy.yAxis.data).toEqual([XSS, 'catalyst', '—', 'momentum']);
    expect(byStrategy.series[0]?.data.map((d) => d.value)).toEqual([-75, -50.25, 10, 350.1]);
    expect(html).toContain('<tr><td>AAPL</td><td class="num">2</td><td class="num up">+$99.75</td></tr>');
    expect(html).toContain('<tr><td>catalyst</td><td class="num">1</td><td class="num down">-$50.25</td></tr>');

    // The strategy named like markup is text in the table and cannot close the JSON block.
    expect(html).not.toContain(XSS);
    expect(html).toContain('<td>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html).toContain('\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e');
  });

  it('says so when the window has no trades', async () => {
    const client = await started(await operatorHarness(await newStore()));
    const html = await (await client.page('/stats')).text();
    expect(html).toContain('<h1>Statistics, last 30 days</h1>');
    expect(html).toContain('<h2>P&amp;L by ticker</h2><p class="muted">No trades closed in the last 30 days.</p>');
    expect(html).not.toContain('data-chart-id');
  });

  it('refuses a bad window with 400 and /api/stats without the token with 401', async () => {
    const client = await started(await withTrades());
    for (const days of ['0', '3651', 'x', '2.5', '']) {
      const api = await client.api(`/api/stats?days=${days}`);
      expect([days, api.status, await api.json()]).toEqual([days, 400, { error: 'days must be a whole number from 1 to 3650' }]);
      const page = await client.page(`/stats?days=${days}`);
      expect([days, page.status]).toEqual([days, 400]);
      expect(await page.text()).toContain('days must be a whole number from 1 to 3650.');
    }
    expect((await client.get('/api/stats')).status).toBe(401);
    const page = await client.get('/stats');
    expect([page.status, page.headers.get('location')]).toEqual([303, '/login']);
  });
});

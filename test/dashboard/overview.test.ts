/**
 * The overview over HTTP, on a real OperatorService (SQLite in a temp
 * folder, the paper simulator): the account and day P&L, the equity chart's
 * option exactly as the PNG builder makes it, exposure long and short
 * against the equity, the trading state, the latest alerts escaped; a book
 * of a thousand positions kept small; and `/api/equity`.
 */
import { describe, expect, it } from 'vitest';
import { equityChartData } from '../../src/chart/equityChart.js';
import { addDays, exchangeDate } from '../../src/domain/marketTime.js';
import { dec } from '../../src/domain/money.js';
import type { PositionRecord } from '../../src/domain/records.js';
import { openPositions } from '../helpers/dashboard.js';
import { chartOptionIn, recordClose, useDashboardPages, viaJson } from '../helpers/dashboardPages.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

const XSS = '<script>alert(1)</script>';
const XSS_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

/** A long position recorded directly (no broker): only the overview's size is measured with these. */
function recordedPosition(i: number, at: Date): PositionRecord {
  const entry = dec(50).plus(i % 97);
  const quantity = dec(10 + (i % 40));
  return {
    positionId: `open-${i}`,
    ticker: `O${i}`,
    side: 'long',
    quantity,
    entryPrice: entry,
    currentPrice: entry.plus(1),
    unrealizedPnl: quantity,
    exitedQty: dec(0),
    exitValue: dec(0),
    realizedPnl: dec(0),
    entryValue: entry.times(quantity),
    stopLossPrice: entry.times('0.95'),
    takeProfitPrice: entry.times('1.05'),
    signalId: `sig-open-${i}`,
    strategy: 'momentum',
    entryOrderId: null,
    stopLossOrderId: null,
    takeProfitOrderId: null,
    openedAt: at,
    updatedAt: at,
  };
}

describe('the overview', () => {
  const newStore = useTempStore();
  const started = useDashboardPages();

  /** 100 AAPL bought at 190 and marked to 192.37 (equity $100,237, day P&L +$237), and three recorded closes before today. */
  async function book() {
    const t = await operatorHarness(await newStore());
    await openPositions(t, [{ ticker: 'AAPL', quantity: 100, stopLoss: '185', takeProfit: '200', mark: '192.37' }]);
    // Marks the recorded positions to the last price, as a monitor cycle does.
    await t.app.operator.positions();
    const today = exchangeDate(t.sim.clock.now());
    await recordClose(t.store, addDays(today, -3), '100000');
    await recordClose(t.store, addDays(today, -2), '98000');
    await recordClose(t.store, addDays(today, -1), '101000');
    return { t, today };
  }

  it('shows the account, day P&L, the equity chart from the PNG builder, exposure, the trading state and the latest alerts', async () => {
    const { t, today } = await book();
    const created = t.sim.clock.now();
    await t.store.alerts.enqueue('fill:1', 'fill', JSON.stringify({ view: { title: `Filled ${XSS}`, description: `bought 100 AAPL\nsecond line` } }), created);
    await t.store.alerts.enqueue('halted:1', 'halted', 'not json <b>', new Date(created.getTime() + 1000));
    const client = await started(t);

    const res = await client.page('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<dt>Equity</dt><dd>$100,237.00</dd>');
    expect(html).toContain('<dt>Day P&amp;L</dt><dd class="up">+$237.00 (+0.24%)</dd>');
    // The trading state with its action.
    expect(html).toContain('<strong>Trading: ACTIVE</strong>');
    expect(html).toContain('action="/actions/halt"');

    // The chart's option is the PNG builder's, for the daily closes and today's equity.
    const points = [
      { day: addDays(today, -3), equity: dec(100_000) },
      { day: addDays(today, -2), equity: dec(98_000) },
      { day: addDays(today, -1), equity: dec(101_000) },
      { day: today, equity: dec(100_237) },
    ];
    const option = chartOptionIn(html, 'equity-chart');
    expect(option).toEqual(viaJson(equityChartData(points, `Equity, ${addDays(today, -3)} to ${today}`)));
    expect(html).toContain('<div class="chart" data-chart-id="equity-chart" data-format="usd-y"');
    expect(html).toContain('<script src="/assets/echarts.min.js" defer></script>');
    expect(html).toContain('<script src="/assets/charts.js" defer></script>');

    // Exposure: 100 × 192.37 long, nothing short, as a share of $100,237.
    expect(html).toContain('<dt>Long</dt><dd>$19,237.00 (19.19%)</dd>');
    expect(html).toContain('<dt>Short</dt><dd>$0.00 (0.00%)</dd>');
    expect(html).toContain('<dt>Gross</dt><dd>$19,237.00 (19.19%)</dd>');
    expect(html).toContain('<dt>Net</dt><dd>$19,237.00 (19.19%)</dd>');
    expect(html).toContain(
      '<tr><td>AAPL</td><td class="num">$19,237.00</td><td class="num">$0.00</td><td class="num">$19,237.00</td><td class="num">19.19%</td></tr>',
    );

    // The latest alerts, newest first, every word escaped.
    const alerts = html.slice(html.indexOf('<section id="alerts">'));
    expect(alerts.indexOf('<td>halted</td>')).toBeLessThan(alerts.indexOf('<td>fill</td>'));
    expect(alerts).toContain(`<td>${created.toISOString()}</td><td>fill</td><td><strong>Filled ${XSS_ESCAPED}</strong> — bought 100 AAPL</td><td>pending</td>`);
    expect(alerts).toContain('<td>halted</td><td><strong>halted</strong> — not json &lt;b&gt;</td>');
    expect(html).not.toContain(XSS);
  });

  it('serves ECharts and the chart script from its own origin', async () => {
    const { t } = await book();
    const client = await started(t);
    const echarts = await client.get('/assets/echarts.min.js');
    expect([echarts.status, echarts.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await echarts.text()).length).toBeGreaterThan(500_000);
    const script = await client.get('/assets/charts.js');
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await script.text()).toContain("echarts.init(el, null, { renderer: 'canvas' })");
  });

  it('answers /api/equity with each point, its peak and drawdown as exact decimal strings, over the window asked', async () => {
    const { t, today } = await book();
    const client = await started(t);
    const res = await client.api('/api/equity?days=30');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      days: 30,
      title: `Equity, ${addDays(today, -3)} to ${today}`,
      points: [
        { day: addDays(today, -3), equity: '100000', peak: '100000', drawdown: '0', drawdown_ratio: '0' },
        { day: addDays(today, -2), equity: '98000', peak: '100000', drawdown: '2000', drawdown_ratio: '0.02' },
        { day: addDays(today, -1), equity: '101000', peak: '101000', drawdown: '0', drawdown_ratio: '0' },
        // 763 / 101,000 = 0.0075544…
        { day: today, equity: '100237', peak: '101000', drawdown: '763', drawdown_ratio: '0.007554' },
      ],
    });
    const two = (await (await client.api('/api/equity?days=2')).json()) as { points: { day: string }[] };
    expect(two.points.map((p) => p.day)).toEqual([addDays(today, -2), addDays(today, -1), today]);
    // 30 days when not asked.
    expect(((await (await client.api('/api/equity')).json()) as { days: number }).days).toBe(30);
  });

  it('refuses a bad window with 400 and /api/equity without the token with 401', async () => {
    const { t } = await book();
    const client = await started(t);
    for (const days of ['0', '3651', 'abc', '1.5', '-3', '1e2', '']) {
      const res = await client.api(`/api/equity?days=${days}`);
      expect([days, res.status, await res.json()]).toEqual([days, 400, { error: 'days must be a whole number from 1 to 3650' }]);
    }
    const bare = await client.get('/api/equity');
    expect(bare.status).toBe(401);
    const page = await client.get('/');
    expect([page.status, page.headers.get('location')]).toEqual([303, '/login']);
  });

  it('stays under 100 kB with 1,000 open positions: the largest ten tickers, not the whole book', async () => {
    const t = await operatorHarness(await newStore());
    const at = t.sim.clock.now();
    await t.store.transaction(async (tx) => {
      for (let i = 0; i < 1000; i++) await tx.positions.insert(recordedPosition(i, at));
    });
    const client = await started(t);
    const res = await client.page('/');
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(body)).toBeLessThan(100_000);
    expect(body).toContain('The 10 largest of 1000 open positions by value; <a href="/positions">see them all</a>.</p>');
    // Each value is quantity × last, whole dollars here: the ten largest, ties by ticker.
    const values = Array.from({ length: 1000 }, (_, i) => ({ ticker: `O${i}`, value: (10 + (i % 40)) * (51 + (i % 97)) }));
    const largest = values.sort((a, b) => b.value - a.value || (a.ticker < b.ticker ? -1 : 1)).slice(0, 10);
    expect([...body.matchAll(/<tr><td>(O\d+)<\/td>/g)].map((m) => m[1])).toEqual(largest.map((v) => v.ticker));
  });
});

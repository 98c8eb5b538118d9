/**
 * The charts in a real Chromium (shipped by an npm package, nothing
 * downloaded): ECharts, served by the dashboard, draws the overview's equity
 * chart and the stats page's P&L bars from the options in the page, under the
 * content security policy without a single violation, hovering included.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addDays, exchangeDate } from '../../src/domain/marketTime.js';
import { logIn, useBrowser } from '../helpers/browser.js';
import { openPositions, useDashboard } from '../helpers/dashboard.js';
import { closedTradeDaysAgo, recordClose } from '../helpers/dashboardPages.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

/** Every CSP violation the page reports (listened for before any of its scripts runs), every script error and console error. */
async function watch(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  // Page code is written as text: the tests compile without the DOM's types.
  await page.addInitScript(
    "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ': ' + e.blockedURI));",
  );
  return {
    errors,
    violations: () => page.evaluate('window.cspViolations') as Promise<string[]>,
  };
}

interface DrawnChart {
  /** The series as ECharts holds them once the option is set. */
  series: { name: string; type: string; data: unknown[] }[];
  /** Pixels of the canvas that are neither white nor transparent: something was drawn. */
  inked: number;
  /** Pixels of the given colour (within a small tolerance). */
  colored: number;
}

/** Waits until the chart with this id is drawn into its canvas, then reads it back from ECharts and from the canvas. */
async function drawnChart(page: Page, id: string, rgb: readonly [number, number, number]): Promise<DrawnChart> {
  const selector = `.chart[data-chart-id="${id}"]`;
  await page.locator(`${selector}[data-drawn="true"] canvas`).first().waitFor();
  const read = `(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const chart = window.echarts.getInstanceByDom(el);
    const canvas = el.querySelector('canvas');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const rgb = ${JSON.stringify(rgb)};
    let inked = 0;
    let colored = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b, a] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]];
      if (a > 0 && (r < 250 || g < 250 || b < 250)) inked++;
      if (Math.abs(r - rgb[0]) < 12 && Math.abs(g - rgb[1]) < 12 && Math.abs(b - rgb[2]) < 12) colored++;
    }
    const series = (chart ? chart.getOption().series : []).map((s) => ({ name: s.name, type: s.type, data: s.data }));
    return { series, inked, colored };
  })()`;
  return page.evaluate(read) as Promise<DrawnChart>;
}

describe('the charts in a real browser', () => {
  const newStore = useTempStore();
  const browser = useBrowser();
  const startDashboard = useDashboard();

  it('draws the overview’s equity chart with its drawdown, and the stats page’s P&L bars, with no CSP violation', async () => {
    const t = await operatorHarness(await newStore());
    await openPositions(t, [{ ticker: 'AAPL', quantity: 100, stopLoss: '185', takeProfit: '200', mark: '192.37' }]);
    const today = exchangeDate(t.sim.clock.now());
    await recordClose(t.store, addDays(today, -3), '100000');
    await recordClose(t.store, addDays(today, -2), '98000');
    await recordClose(t.store, addDays(today, -1), '101000');
    await t.store.closedPositions.insertMany([
      closedTradeDaysAgo(t, 'c1', 'AAPL', 'momentum', '150', 1),
      closedTradeDaysAgo(t, 'c2', 'MSFT', 'catalyst', '-50.25', 1),
      closedTradeDaysAgo(t, 'c3', 'MSFT', 'momentum', '20', 1),
    ]);
    const { loginUrl } = await startDashboard(t);
    const { page } = await browser.newPage();
    const seen = await watch(page);
    await logIn(page, loginUrl);

    // The equity line (#2563eb) over the drawdown band, exactly the data in the page.
    const equity = await drawnChart(page, 'equity-chart', [0x25, 0x63, 0xeb]);
    expect(equity.series.map((s) => [s.name, s.type, s.data])).toEqual([
      ['Equity', 'line', [100_000, 98_000, 101_000, 100_237]],
      ['Drawdown', 'line', [0, 2000, 0, 763]],
      ['Peak', 'line', [100_000, 100_000, 101_000, 101_000]],
    ]);
    expect(equity.inked).toBeGreaterThan(1000);
    expect(equity.colored).toBeGreaterThan(100);
    // Hovering draws the tooltip inside the canvas: no HTML, so no inline style for the CSP to refuse.
    const box = await page.locator('.chart[data-chart-id="equity-chart"]').boundingBox();
    if (!box) throw new Error('the equity chart has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2);

    await page.getByRole('link', { name: 'Stats' }).click();
    await page.locator('h1', { hasText: 'Statistics, last 30 days' }).waitFor();
    // Gains in green (#16a34a), losses in red (#dc2626).
    const byTicker = await drawnChart(page, 'pnl-by-ticker', [0x16, 0xa3, 0x4a]);
    expect(byTicker.series.map((s) => [s.name, s.type, (s.data as { value: number }[]).map((d) => d.value)])).toEqual([['Realized P&L', 'bar', [-30.25, 150]]]);
    expect(byTicker.colored).toBeGreaterThan(100);
    const byStrategy = await drawnChart(page, 'pnl-by-strategy', [0xdc, 0x26, 0x26]);
    expect(byStrategy.series.map((s) => (s.data as { value: number }[]).map((d) => d.value))).toEqual([[-50.25, 170]]);
    expect(byStrategy.colored).toBeGreaterThan(100);

    expect({ errors: seen.errors, violations: await seen.violations() }).toEqual({ errors: [], violations: [] });
  });
});

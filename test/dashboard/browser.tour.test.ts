/**
 * The orders and backtests pages in a real Chromium, with data: a bracket
 * order's legs under its entry, and a backtest run from REPORTS_DIR with its
 * summary and its equity chart drawn in the page, under the content
 * security policy (no script error, no refused resource).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { logIn, useBrowser } from '../helpers/browser.js';
import { openPositions, useDashboard } from '../helpers/dashboard.js';
import { BACKTEST_EQUITY_CSV, BACKTEST_SUMMARY } from '../helpers/dashboardPages.js';
import { useTempDir, useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

/** Script errors and console errors (a CSP refusal is one) seen by the page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

const cellsOf = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((rows) => rows.map((r) => Array.from(r.cells, (c: { textContent: string | null }) => (c.textContent ?? '').trim())));

describe('the orders and backtests pages in a real browser', () => {
  const newStore = useTempStore();
  const newDir = useTempDir();
  const browser = useBrowser();
  const startDashboard = useDashboard();

  it('lists a bracket entry with its two legs under it, and a backtest run with its summary and chart', async () => {
    const t = await operatorHarness(await newStore());
    await openPositions(t, [{ ticker: 'AAPL', quantity: 100, stopLoss: '185', takeProfit: '200', mark: '192.37' }]);
    const reports = newDir();
    const run = join(reports, 'backtests', '2026-12-02T09-30-00Z');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'summary.json'), JSON.stringify(BACKTEST_SUMMARY));
    writeFileSync(join(run, 'equity.csv'), BACKTEST_EQUITY_CSV);
    const { loginUrl } = await startDashboard(t, { reportsDir: reports });
    const { page } = await browser.newPage();
    const errors = watchErrors(page);
    await logIn(page, loginUrl);

    await page.getByRole('link', { name: 'Orders' }).click();
    await page.locator('h1', { hasText: 'Orders' }).waitFor();
    const rows = await cellsOf(page, 'table.orders tbody tr');
    // Columns: submitted, role, ticker, side, qty, type, price, filled, status.
    expect(rows.map((r) => r.slice(1, 9))).toEqual([
      ['entry', 'AAPL', 'buy', '100', 'market', 'market', '100 @ $190.00', 'filled'],
      ['↳ take profit', 'AAPL', 'sell', '100', 'limit', 'limit $200.00', '—', 'new'],
      ['↳ stop loss', 'AAPL', 'sell', '100', 'stop', 'stop $185.00', '—', 'new'],
    ]);

    await page.getByRole('link', { name: 'Backtests' }).click();
    await page.locator('h1', { hasText: 'Backtests (1)' }).waitFor();
    await page.getByRole('link', { name: '2026-12-02T09-30-00Z' }).click();
    await page.locator('h1', { hasText: 'Backtest 2026-12-02T09-30-00Z' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('101250.5');
    await page.locator('.chart[data-drawn="true"] canvas').first().waitFor();
    expect(errors).toEqual([]);
  });
});

/**
 * The trades page in a real Chromium (shipped by an npm package, nothing
 * downloaded), over a real OperatorService: the rows, the count and total
 * P&L that htmx fetches after them, and Next moving to the second page in
 * place, with the address following, under the content security policy.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { logIn, useBrowser } from '../helpers/browser.js';
import { useDashboard } from '../helpers/dashboard.js';
import { closedRecord } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

/** The text of the first cells (closing time, ticker) of each body row of the trades table. */
async function rowKeys(page: Page): Promise<string[]> {
  return page.locator('table.trades tbody tr').evaluateAll((rows) => rows.map((r) => `${r.cells[0]?.textContent ?? ''} ${r.cells[1]?.textContent ?? ''}`));
}

describe('the trades page in a real browser', () => {
  const newStore = useTempStore();
  const browser = useBrowser();
  const startDashboard = useDashboard();

  it('shows the newest 50 trades with their total, and Next moves to page 2', async () => {
    const t = await operatorHarness(await newStore());
    // 60 trades a minute apart from 15:00 UTC, P&L i cents each: 0.00 + 0.01 + … + 0.59 = 17.70.
    const trades = Array.from({ length: 60 }, (_, i) =>
      closedRecord({
        positionId: `b-${String(i).padStart(2, '0')}`,
        ticker: i % 2 === 0 ? 'AAPL' : 'MSFT',
        realizedPnl: dec(i).div(100),
        closedAt: new Date(Date.UTC(2026, 2, 2, 15, i)),
      }),
    );
    await t.store.closedPositions.insertMany(trades);
    const key = (i: number) =>
      `2026-03-02T${String(15 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z ${i % 2 === 0 ? 'AAPL' : 'MSFT'}`;
    const newestFirst = Array.from({ length: 60 }, (_, i) => key(59 - i));

    const { at, loginUrl } = await startDashboard(t);
    const { page } = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await logIn(page, loginUrl);

    await page.getByRole('link', { name: 'Trades' }).click();
    await page.locator('h1', { hasText: 'Closed trades' }).waitFor();
    expect(await rowKeys(page)).toEqual(newestFirst.slice(0, 50));
    // htmx replaces the placeholder with the count and the total once the rows are shown.
    await page.locator('#trade-totals', { hasText: 'trades match' }).waitFor();
    expect(await page.locator('#trade-totals').textContent()).toBe('60 trades match, realized P&L +$17.70');

    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/\/trades\?cursor=/);
    await page.getByRole('link', { name: 'First page' }).waitFor();
    expect(await rowKeys(page)).toEqual(newestFirst.slice(50));
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);
    expect(page.url().startsWith(`${at.url}/trades?cursor=`)).toBe(true);

    // The filter form narrows the list in place too.
    await page.locator('input[name="ticker"]').fill('msft');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/ticker=msft/);
    await page.locator('#trade-totals', { hasText: '30 trades match' }).waitFor();
    expect(await rowKeys(page)).toEqual(newestFirst.filter((k) => k.endsWith('MSFT')));
    expect(errors).toEqual([]);

    // A value the server refuses still shows its page (a 400 that names the field), not a form that seems dead.
    await page.locator('input[name="ticker"]').fill('A B');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('h1', { hasText: 'Bad filter' }).waitFor();
    expect(await page.locator('main p').textContent()).toBe('ticker: a ticker: letters, digits, dot or dash, at most 16. Change the filter and try again.');
  });
});

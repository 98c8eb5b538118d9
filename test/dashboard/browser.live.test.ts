/**
 * The positions page live in a real Chromium: a price mark and a close made
 * through the operator reach the open page over server-sent events, and the
 * row's figures and the count change in place, without a reload.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { logIn, useBrowser } from '../helpers/browser.js';
import { openPositions, useDashboard } from '../helpers/dashboard.js';
import { useTempStore } from '../helpers/tempDb.js';
import { until } from '../helpers/until.js';
import { operatorHarness } from '../operator/appHarness.js';

/** The requirement: a page shows a fill or a price mark within this. */
const LIVE_WITHIN_MS = 2_000;

/** Every script error the page reports. */
function scriptErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/** The text of each cell of each body row of the positions table. */
async function tableRows(page: Page): Promise<string[][]> {
  const rows = page.locator('#positions table tbody tr');
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).locator('td').allTextContents()).map((s) => s.trim()));
  return out;
}

describe('the positions page in a real browser', () => {
  const newStore = useTempStore();
  const browser = useBrowser();
  const startDashboard = useDashboard();

  it('shows a price mark and a close as they happen, without a reload', async () => {
    const t = await operatorHarness(await newStore());
    await openPositions(t, [{ ticker: 'AAPL', quantity: 100, stopLoss: '185', takeProfit: '200', mark: '192.37' }]);
    const { at, loginUrl } = await startDashboard(t);
    const { events } = t.app.engine;
    const idle = events.listenerCount();
    const { page } = await browser.newPage();
    const errors = scriptErrors(page);
    await logIn(page, loginUrl);
    await page.goto(`${at.url}/positions`);
    expect(await tableRows(page)).toEqual([['AAPL', 'long', '100', '$190.00', '$192.37', '+$237.00', '+1.25%', '$185.00', '$200.00', 'manual']]);
    // A reload would drop this mark and count as a navigation: both show the page stayed the same document.
    await page.evaluate('window.sameDocument = true');
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    // The page's stream is open once the dashboard listens to the trading events.
    await until(() => (events.listenerCount() === idle + 1 ? true : null), 10_000);

    await t.app.operator.simSetPrice('AAPL', dec('193.5'));
    const marked = Date.now();
    await page.locator('#positions td', { hasText: /^\+\$350\.00$/ }).waitFor();
    expect(Date.now() - marked).toBeLessThan(LIVE_WITHIN_MS);
    expect(await tableRows(page)).toEqual([['AAPL', 'long', '100', '$190.00', '$193.50', '+$350.00', '+1.84%', '$185.00', '$200.00', 'manual']]);

    await t.app.operator.close('AAPL', null);
    await page.locator('#positions h1', { hasText: 'Open positions (0)' }).waitFor();
    expect(await page.locator('#positions p.muted').textContent()).toBe('No open positions.');

    expect(await page.evaluate('window.sameDocument')).toBe(true);
    expect(navigations).toBe(0);
    expect(errors).toEqual([]);

    // Leaving the page closes its stream, and the dashboard stops listening.
    await page.goto(`${at.url}/`);
    await until(() => (events.listenerCount() === idle ? true : null), 10_000);
  });
});

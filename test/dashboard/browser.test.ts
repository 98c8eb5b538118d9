/**
 * The dashboard in a real Chromium (shipped by an npm package, nothing
 * downloaded), over a real OperatorService: the login link, the pages with
 * their figures, Halt through htmx without a reload, escaping, the content
 * security policy at work, and the API refusing a browser without a session.
 *
 * With UPDATE_SCREENSHOTS=1 the overview and positions screenshots are
 * written to docs/images/ (the README shows the overview); otherwise they go
 * to a temp folder, so a test run leaves the repository as it was.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/dashboard/app.js';
import { logIn, useBrowser } from '../helpers/browser.js';
import { DASHBOARD_TOKEN, openPositions, submitSignal, useDashboard } from '../helpers/dashboard.js';
import { recordClose } from '../helpers/dashboardPages.js';
import { useTempDir, useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

const XSS = '<script>alert(1)</script>';
const DOCS_IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));

/** AAPL 100 at 190 marked to 192.37 (+237) and MSFT 20 at 410 marked to 415.50 (+110). */
const BOOK = [
  { ticker: 'AAPL', quantity: 100, stopLoss: '185', takeProfit: '200', mark: '192.37' },
  { ticker: 'MSFT', quantity: 20, stopLoss: '400', takeProfit: '430', mark: '415.50' },
] as const;

/** Records every dialog (and dismisses it, so the page goes on) and every script error the page reports. */
function watch(page: Page) {
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { dialogs, errors };
}

/** The text of each cell of each body row of the page's table. */
async function tableRows(page: Page): Promise<string[][]> {
  const rows = page.locator('table tbody tr');
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).locator('td').allTextContents()).map((s) => s.trim()));
  return out;
}

describe('the dashboard in a real browser', () => {
  const newStore = useTempStore();
  const newDir = useTempDir();
  const browser = useBrowser();
  const startDashboard = useDashboard();

  it('logs in from the printed link: the overview, no token in the address bar, an HttpOnly session cookie', async () => {
    const t = await operatorHarness(await newStore());
    const { at, loginUrl } = await startDashboard(t);
    const { context, page } = await browser.newPage();
    await logIn(page, loginUrl);
    expect(page.url()).toBe(`${at.url}/`);
    expect(page.url()).not.toContain(DASHBOARD_TOKEN);
    expect(await page.locator('h1').textContent()).toBe('Overview');
    const cookies = await context.cookies();
    expect(cookies.map(({ name, httpOnly, sameSite, path, domain }) => ({ name, httpOnly, sameSite, path, domain }))).toEqual([
      { name: SESSION_COOKIE, httpOnly: true, sameSite: 'Strict', path: '/', domain: '127.0.0.1' },
    ]);
    expect(cookies[0]!.value).not.toContain(DASHBOARD_TOKEN);
    // Scripts in the page cannot read the session cookie.
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('shows the exact figures on the overview and the open positions, and takes the screenshots', async () => {
    const t = await operatorHarness(await newStore());
    // Six weeks of closes before today, a rise with one setback, so the overview's curve has a shape.
    const weekdays = Array.from({ length: 42 }, (_, i) => new Date(Date.UTC(2026, 0, 18 + i)))
      .filter((d) => d.getUTCDay() !== 0 && d.getUTCDay() !== 6)
      .map((d) => d.toISOString().slice(0, 10));
    const setback = (i: number) => (i > 12 && i < 24 ? Math.round(1_400 * Math.sin((Math.PI * (i - 12)) / 11)) : 0);
    for (const [i, day] of weekdays.entries()) await recordClose(t.store, day, String(95_500 + i * 150 - setback(i)));
    await openPositions(t, BOOK);
    const { loginUrl } = await startDashboard(t);
    const { page } = await browser.newPage();
    const seen = watch(page);
    await logIn(page, loginUrl);

    const figure = (name: string) => page.locator('dl.figures div', { has: page.locator('dt', { hasText: name }) }).locator('dd');
    expect(await figure('Equity').textContent()).toBe('$100,347.00');
    expect(await figure('Cash').textContent()).toBe('$72,800.00');
    expect(await figure('Day P&L').textContent()).toBe('+$347.00 (+0.35%)');
    expect(await figure('Mode').textContent()).toBe('SIM');
    expect(await page.locator('#trading strong').textContent()).toBe('Trading: ACTIVE');

    await page.locator('.chart[data-drawn="true"] canvas').first().waitFor();
    const shots = process.env.UPDATE_SCREENSHOTS === '1' ? DOCS_IMAGES : newDir();
    mkdirSync(shots, { recursive: true });
    const overviewShot = join(shots, 'dashboard-overview.png');
    await page.screenshot({ path: overviewShot });

    await page.getByRole('link', { name: 'Positions' }).click();
    await page.locator('h1', { hasText: 'Open positions (2)' }).waitFor();
    expect(await tableRows(page)).toEqual([
      ['AAPL', 'long', '100', '$190.00', '$192.37', '+$237.00', '+1.25%', '$185.00', '$200.00', 'manual'],
      ['MSFT', 'long', '20', '$410.00', '$415.50', '+$110.00', '+1.34%', '$400.00', '$430.00', 'manual'],
    ]);
    const positionsShot = join(shots, 'dashboard-positions.png');
    await page.screenshot({ path: positionsShot });

    for (const shot of [overviewShot, positionsShot]) {
      expect(existsSync(shot)).toBe(true);
      const png = PNG.sync.read(readFileSync(shot));
      expect([png.width, png.height]).toEqual([1200, 800]);
    }
    // htmx and the style sheet load under the CSP without a single complaint.
    expect(seen).toEqual({ dialogs: [], errors: [] });
  });

  it('halts from the button through htmx: the state changes in place, without a reload, and in the store', async () => {
    const t = await operatorHarness(await newStore());
    const { loginUrl } = await startDashboard(t);
    const { page } = await browser.newPage();
    const seen = watch(page);
    await logIn(page, loginUrl);
    // A reload would drop this mark: it shows the page stayed the same document.
    await page.evaluate('window.sameDocument = true');
    let navigations = 0;
    page.on('framenavigated', () => navigations++);

    await page.getByRole('button', { name: 'Halt' }).click();
    await page.locator('#trading strong', { hasText: 'Trading: HALTED' }).waitFor();

    expect(await page.locator('#trading strong').textContent()).toBe('Trading: HALTED');
    expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(1);
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    expect(navigations).toBe(0);
    const label = /^Session ([0-9a-f]{8}) /.exec((await page.locator('footer').textContent()) ?? '')?.[1];
    const state = await t.store.tradingState.get();
    expect([state.state, state.changedBy]).toEqual(['HALTED', `web:${label}`]);
    expect(seen).toEqual({ dialogs: [], errors: [] });
  });

  it('shows a strategy and a halt reason named <script>alert(1)</script> as text: no dialog, no script element', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    const signal = await submitSignal(t, 'xss-browser-1', { strategy: XSS });
    expect((await operator.approve(signal.signalId, { id: 'console', name: 'console' })).kind).toBe('executed');
    await t.app.engine.ledger.serial(async () => undefined);
    await operator.halt(XSS, XSS);
    const { loginUrl, at } = await startDashboard(t);
    const { page } = await browser.newPage();
    const seen = watch(page);

    await logIn(page, loginUrl);
    expect(await page.locator('#trading p').first().textContent()).toMatch(/^Trading: HALTED — <script>alert\(1\)<\/script> since /);
    await page.goto(`${at.url}/positions`);
    const strategy = page.locator('table tbody tr td').last();
    expect(await strategy.textContent()).toBe(XSS);
    // The only script elements are the dashboard's own: htmx and its SSE extension.
    expect(await page.locator('script').evaluateAll((scripts) => scripts.map((s) => s.getAttribute('src')))).toEqual([
      '/assets/htmx.min.js',
      '/assets/htmx-ext-sse.min.js',
    ]);
    expect(seen).toEqual({ dialogs: [], errors: [] });
  });

  it('refuses to run an inline script injected into the page (the content security policy)', async () => {
    const t = await operatorHarness(await newStore());
    const { loginUrl, at } = await startDashboard(t);
    const { page } = await browser.newPage();
    const seen = watch(page);
    await logIn(page, loginUrl);
    const response = await page.goto(`${at.url}/`);
    expect(response?.headers()['content-security-policy']).toMatch(/(^|; )script-src 'self'(;|$)/);

    // Resolves on the browser's own report of the violation: no timer.
    const violated = await page.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective + ' ' + e.blockedURI), { once: true });
      const script = document.createElement('script');
      script.textContent = 'window.injectedRan = true; alert(1);';
      document.body.append(script);
    })`);
    expect(violated).toBe('script-src-elem inline');
    expect(await page.evaluate('window.injectedRan === undefined')).toBe(true);
    expect(seen.dialogs).toEqual([]);
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]).toContain('Content Security Policy');
  });

  it('answers /api/account with 401 to a browser without a session, and with the account once logged in', async () => {
    const t = await operatorHarness(await newStore());
    const { at, loginUrl } = await startDashboard(t);
    const { page } = await browser.newPage();
    const refused = await page.goto(`${at.url}/api/account`);
    expect(refused?.status()).toBe(401);
    expect(await refused?.json()).toEqual({ error: 'unauthorized: send Authorization: Bearer <token>, or log in at /login' });
    // A page without a session goes to the login form.
    await page.goto(`${at.url}/positions`);
    expect(page.url()).toBe(`${at.url}/login`);

    await logIn(page, loginUrl);
    const allowed = await page.goto(`${at.url}/api/account`);
    expect(allowed?.status()).toBe(200);
    expect(((await allowed?.json()) as { equity: string }).equity).toBe('100000');
  });
});

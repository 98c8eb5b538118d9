/**
 * A real Chromium for the dashboard's browser tests, with nothing downloaded
 * at test time: the binary ships inside the @sparticuz/chromium npm package
 * (unpacked into the OS temp folder on first use) and playwright-core drives
 * it. One browser per test file; every test gets its own context (its own
 * cookies), closed after the test.
 */
import sparticuz from '@sparticuz/chromium';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** Starting Chromium takes seconds, and much longer on a busy two-core machine. */
const LAUNCH_TIMEOUT_MS = 60_000;

/**
 * The package's flags are meant for a serverless function. Two of them would
 * weaken the very protections the tests check (same-origin rules, mixed
 * content), so the browser runs without them, as a user's browser does; and
 * in a single process, closing one test's context takes the whole browser
 * down with it.
 */
const DROPPED_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
}

export interface UsedBrowser {
  /** A fresh context (no cookies) and a page in it, 1200×800 in the light colour scheme. */
  newPage(): Promise<BrowserPage>;
}

/** Launches one Chromium before the file's tests and closes it after them. */
export function useBrowser(): UsedBrowser {
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: await sparticuz.executablePath(),
      args: sparticuz.args.filter((flag) => !DROPPED_FLAGS.has(flag)),
      headless: true,
      timeout: LAUNCH_TIMEOUT_MS,
    });
  }, LAUNCH_TIMEOUT_MS);
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    browser = null;
  }, LAUNCH_TIMEOUT_MS);
  return {
    async newPage() {
      if (!browser) throw new Error('the browser is not running (useBrowser() must be called in the describe block)');
      const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'light' });
      contexts.push(context);
      // Waits are on conditions; this only bounds a wait that would never end.
      context.setDefaultTimeout(30_000);
      return { context, page: await context.newPage() };
    },
  };
}

/** Opens the login URL the bot prints and waits until the dashboard has sent the page on to the overview. */
export async function logIn(page: Page, loginUrl: string): Promise<void> {
  const origin = new URL(loginUrl).origin;
  await page.goto(loginUrl);
  await page.waitForURL(`${origin}/`);
}

/**
 * Approving from the dashboard in a real Chromium while the bot runs in
 * Discord (the real discord.js client against the fake Discord server), one
 * OperatorService and SQLite file behind both: the page's Approve places one
 * order and edits the signal's message in the channel; Approve clicked on
 * the page and in Discord at the same moment still places one order.
 */
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { logIn, useBrowser } from '../helpers/browser.js';
import { useDashboard } from '../helpers/dashboard.js';
import { alice, type Bot, embedOf, postSignal, SIGNALS, startBot, stopBots } from '../helpers/discordBot.js';
import { useTempStore } from '../helpers/tempDb.js';
import { until } from '../helpers/until.js';

afterEach(stopBots);

/** The signal's message once the approval has settled in it. */
const settledMessage = (bot: Bot, messageId: string) =>
  until(() => {
    const m = bot.fake.messages(SIGNALS).find((x) => x.id === messageId);
    return embedOf(m).description?.includes('filled') ? m : null;
  });

async function openSignals(page: Page, loginUrl: string): Promise<void> {
  await logIn(page, loginUrl);
  await page.getByRole('link', { name: 'Signals' }).click();
  await page.locator('h1', { hasText: 'Signals' }).first().waitFor();
}

describe('approving on the dashboard beside Discord, in a real browser', () => {
  const newStore = useTempStore();
  const browser = useBrowser();
  const startDashboard = useDashboard();

  it('Approve on the page: one order, the row shows the fill in place, the Discord message is edited', async () => {
    const bot = await startBot(await newStore());
    const { loginUrl } = await startDashboard(bot);
    const message = await postSignal(bot);
    const signalId = (message.components[0] as { components: { custom_id: string }[] }).components[0]!.custom_id.slice('approve:'.length);
    const { page } = await browser.newPage();
    await openSignals(page, loginUrl);
    const row = page.locator('tr.signal', { hasText: signalId });
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.locator('tr.signal.executed', { hasText: signalId }).waitFor();

    const label = /^Session ([0-9a-f]{8}) /.exec((await page.locator('footer').textContent()) ?? '')?.[1] ?? '';
    const outcome = new RegExp(`^Approved by web:${label} at 2026-03-02T15:00:00Z: filled, buy 400 AAPL @ \\$190\\.00 \\(order .+\\)$`);
    expect(await page.locator('tr.signal.executed', { hasText: signalId }).locator('td').last().textContent()).toMatch(outcome);
    expect(embedOf(await settledMessage(bot, message.id)).description).toMatch(outcome);
    expect(bot.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('Approve on the page and in Discord at the same moment: one order, and the page shows who decided', async () => {
    const bot = await startBot(await newStore());
    const { loginUrl } = await startDashboard(bot);
    const message = await postSignal(bot);
    const approveId = (message.components[0] as { components: { custom_id: string }[] }).components[0]!.custom_id;
    const signalId = approveId.slice('approve:'.length);
    const { page } = await browser.newPage();
    await openSignals(page, loginUrl);

    const onPage = page.locator('tr.signal', { hasText: signalId }).getByRole('button', { name: 'Approve' }).click();
    const inDiscord = bot.fake.clickButton({ customId: approveId, messageId: message.id, channelId: SIGNALS, member: alice });
    await Promise.all([onPage, inDiscord.acknowledged()]);
    await page.locator('tr.signal.executed', { hasText: signalId }).waitFor();

    const settled = embedOf(await settledMessage(bot, message.id)).description ?? '';
    const webWon = settled.startsWith('Approved by web:');
    const rowText = await page.locator('tr.signal.executed', { hasText: signalId }).locator('td').last().textContent();
    // The page's row shows the one outcome: its own approval, or Discord's, saying nothing more was done.
    if (webWon) expect(rowText).toMatch(/^Approved by web:[0-9a-f]{8} at .*: filled, buy 400 AAPL/);
    else expect(rowText).toContain(`Signal ${signalId} was already executed by alice at 2026-03-02T15:00:00Z; nothing was done.`);
    expect(bot.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });
});

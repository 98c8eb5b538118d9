/**
 * The dashboard and Discord deciding the same signal: the real discord.js
 * client against the fake Discord server, the dashboard over HTTP, one
 * OperatorService and SQLite file behind both. An approval from the web
 * edits the signal's message in the channel; a Discord click and a web click
 * at the same moment place one order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, embedOf, alice, postSignal, SIGNALS, startBot, stopBots, type Bot } from '../helpers/discordBot.js';
import { DASHBOARD_TOKEN, logInOverHttp, useDashboard } from '../helpers/dashboard.js';
import { useTempStore } from '../helpers/tempDb.js';
import { until } from '../helpers/until.js';

afterEach(stopBots);
const startDashboard = useDashboard();

/** The dashboard over the bot's service, logged in over HTTP. */
async function dashboardFor(bot: Bot) {
  const { at } = await startDashboard(bot);
  const get = (path: string, init: RequestInit = {}) => fetch(`${at.url}${path}`, { redirect: 'manual', ...init });
  const session = await logInOverHttp(get, DASHBOARD_TOKEN);
  /** What htmx sends for a click on the signals page. */
  const click = (path: string) =>
    get(path, { method: 'POST', headers: { origin: at.url, cookie: session.cookie, 'x-csrf-token': session.csrf, 'hx-request': 'true' } });
  return { session, click };
}

const signalIdOf = (customId: string) => customId.slice(customId.indexOf(':') + 1);
const buttonIds = (m: { components: unknown[] }) => (m.components[0] as { components: { custom_id: string }[] }).components.map((b) => b.custom_id);

describe('the dashboard beside Discord', () => {
  const newStore = useTempStore();

  it('approves from the web: one order, and the signal’s Discord message edited to say who and what', async () => {
    const bot = await startBot(await newStore());
    const web = await dashboardFor(bot);
    const message = await postSignal(bot);
    const [approveId] = buttonIds(message);
    const signalId = signalIdOf(approveId!);

    const res = await web.click(`/signals/${signalId}/approve`);
    expect(res.status).toBe(200);
    const edited = await until(() => {
      const m = bot.fake.messages(SIGNALS).find((x) => x.id === message.id);
      return embedOf(m).description?.includes('filled') ? m : null;
    });
    expect(embedOf(edited).description).toMatch(
      new RegExp(`^Approved by web:${web.session.label} at 2026-03-02T15:00:00Z: filled, buy 400 AAPL @ \\$190\\.00 \\(order .+\\)$`),
    );
    expect(buttonsOf(edited)).toEqual(['Approve:off', 'Reject:off']);
    expect(bot.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
    expect((await bot.store.signals.get(signalId))?.status).toBe('executed');
  });

  it('places one order when Approve is clicked in Discord and on the web at the same moment', async () => {
    const bot = await startBot(await newStore());
    const web = await dashboardFor(bot);
    const message = await postSignal(bot);
    const [approveId] = buttonIds(message);
    const signalId = signalIdOf(approveId!);

    const discordClick = bot.fake.clickButton({ customId: approveId!, messageId: message.id, channelId: SIGNALS, member: alice });
    const [webAnswer] = await Promise.all([web.click(`/signals/${signalId}/approve`).then((r) => r.text()), discordClick.acknowledged()]);
    const edited = await until(() => {
      const m = bot.fake.messages(SIGNALS).find((x) => x.id === message.id);
      return embedOf(m).description?.includes('filled') ? m : null;
    });
    expect(embedOf(edited).description).toMatch(new RegExp(`^Approved by (alice|web:${web.session.label}) at 2026-03-02T15:00:00Z: filled, buy 400 AAPL`));
    expect(bot.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);

    // The loser of the race is told so where it clicked: Discord with a private "Already decided", the page in the row.
    const webWon = embedOf(edited).description?.startsWith('Approved by web:') === true;
    if (webWon) {
      const [notice] = await until(() => (discordClick.followUps().length > 0 ? discordClick.followUps() : null));
      expect(embedOf(notice).title).toBe('Already decided');
    } else {
      expect(webAnswer).toContain(`Signal ${signalId} was already executed by alice at 2026-03-02T15:00:00Z; nothing was done.`);
    }
    const audit = await bot.store.audit.listRecent(20);
    const approvals = audit.filter((a) => a.action === 'approve' && a.target === signalId && a.outcome === 'ok');
    expect(approvals.map((a) => a.actorName)).toEqual([webWon ? `web:${web.session.label}` : 'alice']);
  });
});

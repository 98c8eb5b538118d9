/**
 * The Discord front end end to end: the real discord.js Client against the
 * fake Discord gateway + REST server on loopback, the paper simulator and a
 * real SQLite file behind it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/signals/webhook/signature.js';
import { WebhookServer } from '../../src/signals/webhook/WebhookServer.js';
import { createFakeDiscord } from '../fakes/discord/index.js';
import { useTempStore } from '../helpers/tempDb.js';
import { until } from '../helpers/until.js';
import { alice, bob, buttonsOf, embedOf, mallory, postSignal, quiet, running, SIGNALS, startBot, stopBots, TRADES } from '../helpers/discordBot.js';

afterEach(stopBots);

describe('Discord: commands', () => {
  const newStore = useTempStore();

  it('answers a read command for anyone: deferred, then the embed', async () => {
    const bot = await startBot(await newStore());
    const i = bot.fake.slashCommand({ name: 'account', member: mallory, channelId: TRADES });
    expect((await i.acknowledged()).type).toBe(5);
    const answer = await i.waitForEdits(1);
    expect(embedOf(answer).title).toBe('Account (SIM)');
    expect(embedOf(answer).fields?.find((f) => f.name === 'Equity')?.value).toBe('$100,000.00');
  });

  it('refuses a trading command to a non-trader privately, and logs the attempt', async () => {
    const bot = await startBot(await newStore());
    const i = bot.fake.slashCommand({ name: 'buy', options: { ticker: 'AAPL', qty: 10 }, member: mallory, channelId: TRADES });
    const ack = await i.acknowledged();
    expect([ack.type, Number(ack.data?.flags) & 64]).toEqual([4, 64]);
    expect(embedOf(i.response()).description).toBe('Only traders may do that: you need one of the trader roles. The attempt has been logged.');
    expect(bot.sim.engine.listOrders({ status: 'all' })).toEqual([]);
    const audit = await bot.store.audit.listRecent(10);
    expect(audit.map((a) => [a.actor, a.action, a.outcome])).toContainEqual([mallory.userId, '/buy', 'refused']);
  });

  it('places a trader’s order, and answers a failing command with a private reason', async () => {
    const bot = await startBot(await newStore());
    const buy = bot.fake.slashCommand({
      name: 'buy',
      options: { ticker: 'AAPL', qty: 10, stop_loss: '185', take_profit: '200' },
      member: alice,
      channelId: TRADES,
    });
    const done = await buy.waitForEdits(1);
    expect(embedOf(done).title).toBe('Buy AAPL: filled');
    expect(bot.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);

    const close = bot.fake.slashCommand({ name: 'close', options: { ticker: 'MSFT' }, member: alice, channelId: TRADES });
    await close.acknowledged();
    const [followUp] = await until(() => (close.followUps().length > 0 ? close.followUps() : null));
    expect([Number(followUp?.flags) & 64, embedOf(followUp).description]).toEqual([64, 'No open position in MSFT.']);
  });

  it('offers open positions when /close is typed', async () => {
    const bot = await startBot(await newStore());
    await bot.fake.slashCommand({ name: 'buy', options: { ticker: 'AAPL', qty: 10 }, member: alice }).waitForEdits(1);
    await bot.fake.slashCommand({ name: 'sell', options: { ticker: 'MSFT', qty: 5 }, member: alice }).waitForEdits(1);
    expect(await bot.fake.autocomplete({ name: 'close', focused: 'ticker', value: 'a', member: alice })).toEqual([{ name: 'AAPL (long 10)', value: 'AAPL' }]);
  });

  it("/modify moves a trader's stop at the broker and offers open positions; a non-trader is refused", async () => {
    const bot = await startBot(await newStore());
    await bot.fake.slashCommand({ name: 'buy', options: { ticker: 'AAPL', qty: 10, stop_loss: '185', take_profit: '200' }, member: alice }).waitForEdits(1);
    expect(await bot.fake.autocomplete({ name: 'modify', focused: 'ticker', value: '', member: alice })).toEqual([{ name: 'AAPL (long 10)', value: 'AAPL' }]);
    const oldStop = (await bot.store.positions.getByTicker('AAPL'))?.stopLossOrderId ?? '';
    const modify = bot.fake.slashCommand({ name: 'modify', options: { ticker: 'AAPL', stop_loss: '186.40' }, member: alice, channelId: TRADES });
    const done = embedOf(await modify.waitForEdits(1));
    const newStop = (await bot.store.positions.getByTicker('AAPL'))?.stopLossOrderId ?? '';
    expect([done.title, done.description]).toEqual(['Modified AAPL (long)', 'stop $185.00 → $186.40 · target $200.00 (unchanged)']);
    expect(done.fields?.find((f) => f.name === 'Replaced at the broker')?.value).toBe(`stop-loss ${oldStop} → ${newStop} @ $186.40`);
    expect(bot.sim.engine.getOrder(newStop)?.stopPrice?.toFixed()).toBe('186.4');

    const refused = bot.fake.slashCommand({ name: 'modify', options: { ticker: 'AAPL', stop_loss: '100' }, member: mallory, channelId: TRADES });
    await refused.acknowledged();
    expect(embedOf(refused.response()).description).toBe('Only traders may do that: you need one of the trader roles. The attempt has been logged.');
    expect((await bot.store.positions.getByTicker('AAPL'))?.stopLossPrice?.toFixed()).toBe('186.4');
  });

  it('/flatten waits for Confirm, which only runs once', async () => {
    const bot = await startBot(await newStore());
    await bot.fake.slashCommand({ name: 'buy', options: { ticker: 'AAPL', qty: 10 }, member: alice }).waitForEdits(1);
    const ask = bot.fake.slashCommand({ name: 'flatten', member: alice, channelId: TRADES });
    await ask.acknowledged();
    const [prompt] = await until(() => (ask.followUps().length > 0 ? ask.followUps() : null));
    expect(buttonsOf(prompt)).toEqual(['Confirm:on']);
    const confirmId = (prompt!.components[0] as { components: { custom_id: string }[] }).components[0]!.custom_id;
    const click = bot.fake.clickButton({ customId: confirmId, messageId: prompt!.id, channelId: TRADES, member: alice });
    expect((await click.acknowledged()).type).toBe(6);
    const result = await click.waitForEdits(1);
    expect(embedOf(result).title).toBe('Flatten: done');
    expect(await bot.broker.getPositions()).toEqual([]);
  });
});

describe('Discord: signal approval', () => {
  const newStore = useTempStore();

  it('posts the signal with its size and buttons; Approve executes once and edits the message', async () => {
    const bot = await startBot(await newStore());
    const message = await postSignal(bot);
    expect(embedOf(message).title).toBe('Signal: BUY AAPL');
    expect(embedOf(message).fields?.find((f) => f.name === 'Proposed')?.value).toBe('400 shares, $2,000.00 at risk (set by the 2% risk rule)');
    expect(buttonsOf(message)).toEqual(['Approve:on', 'Reject:on']);
    const approveId = (message.components[0] as { components: { custom_id: string }[] }).components[0]!.custom_id;

    // Two traders click at the same moment.
    const [a, b] = [
      bot.fake.clickButton({ customId: approveId, messageId: message.id, channelId: SIGNALS, member: alice }),
      bot.fake.clickButton({ customId: approveId, messageId: message.id, channelId: SIGNALS, member: bob }),
    ];
    await Promise.all([a.acknowledged(), b.acknowledged()]);
    await until(() => (a.followUps().length + b.followUps().length > 0 ? true : null));
    const edited = await until(() => {
      const m = bot.fake.messages(SIGNALS).find((x) => x.id === message.id);
      return embedOf(m).description?.includes('filled') ? m : null;
    });
    expect(embedOf(edited).description).toMatch(/^Approved by (alice|bob) at 2026-03-02T15:00:00Z: filled, buy 400 AAPL @ \$190\.00 \(order .+\)$/);
    expect(buttonsOf(edited)).toEqual(['Approve:off', 'Reject:off']);
    const late = [...a.followUps(), ...b.followUps()];
    expect(late.map((m) => embedOf(m).title)).toEqual(['Already decided']);
    expect(bot.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('refuses a click from a non-trader, and the signal stays open', async () => {
    const bot = await startBot(await newStore());
    const message = await postSignal(bot);
    const approveId = (message.components[0] as { components: { custom_id: string }[] }).components[0]!.custom_id;
    const click = bot.fake.clickButton({ customId: approveId, messageId: message.id, channelId: SIGNALS, member: mallory });
    const ack = await click.acknowledged();
    expect([ack.type, Number(ack.data?.flags) & 64]).toEqual([4, 64]);
    const [signal] = await bot.store.signals.listByStatus('pending');
    expect(signal?.signalId).toBe(approveId.slice('approve:'.length));
    expect(bot.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('Reject records who; an expired signal cannot be approved', async () => {
    const bot = await startBot(await newStore());
    const first = await postSignal(bot);
    const rejectId = (first.components[0] as { components: { custom_id: string }[] }).components[1]!.custom_id;
    const reject = bot.fake.clickButton({ customId: rejectId, messageId: first.id, channelId: SIGNALS, member: bob });
    expect(embedOf(await reject.waitForEdits(1)).description).toBe('Rejected by bob at 2026-03-02T15:00:00Z');

    const second = await postSignal(bot, { ticker: 'MSFT', entry: '410', stop: '400', target: '430' });
    bot.sim.clock.advance(31 * 60_000);
    const approveId = (second.components[0] as { components: { custom_id: string }[] }).components[0]!.custom_id;
    const late = bot.fake.clickButton({ customId: approveId, messageId: second.id, channelId: SIGNALS, member: alice });
    const expired = await late.waitForEdits(1);
    expect(embedOf(expired).description).toMatch(/^Expired at 2026-03-02T15:31:00Z: not approved within the time allowed$/);
    expect(buttonsOf(expired)).toEqual(['Approve:off', 'Reject:off']);
    expect(bot.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('a click after a restart still works: the state is in the database', async () => {
    const store = await newStore();
    const bot = await startBot(store);
    const message = await postSignal(bot);
    await running.pop()?.stop(); // the bot goes down; the fake Discord server stays up
    const again = await startBot(store, { fake: bot.fake, apiUrl: bot.apiUrl, sim: bot.sim, broker: bot.broker });
    await bot.fake.ready();
    const approveId = (message.components[0] as { components: { custom_id: string }[] }).components[0]!.custom_id;
    const click = again.fake.clickButton({ customId: approveId, messageId: message.id, channelId: SIGNALS, member: alice });
    expect(embedOf(await click.waitForEdits(1)).description).toMatch(/^Approved by alice at .*: filled, buy 400 AAPL/);
    expect(bot.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });
});

describe('Discord: every command, registration, and Discord failing', () => {
  const newStore = useTempStore();

  it('answers every command with its embed', async () => {
    const bot = await startBot(await newStore());
    const run = async (name: string, options: Record<string, string | number> = {}, subcommand?: string) => {
      const i = bot.fake.slashCommand({ name, options, member: alice, channelId: TRADES, ...(subcommand ? { subcommand } : {}) });
      await i.acknowledged();
      const answer = await until(() => {
        const r = i.response();
        return r && r.flags !== 128 && r.embeds.length > 0 ? r : (i.followUps()[0] ?? null);
      });
      return embedOf(answer).title;
    };
    expect(await run('buy', { ticker: 'AAPL', qty: 10 })).toBe('Buy AAPL: filled');
    expect(await run('sell', { ticker: 'MSFT', qty: 5 })).toBe('Sell MSFT: filled');
    expect(await run('sim', { ticker: 'AAPL', price: '191' }, 'price')).toBe('AAPL set to $191.00');
    expect(await run('positions')).toBe('Open positions (2)');
    expect(await run('orders', { status: 'all', limit: 5 })).toBe('Orders (all)');
    expect(await run('close', { ticker: 'MSFT' })).toBe('Close MSFT');
    expect(await run('stats', { days: 7 })).toBe('Statistics, last 7 days');
    expect(await run('report')).toBe('Daily report 2026-03-02 (SIM)');
    expect(await run('halt', { reason: 'lunch' })).toBe('Trading halted');
    expect(await run('resume')).toBe('Trading resumed');
    expect(await run('status')).toBe('Status');
    expect(await run('help')).toBe('Commands');
    expect(await run('account')).toBe('Account (SIM)');
  });

  it('keeps running when Discord fails a reply', async () => {
    const bot = await startBot(await newStore());
    bot.fake.failNext('PATCH', '/webhooks/', 500, 1);
    const broken = bot.fake.slashCommand({ name: 'account', member: alice, channelId: TRADES });
    await broken.acknowledged();
    const next = bot.fake.slashCommand({ name: 'account', member: alice, channelId: TRADES });
    expect(embedOf(await next.waitForEdits(1)).title).toBe('Account (SIM)');
  });

  it('npm run deploy-commands registers every command for the guild', async () => {
    const fake = createFakeDiscord({ channelIds: [SIGNALS] });
    const { apiUrl } = await fake.start();
    running.push(fake);
    const { execFile } = await import('node:child_process');
    const root = new URL('../..', import.meta.url).pathname;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', `${root}node_modules/tsx/dist/esm/index.mjs`, `${root}scripts/deploy-commands.ts`],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            DISCORD_TOKEN: fake.token,
            DISCORD_APPLICATION_ID: fake.applicationId,
            DISCORD_GUILD_ID: fake.guildId,
            DISCORD_API_URL: apiUrl,
          },
          timeout: 120_000,
        },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect(out).toMatch(/^Registered 18 commands for guild \d+:/);
    const registered = fake.registeredCommands();
    expect(registered?.scope).toBe('guild');
    expect((registered?.commands as { name: string }[]).map((c) => c.name).sort()).toEqual([
      'account',
      'backtest',
      'buy',
      'calibration',
      'close',
      'flatten',
      'halt',
      'help',
      'modify',
      'orders',
      'positions',
      'report',
      'resume',
      'sell',
      'signal',
      'sim',
      'stats',
      'status',
    ]);
  });
});

describe('Discord: alerts and the report', () => {
  const newStore = useTempStore();

  it('/report attaches the equity chart; grouped alerts go to the alerts channel as one message', async () => {
    const bot = await startBot(await newStore());
    const report = bot.fake.slashCommand({ name: 'report', member: mallory, channelId: TRADES });
    const answer = await report.waitForEdits(1);
    expect(embedOf(answer).title).toBe('Daily report 2026-03-02 (SIM)');
    expect(answer.attachments.map((a) => [a.filename, a.contentType, a.data.subarray(1, 4).toString('latin1')])).toEqual([
      ['equity-2026-03-02.png', 'image/png', 'PNG'],
    ]);
    expect((answer.embeds[0] as { image?: { url?: string } }).image?.url).toContain('equity-2026-03-02.png');

    const sink = bot.front.alertSink(TRADES);
    await sink.post([
      { title: 'Entry filled: buy AAPL', fields: [], tone: 'success' },
      { title: 'Stop-loss hit: MSFT', fields: [], tone: 'danger' },
    ]);
    const [message] = bot.fake.messages(TRADES).filter((m) => m.embeds.length === 2);
    expect(message?.embeds.map((e) => (e as { title: string }).title)).toEqual(['Entry filled: buy AAPL', 'Stop-loss hit: MSFT']);
  });
});

describe('Discord: the webhook path', () => {
  const newStore = useTempStore();

  it('webhook → signal embed in the channel → Approve → one order on the simulator', async () => {
    const bot = await startBot(await newStore());
    const secret = 'webhook-e2e-secret-0000000000';
    const server = new WebhookServer({ operator: bot.app.operator, secret, host: '127.0.0.1', port: 0, log: quiet });
    const { url } = await server.start();
    running.push(server);
    const body = JSON.stringify({
      signal_id: 'tv-42',
      ticker: 'MSFT',
      timestamp: '2026-03-02T15:00:00Z',
      action: 'sell',
      confidence: '0.66',
      current_price: '410',
      stop_loss_price: '420',
      take_profit_price: '390',
      strategy: 'tradingview',
    });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${url}/signals`, { method: 'POST', headers: { 'x-timestamp': String(ts), 'x-signature': sign(secret, ts, body) }, body });
    expect(res.status).toBe(202);
    const message = await until(() => bot.fake.messages(SIGNALS).find((m) => embedOf(m).title === 'Signal: SELL MSFT'));
    expect(embedOf(message).description).toBe('From webhook · id tv-42');
    const click = bot.fake.clickButton({ customId: 'approve:tv-42', messageId: message.id, channelId: SIGNALS, member: bob });
    expect(embedOf(await click.waitForEdits(1)).description).toMatch(/^Approved by bob at .*: filled, sell 200 MSFT @ \$410\.00/);
    expect(bot.sim.engine.listOrders({ status: 'all' }).map((o) => [o.clientOrderId, o.side, o.quantity.toFixed()])).toEqual([['tv-42:entry', 'sell', '200']]);
  });
});

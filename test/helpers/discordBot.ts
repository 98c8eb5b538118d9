/**
 * A bot for end-to-end tests: the real discord.js client against the fake
 * Discord gateway + REST server on loopback, the in-process paper simulator
 * and a real SQLite store, plus readers for the messages it posts. Call
 * `stopBots` after each test.
 */
import { expect } from 'vitest';
import { SimBroker } from '../../src/broker/sim/SimBroker.js';
import { loadConfig } from '../../src/config.js';
import type { Store } from '../../src/db/index.js';
import { createApp } from '../../src/operator/app.js';
import { DiscordFrontEnd } from '../../src/operator/discord/DiscordFrontEnd.js';
import { Dispatcher } from '../../src/operator/dispatch.js';
import { loadCommands } from '../../src/operator/registry.js';
import { createFakeDiscord, type FakeDiscord, type FakeMessage } from '../fakes/discord/index.js';
import { harness, type Harness } from '../broker/sim/engineHarness.js';
import { until } from './until.js';

export const SIGNALS = '200000000000000001';
export const TRADES = '200000000000000002';
export const TRADER_ROLE = '300000000000000001';
export const alice = { userId: '400000000000000001', username: 'alice', roles: [TRADER_ROLE] };
export const bob = { userId: '400000000000000002', username: 'bob', roles: [TRADER_ROLE] };
export const mallory = { userId: '400000000000000003', username: 'mallory', roles: [] };

export const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** What the running test started, stopped in reverse order by `stopBots`. */
export const running: { stop(): Promise<void> }[] = [];

export async function stopBots(): Promise<void> {
  for (const r of running.splice(0).reverse()) await r.stop();
}

export interface Bot {
  fake: FakeDiscord;
  sim: Harness;
  broker: SimBroker;
  store: Store;
  front: DiscordFrontEnd;
  app: ReturnType<typeof createApp>;
}

export async function startBot(
  store: Store,
  existing?: { fake: FakeDiscord; apiUrl: string; sim: Harness; broker: SimBroker },
  env: Record<string, string> = {},
): Promise<Bot & { apiUrl: string }> {
  let fake: FakeDiscord;
  let apiUrl: string;
  if (existing) {
    ({ fake, apiUrl } = existing);
  } else {
    fake = createFakeDiscord({ channelIds: [SIGNALS, TRADES], roles: [TRADER_ROLE] });
    ({ apiUrl } = await fake.start());
    running.push(fake);
  }
  const sim = existing?.sim ?? harness();
  const broker = existing?.broker ?? new SimBroker(sim.engine);
  const config = loadConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_GUILD_ID: fake.guildId,
    DISCORD_SIGNALS_CHANNEL_ID: SIGNALS,
    DISCORD_TRADER_ROLE_IDS: TRADER_ROLE,
    DISCORD_API_URL: apiUrl,
    MAX_POSITION_PCT: '1.0',
    DB_PATH: store.path,
    ...env,
  });
  const app = createApp({ config, broker, store, sim: broker, now: () => sim.clock.now() });
  const stopFollowing = app.engine.followTradeUpdates();
  const dispatcher = new Dispatcher(app, await loadCommands(), quiet);
  const front = new DiscordFrontEnd({ app, dispatcher, log: quiet, token: fake.token, apiUrl });
  await front.start();
  running.push({
    stop: async () => {
      stopFollowing();
      await front.stop();
    },
  });
  return { fake, apiUrl, sim, broker, store, front, app };
}

export const embedOf = (m: FakeMessage | null | undefined) =>
  (m?.embeds[0] ?? {}) as { title?: string; description?: string; fields?: { name: string; value: string }[] };
export const buttonsOf = (m: FakeMessage | null | undefined) =>
  ((m?.components[0] as { components?: { custom_id: string; label: string; disabled?: boolean }[] } | undefined)?.components ?? []).map(
    (b) => `${b.label}:${b.disabled ? 'off' : 'on'}`,
  );

export async function postSignal(bot: Bot, options: Record<string, string> = {}): Promise<FakeMessage> {
  const before = bot.fake.messages(SIGNALS).length;
  const i = bot.fake.slashCommand({
    name: 'signal',
    options: { ticker: 'AAPL', action: 'buy', entry: '190', stop: '185', target: '200', confidence: '0.7', strategy: 'catalyst', ...options },
    member: alice,
    channelId: TRADES,
  });
  const [posted] = await until(() => (i.followUps().length > 0 ? i.followUps() : null));
  expect([Number(posted?.flags) & 64, embedOf(posted).title]).toEqual([64, expect.stringMatching(/^Signal discord-\d+ posted$/)]);
  return until(() => bot.fake.messages(SIGNALS)[before]);
}

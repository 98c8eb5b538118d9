/** `npm start` with DISCORD_TOKEN: the whole composition root against the fake Discord server, the webhook on, then Ctrl-C. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/signals/webhook/signature.js';
import { createFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { freePort } from '../helpers/freePort.js';
import { useTempDir } from '../helpers/tempDb.js';
import { until } from '../helpers/until.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CHANNEL = '200000000000000009';
const ROLE = '300000000000000009';
const SECRET = 'main-e2e-webhook-secret-000000';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Waits for the child to print `text`; the limit is only a safety net for a hung child, far above a slow start. */
function waitFor(child: ChildProcess, text: RegExp, timeoutMs = 90_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${text}; got:\n${out}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (text.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

describe('npm start on Discord', () => {
  const newDir = useTempDir();

  it('connects, posts its start-up alert, answers a command, takes a signed signal, and stops on SIGINT', async () => {
    const fake: FakeDiscord = createFakeDiscord({ channelIds: [CHANNEL], roles: [ROLE] });
    const { apiUrl } = await fake.start();
    cleanup.push(() => fake.stop());
    const dir = newDir();
    const port = String(await freePort());
    const child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'), join(ROOT, 'src/main.ts')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        DB_PATH: join(dir, 'trading.db'),
        LOG_LEVEL: 'silent',
        DASHBOARD_PORT: 'off',
        SIM_PRICES: 'AAPL=190',
        DISCORD_TOKEN: fake.token,
        DISCORD_APPLICATION_ID: fake.applicationId,
        DISCORD_GUILD_ID: fake.guildId,
        DISCORD_API_URL: apiUrl,
        DISCORD_ALERTS_CHANNEL_ID: CHANNEL,
        DISCORD_TRADER_ROLE_IDS: ROLE,
        WEBHOOK_PORT: port,
        WEBHOOK_SECRET: SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await waitFor(child, /catalyst-bot on Discord \(SIM, broker sim\)/);
    await until(() => fake.messages(CHANNEL).find((m) => (m.embeds[0] as { title?: string } | undefined)?.title === 'Started: reconciliation'), 60_000);

    const account = fake.slashCommand({ name: 'account', member: { userId: '400000000000000009', username: 'carol', roles: [ROLE] }, channelId: CHANNEL });
    expect((await account.waitForEdits(1, 60_000)).embeds[0]).toMatchObject({ title: 'Account (SIM)' });

    const body = JSON.stringify({
      signal_id: 'main-1',
      ticker: 'AAPL',
      timestamp: new Date().toISOString(),
      action: 'buy',
      confidence: 0.6,
      current_price: 190,
      stop_loss_price: 185,
      take_profit_price: 200,
    });
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`http://127.0.0.1:${port}/signals`, {
      method: 'POST',
      headers: { 'x-timestamp': String(ts), 'x-signature': sign(SECRET, ts, body) },
      body,
    });
    expect(res.status).toBe(202);
    await until(() => fake.messages(CHANNEL).find((m) => (m.embeds[0] as { title?: string } | undefined)?.title === 'Signal: BUY AAPL'), 60_000);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 180_000);
});

/** `npm start` serves the dashboard beside the console: the printed login URL works; a busy port is one warning and the bot runs on. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/tempDb.js';

const ROOT = new URL('../..', import.meta.url).pathname;

interface Bot {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

function startBot(env: Record<string, string>): Bot {
  const child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'), join(ROOT, 'src/main.ts')], {
    cwd: env.DIR,
    env: { PATH: process.env.PATH ?? '', SIM_PRICES: 'AAPL=190', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const found = out.split('\n').find((l) => w.pattern.test(l));
      if (found !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        void exited.then((code) => reject(new Error(`the bot exited (${String(code)}) before printing ${String(pattern)}:\n${out}\n${err}`)));
      }),
  };
}

describe('npm start and the dashboard', () => {
  const newDir = useTempDir();
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });

  it('prints the login URL with a generated token; the URL logs in; the token stays out of the log; the bot ends cleanly', async () => {
    const dir = newDir();
    const bot = startBot({ DIR: dir, DB_PATH: join(dir, 'trading.db'), LOG_LEVEL: 'info', DASHBOARD_PORT: '0' });
    cleanup.push(() => {
      bot.child.kill();
    });
    const line = await bot.line(/^Dashboard: /);
    const match = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/login\?token=([A-Za-z0-9_-]{32})$/.exec(line);
    expect(match).not.toBeNull();
    const [, url, token] = match!;
    const login = await fetch(`${url}/login?token=${token}`, { redirect: 'manual' });
    expect([login.status, login.headers.get('location')]).toEqual([303, '/']);
    const api = await fetch(`${url}/api/account`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await api.json()) as { equity: string }).equity).toBe('100000');
    bot.child.stdin.end();
    expect(await bot.exited).toBe(0);
    // Closed on shutdown.
    await expect(fetch(`${url}/login`)).rejects.toThrow();
    // The log told of the login, never the token.
    expect(bot.stderr()).toContain('dashboard login');
    expect(bot.stderr()).not.toContain(token);
  });

  it('warns once and runs on without the dashboard when its port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    const dir = newDir();
    const token = 'a-fixed-dashboard-token-0123456789';
    const bot = startBot({ DIR: dir, DB_PATH: join(dir, 'trading.db'), LOG_LEVEL: 'warn', DASHBOARD_PORT: String(port), DASHBOARD_TOKEN: token });
    cleanup.push(() => {
      bot.child.kill();
    });
    bot.child.stdin.end('/status\n');
    expect(await bot.exited).toBe(0);
    expect(bot.stdout()).not.toContain('Dashboard:');
    // The console session ran.
    expect(bot.stdout()).toContain('Status');
    const warnings = bot
      .stderr()
      .split('\n')
      .filter((l) => l.includes('the dashboard cannot listen'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`port ${port} is already in use (DASHBOARD_PORT`);
    expect(bot.stderr()).not.toContain(token);
  });
});

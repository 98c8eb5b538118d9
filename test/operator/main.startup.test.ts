/** `npm start` refuses to start, with one clear line, when it cannot serve what it was told to: before any command runs. */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/tempDb.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

function start(env: Record<string, string>, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'), join(ROOT, 'src/main.ts')],
      { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', DASHBOARD_PORT: 'off', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

describe('npm start with a webhook it cannot serve', () => {
  const newDir = useTempDir();

  it('ends start-up with one line naming the port when it is taken, before the console runs anything', async () => {
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    const dir = newDir();
    const result = await start({ DB_PATH: join(dir, 'trading.db'), WEBHOOK_PORT: String(port), WEBHOOK_SECRET: 'startup-test-secret-000000000' }, '/account\n');
    expect(result.stderr).toBe(
      `catalyst-bot failed to start: the signal webhook cannot listen on 127.0.0.1:${port}: port ${port} is already in use (WEBHOOK_PORT)\n`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('Account');
  }, 120_000);

  it('names a WEBHOOK_HOST that is not an address of this machine', async () => {
    const dir = newDir();
    const result = await start(
      { DB_PATH: join(dir, 'trading.db'), WEBHOOK_PORT: '8799', WEBHOOK_HOST: '192.0.2.1', WEBHOOK_SECRET: 'startup-test-secret-000000000' },
      '/account\n',
    );
    expect(result.stderr).toBe(
      'catalyst-bot failed to start: the signal webhook cannot listen on 192.0.2.1:8799: 192.0.2.1 is not an address of this machine (WEBHOOK_HOST)\n',
    );
    expect(result.code).toBe(1);
  }, 120_000);
});

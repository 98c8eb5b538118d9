/**
 * A DB_PATH whose folder can never be created fails at once, naming the path
 * (Node's recursive mkdir loops forever under /proc; the store must not).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/index.js';
import { useTempDir } from '../helpers/tempDb.js';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('opening a database that cannot be', () => {
  const newDir = useTempDir();

  it('rejects for a folder that can never be created, naming the path', async () => {
    await expect(openStore('/proc/x/t.db')).rejects.toThrow(
      "cannot open the database /proc/x/t.db: cannot create the folder /proc/x: ENOENT: no such file or directory, mkdir '/proc/x'",
    );
    await expect(openStore('/proc/x/y/z/t.db')).rejects.toThrow('cannot open the database /proc/x/y/z/t.db: cannot create the folder /proc/x:');
  });

  it('rejects when a file stands where the folder should be', async () => {
    const file = join(newDir(), 'not-a-folder');
    writeFileSync(file, 'x');
    await expect(openStore(join(file, 'sub', 't.db'))).rejects.toThrow(`cannot open the database ${join(file, 'sub', 't.db')}: ${file} is not a folder`);
  });

  it('still creates missing folders for a path that can be', async () => {
    const path = join(newDir(), 'a', 'b', 'trading.db');
    const store = await openStore(path);
    expect(store.path).toBe(path);
    await store.close();
  });

  it('npm start prints one line naming the path and exits 1', async () => {
    const dir = newDir();
    const child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'), join(ROOT, 'src/main.ts')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DB_PATH: '/proc/x/t.db', LOG_LEVEL: 'silent', DASHBOARD_PORT: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect([code, stderr]).toEqual([
      1,
      "catalyst-bot failed to start: cannot open the database /proc/x/t.db: cannot create the folder /proc/x: ENOENT: no such file or directory, mkdir '/proc/x'\n",
    ]);
  }, 60_000);
});

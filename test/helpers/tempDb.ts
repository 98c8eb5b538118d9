import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type Store } from '../../src/db/index.js';

/** A fresh directory under the OS temp dir, removed after the test. */
export function useTempDir(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-test-'));
    dirs.push(dir);
    return dir;
  };
}

/** A temp folder for each test, made on first use, and a writer of files into it; removed after the test. */
export function useTempFiles(): { dir: () => string; write: (name: string, content: string | Buffer) => string } {
  const newDir = useTempDir();
  let current: string | null = null;
  afterEach(() => {
    current = null;
  });
  const dir = () => (current ??= newDir());
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir(), name);
    writeFileSync(path, content);
    return path;
  };
  return { dir, write };
}

/** A migrated store on a real SQLite file, closed after the test. */
export function useTempStore(): () => Promise<Store> {
  const newDir = useTempDir();
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  return async () => {
    const store = await openStore(join(newDir(), 'trading.db'));
    stores.push(store);
    return store;
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
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

/** `npm start` fed a script on stdin: one command per line, each result printed, exit 0 at the end. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/tempDb.js';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('the console as a script', () => {
  const newDir = useTempDir();

  it('runs a trading session from stdin and exits 0', () => {
    const dir = newDir();
    const script = ['/signal AAPL buy 190 185 200 0.7 catalyst', 'approve', '/positions', '/close AAPL', '/stats', ''].join('\n');
    const out = execFileSync(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'), join(ROOT, 'src/main.ts')], {
      cwd: dir,
      input: script,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        DB_PATH: join(dir, 'trading.db'),
        SIM_PRICES: 'AAPL=190',
        SIM_SEED: '1',
        LOG_LEVEL: 'silent',
        DASHBOARD_PORT: 'off',
      },
      timeout: 150_000,
    });
    // risk sizing with the defaults: 2,000 / 5 = 400, capped at 10% of 100,000 / 190 = 52 shares.
    expect(out).toContain('  Proposed: 52 shares, $260.00 at risk');
    expect(out).toMatch(/Approved by console at .*: filled, buy 52 AAPL @ \$190\.00/);
    expect(out).toContain('AAPL long 52: entry $190.00');
    expect(out).toContain('» ✔ Position closed: AAPL\n    long 52 AAPL: $190.00 → $190.00\n    Realized P&L: $0.00 (0.00%)');
    expect(out).toContain('  Trades: 1 (0 won, 0 lost)');
  }, 180_000);
});

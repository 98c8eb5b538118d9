/** Small helpers shared by the benchmarks: timing, percentiles, a fresh database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../src/db/index.js';
import { type Decimal, ZERO } from '../src/domain/money.js';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Microseconds since `start` (from process.hrtime.bigint()). */
export function microsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

export async function withTempStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-bench-'));
  const store = await openStore(join(dir, 'trading.db'));
  try {
    return await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Records trading day `day`'s end-of-day equity (all cash), as the monitor does at the close. */
export function recordEod(store: Store, day: string, equity: Decimal): Promise<void> {
  return store.equity.record({
    takenAt: new Date(`${day}T21:00:00Z`),
    tradingDay: day,
    kind: 'eod',
    equity,
    cash: equity,
    positionsValue: ZERO,
    unrealizedPnl: ZERO,
    realizedPnlDay: ZERO,
    openPositions: 0,
  });
}

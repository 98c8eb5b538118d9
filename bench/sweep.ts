/**
 * Backtest sweeps: the wall time of one sweep of four combinations run on one
 * worker thread and on two, over the same generated bars and signals, and the
 * speed-up. The two sweeps must give the same figures; the bench checks it.
 */
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { expandGrid, sweepSchema } from '../src/backtest/sweep/grid.js';
import { runSweep } from '../src/backtest/sweep/pool.js';
import type { SweepTask } from '../src/backtest/sweep/run.js';
import { mulberry32 } from '../src/broker/sim/feed.js';
import { fmt, median } from './stats.js';

export interface SweepBenchSize {
  symbols: number;
  days: number;
  signals: number;
}

/** Enough work per combination that starting the workers is a small part of the time. */
export const SWEEP_BENCH_SIZE: SweepBenchSize = { symbols: 50, days: 1_000, signals: 1_000 };

/** Four combinations: two sizing methods by two slippages. */
const GRID = ['sizing=percent,risk', 'slippage_bps=0,5'];

export interface SweepFigures {
  size: SweepBenchSize;
  combinations: number;
  /** Bars each combination replays. */
  bars: number;
  oneWorkerSeconds: number;
  twoWorkerSeconds: number;
}

const cents = (c: number) => (c / 100).toFixed(2);

/**
 * A bars CSV in (time, symbol) order, a random walk per symbol in whole cents
 * over weekdays from 2015-01-02, and a signals CSV of buys, each after a bar's
 * close with its stop 5% below and its target 5% above it.
 */
export async function generate(dir: string, size: SweepBenchSize): Promise<{ bars: string; signals: string }> {
  const rng = mulberry32(20_261_207);
  const days: string[] = [];
  for (let t = Date.UTC(2015, 0, 2); days.length < size.days; t += 86_400_000) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(new Date(t).toISOString().slice(0, 10));
  }
  // A distinct (day, symbol) per signal, never on the last day, so each has a bar to fill on.
  const wanted = new Set<number>();
  const slots = Math.min(size.signals, (size.days - 1) * size.symbols);
  while (wanted.size < slots) wanted.add(Math.floor(rng() * (size.days - 1)) * size.symbols + Math.floor(rng() * size.symbols));
  const closes = Array.from({ length: size.symbols }, () => 2_000 + Math.floor(rng() * 18_000));
  const bars = join(dir, 'bars.csv');
  const signals = join(dir, 'signals.csv');
  const out = createWriteStream(bars);
  const signalLines = ['signal_id,ticker,timestamp,action,confidence,current_price,stop_loss_price,take_profit_price,position_size_pct'];
  out.write('symbol,timestamp,open,high,low,close,volume\n');
  for (const [d, day] of days.entries()) {
    let chunk = '';
    for (let s = 0; s < size.symbols; s++) {
      const symbol = `S${String(s).padStart(3, '0')}`;
      const open = Math.max(100, Math.round((closes[s] ?? 2_000) * (1 + (rng() - 0.5) * 0.01)));
      const close = Math.max(100, Math.round(open * (1 + (rng() - 0.5) * 0.04)));
      const high = Math.max(open, close) + Math.round(rng() * open * 0.01);
      const low = Math.max(50, Math.min(open, close) - Math.round(rng() * open * 0.01));
      closes[s] = close;
      chunk += `${symbol},${day},${cents(open)},${cents(high)},${cents(low)},${cents(close)},${1_000 + Math.floor(rng() * 100_000)}\n`;
      if (wanted.has(d * size.symbols + s)) {
        signalLines.push(
          `b${signalLines.length},${symbol},${day}T21:00:00Z,buy,0.7,${cents(close)},${cents(Math.round(close * 0.95))},${cents(Math.round(close * 1.05))},0.02`,
        );
      }
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  writeFileSync(signals, `${signalLines.join('\n')}\n`);
  return { bars, signals };
}

export function task(bars: string, signals: string): SweepTask {
  return {
    bars: [bars],
    startingCash: '1000000',
    sizing: { method: 'percent', maxPositionSizePct: '0.05', riskPerTradePct: '0.01', kellyFraction: '0.5' },
    // Loose enough that no run is halted: what is measured is the replays, not a stopped account.
    risk: { maxOpenPositions: 50, maxExposurePct: '1', maxDailyLossPct: '0.5', maxDrawdownPct: '0.9', reduceAtDailyLossPct: null },
    costs: { slippageBps: '0', commissionPerShare: '0.005' },
    source: { kind: 'file', path: signals },
  };
}

/** Generates the inputs once, times `runs` sweeps on each worker count, removes the inputs. */
export async function benchSweep(runs: number, size: SweepBenchSize = SWEEP_BENCH_SIZE): Promise<SweepFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-bench-sweep-'));
  try {
    const inputs = await generate(dir, size);
    const combinations = expandGrid(sweepSchema.parse(GRID));
    const sweep = task(inputs.bars, inputs.signals);
    const timed = async (workers: number) => {
      const start = process.hrtime.bigint();
      const summaries = await runSweep(sweep, combinations, { workers });
      return { seconds: Number(process.hrtime.bigint() - start) / 1e9, summaries };
    };
    const figures: SweepFigures[] = [];
    for (let i = 0; i < runs; i++) {
      const one = await timed(1);
      const two = await timed(2);
      if (!isDeepStrictEqual(one.summaries, two.summaries)) throw new Error('the sweep on two workers gave other figures than on one');
      figures.push({
        size,
        combinations: combinations.length,
        bars: one.summaries[0]?.bars ?? 0,
        oneWorkerSeconds: one.seconds,
        twoWorkerSeconds: two.seconds,
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function sweepBenchTable(runs: readonly SweepFigures[]): string {
  const first = runs[0];
  if (first === undefined) return '';
  const one = median(runs.map((r) => r.oneWorkerSeconds));
  const two = median(runs.map((r) => r.twoWorkerSeconds));
  const { symbols, days, signals } = first.size;
  return [
    '| backtest sweep | median of runs |',
    '| --- | --- |',
    `| ${first.combinations} combinations (sizing × slippage), each ${fmt(first.bars, 0)} bars (${symbols} symbols × ${days} days) and ${fmt(signals, 0)} signals, on 1 worker | ${fmt(one, 2)} s |`,
    `| the same on 2 workers (identical figures) | ${fmt(two, 2)} s |`,
    `| speed-up | ${fmt(one / two, 2)}× |`,
  ].join('\n');
}

/**
 * Backtesting: bars replayed per second with no signals (the bars input alone
 * and the whole replay), each next to the floor of reading the same file
 * line by line; and a realistic run — 10 years of daily bars for 500 symbols
 * with 10,000 signals — end to end, with its peak memory, next to the same
 * run over a quarter of the bars. The large runs each go in a fresh Node
 * process (this file started with `--child`), so the peak memory is theirs
 * alone.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readBarRows, validateBars, type ValidatedBars } from '../src/backtest/input/barsCsv.js';
import { runBacktest, type BacktestOptions } from '../src/backtest/replay.js';
import { openStore } from '../src/db/index.js';
import { dec } from '../src/domain/money.js';
import { fmt, median } from './stats.js';
import { mulberry32 } from '../src/broker/sim/feed.js';

/** Trading days in ten years. */
const DAYS = 2_520;
const SMALL_SYMBOLS = 50;
const LARGE_SYMBOLS = 500;
const SIGNALS = 10_000;
const SIGNALS_HEADER = 'signal_id,ticker,timestamp,action,confidence,current_price,stop_loss_price,take_profit_price,position_size_pct\n';

/** Weekdays from 2015-01-02 on, as YYYY-MM-DD. */
function tradingDays(count: number): string[] {
  const days: string[] = [];
  for (let t = Date.UTC(2015, 0, 2); days.length < count; t += 86_400_000) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

const cents = (c: number) => (c / 100).toFixed(2);

/**
 * Writes a bars CSV in (time, symbol) order — a random walk per symbol, in
 * whole cents — and, when `signals` > 0, a signals CSV of that many buys, each
 * after some bar's close with its stop 5% below and its target 5% above that
 * close, so most trades close within days.
 */
export async function generate(dir: string, symbolCount: number, dayCount: number, signals: number): Promise<{ bars: string; signals: string }> {
  const rng = mulberry32(20_260_301);
  const days = tradingDays(dayCount);
  const symbols = Array.from({ length: symbolCount }, (_, i) => `S${String(i).padStart(3, '0')}`);
  // Signal slots: a distinct (day, symbol) each, never on the last day, so every one has a next bar to fill on.
  const slots = new Map<number, Set<number>>();
  for (let placed = 0; placed < signals;) {
    const day = Math.floor(rng() * (dayCount - 1));
    const symbol = Math.floor(rng() * symbolCount);
    const set = slots.get(day) ?? new Set<number>();
    if (set.has(symbol)) continue;
    set.add(symbol);
    slots.set(day, set);
    placed += 1;
  }
  const closes = symbols.map(() => 2_000 + Math.floor(rng() * 18_000));
  const barsFile = join(dir, `bars-${symbolCount}x${dayCount}.csv`);
  const signalsFile = join(dir, `signals-${symbolCount}x${dayCount}.csv`);
  const out = createWriteStream(barsFile);
  const signalLines: string[] = [];
  out.write('symbol,timestamp,open,high,low,close,volume\n');
  for (let d = 0; d < dayCount; d++) {
    const day = days[d] as string;
    const wanted = slots.get(d);
    let chunk = '';
    for (let s = 0; s < symbolCount; s++) {
      const previous = closes[s] as number;
      const open = Math.max(100, Math.round(previous * (1 + (rng() - 0.5) * 0.01)));
      const close = Math.max(100, Math.round(open * (1 + (rng() - 0.5) * 0.04)));
      const high = Math.max(open, close) + Math.round(rng() * open * 0.01);
      const low = Math.max(50, Math.min(open, close) - Math.round(rng() * open * 0.01));
      closes[s] = close;
      chunk += `${symbols[s] as string},${day},${cents(open)},${cents(high)},${cents(low)},${cents(close)},${1_000 + Math.floor(rng() * 100_000)}\n`;
      if (wanted?.has(s) === true) {
        const id = `b${signalLines.length + 1}`;
        signalLines.push(
          `${id},${symbols[s] as string},${day}T21:00:00Z,buy,0.7,${cents(close)},${cents(Math.round(close * 0.95))},${cents(Math.round(close * 1.05))},0.02\n`,
        );
      }
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  writeFileSync(signalsFile, SIGNALS_HEADER + signalLines.join(''));
  return { bars: barsFile, signals: signalsFile };
}

/** The floor: the file read with a plain stream and split into lines, nothing parsed. */
async function plainLines(file: string): Promise<number> {
  let lines = 0;
  let carry = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) {
    const parts = (carry + (chunk as string)).split('\n');
    carry = parts.pop() ?? '';
    lines += parts.length;
  }
  return lines + (carry === '' ? 0 : 1);
}

function options(bars: string | ValidatedBars, signals: string, store: BacktestOptions['store']): BacktestOptions {
  return {
    bars,
    signals,
    startingCash: dec(1_000_000),
    sizing: { method: 'percent', maxPositionSizePct: dec('0.05'), riskPerTradePct: dec('0.01'), kellyFraction: dec('0.5') },
    // Loose enough that the run is never halted: what is measured is the replay, not a stopped account.
    risk: { maxOpenPositions: 50, maxExposurePct: dec(1), maxDailyLossPct: dec('0.5'), maxDrawdownPct: dec('0.9') },
    costs: { slippageBps: dec(5), commissionPerShare: dec('0.005') },
    store,
  };
}

/** Runs one backtest on a fresh in-memory store, as `npm run backtest` does; seconds and the summary's counts. */
export async function timedRun(
  bars: string | ValidatedBars,
  signals: string,
): Promise<{ seconds: number; bars: number; trades: number; open: number; refused: number }> {
  const store = await openStore(':memory:');
  try {
    const start = process.hrtime.bigint();
    const result = await runBacktest(options(bars, signals, store));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const s = result.summary;
    return { seconds, bars: s.bars, trades: s.trades, open: s.open_positions, refused: s.signals_refused };
  } finally {
    await store.close();
  }
}

const childSchema = z.object({
  seconds: z.number(),
  bars: z.number(),
  trades: z.number(),
  open: z.number(),
  refused: z.number(),
  baseRssMb: z.number(),
  peakRssMb: z.number(),
});
type ChildFigures = z.infer<typeof childSchema>;

/** In the child: one run, its figures as JSON on stdout. */
async function childRun(bars: string, signals: string): Promise<ChildFigures> {
  const baseRssMb = process.memoryUsage().rss / 2 ** 20;
  const run = await timedRun(bars, signals);
  return { ...run, baseRssMb, peakRssMb: (process.resourceUsage().maxRSS * 1024) / 2 ** 20 };
}

function inChild(bars: string, signals: string): ChildFigures {
  const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', tsx, fileURLToPath(import.meta.url), '--child', bars, signals], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return childSchema.parse(JSON.parse(out));
}

export interface BacktestFigures {
  smallBars: number;
  /**
   * Bars per second: plain read and line split (floor), the validating pass,
   * bars input (validate + read), the replay of validated bars, and the whole
   * replay (validate + replay), all with no signals.
   */
  floorPerSecond: number;
  validatePerSecond: number;
  inputPerSecond: number;
  passPerSecond: number;
  replayPerSecond: number;
  largeFloorSeconds: number;
  large: ChildFigures;
  quarter: ChildFigures;
  /** The same bars with no signals: memory with the bars alone. */
  largeBare: ChildFigures;
  quarterBare: ChildFigures;
}

/** Generates the inputs once, measures `runs` times, removes the inputs. */
export async function benchBacktest(runs: number): Promise<BacktestFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-bench-bars-'));
  try {
    const small = await generate(dir, SMALL_SYMBOLS, DAYS, 0);
    const large = await generate(dir, LARGE_SYMBOLS, DAYS, SIGNALS);
    const quarter = await generate(dir, LARGE_SYMBOLS, DAYS / 4, SIGNALS);
    const figures: BacktestFigures[] = [];
    for (let i = 0; i < runs; i++) {
      let start = process.hrtime.bigint();
      const lines = await plainLines(small.bars);
      const floorSeconds = Number(process.hrtime.bigint() - start) / 1e9;

      start = process.hrtime.bigint();
      const validated = await validateBars(small.bars);
      const validateSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      let count = 0;
      for await (const rows of readBarRows(validated)) count += rows.length;
      const inputSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (count !== lines - 1) throw new Error(`read ${count} bars of ${lines - 1}`);

      const pass = await timedRun(validated, small.signals);
      const replay = await timedRun(small.bars, small.signals);
      if (replay.bars !== count || pass.bars !== count) throw new Error(`replayed ${replay.bars} and ${pass.bars} bars of ${count}`);

      start = process.hrtime.bigint();
      await plainLines(large.bars);
      const largeFloorSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      figures.push({
        smallBars: count,
        floorPerSecond: count / floorSeconds,
        validatePerSecond: count / validateSeconds,
        inputPerSecond: count / inputSeconds,
        passPerSecond: count / pass.seconds,
        replayPerSecond: count / replay.seconds,
        largeFloorSeconds,
        large: inChild(large.bars, large.signals),
        quarter: inChild(quarter.bars, quarter.signals),
        largeBare: inChild(large.bars, small.signals),
        quarterBare: inChild(quarter.bars, small.signals),
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function backtestTable(runs: readonly BacktestFigures[]): string {
  const m = (pick: (r: BacktestFigures) => number, digits = 1) => fmt(median(runs.map(pick)), digits);
  const bars = runs[0]?.smallBars ?? 0;
  const big = runs[0]?.large.bars ?? 0;
  const quarterBars = runs[0]?.quarter.bars ?? 0;
  return [
    '| backtest | median of runs |',
    '| --- | --- |',
    `| floor: the ${fmt(bars, 0)}-bar CSV (${SMALL_SYMBOLS} symbols × ${DAYS} days) read and split into lines, nothing parsed | ${m((r) => r.floorPerSecond, 0)} bars/s |`,
    `| the validating pass alone (every row checked) | ${m((r) => r.validatePerSecond, 0)} bars/s |`,
    `| bars input: validated, then read and merged in time order | ${m((r) => r.inputPerSecond, 0)} bars/s |`,
    `| replay of validated bars with no signals (read, broker, equity curve, summary) | ${m((r) => r.passPerSecond, 0)} bars/s |`,
    `| whole replay with no signals (the validating pass, then the replay) | ${m((r) => r.replayPerSecond, 0)} bars/s |`,
    `| floor: the ${fmt(big, 0)}-bar CSV (${LARGE_SYMBOLS} symbols × ${DAYS} days) read and split into lines | ${m((r) => r.largeFloorSeconds, 2)} s |`,
    `| ${LARGE_SYMBOLS} symbols × ${DAYS} days, ${fmt(SIGNALS, 0)} signals, end to end (trades closed / open / signals refused) | ${m((r) => r.large.seconds, 2)} s (${fmt(runs[0]?.large.trades ?? 0, 0)} / ${fmt(runs[0]?.large.open ?? 0, 0)} / ${fmt(runs[0]?.large.refused ?? 0, 0)}) |`,
    `| the same, peak memory (RSS) / before the run | ${m((r) => r.large.peakRssMb)} MB / ${m((r) => r.large.baseRssMb)} MB |`,
    `| a quarter of the bars (${fmt(quarterBars, 0)}: ${DAYS / 4} days), ${fmt(SIGNALS, 0)} signals, end to end | ${m((r) => r.quarter.seconds, 2)} s (${fmt(runs[0]?.quarter.trades ?? 0, 0)} / ${fmt(runs[0]?.quarter.open ?? 0, 0)} / ${fmt(runs[0]?.quarter.refused ?? 0, 0)}) |`,
    `| the same, peak memory (RSS) / before the run | ${m((r) => r.quarter.peakRssMb)} MB / ${m((r) => r.quarter.baseRssMb)} MB |`,
    `| no signals, the ${fmt(big, 0)} bars: time / peak memory (RSS) | ${m((r) => r.largeBare.seconds, 2)} s / ${m((r) => r.largeBare.peakRssMb)} MB |`,
    `| no signals, the ${fmt(quarterBars, 0)} bars: time / peak memory (RSS) | ${m((r) => r.quarterBare.seconds, 2)} s / ${m((r) => r.quarterBare.peakRssMb)} MB |`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  const [bars, signals] = process.argv.slice(3);
  if (bars === undefined || signals === undefined) throw new Error('usage: backtest.ts --child BARS SIGNALS');
  process.stdout.write(JSON.stringify(await childRun(bars, signals)));
}

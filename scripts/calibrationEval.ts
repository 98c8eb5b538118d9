/**
 * Calibrated against raw Kelly on a synthetic, over-confident strategy:
 * `npx tsx scripts/calibrationEval.ts [--seed 7] [--signals 400]` prints
 * both runs' final equity, return and max drawdown (docs/trading.md quotes it).
 *
 * The strategy states 0.6, 0.7, 0.8 or 0.9 but wins 20%, 25%, 30% and 40% of
 * the time at those values, with every trade's target twice as far as its
 * stop (reward:risk 2, so 1/3 is break-even). Raw Kelly believes the stated
 * values and bets on every signal; calibrated Kelly learns, walking forward,
 * that only the 0.9 signals have an edge, and how small it is.
 *
 * One symbol, daily bars: a signal after each close, filled at the next
 * open, and that same bar reaches either the target or the stop (never both),
 * closing there; the next signal follows that close.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBacktest, type BacktestSummary } from '../src/backtest/replay.js';
import { openStore } from '../src/db/index.js';
import { Decimal } from '../src/domain/money.js';
import { toSignal, type TradingSignal } from '../src/domain/signal.js';
import type { SizingMethod } from '../src/execution/sizing.js';
import { runWhenInvoked } from './runWhenInvoked.js';
import { mulberry32 } from '../src/broker/sim/feed.js';

/** Stated confidence → the win rate the synthetic strategy really has at it. */
export const TRUE_WIN_RATE: ReadonlyMap<string, number> = new Map([
  ['0.6', 0.2],
  ['0.7', 0.25],
  ['0.8', 0.3],
  ['0.9', 0.4],
]);
const STOP = new Decimal('0.95');
const TARGET = new Decimal('1.10');
const DAY_MS = 86_400_000;
const START = Date.UTC(2020, 0, 1);

export interface Scenario {
  /** Bars CSV (symbol,timestamp,open,high,low,close,volume). */
  bars: string;
  signals: TradingSignal[];
  /** How many signals the bars make winners. */
  winners: number;
  /** Per stated confidence: signals and winners. */
  byStated: Map<string, { signals: number; winners: number }>;
}

const day = (i: number) => new Date(START + i * DAY_MS).toISOString().slice(0, 10);
const cents = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

export function overconfidentScenario(seed: number, count: number): Scenario {
  const next = mulberry32(seed);
  const stated = [...TRUE_WIN_RATE.keys()];
  let close = new Decimal(100);
  const rows = ['symbol,timestamp,open,high,low,close,volume', `SYN,${day(0)},100,100.5,99.5,100,1000`];
  const signals: TradingSignal[] = [];
  let winners = 0;
  const byStated = new Map(stated.map((c) => [c, { signals: 0, winners: 0 }]));
  for (let i = 0; i < count; i++) {
    const confidence = stated[Math.floor(next() * stated.length)] ?? '0.9';
    const wins = next() < (TRUE_WIN_RATE.get(confidence) ?? 0);
    const stop = cents(close.times(STOP));
    const target = cents(close.times(TARGET));
    signals.push(
      toSignal({
        signal_id: `syn-${i}`,
        ticker: 'SYN',
        timestamp: `${day(i)}T21:00:00Z`,
        action: 'buy',
        confidence,
        current_price: close.toFixed(),
        stop_loss_price: stop.toFixed(),
        take_profit_price: target.toFixed(),
        strategy: 'overconfident',
      }),
    );
    // Opens at the signal's price; reaches one exit, a cent past it, and closes there.
    const exit = wins ? target : stop;
    const high = wins ? target.plus('0.01') : close.plus('0.01');
    const low = wins ? close.minus('0.01') : stop.minus('0.01');
    rows.push(`SYN,${day(i + 1)},${close.toFixed()},${high.toFixed()},${low.toFixed()},${exit.toFixed()},1000`);
    if (wins) winners += 1;
    const tally = byStated.get(confidence);
    if (tally) {
      tally.signals += 1;
      tally.winners += wins ? 1 : 0;
    }
    close = exit;
  }
  return { bars: `${rows.join('\n')}\n`, signals, winners, byStated };
}

/** Runs the scenario with one sizing method on a scratch store in `dir`. */
export async function runScenario(scenario: Scenario, method: SizingMethod, dir: string): Promise<BacktestSummary> {
  const bars = join(dir, 'bars.csv');
  writeFileSync(bars, scenario.bars);
  const store = await openStore(join(dir, `${method}.db`));
  try {
    const result = await runBacktest({
      bars,
      signals: { signals: scenario.signals },
      startingCash: new Decimal(100_000),
      // No position cap below Kelly's own size, and no halt: the comparison is of the sizing alone.
      sizing: { method, maxPositionSizePct: new Decimal(1), riskPerTradePct: new Decimal('0.02'), kellyFraction: new Decimal('0.5'), calibrationMinTrades: 30 },
      risk: { maxOpenPositions: 1, maxExposurePct: new Decimal(1), maxDailyLossPct: new Decimal(1), maxDrawdownPct: new Decimal(1) },
      costs: { slippageBps: new Decimal(0), commissionPerShare: new Decimal(0) },
      store,
    });
    return result.summary;
  } finally {
    await store.close();
  }
}

async function main(): Promise<number> {
  const arg = (name: string, fallback: number) => {
    const at = process.argv.indexOf(`--${name}`);
    const value = at < 0 ? fallback : Number(process.argv[at + 1]);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${name} must be a whole number above 0`);
    return value;
  };
  const seed = arg('seed', 7);
  const count = arg('signals', 400);
  const scenario = overconfidentScenario(seed, count);
  const dir = mkdtempSync(join(tmpdir(), 'calibration-eval-'));
  try {
    console.log(`seed ${seed}: ${count} signals, ${scenario.winners} winners (${((scenario.winners / count) * 100).toFixed(1)}%)`);
    for (const [c, t] of scenario.byStated)
      console.log(`  stated ${c}: ${t.signals} signals, ${t.winners} won (${((t.winners / t.signals) * 100).toFixed(1)}%)`);
    console.log('sizing            final equity   return %   max drawdown %   trades   refused');
    for (const method of ['kelly', 'calibrated_kelly'] as const) {
      const s = await runScenario(scenario, method, dir);
      console.log(
        `${method.padEnd(16)}  ${s.ending_equity.padStart(12)}   ${s.total_return_pct.padStart(8)}   ${s.max_drawdown_pct.padStart(14)}   ${String(s.trades).padStart(6)}   ${String(s.signals_refused).padStart(7)}`,
      );
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runWhenInvoked(import.meta.url, main);

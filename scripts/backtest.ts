/**
 * `npm run backtest -- --bars FILE|DIR (--signals FILE | --strategy FILE.ts |
 * --history DAYS [--min-confidence X]) [--from DATE] [--to DATE] [--cash N]
 * [--sizing risk|percent|kelly|calibrated_kelly] [--slippage-bps N] [--commission N]
 * [--sweep name=a,b,c …] [--out DIR]`: replays signals over historical bars
 * through the trading engine (the same executor, risk manager and order
 * ledger as a live session) and writes summary.json, trades.csv, equity.csv
 * and equity.png. The signals come from a file, from a strategy module run
 * over the bars, or from the database (the stored signals of the last DAYS
 * days, as if approved). With --sweep, every combination of the listed
 * settings is run (in worker threads, one per core) and sweep.csv holds one
 * row of summary figures per combination.
 *
 * The run is recorded on a fresh database in a temp folder, removed at the
 * end. The live database (DB_PATH) is only ever read as a file, for
 * --history: it is copied into the temp folder and the copy is opened, so the
 * live file is never opened as a database, let alone written. Sizing and
 * risk limits are the configuration's (the same variables the bot reads),
 * --sizing overriding the method.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { FillCosts } from '../src/backtest/fills/fills.js';
import { BarInputError, SignalInputError } from '../src/backtest/input/errors.js';
import { runBacktest, type BacktestResult, type SignalFeed } from '../src/backtest/replay.js';
import { createStrategyRunner, loadStrategy, StrategyError } from '../src/backtest/strategy/runner.js';
import { selectHistory } from '../src/backtest/strategy/storedSignals.js';
import { summaryTable, writeBacktestFiles } from '../src/backtest/report.js';
import { writeSweepCsv, sweepTable, type SweepRow } from '../src/backtest/sweep/csv.js';
import { decimalOption, expandGrid, RULES, SINGLE_OPTION, SIZING_METHODS, sweepSchema } from '../src/backtest/sweep/grid.js';
import { runSweep, SweepError, type SweepRunOptions } from '../src/backtest/sweep/pool.js';
import { createProgressBar, type ProgressBar } from '../src/backtest/sweep/progress.js';
import { signalToJson, type SweepSource, type SweepTask } from '../src/backtest/sweep/run.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { openStore } from '../src/db/index.js';
import { Decimal } from '../src/domain/money.js';
import type { TradingSignal } from '../src/domain/signal.js';
import { sizingFromConfig } from '../src/execution/engine.js';
import { renderBacktestChart } from '../src/backtest/chart.js';
import { reportsDir } from '../src/monitor/dailyReport.js';
import { runWhenInvoked } from './runWhenInvoked.js';

export const USAGE =
  'usage: npm run backtest -- --bars FILE|DIR [--bars …] (--signals FILE | --strategy FILE.ts | --history DAYS [--min-confidence 0.7]) [--symbol SYM] [--from DATE] [--to DATE] [--cash 100000] [--sizing risk|percent|kelly|calibrated_kelly] [--slippage-bps 0] [--commission 0] [--sweep name=a,b,c …] [--out DIR]; sweep names: min_confidence, sizing, risk_per_trade_pct, max_position_size_pct, slippage_bps, commission';

/** A bad argument: the message names the option and what it expected. */
export class BacktestArgumentError extends Error {}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date (the whole UTC day: its start for --from, its last millisecond for --to) or an ISO time with its zone. */
const instant = (option: string, endOfDay: boolean) =>
  z.string().transform((text, ctx): Date => {
    if (DATE_ONLY.test(text)) {
      const start = new Date(`${text}T00:00:00Z`);
      if (!Number.isNaN(start.getTime()) && start.toISOString().startsWith(text)) return endOfDay ? new Date(start.getTime() + 86_400_000 - 1) : start;
    } else if (/(Z|[+-]\d{2}:\d{2})$/i.test(text) && !Number.isNaN(new Date(text).getTime())) {
      return new Date(text);
    }
    ctx.addIssue({ code: 'custom', message: `${option}: expected a date YYYY-MM-DD or an ISO time with its zone, got "${text}"` });
    return z.NEVER;
  });

const argsSchema = z
  .object({
    bars: z.array(z.string().min(1)),
    signals: z.string().min(1, { message: '--signals: expected a file' }).optional(),
    strategy: z.string().min(1, { message: '--strategy: expected a .ts or .js module' }).optional(),
    history: z
      .string()
      .regex(/^\d+$/, { message: '--history: expected a whole number of days' })
      .transform(Number)
      .refine((d) => d >= 1 && d <= 36_500, { message: '--history: expected 1 to 36500 days' })
      .optional(),
    'min-confidence': decimalOption('--min-confidence', RULES.confidence).optional(),
    symbol: z.string().optional(),
    from: instant('--from', false).optional(),
    to: instant('--to', true).optional(),
    cash: decimalOption('--cash', RULES.cash).default(new Decimal(100_000)),
    sizing: z.enum(SIZING_METHODS, { message: `--sizing: expected one of ${SIZING_METHODS.join(', ')}` }).optional(),
    'slippage-bps': decimalOption('--slippage-bps', RULES.slippageBps).default(new Decimal(0)),
    commission: decimalOption('--commission', RULES.commission).default(new Decimal(0)),
    out: z.string().min(1, { message: '--out: expected a folder' }).optional(),
    sweep: sweepSchema,
  })
  .superRefine((a, ctx) => {
    const sources = (['signals', 'strategy', 'history'] as const).filter((k) => a[k] !== undefined);
    if (a.bars.length === 0) {
      const why =
        a.history !== undefined
          ? 'required with --history too: the stored signals are replayed over bars files (npm run bars writes them)'
          : 'required (a bars CSV file or a folder of them)';
      ctx.addIssue({ code: 'custom', path: ['bars'], message: `--bars: ${why}` });
    }
    if (sources.length === 0) ctx.addIssue({ code: 'custom', message: 'give the signals: --signals FILE, --strategy FILE.ts or --history DAYS' });
    if (sources.length > 1) ctx.addIssue({ code: 'custom', message: `give one source of signals, not ${sources.map((k) => `--${k}`).join(' and ')}` });
    if (a['min-confidence'] !== undefined && a.history === undefined) ctx.addIssue({ code: 'custom', message: '--min-confidence: only with --history' });
    if (a.from !== undefined && a.to !== undefined && a.from.getTime() > a.to.getTime())
      ctx.addIssue({ code: 'custom', path: ['to'], message: '--to: must not be before --from' });
  });

export type BacktestArgs = z.output<typeof argsSchema>;

/** Reads the command line; throws BacktestArgumentError with every problem, one per line. */
export function parseBacktestArgs(argv: readonly string[]): BacktestArgs {
  let values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        bars: { type: 'string', multiple: true },
        signals: { type: 'string' },
        symbol: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        cash: { type: 'string' },
        sizing: { type: 'string' },
        'slippage-bps': { type: 'string' },
        commission: { type: 'string' },
        out: { type: 'string' },
        strategy: { type: 'string' },
        history: { type: 'string' },
        'min-confidence': { type: 'string' },
        sweep: { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BacktestArgumentError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const parsed = argsSchema.safeParse({ ...values, bars: values.bars ?? [], sweep: values.sweep ?? [] });
  if (!parsed.success) throw new BacktestArgumentError(`${parsed.error.issues.map((i) => i.message).join('\n')}\n${USAGE}`);
  // A setting is fixed or swept, not both: which one a run used would be a guess.
  const both = parsed.data.sweep.find((axis) => {
    const single = SINGLE_OPTION[axis.name];
    return single !== null && values[single] !== undefined;
  });
  if (both !== undefined) {
    throw new BacktestArgumentError(`--${SINGLE_OPTION[both.name] ?? both.name}: give it or --sweep ${both.name}, not both\n${USAGE}`);
  }
  return parsed.data;
}

export interface BacktestRun {
  dir: string;
  files: string[];
  result: BacktestResult;
}

/** `2026-12-07T10-41-30Z`: a folder name that sorts by time and is valid everywhere. */
function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

/** The arguments, the configuration, the output folder and the sizing: what a run and a sweep both start from. */
function commandSettings(argv: readonly string[], env: NodeJS.ProcessEnv, now: () => Date) {
  const args = parseBacktestArgs(argv);
  const config = loadConfig(env);
  const dir = args.out ?? join(reportsDir(config), 'backtests', stamp(now()));
  const sizing = sizingFromConfig({ ...config.sizing, method: args.sizing ?? config.sizing.method });
  return { args, config, dir, sizing };
}

/** Told how far a run is: bars replayed, of the total. */
export interface RunHooks {
  onProgress?: (done: number, total: number) => void;
}

/** The whole command (one run), with the environment and the clock given (tests pass their own). */
export async function runBacktestCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  now: () => Date = () => new Date(),
  hooks: RunHooks = {},
): Promise<BacktestRun> {
  const { args, config, dir, sizing } = commandSettings(argv, env, now);
  if (args.sweep.length > 0) throw new BacktestArgumentError('--sweep: a sweep runs through runSweepCommand');
  const costs: FillCosts = { slippageBps: args['slippage-bps'], commissionPerShare: args.commission };
  // A temp folder for the copy of the live database (--history): the live file is never opened.
  const scratch = await mkdtemp(join(tmpdir(), 'catalyst-backtest-'));
  try {
    const signals = await signalSource(args, config.dbPath, scratch, now());
    // The run's own database lives in memory: isolated, nothing written to disk, gone when closed.
    const store = await openStore(':memory:');
    let result: BacktestResult;
    try {
      result = await runBacktest({
        bars: args.bars,
        ...(args.symbol === undefined ? {} : { symbol: args.symbol.toUpperCase() }),
        signals,
        ...(args.from === undefined ? {} : { from: args.from }),
        ...(args.to === undefined ? {} : { to: args.to }),
        startingCash: args.cash,
        sizing,
        risk: config.risk,
        costs,
        store,
        ...(hooks.onProgress === undefined ? {} : { onProgress: hooks.onProgress }),
      });
    } finally {
      await store.close();
    }
    const files = await writeBacktestFiles(dir, result);
    if (result.equity.length > 0) {
      const png = join(dir, 'equity.png');
      await writeFile(png, renderBacktestChart(result, 'Backtest equity'));
      files.push(png);
    }
    return { dir, files, result };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface SweepRun {
  dir: string;
  file: string;
  rows: SweepRow[];
}

/**
 * The command with --sweep: every combination of the swept settings run on
 * its own scratch store in a worker thread, the figures written to sweep.csv.
 * Stored signals (--history) are read once here and handed to every run.
 */
export async function runSweepCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  now: () => Date = () => new Date(),
  options: SweepRunOptions = {},
): Promise<SweepRun> {
  const { args, config, dir, sizing } = commandSettings(argv, env, now);
  if (args.sweep.length === 0) throw new BacktestArgumentError(`--sweep: expected at least one name=a,b,c\n${USAGE}`);
  const scratch = await mkdtemp(join(tmpdir(), 'catalyst-backtest-'));
  try {
    let source: SweepSource;
    if (args.strategy !== undefined) {
      // Loaded once here as well, so a module that cannot be a strategy is refused before any worker starts.
      await loadStrategy(args.strategy);
      source = { kind: 'strategy', path: args.strategy };
    } else if (args.history !== undefined) {
      const signals = await storedSignals(config.dbPath, scratch, args.history, args['min-confidence'], now());
      source = { kind: 'signals', signals: signals.map(signalToJson) };
    } else {
      source = { kind: 'file', path: args.signals ?? '' };
    }
    const task: SweepTask = {
      bars: args.bars,
      ...(args.symbol === undefined ? {} : { symbol: args.symbol.toUpperCase() }),
      ...(args.from === undefined ? {} : { from: args.from.toISOString() }),
      ...(args.to === undefined ? {} : { to: args.to.toISOString() }),
      startingCash: args.cash.toFixed(),
      sizing: {
        method: sizing.method,
        maxPositionSizePct: sizing.maxPositionSizePct.toFixed(),
        riskPerTradePct: sizing.riskPerTradePct.toFixed(),
        kellyFraction: sizing.kellyFraction.toFixed(),
        ...(sizing.calibrationMinTrades === undefined ? {} : { calibrationMinTrades: sizing.calibrationMinTrades }),
      },
      risk: {
        maxOpenPositions: config.risk.maxOpenPositions,
        maxExposurePct: config.risk.maxExposurePct.toFixed(),
        maxDailyLossPct: config.risk.maxDailyLossPct.toFixed(),
        maxDrawdownPct: config.risk.maxDrawdownPct.toFixed(),
        reduceAtDailyLossPct: config.risk.reduceAtDailyLossPct?.toFixed() ?? null,
      },
      costs: { slippageBps: args['slippage-bps'].toFixed(), commissionPerShare: args.commission.toFixed() },
      source,
    };
    const combinations = expandGrid(args.sweep);
    const summaries = await runSweep(task, combinations, options);
    const rows = combinations.map((combination, i): SweepRow => {
      const summary = summaries[i];
      if (summary === undefined) throw new Error(`sweep combination ${i + 1} has no result`);
      return { combination, summary };
    });
    const file = await writeSweepCsv(dir, rows);
    return { dir, file, rows };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Where the run's signals come from: the file's path, a strategy's feed, or the stored signals read from a copy of the database. */
async function signalSource(args: BacktestArgs, dbPath: string, scratch: string, now: Date): Promise<string | SignalFeed> {
  if (args.strategy !== undefined) {
    const runner = createStrategyRunner(await loadStrategy(args.strategy));
    return { onBars: (bars) => runner.onBars(bars) };
  }
  if (args.history !== undefined) return { signals: await storedSignals(dbPath, scratch, args.history, args['min-confidence'], now) };
  return args.signals ?? '';
}

/**
 * The stored signals stamped in the last `days` days. The database file (and
 * its write-ahead log, which holds the latest writes) is copied and the copy
 * opened, so the live file is read as bytes and nothing of it can change.
 */
async function storedSignals(dbPath: string, scratch: string, days: number, minConfidence: Decimal | undefined, now: Date): Promise<TradingSignal[]> {
  if (!existsSync(dbPath)) throw new BacktestArgumentError(`--history: no database at ${dbPath} (DB_PATH)`);
  const copy = join(scratch, 'history.db');
  await copyFile(dbPath, copy);
  if (existsSync(`${dbPath}-wal`)) await copyFile(`${dbPath}-wal`, `${copy}-wal`);
  const store = await openStore(copy);
  try {
    const since = new Date(now.getTime() - days * 86_400_000);
    return selectHistory(await store.signals.listSince(since), { since, ...(minConfidence === undefined ? {} : { minConfidence }) });
  } finally {
    await store.close();
  }
}

/** Refusals printed one per line; a long run's rest is counted, not listed. */
const SHOWN_REFUSALS = 20;

/** A progress bar on stderr when it is a terminal (none in a pipe or a log file), and the hook that feeds it. */
function progressBar(unit: string): { bar: ProgressBar | null; hooks: RunHooks } {
  if (!process.stderr.isTTY) return { bar: null, hooks: {} };
  const bar = createProgressBar(process.stderr, unit);
  return { bar, hooks: { onProgress: (done, total) => bar.update(done, total) } };
}

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const argv = process.argv.slice(2);
  let bar: ProgressBar | null = null;
  try {
    if (parseBacktestArgs(argv).sweep.length > 0) {
      const progress = progressBar('combinations');
      bar = progress.bar;
      const { file, rows } = await runSweepCommand(argv, process.env, () => new Date(), progress.hooks);
      bar?.end();
      process.stdout.write(`${sweepTable(rows)}\n\nwrote ${file}\n`);
      return 0;
    }
    const progress = progressBar('bars');
    bar = progress.bar;
    const { files, result } = await runBacktestCommand(argv, process.env, () => new Date(), progress.hooks);
    bar?.end();
    process.stdout.write(`${summaryTable(result.summary)}\n\n`);
    for (const r of result.refusals.slice(0, SHOWN_REFUSALS)) process.stdout.write(`refused ${r.signalId} (${r.refusedBy}): ${r.reason}\n`);
    const more = result.refusals.length - SHOWN_REFUSALS;
    if (more > 0) process.stdout.write(`… and ${more} more refused signals\n`);
    process.stdout.write(`wrote ${files.join(', ')}\n`);
    return 0;
  } catch (error) {
    bar?.end();
    if (error instanceof SweepError) {
      process.stderr.write(`${error.message}\n`);
      return error.input ? 2 : 1;
    }
    if (
      error instanceof BacktestArgumentError ||
      error instanceof ConfigError ||
      error instanceof BarInputError ||
      error instanceof SignalInputError ||
      error instanceof StrategyError
    ) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof RangeError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    process.stderr.write(`backtest failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

runWhenInvoked(import.meta.url, main);

/**
 * One combination of a sweep, run exactly as a single backtest would be: the
 * sweep's settings laid over the command's, a fresh scratch store in a temp
 * folder of its own (removed afterwards), and runBacktest. The task is plain
 * JSON (Decimals as strings, times as ISO text) because it crosses into
 * worker threads, which receive copies of plain data only.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../db/index.js';
import { Decimal } from '../../domain/money.js';
import { signalToWire, type TradingSignal } from '../../domain/signal.js';
import type { OrderSide } from '../../domain/enums.js';
import type { SizingMethod } from '../../execution/sizing.js';
import { SignalInputError } from '../input/errors.js';
import { readSignals } from '../input/signalsFile.js';
import { runBacktest, type BacktestOptions, type BacktestSummary } from '../replay.js';
import { createStrategyRunner, loadStrategy } from '../strategy/runner.js';
import { settingsOf, type Combination } from './grid.js';

/** A TradingSignal as plain data: amounts as exact decimal strings, the time as ISO text. */
export interface SignalJson {
  signalId: string;
  ticker: string;
  timestamp: string;
  action: OrderSide;
  confidence: string;
  currentPrice: string;
  stopLossPrice: string;
  takeProfitPrice: string;
  positionSizePct: string | null;
  signalType: string | null;
  strategy: string | null;
}

export function signalToJson(s: TradingSignal): SignalJson {
  return {
    signalId: s.signalId,
    ticker: s.ticker,
    timestamp: s.timestamp.toISOString(),
    action: s.action,
    confidence: s.confidence.toFixed(),
    currentPrice: s.currentPrice.toFixed(),
    stopLossPrice: s.stopLossPrice.toFixed(),
    takeProfitPrice: s.takeProfitPrice.toFixed(),
    positionSizePct: s.positionSizePct?.toFixed() ?? null,
    signalType: s.signalType,
    strategy: s.strategy,
  };
}

/** The exact inverse of signalToJson: no schema runs again, so a stored signal comes back as it was read. */
export function signalFromJson(s: SignalJson): TradingSignal {
  return {
    signalId: s.signalId,
    ticker: s.ticker,
    timestamp: new Date(s.timestamp),
    action: s.action,
    confidence: new Decimal(s.confidence),
    currentPrice: new Decimal(s.currentPrice),
    stopLossPrice: new Decimal(s.stopLossPrice),
    takeProfitPrice: new Decimal(s.takeProfitPrice),
    positionSizePct: s.positionSizePct === null ? null : new Decimal(s.positionSizePct),
    signalType: s.signalType,
    strategy: s.strategy,
  };
}

/** Where a sweep's signals come from: a file or a strategy module (each run reads it itself), or signals read beforehand. */
export type SweepSource = { kind: 'file'; path: string } | { kind: 'strategy'; path: string } | { kind: 'signals'; signals: SignalJson[] };

/** Everything of a run but the swept settings, as plain data. */
export interface SweepTask {
  bars: string[];
  symbol?: string;
  /** ISO times. */
  from?: string;
  to?: string;
  startingCash: string;
  sizing: { method: SizingMethod; maxPositionSizePct: string; riskPerTradePct: string; kellyFraction: string; calibrationMinTrades?: number };
  risk: { maxOpenPositions: number; maxExposurePct: string; maxDailyLossPct: string; maxDrawdownPct: string; reduceAtDailyLossPct: string | null };
  costs: { slippageBps: string; commissionPerShare: string };
  source: SweepSource;
}

/** The run's options without its signals and store: the task's, with the combination's settings in place of the task's. */
export function sweepOptions(task: SweepTask, combination: Combination): Omit<BacktestOptions, 'signals' | 'store'> {
  const s = settingsOf(combination);
  return {
    bars: task.bars,
    ...(task.symbol === undefined ? {} : { symbol: task.symbol }),
    ...(task.from === undefined ? {} : { from: new Date(task.from) }),
    ...(task.to === undefined ? {} : { to: new Date(task.to) }),
    startingCash: new Decimal(task.startingCash),
    sizing: {
      method: s.sizing ?? task.sizing.method,
      maxPositionSizePct: s.maxPositionSizePct ?? new Decimal(task.sizing.maxPositionSizePct),
      riskPerTradePct: s.riskPerTradePct ?? new Decimal(task.sizing.riskPerTradePct),
      kellyFraction: new Decimal(task.sizing.kellyFraction),
      ...(task.sizing.calibrationMinTrades === undefined ? {} : { calibrationMinTrades: task.sizing.calibrationMinTrades }),
    },
    risk: {
      maxOpenPositions: task.risk.maxOpenPositions,
      maxExposurePct: new Decimal(task.risk.maxExposurePct),
      maxDailyLossPct: new Decimal(task.risk.maxDailyLossPct),
      maxDrawdownPct: new Decimal(task.risk.maxDrawdownPct),
      reduceAtDailyLossPct: task.risk.reduceAtDailyLossPct === null ? null : new Decimal(task.risk.reduceAtDailyLossPct),
    },
    costs: {
      slippageBps: s.slippageBps ?? new Decimal(task.costs.slippageBps),
      commissionPerShare: s.commission ?? new Decimal(task.costs.commissionPerShare),
    },
  };
}

/**
 * A signals file with the signals below `min` left out, written into `scratch`
 * as JSONL (the same wire form the file was read in). A refusal found later in
 * the copy is put back on the original file's line.
 */
async function filteredFile(path: string, min: Decimal, scratch: string): Promise<{ path: string; restore: (error: unknown) => unknown }> {
  const loaded = await readSignals(path);
  const kept = loaded.signals.filter((s) => s.confidence.gte(min));
  const copy = join(scratch, 'signals.jsonl');
  await writeFile(copy, kept.map((s) => `${JSON.stringify(signalToWire(s))}\n`).join(''), 'utf8');
  const restore = (error: unknown) => {
    if (!(error instanceof SignalInputError) || error.file !== copy) return error;
    const signal = error.line === null ? undefined : kept[error.line - 1];
    const line = signal === undefined ? null : (loaded.lines.get(signal.signalId) ?? null);
    return new SignalInputError(path, line, error.reason);
  };
  return { path: copy, restore };
}

/** Runs one combination on its own scratch store in a new folder under `under` (the OS temp folder by default), removed afterwards; its summary. */
export async function runCombination(task: SweepTask, combination: Combination, under: string = tmpdir()): Promise<BacktestSummary> {
  const min = settingsOf(combination).minConfidence;
  const keep = (s: TradingSignal) => min === undefined || s.confidence.gte(min);
  const scratch = await mkdtemp(join(under, 'catalyst-sweep-run-'));
  try {
    let signals: BacktestOptions['signals'];
    let restore = (error: unknown) => error;
    const { source } = task;
    if (source.kind === 'file') {
      if (min === undefined) signals = source.path;
      else ({ path: signals, restore } = await filteredFile(source.path, min, scratch));
    } else if (source.kind === 'strategy') {
      const runner = createStrategyRunner(await loadStrategy(source.path));
      signals = { onBars: async (bars) => (await runner.onBars(bars)).filter(keep) };
    } else {
      signals = { signals: source.signals.map(signalFromJson).filter(keep) };
    }
    // The run's own database lives in memory: isolated, and gone when closed.
    const store = await openStore(':memory:');
    try {
      return (await runBacktest({ ...sweepOptions(task, combination), signals, store })).summary;
    } catch (error) {
      throw restore(error);
    } finally {
      await store.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

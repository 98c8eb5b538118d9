/**
 * The operator's backtest: the stored signals of the last `days` days
 * replayed, every one as if approved, on historical bars from the bars cache
 * (what is missing is fetched from the broker and cached), through the
 * unchanged trading engine on a scratch store, never the live tables. Beside
 * it, what was actually done over the same days: the realized P&L and count
 * of the trades closed in the live store.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { fillCache } from '../backtest/history/fetchBars.js';
import { NO_COSTS } from '../backtest/fills/fills.js';
import { BarInputError, SignalInputError } from '../backtest/input/errors.js';
import { runBacktest, type BacktestSummary, type EquityRow } from '../backtest/replay.js';
import type { BarTimeframe } from '../domain/bars.js';
import { exchangeDate, exchangeTime } from '../domain/marketTime.js';
import { Decimal, dec, toStorage, ZERO } from '../domain/money.js';
import type { BrokerInterface } from '../domain/ports/broker.js';
import type { Store } from '../domain/ports/store.js';
import type { StoredSignal } from '../domain/records.js';
import { sizingFromConfig, type RiskLimitSettings, type SizingSettings } from '../execution/engine.js';
import type { SizingMethod } from '../execution/sizing.js';
import type { EquityPoint } from '../portfolio/analytics.js';
import { OperatorError } from './errors.js';

export const BACKTEST_SIZINGS = ['risk', 'percent', 'kelly', 'calibrated_kelly'] as const satisfies readonly SizingMethod[];
export const MAX_BACKTEST_DAYS = 365;
export const DEFAULT_BACKTEST_DAYS = 30;

/** Hourly bars: a signal fills within the hour after it, not at the next day's open. */
const TIMEFRAME: BarTimeframe = '1Hour';
const DAY_MS = 86_400_000;

/** What the operator asks for. */
export interface BacktestRequest {
  days?: number;
  /** Only signals at or above this confidence (0..1); default every signal. */
  minConfidence?: Decimal;
  /** Default: the configured SIZING_METHOD. */
  sizing?: string;
}

/** What a backtest needs beyond the live broker and store: the configured sizing and risk limits, and where a scratch store comes from. */
export interface BacktestSettings {
  sizing: SizingSettings;
  risk: RiskLimitSettings;
  /** Opens a fresh store at `path` (a file in a temp folder): the replay's orders and trades go there. */
  openScratchStore(path: string): Promise<Store>;
}

export interface BacktestFigures {
  startingCash: Decimal;
  endingEquity: Decimal;
  pnl: Decimal;
  /** Percent (1.5 = 1.5%). */
  returnPct: Decimal;
  trades: number;
  openPositions: number;
  /** Percent of closed trades won; null with no closed trade. */
  winRatePct: Decimal | null;
  maxDrawdown: Decimal;
  maxDrawdownPct: Decimal;
  sharpe: Decimal | null;
}

export interface BacktestReport {
  days: number;
  from: Date;
  to: Date;
  minConfidence: Decimal;
  sizing: SizingMethod;
  timeframe: BarTimeframe;
  symbols: string[];
  /** Stored signals replayed, and how many of them the engine refused. */
  signals: number;
  refused: number;
  barsFetched: number;
  figures: BacktestFigures;
  /** The replay's summary as the backtester writes it. */
  summary: BacktestSummary;
  /** What was actually done over the same days: trades closed in the live store. */
  actual: { pnl: Decimal; trades: number };
  /**
   * The equity curve, one point per trading day, the starting cash first;
   * and buy and hold of the replayed symbols on the same days, from the same
   * cash (empty when the replay gives none).
   */
  chart: { points: EquityPoint[]; benchmark: EquityPoint[]; title: string };
}

const requestSchema = z.object({
  days: z
    .number()
    .int({ message: 'days must be a whole number' })
    .min(1, { message: `days must be from 1 to ${MAX_BACKTEST_DAYS}` })
    .max(MAX_BACKTEST_DAYS, { message: `days must be from 1 to ${MAX_BACKTEST_DAYS}` }),
  minConfidence: z.instanceof(Decimal).refine((d) => d.isFinite() && d.gte(0) && d.lte(1), { message: 'min_confidence must be between 0 and 1' }),
  sizing: z.enum(BACKTEST_SIZINGS, { message: `sizing must be one of ${BACKTEST_SIZINGS.join(', ')}` }),
});

export interface BacktestDeps {
  broker: BrokerInterface;
  store: Store;
  now: () => Date;
}

/** Runs the operator's backtest; an OperatorError says what was refused and why. */
export async function backtestSignals(deps: BacktestDeps, settings: BacktestSettings, request: BacktestRequest): Promise<BacktestReport> {
  const parsed = requestSchema.safeParse({
    days: request.days ?? DEFAULT_BACKTEST_DAYS,
    minConfidence: request.minConfidence ?? ZERO,
    sizing: request.sizing ?? settings.sizing.method,
  });
  if (!parsed.success) throw new OperatorError(parsed.error.issues.map((i) => i.message).join('; '));
  const { days, minConfidence, sizing } = parsed.data;
  const to = deps.now();
  const from = new Date(to.getTime() - days * DAY_MS);

  const signals = await storedSignals(deps.store, from, to, minConfidence);
  if (signals.length === 0) {
    throw new OperatorError(
      `No stored signal in the last ${days} days${minConfidence.gt(0) ? ` at confidence ≥ ${minConfidence.toFixed()}` : ''}: nothing to replay.`,
    );
  }
  const broker = deps.broker;
  if (!broker.getBars) throw new OperatorError(`The ${broker.name} broker offers no historical bars: a backtest cannot run on it.`);

  const symbols = [...new Set(signals.map((s) => s.ticker))].sort();
  const first = signals[0] as StoredSignal;
  const range = { start: exchangeTime(exchangeDate(first.signalTime), 0, 0), end: to };
  const barsFetched = await fillCache({ symbols, timeframe: TIMEFRAME, range }, deps.store.bars, () => Promise.resolve(broker), to);
  const startingCash = await startingEquity(deps, exchangeDate(from));
  const actual = (await deps.store.closedPositions.listClosedBetween(from, to)).reduce(
    (sum, c) => ({ pnl: sum.pnl.plus(c.realizedPnl), trades: sum.trades + 1 }),
    { pnl: ZERO, trades: 0 },
  );

  const scratch = await mkdtemp(join(tmpdir(), 'catalyst-backtest-'));
  try {
    const barsFile = join(scratch, 'bars.csv');
    const signalsFile = join(scratch, 'signals.jsonl');
    await writeBars(deps.store, symbols, range, barsFile);
    await writeFile(signalsFile, signals.map((s) => `${JSON.stringify(wireOf(s))}\n`).join(''), 'utf8');
    const store = await settings.openScratchStore(join(scratch, 'backtest.db'));
    try {
      const result = await runBacktest({
        bars: barsFile,
        signals: signalsFile,
        startingCash,
        sizing: sizingFromConfig({ ...settings.sizing, method: sizing }),
        risk: settings.risk,
        costs: NO_COSTS,
        store,
      }).catch((error: unknown) => {
        if (error instanceof BarInputError || error instanceof SignalInputError) throw new OperatorError(`The backtest could not run: ${error.message}`);
        throw error;
      });
      const s = result.summary;
      const endingEquity = dec(s.ending_equity);
      const startDay = exchangeDate(from);
      const points = curveFrom(startDay, startingCash, result.equity);
      const benchmark = result.benchmark.length === 0 ? [] : curveFrom(startDay, startingCash, result.benchmark);
      return {
        days,
        from,
        to,
        minConfidence,
        sizing,
        timeframe: TIMEFRAME,
        symbols,
        signals: s.signals,
        refused: s.signals_refused,
        barsFetched,
        figures: {
          startingCash,
          endingEquity,
          pnl: endingEquity.minus(startingCash),
          returnPct: dec(s.total_return_pct),
          trades: s.trades,
          openPositions: s.open_positions,
          winRatePct: s.win_rate === null ? null : dec(s.win_rate),
          maxDrawdown: dec(s.max_drawdown),
          maxDrawdownPct: dec(s.max_drawdown_pct),
          sharpe: s.sharpe === null ? null : dec(s.sharpe),
        },
        summary: s,
        actual,
        chart: { points, benchmark, title: `Backtest equity, last ${days} days (${startDay} to ${exchangeDate(to)})` },
      };
    } finally {
      await store.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Rows as one point per trading day, opened by the starting cash on the window's first day (before any bar, money is cash). */
function curveFrom(startDay: string, startingCash: Decimal, rows: readonly EquityRow[]): EquityPoint[] {
  const points = rows.map((e) => ({ day: e.day, equity: e.equity }));
  if (points[0]?.day !== startDay) points.unshift({ day: startDay, equity: startingCash });
  return points;
}

/** Every stored signal stamped in [from, to] at or above the confidence, whatever its status, oldest first. */
async function storedSignals(store: Store, from: Date, to: Date, minConfidence: Decimal): Promise<StoredSignal[]> {
  // Oldest first (by signal time, then id) from the store.
  const since = await store.signals.listSince(from);
  return since.filter((s) => s.signalTime <= to && s.confidence.gte(minConfidence));
}

/** The account's equity when the window opened: its first end-of-day figure from then on, else the account now. */
async function startingEquity(deps: BacktestDeps, startDay: string): Promise<Decimal> {
  const first = (await deps.store.equity.listDaily(startDay))[0];
  return first?.equity ?? (await deps.broker.getAccount()).equity;
}

/** A stored signal in the wire form the backtester reads, as approved (the status is not carried). */
function wireOf(s: StoredSignal): Record<string, string> {
  return {
    signal_id: s.signalId,
    ticker: s.ticker,
    timestamp: s.signalTime.toISOString(),
    action: s.action,
    confidence: s.confidence.toFixed(),
    current_price: s.entryPrice.toFixed(),
    stop_loss_price: s.stopLossPrice.toFixed(),
    take_profit_price: s.takeProfitPrice.toFixed(),
    ...(s.positionSizePct ? { position_size_pct: s.positionSizePct.toFixed() } : {}),
    ...(s.signalType ? { signal_type: s.signalType } : {}),
    ...(s.strategy ? { strategy: s.strategy } : {}),
  };
}

async function writeBars(store: Store, symbols: readonly string[], range: { start: Date; end: Date }, file: string): Promise<void> {
  const lines = ['symbol,timestamp,open,high,low,close,volume'];
  for (const symbol of symbols) {
    for (const b of await store.bars.list(symbol, TIMEFRAME, range)) {
      lines.push(
        `${b.symbol},${b.timestamp.toISOString()},${toStorage(b.open)},${toStorage(b.high)},${toStorage(b.low)},${toStorage(b.close)},${toStorage(b.volume)}`,
      );
    }
  }
  await writeFile(file, `${lines.join('\n')}\n`, 'utf8');
}

/**
 * The backtest replay: historical bars and signals (a file, stored signals,
 * or a strategy's, made as the bars stream) run through the
 * unchanged trading engine (executor, risk manager, order ledger) over a
 * BacktestBroker, recorded on a store the caller gives (a fresh temp file,
 * never the live database).
 *
 * Inputs are validated in full before the first bar is replayed, so a run
 * never stops half-way on a bad row. Then, at each bar time T: the signals
 * stamped before T are executed (the broker's clock at the signal's time, so
 * the order fills on the first bar after it), every bar stamped T is handed
 * to the broker (fills), and equity is recorded. Positions still open at the
 * end are marked at their last close, not closed.
 */
import type { Store } from '../domain/ports/store.js';
import { Decimal, ZERO } from '../domain/money.js';
import type { TradingSignal } from '../domain/signal.js';
import type { ClosedPositionRecord, PositionRecord } from '../domain/records.js';
import { createTradingEngine, type RiskLimitSettings } from '../execution/engine.js';
import type { PositionSizingConfig } from '../execution/sizing.js';
import { equityStats, tradeStats, type EquityPoint } from '../portfolio/analytics.js';
import type { Bar } from './bar.js';
import { BacktestBroker } from './BacktestBroker.js';
import type { FillCosts } from './fills/fills.js';
import { barOf, isValidated, readBarRows, validateBars, type ValidatedBars } from './input/barsCsv.js';
import { EquityCurve, benchmarkSymbols } from './equityCurve.js';
import { BarInputError } from './input/errors.js';
import { checkSignalsAgainstBars, readSignals } from './input/signalsFile.js';
import { storeForCalibration } from './calibrationSignals.js';

export interface BacktestOptions {
  /** Bars CSV files or folders, or bars already validated (by `validateBars`, with the same `symbol`). */
  bars: string | readonly string[] | ValidatedBars;
  /** The symbol of bars files without a symbol column. */
  symbol?: string;
  /** A signals file (.csv or .jsonl), or signals given by the caller (a strategy, stored signals). */
  signals: string | SignalFeed;
  /** Bars and signals before `from` or after `to` are left out (both inclusive). */
  from?: Date;
  to?: Date;
  startingCash: Decimal;
  sizing: PositionSizingConfig;
  risk: RiskLimitSettings;
  costs: FillCosts;
  /** A fresh, isolated store: the run's orders, positions and trades are written here. */
  store: Store;
  /** Told how far the replay is, in bars (of the total the validating pass counted), every so often and at the end. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Signals not read from a file: a list known before the replay (stored
 * signals) and/or signals made as the bars stream (a strategy).
 */
export interface SignalFeed {
  /** Signals known beforehand, in any order. One whose ticker has no bars is refused (`refusedBy: backtest`), not the whole run. */
  signals?: readonly TradingSignal[];
  /**
   * Called with every bar of one bar time once the broker has replayed them;
   * the signals it returns must be stamped no later than that time and are
   * executed before the next bar time, so they fill on a later bar.
   */
  onBars?: (bars: readonly Bar[]) => Promise<readonly TradingSignal[]>;
}

/** One trade as reported: a closed position, or one still open (no exit). */
export interface BacktestTrade {
  signalId: string | null;
  ticker: string;
  side: 'long' | 'short';
  quantity: Decimal;
  entryTime: Date;
  entryPrice: Decimal;
  exitTime: Date | null;
  exitPrice: Decimal | null;
  exitReason: string | null;
  /** Net of every commission; an open trade's is marked at the last close. */
  pnl: Decimal;
}

export interface EquityRow {
  timestamp: Date;
  /** The trading day (YYYY-MM-DD) this row closes: the date of a daily bar, the exchange's date of an intraday one. */
  day: string;
  equity: Decimal;
}

export interface SignalRefusal {
  signalId: string;
  refusedBy: string;
  reason: string;
}

/** Figures as exact decimal strings (percentages and ratios to 4 places); null where a figure is undefined. */
export interface BacktestSummary {
  start: string | null;
  end: string | null;
  starting_cash: string;
  ending_equity: string;
  total_return_pct: string;
  cagr_pct: string | null;
  sharpe: string | null;
  sortino: string | null;
  max_drawdown: string;
  max_drawdown_pct: string;
  trades: number;
  open_positions: number;
  win_rate: string | null;
  profit_factor: string | null;
  exposure_pct: string;
  bars: number;
  signals: number;
  signals_refused: number;
}

export interface BacktestResult {
  summary: BacktestSummary;
  trades: BacktestTrade[];
  equity: EquityRow[];
  /**
   * The reference line: the starting cash split equally between the
   * benchmark symbols and held from each one's first close, valued at the
   * same times as `equity` (cents, rounded half-up). The symbols are those the
   * signals name, or every symbol of the bars for a strategy's run.
   */
  benchmark: EquityRow[];
  refusals: SignalRefusal[];
}

const DAY_MS = 86_400_000;
/** Bars between two progress reports. */
const PROGRESS_EVERY = 65_536;
const YEAR_DAYS = new Decimal('365.25');

/** Replays the inputs; throws BarInputError / SignalInputError before anything runs when they are bad. */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const { from, to } = options;
  if (from && to && from.getTime() > to.getTime()) throw new RangeError(`--from ${from.toISOString()} is after --to ${to.toISOString()}`);
  const validated = isValidated(options.bars) ? options.bars : await validateBars(options.bars, options.symbol === undefined ? {} : { symbol: options.symbol });
  const feed: SignalFeed = typeof options.signals === 'string' ? {} : options.signals;
  const early: SignalRefusal[] = [];
  let given: readonly TradingSignal[];
  if (typeof options.signals === 'string') {
    const loaded = await readSignals(options.signals);
    checkSignalsAgainstBars(loaded, validated.symbols);
    given = loaded.signals;
  } else {
    const known = [...(feed.signals ?? [])].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    for (const s of known.filter((k) => !validated.symbols.has(k.ticker))) {
      early.push({ signalId: s.signalId, refusedBy: 'backtest', reason: `${s.ticker} has no bars` });
    }
    given = known.filter((k) => validated.symbols.has(k.ticker));
  }
  const inRange = (t: Date) => (from === undefined || t.getTime() >= from.getTime()) && (to === undefined || t.getTime() <= to.getTime());
  const anyBar = [...validated.symbols.values()].some((s) => (from === undefined || s.last >= from) && (to === undefined || s.first <= to));
  if (!anyBar) throw new BarInputError(validated.files.join(', '), null, 'no bars between --from and --to');
  const signals: TradingSignal[] = given.filter((s) => inRange(s.timestamp));
  let signalCount = signals.length + early.length;

  const broker = new BacktestBroker({ startingCash: options.startingCash, costs: options.costs, dailyBars: validated.daily });
  const engine = createTradingEngine({ broker, store: options.store, sizing: options.sizing, risk: options.risk, now: () => broker.time() });
  const ledgerErrors: unknown[] = [];
  const unfollow = engine.followTradeUpdates((error) => ledgerErrors.push(error));
  // Every trade update sent so far is in the store before the replay reads it or goes on.
  let settledUpdates = 0;
  const settle = async () => {
    settledUpdates = broker.updatesSent();
    await engine.ledger.serial(() => Promise.resolve());
    if (ledgerErrors.length > 0) throw ledgerErrors[0] instanceof Error ? ledgerErrors[0] : new Error(String(ledgerErrors[0]));
  };
  // Stored positions are marked to the latest closes when something reads them (the risk
  // checks of the next signal, the report), as the live monitor's cycle would have by then.
  let marksStale = false;
  const mark = async () => {
    if (!marksStale) return;
    marksStale = false;
    await engine.manager.markToMarket();
  };

  const refusals: SignalRefusal[] = [...early];
  let next = 0;
  const nextSignalTime = () => signals[next]?.timestamp.getTime() ?? Number.POSITIVE_INFINITY;
  const deliverBefore = async (limit: number) => {
    while (next < signals.length && (signals[next] as TradingSignal).timestamp.getTime() < limit) {
      const signal = signals[next] as TradingSignal;
      next += 1;
      if (signal.timestamp.getTime() > broker.time().getTime()) broker.setTime(signal.timestamp);
      await mark();
      if (options.sizing.method === 'calibrated_kelly') await storeForCalibration(options.store.signals, signal);
      const result = await engine.executor.executeSignal(signal);
      if (!result.success) refusals.push({ signalId: signal.signalId, refusedBy: result.refusedBy ?? 'broker', reason: result.errorMessage ?? 'refused' });
      await settle();
    }
  };

  const curve = new EquityCurve(options.startingCash, benchmarkSymbols(feed.onBars !== undefined, signals, validated.symbols.keys()), validated.daily);
  let barCount = 0;
  let firstBar: number | null = null;
  let lastBar: number | null = null;
  // The bar time being replayed, and its bars when a strategy is to see them.
  let time: number | null = null;
  let group: Bar[] = [];
  const watch = feed.onBars;
  /** Ends the bar time: fills waited for, the strategy shown its bars, equity recorded. Async only when there is work for the engine. */
  const endTime = async (at: number) => {
    if (broker.updatesSent() !== settledUpdates) await settle();
    if (watch !== undefined) {
      const made = await watch(group);
      group = [];
      for (const s of made) {
        if (s.timestamp.getTime() > at)
          throw new RangeError(`signal ${s.signalId} is stamped ${s.timestamp.toISOString()}, after its bar ${new Date(at).toISOString()}`);
      }
      if (made.length > 0) {
        // Delivered before the next bar time, after every earlier signal; the order of equal times is kept.
        const pending = [...signals.slice(next), ...made].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
        signals.length = next;
        signals.push(...pending);
        signalCount += made.length;
      }
    }
  };
  const closeTime = (at: number) => {
    const held = broker.holdsAny();
    if (held) marksStale = true;
    curve.record(at, broker.equity(), held);
    firstBar ??= at;
    lastBar = at;
  };
  const total = validated.bars;
  let read = 0;
  let reported = 0;
  const progress = options.onProgress;
  try {
    replay: for await (const rows of readBarRows(validated)) {
      for (const row of rows) {
        read += 1;
        const t = row.time;
        if ((from !== undefined && t < from.getTime()) || (to !== undefined && t > to.getTime())) {
          if (to !== undefined && t > to.getTime()) break replay;
          continue;
        }
        if (t !== time) {
          if (time !== null) {
            if (watch !== undefined || broker.updatesSent() !== settledUpdates) await endTime(time);
            closeTime(time);
          }
          time = t;
          if (nextSignalTime() < t) await deliverBefore(t);
        }
        broker.advanceRow(row);
        curve.see(row);
        if (watch !== undefined) group.push(barOf(row));
        barCount += 1;
      }
      if (progress !== undefined && read - reported >= PROGRESS_EVERY) {
        reported = read;
        progress(read, total);
      }
    }
    if (time !== null) {
      await endTime(time);
      closeTime(time);
    }
    // Signals after the last bar are executed too; nothing is left to fill them.
    await deliverBefore(Number.POSITIVE_INFINITY);
    await mark();
    progress?.(total, total);
  } finally {
    unfollow();
  }

  const closed = await options.store.closedPositions.listClosedBetween(new Date(0));
  const open = await options.store.positions.list();
  // By entry time, then signal id: the same inputs always list the same trades in the same order.
  const trades = [...closed.map((c) => closedTrade(c, broker)), ...open.map((p) => openTrade(p, broker))].sort(
    (a, b) => a.entryTime.getTime() - b.entryTime.getTime() || (a.signalId ?? '').localeCompare(b.signalId ?? '') || a.ticker.localeCompare(b.ticker),
  );
  const { equity, benchmark } = curve.finish();
  const summary = summarize({
    startingCash: options.startingCash,
    equity,
    closed: trades.filter((t) => t.exitTime !== null),
    open: open.length,
    exposure: curve.exposure(),
    start: firstBar === null ? null : new Date(firstBar),
    end: lastBar === null ? null : new Date(lastBar),
    bars: barCount,
    signals: signalCount,
    refused: refusals.length,
  });
  return { summary, trades, equity, benchmark, refusals };
}

/** The commission of an order's shares that belong to this trade (its share of the order's fills). */
function commissionShare(broker: BacktestBroker, orderId: string | null, quantity: Decimal, orderQty: Decimal): Decimal {
  if (orderId === null) return ZERO;
  const total = broker.commissionOf(orderId);
  return orderQty.isZero() ? total : total.times(quantity).div(orderQty);
}

function entryCommission(broker: BacktestBroker, orderId: string | null, quantity: Decimal): Decimal {
  if (orderId === null) return ZERO;
  return commissionShare(broker, orderId, quantity, broker.filledOf(orderId));
}

function closedTrade(c: ClosedPositionRecord, broker: BacktestBroker): BacktestTrade {
  const costs = entryCommission(broker, c.entryOrderId, c.quantity).plus(c.exitOrderId === null ? ZERO : broker.commissionOf(c.exitOrderId));
  return {
    signalId: c.signalId,
    ticker: c.ticker,
    side: c.side,
    quantity: c.quantity,
    entryTime: c.openedAt,
    entryPrice: c.entryPrice,
    exitTime: c.closedAt,
    exitPrice: c.exitPrice,
    exitReason: c.exitReason,
    pnl: c.realizedPnl.minus(costs),
  };
}

function openTrade(p: PositionRecord, broker: BacktestBroker): BacktestTrade {
  const last = broker.latestClose(p.ticker) ?? p.currentPrice;
  const value = p.quantity.times(last);
  const cost = p.quantity.times(p.entryPrice);
  const marked = p.side === 'long' ? value.minus(cost) : cost.minus(value);
  return {
    signalId: p.signalId,
    ticker: p.ticker,
    side: p.side,
    quantity: p.quantity,
    entryTime: p.openedAt,
    entryPrice: p.entryPrice,
    exitTime: null,
    exitPrice: null,
    exitReason: null,
    pnl: marked.plus(p.realizedPnl).minus(entryCommission(broker, p.entryOrderId, p.quantity.plus(p.exitedQty))),
  };
}

const pct = (ratio: Decimal) => ratio.times(100).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed();
const ratio4 = (value: Decimal | null) => (value === null ? null : value.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed());

function summarize(input: {
  startingCash: Decimal;
  equity: readonly EquityRow[];
  closed: readonly BacktestTrade[];
  open: number;
  exposure: Decimal;
  start: Date | null;
  end: Date | null;
  bars: number;
  signals: number;
  refused: number;
}): BacktestSummary {
  const { startingCash } = input;
  const ending = input.equity.at(-1)?.equity ?? startingCash;
  const points: EquityPoint[] = [
    // The starting cash is the curve's first point: a loss on the first bar is a drawdown too.
    ...(input.start ? [{ day: '0000-00-00', equity: startingCash }] : []),
    ...input.equity.map((e) => ({ day: e.day, equity: e.equity })),
  ];
  const stats = equityStats(points);
  const trades = tradeStats(input.closed.map((t) => ({ realizedPnl: t.pnl, openedAt: t.entryTime, closedAt: t.exitTime ?? t.entryTime })));
  const growth = startingCash.isZero() ? ZERO : ending.div(startingCash);
  let cagr: string | null = null;
  if (input.start && input.end && growth.gt(0)) {
    const years = new Decimal(input.end.getTime() - input.start.getTime()).div(DAY_MS).div(YEAR_DAYS);
    if (years.gt(0)) cagr = pct(growth.pow(new Decimal(1).div(years)).minus(1));
  }
  return {
    start: input.start?.toISOString() ?? null,
    end: input.end?.toISOString() ?? null,
    starting_cash: startingCash.toFixed(),
    ending_equity: ending.toFixed(),
    total_return_pct: pct(growth.minus(1)),
    cagr_pct: cagr,
    sharpe: ratio4(stats.sharpe),
    sortino: ratio4(stats.sortino),
    max_drawdown: stats.maxDrawdown.toFixed(),
    max_drawdown_pct: pct(stats.maxDrawdownPct),
    trades: trades.totalTrades,
    open_positions: input.open,
    win_rate: trades.winRate === null ? null : pct(trades.winRate),
    profit_factor: ratio4(trades.profitFactor),
    exposure_pct: pct(input.exposure),
    bars: input.bars,
    signals: input.signals,
    signals_refused: input.refused,
  };
}

/**
 * Every operator action as a typed function returning plain data (Decimal
 * amounts, records), never a chat view. Discord, the console, the webhook
 * and the monitor call this and only format what it returns; a refusal is an
 * OperatorError (or the engine's TradingError) whose message is meant for the
 * operator. A new front end needs no other entry point.
 */
import type { BrokerInterface, CalendarDay, Clock, OrderFilter, StreamState, TradeUpdate } from '../domain/ports/broker.js';
import { type Decimal, dec, formatUsd, ZERO } from '../domain/money.js';
import { addDays, exchangeDate, exchangeIso } from '../domain/marketTime.js';
import type { Account } from '../domain/account.js';
import type { Order } from '../domain/order.js';
import type { TradingEvent } from '../domain/events.js';
import type { OrderSide } from '../domain/enums.js';
import type {
  AuditEntry,
  HaltMode,
  ClosedPositionRecord,
  ExecutedOrderRecord,
  PositionRecord,
  SignalSource,
  StoredSignal,
  TradingState,
} from '../domain/records.js';
import type { Store } from '../domain/ports/store.js';
import type { TradingEngine } from '../execution/engine.js';
import type { EntryRequest, ExecuteOptions, ExecutionResult, ExecutionStats } from '../execution/OrderExecutor.js';
import type { EquityPoint } from '../portfolio/analytics.js';
import type { PerformanceStats } from '../portfolio/PositionManager.js';
import type { ApprovalListener, ApprovalOutcome, Approver, SignalApprovals, Submission } from '../signals/SignalApprovals.js';
import type { TradingSignal } from '../domain/signal.js';
import { OperatorError } from './errors.js';
import { backtestSignals, type BacktestReport, type BacktestRequest, type BacktestSettings } from './backtest.js';
import { calibrationReport, type CalibrationReport } from './calibration.js';
import { type ModifyActor, type ModifyResult, modifyPosition, type PositionChanges } from './modifyPosition.js';
import { type BacktestRunDetail, type BacktestRunEntry, listBacktestRuns, readBacktestPng, readBacktestRun } from './backtestRuns.js';
import {
  type EquityCurve,
  type Exposure,
  exposureOf,
  type OverviewFigures,
  type PnlBreakdown,
  pnlBreakdownOf,
  type RecentAlert,
  recentAlertOf,
} from './figures.js';
import {
  orderBook,
  type OrderBookEntry,
  type OrderBookFilter,
  storeFilter,
  type TradeFilter,
  tradePage,
  type TradePage,
  type TradeQuery,
  type TradeTotals,
} from './trades.js';

export type { ModifyActor, ModifyResult, PositionChanges, ReplacedLeg } from './modifyPosition.js';
export type { HaltMode } from '../domain/records.js';
export type { OrderBookEntry, OrderBookFilter, TradeFilter, TradePage, TradeQuery, TradeTotals } from './trades.js';
export type { BacktestFigures, BacktestReport, BacktestRequest, BacktestSettings } from './backtest.js';
export type { CalibrationReport, StrategyCalibration } from './calibration.js';

export type TradingMode = 'SIM' | 'PAPER' | 'LIVE';

/** How the bot is doing: its own view (the monitor adds its schedule). */
export interface StatusInfo {
  version: string;
  startedAt: Date;
  /** The trade-update stream: connected, reconnecting, down (n/a for the in-process simulator). */
  stream: string;
  lastCycle: { at: Date; durationMs: number; ok: boolean } | null;
  nextCycle: Date | null;
  nextReport: Date | null;
  alertsPending: number;
}

export interface AccountSummary {
  account: Account;
  mode: TradingMode;
  trading: TradingState;
}

export interface StatusReport {
  info: StatusInfo;
  broker: string;
  mode: TradingMode;
  trading: TradingState;
  /** The market-data stream's state; null when the bot runs without one. */
  marketData: StreamState | null;
}

export interface StatsReport {
  days: number;
  performance: PerformanceStats;
  execution: ExecutionStats;
}

export interface DailyReportData {
  day: string;
  mode: TradingMode;
  account: Account;
  closedToday: ClosedPositionRecord[];
  positions: PositionRecord[];
  performance: PerformanceStats;
  execution: ExecutionStats;
  state: TradingState;
  /** The equity curve to draw: the last 90 days' closes, or the day's intraday snapshots for a first day. */
  chart: { points: EquityPoint[]; title: string };
}

export interface HaltResult {
  /** False when trading was already halted (nothing changed). */
  changed: boolean;
  trading: TradingState;
}

export interface FlattenResult {
  /** Every order was seen canceled within the wait. */
  canceled: boolean;
  exits: ExecutedOrderRecord[];
  failures: { ticker: string; error: string }[];
}

/** A manual entry (/buy, /sell) as the operator gave it. */
export interface OrderInput {
  side: OrderSide;
  ticker: string;
  /** Null: sized by SIZING_METHOD. */
  quantity: Decimal | null;
  type: 'market' | 'limit';
  limitPrice: Decimal | null;
  stopLoss: Decimal | null;
  takeProfit: Decimal | null;
  /** The idempotency key: the same ticket never places a second order. */
  requestId: string;
}

/** A manual entry validated and priced: ready to place. */
export interface OrderTicket extends OrderInput {
  /** The last trade price when the ticket was made. */
  last: Decimal;
  /** What the entry is priced at: the limit, else the last trade. */
  entry: Decimal;
}

export interface SimResult {
  updates: TradeUpdate[];
  /** The simulated clock afterwards. */
  now: Date;
}

/**
 * The paper simulator's controls (/sim), a port the simulator adapter
 * satisfies: the core never imports the adapter itself.
 */
export interface SimulatorControls {
  getLatestPrices(tickers: readonly string[]): Promise<Map<string, Decimal>>;
  setPrice(ticker: string, price: Decimal): Promise<TradeUpdate[]>;
  advance(minutes: number): Promise<TradeUpdate[]>;
  readonly engine: { tickers(): string[]; readonly clockSource: { now(): Date } };
}

/** What a monitor cycle leaves behind: the account and the positions as marked. */
export interface CycleResult {
  account: Account;
  positions: PositionRecord[];
}

export interface OperatorServiceOptions {
  mode: TradingMode;
  sizingMethod: string;
  broker: BrokerInterface;
  store: Store;
  engine: TradingEngine;
  approvals: SignalApprovals;
  sim: SimulatorControls | null;
  now: () => Date;
  status: () => Promise<StatusInfo>;
  /** The configured sizing and risk limits and a scratch store for /backtest; absent, backtests are refused. */
  backtest?: BacktestSettings;
}

const REPORT_DAYS = 30;
const CHART_DAYS = 90;
/** Who an action is recorded as when no person is named (the webhook, a script). */
const SYSTEM: ModifyActor = { id: 'system', name: 'system' };

export class OperatorService {
  constructor(private readonly o: OperatorServiceOptions) {}

  get mode(): TradingMode {
    return this.o.mode;
  }

  /** The broker's short name (`sim`, `alpaca-paper`, …). */
  get brokerName(): string {
    return this.o.broker.name;
  }

  /** Records an operator action (or a refused attempt) in the audit log. */
  audit(entry: AuditEntry): Promise<void> {
    return this.o.store.audit.record(entry);
  }

  /** Told when a signal arrives or is decided (a front end posts it, then edits it). Returns the unsubscribe function. */
  onSignal(listener: ApprovalListener): () => void {
    return this.o.approvals.on(listener);
  }

  /** Where a signal was posted, so a later decision (also after a restart) edits that message. */
  recordSignalMessage(signalId: string, channelId: string, messageId: string): Promise<void> {
    return this.o.store.signals.setMessage(signalId, channelId, messageId);
  }

  async account(): Promise<AccountSummary> {
    return { account: await this.o.broker.getAccount(), mode: this.o.mode, trading: await this.o.engine.risk.state() };
  }

  /** Open positions, marked to the last price. */
  positions(): Promise<PositionRecord[]> {
    return this.o.engine.manager.updatePositionPrices();
  }

  /** Open positions as last recorded (no broker call): for suggestions. */
  openPositions(): Promise<PositionRecord[]> {
    return this.o.engine.manager.getOpenPositions();
  }

  /** The broker's orders, newest first. */
  orders(filter: { status: NonNullable<OrderFilter['status']>; limit: number }): Promise<Order[]> {
    return this.o.broker.listOrders({ status: filter.status, limit: filter.limit, direction: 'desc' });
  }

  /** Validates a manual entry against the market (known ticker, stop and target on the right sides): nothing is sent. */
  async prepareOrder(input: OrderInput): Promise<OrderTicket> {
    const last = (await this.o.broker.getLatestPrices([input.ticker])).get(input.ticker);
    if (last === undefined) throw new OperatorError(`Unknown ticker ${input.ticker}: the broker has no price for it.`);
    const entry = input.limitPrice ?? last;
    checkSides(input.side, entry, input.stopLoss, input.takeProfit);
    if (input.quantity === null && (this.o.sizingMethod === 'kelly' || this.o.sizingMethod === 'calibrated_kelly')) {
      throw new OperatorError('Kelly sizing needs a signal’s confidence: give qty, or post it with /signal.');
    }
    return { ...input, last, entry };
  }

  /** Places a prepared entry through the executor (risk, sizing, bracket when stop and target are both given), once per request id. */
  placeOrder(ticket: OrderTicket): Promise<ExecutionResult> {
    const request: EntryRequest = {
      signalId: `manual-${ticket.requestId}`,
      ticker: ticket.ticker,
      action: ticket.side,
      confidence: dec(1),
      currentPrice: ticket.entry,
      stopLossPrice: ticket.stopLoss,
      takeProfitPrice: ticket.takeProfit,
      positionSizePct: null,
      signalType: 'manual',
      strategy: 'manual',
    };
    const options: ExecuteOptions = {
      entryType: ticket.type,
      ...(ticket.limitPrice ? { limitPrice: ticket.limitPrice } : {}),
      ...(ticket.quantity !== null ? { quantity: ticket.quantity } : {}),
      useBracketOrder: ticket.stopLoss !== null && ticket.takeProfit !== null,
    };
    return this.o.engine.executor.executeEntry(request, options);
  }

  /** Closes a position (or `percent` of it) at market. */
  close(ticker: string, percent: Decimal | null): Promise<ExecutedOrderRecord> {
    return this.o.engine.manager.closePosition(ticker, { ...(percent ? { percent } : {}), reason: 'manual' });
  }

  /**
   * Moves an open position's stop and/or target: working bracket legs are
   * replaced at the broker, levels without one are kept for the monitor.
   */
  modify(ticker: string, changes: PositionChanges, by: ModifyActor = SYSTEM): Promise<ModifyResult> {
    const { broker, store, engine, now } = this.o;
    return modifyPosition({ broker, store, ledger: engine.ledger, now, events: engine.events }, ticker, changes, by);
  }

  /** Cancels every order and closes every position at market. */
  flatten(): Promise<FlattenResult> {
    return this.o.engine.manager.flatten();
  }

  /** Stops entries (`halted`, the default) or allows only orders that shrink exposure (`reducing`). */
  async halt(reason: string, by: string, mode: HaltMode = 'halted'): Promise<HaltResult> {
    const changed = await this.o.engine.risk.halt(reason, by, mode);
    return { changed, trading: await this.o.engine.risk.state() };
  }

  async resume(by: string): Promise<HaltResult> {
    const changed = await this.o.engine.risk.resume(by);
    return { changed, trading: await this.o.engine.risk.state() };
  }

  /** Stores a signal for approval (auto-approval, when it matches, runs behind this call). */
  submitSignal(signal: TradingSignal, source: SignalSource, by: string): Promise<Submission> {
    return this.o.approvals.submit(signal, source, by);
  }

  signal(signalId: string): Promise<StoredSignal | null> {
    return this.o.approvals.get(signalId);
  }

  /** Signals in one state, newest first. */
  signals(status: StoredSignal['status'] = 'pending', limit = 50): Promise<StoredSignal[]> {
    return this.o.store.signals.listByStatus(status, limit);
  }

  newestPendingSignal(): Promise<StoredSignal | null> {
    return this.o.approvals.newestPending();
  }

  approve(signalId: string, by: Approver): Promise<ApprovalOutcome> {
    return this.o.approvals.approve(signalId, by);
  }

  reject(signalId: string, by: Approver, note: string | null = null): Promise<ApprovalOutcome> {
    return this.o.approvals.reject(signalId, by, note);
  }

  /** An order as recorded (e.g. a decided signal's). */
  recordedOrder(orderId: string): Promise<ExecutedOrderRecord | null> {
    return this.o.store.orders.get(orderId);
  }

  async stats(days: number): Promise<StatsReport> {
    const { manager, executor } = this.o.engine;
    return { days, performance: await manager.getPerformanceStats(days), execution: await executor.getExecutionStats(days) };
  }

  /**
   * Replays the stored signals of the last `days` days, every one as if
   * approved, on historical bars (on a scratch store: the live tables gain
   * only cached bars), beside what was actually done over those days.
   */
  backtest(request: BacktestRequest): Promise<BacktestReport> {
    const settings = this.o.backtest;
    if (!settings) return Promise.reject(new OperatorError('Backtests are not set up in this application.'));
    const { broker, store, now } = this.o;
    return backtestSignals({ broker, store, now }, settings, request);
  }

  /** The daily report's figures for trading day `day` (default: today on the exchange). */
  async report(day: string = exchangeDate(this.o.now())): Promise<DailyReportData> {
    const { manager, executor, risk } = this.o.engine;
    const account = await this.o.broker.getAccount();
    return {
      day,
      mode: this.o.mode,
      account,
      closedToday: await manager.getClosedOn(day),
      positions: await manager.updatePositionPrices(),
      performance: await manager.getPerformanceStats(REPORT_DAYS),
      execution: await executor.getExecutionStats(REPORT_DAYS),
      state: await risk.state(),
      chart: await this.equityChart(day, account),
    };
  }

  async status(): Promise<StatusReport> {
    return {
      info: await this.o.status(),
      broker: this.o.broker.name,
      mode: this.o.mode,
      trading: await this.o.engine.risk.state(),
      marketData: this.marketDataState(),
    };
  }

  /** Told of every trading event (fills, closes, refusals, halts) as it happens. Returns the unsubscribe function. */
  onTradingEvent(listener: (event: TradingEvent) => void): () => void {
    return this.o.engine.events.on(listener);
  }

  /** The broker's trade stream state; null for a broker that does not stream over the network. */
  streamState(): StreamState | null {
    return this.o.broker.streamState?.() ?? null;
  }

  /** Told when the broker's trade stream drops or returns; null when the broker has no such stream. */
  onStreamState(listener: (state: StreamState) => void): (() => void) | null {
    return this.o.broker.onStreamState?.(listener) ?? null;
  }

  /** The market-data stream's state; null when the bot runs without one. */
  marketDataState(): StreamState | null {
    return this.o.engine.live?.state() ?? null;
  }

  /** Told when the market-data stream drops or returns; null when the bot runs without one. */
  onMarketDataState(listener: (state: StreamState) => void): (() => void) | null {
    return this.o.engine.live?.onState(listener) ?? null;
  }

  /** The market clock, as the broker keeps it. */
  clock(): Promise<Clock> {
    return this.o.broker.getClock();
  }

  /** Trading sessions between two dates (inclusive, YYYY-MM-DD). */
  calendar(start: string, end: string): Promise<CalendarDay[]> {
    return this.o.broker.getCalendar(start, end);
  }

  /**
   * One monitor cycle's work, in order: reconcile with the broker, mark the
   * positions, close triggered positions no broker leg protects, evaluate the
   * risk limits, expire due signals, record the intraday equity (under the
   * trading day of `at`, when the cycle started).
   */
  async monitorCycle(at: Date = this.o.now()): Promise<CycleResult> {
    const { reconciler, manager, risk } = this.o.engine;
    const summary = await reconciler.reconcile({ immediate: false });
    const positions = await manager.updatePositionPrices(undefined, summary.positions ?? undefined);
    await manager.autoCloseTriggeredPositions(positions);
    const account = await this.o.broker.getAccount();
    await risk.evaluateLimits(account);
    await this.o.approvals.expireDue();
    await this.recordEquity('intraday', exchangeDate(at), account, positions);
    return { account, positions };
  }

  /** Whether equity was recorded on or before trading day `day`: a database that was not running then missed nothing. */
  async recordingSince(day: string): Promise<boolean> {
    const first = await this.o.store.equity.earliest();
    return first !== null && first.tradingDay <= day;
  }

  /**
   * Records trading day `day`'s end-of-day equity, once: the account now; or,
   * `late` (the bot was down at the close), the day's last intraday figure,
   * since today's equity is not that day's close (nothing when there is none).
   */
  async closeDay(day: string, options: { late: boolean }): Promise<void> {
    const { equity } = this.o.store;
    if (await equity.getDaily(day)) return;
    if (!options.late) {
      await this.recordEquity('eod', day, await this.o.broker.getAccount(), await this.o.engine.manager.getOpenPositions());
      return;
    }
    const last = await equity.lastIntraday(day);
    if (last) await equity.record({ ...last, kind: 'eod' });
  }

  /** Simulator only: sets a ticker's last price; the fills it causes follow at once. */
  async simSetPrice(ticker: string, price: Decimal): Promise<SimResult> {
    const sim = this.simulator();
    const known = await sim.getLatestPrices([ticker]);
    if (!known.has(ticker)) throw new OperatorError(`Unknown ticker ${ticker}: the simulator trades ${sim.engine.tickers().join(', ')}.`);
    const updates = await sim.setPrice(ticker, price);
    await this.markSimulated();
    return { updates, now: sim.engine.clockSource.now() };
  }

  /** Simulator only: moves the simulated clock; the feed walks and orders fill or expire. */
  async simAdvance(minutes: number): Promise<SimResult> {
    const sim = this.simulator();
    const updates = await sim.advance(minutes);
    await this.markSimulated();
    return { updates, now: sim.engine.clockSource.now() };
  }

  private simulator(): SimulatorControls {
    if (!this.o.sim) throw new OperatorError('/sim works only on the simulator (BROKER=sim).');
    return this.o.sim;
  }

  /**
   * The simulator's prices moved: the open positions are marked to them once
   * the fills the move caused are applied, so the book (and a live page) shows
   * the move at once rather than at the next monitor cycle.
   */
  private async markSimulated(): Promise<void> {
    const { ledger, manager } = this.o.engine;
    await ledger.serial(() => manager.updatePositionPrices());
  }

  private async recordEquity(kind: 'intraday' | 'eod', tradingDay: string, account: Account, positions: readonly PositionRecord[]): Promise<void> {
    const closedToday = await this.o.engine.manager.getClosedOn(tradingDay);
    await this.o.store.equity.record({
      takenAt: this.o.now(),
      tradingDay,
      kind,
      equity: account.equity,
      cash: account.cash,
      positionsValue: account.longMarketValue.plus(account.shortMarketValue),
      unrealizedPnl: positions.reduce((sum, p) => sum.plus(p.unrealizedPnl), ZERO),
      realizedPnlDay: closedToday.reduce((sum, c) => sum.plus(c.realizedPnl), ZERO),
      openPositions: positions.length,
    });
  }

  /**
   * The end-of-day series of the last `days` days (the account now standing in
   * for a close not yet recorded) when it has two days or more; else the
   * day's intraday snapshots, closed by the day's last figure, so a first day
   * still shows a curve.
   */
  private async equityChart(day: string, account: Pick<Account, 'equity'>, days = CHART_DAYS): Promise<{ points: EquityPoint[]; title: string }> {
    const { equity } = this.o.store;
    const daily = (await equity.listDaily(addDays(day, -days))).filter((s) => s.tradingDay <= day);
    const points: EquityPoint[] = daily.map((s) => ({ day: s.tradingDay, equity: s.equity }));
    if (points.at(-1)?.day !== day) points.push({ day, equity: account.equity });
    const dailyChart = { points, title: `Equity, ${points[0]?.day ?? day} to ${day}` };
    if (points.length >= 2) return dailyChart;

    const lastDaily = daily.at(-1);
    const eod = lastDaily?.tradingDay === day ? lastDaily : null;
    const now = this.o.now();
    // The day's last figure: its end-of-day snapshot, else the account now (when now is that day).
    const close = eod ? { at: eod.takenAt, equity: eod.equity } : exchangeDate(now) === day ? { at: now, equity: account.equity } : null;
    const intraday = (await equity.listIntraday(day)).map((s) => ({ at: s.takenAt, equity: s.equity }));
    const lastIntraday = intraday.at(-1);
    if (close !== null && (lastIntraday === undefined || close.at > lastIntraday.at)) intraday.push(close);
    if (intraday.length < 2) return dailyChart;
    // HH:MM in New York labels an intraday point.
    return { points: intraday.map((p) => ({ day: exchangeIso(p.at).slice(11, 16), equity: p.equity })), title: `Equity, ${day} (intraday, New York time)` };
  }

  // ---- the web dashboard's figures ------------------------------------------

  /** The equity curve of the last `days` days as the daily report draws it (a first day: its intraday snapshots). */
  async equity(days: number): Promise<EquityCurve> {
    return this.equityChart(exchangeDate(this.o.now()), await this.o.broker.getAccount(), days);
  }

  /** The latest `limit` alerts, posted or not, newest first, in short. */
  async alerts(limit: number): Promise<RecentAlert[]> {
    return (await this.o.store.alerts.listRecent(limit)).map(recentAlertOf);
  }

  /** Market value held long and short against the equity, and the `top` tickers by gross value (positions as last recorded). */
  async exposure(top = 10): Promise<Exposure> {
    const [account, positions] = await Promise.all([this.o.broker.getAccount(), this.o.engine.manager.getOpenPositions()]);
    return exposureOf(account, positions, top);
  }

  /** The web overview: the account, the equity curve of the last `days` days, exposure and the latest alerts, with one account request. */
  async overview(days: number, top: number, alertLimit: number): Promise<OverviewFigures> {
    const [summary, positions, alerts] = await Promise.all([this.account(), this.o.engine.manager.getOpenPositions(), this.alerts(alertLimit)]);
    const curve = await this.equityChart(exchangeDate(this.o.now()), summary.account, days);
    return { summary, curve, exposure: exposureOf(summary.account, positions, top), alerts };
  }

  /** Realized P&L of the trades closed in the last `days` days, by ticker and by strategy. */
  async pnlBreakdown(days: number): Promise<PnlBreakdown> {
    return pnlBreakdownOf(days, await this.o.engine.manager.getClosedPositions(days));
  }

  /** The backtester's runs in `reportsDir`/backtests, newest first. */
  backtestRuns(reportsDir: string): Promise<BacktestRunEntry[]> {
    return listBacktestRuns(reportsDir);
  }

  /** One backtest run with its equity; null for a name that is not a run folder. */
  backtestRun(reportsDir: string, name: string): Promise<BacktestRunDetail | null> {
    return readBacktestRun(reportsDir, name);
  }

  /** A backtest run's equity.png; null without one (or for a name that is not a run folder). */
  backtestChartPng(reportsDir: string, name: string): Promise<Buffer | null> {
    return readBacktestPng(reportsDir, name);
  }

  // ---- closed trades and the order book ---------------------------------------

  /** One page of closed trades, newest first; a query that cannot mean anything (from after to, a foreign cursor) is an OperatorError. */
  trades(query: TradeQuery): Promise<TradePage> {
    return tradePage(this.o.store, query);
  }

  /** How many closed trades a filter matches and their realized P&L, exact (a pass over every matching trade). */
  async tradeTotals(filter: TradeFilter): Promise<TradeTotals> {
    return this.o.store.closedPositions.summarize(storeFilter(filter));
  }

  /** The bot's recorded orders without a parent, newest first, each with its bracket legs. */
  orderBook(filter: OrderBookFilter): Promise<OrderBookEntry[]> {
    return orderBook(this.o.store, filter);
  }

  /** Each strategy's stated confidence against its closed trades (one strategy when named), and what calibrated sizing would use. */
  async calibration(strategy?: string): Promise<CalibrationReport> {
    const trades = await this.o.store.closedPositions.listCalibrationTrades({ ...(strategy === undefined ? {} : { strategy }), until: this.o.now() });
    return calibrationReport(trades, { minTrades: this.o.engine.calibration.minTrades, sizingMethod: this.o.sizingMethod });
  }
}

function checkSides(side: OrderSide, entry: Decimal, stop: Decimal | null, target: Decimal | null): void {
  const long = side === 'buy';
  if (stop && (long ? stop.gte(entry) : stop.lte(entry))) {
    throw new OperatorError(
      `stop_loss ${formatUsd(stop)} is on the wrong side: a ${side} needs its stop ${long ? 'below' : 'above'} the entry ${formatUsd(entry)}.`,
    );
  }
  if (target && (long ? target.lte(entry) : target.gte(entry))) {
    throw new OperatorError(
      `take_profit ${formatUsd(target)} is on the wrong side: a ${side} needs its target ${long ? 'above' : 'below'} the entry ${formatUsd(entry)}.`,
    );
  }
}

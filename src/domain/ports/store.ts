/**
 * The store as the core sees it: one interface per kind of record, and a
 * transaction over all of them. A database adapter (src/db) implements these;
 * the core never learns which database it is.
 */
import type { BarTimeframe, HistoricalBar } from '../bars.js';
import type { Decimal } from '../money.js';
import type {
  AlertKind,
  AlertRecord,
  AuditEntry,
  AuditRecord,
  ClosedPositionRecord,
  EquitySnapshot,
  ExecutedOrderRecord,
  ExecutionOutcome,
  ExecutionPlan,
  ExecutionRecord,
  ExitReason,
  OrderProgress,
  PositionRecord,
  MarkBasis,
  PriceMark,
  SignalDecision,
  SignalStatus,
  StoredSignal,
  TradeOutcomes,
  TradingState,
  TradingStateName,
} from '../records.js';

/** The orders the bot sent and where each stands. */
export interface ExecutedOrderStore {
  /** Records an order; a second insert of the same order id or client id fails. */
  insert(record: ExecutedOrderRecord): Promise<void>;
  /** Applies a broker update; false when the order is unknown or already finished otherwise (never backwards). */
  updateProgress(orderId: string, progress: OrderProgress): Promise<boolean>;
  get(orderId: string): Promise<ExecutedOrderRecord | null>;
  getByClientOrderId(clientOrderId: string): Promise<ExecutedOrderRecord | null>;
  /** Orders that can still fill or change, oldest first. */
  listOpen(): Promise<ExecutedOrderRecord[]>;
  /** A bracket's legs (children of `parentOrderId`), oldest first. */
  listChildren(parentOrderId: string): Promise<ExecutedOrderRecord[]>;
  /** Orders sent to close `positionId`, oldest first. */
  listForPosition(positionId: string): Promise<ExecutedOrderRecord[]>;
  listBySignal(signalId: string): Promise<ExecutedOrderRecord[]>;
  /** Orders submitted at or after `since`, oldest first. */
  listSubmittedSince(since: Date): Promise<ExecutedOrderRecord[]>;
  /** Orders without a parent (entries and exits, not bracket legs) that `query` matches, newest first. */
  listTopLevel(query: OrderBookQuery): Promise<ExecutedOrderRecord[]>;
}

/** One row per signal execution: what makes a signal place at most one order. */
export interface ExecutionStore {
  /** True when this caller claimed the signal (and may send its order); false when it was claimed before. */
  claim(plan: ExecutionPlan, at: Date): Promise<boolean>;
  finish(signalId: string, outcome: ExecutionOutcome, at: Date): Promise<void>;
  /** Forgets an attempt that provably sent nothing (so it may be tried again). */
  release(signalId: string): Promise<void>;
  get(signalId: string): Promise<ExecutionRecord | null>;
  getByClientOrderId(clientOrderId: string): Promise<ExecutionRecord | null>;
  /** Attempts left in `submitting` (a crash mid-submission). */
  listSubmitting(): Promise<ExecutionRecord[]>;
}

/** The open positions. */
export interface PositionStore {
  insert(record: PositionRecord): Promise<void>;
  /** Replaces every field of an existing position. */
  update(record: PositionRecord): Promise<void>;
  get(positionId: string): Promise<PositionRecord | null>;
  getByTicker(ticker: string): Promise<PositionRecord | null>;
  /** Every open position, oldest first. */
  list(): Promise<PositionRecord[]>;
  /** Each open position's ticker and market value (quantity × last). */
  exposures(): Promise<{ ticker: string; value: Decimal }[]>;
  /** Each open position's shares and their cost, without whole records: what marking to market needs. */
  markBasis(): Promise<MarkBasis[]>;
  count(): Promise<number>;
  /** Marks many positions to market at once. */
  markPrices(marks: readonly PriceMark[]): Promise<void>;
  /** Moves a position to the closed trades atomically; false when it was already gone. */
  close(closed: ClosedPositionRecord): Promise<boolean>;
}

/** Closed trades. */
export interface ClosedPositionStore {
  get(positionId: string): Promise<ClosedPositionRecord | null>;
  /** Trades closed in [since, until), oldest first. */
  listClosedBetween(since: Date, until?: Date): Promise<ClosedPositionRecord[]>;
  /** Writes closed trades directly (history imports). */
  insertMany(records: readonly ClosedPositionRecord[]): Promise<void>;
  /** The realized P&L and hold times of trades closed since `since`, without whole records. */
  outcomesSince(since: Date): Promise<TradeOutcomes>;
  /** One page of the trades `query` matches, newest first (closed_at, then position id, descending), starting after `query.after`. */
  listPage(query: ClosedTradePageQuery): Promise<ClosedPositionRecord[]>;
  /** How many trades `filter` matches and their realized P&L, summed exactly. */
  summarize(filter: ClosedTradeFilter): Promise<{ count: number; realizedPnl: Decimal }>;
  /** Trades opened by a stored signal, with that signal's stated confidence, oldest first (closed_at, then position id). */
  listCalibrationTrades(query: CalibrationTradeQuery): Promise<CalibrationTradeRecord[]>;
}

/** Which trades calibration reads: `strategy` null = trades without one, absent = every strategy; closed in [since, until). */
export interface CalibrationTradeQuery {
  strategy?: string | null;
  since?: Date;
  until?: Date;
}

/** A closed trade joined to the stated confidence of the signal that opened it. */
export interface CalibrationTradeRecord {
  positionId: string;
  strategy: string | null;
  confidence: Decimal;
  realizedPnl: Decimal;
  /** Ratio of the cost basis (0.05 = +5%). */
  realizedPnlPct: Decimal;
  closedAt: Date;
}

/** Which closed trades: every field given narrows the set. */
export interface ClosedTradeFilter {
  /** Closed at or after. */
  since?: Date;
  /** Closed before. */
  until?: Date;
  ticker?: string;
  strategy?: string;
  exitReason?: ExitReason;
}

/** Where a page ends: the next page starts after this trade. */
export interface ClosedTradeKey {
  closedAt: Date;
  positionId: string;
}

export interface ClosedTradePageQuery extends ClosedTradeFilter {
  after?: ClosedTradeKey;
  limit: number;
}

/** Which entry orders (orders without a parent): each with its legs, newest first. */
export interface OrderBookQuery {
  /** open: the order or one of its legs can still fill or change; closed: neither can. */
  status: 'open' | 'closed' | 'all';
  ticker?: string;
  limit: number;
}

/** Signals received and their decisions. */
export interface SignalStore {
  /** Stores a new signal; false when its id is already known. */
  insertIfNew(signal: StoredSignal): Promise<boolean>;
  get(signalId: string): Promise<StoredSignal | null>;
  listByStatus(status: SignalStatus, limit?: number): Promise<StoredSignal[]>;
  /** Moves a signal out of `from` (default pending); of two concurrent deciders exactly one gets true. */
  decide(signalId: string, decision: SignalDecision, from?: SignalStatus): Promise<boolean>;
  recordOutcome(signalId: string, status: 'executed' | 'failed', orderId: string | null, note: string | null): Promise<void>;
  setMessage(signalId: string, channelId: string, messageId: string): Promise<void>;
  /** Pending signals whose time ran out before `now`. */
  listExpired(now: Date): Promise<StoredSignal[]>;
  /** Signals whose own time is at or after `since`, whatever their status, oldest first. */
  listSince(since: Date): Promise<StoredSignal[]>;
}

/** The equity series: intraday snapshots and one end-of-day snapshot per trading day. */
export interface EquitySnapshotStore {
  /** An end-of-day snapshot replaces that day's earlier one. */
  record(snapshot: EquitySnapshot): Promise<void>;
  listDaily(sinceDay: string): Promise<EquitySnapshot[]>;
  getDaily(tradingDay: string): Promise<EquitySnapshot | null>;
  listIntraday(tradingDay: string): Promise<EquitySnapshot[]>;
  lastIntraday(tradingDay: string): Promise<EquitySnapshot | null>;
  earliest(): Promise<EquitySnapshot | null>;
  latest(): Promise<EquitySnapshot | null>;
}

/** Alerts waiting to be posted, each at most once. */
export interface AlertStore {
  /** Queues an alert; false when that event was queued before. */
  enqueue(eventKey: string, kind: AlertKind, payload: string, createdAt: Date): Promise<boolean>;
  getByEventKey(eventKey: string): Promise<AlertRecord | null>;
  listUnposted(limit?: number): Promise<AlertRecord[]>;
  countUnposted(): Promise<number>;
  markPosted(ids: readonly number[], postedAt: Date): Promise<void>;
  /** Gives up on alerts the destination refuses for what they are. */
  markAbandoned(ids: readonly number[], error: string, at: Date): Promise<void>;
  markFailed(ids: readonly number[], error: string): Promise<void>;
  /** The latest alerts, posted or not, newest first. */
  listRecent(limit: number): Promise<AlertRecord[]>;
}

/** Who did what, from which front end. */
export interface AuditLogStore {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listRecent(limit?: number): Promise<AuditRecord[]>;
}

/** ACTIVE, REDUCING or HALTED, and the baselines the risk limits measure from. */
export interface TradingStateStore {
  get(): Promise<TradingState>;
  /** False when it already was in that state (a halt triggered twice is announced once). */
  setState(state: TradingStateName, reason: string | null, changedBy: string, at: Date): Promise<boolean>;
  setDayStart(day: string, equity: Decimal): Promise<void>;
  setPeakEquity(equity: Decimal): Promise<void>;
}

/** A closed time range (both ends included). */
export interface TimeRange {
  start: Date;
  end: Date;
}

/** The historical bars cache: bars fetched once, read locally afterwards. */
export interface BarStore {
  /** Cached bars of one symbol and timeframe with timestamps in [start, end], oldest first. */
  list(symbol: string, timeframe: BarTimeframe, range: TimeRange): Promise<HistoricalBar[]>;
  /** The parts of `range` not fetched yet for this symbol and timeframe, oldest first (empty: all cached). */
  missing(symbol: string, timeframe: BarTimeframe, range: TimeRange): Promise<TimeRange[]>;
  /**
   * Stores fetched bars (a cached bar of the same time is replaced), then
   * notes `covered` as fetched for `symbols`: bars first, so a crash between
   * the two costs a second fetch, never a hole.
   */
  save(bars: readonly HistoricalBar[], timeframe: BarTimeframe, symbols: readonly string[], covered: TimeRange): Promise<void>;
}

export interface Repositories {
  orders: ExecutedOrderStore;
  executions: ExecutionStore;
  positions: PositionStore;
  closedPositions: ClosedPositionStore;
  signals: SignalStore;
  equity: EquitySnapshotStore;
  alerts: AlertStore;
  audit: AuditLogStore;
  tradingState: TradingStateStore;
  bars: BarStore;
}

export interface Store extends Repositories {
  /** Runs `fn` with repositories bound to one transaction: all of it commits, or none. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives (a file path for SQLite). */
  readonly path: string;
}

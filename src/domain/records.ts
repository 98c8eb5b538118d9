/**
 * What the bot keeps about its trading: orders, positions, closed trades,
 * signals, executions, alerts, equity snapshots, the audit trail and the
 * trading state. The store ports (ports/store.ts) read and write these; how
 * they become rows is the database adapter's business.
 */
import type { OrderClass, OrderSide, OrderStatus, OrderType, PositionSide, TimeInForce } from './enums.js';
import type { Decimal, SignedTotals } from './money.js';
import type { HeldShares } from './position.js';
import type { TradingSignal } from './signal.js';

// ---- positions -------------------------------------------------------------

/** An open position as the bot manages it (the broker's view plus our stops and targets). */
export interface PositionRecord {
  positionId: string;
  ticker: string;
  side: PositionSide;
  quantity: Decimal;
  entryPrice: Decimal;
  currentPrice: Decimal;
  unrealizedPnl: Decimal;
  /** Shares already sold (or covered) out of this position, their Σ qty × price, and the P&L they realized. */
  exitedQty: Decimal;
  exitValue: Decimal;
  realizedPnl: Decimal;
  /** Σ qty × price of every entry fill (shares entered = quantity + exitedQty). */
  entryValue: Decimal;
  stopLossPrice: Decimal | null;
  takeProfitPrice: Decimal | null;
  signalId: string | null;
  strategy: string | null;
  entryOrderId: string | null;
  stopLossOrderId: string | null;
  takeProfitOrderId: string | null;
  openedAt: Date;
  updatedAt: Date;
}

/** A position marked to a new price. */
/** What marking an open position to market needs of it: its shares and what they cost. */
export interface MarkBasis extends HeldShares {
  positionId: string;
  ticker: string;
}

export interface PriceMark {
  positionId: string;
  currentPrice: Decimal;
  unrealizedPnl: Decimal;
  marketValue: Decimal;
  unrealizedPnlPct: Decimal;
  updatedAt: Date;
}

export const EXIT_REASONS = ['stop_loss', 'take_profit', 'manual', 'flatten', 'external'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface ClosedPositionRecord {
  positionId: string;
  ticker: string;
  side: PositionSide;
  quantity: Decimal;
  entryPrice: Decimal;
  exitPrice: Decimal;
  realizedPnl: Decimal;
  /** Ratio of the cost basis (0.05 = +5%). */
  realizedPnlPct: Decimal;
  exitReason: ExitReason;
  signalId: string | null;
  strategy: string | null;
  exitOrderId: string | null;
  entryOrderId: string | null;
  openedAt: Date;
  closedAt: Date;
}

/** Whole seconds the position was held. */
export function holdSeconds(r: Pick<ClosedPositionRecord, 'openedAt' | 'closedAt'>): number {
  return Math.max(0, Math.floor((r.closedAt.getTime() - r.openedAt.getTime()) / 1000));
}

/** What the statistics read of closed trades: their realized P&L totals and hold times summed. */
export interface TradeOutcomes {
  realizedPnl: SignedTotals;
  totalHoldSeconds: number;
}

// ---- orders ----------------------------------------------------------------

export type OrderLeg = 'entry' | 'stop_loss' | 'take_profit';

/** One order as the bot recorded it: what was sent and where it stands. */
export interface ExecutedOrderRecord {
  orderId: string;
  clientOrderId: string;
  ticker: string;
  signalId: string | null;
  side: OrderSide;
  quantity: Decimal;
  orderType: OrderType;
  orderClass: OrderClass;
  parentOrderId: string | null;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  trailPrice: Decimal | null;
  trailPercent: Decimal | null;
  timeInForce: TimeInForce;
  status: OrderStatus;
  filledQty: Decimal;
  filledAvgPrice: Decimal | null;
  signalPrice: Decimal | null;
  leg: OrderLeg | null;
  statusReason: string | null;
  /** Exit orders: the position they close and why; null for entries. */
  positionId: string | null;
  exitReason: ExitReason | null;
  /** Entries: the stop, target and strategy the position inherits when it fills. */
  plannedStopLoss: Decimal | null;
  plannedTakeProfit: Decimal | null;
  strategy: string | null;
  submittedAt: Date;
  filledAt: Date | null;
  updatedAt: Date;
}

/** The fields a broker update can change. */
export type OrderProgress = Pick<ExecutedOrderRecord, 'status' | 'filledQty' | 'filledAvgPrice' | 'filledAt' | 'updatedAt' | 'statusReason'>;

/** What the executor knows beyond the broker's order: why it was sent. */
export interface OrderContext {
  signalId?: string | null;
  signalPrice?: Decimal | null;
  leg?: OrderLeg | null;
  positionId?: string | null;
  exitReason?: ExitReason | null;
  plannedStopLoss?: Decimal | null;
  plannedTakeProfit?: Decimal | null;
  strategy?: string | null;
}

// ---- signal executions -----------------------------------------------------

/** What the signal's order is for, recorded before it is sent. */
export interface ExecutionPlan {
  signalId: string;
  clientOrderId: string;
  ticker: string;
  signalPrice: Decimal;
  stopLossPrice: Decimal | null;
  takeProfitPrice: Decimal | null;
  strategy: string | null;
}

/** A signal's execution as recorded: the first result is the only result. */
export interface ExecutionRecord extends ExecutionPlan {
  /** submitting: the order may be at the broker; done: final. */
  status: 'submitting' | 'done';
  success: boolean;
  orderId: string | null;
  quantity: Decimal | null;
  estimatedCost: Decimal | null;
  errorMessage: string | null;
  refusedBy: string | null;
  /** The sizing decision, JSON. */
  sizing: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ExecutionOutcome = Pick<ExecutionRecord, 'success' | 'orderId' | 'quantity' | 'estimatedCost' | 'errorMessage' | 'refusedBy' | 'sizing'>;

// ---- signals ---------------------------------------------------------------

export const SIGNAL_STATUSES = ['pending', 'approved', 'executed', 'rejected', 'expired', 'failed'] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];
export type SignalSource = 'discord' | 'console' | 'webhook' | 'code';

export interface StoredSignal {
  signalId: string;
  ticker: string;
  action: OrderSide;
  entryPrice: Decimal;
  stopLossPrice: Decimal;
  takeProfitPrice: Decimal;
  confidence: Decimal;
  positionSizePct: Decimal | null;
  signalType: string | null;
  strategy: string | null;
  source: SignalSource;
  status: SignalStatus;
  signalTime: Date;
  receivedAt: Date;
  expiresAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  orderId: string | null;
  channelId: string | null;
  messageId: string | null;
  /** The signal as received, verbatim JSON. */
  payload: string;
}

/** A decision on a pending signal (approve, reject, expire). */
export interface SignalDecision {
  status: Exclude<SignalStatus, 'pending'>;
  decidedBy: string;
  decidedAt: Date;
  note?: string | null;
}

// ---- equity snapshots ------------------------------------------------------

export type SnapshotKind = 'intraday' | 'eod';

export interface EquitySnapshot {
  takenAt: Date;
  /** YYYY-MM-DD in the trading time zone. */
  tradingDay: string;
  kind: SnapshotKind;
  equity: Decimal;
  cash: Decimal;
  positionsValue: Decimal;
  unrealizedPnl: Decimal;
  realizedPnlDay: Decimal;
  openPositions: number;
}

// ---- alerts ----------------------------------------------------------------

export const ALERT_KINDS = [
  'fill',
  'partial_fill',
  'stop_loss',
  'take_profit',
  'position_closed',
  'order_rejected',
  'order_canceled',
  'order_expired',
  'halted',
  'resumed',
  'broker_disconnected',
  'broker_reconnected',
  'reconciliation',
  'daily_report',
  'monitor_failed',
  'position_modified',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertRecord {
  id: number;
  /** Unique per event (e.g. `fill:<execution id>`): what makes an alert post once. */
  eventKey: string;
  kind: AlertKind;
  /** JSON the renderer reads; amounts inside are decimal strings. */
  payload: string;
  createdAt: Date;
  postedAt: Date | null;
  attempts: number;
  lastError: string | null;
}

// ---- audit trail -----------------------------------------------------------

export type AuditOutcome = 'ok' | 'refused' | 'error';

export interface AuditEntry {
  at: Date;
  /** A Discord user id, `console`, `webhook` or `system`. */
  actor: string;
  actorName?: string | null;
  /** What was attempted: `/buy`, `approve`, `halt`, … */
  action: string;
  target?: string | null;
  outcome: AuditOutcome;
  /** Anything worth keeping, as JSON (never a secret). */
  details?: Record<string, unknown> | null;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'details'>> {
  id: number;
  details: Record<string, unknown> | null;
}

// ---- trading state ---------------------------------------------------------

/**
 * ACTIVE: every order allowed. REDUCING: only orders that shrink exposure
 * (closes, partial closes, covering a short). HALTED: no entries either;
 * exits always work, whatever the state.
 */
export type TradingStateName = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** The states an operator or a limit can stop trading in: no entries (halted), or exits and reductions only (reducing). */
export type HaltMode = 'halted' | 'reducing';

export interface TradingState {
  state: TradingStateName;
  reason: string | null;
  changedBy: string | null;
  changedAt: Date;
  dayStartEquity: Decimal | null;
  dayStartDate: string | null;
  peakEquity: Decimal | null;
}

/** A stored signal in the form the executor takes; its time is the signal's own, not its arrival. */
export function toTradingSignal(s: StoredSignal): TradingSignal {
  return {
    signalId: s.signalId,
    ticker: s.ticker,
    timestamp: s.signalTime,
    action: s.action,
    confidence: s.confidence,
    currentPrice: s.entryPrice,
    stopLossPrice: s.stopLossPrice,
    takeProfitPrice: s.takeProfitPrice,
    positionSizePct: s.positionSizePct,
    signalType: s.signalType,
    strategy: s.strategy,
  };
}

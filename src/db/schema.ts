/**
 * Kysely's view of the database. Money and quantities are TEXT holding
 * canonical decimal strings (see broker/money.ts `toStorage`); times are
 * ISO-8601 UTC strings, which SQLite's date functions read as they are.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

type DecimalText = string;
type IsoTime = string;

export interface ExecutedOrdersTable {
  order_id: string;
  client_order_id: string;
  ticker: string;
  signal_id: string | null;
  side: string;
  quantity: DecimalText;
  order_type: string;
  order_class: string;
  parent_order_id: string | null;
  limit_price: DecimalText | null;
  stop_price: DecimalText | null;
  trail_price: DecimalText | null;
  trail_percent: DecimalText | null;
  time_in_force: string;
  status: string;
  filled_qty: DecimalText;
  filled_avg_price: DecimalText | null;
  /** The price the signal expected: the base of slippage. */
  signal_price: DecimalText | null;
  /** Leg of a bracket: entry, stop_loss, take_profit; null for a simple order. */
  leg: string | null;
  status_reason: string | null;
  /** Exit orders: the position they close and why (null for entries). */
  position_id: string | null;
  exit_reason: string | null;
  /** Entries: the stop, target and strategy the position inherits on the fill. */
  stop_loss_price: DecimalText | null;
  take_profit_price: DecimalText | null;
  strategy: string | null;
  submitted_at: IsoTime;
  filled_at: IsoTime | null;
  updated_at: IsoTime;
}

export interface PositionsTable {
  position_id: string;
  ticker: string;
  side: string;
  quantity: DecimalText;
  entry_price: DecimalText;
  current_price: DecimalText;
  unrealized_pnl: DecimalText;
  /** quantity × entry price (positive for both sides). */
  cost_basis: DecimalText;
  /** quantity × current price, signed negative for a short (as Alpaca reports). */
  market_value: DecimalText;
  /** unrealized P&L as a ratio of the cost basis. */
  unrealized_pnl_pct: DecimalText;
  /** Partial exits so far: shares, Σ shares × price, realized P&L. */
  exited_qty: DecimalText;
  exit_value: DecimalText;
  realized_pnl: DecimalText;
  /** Σ shares × price of every entry fill: a close realizes exit_value − entry_value exactly. */
  entry_value: DecimalText;
  stop_loss_price: DecimalText | null;
  take_profit_price: DecimalText | null;
  signal_id: string | null;
  strategy: string | null;
  /** The broker's bracket legs, when it holds them (exits then need no order from us). */
  entry_order_id: string | null;
  stop_loss_order_id: string | null;
  take_profit_order_id: string | null;
  opened_at: IsoTime;
  updated_at: IsoTime;
}

export interface ClosedPositionsTable {
  position_id: string;
  ticker: string;
  side: string;
  quantity: DecimalText;
  entry_price: DecimalText;
  exit_price: DecimalText;
  realized_pnl: DecimalText;
  realized_pnl_pct: DecimalText;
  exit_reason: string;
  signal_id: string | null;
  strategy: string | null;
  exit_order_id: string | null;
  opened_at: IsoTime;
  closed_at: IsoTime;
  cost_basis: DecimalText;
  hold_duration_seconds: number;
  entry_order_id: string | null;
}

export interface ExecutionsTable {
  signal_id: string;
  client_order_id: string;
  ticker: string;
  signal_price: DecimalText;
  stop_loss_price: DecimalText | null;
  take_profit_price: DecimalText | null;
  strategy: string | null;
  /** submitting (the order may be at the broker) or done (the result is final). */
  status: string;
  success: number;
  order_id: string | null;
  quantity: DecimalText | null;
  estimated_cost: DecimalText | null;
  error_message: string | null;
  refused_by: string | null;
  sizing: string | null;
  created_at: IsoTime;
  updated_at: IsoTime;
}

export interface SignalsTable {
  signal_id: string;
  ticker: string;
  action: string;
  entry_price: DecimalText;
  stop_loss_price: DecimalText;
  take_profit_price: DecimalText;
  confidence: DecimalText;
  position_size_pct: DecimalText | null;
  signal_type: string | null;
  strategy: string | null;
  /** Where it came from: discord, console, webhook, code. */
  source: string;
  status: string;
  /** The signal's own timestamp, as its producer stamped it. */
  signal_time: IsoTime;
  received_at: IsoTime;
  expires_at: IsoTime;
  decided_by: string | null;
  decided_at: IsoTime | null;
  decision_note: string | null;
  order_id: string | null;
  /** Where its approval message lives, so a restart can edit it. */
  channel_id: string | null;
  message_id: string | null;
  /** The signal as received (JSON). */
  payload: string;
}

export interface EquitySnapshotsTable {
  id: Generated<number>;
  taken_at: IsoTime;
  /** YYYY-MM-DD in the trading time zone. */
  trading_day: string;
  /** intraday, or eod (one per trading day). */
  kind: string;
  equity: DecimalText;
  cash: DecimalText;
  positions_value: DecimalText;
  unrealized_pnl: DecimalText;
  realized_pnl_day: DecimalText;
  open_positions: number;
}

export interface AlertsTable {
  id: Generated<number>;
  event_key: string;
  kind: string;
  payload: string;
  created_at: IsoTime;
  posted_at: IsoTime | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: IsoTime;
  /** Who: a Discord user id, `console`, or `system`. */
  actor: string;
  actor_name: string | null;
  action: string;
  target: string | null;
  /** ok, refused or error. */
  outcome: string;
  details: string | null;
}

export interface TradingStateTable {
  /** Always 1: the table holds one row. */
  id: number;
  state: string;
  reason: string | null;
  changed_by: string | null;
  changed_at: IsoTime;
  /** Equity at the start of `day_start_date`: the base of the daily loss limit. */
  day_start_equity: DecimalText | null;
  day_start_date: string | null;
  /** Highest equity seen: the base of the drawdown limit. */
  peak_equity: DecimalText | null;
}

/** The paper simulator's scalars (one row, id 1); its orders, holdings and prices have tables of their own. */
export interface SimStateTable {
  id: number;
  /** The simulated clock. */
  clock: IsoTime;
  cash: DecimalText;
  realized_pnl: DecimalText;
  /** Random draws the feed has taken (its place in the walk). */
  feed_draws: number;
  last_equity: DecimalText;
  last_equity_day: string;
  /** JSON object: recent trading days and their day-trade counts. */
  day_trades: string;
  account_id: string;
  saved_at: IsoTime;
}

/** One row per order the simulator ever held, written when the order changes. */
export interface SimOrdersTable {
  /** Registration order; the key. */
  seq: number;
  id: string;
  client_order_id: string;
  symbol: string;
  side: string;
  type: string;
  order_class: string;
  time_in_force: string;
  qty: DecimalText;
  filled_qty: DecimalText;
  filled_avg_price: DecimalText | null;
  limit_price: DecimalText | null;
  stop_price: DecimalText | null;
  trail_price: DecimalText | null;
  trail_percent: DecimalText | null;
  hwm: DecimalText | null;
  status: string;
  parent_id: string | null;
  /** JSON array of the legs' ids. */
  leg_ids: string;
  oco_with: string | null;
  /** 0 or 1: a stop-limit whose stop was touched. */
  triggered: number;
  submitted_at: IsoTime;
  updated_at: IsoTime;
  filled_at: IsoTime | null;
  canceled_at: IsoTime | null;
  expired_at: IsoTime | null;
  expires_at: IsoTime | null;
  status_reason: string | null;
  replaced_by: string | null;
  executions: number;
}

/** The simulator's open positions (a flat one has no row). */
export interface SimHoldingsTable {
  ticker: string;
  seq: number;
  /** Signed: negative is short. */
  qty: DecimalText;
  avg_entry_price: DecimalText;
  opened_on: string | null;
}

/** The simulated feed's last trade per ticker. */
export interface SimPricesTable {
  ticker: string;
  seq: number;
  price: DecimalText;
  size: DecimalText;
  timestamp: IsoTime;
}

/** The historical bars cache: one row per symbol, timeframe and bar time. */
export interface BarsTable {
  symbol: string;
  /** 1Day, 1Hour, 1Min. */
  timeframe: string;
  /** When the bar opens. */
  timestamp: IsoTime;
  open: DecimalText;
  high: DecimalText;
  low: DecimalText;
  close: DecimalText;
  volume: DecimalText;
}

/** A time range of bars already fetched (inclusive), bars or none. */
export interface BarCoverageTable {
  symbol: string;
  timeframe: string;
  start: IsoTime;
  end: IsoTime;
}

export interface Database {
  bars: BarsTable;
  bar_coverage: BarCoverageTable;
  executed_orders: ExecutedOrdersTable;
  positions: PositionsTable;
  closed_positions: ClosedPositionsTable;
  signals: SignalsTable;
  equity_snapshots: EquitySnapshotsTable;
  alerts: AlertsTable;
  audit_log: AuditLogTable;
  trading_state: TradingStateTable;
  sim_state: SimStateTable;
  sim_orders: SimOrdersTable;
  sim_holdings: SimHoldingsTable;
  sim_prices: SimPricesTable;
  executions: ExecutionsTable;
}

export type ExecutedOrderRow = Selectable<ExecutedOrdersTable>;
export type NewExecutedOrderRow = Insertable<ExecutedOrdersTable>;
export type ExecutedOrderUpdate = Updateable<ExecutedOrdersTable>;
export type PositionRow = Selectable<PositionsTable>;
export type ClosedPositionRow = Selectable<ClosedPositionsTable>;
export type SignalRow = Selectable<SignalsTable>;
export type EquitySnapshotRow = Selectable<EquitySnapshotsTable>;
export type AlertRow = Selectable<AlertsTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type ExecutionRow = Selectable<ExecutionsTable>;
export type TradingStateRow = Selectable<TradingStateTable>;

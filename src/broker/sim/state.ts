/**
 * The paper simulator's state as rows: one per order, one per open holding,
 * one per ticker of the feed, and one small row of scalars (clock, cash,
 * realized P&L, the feed's position in its random walk, ...). Amounts are
 * exact decimal strings, times ISO-8601.
 *
 * The engine hands out only what changed since the last save (`SimChanges`),
 * so persisting a command costs what it touched, not the account's history.
 */
import type { OrderClass, OrderSide, OrderStatus, OrderType, TimeInForce } from '../../domain/enums.js';

/** An order as the engine tracks it, every field included. */
export interface SimOrderState {
  /** Registration order: a restart keeps the engine's order of orders (fills on a tick, listings). */
  seq: number;
  id: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  orderClass: OrderClass;
  timeInForce: TimeInForce;
  qty: string;
  filledQty: string;
  filledAvgPrice: string | null;
  limitPrice: string | null;
  stopPrice: string | null;
  trailPrice: string | null;
  trailPercent: string | null;
  /** Trailing stops: the high (sell) or low (buy) water mark. */
  hwm: string | null;
  status: OrderStatus;
  parentId: string | null;
  legIds: string[];
  ocoWith: string | null;
  triggered: boolean;
  submittedAt: string;
  updatedAt: string;
  filledAt: string | null;
  canceledAt: string | null;
  expiredAt: string | null;
  expiresAt: string | null;
  statusReason: string | null;
  replacedBy: string | null;
  executions: number;
}

/** A net position of the paper account. */
export interface SimHoldingState {
  ticker: string;
  /** When the holding was opened relative to the others (the ledger's order). */
  seq: number;
  /** Signed: positive long, negative short. */
  qty: string;
  avgEntryPrice: string;
  /** The trading day it was opened: a same-day exit is a day trade. */
  openedOn: string | null;
}

/** The feed's last trade of one ticker. */
export interface SimPriceState {
  ticker: string;
  /** The ticker's place in the feed: the random walk draws for the tickers in this order. */
  seq: number;
  price: string;
  size: string;
  timestamp: string;
}

/** Everything that is not an order, a holding or a price: one small row. */
export interface SimScalarState {
  clock: string;
  cash: string;
  realizedPnl: string;
  /** Random draws the feed has taken: replaying them resumes its walk where it stood. */
  feedDraws: number;
  lastEquity: string;
  lastEquityDay: string;
  /** Day trades per trading day (recent days only: the count looks back five sessions). */
  dayTrades: Record<string, number>;
  accountId: string;
}

/** The whole simulator. */
export interface SimState {
  scalar: SimScalarState;
  /** In registration order (`seq`). */
  orders: SimOrderState[];
  holdings: SimHoldingState[];
  prices: SimPriceState[];
}

/** What changed since the last save: rows to write, holdings to delete, and the scalar row. */
export interface SimChanges extends SimState {
  /** Tickers whose holding went flat: their rows go. */
  closedHoldings: string[];
}

/** Where the simulator keeps its state between runs. */
export interface SimStatePersistence {
  /** The saved account, or null when nothing was saved yet. */
  load(): Promise<SimState | null>;
  /** Writes `changes` (and only them, with the scalar row) in one transaction. */
  save(changes: SimChanges, at: Date): Promise<void>;
}

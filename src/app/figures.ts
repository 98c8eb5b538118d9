/**
 * Figures the web dashboard shows beside the account: exposure, realized
 * P&L broken down by ticker and by strategy, and the latest alerts in short.
 * Pure functions over records (exact Decimal arithmetic), used by
 * OperatorService.
 */
import { z } from 'zod';
import type { Account } from '../domain/account.js';
import { type Decimal, ZERO } from '../domain/money.js';
import type { AlertKind, AlertRecord, ClosedPositionRecord, PositionRecord } from '../domain/records.js';
import type { EquityPoint } from '../portfolio/analytics.js';
import type { AccountSummary } from './OperatorService.js';

/** The equity curve to draw and its title (daily closes; a first day: its intraday snapshots, labelled HH:MM New York time). */
export interface EquityCurve {
  points: EquityPoint[];
  title: string;
}

/** The web overview's figures, read with one account request. */
export interface OverviewFigures {
  summary: AccountSummary;
  curve: EquityCurve;
  exposure: Exposure;
  alerts: RecentAlert[];
}

export interface TickerExposure {
  ticker: string;
  /** Market value of the long shares (quantity × last). */
  long: Decimal;
  /** Market value of the short shares, as a positive amount. */
  short: Decimal;
  /** long + short. */
  gross: Decimal;
}

export interface Exposure {
  equity: Decimal;
  /** The broker's long market value. */
  long: Decimal;
  /** The broker's short market value, as a positive amount. */
  short: Decimal;
  /** long + short. */
  gross: Decimal;
  /** long − short. */
  net: Decimal;
  /** Each as a fraction of the equity (0.5 = 50%); null when the equity is not positive. */
  longRatio: Decimal | null;
  shortRatio: Decimal | null;
  grossRatio: Decimal | null;
  netRatio: Decimal | null;
  /** Open positions (records) counted. */
  positions: number;
  /** The tickers with the largest gross value, largest first (ties by ticker). */
  top: TickerExposure[];
}

/** Exposure from the account's market values and the open positions as recorded. */
export function exposureOf(
  account: Pick<Account, 'equity' | 'longMarketValue' | 'shortMarketValue'>,
  positions: readonly PositionRecord[],
  top: number,
): Exposure {
  const byTicker = new Map<string, TickerExposure>();
  for (const p of positions) {
    const value = p.quantity.times(p.currentPrice).abs();
    const row = byTicker.get(p.ticker) ?? { ticker: p.ticker, long: ZERO, short: ZERO, gross: ZERO };
    if (p.side === 'long') row.long = row.long.plus(value);
    else row.short = row.short.plus(value);
    row.gross = row.gross.plus(value);
    byTicker.set(p.ticker, row);
  }
  const long = account.longMarketValue.abs();
  const short = account.shortMarketValue.abs();
  const gross = long.plus(short);
  const net = long.minus(short);
  const of = (d: Decimal): Decimal | null => (account.equity.gt(0) ? d.div(account.equity) : null);
  return {
    equity: account.equity,
    long,
    short,
    gross,
    net,
    longRatio: of(long),
    shortRatio: of(short),
    grossRatio: of(gross),
    netRatio: of(net),
    positions: positions.length,
    top: [...byTicker.values()].sort((a, b) => b.gross.comparedTo(a.gross) || (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0)).slice(0, top),
  };
}

export interface PnlGroup {
  /** The ticker, or the strategy (`—` for trades without one). */
  key: string;
  trades: number;
  realizedPnl: Decimal;
}

export interface PnlBreakdown {
  days: number;
  byTicker: PnlGroup[];
  byStrategy: PnlGroup[];
}

export const NO_STRATEGY = '—';

function groupPnl(trades: readonly ClosedPositionRecord[], keyOf: (t: ClosedPositionRecord) => string): PnlGroup[] {
  const groups = new Map<string, PnlGroup>();
  for (const t of trades) {
    const key = keyOf(t);
    const g = groups.get(key) ?? { key, trades: 0, realizedPnl: ZERO };
    g.trades += 1;
    g.realizedPnl = g.realizedPnl.plus(t.realizedPnl);
    groups.set(key, g);
  }
  // Best first, worst last: the order a bar chart reads from top to bottom.
  return [...groups.values()].sort((a, b) => b.realizedPnl.comparedTo(a.realizedPnl) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Realized P&L of closed trades by ticker and by strategy. */
export function pnlBreakdownOf(days: number, trades: readonly ClosedPositionRecord[]): PnlBreakdown {
  return { days, byTicker: groupPnl(trades, (t) => t.ticker), byStrategy: groupPnl(trades, (t) => t.strategy ?? NO_STRATEGY) };
}

export interface RecentAlert {
  id: number;
  kind: AlertKind;
  createdAt: Date;
  postedAt: Date | null;
  /** The alert's title as posted. */
  title: string;
  /** Its first line of text, shortened; empty when it has none. */
  text: string;
}

/** What an alert's payload holds: the view it is posted as (only the words are read here). */
const alertPayload = z.object({ view: z.object({ title: z.string(), description: z.string().optional() }) });
const MAX_ALERT_TEXT = 160;

function shorten(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > MAX_ALERT_TEXT ? `${line.slice(0, MAX_ALERT_TEXT - 1)}…` : line;
}

/** An alert in short; a payload that is not a view shows as its raw text, shortened. */
export function recentAlertOf(a: AlertRecord): RecentAlert {
  let json: unknown = null;
  try {
    json = JSON.parse(a.payload);
  } catch {
    // Not JSON: shown as text below.
  }
  const parsed = alertPayload.safeParse(json);
  const base = { id: a.id, kind: a.kind, createdAt: a.createdAt, postedAt: a.postedAt };
  return parsed.success
    ? { ...base, title: parsed.data.view.title, text: shorten(parsed.data.view.description ?? '') }
    : { ...base, title: a.kind, text: shorten(a.payload) };
}

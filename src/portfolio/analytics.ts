/**
 * Performance analytics: pure functions over closed trades and the daily
 * equity series. Every figure is exact Decimal arithmetic; ratios are
 * fractions (0.05 = 5%).
 */
import { Decimal, type SignedTotals, signedTotals, toStorage, ZERO } from '../domain/money.js';
import type { ClosedPositionRecord } from '../domain/records.js';

export interface TradeStats {
  totalTrades: number;
  winners: number;
  losers: number;
  /** winners / trades; null with no trades. Breakeven trades are neither. */
  winRate: Decimal | null;
  totalPnl: Decimal;
  grossProfit: Decimal;
  /** Sum of the losses (zero or negative). */
  grossLoss: Decimal;
  avgWin: Decimal | null;
  /** Negative. */
  avgLoss: Decimal | null;
  /** grossProfit / |grossLoss|; null with no losses. */
  profitFactor: Decimal | null;
  /** Average P&L per trade. */
  expectancy: Decimal | null;
  largestWin: Decimal | null;
  largestLoss: Decimal | null;
  avgHoldSeconds: Decimal | null;
}

/** From closed trades. */
export function tradeStats(trades: readonly Pick<ClosedPositionRecord, 'realizedPnl' | 'openedAt' | 'closedAt'>[]): TradeStats {
  const holdSeconds = trades.reduce((sum, t) => sum + Math.floor((t.closedAt.getTime() - t.openedAt.getTime()) / 1000), 0);
  return statsOf(signedTotals(trades.map((t) => toStorage(t.realizedPnl))), holdSeconds);
}

/** From the trades' P&L totals and the sum of whole hold seconds (what the database hands over). */
export function statsOf(pnl: SignedTotals, totalHoldSeconds: number): TradeStats {
  const n = pnl.count;
  const winners = pnl.positive.count;
  const losers = pnl.negative.count;
  const grossProfit = pnl.positive.sum;
  const grossLoss = pnl.negative.sum;
  const totalPnl = grossProfit.plus(grossLoss);
  return {
    totalTrades: n,
    winners,
    losers,
    winRate: n === 0 ? null : new Decimal(winners).div(n),
    totalPnl,
    grossProfit,
    grossLoss,
    avgWin: winners === 0 ? null : grossProfit.div(winners),
    avgLoss: losers === 0 ? null : grossLoss.div(losers),
    profitFactor: losers === 0 || grossLoss.isZero() ? null : grossProfit.div(grossLoss.abs()),
    expectancy: n === 0 ? null : totalPnl.div(n),
    largestWin: pnl.positive.max,
    largestLoss: pnl.negative.min,
    avgHoldSeconds: n === 0 ? null : new Decimal(totalHoldSeconds).div(n),
  };
}

export interface EquityPoint {
  /** YYYY-MM-DD */
  day: string;
  equity: Decimal;
}

export interface DayChange {
  day: string;
  change: Decimal;
  pct: Decimal;
}

export interface EquityStats {
  days: number;
  /** r_i = e_i / e_(i−1) − 1 */
  returns: Decimal[];
  /** mean(r) / sample std(r) × √252 (risk-free 0); null with fewer than 2 returns or no variation. */
  sharpe: Decimal | null;
  /** mean(r) / √(Σ min(r,0)² / n) × √252; null without a down day. */
  sortino: Decimal | null;
  /**
   * The maximum drawdown episode: the largest fall from a running peak as a
   * fraction of that peak (maxDrawdownPct), and the dollars of that same
   * fall (maxDrawdown, >= 0), from drawdownPeakDay to drawdownTroughDay.
   * Null days: no fall at all.
   */
  maxDrawdown: Decimal;
  maxDrawdownPct: Decimal;
  drawdownPeakDay: string | null;
  drawdownTroughDay: string | null;
  bestDay: DayChange | null;
  worstDay: DayChange | null;
}

const SQRT_252 = new Decimal(252).sqrt();

export interface DrawdownPoint {
  day: string;
  equity: Decimal;
  peak: Decimal;
  /** (peak − equity) / peak: 0 at a new high. */
  drawdownPct: Decimal;
}

export function drawdownSeries(points: readonly EquityPoint[]): DrawdownPoint[] {
  let peak: Decimal | null = null;
  return sortByDay(points).map((p) => {
    if (peak === null || p.equity.gt(peak)) peak = p.equity;
    return { day: p.day, equity: p.equity, peak, drawdownPct: peak.isZero() ? ZERO : peak.minus(p.equity).div(peak) };
  });
}

export function equityStats(input: readonly EquityPoint[]): EquityStats {
  const points = sortByDay(input);
  const returns: Decimal[] = [];
  let best: DayChange | null = null;
  let worst: DayChange | null = null;
  for (const [i, cur] of points.entries()) {
    const prev = points[i - 1];
    if (prev === undefined) continue; // the first day has no change
    const change = cur.equity.minus(prev.equity);
    const pct = prev.equity.isZero() ? ZERO : change.div(prev.equity);
    returns.push(pct);
    if (best === null || change.gt(best.change)) best = { day: cur.day, change, pct };
    if (worst === null || change.lt(worst.change)) worst = { day: cur.day, change, pct };
  }

  // One episode: the largest fall from a running peak as a fraction of that
  // peak, with that same fall's dollars and days. (The largest dollar fall
  // may be another episode: 100k → 90k → 150k → 138k is 10% and $10,000,
  // not $12,000, which was only 8%.)
  let maxDrawdown = ZERO;
  let maxDrawdownPct = ZERO;
  let drawdownPeakDay: string | null = null;
  let drawdownTroughDay: string | null = null;
  let peak: EquityPoint | null = null;
  for (const p of points) {
    if (peak === null || p.equity.gt(peak.equity)) peak = p;
    if (!peak.equity.gt(0)) continue;
    const fall = peak.equity.minus(p.equity);
    const pct = fall.div(peak.equity);
    if (pct.gt(maxDrawdownPct)) {
      maxDrawdown = fall;
      maxDrawdownPct = pct;
      drawdownPeakDay = peak.day;
      drawdownTroughDay = p.day;
    }
  }

  const n = returns.length;
  const mean = n === 0 ? ZERO : returns.reduce((s, r) => s.plus(r), ZERO).div(n);
  let sharpe: Decimal | null = null;
  if (n >= 2) {
    const variance = returns.reduce((s, r) => s.plus(r.minus(mean).pow(2)), ZERO).div(n - 1);
    if (variance.gt(0)) sharpe = mean.div(variance.sqrt()).times(SQRT_252);
  }
  let sortino: Decimal | null = null;
  if (n >= 1) {
    const downside = returns.reduce((s, r) => (r.lt(0) ? s.plus(r.pow(2)) : s), ZERO).div(n);
    if (downside.gt(0)) sortino = mean.div(downside.sqrt()).times(SQRT_252);
  }
  return {
    days: points.length,
    returns,
    sharpe,
    sortino,
    maxDrawdown,
    maxDrawdownPct,
    drawdownPeakDay,
    drawdownTroughDay,
    bestDay: best,
    worstDay: worst,
  };
}

function sortByDay(points: readonly EquityPoint[]): EquityPoint[] {
  return [...points].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

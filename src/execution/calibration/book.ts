/**
 * Per-strategy calibration, kept current as trades close. Each strategy's
 * closed trades are read once, then only the ones closed since (after a
 * position closes, `invalidate` marks the strategy for that catch-up read).
 * A fit is cached for the number of trades it used: sizing a signal fits on
 * the trades closed strictly before the sizing time, so a replay that sizes
 * at an earlier time than the latest close fits on that earlier past (never
 * on a trade that had not closed yet).
 */
import type { Decimal } from '../../domain/money.js';
import type { CalibrationTradeRecord, ClosedPositionStore } from '../../domain/ports/store.js';
import { type CalibrationEstimate, type CalibrationFit, type CalibrationPoint, closedBefore, estimate, fitCalibration } from './model.js';

/** The default of CALIBRATION_MIN_TRADES. */
export const DEFAULT_CALIBRATION_MIN_TRADES = 30;

export type CalibrationSource = Pick<ClosedPositionStore, 'listCalibrationTrades'>;

/** A trade record as the model reads it. */
export function pointOf(r: CalibrationTradeRecord): CalibrationPoint {
  return { confidence: r.confidence.toNumber(), won: r.realizedPnl.gt(0), returnPct: r.realizedPnlPct.toNumber(), closedAt: r.closedAt.getTime() };
}

interface StrategyTrades {
  /** Sorted by closedAt. */
  points: CalibrationPoint[];
  ids: Set<string>;
  /** Where the catch-up read starts (trades already read are skipped by id); null: read them all again. */
  since: Date | null;
  stale: boolean;
  fit: { count: number; fit: CalibrationFit } | null;
}

export class CalibrationBook {
  private readonly strategies = new Map<string | null, StrategyTrades>();
  /** One read at a time per strategy: two signals sized together share it. */
  private readonly loading = new Map<string | null, Promise<StrategyTrades>>();

  constructor(
    private readonly source: CalibrationSource,
    readonly minTrades: number = DEFAULT_CALIBRATION_MIN_TRADES,
  ) {}

  /** A position of this strategy closed at `closedAt`: the next fit also reads the trades closed since (all of them when no time is given). */
  invalidate(strategy: string | null, closedAt?: Date): void {
    const known = this.strategies.get(strategy);
    if (!known) return;
    if (closedAt === undefined) known.since = null;
    else if (!known.stale) known.since = closedAt;
    // Already stale: keep the earlier start (null, a full read, is the earliest).
    else if (known.since !== null && closedAt < known.since) known.since = closedAt;
    known.stale = true;
  }

  /** The fit on the strategy's trades closed strictly before `cutoff`. */
  async fitBefore(strategy: string | null, cutoff: Date): Promise<CalibrationFit> {
    const trades = await this.trades(strategy);
    const count = closedBefore(trades.points, cutoff.getTime());
    if (trades.fit?.count !== count)
      trades.fit = { count, fit: fitCalibration(count === trades.points.length ? trades.points : trades.points.slice(0, count), this.minTrades) };
    return trades.fit.fit;
  }

  /** The calibrated probability and reward:risk for a signal sized at `cutoff`. */
  async estimate(strategy: string | null, confidence: Decimal, rewardRisk: Decimal, cutoff: Date): Promise<CalibrationEstimate> {
    return estimate(await this.fitBefore(strategy, cutoff), confidence, rewardRisk);
  }

  private async trades(strategy: string | null): Promise<StrategyTrades> {
    const running = this.loading.get(strategy);
    if (running) return running;
    const known = this.strategies.get(strategy);
    if (known && !known.stale) return known;
    const load = this.read(strategy, known).finally(() => this.loading.delete(strategy));
    this.loading.set(strategy, load);
    return load;
  }

  private async read(strategy: string | null, known: StrategyTrades | undefined): Promise<StrategyTrades> {
    const entry: StrategyTrades = known ?? { points: [], ids: new Set(), since: null, stale: false, fit: null };
    const since = entry.since;
    entry.stale = false;
    entry.since = null;
    // Known before the read, so a close during it marks it for the next catch-up.
    this.strategies.set(strategy, entry);
    let rows: CalibrationTradeRecord[];
    try {
      rows = await this.source.listCalibrationTrades({ strategy, ...(since ? { since } : {}) });
    } catch (error) {
      // Not read: the next use reads everything again rather than trusting what is missing.
      entry.stale = true;
      entry.since = null;
      throw error;
    }
    let added = false;
    for (const row of rows) {
      if (entry.ids.has(row.positionId)) continue;
      entry.ids.add(row.positionId);
      entry.points.push(pointOf(row));
      added = true;
    }
    if (added) {
      // A stable sort keeps the order the store gave for equal close times.
      entry.points.sort((a, b) => a.closedAt - b.closedAt);
      entry.fit = null;
    }
    return entry;
  }
}

/** The reward:risk a signal states, |target − entry| / |entry − stop|; null without both, or with the stop at the entry. */
export function statedRewardRisk(signal: { currentPrice: Decimal; stopLossPrice: Decimal | null; takeProfitPrice: Decimal | null }): Decimal | null {
  if (signal.stopLossPrice === null || signal.takeProfitPrice === null) return null;
  const risk = signal.currentPrice.minus(signal.stopLossPrice).abs();
  return risk.isZero() ? null : signal.takeProfitPrice.minus(signal.currentPrice).abs().div(risk);
}

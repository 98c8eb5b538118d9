/**
 * /calibration as data: for each strategy, its stated confidence against what
 * its closed trades realized, the scores of the stated and the calibrated
 * probabilities, and the values calibrated_kelly sizing would use. The scores
 * are in-sample (the map is fitted on the trades it is scored on): they show
 * how far the stated values are off, not a forecast of the map's own error.
 */
import type { CalibrationTradeRecord } from '../domain/ports/store.js';
import { pointOf } from '../execution/calibration/book.js';
import {
  calibratedProbability,
  type CalibrationPoint,
  fitCalibration,
  PRIOR_TRADES,
  realizedRewardRisk,
  type ReliabilityBin,
  reliabilityTable,
  type Scores,
  scores,
} from '../execution/calibration/model.js';

/** Stated confidences the report shows the calibrated value of. */
export const CALIBRATION_GRID = [0.5, 0.6, 0.7, 0.8, 0.9] as const;
/** Points of the calibrated curve on the chart (0, 0.05, …, 1). */
const CURVE_STEPS = 20;

export interface StrategyCalibration {
  /** Null: trades of signals without a strategy. */
  strategy: string | null;
  trades: number;
  wins: number;
  /** `beta_binomial` below CALIBRATION_MIN_TRADES, then `isotonic`. */
  basis: 'beta_binomial' | 'isotonic';
  table: ReliabilityBin[];
  /** Brier score and log loss of the stated confidences, and of the calibrated ones. */
  stated: Scores;
  calibrated: Scores;
  /** The calibrated probability sizing would use at each stated confidence of CALIBRATION_GRID. */
  grid: { stated: number; calibrated: number }[];
  /** The calibrated map from 0 to 1, for the chart. */
  curve: { stated: number; calibrated: number }[];
  /** Average win and loss as fractions of the cost basis, and their ratio; null without wins or losses. */
  avgWinPct: number | null;
  avgLossPct: number | null;
  realizedRewardRisk: number | null;
}

export interface CalibrationReport {
  minTrades: number;
  /** Trades the stated value is worth when shrinking toward it. */
  priorTrades: number;
  /** The configured SIZING_METHOD (calibration is shown whatever it is). */
  sizingMethod: string;
  /** Strategies with closed trades linked to signals, most trades first. */
  strategies: StrategyCalibration[];
}

function calibrationOf(strategy: string | null, points: readonly CalibrationPoint[], minTrades: number): StrategyCalibration | null {
  const fit = fitCalibration(points, minTrades);
  const outcomes = points.map((p) => p.won);
  const stated = scores(
    points.map((p) => p.confidence),
    outcomes,
  );
  const calibrated = scores(
    points.map((p) => calibratedProbability(fit, p.confidence)),
    outcomes,
  );
  if (stated === null || calibrated === null) return null;
  return {
    strategy,
    trades: fit.trades,
    wins: fit.wins,
    basis: fit.blocks === null ? 'beta_binomial' : 'isotonic',
    table: reliabilityTable(fit, points),
    stated,
    calibrated,
    grid: CALIBRATION_GRID.map((c) => ({ stated: c, calibrated: calibratedProbability(fit, c) })),
    curve: Array.from({ length: CURVE_STEPS + 1 }, (_, i) => ({ stated: i / CURVE_STEPS, calibrated: calibratedProbability(fit, i / CURVE_STEPS) })),
    avgWinPct: fit.avgWinPct,
    avgLossPct: fit.avgLossPct,
    realizedRewardRisk: realizedRewardRisk(fit),
  };
}

/** The report over trades closed before now (any order); `strategy` given: that strategy only. */
export function calibrationReport(trades: readonly CalibrationTradeRecord[], options: { minTrades: number; sizingMethod: string }): CalibrationReport {
  const byStrategy = new Map<string | null, CalibrationPoint[]>();
  for (const t of trades) {
    const list = byStrategy.get(t.strategy) ?? [];
    byStrategy.set(t.strategy, list);
    list.push(pointOf(t));
  }
  const strategies = [...byStrategy]
    .map(([strategy, points]) => calibrationOf(strategy, points, options.minTrades))
    .filter((s): s is StrategyCalibration => s !== null)
    .sort((a, b) => b.trades - a.trades || (a.strategy ?? '').localeCompare(b.strategy ?? ''));
  return { minTrades: options.minTrades, priorTrades: PRIOR_TRADES, sizingMethod: options.sizingMethod, strategies };
}

/**
 * Calibration of a strategy's stated confidence on its own closed trades.
 *
 * Below `minTrades` closed trades the win probability is the Beta-binomial
 * posterior mean with a prior centred on the stated confidence: the stated
 * value is worth PRIOR_TRADES pseudo-trades, and every closed trade pulls the
 * estimate toward the realized win rate. From `minTrades` on, the realized
 * rate is no longer one number but an isotonic (pool-adjacent-violators)
 * map from stated confidence to win rate, shrunk toward the stated value the
 * same way. Reward:risk is the realized average win over average loss, shrunk
 * toward the signal's own reward:risk with the same weights.
 *
 * Probabilities are JS numbers here, on purpose: they are estimates whose
 * statistical error is far above a float's, and refitting 10,000 trades in a
 * few milliseconds is not possible with Decimal arithmetic. What sizing reads
 * is rounded to ESTIMATE_PLACES decimal places and handed over as a Decimal,
 * so the order quantity computed from it stays exact and reproducible.
 */
import { Decimal } from '../../domain/money.js';

/** How many trades the stated confidence (and stated reward:risk) is worth against the record. */
export const PRIOR_TRADES = 10;
/** Decimal places of the probability and reward:risk handed to sizing. */
export const ESTIMATE_PLACES = 4;
/** Log loss clips probabilities to [ε, 1 − ε]: a stated 1.0 that lost would otherwise score infinity. */
export const LOG_LOSS_EPSILON = 1e-6;

/** One closed trade as calibration reads it. */
export interface CalibrationPoint {
  /** The stated confidence of the signal that opened it, 0 to 1. */
  confidence: number;
  /** Realized P&L above zero. */
  won: boolean;
  /** Realized P&L as a fraction of the cost basis (0.05 = +5%). */
  returnPct: number;
  /** Epoch milliseconds. */
  closedAt: number;
}

/** One pooled block of the isotonic fit: trades whose stated confidence lies in [from, to]. */
export interface IsotonicBlock {
  from: number;
  to: number;
  /** Mean stated confidence of its trades (where the map passes through `rate`). */
  meanConfidence: number;
  /** Wins / trades in the block. */
  rate: number;
  trades: number;
}

export interface CalibrationFit {
  trades: number;
  wins: number;
  minTrades: number;
  /** The isotonic map, ascending; null below minTrades. */
  blocks: readonly IsotonicBlock[] | null;
  /** Mean return of the winning and losing trades (the loss as a positive fraction); null without any. */
  avgWinPct: number | null;
  avgLossPct: number | null;
}

/** What sizing uses for one signal, with the evidence behind it. */
export interface CalibrationEstimate {
  statedConfidence: Decimal;
  /** The calibrated win probability, rounded to ESTIMATE_PLACES. */
  probability: Decimal;
  statedRewardRisk: Decimal;
  /** The calibrated reward:risk, rounded to ESTIMATE_PLACES. */
  rewardRisk: Decimal;
  /** Closed trades of the strategy the estimate rests on. */
  trades: number;
  /** `prior`: no trades yet; `beta_binomial`: fewer than minTrades; `isotonic`: the map. */
  basis: 'prior' | 'beta_binomial' | 'isotonic';
}

/**
 * Pool-adjacent-violators on points with strictly increasing x, each the
 * `sum` of `weight` outcomes (fitCalibration makes one point of all the
 * trades of one confidence, so a confidence is never split): the
 * non-decreasing step function closest to the outcomes in weighted least
 * squares. Blocks of equal rate are pooled too, so the blocks are the fit's
 * level sets: the same trades give the same blocks in any order.
 */
export function poolAdjacentViolators(points: readonly { x: number; sum: number; weight: number }[]): IsotonicBlock[] {
  const blocks: { from: number; to: number; sumX: number; sumY: number; weight: number }[] = [];
  for (const p of points) {
    blocks.push({ from: p.x, to: p.x, sumX: p.x * p.weight, sumY: p.sum, weight: p.weight });
    // Merge backwards while the newest block's mean is not above its predecessor's.
    for (;;) {
      const top = blocks[blocks.length - 1];
      const below = blocks[blocks.length - 2];
      if (top === undefined || below === undefined || below.sumY / below.weight < top.sumY / top.weight) break;
      blocks.pop();
      below.to = top.to;
      below.sumX += top.sumX;
      below.sumY += top.sumY;
      below.weight += top.weight;
    }
  }
  return blocks.map((b) => ({ from: b.from, to: b.to, meanConfidence: b.sumX / b.weight, rate: b.sumY / b.weight, trades: b.weight }));
}

/** The isotonic map at confidence c: linear between block centres, flat beyond the first and last. */
export function isotonicAt(blocks: readonly IsotonicBlock[], c: number): number {
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  if (first === undefined || last === undefined) return c;
  if (c <= first.meanConfidence) return first.rate;
  if (c >= last.meanConfidence) return last.rate;
  let lo = 0;
  let hi = blocks.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((blocks[mid] as IsotonicBlock).meanConfidence <= c) lo = mid;
    else hi = mid;
  }
  const a = blocks[lo] as IsotonicBlock;
  const b = blocks[hi] as IsotonicBlock;
  return a.rate + ((b.rate - a.rate) * (c - a.meanConfidence)) / (b.meanConfidence - a.meanConfidence);
}

/** Beta-binomial posterior mean: a Beta(k·prior, k·(1 − prior)) prior after `wins` of `trades`. */
export function betaBinomialMean(prior: number, wins: number, trades: number, priorTrades = PRIOR_TRADES): number {
  return (wins + priorTrades * prior) / (trades + priorTrades);
}

/** Fits a strategy's trades (any order). Pure: the same trades give the same fit. */
export function fitCalibration(trades: readonly CalibrationPoint[], minTrades: number): CalibrationFit {
  let wins = 0;
  let winSum = 0;
  let lossSum = 0;
  for (const t of trades) {
    if (t.won) {
      wins += 1;
      winSum += t.returnPct;
    } else {
      lossSum -= t.returnPct;
    }
  }
  const losses = trades.length - wins;
  let blocks: IsotonicBlock[] | null = null;
  if (trades.length >= minTrades && trades.length > 0) {
    // Trades of one confidence are one weighted point: stated values repeat (0.75, 0.8, …), so far fewer points than trades are sorted.
    const byConfidence = new Map<number, { wins: number; trades: number }>();
    for (const t of trades) {
      const group = byConfidence.get(t.confidence);
      if (group === undefined) byConfidence.set(t.confidence, { wins: t.won ? 1 : 0, trades: 1 });
      else {
        group.wins += t.won ? 1 : 0;
        group.trades += 1;
      }
    }
    const xs = Float64Array.from(byConfidence.keys()).sort();
    blocks = poolAdjacentViolators(
      Array.from(xs, (x) => {
        const group = byConfidence.get(x) ?? { wins: 0, trades: 1 };
        return { x, sum: group.wins, weight: group.trades };
      }),
    );
  }
  return {
    trades: trades.length,
    wins,
    minTrades,
    blocks,
    avgWinPct: wins > 0 ? winSum / wins : null,
    avgLossPct: losses > 0 ? lossSum / losses : null,
  };
}

/** The calibrated win probability for a stated confidence, in [0, 1] and non-decreasing in `confidence`. */
export function calibratedProbability(fit: CalibrationFit, confidence: number): number {
  const n = fit.trades;
  if (n === 0) return confidence;
  const realized = fit.blocks === null ? fit.wins / n : isotonicAt(fit.blocks, confidence);
  return (n * realized + PRIOR_TRADES * confidence) / (n + PRIOR_TRADES);
}

/** The realized reward:risk (average win / average loss), null while there are no wins, no losses or no loss size. */
export function realizedRewardRisk(fit: CalibrationFit): number | null {
  if (fit.avgWinPct === null || fit.avgLossPct === null || !(fit.avgLossPct > 0)) return null;
  return fit.avgWinPct / fit.avgLossPct;
}

/** Reward:risk shrunk toward the stated one as the probability is: stated alone without a realized figure. */
export function calibratedRewardRisk(fit: CalibrationFit, stated: number): number {
  const realized = realizedRewardRisk(fit);
  if (realized === null) return stated;
  return (fit.trades * realized + PRIOR_TRADES * stated) / (fit.trades + PRIOR_TRADES);
}

function rounded(value: number): Decimal {
  return new Decimal(value.toFixed(ESTIMATE_PLACES));
}

/** What sizing uses for a signal stating `confidence` and `rewardRisk`. */
export function estimate(fit: CalibrationFit, confidence: Decimal, rewardRisk: Decimal): CalibrationEstimate {
  const p = calibratedProbability(fit, confidence.toNumber());
  const b = calibratedRewardRisk(fit, rewardRisk.toNumber());
  return {
    statedConfidence: confidence,
    probability: rounded(Math.min(1, Math.max(0, p))),
    statedRewardRisk: rewardRisk,
    rewardRisk: rounded(b),
    trades: fit.trades,
    basis: fit.trades === 0 ? 'prior' : fit.blocks === null ? 'beta_binomial' : 'isotonic',
  };
}

/** Index of the first trade closed at or after `cutoff` in trades sorted by closedAt: the trades before it are the past. */
export function closedBefore(sortedByClose: readonly CalibrationPoint[], cutoff: number): number {
  let lo = 0;
  let hi = sortedByClose.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sortedByClose[mid] as CalibrationPoint).closedAt < cutoff) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- evaluation ------------------------------------------------------------

export interface Scores {
  brier: number;
  logLoss: number;
}

/** Mean Brier score and log loss of probabilities against outcomes; null without trades. */
export function scores(probabilities: readonly number[], outcomes: readonly boolean[]): Scores | null {
  if (probabilities.length === 0) return null;
  let brier = 0;
  let log = 0;
  for (const [i, raw] of probabilities.entries()) {
    const y = outcomes[i] === true ? 1 : 0;
    brier += (raw - y) ** 2;
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, raw));
    log -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  }
  return { brier: brier / probabilities.length, logLoss: log / probabilities.length };
}

/** One row of the reliability table: trades whose stated confidence falls in [from, to). */
export interface ReliabilityBin {
  from: number;
  to: number;
  trades: number;
  /** Mean stated confidence. */
  stated: number;
  /** Wins / trades. */
  realized: number;
  /** Mean calibrated probability of the same trades. */
  calibrated: number;
}

/** Equal-width bins over [0, 1] (the last one includes 1); empty bins are left out. */
export function reliabilityTable(fit: CalibrationFit, trades: readonly CalibrationPoint[], bins = 10): ReliabilityBin[] {
  const acc = Array.from({ length: bins }, () => ({ trades: 0, stated: 0, wins: 0, calibrated: 0 }));
  for (const t of trades) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor(t.confidence * bins)));
    const a = acc[i] as (typeof acc)[number];
    a.trades += 1;
    a.stated += t.confidence;
    a.wins += t.won ? 1 : 0;
    a.calibrated += calibratedProbability(fit, t.confidence);
  }
  return acc.flatMap((a, i) =>
    a.trades === 0
      ? []
      : [
          {
            from: i / bins,
            to: (i + 1) / bins,
            trades: a.trades,
            stated: a.stated / a.trades,
            realized: a.wins / a.trades,
            calibrated: a.calibrated / a.trades,
          },
        ],
  );
}

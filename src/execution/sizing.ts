/**
 * Position sizing: whole shares from the account, the signal and the method.
 * Every figure is a Decimal; the result says which rule bound the quantity so
 * an operator can see why a trade is the size it is.
 */
import { type Decimal, formatNumber, formatPct, formatPctShort, formatUsd, ONE, ZERO } from '../domain/money.js';
import type { TradingSignal } from '../domain/signal.js';
import type { CalibrationEstimate } from './calibration/model.js';

export type SizingMethod = 'risk' | 'percent' | 'kelly' | 'calibrated_kelly';

export interface PositionSizingConfig {
  method: SizingMethod;
  /** Cap on any position, fraction of equity (also the `percent` default). */
  maxPositionSizePct: Decimal;
  /** `risk`: fraction of equity lost if the stop is hit. */
  riskPerTradePct: Decimal;
  /** `kelly`: the fraction of full Kelly to bet (0.5 = half Kelly). */
  kellyFraction: Decimal;
  /** `calibrated_kelly`: closed trades a strategy needs before its isotonic map replaces the Beta-binomial rate (default 30). */
  calibrationMinTrades?: number;
}

/** What sizing reads: a TradingSignal, or a manual order whose stop or target may be missing. */
export type SizingInput = Pick<TradingSignal, 'currentPrice' | 'confidence' | 'positionSizePct'> & {
  stopLossPrice: Decimal | null;
  takeProfitPrice: Decimal | null;
};

export interface SizingAccount {
  equity: Decimal;
  buyingPower: Decimal;
}

/** Which rule set the quantity: the method itself, the position cap, or buying power. */
export type SizingBound = 'method' | 'max_position_size' | 'buying_power';

interface SizingFigures {
  method: SizingMethod;
  /** Shares the method alone asks for (before caps). */
  methodQuantity: Decimal;
  /** Shares allowed by max_position_size_pct. */
  maxPositionQuantity: Decimal;
  /** Shares buying power pays for. */
  buyingPowerQuantity: Decimal;
  /** The Kelly fraction f (kelly only). */
  kellyF: Decimal | null;
  /** calibrated_kelly: the calibrated probability and reward:risk used, beside the stated ones. */
  calibration: CalibrationEstimate | null;
  /** The method's rule in words: `the 2% risk rule`, `the 10% of equity rule`, `the Kelly rule (f 0.55 × 0.5)`. */
  rule: string;
  /** The position cap: its fraction of equity and its dollars. */
  maxPositionPct: Decimal;
  maxPositionDollars: Decimal;
  buyingPower: Decimal;
}

export type SizingResult =
  | (SizingFigures & {
      ok: true;
      quantity: Decimal;
      boundBy: SizingBound;
      /** quantity × entry */
      notional: Decimal;
      /** quantity × |entry − stop|: dollars lost at the stop (null without a stop). */
      riskAmount: Decimal | null;
    })
  | (SizingFigures & { ok: false; reason: string });

function floorShares(value: Decimal): Decimal {
  return value.isNegative() ? ZERO : value.floor();
}

/** The method's own quantity (uncapped), or a refusal reason. */
function methodQuantity(
  signal: SizingInput,
  equity: Decimal,
  config: PositionSizingConfig,
  calibration: CalibrationEstimate | null,
): { quantity: Decimal; kellyF: Decimal | null; explain: string; rule: string } | { refusal: string; kellyF: Decimal | null; rule: string } {
  const entry = signal.currentPrice;
  switch (config.method) {
    case 'calibrated_kelly': {
      const rule = 'the calibrated Kelly rule';
      if (calibration === null) return { refusal: 'calibrated Kelly sizing has no calibration for this signal (or give a quantity)', kellyF: null, rule };
      if (signal.stopLossPrice === null || signal.takeProfitPrice === null) {
        return { refusal: 'calibrated Kelly sizing needs a stop loss and a take profit (or give a quantity)', kellyF: null, rule };
      }
      const p = calibration.probability;
      const b = calibration.rewardRisk;
      const evidence = `${calibration.statedConfidence.toFixed()} stated, ${calibration.trades} trades`;
      if (!b.gt(0)) return { refusal: `calibrated Kelly sizing finds no edge: reward:risk ${b.toFixed()} (${evidence})`, kellyF: null, rule };
      const stated = `(${evidence}) and reward:risk ${formatNumber(b, 2, { trim: true })} (${formatNumber(calibration.statedRewardRisk, 2, { trim: true })} stated)`;
      return kellySize('calibrated Kelly', p, b, `calibrated confidence ${p.toFixed()} ${stated}`, equity, config.kellyFraction, entry);
    }
    case 'percent': {
      const pct = signal.positionSizePct ?? config.maxPositionSizePct;
      const dollars = equity.times(pct);
      return {
        quantity: floorShares(dollars.div(entry)),
        kellyF: null,
        explain: `${formatPct(pct)} of equity is ${formatUsd(dollars)}`,
        rule: `the ${formatPctShort(pct)} of equity rule`,
      };
    }
    case 'risk': {
      const rule = `the ${formatPctShort(config.riskPerTradePct)} risk rule`;
      if (signal.stopLossPrice === null) return { refusal: 'risk sizing needs a stop loss (or give a quantity)', kellyF: null, rule };
      const perShare = entry.minus(signal.stopLossPrice).abs();
      if (perShare.isZero()) return { refusal: 'the stop equals the entry: zero risk distance', kellyF: null, rule };
      const budget = equity.times(config.riskPerTradePct);
      return {
        quantity: floorShares(budget.div(perShare)),
        kellyF: null,
        rule,
        explain: `risking ${formatPct(config.riskPerTradePct)} of equity (${formatUsd(budget)}) at ${formatUsd(perShare)} a share`,
      };
    }
    case 'kelly': {
      const rule = 'the Kelly rule';
      if (signal.stopLossPrice === null || signal.takeProfitPrice === null) {
        return { refusal: 'Kelly sizing needs a stop loss and a take profit (or give a quantity)', kellyF: null, rule };
      }
      const risk = entry.minus(signal.stopLossPrice).abs();
      if (risk.isZero()) return { refusal: 'the stop equals the entry: zero risk distance', kellyF: null, rule };
      const b = signal.takeProfitPrice.minus(entry).abs().div(risk);
      const p = signal.confidence;
      return kellySize('Kelly', p, b, `confidence ${p.toFixed()} and reward:risk ${formatNumber(b, 2, { trim: true })}`, equity, config.kellyFraction, entry);
    }
  }
}

/**
 * Kelly's fraction f = p − (1 − p) / b of equity, times the configured
 * fraction, in whole shares at `entry`; no edge (f ≤ 0) is a refusal that
 * shows the formula and the figures (`figures` says where p and b came from).
 */
function kellySize(
  name: string,
  p: Decimal,
  b: Decimal,
  figures: string,
  equity: Decimal,
  fraction: Decimal,
  entry: Decimal,
): { quantity: Decimal; kellyF: Decimal; explain: string; rule: string } | { refusal: string; kellyF: Decimal; rule: string } {
  const f = p.minus(ONE.minus(p).div(b));
  const fText = formatNumber(f, 4, { trim: true });
  if (f.lte(0)) return { refusal: `${name} sizing finds no edge: f = p − (1 − p) / b = ${fText} at ${figures}`, kellyF: f, rule: `the ${name} rule` };
  const dollars = equity.times(fraction).times(f);
  return {
    quantity: floorShares(dollars.div(entry)),
    kellyF: f,
    rule: `the ${name} rule (f ${fText} × ${fraction.toFixed()})`,
    explain: `${name} f = ${fText} × ${fraction.toFixed()} of equity is ${formatUsd(dollars)}`,
  };
}

/** `calibration` is what calibrated_kelly sizes on (see CalibrationBook); the other methods ignore it. */
export function sizePosition(
  signal: SizingInput,
  account: SizingAccount,
  config: PositionSizingConfig,
  calibration: CalibrationEstimate | null = null,
): SizingResult {
  const entry = signal.currentPrice;
  const maxPositionDollars = account.equity.times(config.maxPositionSizePct);
  const maxPositionQuantity = floorShares(maxPositionDollars.div(entry));
  const buyingPowerQuantity = floorShares(account.buyingPower.div(entry));
  const wanted = methodQuantity(signal, account.equity, config, calibration);
  const base = {
    method: config.method,
    maxPositionQuantity,
    buyingPowerQuantity,
    kellyF: wanted.kellyF,
    calibration: config.method === 'calibrated_kelly' ? calibration : null,
    rule: wanted.rule,
    maxPositionPct: config.maxPositionSizePct,
    maxPositionDollars,
    buyingPower: account.buyingPower,
  };
  if ('refusal' in wanted) return { ...base, ok: false, methodQuantity: ZERO, reason: wanted.refusal };

  let quantity = wanted.quantity;
  let boundBy: SizingBound = 'method';
  if (maxPositionQuantity.lt(quantity)) {
    quantity = maxPositionQuantity;
    boundBy = 'max_position_size';
  }
  if (buyingPowerQuantity.lt(quantity)) {
    quantity = buyingPowerQuantity;
    boundBy = 'buying_power';
  }
  const figures = { ...base, methodQuantity: wanted.quantity };
  if (quantity.lt(ONE)) {
    const why: Record<SizingBound, string> = {
      method: `${config.method} sizing gives 0 shares: ${wanted.explain}, and one share costs ${formatUsd(entry)}`,
      max_position_size: `the position cap (${formatPct(config.maxPositionSizePct)} of equity ${formatUsd(account.equity)}) is less than one share at ${formatUsd(entry)}`,
      buying_power: `buying power ${formatUsd(account.buyingPower)} does not pay for one share at ${formatUsd(entry)}`,
    };
    return { ...figures, ok: false, reason: why[boundBy] };
  }
  return {
    ...figures,
    ok: true,
    quantity,
    boundBy,
    notional: quantity.times(entry),
    riskAmount: signal.stopLossPrice === null ? null : quantity.times(entry.minus(signal.stopLossPrice).abs()),
  };
}

/** The sizing decision as JSON-safe text fields (stored with the execution). */
export function sizingToJson(result: SizingResult): Record<string, string | boolean | null> {
  const common = {
    method: result.method,
    method_quantity: result.methodQuantity.toFixed(),
    max_position_quantity: result.maxPositionQuantity.toFixed(),
    buying_power_quantity: result.buyingPowerQuantity.toFixed(),
    kelly_f: result.kellyF?.toFixed() ?? null,
    ...(result.calibration
      ? {
          stated_confidence: result.calibration.statedConfidence.toFixed(),
          calibrated_confidence: result.calibration.probability.toFixed(),
          stated_reward_risk: result.calibration.statedRewardRisk.toFixed(),
          calibrated_reward_risk: result.calibration.rewardRisk.toFixed(),
          calibration_trades: String(result.calibration.trades),
          calibration_basis: result.calibration.basis,
        }
      : {}),
  };
  return result.ok
    ? { ...common, ok: true, quantity: result.quantity.toFixed(), bound_by: result.boundBy, risk_amount: result.riskAmount?.toFixed() ?? null }
    : { ...common, ok: false, reason: result.reason };
}

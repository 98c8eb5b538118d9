/**
 * Sweeps: `--sweep name=a,b,c` lists the values of one setting; several of
 * them make a grid whose combinations are their cartesian product. Each value
 * is checked by the same rule as the single-run option it stands for, so a
 * sweep accepts exactly what one run at a time would.
 */
import { z } from 'zod';
import { Decimal } from '../../domain/money.js';
import type { SizingMethod } from '../../execution/sizing.js';

/** A decimal option's rule: what it accepts, and the words that say so in a refusal. */
export interface DecimalRule {
  check: (value: Decimal) => boolean;
  expected: string;
}

/** The rules shared by the single-run options and the sweep values. */
export const RULES = {
  confidence: { check: (d) => d.gte(0) && d.lte(1), expected: 'a confidence from 0 to 1' },
  // The configuration's own rule for RISK_PER_TRADE_PCT and MAX_POSITION_PCT: fractions of equity.
  fraction: { check: (d) => d.gt(0) && d.lte(1), expected: 'a fraction of equity above 0 and at most 1 (0.02 = 2%)' },
  slippageBps: { check: (d) => d.gte(0) && d.lt(10_000), expected: 'basis points from 0 to 9999' },
  commission: { check: (d) => d.gte(0), expected: 'dollars per share, 0 or more' },
  cash: { check: (d) => d.gt(0), expected: 'a positive amount' },
} as const satisfies Record<string, DecimalRule>;

export const SIZING_METHODS = ['risk', 'percent', 'kelly', 'calibrated_kelly'] as const satisfies readonly SizingMethod[];

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** The text as a decimal when it is one and passes the rule; null otherwise. */
export function decimalValue(text: string, rule: DecimalRule): Decimal | null {
  const value = DECIMAL_TEXT.test(text.trim()) ? new Decimal(text.trim()) : null;
  return value !== null && rule.check(value) ? value : null;
}

/** A decimal option's schema: refused as `LABEL: expected …, got "text"`. */
export const decimalOption = (label: string, rule: DecimalRule) =>
  z.string().transform((text, ctx): Decimal => {
    const value = decimalValue(text, rule);
    if (value === null) {
      ctx.addIssue({ code: 'custom', message: `${label}: expected ${rule.expected}, got "${text}"` });
      return z.NEVER;
    }
    return value;
  });

export const SWEEP_NAMES = ['min_confidence', 'sizing', 'risk_per_trade_pct', 'max_position_size_pct', 'slippage_bps', 'commission'] as const;
export type SweepName = (typeof SWEEP_NAMES)[number];

/** The single-run option each sweep name stands in for (giving both is refused). */
export const SINGLE_OPTION: Readonly<Record<SweepName, string | null>> = {
  min_confidence: 'min-confidence',
  sizing: 'sizing',
  risk_per_trade_pct: null,
  max_position_size_pct: null,
  slippage_bps: 'slippage-bps',
  commission: 'commission',
};

const DECIMAL_RULE: Readonly<Record<Exclude<SweepName, 'sizing'>, DecimalRule>> = {
  min_confidence: RULES.confidence,
  risk_per_trade_pct: RULES.fraction,
  max_position_size_pct: RULES.fraction,
  slippage_bps: RULES.slippageBps,
  commission: RULES.commission,
};

/** One swept setting and its values, as given (trimmed), in the order given. */
export interface SweepAxis {
  name: SweepName;
  values: string[];
}

/** One point of the grid: a value for every axis, in the axes' order. */
export type Combination = readonly (readonly [SweepName, string])[];

/** Enough for any machine's afternoon; a typo like a 50-value list times four axes is refused, not queued. */
export const MAX_COMBINATIONS = 1_000;

const isSweepName = (name: string): name is SweepName => (SWEEP_NAMES as readonly string[]).includes(name);

/** Why a value is refused, or null when it is accepted. */
function refusal(name: SweepName, value: string): string | null {
  if (name === 'sizing') {
    return (SIZING_METHODS as readonly string[]).includes(value) ? null : `--sweep sizing: expected one of ${SIZING_METHODS.join(', ')}, got "${value}"`;
  }
  const rule = DECIMAL_RULE[name];
  return decimalValue(value, rule) === null ? `--sweep ${name}: expected ${rule.expected}, got "${value}"` : null;
}

/** Two values that are the same setting: equal decimals (0.5 and 0.50), or the same word. */
function sameValue(name: SweepName, a: string, b: string): boolean {
  if (name === 'sizing') return a === b;
  return new Decimal(a).eq(new Decimal(b));
}

/** Reads every `--sweep` text; each problem is one issue naming the option and the value. */
export const sweepSchema = z.array(z.string()).transform((specs, ctx): SweepAxis[] => {
  const axes: SweepAxis[] = [];
  const problems: string[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq < 0) {
      problems.push(`--sweep ${spec}: expected name=a,b,c with a name of ${SWEEP_NAMES.join(', ')}`);
      continue;
    }
    const name = spec.slice(0, eq).trim();
    if (!isSweepName(name)) {
      problems.push(`--sweep ${spec}: unknown name "${name}"; expected one of ${SWEEP_NAMES.join(', ')}`);
      continue;
    }
    if (axes.some((a) => a.name === name)) {
      problems.push(`--sweep ${name}: given twice; list all its values in one --sweep ${name}=a,b,c`);
      continue;
    }
    const values = spec
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim());
    if (values.some((v) => v === '')) {
      problems.push(`--sweep ${spec}: expected a list of values, ${name}=a,b,c, with none empty`);
      continue;
    }
    const bad = values.map((v) => refusal(name, v)).filter((r): r is string => r !== null);
    if (bad.length > 0) {
      problems.push(...bad);
      continue;
    }
    const twice = values.find((v, i) => values.slice(0, i).some((w) => sameValue(name, v, w)));
    if (twice !== undefined) {
      problems.push(`--sweep ${name}: the value "${twice}" is given twice`);
      continue;
    }
    axes.push({ name, values });
  }
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (problems.length === 0 && axes.length > 0 && count > MAX_COMBINATIONS) {
    problems.push(`--sweep: ${count} combinations; at most ${MAX_COMBINATIONS}`);
  }
  for (const message of problems) ctx.addIssue({ code: 'custom', message });
  return problems.length > 0 ? z.NEVER : axes;
});

/** Every combination, the first axis varying slowest (as nested loops in the order the axes were given). */
export function expandGrid(axes: readonly SweepAxis[]): Combination[] {
  let combinations: Combination[] = [[]];
  for (const axis of axes) {
    combinations = combinations.flatMap((c) => axis.values.map((v): Combination => [...c, [axis.name, v] as const]));
  }
  return axes.length === 0 ? [] : combinations;
}

/** `sizing=kelly min_confidence=0.7`: a combination as the command line would give it. */
export function describeCombination(combination: Combination): string {
  return combination.map(([name, value]) => `${name}=${value}`).join(' ');
}

/** A combination's settings, read (values were checked when the grid was parsed). */
export interface SweepSettings {
  minConfidence?: Decimal;
  sizing?: SizingMethod;
  riskPerTradePct?: Decimal;
  maxPositionSizePct?: Decimal;
  slippageBps?: Decimal;
  commission?: Decimal;
}

export function settingsOf(combination: Combination): SweepSettings {
  const settings: SweepSettings = {};
  for (const [name, value] of combination) {
    if (name === 'sizing') {
      settings.sizing = z.enum(SIZING_METHODS).parse(value);
      continue;
    }
    const d = new Decimal(value);
    if (name === 'min_confidence') settings.minConfidence = d;
    else if (name === 'risk_per_trade_pct') settings.riskPerTradePct = d;
    else if (name === 'max_position_size_pct') settings.maxPositionSizePct = d;
    else if (name === 'slippage_bps') settings.slippageBps = d;
    else settings.commission = d;
  }
  return settings;
}

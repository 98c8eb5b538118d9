/**
 * Exact decimal arithmetic for every price, quantity, P&L and percentage.
 *
 * Every module imports `Decimal` from here, never from decimal.js directly, so
 * the precision below is set before any arithmetic happens.
 */
import { Decimal as DecimalJs } from 'decimal.js';

// 40 significant digits: a 12-digit notional times a 10-digit price keeps
// every digit; half-even is the unbiased default for intermediate results.
DecimalJs.set({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });

export const Decimal = DecimalJs;
export type Decimal = DecimalJs;

/** What may become a Decimal at an input edge: wire strings, JSON numbers. */
export type DecimalInput = DecimalJs.Value;

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);
export const HUNDRED = new Decimal(100);

export function dec(value: DecimalInput): Decimal {
  const d = new Decimal(value);
  if (!d.isFinite()) throw new RangeError(`not a finite number: ${String(value)}`);
  return d;
}

/** Like `dec`, but null and undefined pass through (optional wire fields). */
export function decOrNull(value: DecimalInput | null | undefined): Decimal | null {
  return value === null || value === undefined || value === '' ? null : dec(value);
}

/**
 * The storage form: plain notation (never exponent), no trailing zeros, no
 * negative zero. Canonical strings keep SQL comparisons against 0 correct
 * (`realized_pnl > 0`) and make equal values store as equal text.
 */
export function toStorage(value: Decimal): string {
  if (!value.isFinite()) throw new RangeError('cannot store a non-finite decimal');
  return value.isZero() ? '0' : value.toFixed();
}

export function fromStorage(text: string): Decimal {
  return dec(text);
}

export function toStorageOrNull(value: Decimal | null | undefined): string | null {
  return value === null || value === undefined ? null : toStorage(value);
}

export function fromStorageOrNull(text: string | null): Decimal | null {
  return text === null ? null : fromStorage(text);
}

/** Totals of many amounts split by sign, exact: what trade statistics are made of. */
export interface SignedTotals {
  count: number;
  positive: { count: number; sum: Decimal; max: Decimal | null };
  negative: { count: number; sum: Decimal; min: Decimal | null };
}

const STORED = /^-?\d+(\.\d+)?$/;

/**
 * SignedTotals over amounts in storage form. Exact, like Decimal, but done in
 * BigInt at the widest scale present: 100,000 trades take ~20 ms this way and
 * ~120 ms parsed into Decimals one by one (getPerformanceStats reads them all).
 */
export function signedTotals(stored: readonly string[]): SignedTotals {
  let scale = 0;
  for (const text of stored) {
    if (!STORED.test(text)) throw new RangeError(`not a stored amount: ${text}`);
    const dot = text.indexOf('.');
    if (dot >= 0) scale = Math.max(scale, text.length - dot - 1);
  }
  let posCount = 0;
  let negCount = 0;
  let posSum = 0n;
  let negSum = 0n;
  let max: bigint | null = null;
  let min: bigint | null = null;
  for (const text of stored) {
    const dot = text.indexOf('.');
    // "-12.5" at scale 2 is -1250: the point dropped, the fraction padded.
    const units = BigInt(dot < 0 ? text + '0'.repeat(scale) : text.slice(0, dot) + text.slice(dot + 1).padEnd(scale, '0'));
    if (units > 0n) {
      posCount++;
      posSum += units;
      if (max === null || units > max) max = units;
    } else if (units < 0n) {
      negCount++;
      negSum += units;
      if (min === null || units < min) min = units;
    }
  }
  const fromUnits = (units: bigint): Decimal => {
    const digits = (units < 0n ? -units : units).toString().padStart(scale + 1, '0');
    const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return new Decimal(units < 0n ? `-${text}` : text);
  };
  return {
    count: stored.length,
    positive: { count: posCount, sum: fromUnits(posSum), max: max === null ? null : fromUnits(max) },
    negative: { count: negCount, sum: fromUnits(negSum), min: min === null ? null : fromUnits(min) },
  };
}

/** Round a money amount to the cent, half away from zero (how brokers report). */
export function toCents(value: Decimal): Decimal {
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** `$1,234.50` / `-$12.00`: for people, never for storage. */
export function formatUsd(value: Decimal): string {
  const cents = toCents(value);
  const [whole, frac = '00'] = cents.abs().toFixed(2).split('.');
  const grouped = (whole ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents.isNegative() && !cents.isZero() ? '-' : ''}$${grouped}.${frac}`;
}

/** A ratio (0.0123) as a percentage for people: `1.23%`. */
export function formatPct(ratio: Decimal, places = 2): string {
  return `${ratio.times(HUNDRED).toDecimalPlaces(places, Decimal.ROUND_HALF_UP).toFixed(places)}%`;
}

/**
 * Every figure shown to people (ratios, bps, seconds, share counts in prose)
 * goes through here: rounded half away from zero like `formatUsd` and
 * `formatPct`, never the half-even of the arithmetic, and never "-0.00".
 * `trim` drops trailing zeros (`2.50` → `2.5`, `10.00` → `10`).
 */
export function formatNumber(value: Decimal, places = 2, options: { trim?: boolean } = {}): string {
  const rounded = value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  const shown = rounded.isZero() ? rounded.abs() : rounded;
  return options.trim ? shown.toFixed() : shown.toFixed(places);
}

/** A ratio (0.025) as a short percentage: `2.5%`, `10%` (at most `places` decimals, half-up). */
export function formatPctShort(ratio: Decimal, places = 2): string {
  return `${formatNumber(ratio.times(HUNDRED), places, { trim: true })}%`;
}

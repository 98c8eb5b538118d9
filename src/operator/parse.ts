/** Operator input, validated once: every command reads tickers, prices, quantities and free text through here. */
import { type Decimal, dec } from '../domain/money.js';
import { controlCharProblem, tickerSchema } from '../domain/fields.js';
import { CommandError } from './command.js';

export function parseTicker(raw: string | null): string {
  const result = tickerSchema.safeParse(raw ?? '');
  if (!result.success) throw new CommandError(`Invalid ticker ${JSON.stringify(raw ?? '')}: ${result.error.issues[0]?.message ?? 'invalid'}.`);
  return result.data;
}

/** A price above zero, written as a plain decimal (no exponent, no currency sign). */
export function parsePrice(raw: string | null, field: string): Decimal {
  const text = (raw ?? '').trim().replace(/^\$/, '');
  if (!/^\d+(\.\d+)?$/.test(text)) throw new CommandError(`${field} must be a number like 184.50, got ${JSON.stringify(raw ?? '')}.`);
  const value = dec(text);
  if (value.lte(0)) throw new CommandError(`${field} must be above 0.`);
  return value;
}

/** The most shares one manual order may ask for (the Discord option's max_value too). */
export const MAX_ORDER_QTY = 1_000_000;

/** Operator input quoted inside a message; long input shortened to its start and length. */
export function shown(text: string, max = 24): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 16))}… (${text.length} characters)`;
}

/**
 * A whole number of shares from 1 to `max`. The option arrives as a number:
 * from Discord a JSON number (its max_value keeps it small), from the console
 * the typed digits already checked exactly against that max_value (see
 * parseLine). A number beyond 2^53 cannot be exact and is refused all the same.
 */
export function parseQuantity(raw: number | null, field = 'qty', max = MAX_ORDER_QTY): Decimal | null {
  if (raw === null) return null;
  if (Number.isInteger(raw) && raw > max) throw new CommandError(`${field} ${String(raw)} is too large: at most ${max.toLocaleString('en-US')}.`);
  if (!Number.isSafeInteger(raw) || raw < 1) throw new CommandError(`${field} must be a whole number of shares, at least 1; got ${String(raw)}.`);
  return dec(raw);
}

/**
 * A percentage as typed (`/close … percent:25`), exactly; the range (above 0,
 * at most 100) is the position manager's rule. Text no percentage could be
 * (not a plain number, or dozens of digits) is refused here.
 */
export function parsePercent(raw: string | null, field = 'percent'): Decimal | null {
  if (raw === null) return null;
  const text = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(text) || text.length > 24) throw new CommandError(`${field} must be a number above 0 up to 100, got ${shown(raw)}.`);
  return dec(text);
}

/**
 * Free text an operator types (a halt reason): trimmed, at most `max`
 * characters, and refused when it carries control characters (ESC, NUL...)
 * that would reach the terminal and the channel. Null when blank.
 */
export function parseText(raw: string | null, field: string, max: number): string | null {
  const text = raw?.trim() ?? '';
  if (text === '') return null;
  const problem = controlCharProblem(text);
  if (problem !== null) throw new CommandError(`${field} ${problem}.`);
  if (text.length > max) throw new CommandError(`${field} must be at most ${max} characters, got ${text.length}.`);
  return text;
}

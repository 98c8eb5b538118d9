/** Operator input, validated once: every command reads tickers and prices through here. */
import { type Decimal, dec } from '../broker/money.js';
import { tickerSchema } from '../signals/fields.js';
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

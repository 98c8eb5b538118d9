/** Field schemas shared by every input edge (webhook, commands, code): one rule per field. */
import { z } from 'zod';
import { type Decimal, dec } from '../broker/money.js';

export const tickerSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][A-Z0-9.]{0,9}$/, 'a ticker is 1–10 letters, digits or dots, starting with a letter');

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * A decimal from JSON: a number (read through its shortest text, so 190.1 is
 * exactly 190.1) or a plain decimal string. Exponents, NaN and blanks are refused.
 */
export const decimalSchema = z.union([z.number(), z.string()]).transform((value, ctx): Decimal => {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!Number.isFinite(Number(text)) || !DECIMAL_TEXT.test(text)) {
    ctx.addIssue({ code: 'custom', message: `expected a number such as 184.50, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return dec(text);
});

export const priceSchema = decimalSchema.refine((d) => d.gt(0), 'must be above 0');

/** Field schemas shared by every input edge (webhook, commands, code): one rule per field. */
import { z } from 'zod';
import { type Decimal, dec } from './money.js';

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

/**
 * Characters no text shown to people may carry: C0 and C1 controls (ESC, NUL,
 * bell, newlines, DEL...), the Unicode line separators, and the bidirectional
 * overrides that reorder what is displayed. They could redraw a terminal,
 * break a chat message or disguise a value.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/** The first control character in `text` as `U+001B`, or null when there is none. */
export function controlCharIn(text: string): string | null {
  const code = CONTROL_CHARS.exec(text)?.[0]?.codePointAt(0);
  return code === undefined ? null : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `text` is refused as free text (`must not contain control characters (found U+001B)`), or null. */
export function controlCharProblem(text: string): string | null {
  const found = controlCharIn(text);
  return found === null ? null : `must not contain control characters (found ${found})`;
}

/** Free text (a strategy name, a reason): trimmed, at most `max` characters, no control characters. */
export const plainTextSchema = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `at most ${max} characters`)
    .superRefine((text, ctx) => {
      const problem = controlCharProblem(text);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    });

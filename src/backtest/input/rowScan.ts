/**
 * Reading a plain CSV row in place: where its fields start, and a decimal
 * field's value, without cutting the line into strings. Millions of bar rows
 * go through here twice (the validating pass and the replay); anything
 * unusual (a quote, a long number) is left to the general path, which gives
 * the exact refusal.
 */

/**
 * Fills `starts` with the offset of each of the `width` fields of a line
 * without quotes, and `starts[width]` with the line's length + 1 (where a
 * next field would start). False when the line has a quote or another
 * number of fields.
 */
export function fieldStarts(text: string, width: number, starts: Int32Array): boolean {
  if (text.includes('"')) return false;
  starts[0] = 0;
  let at = 0;
  for (let i = 1; i < width; i++) {
    const comma = text.indexOf(',', at);
    if (comma < 0) return false;
    at = comma + 1;
    starts[i] = at;
  }
  if (text.indexOf(',', at) >= 0) return false;
  starts[width] = text.length + 1;
  return true;
}

/**
 * `fieldStarts` for the first `count` fields only (of `width`), on a line
 * known to be plain and whole (checked by an earlier pass): just the commas
 * needed to know where they end.
 */
export function leadingStarts(text: string, count: number, width: number, starts: Int32Array): void {
  starts[0] = 0;
  let at = 0;
  for (let i = 1; i <= count; i++) {
    if (i === width) {
      starts[i] = text.length + 1;
      return;
    }
    at = text.indexOf(',', at) + 1;
    starts[i] = at;
  }
}

/** Powers of ten a double holds exactly. */
const TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The value of `text[start, end)` when it is `-?\d+(\.\d+)?` with at most 15
 * significant digits, else NaN. Such a value is its digits (an exact integer)
 * over a power of ten (exact), so the one division rounds it exactly as
 * `Number()` would, and two different such values are never the same double.
 */
export function fixedPoint(text: string, start: number, end: number): number {
  let i = start;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i += 1;
  const first = i;
  let mantissa = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
  }
  if (i === first) return Number.NaN;
  let scale = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 46) return Number.NaN;
    i += 1;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return Number.NaN;
      mantissa = mantissa * 10 + d;
      scale += 1;
    }
    if (scale === 0) return Number.NaN;
  }
  // Leading zeros add nothing, so a mantissa below 10^15 has at most 15 significant digits (and is exact).
  if (mantissa >= 1e15 || scale > 15) return Number.NaN;
  const value = mantissa / (TEN[scale] as number);
  return negative ? -value : value;
}

/** Whether `text[start, end)` is `other`, compared in place. */
export function sameText(text: string, start: number, end: number, other: string): boolean {
  return end - start === other.length && text.startsWith(other, start);
}

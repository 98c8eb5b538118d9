import { Decimal } from '../../src/domain/money.js';

/** Decimals as their exact string, Dates as ISO: records compare with toEqual and fail readably. */
export function plain(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return `D(${(value as Decimal).toFixed()})`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return [...value].map(([k, v]) => [plain(k), plain(v)]);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

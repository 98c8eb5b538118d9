/** Column codecs: the one place a row's text becomes a Decimal or a Date. */
import { type Decimal, fromStorage, fromStorageOrNull, toStorage, toStorageOrNull } from '../domain/money.js';

export const money = {
  write: toStorage,
  read: fromStorage,
  writeOrNull: toStorageOrNull,
  readOrNull: fromStorageOrNull,
} as const;

export function writeTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('cannot store an invalid date');
  return date.toISOString();
}

export function readTime(text: string): Date {
  return new Date(text);
}

export function writeTimeOrNull(date: Date | null | undefined): string | null {
  return date === null || date === undefined ? null : writeTime(date);
}

export function readTimeOrNull(text: string | null): Date | null {
  return text === null ? null : readTime(text);
}

export type { Decimal };

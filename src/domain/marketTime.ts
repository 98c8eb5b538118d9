/** Wall-clock arithmetic in the exchange's time zone (New York) or any other, DST included. */

import { must } from './invariant.js';

export const EXCHANGE_TIME_ZONE = 'America/New_York';

const formats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format;
}

function wallParts(at: Date, timeZone = EXCHANGE_TIME_ZONE): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(
    partsFormat(timeZone)
      .formatToParts(at)
      .map((x) => [x.type, Number(x.value)]),
  );
  // partsFormat asks for every one of these fields, so Intl always returns them.
  return {
    y: must(p.year, 'year part'),
    m: must(p.month, 'month part'),
    d: must(p.day, 'day part'),
    h: must(p.hour, 'hour part'),
    mi: must(p.minute, 'minute part'),
    s: must(p.second, 'second part'),
  };
}

/** A zone's offset from UTC at an instant, in ms (New York: -4h or -5h). */
function offsetMs(at: Date, timeZone = EXCHANGE_TIME_ZONE): number {
  const p = wallParts(at, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of a wall time on a YYYY-MM-DD date in `timeZone` (DST-aware). */
export function zonedTime(date: string, hour: number, minute: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, m - 1, d, hour, minute);
  // Two passes settle the offset even on a DST-change day.
  let utc = asUtc - offsetMs(new Date(asUtc), timeZone);
  utc = asUtc - offsetMs(new Date(utc), timeZone);
  return new Date(utc);
}

/** The instant of a New York wall time on a YYYY-MM-DD date. */
export function exchangeTime(date: string, hour: number, minute: number): Date {
  return zonedTime(date, hour, minute, EXCHANGE_TIME_ZONE);
}

/** YYYY-MM-DD of an instant in `timeZone`. */
export function zonedDate(at: Date, timeZone: string): string {
  const p = wallParts(at, timeZone);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** YYYY-MM-DD of an instant in New York. */
export function exchangeDate(at: Date): string {
  // New York's offset is whole hours, so its date is the same for a whole UTC hour: one formatting per hour.
  const hour = Math.floor(at.getTime() / HOUR_MS);
  if (hour === lastDate.hour) return lastDate.date;
  const p = wallParts(at);
  const date = `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
  lastDate = { hour, date };
  return date;
}

const HOUR_MS = 3_600_000;
let lastDate = { hour: Number.NaN, date: '' };

/** An instant in New York time with its offset, as Alpaca writes it: `2026-03-02T10:00:00.000-05:00`. */
export function exchangeIso(at: Date): string {
  const p = wallParts(at);
  const offsetMin = Math.round(offsetMs(at) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${two(p.m)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}:${two(p.s)}.${String(at.getUTCMilliseconds()).padStart(3, '0')}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

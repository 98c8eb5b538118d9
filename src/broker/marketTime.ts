/** Wall-clock arithmetic in the exchange's time zone (New York), DST included. */

export const EXCHANGE_TIME_ZONE = 'America/New_York';

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: EXCHANGE_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function wallParts(at: Date): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(partsFormat.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

/** New York's offset from UTC at an instant, in ms (negative: -4h or -5h). */
function offsetMs(at: Date): number {
  const p = wallParts(at);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of a New York wall time on a YYYY-MM-DD date (DST-aware). */
export function exchangeTime(date: string, hour: number, minute: number): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, m - 1, d, hour, minute);
  // Two passes settle the offset even on a DST-change day.
  let utc = asUtc - offsetMs(new Date(asUtc));
  utc = asUtc - offsetMs(new Date(utc));
  return new Date(utc);
}

/** YYYY-MM-DD of an instant in New York. */
export function exchangeDate(at: Date): string {
  const p = wallParts(at);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

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

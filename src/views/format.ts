/** Number formatting shared by every view: signed dollars and percents, a price or a dash. */
import { type Decimal, formatPct, formatUsd } from '../domain/money.js';

export const signed = (d: Decimal): string => `${d.gt(0) ? '+' : ''}${formatUsd(d)}`;
export const signedPct = (d: Decimal): string => `${d.gt(0) ? '+' : ''}${formatPct(d)}`;
/** A price, or a dash when there is none (no stop, no target). */
export const price = (d: Decimal | null): string => (d === null ? '—' : formatUsd(d));

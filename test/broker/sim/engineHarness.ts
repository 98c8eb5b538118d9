/** A simulator engine on a fixed clock, recording every trade update it emits. */
import { dec, type Decimal } from '../../../src/domain/money.js';
import type { TradeUpdate } from '../../../src/domain/ports/broker.js';
import { MARKET_CALENDARS } from '../../../src/broker/sim/calendars/index.js';
import { SimClock, type MarketHoursMode } from '../../../src/broker/sim/clock.js';
import { SimEngine, type SimEngineOptions } from '../../../src/broker/sim/engine.js';

export interface Harness {
  engine: SimEngine;
  clock: SimClock;
  updates: TradeUpdate[];
  /** `event:clientOrderId` of every update, in order. */
  events(): string[];
}

export function harness(
  overrides: Partial<Omit<SimEngineOptions, 'clock' | 'prices'>> & {
    prices?: Record<string, string>;
    mode?: MarketHoursMode;
    start?: string;
  } = {},
): Harness {
  const clock = new SimClock({ calendar: MARKET_CALENDARS[overrides.mode ?? 'always'], start: new Date(overrides.start ?? '2026-03-02T15:00:00.000Z') });
  const prices = new Map<string, Decimal>(Object.entries(overrides.prices ?? { AAPL: '190', MSFT: '410', PENY: '0.5' }).map(([t, p]) => [t, dec(p)]));
  const engine = new SimEngine({ startingCash: dec(100_000), seed: 42, ...overrides, prices, clock });
  const updates: TradeUpdate[] = [];
  engine.onTradeUpdate((u) => updates.push(u));
  return { engine, clock, updates, events: () => updates.map((u) => `${u.event}:${u.order.clientOrderId}`) };
}

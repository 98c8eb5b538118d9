/**
 * What the engine and market-data benchmarks both start from: a simulator
 * with 100-dollar tickers and deep pockets, loose limits and tiny sizes (so
 * thousands of positions fit), a buy signal with a 2% stop and a 5% target,
 * and a broker wrapper that times every call so the broker's own time can be
 * subtracted from the bot's.
 */
import type { BrokerInterface } from '../src/domain/ports/broker.js';
import { dec, type Decimal } from '../src/domain/money.js';
import { SimClock } from '../src/broker/sim/clock.js';
import { SimEngine } from '../src/broker/sim/engine.js';
import { toSignal, type TradingSignal } from '../src/domain/signal.js';

export interface TimedBroker {
  broker: BrokerInterface;
  /** Microseconds spent inside the broker's methods so far. */
  spentMicros: () => number;
  /** Told each time an order is about to be placed (before the call is timed). */
  onPlace: (fn: () => void) => void;
}

/** Wraps a broker so the time spent inside its methods can be subtracted. */
export function timedBroker(inner: BrokerInterface): TimedBroker {
  let spent = 0n;
  let placed: () => void = () => undefined;
  const broker = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || key === 'onTradeUpdate') return value;
      return async (...args: unknown[]) => {
        if (key === 'placeOrder') placed();
        const start = process.hrtime.bigint();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          spent += process.hrtime.bigint() - start;
        }
      };
    },
  });
  return {
    broker,
    spentMicros: () => Number(spent) / 1000,
    onPlace: (fn) => {
      placed = fn;
    },
  };
}

export function simWith(tickers: readonly string[], start: Date): { sim: SimEngine; clock: SimClock } {
  const clock = new SimClock({ mode: 'always', start });
  const prices = new Map<string, Decimal>(tickers.map((t) => [t, dec(100)]));
  return { sim: new SimEngine({ startingCash: dec(100_000_000), prices, seed: 7, clock, marginMultiplier: 4 }), clock };
}

export const LIMITS = { maxOpenPositions: 5000, maxExposurePct: dec(4), maxDailyLossPct: dec('0.5'), maxDrawdownPct: dec('0.5') };
export const SIZING = { method: 'risk' as const, maxPositionSizePct: dec('0.001'), riskPerTradePct: dec('0.0001'), kellyFraction: dec('0.5') };

/** A buy at 100 with its stop at 98 and target at 105. */
export const signalFor = (id: string, ticker: string): TradingSignal =>
  toSignal({
    signal_id: id,
    ticker,
    timestamp: '2026-03-02T15:00:00Z',
    action: 'buy',
    confidence: 0.7,
    current_price: 100,
    stop_loss_price: 98,
    take_profit_price: 105,
  });

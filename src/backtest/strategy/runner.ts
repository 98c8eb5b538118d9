/**
 * Runs a strategy over the replayed bars: keeps each symbol's recent bars
 * (a bounded window), calls `onBar` for every bar of a bar time, and turns
 * what it emits into checked TradingSignals stamped with the bar's time.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Bar } from '../bar.js';
import { Decimal } from '../../domain/money.js';
import { parseSignal, type TradingSignal } from '../../domain/signal.js';
import type { Amount, Strategy, StrategyContext, StrategySignal } from './api.js';

const DEFAULT_LOOKBACK = 250;
/** The longest window a strategy may ask for: memory stays bounded whatever a module declares. */
const MAX_LOOKBACK = 10_000;

/** A strategy that cannot be loaded, or that misbehaved on a bar: names the strategy (or file), the bar and the reason. */
export class StrategyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyError';
  }
}

const strategyShape = z.object({
  name: z
    .string({ message: 'name: expected a text' })
    .min(1, 'name: must not be empty')
    .max(24, 'name: at most 24 characters')
    .regex(/^[A-Za-z0-9._-]+$/, 'name: letters, digits and . _ - only'),
  lookback: z
    .number({ message: 'lookback: expected a number' })
    .int('lookback: expected a whole number')
    .min(1, 'lookback: at least 1')
    .max(MAX_LOOKBACK, `lookback: at most ${MAX_LOOKBACK}`)
    .optional(),
  onBar: z.custom<Strategy['onBar']>((v) => typeof v === 'function', 'onBar: expected a function (bar, context) => void'),
});

/** Checks a module's export as a strategy. */
export function asStrategy(value: unknown, origin: string): Strategy {
  const parsed = strategyShape.safeParse(value);
  if (!parsed.success) throw new StrategyError(`${origin}: not a strategy: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const s = value as Strategy;
  return { name: parsed.data.name, lookback: parsed.data.lookback ?? DEFAULT_LOOKBACK, onBar: (bar, context) => s.onBar(bar, context) };
}

/** Imports a strategy module (a .ts file works under tsx): its default export, or its `strategy` export. */
export async function loadStrategy(file: string): Promise<Strategy> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new StrategyError(`${file}: cannot load the strategy: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exported = module.default ?? module.strategy;
  if (exported === undefined) throw new StrategyError(`${file}: exports no strategy (export default, or export const strategy)`);
  return asStrategy(exported, file);
}

function amountText(value: Amount | undefined): string | number | undefined {
  return value instanceof Decimal ? value.toFixed() : value;
}

/** `2024-01-03T14:30:00Z`: the bar time in a signal id (no milliseconds, which bars never carry). */
function idTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface StrategyRunner {
  /** Hands every bar of one bar time to the strategy; returns the signals it emitted, in emission order. */
  onBars(bars: readonly Bar[]): Promise<TradingSignal[]>;
}

export function createStrategyRunner(strategy: Strategy): StrategyRunner {
  const lookback = strategy.lookback ?? DEFAULT_LOOKBACK;
  const windows = new Map<string, Bar[]>();
  const usedIds = new Set<string>();
  const where = (bar: Bar) => `strategy "${strategy.name}" on ${bar.symbol} ${bar.timestamp.toISOString()}`;

  return {
    async onBars(bars) {
      // Every bar of this time is in its window before any onBar runs: a strategy may compare symbols at the same time.
      for (const bar of bars) {
        const window = windows.get(bar.symbol) ?? [];
        window.push(bar);
        if (window.length > lookback) window.shift();
        windows.set(bar.symbol, window);
      }
      const out: TradingSignal[] = [];
      for (const bar of bars) {
        const emitted: StrategySignal[] = [];
        const context: StrategyContext = {
          history(symbol, n) {
            if (!Number.isInteger(n) || n < 1 || n > lookback)
              throw new StrategyError(`${where(bar)}: history(${symbol}, ${n}): n must be a whole number from 1 to the lookback ${lookback}`);
            return (windows.get(symbol.toUpperCase()) ?? []).slice(-n);
          },
          emit(signal) {
            emitted.push(signal);
          },
        };
        try {
          await strategy.onBar(bar, context);
        } catch (error) {
          if (error instanceof StrategyError) throw error;
          throw new StrategyError(`${where(bar)}: onBar failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        for (const s of emitted) {
          const ticker = (s.ticker ?? bar.symbol).toUpperCase();
          const signalId = `${strategy.name}-${ticker}-${idTime(bar.timestamp)}`;
          if (usedIds.has(signalId)) throw new StrategyError(`${where(bar)}: a second signal for ${ticker} on the same bar (${signalId})`);
          const parsed = parseSignal({
            signal_id: signalId,
            ticker,
            timestamp: bar.timestamp.toISOString(),
            action: s.action,
            confidence: amountText(s.confidence),
            current_price: amountText(s.current_price),
            stop_loss_price: amountText(s.stop_loss_price),
            take_profit_price: amountText(s.take_profit_price),
            position_size_pct: amountText(s.position_size_pct),
            signal_type: s.signal_type,
            strategy: strategy.name,
          });
          if (!parsed.ok) throw new StrategyError(`${where(bar)}: refused signal: ${parsed.problems.join('; ')}`);
          usedIds.add(signalId);
          out.push(parsed.signal);
        }
      }
      return out;
    },
  };
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/backtest/bar.js';
import { defineStrategy } from '../../../src/backtest/strategy/api.js';
import { asStrategy, createStrategyRunner, loadStrategy, StrategyError } from '../../../src/backtest/strategy/runner.js';
import { dec } from '../../../src/domain/money.js';
import { useTempDir } from '../../helpers/tempDb.js';

const newDir = useTempDir();

function bar(symbol: string, day: number, close: number): Bar {
  const c = dec(close);
  return { symbol, timestamp: new Date(Date.UTC(2024, 0, day)), open: c, high: c, low: c, close: c, volume: dec(100) };
}

describe('the strategy runner', () => {
  it('shows each bar time whole, never a later bar, within the lookback', async () => {
    const seen: string[] = [];
    const runner = createStrategyRunner(
      defineStrategy({
        name: 'peek',
        lookback: 2,
        onBar(b, context) {
          const other = b.symbol === 'AAA' ? 'BBB' : 'AAA';
          seen.push(
            `${b.symbol}@${b.timestamp.getUTCDate()}: ${context
              .history(b.symbol, 2)
              .map((x) => x.close.toFixed())
              .join(' ')} | ${context
              .history(other, 1)
              .map((x) => x.close.toFixed())
              .join(' ')}`,
          );
        },
      }),
    );
    await runner.onBars([bar('AAA', 1, 1), bar('BBB', 1, 10)]);
    await runner.onBars([bar('AAA', 2, 2)]);
    await runner.onBars([bar('AAA', 3, 3), bar('BBB', 3, 30)]);
    expect(seen).toEqual(['AAA@1: 1 | 10', 'BBB@1: 10 | 1', 'AAA@2: 1 2 | 10', 'AAA@3: 2 3 | 30', 'BBB@3: 10 30 | 3']);
  });

  it('refuses a window beyond the lookback, naming the strategy and the bar', async () => {
    const runner = createStrategyRunner(
      asStrategy({ name: 'greedy', lookback: 2, onBar: (b: Bar, c: { history(s: string, n: number): unknown }) => c.history(b.symbol, 3) }, 'test'),
    );
    await expect(runner.onBars([bar('AAA', 1, 1)])).rejects.toThrow(
      'strategy "greedy" on AAA 2024-01-01T00:00:00.000Z: history(AAA, 3): n must be a whole number from 1 to the lookback 2',
    );
  });

  it('stamps a signal with its bar time and the id <strategy>-<symbol>-<bar time>', async () => {
    const runner = createStrategyRunner(
      defineStrategy({
        name: 'always',
        onBar(b, context) {
          context.emit({ action: 'buy', confidence: '0.5', current_price: b.close, stop_loss_price: 9, take_profit_price: dec('12.5') });
        },
      }),
    );
    const [signal] = await runner.onBars([bar('AAA', 2, 10)]);
    expect(signal).toEqual({
      signalId: 'always-AAA-2024-01-02T00:00:00Z',
      ticker: 'AAA',
      timestamp: new Date('2024-01-02T00:00:00Z'),
      action: 'buy',
      confidence: dec('0.5'),
      currentPrice: dec(10),
      stopLossPrice: dec(9),
      takeProfitPrice: dec('12.5'),
      positionSizePct: null,
      signalType: null,
      strategy: 'always',
    });
  });

  it('refuses a bad signal with the strategy, the bar and the schema reason', async () => {
    const runner = createStrategyRunner(
      defineStrategy({
        name: 'sloppy',
        onBar(b, context) {
          context.emit({ action: 'buy', confidence: 0.5, current_price: b.close, stop_loss_price: 11, take_profit_price: 12 });
        },
      }),
    );
    await expect(runner.onBars([bar('AAA', 1, 10)])).rejects.toThrow(
      'strategy "sloppy" on AAA 2024-01-01T00:00:00.000Z: refused signal: stop_loss_price: 11 is on the wrong side of the entry 10: a buy needs its stop below it',
    );
  });

  it('refuses two signals for one symbol on one bar, and wraps an error thrown by onBar', async () => {
    const twice = createStrategyRunner(
      defineStrategy({
        name: 'twice',
        onBar(b, context) {
          const s = { action: 'buy' as const, confidence: 1, current_price: 10, stop_loss_price: 9, take_profit_price: 11 };
          context.emit(s);
          context.emit(s);
        },
      }),
    );
    await expect(twice.onBars([bar('AAA', 1, 10)])).rejects.toThrow(
      'strategy "twice" on AAA 2024-01-01T00:00:00.000Z: a second signal for AAA on the same bar (twice-AAA-2024-01-01T00:00:00Z)',
    );
    const broken = createStrategyRunner(
      defineStrategy({
        name: 'broken',
        onBar() {
          throw new Error('boom');
        },
      }),
    );
    await expect(broken.onBars([bar('AAA', 1, 10)])).rejects.toThrow('strategy "broken" on AAA 2024-01-01T00:00:00.000Z: onBar failed: boom');
  });
});

describe('loading a strategy module', () => {
  it('takes the default export of an example', async () => {
    const strategy = await loadStrategy('examples/gapAndGo.ts');
    expect(strategy.name).toBe('gap-and-go');
    expect(strategy.lookback).toBe(11);
  });

  it('takes a `strategy` export, and refuses a module without one or with a bad one', async () => {
    const dir = newDir();
    writeFileSync(join(dir, 'named.mjs'), 'export const strategy = { name: "named", onBar() {} };\n');
    writeFileSync(join(dir, 'none.mjs'), 'export const other = 1;\n');
    writeFileSync(join(dir, 'bad.mjs'), 'export default { name: "has space", onBar: 3 };\n');
    expect((await loadStrategy(join(dir, 'named.mjs'))).name).toBe('named');
    await expect(loadStrategy(join(dir, 'none.mjs'))).rejects.toThrow(
      `${join(dir, 'none.mjs')}: exports no strategy (export default, or export const strategy)`,
    );
    await expect(loadStrategy(join(dir, 'bad.mjs'))).rejects.toThrow(
      `${join(dir, 'bad.mjs')}: not a strategy: name: letters, digits and . _ - only; onBar: expected a function (bar, context) => void`,
    );
    await expect(loadStrategy(join(dir, 'missing.ts'))).rejects.toThrow(StrategyError);
  });
});

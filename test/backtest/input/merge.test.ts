import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/backtest/bar.js';
import { dec } from '../../../src/domain/money.js';
import { mergeBarStreams } from '../../../src/backtest/input/merge.js';

function bar(symbol: string, day: string): Bar {
  const one = dec(1);
  return { symbol, timestamp: new Date(`${day}T00:00:00Z`), open: one, high: one, low: one, close: one, volume: one };
}

/** A stream of bars that records whether it was closed. */
function stream(bars: Bar[], closed: string[], name: string): AsyncIterable<Bar> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (const b of bars) {
          await Promise.resolve();
          yield b;
        }
      } finally {
        closed.push(name);
      }
    },
  };
}

describe('mergeBarStreams', () => {
  it('orders by time, then symbol, across three streams', async () => {
    const closed: string[] = [];
    const merged: string[] = [];
    const streams = [
      stream([bar('NVDA', '2024-01-02'), bar('NVDA', '2024-01-04')], closed, 'nvda'),
      stream([bar('AAPL', '2024-01-03'), bar('AAPL', '2024-01-04')], closed, 'aapl'),
      stream([bar('MSFT', '2024-01-02'), bar('MSFT', '2024-01-03'), bar('MSFT', '2024-01-04')], closed, 'msft'),
    ];
    for await (const b of mergeBarStreams(streams)) merged.push(`${b.symbol} ${b.timestamp.toISOString().slice(0, 10)}`);
    expect(merged).toEqual([
      'MSFT 2024-01-02',
      'NVDA 2024-01-02',
      'AAPL 2024-01-03',
      'MSFT 2024-01-03',
      'AAPL 2024-01-04',
      'MSFT 2024-01-04',
      'NVDA 2024-01-04',
    ]);
    expect(closed.sort()).toEqual(['aapl', 'msft', 'nvda']);
  });

  it('closes every stream when the consumer stops early', async () => {
    const closed: string[] = [];
    const streams = [
      stream([bar('A', '2024-01-02'), bar('A', '2024-01-03')], closed, 'a'),
      stream([bar('B', '2024-01-02'), bar('B', '2024-01-03')], closed, 'b'),
    ];
    for await (const b of mergeBarStreams(streams)) {
      expect(b.symbol).toBe('A');
      break;
    }
    expect(closed.sort()).toEqual(['a', 'b']);
  });
});

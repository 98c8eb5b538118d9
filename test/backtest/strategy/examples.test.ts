import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/backtest/bar.js';
import { readBars } from '../../../src/backtest/input/barsCsv.js';
import type { Strategy } from '../../../src/backtest/strategy/api.js';
import { createStrategyRunner } from '../../../src/backtest/strategy/runner.js';
import { dec } from '../../../src/domain/money.js';
import { signalToWire } from '../../../src/domain/signal.js';
import { gapAndGo } from '../../../examples/gapAndGo.js';
import { movingAverageCrossover } from '../../../examples/movingAverageCrossover.js';
import { useTempDir } from '../../helpers/tempDb.js';

const newDir = useTempDir();

/** Streams a bars file through a strategy, bar time by bar time, as the replay does; returns the signals' wire forms. */
async function signalsOf(strategy: Strategy, csv: string): Promise<Record<string, string | null>[]> {
  const file = join(newDir(), 'bars.csv');
  writeFileSync(file, csv);
  const runner = createStrategyRunner(strategy);
  const out: Record<string, string | null>[] = [];
  let group: Bar[] = [];
  const flush = async () => {
    if (group.length > 0) out.push(...(await runner.onBars(group)).map(signalToWire));
    group = [];
  };
  for await (const bar of readBars(file)) {
    if (group[0] !== undefined && group[0].timestamp.getTime() !== bar.timestamp.getTime()) await flush();
    group.push(bar);
  }
  await flush();
  return out;
}

describe('examples/movingAverageCrossover.ts', () => {
  // AAA's closes 10 10 10 9 12 13 8 14 20: fast (2) over slow (3) crosses up on the 5th (10.5 > 10.33…) and the 9th (17 > 14).
  const csv = [
    'symbol,timestamp,open,high,low,close,volume',
    ...[10, 10, 10, 9, 12, 13, 8, 14, 20].flatMap((close, i) => {
      const day = `2024-01-0${i + 1}`;
      return [`AAA,${day},${close},${close},${close},${close},1000`, `BBB,${day},5,5,5,5,1000`];
    }),
  ].join('\n');

  it('buys each cross up, at the close, with the stop 5% under and the target 10% over', async () => {
    const strategy = movingAverageCrossover({ fast: 2, slow: 3, stopPct: dec('0.05'), targetPct: dec('0.10'), confidence: dec('0.6') });
    expect(await signalsOf(strategy, csv)).toEqual([
      {
        signal_id: 'ma-crossover-AAA-2024-01-05T00:00:00Z',
        ticker: 'AAA',
        timestamp: '2024-01-05T00:00:00.000Z',
        action: 'buy',
        confidence: '0.6',
        current_price: '12',
        stop_loss_price: '11.4',
        take_profit_price: '13.2',
        position_size_pct: null,
        signal_type: 'ma_cross_up',
        strategy: 'ma-crossover',
      },
      {
        signal_id: 'ma-crossover-AAA-2024-01-09T00:00:00Z',
        ticker: 'AAA',
        timestamp: '2024-01-09T00:00:00.000Z',
        action: 'buy',
        confidence: '0.6',
        current_price: '20',
        stop_loss_price: '19',
        take_profit_price: '22',
        position_size_pct: null,
        signal_type: 'ma_cross_up',
        strategy: 'ma-crossover',
      },
    ]);
  });

  it('refuses settings that make no crossover', () => {
    expect(() => movingAverageCrossover({ fast: 3, slow: 3, stopPct: dec('0.05'), targetPct: dec('0.1'), confidence: dec('0.6') })).toThrow(
      'moving-average crossover: expected 1 <= fast < slow, got 3 and 3',
    );
  });
});

describe('examples/gapAndGo.ts', () => {
  const csv = `symbol,timestamp,open,high,low,close,volume
AAA,2024-01-01,10,10.5,9.5,10,1000
AAA,2024-01-02,10,10.5,9.8,10,1000
AAA,2024-01-03,10,10.2,9.9,10,1000
AAA,2024-01-04,10.5,11,10.3,10.8,1500
AAA,2024-01-05,11.2,11.5,11,11.3,900
AAA,2024-01-06,12,12.5,11.9,12.2,1100
AAA,2024-01-07,12.8,13.2,12.6,13,5000
`;

  it('buys a gap of 4% or more on volume above the average, the stop a cent under the gap bar', async () => {
    // The 4th: +5% on 1500 > 1000. The 5th: +3.7%, too small. The 6th: +6.2% but 1100 < 1133.33. The 7th: +4.9% on 5000 > 1166.67.
    const strategy = gapAndGo({ minGapPct: dec('0.04'), volumeBars: 3, reward: dec(2), confidence: dec('0.7') });
    const signals = await signalsOf(strategy, csv);
    expect(
      signals.map((s) => [s.signal_id, s.timestamp, s.action, s.confidence, s.current_price, s.stop_loss_price, s.take_profit_price, s.signal_type]),
    ).toEqual([
      // Risk 10.8 − 10.29 = 0.51; target 10.8 + 2 × 0.51.
      ['gap-and-go-AAA-2024-01-04T00:00:00Z', '2024-01-04T00:00:00.000Z', 'buy', '0.7', '10.8', '10.29', '11.82', 'gap_up'],
      // Risk 13 − 12.59 = 0.41; target 13 + 2 × 0.41.
      ['gap-and-go-AAA-2024-01-07T00:00:00Z', '2024-01-07T00:00:00.000Z', 'buy', '0.7', '13', '12.59', '13.82', 'gap_up'],
    ]);
  });
});

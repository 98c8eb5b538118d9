/** /backtest in the console: the replay's figures, the counterfactual line, and the equity chart saved as a PNG. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { StoredSignal } from '../../src/domain/records.js';
import { signalRecord } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from './appHarness.js';

/** A stored signal (already decided; a backtest replays it as if approved). */
function stored(id: string, ticker: string, action: 'buy' | 'sell', at: string, confidence: string, levels: [string, string, string]): StoredSignal {
  const time = new Date(at);
  return signalRecord({
    signalId: id,
    ticker,
    action,
    entryPrice: dec(levels[0]),
    stopLossPrice: dec(levels[1]),
    takeProfitPrice: dec(levels[2]),
    confidence: dec(confidence),
    signalType: null,
    strategy: null,
    source: 'code',
    status: 'expired',
    signalTime: time,
    receivedAt: time,
    expiresAt: new Date(time.getTime() + 3_600_000),
    payload: '{}',
  });
}

describe('console: /backtest', () => {
  const newStore = useTempStore();

  async function consoleWithBacktests() {
    const store = await newStore();
    const t = await operatorHarness(store);
    await store.signals.insertIfNew(stored('aapl-up', 'AAPL', 'buy', '2026-02-05T15:00:00Z', '0.8', ['190', '185', '200']));
    await store.signals.insertIfNew(stored('msft-lo', 'MSFT', 'sell', '2026-02-10T15:00:00Z', '0.6', ['455', '465', '440']));
    // What was actually done: one trade closed in the window, $250 made.
    const closedAt = new Date('2026-02-20T16:00:00Z');
    await store.closedPositions.insertMany([
      {
        positionId: 'p1',
        ticker: 'AAPL',
        side: 'long',
        quantity: dec(10),
        entryPrice: dec(200),
        exitPrice: dec(225),
        realizedPnl: dec(250),
        realizedPnlPct: dec('0.125'),
        exitReason: 'take_profit',
        signalId: 'aapl-up',
        strategy: null,
        exitOrderId: null,
        entryOrderId: null,
        openedAt: new Date(closedAt.getTime() - 86_400_000),
        closedAt,
      },
    ]);
    // The harness wires the application as main.ts does, scratch stores included.
    return t;
  }

  it('answers with the summary, the counterfactual and the chart', async () => {
    const c = await consoleWithBacktests();
    const out = await c.type('/backtest');
    const chart = /^ {2}Chart saved: (.+\.png)$/m.exec(out)?.[1] ?? '';
    expect(out.replace(chart, 'CHART')).toBe(
      [
        '• Backtest, last 30 days',
        '  Had you approved every signal, you would have made +$3,974.00 instead of +$250.00 (1 trade closed).',
        '  Return: +3.97%',
        '  P&L: +$3,974.00 ($100,000.00 → $103,974.00)',
        '  Trades: 2',
        '  Win rate: 50.00%',
        '  Max drawdown: $265.53 (0.25%)',
        '  Sharpe: 9.51',
        '  Signals: 2 replayed, 0 refused by the engine (AAPL, MSFT)',
        '  (Sizing risk · 1Hour bars, 1220 fetched from the broker · no slippage or commission)',
        '  Chart saved: CHART',
        '',
      ].join('\n'),
    );
    expect(existsSync(chart)).toBe(true);
    // The PNG signature.
    expect(readFileSync(chart).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');

    const high = await c.type('/backtest days:30 min_confidence:0.7 sizing:percent');
    expect(high).toContain('Had you approved every signal ≥ 0.7 confidence, you would have made +$5,922.76 instead of +$250.00 (1 trade closed).');
    expect(high).toContain('  (Sizing percent · 1Hour bars, 0 fetched from the broker');
  });

  it('refuses bad options with a readable message', async () => {
    const c = await consoleWithBacktests();
    expect(await c.type('/backtest min_confidence:high')).toContain('min_confidence must be a number from 0 to 1, got "high".');
    expect(await c.type('/backtest days:400')).toContain('days 400 is too large: at most 365.');
    expect(await c.type('/backtest days:2')).toContain('No stored signal in the last 2 days: nothing to replay.');
    expect(c.errors).toEqual([]);
  });
});

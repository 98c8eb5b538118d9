/** /backtest in the console: the replay's figures, the counterfactual line, and the equity chart saved as a PNG. */
import { existsSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OperatorService } from '../../src/app/OperatorService.js';
import { openStore } from '../../src/db/index.js';
import { dec } from '../../src/domain/money.js';
import type { StoredSignal } from '../../src/domain/records.js';
import { ConsoleFrontEnd } from '../../src/operator/console/ConsoleFrontEnd.js';
import { Dispatcher } from '../../src/operator/dispatch.js';
import { loadCommands } from '../../src/operator/registry.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from './appHarness.js';

function stored(id: string, ticker: string, action: 'buy' | 'sell', at: string, confidence: string, levels: [string, string, string]): StoredSignal {
  const time = new Date(at);
  return {
    signalId: id,
    ticker,
    action,
    entryPrice: dec(levels[0]),
    stopLossPrice: dec(levels[1]),
    takeProfitPrice: dec(levels[2]),
    confidence: dec(confidence),
    positionSizePct: null,
    signalType: null,
    strategy: null,
    source: 'code',
    status: 'expired',
    signalTime: time,
    receivedAt: time,
    expiresAt: new Date(time.getTime() + 3_600_000),
    decidedBy: null,
    decidedAt: null,
    decisionNote: null,
    orderId: null,
    channelId: null,
    messageId: null,
    payload: '{}',
  };
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
    // The application's wiring, with backtests set up: scratch stores are opened like the live one.
    const operator = new OperatorService({
      mode: 'SIM',
      sizingMethod: t.config.sizing.method,
      broker: t.broker,
      store,
      engine: t.app.engine,
      approvals: t.app.approvals,
      sim: null,
      now: () => t.sim.clock.now(),
      status: () => t.app.status(),
      backtest: { sizing: t.config.sizing, risk: t.config.risk, openScratchStore: openStore },
    });
    const app = { ...t.app, operator };
    const errors: unknown[] = [];
    const dispatcher = new Dispatcher(app, await loadCommands(), { error: (details) => errors.push(details) });
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    const front = new ConsoleFrontEnd({ app, dispatcher, input: new PassThrough(), output: out, interactive: false });
    return {
      errors,
      async type(line: string): Promise<string> {
        const before = text.length;
        await front.handle(line);
        return text.slice(before);
      },
    };
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

/**
 * Simulator: market orders submitted and filled per second in-process, and
 * price updates processed per second while 100 bracket orders are working.
 */
import { dec } from '../src/domain/money.js';
import { SimClock } from '../src/broker/sim/clock.js';
import { SimEngine } from '../src/broker/sim/engine.js';
import { fmt, median } from './stats.js';

const TICKERS = Array.from({ length: 100 }, (_, i) => `T${String(i).padStart(3, '0')}`);

function engine(): SimEngine {
  const prices = new Map(TICKERS.map((t) => [t, dec(100)]));
  return new SimEngine({
    startingCash: dec(10_000_000_000),
    prices,
    seed: 7,
    clock: new SimClock({ mode: 'always', start: new Date('2026-03-02T15:00:00Z') }),
  });
}

export interface SimulatorFigures {
  ordersPerSecond: number;
  ticksPerSecond: number;
}

export function benchSimulator(): SimulatorFigures {
  // Submissions: alternating buys and sells so the account never runs dry.
  const e = engine();
  const N = 20_000;
  let start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    e.submit({ symbol: TICKERS[i % 100]!, qty: dec(10), side: i % 2 === 0 ? 'buy' : 'sell', type: 'market', timeInForce: 'day' });
  }
  const ordersPerSecond = N / (Number(process.hrtime.bigint() - start) / 1e9);

  // 100 working brackets (entry filled, both exits live), then price ticks that
  // move inside the brackets so nothing fills and every tick checks its orders.
  const b = engine();
  for (const t of TICKERS) {
    b.submit({
      symbol: t,
      qty: dec(10),
      side: 'buy',
      type: 'market',
      timeInForce: 'gtc',
      orderClass: 'bracket',
      takeProfit: { limitPrice: dec(150) },
      stopLoss: { stopPrice: dec(50) },
    });
  }
  const TICKS = 50_000;
  start = process.hrtime.bigint();
  for (let i = 0; i < TICKS; i++) b.setPrice(TICKERS[i % 100]!, dec(95 + (i % 10)));
  const ticksPerSecond = TICKS / (Number(process.hrtime.bigint() - start) / 1e9);
  return { ordersPerSecond, ticksPerSecond };
}

export function simulatorTable(runs: readonly SimulatorFigures[]): string {
  return [
    '| simulator (in-process) | median of runs |',
    '| --- | --- |',
    `| market orders submitted and filled | ${fmt(median(runs.map((r) => r.ordersPerSecond)), 0)} /s |`,
    `| price updates processed with 100 working brackets (200 live exits) | ${fmt(median(runs.map((r) => r.ticksPerSecond)), 0)} /s |`,
  ].join('\n');
}

/**
 * Trading-engine benchmarks:
 *  - signal-to-order overhead of executor + risk + sizing + database writes,
 *    the broker's own time subtracted (every broker call is timed);
 *  - one monitor cycle (the Monitor's own) over 1,000 open bracket positions (CPU and wall ms,
 *    the median of ten after three warm-up cycles, every price moving each cycle);
 *  - getPerformanceStats over 100,000 closed positions (ms, and heap allocated by the call).
 */
import { Session } from 'node:inspector/promises';
import { dec } from '../src/domain/money.js';
import { SimBroker } from '../src/broker/sim/SimBroker.js';
import type { Store } from '../src/db/index.js';
import type { ClosedPositionRecord } from '../src/domain/records.js';
import { loadConfig } from '../src/config.js';
import { createTradingEngine } from '../src/execution/engine.js';
import { AlertCenter } from '../src/monitor/AlertCenter.js';
import { Monitor } from '../src/monitor/Monitor.js';
import { createApp } from '../src/operator/app.js';
import { LIMITS, signalFor, simWith, SIZING, timedBroker } from './engineSetup.js';
import { fmt, median, percentile, recordEod, withTempStore } from './stats.js';

export interface EngineFigures {
  overheadP50: number;
  overheadP99: number;
  cycleCpuMs: number;
  cycleWallMs: number;
  statsMs: number;
  statsHeapMb: number;
}

/** 2,000 signals, 20 tickers in rotation (each position closed before its ticker comes round again). */
async function signalOverhead(store: Store): Promise<number[]> {
  const tickers = Array.from({ length: 20 }, (_, i) => `S${i}`);
  const { sim, clock } = simWith(tickers, new Date('2026-03-02T15:00:00Z'));
  const timed = timedBroker(new SimBroker(sim));
  const engine = createTradingEngine({ broker: timed.broker, store, sizing: SIZING, risk: LIMITS, now: () => clock.now() });
  engine.followTradeUpdates();
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const ticker = tickers[i % tickers.length]!;
    if (await engine.manager.getPosition(ticker)) await engine.manager.closePosition(ticker);
    await engine.ledger.serial(async () => undefined); // the close's own updates are not this signal's cost
    clock.advance(1000);
    const brokerBefore = timed.spentMicros();
    const start = process.hrtime.bigint();
    const result = await engine.executor.executeSignal(signalFor(`ovh-${i}`, ticker));
    const total = Number(process.hrtime.bigint() - start) / 1000;
    if (!result.success) throw new Error(`bench signal refused: ${result.errorMessage}`);
    samples.push(total - (timed.spentMicros() - brokerBefore));
  }
  return samples.slice(200); // warm-up excluded
}

const CYCLE_WARMUP = 3;
const CYCLES_MEASURED = 10;

/** The median cycle of CYCLES_MEASURED, after CYCLE_WARMUP. */
async function monitorCycle(store: Store): Promise<{ cpuMs: number; wallMs: number }> {
  const tickers = Array.from({ length: 1000 }, (_, i) => `M${i}`);
  const { sim, clock } = simWith(tickers, new Date('2026-03-02T15:00:00Z'));
  const timed = timedBroker(new SimBroker(sim));
  const broker = timed.broker;
  const config = loadConfig({
    MAX_OPEN_POSITIONS: '1000',
    MAX_POSITION_PCT: '0.001',
    RISK_PER_TRADE_PCT: '0.0001',
    MAX_EXPOSURE_PCT: '4',
    MAX_DAILY_LOSS_PCT: '0.5',
    MAX_DRAWDOWN_PCT: '0.5',
  });
  const app = createApp({ config, broker, store, sim: null, now: () => clock.now() });
  app.engine.followTradeUpdates();
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  // The product's own cycle; alerts are recorded but have nowhere to go.
  const monitor = new Monitor({
    app,
    alerts: new AlertCenter({ store, sink: null, log: quiet }),
    log: quiet,
    intervalSeconds: 60,
    reportTime: { hour: 16, minute: 15 },
    timezone: 'America/New_York',
    now: () => clock.now(),
  });
  for (const [i, t] of tickers.entries()) {
    clock.advance(1000);
    const r = await app.engine.executor.executeSignal(signalFor(`mon-${i}`, t));
    if (!r.success) throw new Error(`bench setup refused: ${r.errorMessage}`);
  }
  // Every price moves every cycle (the busiest minute): all 1,000 positions are marked and written.
  const cycle = async (n: number): Promise<{ cpuMs: number; wallMs: number }> => {
    for (const t of tickers) sim.setPrice(t, dec(n % 2 === 0 ? '100.37' : '100.41'));
    clock.advance(60_000);
    const wall = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const brokerBefore = timed.spentMicros();
    if (!(await monitor.runCycle())) throw new Error('a measured cycle failed');
    const used = process.cpuUsage(cpu);
    // The in-process simulator stands in for a remote broker: its (CPU-bound) time is not the bot's.
    const brokerMs = (timed.spentMicros() - brokerBefore) / 1000;
    return { cpuMs: (used.user + used.system) / 1000 - brokerMs, wallMs: Number(process.hrtime.bigint() - wall) / 1e6 - brokerMs };
  };
  for (let n = 0; n < CYCLE_WARMUP; n++) await cycle(n); // a running bot's cycles find its code compiled and its caches filled
  const measured: { cpuMs: number; wallMs: number }[] = [];
  for (let n = 0; n < CYCLES_MEASURED; n++) measured.push(await cycle(CYCLE_WARMUP + n));
  return { cpuMs: median(measured.map((m) => m.cpuMs)), wallMs: median(measured.map((m) => m.wallMs)) };
}

/**
 * Bytes the JS heap allocated while `fn` ran, freed objects included (V8's
 * sampling heap profiler): an upper bound on how far the heap grew. Sampling
 * the heap's size instead misses a peak inside one synchronous stretch.
 */
async function allocatedDuring(fn: () => Promise<unknown>): Promise<number> {
  const session = new Session();
  session.connect();
  // V8 takes these flags; @types/node's protocol typings predate them.
  const params = { samplingInterval: 1024, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true };
  await session.post('HeapProfiler.startSampling', params);
  await fn();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const total = (node: { selfSize: number; children: (typeof node)[] }): number => node.selfSize + node.children.reduce((sum, c) => sum + total(c), 0);
  return total(profile.head);
}

async function performanceStats(store: Store): Promise<{ ms: number; heapMb: number }> {
  const closedAt = new Date('2026-03-20T15:00:00Z');
  const trades: ClosedPositionRecord[] = Array.from({ length: 100_000 }, (_, i) => ({
    positionId: `h-${i}`,
    ticker: `H${i % 500}`,
    side: i % 3 === 0 ? 'short' : 'long',
    quantity: dec(100),
    entryPrice: dec('50.25'),
    exitPrice: dec('50.25').plus(dec((i % 21) - 10).div(10)),
    realizedPnl: dec((i % 21) - 10).times(10),
    realizedPnlPct: dec((i % 21) - 10).div(502.5),
    exitReason: i % 2 === 0 ? 'stop_loss' : 'take_profit',
    signalId: null,
    strategy: 'bench',
    exitOrderId: null,
    entryOrderId: null,
    openedAt: new Date(closedAt.getTime() - 3_600_000),
    closedAt: new Date(closedAt.getTime() + i * 1000),
  }));
  await store.transaction((tx) => tx.closedPositions.insertMany(trades));
  for (let d = 1; d <= 30; d++) {
    const day = `2026-03-${String(d).padStart(2, '0')}`;
    const equity = dec(100_000)
      .plus(d * 137)
      .minus(d % 4 === 0 ? 900 : 0);
    await recordEod(store, day, equity);
  }
  const { sim, clock } = simWith(['X'], new Date('2026-03-31T21:00:00Z'));
  const engine = createTradingEngine({ broker: new SimBroker(sim), store, sizing: SIZING, risk: LIMITS, now: () => clock.now() });
  const start = process.hrtime.bigint();
  const stats = await engine.manager.getPerformanceStats(30);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // Memory from a second call: the heap profiler slows what it watches.
  const allocated = await allocatedDuring(() => engine.manager.getPerformanceStats(30));
  if (stats.totalTrades !== 100_000) throw new Error(`expected 100,000 trades, got ${stats.totalTrades}`);
  return { ms, heapMb: allocated / 2 ** 20 };
}

export async function benchEngine(): Promise<EngineFigures> {
  const overhead = (await withTempStore(signalOverhead)).sort((a, b) => a - b);
  const cycle = await withTempStore(monitorCycle);
  const stats = await withTempStore(performanceStats);
  return {
    overheadP50: percentile(overhead, 50),
    overheadP99: percentile(overhead, 99),
    cycleCpuMs: cycle.cpuMs,
    cycleWallMs: cycle.wallMs,
    statsMs: stats.ms,
    statsHeapMb: stats.heapMb,
  };
}

export function engineTable(runs: readonly EngineFigures[]): string {
  const m = (f: (r: EngineFigures) => number) => median(runs.map(f));
  const range = (f: (r: EngineFigures) => number, digits: number) => `${fmt(Math.min(...runs.map(f)), digits)}–${fmt(Math.max(...runs.map(f)), digits)}`;
  return [
    '| trading engine | median of runs (lowest–highest run) | target |',
    '| --- | --- | --- |',
    `| signal → order overhead (executor + risk + sizing + SQLite, broker excluded), p50 | ${fmt(
      m((r) => r.overheadP50),
      0,
    )} µs | |`,
    `| signal → order overhead, p99 | ${fmt(
      m((r) => r.overheadP99),
      0,
    )} µs (${range((r) => r.overheadP99, 0)}) | < 1,000 µs |`,
    `| monitor cycle, 1,000 open bracket positions (process CPU incl. GC threads, broker excluded; median of 10 cycles) | ${fmt(m((r) => r.cycleCpuMs))} ms (${range((r) => r.cycleCpuMs, 1)}) | < 20 ms |`,
    `| monitor cycle, 1,000 open bracket positions (wall, broker excluded; median of 10 cycles) | ${fmt(m((r) => r.cycleWallMs))} ms | |`,
    `| getPerformanceStats over 100,000 closed positions | ${fmt(m((r) => r.statsMs))} ms (${range((r) => r.statsMs, 1)}) | < 200 ms |`,
    `| getPerformanceStats heap allocated by the call (freed objects included: an upper bound on peak growth) | ${fmt(m((r) => r.statsHeapMb))} MB | |`,
  ].join('\n');
}

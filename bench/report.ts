/**
 * Daily report generation: the report with its equity chart, over
 * 90 days of end-of-day snapshots and 10,000 closed trades.
 */
import { dec } from '../src/domain/money.js';
import { SimClock } from '../src/broker/sim/clock.js';
import { SimEngine } from '../src/broker/sim/engine.js';
import { SimBroker } from '../src/broker/sim/SimBroker.js';
import { loadConfig } from '../src/config.js';
import type { Store } from '../src/db/index.js';
import type { ClosedPositionRecord } from '../src/domain/records.js';
import { addDays } from '../src/domain/marketTime.js';
import { buildDailyReport } from '../src/monitor/dailyReport.js';
import { createApp } from '../src/operator/app.js';
import { fmt, median, recordEod, withTempStore } from './stats.js';

export interface ReportFigures {
  ms: number;
  /** Peak resident memory of the process that built one report. */
  peakRssMb: number;
  /** How much building the report raised that peak above the memory in use before it. */
  growthMb: number;
}

async function seed(store: Store, day: string): Promise<void> {
  for (let d = 89; d >= 0; d--) {
    const tradingDay = addDays(day, -d);
    const equity = dec(100_000)
      .plus((90 - d) * 120)
      .minus(d % 7 === 0 ? 2500 : 0);
    await recordEod(store, tradingDay, equity);
  }
  const closedAt = new Date(`${addDays(day, -25)}T15:00:00Z`);
  const trades: ClosedPositionRecord[] = Array.from({ length: 10_000 }, (_, i) => ({
    positionId: `r-${i}`,
    ticker: `R${i % 300}`,
    side: 'long',
    quantity: dec(50),
    entryPrice: dec('80.5'),
    exitPrice: dec('80.5').plus(dec((i % 11) - 5).div(10)),
    realizedPnl: dec((i % 11) - 5).times(5),
    realizedPnlPct: dec((i % 11) - 5).div(805),
    exitReason: i % 2 ? 'take_profit' : 'stop_loss',
    signalId: null,
    strategy: 'bench',
    exitOrderId: null,
    entryOrderId: null,
    openedAt: new Date(closedAt.getTime() - 3_600_000),
    closedAt: new Date(closedAt.getTime() + i * 200_000),
  }));
  await store.transaction((tx) => tx.closedPositions.insertMany(trades));
}

/** One measurement, in this process: meant to run in a fresh child (see benchReport). */
export async function measureReportOnce(): Promise<ReportFigures> {
  return withTempStore(async (store) => {
    const day = '2026-03-31';
    await seed(store, day);
    const clock = new SimClock({ mode: 'always', start: new Date(`${day}T21:00:00Z`) });
    const broker = new SimBroker(new SimEngine({ startingCash: dec(100_000), prices: new Map([['AAPL', dec(190)]]), seed: 1, clock }));
    const app = createApp({ config: loadConfig({ DB_PATH: store.path }), broker, store, sim: broker, now: () => clock.now() });
    const rssBefore = process.memoryUsage().rss;
    const start = process.hrtime.bigint();
    const view = await buildDailyReport(app, day);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!view.image) throw new Error('report without a chart');
    // The chart is rendered in native code (resvg), so the process's peak RSS is the honest figure.
    const peakRss = process.resourceUsage().maxRSS * 1024;
    return { ms, peakRssMb: peakRss / 2 ** 20, growthMb: Math.max(0, peakRss - rssBefore) / 2 ** 20 };
  });
}

/** Each run in a fresh Node process, so the first (cold) report and its memory are measured alone. */
export async function benchReport(): Promise<ReportFigures> {
  const { execFileSync } = await import('node:child_process');
  const here = new URL('.', import.meta.url).pathname;
  const out = execFileSync(process.execPath, ['--import', `${here}../node_modules/tsx/dist/esm/index.mjs`, `${here}reportOnce.ts`], { encoding: 'utf8' });
  return JSON.parse(out) as ReportFigures;
}

export function reportTable(runs: readonly ReportFigures[]): string {
  return [
    '| daily report (90 days of snapshots, 10,000 closed trades) | median of runs |',
    '| --- | --- |',
    `| report + equity chart PNG, end to end, cold process | ${fmt(median(runs.map((r) => r.ms)))} ms |`,
    `| peak memory: growth while building it / process peak (RSS) | ${fmt(median(runs.map((r) => r.growthMb)))} MB / ${fmt(median(runs.map((r) => r.peakRssMb)))} MB |`,
  ].join('\n');
}

/**
 * The report's equity chart on sparse data: a one-day history draws the
 * day's intraday snapshots, with markers, on a y-axis fitted to the data;
 * and report PNGs go beside the test's own database (a temp folder), never
 * into the repository's data/reports.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { dec, ZERO } from '../../src/domain/money.js';
import { loadConfig } from '../../src/config.js';
import { CHART_SIZE, equityChartOption, fittedRange } from '../../src/monitor/chart.js';
import { reportsDir } from '../../src/monitor/dailyReport.js';
import type { Store } from '../../src/db/index.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

type LineSeries = { name: string; data: number[]; showSymbol: boolean; symbol: string };
type Axis = { min: number; max: number; data?: string[]; boundaryGap?: boolean };

const intraday = (store: Store, at: string, equity: string) =>
  store.equity.record({
    takenAt: new Date(at),
    tradingDay: '2026-03-02',
    kind: 'intraday',
    equity: dec(equity),
    cash: dec(equity),
    positionsValue: ZERO,
    unrealizedPnl: ZERO,
    realizedPnlDay: ZERO,
    openPositions: 0,
  });

/** Pixels of the equity line's blue (#2563eb) inside the plot area (below the title and legend). */
function bluePixels(path: string): number {
  const png = PNG.sync.read(readFileSync(path));
  expect([png.width, png.height]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
  let blue = 0;
  for (let y = 60; y < png.height; y++) {
    for (let x = 80; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      if (b > 180 && r < 120 && g < 160) blue++;
    }
  }
  return blue;
}

describe('equity chart on sparse data', () => {
  it('fits the y-axis to the data, with markers, even for one point', () => {
    const option = equityChartOption([{ day: '2026-03-02', equity: dec(100_000) }], 'one day');
    const [equity] = option.series as LineSeries[];
    const y = option.yAxis as Axis;
    // One point at $100,000: 0.2% padding, ticks every $100, not ECharts' $40k–$160k.
    expect([equity?.data, equity?.showSymbol, equity?.symbol, y.min, y.max, (option.xAxis as Axis).boundaryGap]).toEqual([
      [100_000],
      true,
      'circle',
      99_800,
      100_200,
      true,
    ]);
    expect(fittedRange([99_500, 100_800])).toEqual({ min: 99_000, max: 101_500, interval: 500 });
  });

  it('keeps the drawdown band between the equity and its running peak', () => {
    const option = equityChartOption(
      [
        { day: 'a', equity: dec(100) },
        { day: 'b', equity: dec(90) },
        { day: 'c', equity: dec(150) },
        { day: 'd', equity: dec(138) },
      ],
      'dd',
    );
    const byName = Object.fromEntries((option.series as LineSeries[]).map((s) => [s.name, s.data]));
    expect(byName).toEqual({ Equity: [100, 90, 150, 138], Drawdown: [0, 10, 0, 12], Peak: [100, 100, 150, 150] });
  });

  const newStore = useTempStore();

  it('draws the intraday snapshots of a first day, and the PNG shows them', async () => {
    const t = await operatorHarness(await newStore());
    // The simulated clock is 2026-03-02 15:00Z (10:00 New York); the account is at $100,000.
    await intraday(t.store, '2026-03-02T14:35:00Z', '100000');
    await intraday(t.store, '2026-03-02T14:45:00Z', '100800');
    await intraday(t.store, '2026-03-02T14:55:00Z', '99500');
    const { chart } = await t.app.operator.report('2026-03-02');
    expect(chart.title).toBe('Equity, 2026-03-02 (intraday, New York time)');
    expect(chart.points.map((p) => [p.day, p.equity.toFixed()])).toEqual([
      ['09:35', '100000'],
      ['09:45', '100800'],
      ['09:55', '99500'],
      ['10:00', '100000'],
    ]);
    const option = equityChartOption(chart.points, chart.title);
    const [equity] = option.series as LineSeries[];
    const y = option.yAxis as Axis;
    expect([(option.xAxis as Axis).data, equity?.data, equity?.showSymbol]).toEqual([
      ['09:35', '09:45', '09:55', '10:00'],
      [100_000, 100_800, 99_500, 100_000],
      true,
    ]);
    // Data 99,500–100,800 (the peak), padded by 0.2% of the level (201.6, more than 10% of the range), on ticks of $500.
    expect([y.min, y.max]).toEqual([99_000, 101_500]);

    const out = await t.type('/report');
    const path = /Chart saved: (.+\.png)/.exec(out)?.[1] ?? '';
    expect(path).toBe(join(reportsDir(t.app.config), '2026-03-02.png'));
    expect(path.startsWith(tmpdir())).toBe(true);
    expect(bluePixels(path)).toBeGreaterThan(300);
  });

  it('writes reports to REPORTS_DIR when set, else beside the database (DB_PATH)', async () => {
    const store = await newStore();
    const t = await operatorHarness(store);
    expect(reportsDir(t.app.config)).toBe(join(store.path, '..', 'reports'));
    expect(reportsDir(loadConfig({ REPORTS_DIR: '/srv/reports', DB_PATH: store.path }))).toBe('/srv/reports');
    expect(loadConfig({}).reportsDir).toBeNull();
  });
});

/**
 * The backtest's equity.png: the daily report's chart over the run's equity,
 * its deepest drawdown marked (peak, trough and recovery found exactly), and
 * buy and hold as a reference line carrying the benchmark's values.
 */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { backtestChartOption, chartPoints, renderBacktestChart } from '../../src/backtest/chart.js';
import type { EquityRow } from '../../src/backtest/replay.js';
import { deepestDrawdown, drawdownEpisodes, equityChartOption } from '../../src/chart/equityChart.js';
import { dec } from '../../src/domain/money.js';
import { CHART_SIZE } from '../../src/monitor/chart.js';

type Series = { name: string; data: (number | null)[]; markArea?: { data: [{ name: string; xAxis: number }, { xAxis: number }][] } };
type Axis = { min: number; max: number; data?: string[] };

const DAYS = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12'];

/** Daily rows as the replay gives them (bars dated 00:00Z), one per day above. */
const rows = (values: readonly string[]): EquityRow[] =>
  values.map((v, i) => ({ timestamp: new Date(`${DAYS[i] ?? ''}T00:00:00Z`), day: DAYS[i] ?? '', equity: dec(v) }));

// Down 10% and back exactly to the peak; a new high of $120,000; then down 15% to $102,000 and not recovered by the end.
const EQUITY = rows(['100000', '90000', '95000', '100000', '120000', '108000', '102000', '110000', '115000']);
const BENCHMARK = rows(['100000', '99500.25', '101000', '100250.5', '103000', '104000.75', '99000', '98000.1', '105000']);

const seriesOf = (option: ReturnType<typeof equityChartOption>) => option.series as Series[];
const byName = (option: ReturnType<typeof equityChartOption>) => Object.fromEntries(seriesOf(option).map((s) => [s.name, s.data]));

describe('drawdown episodes', () => {
  it('finds each stretch below the running peak: its peak, trough and recovery, exactly', () => {
    const episodes = drawdownEpisodes(chartPoints(EQUITY)).map((e) => ({ ...e, peak: e.peak.toFixed(), trough: e.trough.toFixed(), depth: e.depth.toFixed() }));
    expect(episodes).toEqual([
      // Back to exactly $100,000 counts as recovered.
      { peakIndex: 0, troughIndex: 1, recoveryIndex: 3, peak: '100000', trough: '90000', depth: '0.1' },
      { peakIndex: 4, troughIndex: 6, recoveryIndex: null, peak: '120000', trough: '102000', depth: '0.15' },
    ]);
    expect(deepestDrawdown(chartPoints(EQUITY))?.peakIndex).toBe(4);
    // The deepest by fraction, not dollars: 100k → 90k (10%, $10,000) beats 150k → 138k (8%, $12,000).
    const twoFalls = ['100', '90', '150', '138'].map((v, i) => ({ day: DAYS[i] ?? '', equity: dec(v) }));
    expect(deepestDrawdown(twoFalls)?.troughIndex).toBe(1);
    expect([drawdownEpisodes([]), deepestDrawdown(chartPoints(rows(['100', '101', '101'])))]).toEqual([[], null]);
  });
});

describe('backtest chart', () => {
  it('draws the equity, its drawdown band, and buy and hold with exactly the benchmark values', () => {
    const option = backtestChartOption({ equity: EQUITY, benchmark: BENCHMARK }, 'Backtest equity');
    expect((option.xAxis as Axis).data).toEqual(DAYS);
    expect((option.legend as { data: string[] }).data).toEqual(['Equity', 'Peak', 'Drawdown', 'Buy and hold']);
    expect(byName(option)).toEqual({
      Equity: [100_000, 90_000, 95_000, 100_000, 120_000, 108_000, 102_000, 110_000, 115_000],
      Drawdown: [0, 10_000, 5_000, 0, 0, 12_000, 18_000, 10_000, 5_000],
      Peak: [100_000, 100_000, 100_000, 100_000, 120_000, 120_000, 120_000, 120_000, 120_000],
      'Buy and hold': [100_000, 99_500.25, 101_000, 100_250.5, 103_000, 104_000.75, 99_000, 98_000.1, 105_000],
    });
    // The deepest episode shaded from its peak (index 4) to the end (index 8, not recovered), labelled with its depth.
    expect(seriesOf(option)[0]?.markArea?.data).toEqual([[{ name: 'Max drawdown −15.00%', xAxis: 4 }, { xAxis: 8 }]]);
    const y = option.yAxis as Axis;
    // 90,000–120,000 padded by 3,000 on each side, on ticks of 10,000.
    expect([y.min, y.max]).toEqual([80_000, 130_000]);
  });

  it('draws no reference line without a benchmark, and the y-axis makes room for a benchmark below the equity', () => {
    const alone = backtestChartOption({ equity: EQUITY, benchmark: [] }, 'Backtest equity');
    expect([(alone.legend as { data: string[] }).data, seriesOf(alone).map((s) => s.name)]).toEqual([
      ['Equity', 'Peak', 'Drawdown'],
      ['Equity', 'Drawdown', 'Peak'],
    ]);
    expect(seriesOf(alone)[0]?.markArea?.data).toEqual([[{ name: 'Max drawdown −15.00%', xAxis: 4 }, { xAxis: 8 }]]);
    const low = backtestChartOption(
      { equity: EQUITY, benchmark: rows(['100000', '80000', '60000', '70000', '75000', '76000', '77000', '78000', '79000']) },
      't',
    );
    // 60,000–120,000 padded by 6,000 on each side, on ticks of 20,000.
    expect([(low.yAxis as Axis).min, (low.yAxis as Axis).max]).toEqual([40_000, 140_000]);
  });

  it('matches the reference to the equity by day, leaving a gap where it has none', () => {
    const points = chartPoints(EQUITY.slice(0, 3));
    const option = equityChartOption(points, 't', {
      reference: { name: 'SPY', points: chartPoints([BENCHMARK[2], BENCHMARK[0]].filter((r) => r !== undefined)) },
    });
    expect(byName(option).SPY).toEqual([100_000, null, 101_000]);
  });

  it("keeps the daily report's chart as it was: no reference line, no marked drawdown", () => {
    const option = equityChartOption(chartPoints(EQUITY), 'Equity');
    expect([(option.legend as { data: string[] }).data, seriesOf(option).map((s) => s.name), seriesOf(option)[0]?.markArea]).toEqual([
      ['Equity', 'Peak', 'Drawdown'],
      ['Equity', 'Drawdown', 'Peak'],
      undefined,
    ]);
  });

  it('renders a PNG of the chart size with the buy-and-hold line and the marked drawdown in it', () => {
    const png = renderBacktestChart({ equity: EQUITY, benchmark: BENCHMARK }, 'Backtest equity');
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.length).toBeLessThan(500_000);
    const image = PNG.sync.read(png);
    expect([image.width, image.height]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
    let amber = 0;
    let faintRed = 0;
    for (let i = 0; i < image.data.length; i += 4) {
      const [r, g, b] = [image.data[i] ?? 0, image.data[i + 1] ?? 0, image.data[i + 2] ?? 0];
      // The dashed buy-and-hold line (#d97706).
      if (r > 190 && g > 90 && g < 150 && b < 60) amber++;
      // The marked episode behind the curve: 8% red on white.
      if (r > 245 && g > 225 && g < 240 && b > 225 && b < 240) faintRed++;
    }
    expect(amber).toBeGreaterThan(300);
    expect(faintRed).toBeGreaterThan(5_000);
  });
});

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBacktest, type BacktestOptions } from '../../src/backtest/replay.js';
import { sweepCsv, sweepTable } from '../../src/backtest/sweep/csv.js';
import { describeCombination, expandGrid, sweepSchema, type SweepAxis } from '../../src/backtest/sweep/grid.js';
import { runSweep, SweepError } from '../../src/backtest/sweep/pool.js';
import { createProgressBar, progressText } from '../../src/backtest/sweep/progress.js';
import type { SweepTask } from '../../src/backtest/sweep/run.js';
import { openStore } from '../../src/db/index.js';
import { dec } from '../../src/domain/money.js';
import { signalRecord } from '../helpers/fixtures.js';
import { parseBacktestArgs, runBacktestCommand, runSweepCommand } from '../../scripts/backtest.js';
import { useTempDir, useTempStore } from '../helpers/tempDb.js';
import { argRefusal } from './argRefusal.js';
import { SCENARIO_BARS, SCENARIO_SIGNALS } from './scenario.js';

const newDir = useTempDir();
const newStore = useTempStore();

function inputs(): { dir: string; bars: string; signals: string } {
  const dir = newDir();
  writeFileSync(join(dir, 'bars.csv'), SCENARIO_BARS);
  // s3 and s5 are less confident: a confidence sweep leaves them out at 0.6.
  writeFileSync(join(dir, 'signals.csv'), SCENARIO_SIGNALS.replace(/^(s[35],[^\n]*?buy,)0\.6,/gm, '$10.5,'));
  return { dir, bars: join(dir, 'bars.csv'), signals: join(dir, 'signals.csv') };
}

describe('--sweep arguments', () => {
  const base = ['--bars', 'b.csv', '--signals', 's.csv'];

  it('reads each --sweep as one axis, in the order given, and expands their product with the first varying slowest', () => {
    const args = parseBacktestArgs([...base, '--sweep', 'sizing=risk,kelly', '--sweep', 'min_confidence=0.6, 0.7,0.8']);
    expect(args.sweep).toEqual([
      { name: 'sizing', values: ['risk', 'kelly'] },
      { name: 'min_confidence', values: ['0.6', '0.7', '0.8'] },
    ]);
    expect(expandGrid(args.sweep).map(describeCombination)).toEqual([
      'sizing=risk min_confidence=0.6',
      'sizing=risk min_confidence=0.7',
      'sizing=risk min_confidence=0.8',
      'sizing=kelly min_confidence=0.6',
      'sizing=kelly min_confidence=0.7',
      'sizing=kelly min_confidence=0.8',
    ]);
    expect(parseBacktestArgs(base).sweep).toEqual([]);
    expect(expandGrid([])).toEqual([]);
  });

  it('accepts every name with the single-run rules, fractions as the configuration holds them', () => {
    const axes: SweepAxis[] = sweepSchema.parse([
      'risk_per_trade_pct=0.01,1',
      'max_position_size_pct=0.05',
      'slippage_bps=0,9999',
      'commission=0,0.005',
      'min_confidence=0,1',
      'sizing=percent',
    ]);
    expect(axes.map((a) => a.name)).toEqual(['risk_per_trade_pct', 'max_position_size_pct', 'slippage_bps', 'commission', 'min_confidence', 'sizing']);
  });

  it('refuses an unknown name, a bad value, a name given twice and an empty list, naming the option and the value', () => {
    expect(argRefusal([...base, '--sweep', 'leverage=1,2'])).toBe(
      '--sweep leverage=1,2: unknown name "leverage"; expected one of min_confidence, sizing, risk_per_trade_pct, max_position_size_pct, slippage_bps, commission',
    );
    expect(argRefusal([...base, '--sweep', 'sizing'])).toBe(
      '--sweep sizing: expected name=a,b,c with a name of min_confidence, sizing, risk_per_trade_pct, max_position_size_pct, slippage_bps, commission',
    );
    expect(argRefusal([...base, '--sweep', 'sizing=risk,all-in'])).toBe('--sweep sizing: expected one of risk, percent, kelly, calibrated_kelly, got "all-in"');
    expect(argRefusal([...base, '--sweep', 'min_confidence=0.5,1.2'])).toBe('--sweep min_confidence: expected a confidence from 0 to 1, got "1.2"');
    expect(argRefusal([...base, '--sweep', 'risk_per_trade_pct=2'])).toBe(
      '--sweep risk_per_trade_pct: expected a fraction of equity above 0 and at most 1 (0.02 = 2%), got "2"',
    );
    expect(argRefusal([...base, '--sweep', 'max_position_size_pct=0'])).toBe(
      '--sweep max_position_size_pct: expected a fraction of equity above 0 and at most 1 (0.02 = 2%), got "0"',
    );
    expect(argRefusal([...base, '--sweep', 'slippage_bps=10000'])).toBe('--sweep slippage_bps: expected basis points from 0 to 9999, got "10000"');
    expect(argRefusal([...base, '--sweep', 'commission=-0.01'])).toBe('--sweep commission: expected dollars per share, 0 or more, got "-0.01"');
    expect(argRefusal([...base, '--sweep', 'commission=abc'])).toBe('--sweep commission: expected dollars per share, 0 or more, got "abc"');
    expect(argRefusal([...base, '--sweep', 'sizing=risk', '--sweep', 'sizing=kelly'])).toBe(
      '--sweep sizing: given twice; list all its values in one --sweep sizing=a,b,c',
    );
    expect(argRefusal([...base, '--sweep', 'sizing='])).toBe('--sweep sizing=: expected a list of values, sizing=a,b,c, with none empty');
    expect(argRefusal([...base, '--sweep', 'sizing=risk,,kelly'])).toBe('--sweep sizing=risk,,kelly: expected a list of values, sizing=a,b,c, with none empty');
    expect(argRefusal([...base, '--sweep', 'min_confidence=0.5,0.50'])).toBe('--sweep min_confidence: the value "0.50" is given twice');
    expect(
      argRefusal([
        ...base,
        '--sweep',
        'slippage_bps=1,2,3,4,5,6,7,8,9,10',
        '--sweep',
        'commission=1,2,3,4,5,6,7,8,9,10',
        '--sweep',
        'min_confidence=0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1',
      ]),
    ).toBe('--sweep: 1100 combinations; at most 1000');
    expect(argRefusal([...base, '--sizing', 'risk', '--sweep', 'sizing=risk,kelly'])).toBe('--sizing: give it or --sweep sizing, not both');
    expect(argRefusal([...base, '--commission', '0', '--sweep', 'commission=0,0.01'])).toBe('--commission: give it or --sweep commission, not both');
    expect(argRefusal(['--bars', 'b', '--history', '5', '--min-confidence', '0.5', '--sweep', 'min_confidence=0.6'])).toBe(
      '--min-confidence: give it or --sweep min_confidence, not both',
    );
  });
});

describe('progress bar', () => {
  it('renders done of total in the given width, the bar shrinking first', () => {
    expect(progressText(0, 1000, 60, 'bars')).toBe('[--------------------------------------]   0%    0/1000 bars');
    // The count is padded to the total's digits, so the bar keeps its length: 38 columns, 40% of them filled.
    expect(progressText(400, 1000, 60, 'bars')).toBe('[###############-----------------------]  40%  400/1000 bars');
    expect(progressText(3, 3, 40, 'combinations')).toBe('[################] 100% 3/3 combinations');
    // Too narrow for a bar: the figures alone.
    expect(progressText(1, 3, 20, 'combinations')).toBe('33% 1/3 combinations');
    expect(progressText(0, 0, 30, 'bars')).toBe('[##############] 100% 0/0 bars');
  });

  it('redraws at most every 200 ms, always draws the last figure, and erases itself at the end', () => {
    const written: string[] = [];
    let t = 1_000;
    const bar = createProgressBar({ write: (s: string) => written.push(s), columns: 41 }, 'bars', () => t);
    bar.update(1, 10);
    t += 100;
    bar.update(2, 10);
    t += 100;
    bar.update(3, 10);
    t += 1;
    bar.update(10, 10);
    bar.end();
    bar.update(10, 10);
    expect(written).toEqual([
      '\r[##--------------------]  10%  1/10 bars\x1b[K',
      '\r[######----------------]  30%  3/10 bars\x1b[K',
      '\r[######################] 100% 10/10 bars\x1b[K',
      '\r\x1b[K',
    ]);
  });
});

/** The scenario's run settings, as the single runs below are given them. */
const SETTINGS = {
  startingCash: dec(100_000),
  risk: { maxOpenPositions: 10, maxExposurePct: dec(1), maxDailyLossPct: dec('0.5'), maxDrawdownPct: dec('0.5') },
};

function task(bars: string, signals: string): SweepTask {
  return {
    bars: [bars],
    startingCash: '100000',
    sizing: { method: 'percent', maxPositionSizePct: '0.10', riskPerTradePct: '0.02', kellyFraction: '0.5' },
    risk: { maxOpenPositions: 10, maxExposurePct: '1', maxDailyLossPct: '0.5', maxDrawdownPct: '0.5', reduceAtDailyLossPct: null },
    costs: { slippageBps: '10', commissionPerShare: '0.01' },
    source: { kind: 'file', path: signals },
  };
}

describe('runSweep', () => {
  it('gives each combination the figures it has when run alone, in the grid order, whatever the finishing order', async () => {
    const { bars, signals } = inputs();
    const axes = sweepSchema.parse(['sizing=percent,risk', 'slippage_bps=10,0']);
    const combinations = expandGrid(axes);
    const progress: string[] = [];
    const swept = await runSweep(task(bars, signals), combinations, { workers: 2, onProgress: (d, t) => progress.push(`${d}/${t}`) });
    const alone = async (method: 'percent' | 'risk', slippage: string) => {
      const options: BacktestOptions = {
        ...SETTINGS,
        bars: [bars],
        signals,
        sizing: { method, maxPositionSizePct: dec('0.10'), riskPerTradePct: dec('0.02'), kellyFraction: dec('0.5') },
        costs: { slippageBps: dec(slippage), commissionPerShare: dec('0.01') },
        store: await newStore(),
      };
      return (await runBacktest(options)).summary;
    };
    const expected = [await alone('percent', '10'), await alone('percent', '0'), await alone('risk', '10'), await alone('risk', '0')];
    expect(swept).toEqual(expected);
    // The scenario's hand-computed run is the first combination.
    expect(swept[0]).toMatchObject({ ending_equity: '99934.48', trades: 3, signals: 5, signals_refused: 1 });
    expect(new Set(swept.map((s) => s.ending_equity)).size).toBe(4);
    expect(progress).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it('fails the whole sweep on one failing combination, naming it', async () => {
    const { dir, signals } = inputs();
    const bars = join(dir, 'bad.csv');
    writeFileSync(bars, SCENARIO_BARS.replace('AAA,2024-01-05,108,109,107,108', 'AAA,2024-01-05,108,109,107,abc'));
    // A folder of its own for the sweep's scratch, so that other runs on the machine cannot muddle the check.
    const scratchParent = join(dir, 'scratch');
    mkdirSync(scratchParent);
    const combinations = expandGrid(sweepSchema.parse(['sizing=percent,risk']));
    const failure = runSweep(task(bars, signals), combinations, { workers: 2, scratchParent });
    await expect(failure).rejects.toThrow(SweepError);
    await expect(failure).rejects.toThrow(
      /^sweep combination sizing=(percent|risk) failed: .*bad\.csv:11: close: expected a number such as 184\.50, got "abc"$/,
    );
    await expect(failure).rejects.toMatchObject({ input: true });
    // The other worker is stopped wherever it was, and no run's scratch folder is left behind.
    expect(readdirSync(scratchParent)).toEqual([]);
  });
});

describe('npm run backtest -- --sweep', () => {
  it('writes sweep.csv, one row per combination, each the same as the single run with those options', async () => {
    const { dir, bars, signals } = inputs();
    const env = { DB_PATH: join(dir, 'trading.db'), SIZING_METHOD: 'percent' };
    const common = ['--bars', bars, '--signals', signals, '--slippage-bps', '10'];
    const run = await runSweepCommand(
      [...common, '--sweep', 'commission=0.01,0', '--sweep', 'min_confidence=0,0.6', '--out', join(dir, 'sweep')],
      env,
      undefined,
      {
        workers: 2,
      },
    );
    expect(run.file).toBe(join(dir, 'sweep', 'sweep.csv'));
    const lines = readFileSync(run.file, 'utf8').split('\n');
    expect(lines[0]).toBe(
      'commission,min_confidence,start,end,starting_cash,ending_equity,total_return_pct,cagr_pct,sharpe,sortino,max_drawdown,max_drawdown_pct,trades,open_positions,win_rate,profit_factor,exposure_pct,bars,signals,signals_refused',
    );
    expect(lines[1]).toBe(
      '0.01,0,2024-01-02T00:00:00.000Z,2024-01-08T00:00:00.000Z,100000,99934.48,-0.0655,-3.9113,-1.6483,-2.2383,227.5,0.2272,3,1,33.3333,0.8562,60,15,5,1',
    );
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('');
    // Without the less confident s3 and s5, the 0.6 rows replay s1, s2 and s4 only.
    expect(run.rows.map((r) => [describeCombination(r.combination), r.summary.signals])).toEqual([
      ['commission=0.01 min_confidence=0', 5],
      ['commission=0.01 min_confidence=0.6', 3],
      ['commission=0 min_confidence=0', 5],
      ['commission=0 min_confidence=0.6', 3],
    ]);
    // Each row is what one run gives: a confidence sweep over a file is the file without the signals below it.
    const withoutLow = join(dir, 'confident.csv');
    writeFileSync(
      withoutLow,
      readFileSync(signals, 'utf8')
        .split('\n')
        .filter((l) => !/^s[35],/.test(l))
        .join('\n'),
    );
    for (const [i, [commission, file]] of (
      [
        ['0.01', signals],
        ['0.01', withoutLow],
        ['0', signals],
        ['0', withoutLow],
      ] as const
    ).entries()) {
      const single = await runBacktestCommand(
        ['--bars', bars, '--signals', file, '--slippage-bps', '10', '--commission', commission, '--out', join(dir, `single${i}`)],
        env,
      );
      expect(run.rows[i]?.summary).toEqual(single.result.summary);
    }
    expect(sweepCsv(run.rows)).toBe(readFileSync(run.file, 'utf8'));
    expect(sweepTable(run.rows).split('\n')[0]).toBe(
      'commission  min_confidence  ending_equity  total_return_pct  sharpe   max_drawdown_pct  trades  win_rate  profit_factor  signals_refused',
    );
  });

  it('sweeps a strategy, each worker loading the module itself', async () => {
    const dir = newDir();
    const bars = join(dir, 'bars.csv');
    writeFileSync(
      bars,
      [
        'symbol,timestamp,open,high,low,close,volume',
        ...Array.from({ length: 10 }, (_, i) => `AAA,2024-01-${String(i + 1).padStart(2, '0')},10,10.2,9.9,10,1000`),
        'AAA,2024-01-11,10.5,11,10.3,10.8,1500',
        'AAA,2024-01-12,10.9,11.5,10.7,11.4,1000',
        'AAA,2024-01-13,11.6,12,11.5,11.9,1000',
      ].join('\n'),
    );
    const env = { DB_PATH: join(dir, 'trading.db'), SIZING_METHOD: 'risk' };
    const run = await runSweepCommand(
      ['--bars', bars, '--strategy', 'examples/gapAndGo.ts', '--sweep', 'max_position_size_pct=0.1,0.05', '--out', join(dir, 'sweep')],
      env,
      undefined,
      {
        workers: 2,
      },
    );
    // 10% of 100,000 at 10.80 is 925 shares (851 gained); 5% is 462: 462 × 0.92 = 425.04.
    expect(run.rows.map((r) => r.summary.ending_equity)).toEqual(['100851', '100425.04']);
  });

  it('sweeps the stored signals (--history), read once and handed to every run as they were stored', async () => {
    const { dir, bars, signals } = inputs();
    const dbPath = join(dir, 'trading.db');
    const live = await openStore(dbPath);
    for (const row of readFileSync(signals, 'utf8').trim().split('\n').slice(1)) {
      const [id, ticker, time, , confidence, entry, stop, target, pct] = row.split(',') as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      await live.signals.insertIfNew(
        signalRecord({
          signalId: id,
          ticker,
          signalTime: new Date(time),
          receivedAt: new Date(time),
          entryPrice: dec(entry),
          stopLossPrice: dec(stop),
          takeProfitPrice: dec(target),
          positionSizePct: dec(pct),
          confidence: dec(confidence),
        }),
      );
    }
    await live.close();
    const env = { DB_PATH: dbPath, SIZING_METHOD: 'percent' };
    const now = () => new Date('2024-01-09T00:00:00Z');
    const common = ['--bars', bars, '--history', '7', '--slippage-bps', '10', '--commission', '0.01'];
    const run = await runSweepCommand([...common, '--sweep', 'min_confidence=0.5,0.6', '--out', join(dir, 'sweep')], env, now, { workers: 2 });
    const single = async (min: string) => (await runBacktestCommand([...common, '--min-confidence', min, '--out', join(dir, min)], env, now)).result.summary;
    expect(run.rows.map((r) => r.summary)).toEqual([await single('0.5'), await single('0.6')]);
    expect(run.rows.map((r) => [r.summary.ending_equity, r.summary.signals])).toEqual([
      ['99934.48', 5],
      // Without s3: s4's 5% is of 100,000 + 494 − 312, still 46 shares, marked +17.48.
      ['100199.48', 3],
    ]);
  });
});

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BarInputError } from '../../src/backtest/input/errors.js';
import { BacktestArgumentError, parseBacktestArgs, runBacktestCommand } from '../../scripts/backtest.js';
import { useTempDir } from '../helpers/tempDb.js';
import { SCENARIO_BARS, SCENARIO_SIGNALS } from './scenario.js';

const newDir = useTempDir();

function inputs(): { dir: string; bars: string; signals: string } {
  const dir = newDir();
  writeFileSync(join(dir, 'bars.csv'), SCENARIO_BARS);
  writeFileSync(join(dir, 'signals.csv'), SCENARIO_SIGNALS);
  return { dir, bars: join(dir, 'bars.csv'), signals: join(dir, 'signals.csv') };
}

describe('npm run backtest', () => {
  it('writes the four files under REPORTS_DIR-or-beside-DB_PATH and never opens the live database', async () => {
    const { dir, bars, signals } = inputs();
    const dbPath = join(dir, 'data', 'trading.db');
    // A stand-in for the live database: it must come out byte for byte as it went in, with no SQLite files beside it.
    mkdirSync(join(dir, 'data'));
    writeFileSync(dbPath, 'live database');
    const env = { DB_PATH: dbPath, SIZING_METHOD: 'risk' };
    const argv = ['--bars', bars, '--signals', signals, '--sizing', 'percent', '--slippage-bps', '10', '--commission', '0.01'];
    const run = await runBacktestCommand(argv, env, () => new Date('2026-12-07T10:41:30.123Z'));
    const out = join(dir, 'data', 'reports', 'backtests', '2026-12-07T10-41-30Z');
    expect(run.dir).toBe(out);
    expect(readdirSync(out).sort()).toEqual(['equity.csv', 'equity.png', 'summary.json', 'trades.csv']);
    expect(readFileSync(dbPath, 'utf8')).toBe('live database');
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(['reports', 'trading.db']);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({ ending_equity: '99934.48', trades: 3, signals: 5, signals_refused: 1 });
    expect(readFileSync(join(out, 'trades.csv'), 'utf8').split('\n')[4]).toBe('s4,AAA,long,46,2024-01-08T00:00:00.000Z,109.11,,,,17.48');
    expect(readFileSync(join(out, 'equity.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('writes into --out, with the default cash, no costs and the configured sizing', async () => {
    const { dir, bars, signals } = inputs();
    const out = join(dir, 'run');
    const run = await runBacktestCommand(['--bars', bars, '--signals', signals, '--out', out], { DB_PATH: join(dir, 'trading.db'), SIZING_METHOD: 'percent' });
    expect(run.dir).toBe(out);
    // No slippage or commission: s1 is 50 × (110 − 100) = 500.
    expect(readFileSync(join(out, 'trades.csv'), 'utf8').split('\n')[1]).toBe(
      's1,AAA,long,50,2024-01-03T00:00:00.000Z,100,2024-01-04T00:00:00.000Z,110,take_profit,500',
    );
  });

  it('writes nothing when an input file is bad', async () => {
    const { dir, signals } = inputs();
    const bars = join(dir, 'bad.csv');
    writeFileSync(bars, SCENARIO_BARS.replace('AAA,2024-01-05,108,109,107,108', 'AAA,2024-01-05,108,109,107,abc'));
    const out = join(dir, 'run');
    await expect(runBacktestCommand(['--bars', bars, '--signals', signals, '--out', out], { DB_PATH: join(dir, 'trading.db') })).rejects.toThrow(BarInputError);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses bad arguments with one line each', () => {
    const bad = (argv: string[]) => {
      try {
        parseBacktestArgs(argv);
      } catch (error) {
        expect(error).toBeInstanceOf(BacktestArgumentError);
        return (error as Error).message.split('\n')[0];
      }
      throw new Error('accepted');
    };
    expect(bad(['--signals', 's.csv'])).toBe('--bars: required (a bars CSV file or a folder of them)');
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--cash=-5'])).toBe('--cash: expected a positive amount, got "-5"');
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--sizing', 'all-in'])).toBe('--sizing: expected one of risk, percent, kelly');
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--from', '2024-02-30'])).toBe(
      '--from: expected a date YYYY-MM-DD or an ISO time with its zone, got "2024-02-30"',
    );
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--from', '2024-02-02', '--to', '2024-02-01'])).toBe('--to: must not be before --from');
    expect(bad(['--bars', 'b', '--sweep', 'x'])).toBe('--sweep: not yet supported; give a --signals file');
  });

  it('parses dates as whole UTC days and times with their zone', () => {
    const args = parseBacktestArgs(['--bars', 'a', '--bars', 'b', '--signals', 's.csv', '--from', '2024-01-03', '--to', '2024-01-04']);
    expect(args.bars).toEqual(['a', 'b']);
    expect(args.from?.toISOString()).toBe('2024-01-03T00:00:00.000Z');
    expect(args.to?.toISOString()).toBe('2024-01-04T23:59:59.999Z');
    expect(args.cash.toFixed()).toBe('100000');
    expect(parseBacktestArgs(['--bars', 'a', '--signals', 's', '--from', '2024-01-03T09:30:00-05:00']).from?.toISOString()).toBe('2024-01-03T14:30:00.000Z');
  });
});

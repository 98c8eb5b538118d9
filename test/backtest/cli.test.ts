import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BarInputError } from '../../src/backtest/input/errors.js';
import { openStore } from '../../src/db/index.js';
import { dec } from '../../src/domain/money.js';
import type { SignalStatus } from '../../src/domain/records.js';
import { parseBacktestArgs, runBacktestCommand } from '../../scripts/backtest.js';
import { signalRecord } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/tempDb.js';
import { argRefusal } from './argRefusal.js';
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
    const bad = argRefusal;
    expect(bad(['--signals', 's.csv'])).toBe('--bars: required (a bars CSV file or a folder of them)');
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--cash=-5'])).toBe('--cash: expected a positive amount, got "-5"');
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--sizing', 'all-in'])).toBe('--sizing: expected one of risk, percent, kelly, calibrated_kelly');
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--from', '2024-02-30'])).toBe(
      '--from: expected a date YYYY-MM-DD or an ISO time with its zone, got "2024-02-30"',
    );
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--from', '2024-02-02', '--to', '2024-02-01'])).toBe('--to: must not be before --from');
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--sweep', 'x'])).toBe(
      '--sweep x: expected name=a,b,c with a name of min_confidence, sizing, risk_per_trade_pct, max_position_size_pct, slippage_bps, commission',
    );
    expect(bad(['--bars', 'b'])).toBe('give the signals: --signals FILE, --strategy FILE.ts or --history DAYS');
    expect(bad(['--bars', 'b', '--signals', 's.csv', '--history', '5'])).toBe('give one source of signals, not --signals and --history');
    expect(bad(['--history', '30'])).toBe('--bars: required with --history too: the stored signals are replayed over bars files (npm run bars writes them)');
    expect(bad(['--bars', 'b', '--history', '1.5'])).toBe('--history: expected a whole number of days');
    expect(bad(['--bars', 'b', '--history', '0'])).toBe('--history: expected 1 to 36500 days');
    expect(bad(['--bars', 'b', '--history', '30', '--min-confidence', '1.2'])).toBe('--min-confidence: expected a confidence from 0 to 1, got "1.2"');
    expect(bad(['--bars', 'b', '--strategy', 'x.ts', '--min-confidence', '0.5'])).toBe('--min-confidence: only with --history');
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

/** Ten quiet days, then a 5% gap on 1.5× the volume (gapAndGo's buy), its entry day, and a day through the target. */
const GAP_BARS = [
  'symbol,timestamp,open,high,low,close,volume',
  ...Array.from({ length: 10 }, (_, i) => `AAA,2024-01-${String(i + 1).padStart(2, '0')},10,10.2,9.9,10,1000`),
  'AAA,2024-01-11,10.5,11,10.3,10.8,1500',
  'AAA,2024-01-12,10.9,11.5,10.7,11.4,1000',
  'AAA,2024-01-13,11.6,12,11.5,11.9,1000',
].join('\n');

describe('npm run backtest -- --strategy', () => {
  it('runs an example strategy over the bars: its signal fills on the next bar, never on its own', async () => {
    const dir = newDir();
    const bars = join(dir, 'bars.csv');
    writeFileSync(bars, GAP_BARS);
    const out = join(dir, 'run');
    const run = await runBacktestCommand(['--bars', bars, '--strategy', 'examples/gapAndGo.ts', '--out', out], {
      DB_PATH: join(dir, 'trading.db'),
      SIZING_METHOD: 'risk',
    });
    // Risk sizing: 2% of 100,000 over the 0.51 risk is 3,921 shares, capped at 10% of equity: 10,000 / 10.80 = 925.
    // Entry at the 01-12 open 10.90; the 01-13 high 12 reaches the 11.82 target: 925 × 0.92 = 851.
    expect(readFileSync(join(out, 'trades.csv'), 'utf8').split('\n').slice(0, 3)).toEqual([
      'signal_id,ticker,side,quantity,entry_time,entry_price,exit_time,exit_price,exit_reason,pnl',
      'gap-and-go-AAA-2024-01-11T00:00:00Z,AAA,long,925,2024-01-12T00:00:00.000Z,10.9,2024-01-13T00:00:00.000Z,11.82,take_profit,851',
      '',
    ]);
    expect(run.result.summary).toMatchObject({ ending_equity: '100851', trades: 1, signals: 1, signals_refused: 0, bars: 13 });
    expect(existsSync(join(dir, 'trading.db'))).toBe(false);
  });
});

describe('npm run backtest -- --history', () => {
  /** A real live database holding the scenario's signals, each with a different fate, plus older and less confident ones. */
  async function liveDatabase(dbPath: string): Promise<void> {
    const store = await openStore(dbPath);
    const statuses: SignalStatus[] = ['executed', 'rejected', 'expired', 'pending', 'failed'];
    const rows = SCENARIO_SIGNALS.trim().split('\n').slice(1);
    for (const [i, row] of rows.entries()) {
      const [id, ticker, time, , , entry, stop, target, pct] = row.split(',') as [string, string, string, string, string, string, string, string, string];
      await store.signals.insertIfNew(
        signalRecord({
          signalId: id,
          ticker,
          signalTime: new Date(time),
          receivedAt: new Date(time),
          status: statuses[i] ?? 'pending',
          entryPrice: dec(entry),
          stopLossPrice: dec(stop),
          takeProfitPrice: dec(target),
          positionSizePct: dec(pct),
          // s5, the one sizing refuses, is also the least confident.
          confidence: dec(id === 's5' ? '0.5' : '0.6'),
        }),
      );
    }
    // Before the window: left out.
    await store.signals.insertIfNew(
      signalRecord({
        signalId: 'old',
        ticker: 'AAA',
        signalTime: new Date('2023-12-20T21:00:00Z'),
        entryPrice: dec(100),
        stopLossPrice: dec(95),
        takeProfitPrice: dec(110),
      }),
    );
    await store.close();
  }

  it('replays the stored signals of the last DAYS days as if approved, and leaves the live database as it was', async () => {
    const { dir, bars } = inputs();
    mkdirSync(join(dir, 'data'));
    const dbPath = join(dir, 'data', 'trading.db');
    await liveDatabase(dbPath);
    const before = readFileSync(dbPath);
    const listing = readdirSync(join(dir, 'data')).sort();
    const env = { DB_PATH: dbPath, REPORTS_DIR: join(dir, 'reports') };
    const argv = ['--bars', bars, '--history', '7', '--sizing', 'percent', '--slippage-bps', '10', '--commission', '0.01'];
    const now = () => new Date('2024-01-09T00:00:00Z');
    // The same five signals as the signals file: the same run, to the cent.
    const all = await runBacktestCommand([...argv, '--out', join(dir, 'all')], env, now);
    expect(all.result.summary).toMatchObject({ ending_equity: '99934.48', trades: 3, signals: 5, signals_refused: 1 });
    expect(readFileSync(join(dir, 'all', 'trades.csv'), 'utf8').split('\n')[4]).toBe('s4,AAA,long,46,2024-01-08T00:00:00.000Z,109.11,,,,17.48');
    const confident = await runBacktestCommand([...argv, '--min-confidence', '0.6', '--out', join(dir, 'confident')], env, now);
    expect(confident.result.summary).toMatchObject({ ending_equity: '99934.48', trades: 3, signals: 4, signals_refused: 0 });
    expect(readFileSync(dbPath).equals(before)).toBe(true);
    expect(readdirSync(join(dir, 'data')).sort()).toEqual(listing);
  });

  it('reads the latest writes still in the write-ahead log, and refuses a missing database', async () => {
    const { dir, bars } = inputs();
    const live = join(dir, 'live.db');
    await liveDatabase(live);
    // A database caught mid-session: its main file and a log holding one more signal, not yet checkpointed.
    const store = await openStore(live);
    const copyDir = join(dir, 'snapshot');
    mkdirSync(copyDir);
    await store.signals.insertIfNew(
      signalRecord({
        signalId: 'late',
        ticker: 'BBB',
        signalTime: new Date('2024-01-05T21:00:00Z'),
        entryPrice: dec(47),
        stopLossPrice: dec(45),
        takeProfitPrice: dec(52),
      }),
    );
    await store.signals.insertIfNew(signalRecord({ signalId: 'zzz', ticker: 'ZZZ', signalTime: new Date('2024-01-05T21:00:00Z') }));
    await copyFile(live, join(copyDir, 'trading.db'));
    await copyFile(`${live}-wal`, join(copyDir, 'trading.db-wal'));
    await store.close();
    const run = await runBacktestCommand(
      ['--bars', bars, '--history', '7', '--out', join(dir, 'run')],
      { DB_PATH: join(copyDir, 'trading.db') },
      () => new Date('2024-01-09T00:00:00Z'),
    );
    // The late signal is read; a stored signal for a ticker without bars is refused on its own, not the whole run.
    expect(run.result.summary.signals).toBe(7);
    expect(run.result.refusals).toContainEqual({ signalId: 'zzz', refusedBy: 'backtest', reason: 'ZZZ has no bars' });
    await expect(runBacktestCommand(['--bars', bars, '--history', '7'], { DB_PATH: join(dir, 'none.db') })).rejects.toThrow(
      `--history: no database at ${join(dir, 'none.db')} (DB_PATH)`,
    );
  });
});

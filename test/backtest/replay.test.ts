import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BarInputError, SignalInputError } from '../../src/backtest/input/errors.js';
import { runBacktest, type BacktestOptions } from '../../src/backtest/replay.js';
import { equityCsv, tradesCsv } from '../../src/backtest/report.js';
import { dec } from '../../src/domain/money.js';
import type { Store } from '../../src/db/index.js';
import { useTempDir, useTempStore } from '../helpers/tempDb.js';
import { SCENARIO_BARS, SCENARIO_SIGNALS } from './scenario.js';

const newDir = useTempDir();
const newStore = useTempStore();

/** The scenario's files in a fresh folder, and run options over a fresh store. */
async function setup(bars = SCENARIO_BARS, signals = SCENARIO_SIGNALS): Promise<{ options: BacktestOptions; store: Store }> {
  const dir = newDir();
  writeFileSync(join(dir, 'bars.csv'), bars);
  writeFileSync(join(dir, 'signals.csv'), signals);
  const store = await newStore();
  return {
    store,
    options: {
      bars: join(dir, 'bars.csv'),
      signals: join(dir, 'signals.csv'),
      startingCash: dec(100_000),
      sizing: { method: 'percent', maxPositionSizePct: dec('0.10'), riskPerTradePct: dec('0.02'), kellyFraction: dec('0.5') },
      risk: { maxOpenPositions: 10, maxExposurePct: dec(1), maxDailyLossPct: dec('0.5'), maxDrawdownPct: dec('0.5') },
      costs: { slippageBps: dec(10), commissionPerShare: dec('0.01') },
      store,
    },
  };
}

describe('runBacktest', () => {
  it('replays the hand-computed scenario through the engine, to the cent', async () => {
    const { options } = await setup();
    const result = await runBacktest(options);
    expect(result.summary).toEqual({
      start: '2024-01-02T00:00:00.000Z',
      end: '2024-01-08T00:00:00.000Z',
      starting_cash: '100000',
      ending_equity: '99934.48',
      total_return_pct: '-0.0655',
      // (99,934.48 / 100,000)^(365.25 / 6) − 1
      cagr_pct: '-3.9113',
      // Daily returns from the starting cash: 0, 0.001445, −0.000214687…, −0.002057469…, 0.000174945…
      sharpe: '-1.6483',
      sortino: '-2.2383',
      // The 100,144.50 peak to the 99,917 trough.
      max_drawdown: '227.5',
      max_drawdown_pct: '0.2272',
      trades: 3,
      open_positions: 1,
      win_rate: '33.3333',
      // 494 / (312 + 265)
      profit_factor: '0.8562',
      // Shares held at 3 of the 5 closes.
      exposure_pct: '60',
      bars: 15,
      signals: 5,
      signals_refused: 1,
    });
    expect(tradesCsv(result.trades)).toBe(
      [
        'signal_id,ticker,side,quantity,entry_time,entry_price,exit_time,exit_price,exit_reason,pnl',
        's1,AAA,long,50,2024-01-03T00:00:00.000Z,100.1,2024-01-04T00:00:00.000Z,110,take_profit,494',
        's2,BBB,long,100,2024-01-04T00:00:00.000Z,50.05,2024-01-05T00:00:00.000Z,46.95,stop_loss,-312',
        's3,CCC,long,250,2024-01-04T00:00:00.000Z,20.02,2024-01-04T00:00:00.000Z,18.98,stop_loss,-265',
        's4,AAA,long,46,2024-01-08T00:00:00.000Z,109.11,,,,17.48',
        '',
      ].join('\n'),
    );
    expect(equityCsv(result.equity)).toBe(
      [
        'timestamp,equity',
        '2024-01-02T00:00:00.000Z,100000',
        '2024-01-03T00:00:00.000Z,100144.5',
        '2024-01-04T00:00:00.000Z,100123',
        '2024-01-05T00:00:00.000Z,99917',
        '2024-01-08T00:00:00.000Z,99934.48',
        '',
      ].join('\n'),
    );
    // Buy and hold of AAA, BBB and CCC (the symbols the signals name): a third of the cash each from
    // the first close, worth 100,000 / 3 × Σ close / first close: 3, 3.03, 3.02, 2.97, 3.001.
    expect(result.benchmark.map((b) => `${b.day} ${b.equity.toFixed()}`)).toEqual([
      '2024-01-02 100000',
      '2024-01-03 101000',
      '2024-01-04 100666.67',
      '2024-01-05 99000',
      '2024-01-08 100033.33',
    ]);
    expect(result.equity.map((e) => e.day)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08']);
    // The books balance: the starting cash plus every trade's net P&L is the ending equity.
    const pnl = result.trades.reduce((sum, t) => sum.plus(t.pnl), dec(0));
    expect(pnl.plus(100_000).toFixed()).toBe(result.summary.ending_equity);
    expect(result.refusals).toEqual([
      { signalId: 's5', refusedBy: 'sizing', reason: 'percent sizing gives 0 shares: 0.01% of equity is $9.99, and one share costs $19.20' },
    ]);
  });

  it('reports its progress in bars, ending at the total', async () => {
    const { options } = await setup();
    const seen: [number, number][] = [];
    await runBacktest({ ...options, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.at(-1)).toEqual([15, 15]);
    expect(seen.every(([done, total], i) => total === 15 && done <= total && (i === 0 || done >= (seen[i - 1]?.[0] ?? 0)))).toBe(true);
  });

  it('leaves a position open at the end marked at the last close, not closed', async () => {
    const { options, store } = await setup();
    await runBacktest(options);
    const open = await store.positions.list();
    expect(open.map((p) => [p.signalId, p.ticker, p.quantity.toFixed(), p.entryPrice.toFixed()])).toEqual([['s4', 'AAA', '46', '109.11']]);
    const closed = await store.closedPositions.listClosedBetween(new Date(0));
    expect(closed.map((c) => [c.signalId, c.exitReason, c.exitPrice.toFixed()]).sort()).toEqual([
      ['s1', 'take_profit', '110'],
      ['s2', 'stop_loss', '46.95'],
      ['s3', 'stop_loss', '18.98'],
    ]);
  });

  it('counts signals the risk manager refuses', async () => {
    const { options } = await setup();
    const result = await runBacktest({ ...options, risk: { ...options.risk, maxOpenPositions: 1 } });
    // AAA is open from the 01-03 open to the 01-04 bar: s2 and s3 come while it is.
    expect(result.refusals.map((r) => [r.signalId, r.refusedBy])).toEqual([
      ['s2', 'max_open_positions'],
      ['s3', 'max_open_positions'],
      // s4's AAA entry is working when s5 comes.
      ['s5', 'max_open_positions'],
    ]);
    expect(result.summary.signals_refused).toBe(3);
    expect(result.trades.map((t) => t.signalId)).toEqual(['s1', 's4']);
    // 100,000 + 494 − 0.46 + 46 × (109.50 − 109.11)
    expect(result.summary.ending_equity).toBe('100511.48');
  });

  it('keeps to --from and --to', async () => {
    const { options } = await setup();
    const result = await runBacktest({ ...options, from: new Date('2024-01-03T00:00:00Z'), to: new Date('2024-01-04T23:59:59.999Z') });
    // s1 (01-02) is before the range and s4, s5 after it; BBB is still open at the 49 close: 100 × (49 − 50.05) − 1.
    expect(result.summary).toMatchObject({ start: '2024-01-03T00:00:00.000Z', end: '2024-01-04T00:00:00.000Z', bars: 6, signals: 2 });
    expect(tradesCsv(result.trades).split('\n').slice(1, -1)).toEqual([
      's2,BBB,long,100,2024-01-04T00:00:00.000Z,50.05,,,,-106',
      's3,CCC,long,250,2024-01-04T00:00:00.000Z,20.02,2024-01-04T00:00:00.000Z,18.98,stop_loss,-265',
    ]);
  });

  it('refuses a bad bars row before anything runs', async () => {
    const { options, store } = await setup(`${SCENARIO_BARS}CCC,2024-01-09,19,18,19.5,19,1000\n`);
    await expect(runBacktest(options)).rejects.toThrow(BarInputError);
    await expect(runBacktest(options)).rejects.toThrow(/bars\.csv:17: /);
    expect(await store.executions.get('s1')).toBeNull();
    expect(await store.orders.listSubmittedSince(new Date(0))).toEqual([]);
  });

  it('refuses a signal for a ticker without bars before anything runs', async () => {
    const { options, store } = await setup(SCENARIO_BARS, `${SCENARIO_SIGNALS}s6,ZZZ,2024-01-05T21:00:00Z,buy,0.6,10,9,12,0.05\n`);
    await expect(runBacktest(options)).rejects.toThrow(SignalInputError);
    await expect(runBacktest(options)).rejects.toThrow('signals.csv:7: signal "s6" is for ZZZ, which has no bars');
    expect(await store.executions.get('s1')).toBeNull();
  });

  it('fills an exit whose price the bar only just touches, and not one a cent beyond the bar', async () => {
    const bars = [
      'symbol,timestamp,open,high,low,close,volume',
      'AAA,2024-01-02,100,101,99,100,100',
      'BBB,2024-01-02,100,101,99,100,100',
      'AAA,2024-01-03,100,101,99,100,100',
      'BBB,2024-01-03,100,101,99,100,100',
      // AAA's low touches its 95 stop; BBB's high stops a cent short of its 105.01 target, its low a cent above its 94.99 stop.
      'AAA,2024-01-04,100,104,95,99,100',
      'BBB,2024-01-04,100,105,95,99,100',
      '',
    ].join('\n');
    const signals = [
      'signal_id,ticker,timestamp,action,confidence,current_price,stop_loss_price,take_profit_price,position_size_pct',
      'a1,AAA,2024-01-02T21:00:00Z,buy,0.6,100,95,110,0.05',
      'b1,BBB,2024-01-02T21:00:00Z,buy,0.6,100,94.99,105.01,0.05',
      '',
    ].join('\n');
    const { options } = await setup(bars, signals);
    const result = await runBacktest({ ...options, costs: { slippageBps: dec(0), commissionPerShare: dec(0) } });
    // 5% of 100,000 at 100 is 50 shares each, bought at the 01-03 open.
    expect(tradesCsv(result.trades).split('\n').slice(1, -1)).toEqual([
      'a1,AAA,long,50,2024-01-03T00:00:00.000Z,100,2024-01-04T00:00:00.000Z,95,stop_loss,-250',
      'b1,BBB,long,50,2024-01-03T00:00:00.000Z,100,,,,-50',
    ]);
  });

  it('sells short and keeps one equity point per day of intraday bars', async () => {
    const bars = [
      'symbol,timestamp,open,high,low,close,volume',
      'ZZZ,2024-01-03T14:30:00Z,50,50.5,49.5,50,100',
      'ZZZ,2024-01-03T15:30:00Z,50,50.5,49,49.5,100',
      'ZZZ,2024-01-03T20:30:00Z,49.5,49.8,48,48.5,100',
      'ZZZ,2024-01-04T14:30:00Z,46,46.5,44,45,100',
      'ZZZ,2024-01-04T15:30:00Z,45,45.5,44.5,45,100',
      '',
    ].join('\n');
    const signals = [
      'signal_id,ticker,timestamp,action,confidence,current_price,stop_loss_price,take_profit_price,position_size_pct',
      'z1,ZZZ,2024-01-03T15:00:00Z,sell,0.6,50,52,45,0.1',
      '',
    ].join('\n');
    const { options } = await setup(bars, signals);
    const result = await runBacktest({ ...options, costs: { slippageBps: dec(0), commissionPerShare: dec(0) } });
    // 10% of 100,000 at 50 is 200 shares, short at the 15:30 open; the 01-04 low reaches the 45 target (opened above it: filled at 45).
    expect(tradesCsv(result.trades).split('\n')[1]).toBe('z1,ZZZ,short,200,2024-01-03T15:30:00.000Z,50,2024-01-04T14:30:00.000Z,45,take_profit,1000');
    // The day's last bar: 100,000 + 200 × (50 − 48.50), then + 200 × 5.
    expect(equityCsv(result.equity)).toBe(['timestamp,equity', '2024-01-03T20:30:00.000Z,100300', '2024-01-04T15:30:00.000Z,101000', ''].join('\n'));
    // Shares held at 2 of the 5 bar times.
    expect(result.summary).toMatchObject({ ending_equity: '101000', exposure_pct: '40', trades: 1, win_rate: '100', profit_factor: null, bars: 5 });
  });
});

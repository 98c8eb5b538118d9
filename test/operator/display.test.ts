/**
 * What figures look like to people: one rounding rule (half-up) for every
 * displayed figure, the max drawdown as one episode, and the signal embed
 * saying which sizing rule set the proposed quantity.
 */
import { describe, expect, it } from 'vitest';
import { dec, formatNumber, ZERO } from '../../src/domain/money.js';
import { Account } from '../../src/domain/account.js';
import type { ExecutionStats } from '../../src/execution/OrderExecutor.js';
import { sizePosition } from '../../src/execution/sizing.js';
import { equityStats, statsOf } from '../../src/portfolio/analytics.js';
import type { PerformanceStats } from '../../src/portfolio/PositionManager.js';
import { reportView } from '../../src/views/report.js';
import { sizedBy } from '../../src/views/signal.js';
import { statsView } from '../../src/views/stats.js';
import type { View } from '../../src/views/view.js';
import { signal } from '../helpers/engineHarness.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from './appHarness.js';

const field = (view: View, name: string) => view.fields.find((f) => f.name === name)?.value;

/** 100k → 90k → 150k → 138k: the $12,000 fall is 8%, the 10% fall is $10,000. */
const EPISODES = [
  { day: '2026-02-23', equity: dec(100_000) },
  { day: '2026-02-24', equity: dec(90_000) },
  { day: '2026-02-25', equity: dec(150_000) },
  { day: '2026-02-26', equity: dec(138_000) },
];

/** Profit factor 1125 / 1000 = 1.125 exactly; Sharpe 1.125; 2.25 bps; 0.05 s. */
function performance(): PerformanceStats {
  const trades = statsOf({ count: 2, positive: { count: 1, sum: dec(1125), max: dec(1125) }, negative: { count: 1, sum: dec(-1000), min: dec(-1000) } }, 120);
  const equity = equityStats(EPISODES);
  return {
    days: 30,
    ...trades,
    sharpe: dec('1.125'),
    sortino: dec('-1.125'),
    maxDrawdown: equity.maxDrawdown,
    maxDrawdownPct: equity.maxDrawdownPct,
    drawdownPeakDay: equity.drawdownPeakDay,
    drawdownTroughDay: equity.drawdownTroughDay,
    bestDay: equity.bestDay,
    worstDay: equity.worstDay,
    equityDays: equity.days,
  };
}

const execution: ExecutionStats = {
  days: 30,
  totalOrders: 4,
  filled: 4,
  partiallyFilled: 0,
  canceled: 0,
  rejected: 0,
  expired: 0,
  fillRate: dec(1),
  avgSlippageBps: dec('2.25'),
  avgTimeToFillSeconds: dec('0.05'),
};

describe('one rounding rule for what is shown', () => {
  it('formatNumber rounds half away from zero, never shows -0, and can trim', () => {
    expect([
      formatNumber(dec('1.125')),
      formatNumber(dec('-1.125')),
      formatNumber(dec('2.25'), 1),
      formatNumber(dec('-0.001')),
      formatNumber(dec('2.50'), 2, { trim: true }),
      formatNumber(dec(10), 2, { trim: true }),
    ]).toEqual(['1.13', '-1.13', '2.3', '0.00', '2.5', '10']);
  });

  it('/stats shows a profit factor of 1.125 as 1.13 (and Sharpe, Sortino, slippage, time to fill half-up too)', () => {
    const view = statsView({ performance: performance(), execution });
    expect([
      field(view, 'Profit factor'),
      field(view, 'Sharpe / Sortino'),
      field(view, 'Slippage'),
      field(view, 'Time to fill'),
      field(view, 'Average hold'),
    ]).toEqual(['1.13', '1.13 / -1.13', '2.3 bps', '0.1 s', '1 min']);
  });

  it('the daily report rounds the same way', () => {
    const account = new Account({
      id: 'a',
      accountNumber: 'SIM',
      status: 'ACTIVE',
      currency: 'USD',
      cash: dec(138_000),
      equity: dec(138_000),
      lastEquity: dec(150_000),
      buyingPower: dec(276_000),
      longMarketValue: ZERO,
      shortMarketValue: ZERO,
      multiplier: dec(2),
      daytradeCount: 0,
      patternDayTrader: false,
      tradingBlocked: false,
    });
    const view = reportView({
      day: '2026-02-26',
      mode: 'SIM',
      account,
      closedToday: [],
      positions: [],
      performance: performance(),
      execution,
      state: {
        state: 'ACTIVE',
        reason: null,
        changedBy: null,
        changedAt: new Date('2026-02-26T21:00:00Z'),
        dayStartEquity: null,
        dayStartDate: null,
        peakEquity: null,
      },
    });
    expect(field(view, 'Last 30 days')).toBe(
      'win rate 50.00% over 2 trades · profit factor 1.13 · Sharpe 1.13 · max drawdown $10,000.00 (10.00%), 2026-02-23 → 2026-02-24',
    );
    expect(field(view, 'Execution')).toBe('fill rate 100.00%, slippage 2.3 bps');
  });
});

describe('max drawdown: one episode', () => {
  it('/stats shows the largest percentage fall with its own dollars and days', () => {
    expect(field(statsView({ performance: performance(), execution }), 'Max drawdown')).toBe('$10,000.00 (10.00%), 2026-02-23 → 2026-02-24');
  });

  const newStore = useTempStore();

  it('through the console: /stats and /report read the end-of-day series', async () => {
    const t = await operatorHarness(await newStore());
    for (const p of EPISODES) {
      await t.store.equity.record({
        takenAt: new Date(`${p.day}T21:00:00Z`),
        tradingDay: p.day,
        kind: 'eod',
        equity: p.equity,
        cash: p.equity,
        positionsValue: ZERO,
        unrealizedPnl: ZERO,
        realizedPnlDay: ZERO,
        openPositions: 0,
      });
    }
    expect(await t.type('/stats')).toContain('  Max drawdown: $10,000.00 (10.00%), 2026-02-23 → 2026-02-24\n');
    expect(await t.type('/report')).toContain('max drawdown $10,000.00 (10.00%), 2026-02-23 → 2026-02-24');
  });
});

describe('the signal embed says which rule set the size', () => {
  const config = { method: 'risk' as const, maxPositionSizePct: dec('0.10'), riskPerTradePct: dec('0.02'), kellyFraction: dec('0.5') };
  const account = { equity: dec(100_000), buyingPower: dec(200_000) };

  it('names the cap that bound it and what the method alone gave', () => {
    // 2% of 100,000 / (190 − 185) = 400; 10% of 100,000 / 190 = 52.
    expect(sizedBy(sizePosition(signal(), account, config))).toBe(' (capped by max position 10% = $10,000.00; the 2% risk rule alone gives 400)');
    expect(sizedBy(sizePosition(signal(), { equity: dec(100_000), buyingPower: dec(5_000) }, { ...config, maxPositionSizePct: dec(1) }))).toBe(
      ' (capped by buying power $5,000.00; the 2% risk rule alone gives 400)',
    );
    expect(sizedBy(sizePosition(signal(), account, { ...config, maxPositionSizePct: dec(1) }))).toBe(' (set by the 2% risk rule)');
    expect(sizedBy(sizePosition(signal({ position_size_pct: '0.025' }), account, { ...config, method: 'percent' }))).toBe(' (set by the 2.5% of equity rule)');
    // b = 2, f = 0.7 − 0.3 / 2 = 0.55; 100,000 × 0.5 × 0.55 / 190 = 144 (the 10% cap allows 52).
    expect(sizedBy(sizePosition(signal(), account, { ...config, method: 'kelly' }))).toBe(
      ' (capped by max position 10% = $10,000.00; the Kelly rule (f 0.55 × 0.5) alone gives 144)',
    );
  });

  const newStore = useTempStore();

  it('in the embed: the exact Proposed line, and reward:risk half-up', async () => {
    const t = await operatorHarness(await newStore(), { MAX_POSITION_PCT: '0.10' });
    // risk 190 − 182 = 8, reward 199 − 190 = 9: 9 / 8 = 1.125 → 1.13; 2,000 / 8 = 250 shares, capped at 52.
    const posted = await t.type('/signal AAPL buy 190 182 199 0.7 catalyst');
    expect(posted).toContain('  Reward:risk: 1.13\n');
    expect(posted).toContain('  Proposed: 52 shares, $416.00 at risk (capped by max position 10% = $10,000.00; the 2% risk rule alone gives 250)\n');
  });
});

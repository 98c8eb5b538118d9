/** Statistics against figures computed by hand (the arithmetic is in the comments). */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { drawdownSeries, equityStats, tradeStats } from '../../src/portfolio/analytics.js';
import { at, closedRecord, orderRecord, positionRecord, T0 } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';
import { engineHarness } from '../helpers/engineHarness.js';

const trade = (pnl: string, holdSeconds: number) =>
  closedRecord({ realizedPnl: dec(pnl), openedAt: T0, closedAt: new Date(T0.getTime() + holdSeconds * 1000) });

const TRADES = [trade('300', 60), trade('-120.50', 120), trade('80.25', 300), trade('0', 30), trade('-40', 90)];

const EQUITY = [
  { day: '2026-03-02', equity: dec(100_000) },
  { day: '2026-03-03', equity: dec(101_000) },
  { day: '2026-03-04', equity: dec(99_990) },
  { day: '2026-03-05', equity: dec(102_000) },
  { day: '2026-03-06', equity: dec(101_490) },
];

describe('trade statistics', () => {
  it('computes every figure of a known trade list', () => {
    const s = tradeStats(TRADES);
    // 300 − 120.50 + 80.25 + 0 − 40 = 219.75; 2 winners, 2 losers, 1 breakeven.
    expect([s.totalTrades, s.winners, s.losers, s.winRate?.toFixed(), s.totalPnl.toFixed(2)]).toEqual([5, 2, 2, '0.4', '219.75']);
    // gross 380.25 / −160.50; averages 190.125 / −80.25; PF 380.25 / 160.5 = 2.3691588…
    expect([s.grossProfit.toFixed(2), s.grossLoss.toFixed(2), s.avgWin?.toFixed(3), s.avgLoss?.toFixed(2), s.profitFactor?.toFixed(6)]).toEqual([
      '380.25',
      '-160.50',
      '190.125',
      '-80.25',
      '2.369159',
    ]);
    // expectancy 219.75 / 5 = 43.95; hold (60 + 120 + 300 + 30 + 90) / 5 = 120 s.
    expect([s.expectancy?.toFixed(2), s.largestWin?.toFixed(2), s.largestLoss?.toFixed(2), s.avgHoldSeconds?.toFixed()]).toEqual([
      '43.95',
      '300.00',
      '-120.50',
      '120',
    ]);
  });

  it('has no profit factor without losses, and nothing at all without trades', () => {
    expect(tradeStats([trade('10', 1), trade('5', 1)]).profitFactor).toBeNull();
    const empty = tradeStats([]);
    expect([empty.totalTrades, empty.winRate, empty.expectancy, empty.totalPnl.toFixed(), empty.avgHoldSeconds]).toEqual([0, null, null, '0', null]);
  });
});

describe('equity statistics', () => {
  it('computes Sharpe, Sortino, drawdown and the best and worst days', () => {
    const s = equityStats([...EQUITY].reverse());
    // r = 0.01, −0.01, 102000/99990 − 1 = 0.0201020102…, −0.005
    expect(s.returns.map((r) => r.toFixed(8))).toEqual(['0.01000000', '-0.01000000', '0.02010201', '-0.00500000']);
    // mean 0.0037755026; sample std 0.0138090929; × √252 → 4.340201
    expect(s.sharpe?.toFixed(6)).toBe('4.340201');
    // downside √((0.01² + 0.005²) / 4) = 0.0055901699; → 10.721364
    expect(s.sortino?.toFixed(6)).toBe('10.721364');
    // Peak 101,000 (03-03) to 99,990 (03-04): 1,010 = 1.00%.
    expect([s.maxDrawdown.toFixed(2), s.maxDrawdownPct.toFixed(4), s.drawdownPeakDay, s.drawdownTroughDay]).toEqual([
      '1010.00',
      '0.0100',
      '2026-03-03',
      '2026-03-04',
    ]);
    expect([s.bestDay?.day, s.bestDay?.change.toFixed(2), s.worstDay?.day, s.worstDay?.change.toFixed(2), s.worstDay?.pct.toFixed(4)]).toEqual([
      '2026-03-05',
      '2010.00',
      '2026-03-04',
      '-1010.00',
      '-0.0100',
    ]);
  });

  it('reports one drawdown episode: the largest percentage fall with its own dollars and days', () => {
    // 100k → 90k is $10,000 = 10%; 150k → 138k is $12,000 = 8%. The max drawdown is the 10% fall.
    const s = equityStats([
      { day: '2026-03-02', equity: dec(100_000) },
      { day: '2026-03-03', equity: dec(90_000) },
      { day: '2026-03-04', equity: dec(150_000) },
      { day: '2026-03-05', equity: dec(138_000) },
    ]);
    expect([s.maxDrawdown.toFixed(2), s.maxDrawdownPct.toFixed(4), s.drawdownPeakDay, s.drawdownTroughDay]).toEqual([
      '10000.00',
      '0.1000',
      '2026-03-02',
      '2026-03-03',
    ]);
    // A later, deeper percentage fall from a lower peak wins even though it is fewer dollars.
    const later = equityStats([
      { day: '2026-03-02', equity: dec(200_000) },
      { day: '2026-03-03', equity: dec(190_000) },
      { day: '2026-03-04', equity: dec(210_000) },
      { day: '2026-03-05', equity: dec(180_000) },
      { day: '2026-03-06', equity: dec(240_000) },
      { day: '2026-03-09', equity: dec(239_000) },
    ]);
    // 210k → 180k: $30,000 = 14.2857…%; 200k → 190k is 5%, 240k → 239k is 0.42%.
    expect([later.maxDrawdown.toFixed(2), later.maxDrawdownPct.toFixed(6), later.drawdownPeakDay, later.drawdownTroughDay]).toEqual([
      '30000.00',
      '0.142857',
      '2026-03-04',
      '2026-03-05',
    ]);
  });

  it('has no ratio without variation or without data', () => {
    const flat = equityStats([
      { day: '2026-03-02', equity: dec(100) },
      { day: '2026-03-03', equity: dec(100) },
      { day: '2026-03-04', equity: dec(100) },
    ]);
    expect([flat.sharpe, flat.sortino, flat.maxDrawdown.toFixed()]).toEqual([null, null, '0']);
    const one = equityStats([{ day: '2026-03-02', equity: dec(100) }]);
    expect([one.days, one.returns, one.sharpe, one.bestDay]).toEqual([1, [], null, null]);
  });

  it('gives the drawdown series a chart shades', () => {
    expect(drawdownSeries(EQUITY).map((p) => [p.peak.toFixed(), p.drawdownPct.toFixed(4)])).toEqual([
      ['100000', '0.0000'],
      ['101000', '0.0000'],
      ['101000', '0.0100'],
      ['102000', '0.0000'],
      ['102000', '0.0050'],
    ]);
  });
});

describe('statistics from the database', () => {
  const newStore = useTempStore();

  it('getPerformanceStats reads the trades and the end-of-day series of the window', async () => {
    const store = await newStore();
    const t = engineHarness(store, { start: '2026-03-06T21:00:00Z' });
    for (const [i, r] of TRADES.entries())
      await store.transaction(async (tx) => {
        await tx.positions.insert(positionRecord({ positionId: `p${i}`, ticker: `T${i}` }));
        await tx.positions.close({ ...r, positionId: `p${i}`, ticker: `T${i}` });
      });
    // One trade outside the 30-day window.
    await store.positions.insert(positionRecord({ positionId: 'old', ticker: 'OLD' }));
    await store.positions.close(
      closedRecord({
        positionId: 'old',
        ticker: 'OLD',
        realizedPnl: dec('-9999'),
        openedAt: new Date('2026-01-02T15:00:00Z'),
        closedAt: new Date('2026-01-05T15:00:00Z'),
      }),
    );
    for (const p of EQUITY) {
      await store.equity.record({
        takenAt: new Date(`${p.day}T21:00:00Z`),
        tradingDay: p.day,
        kind: 'eod',
        equity: p.equity,
        cash: p.equity,
        positionsValue: dec(0),
        unrealizedPnl: dec(0),
        realizedPnlDay: dec(0),
        openPositions: 0,
      });
    }
    const s = await t.engine.manager.getPerformanceStats(30);
    expect([
      s.totalTrades,
      s.winRate?.toFixed(),
      s.totalPnl.toFixed(2),
      s.profitFactor?.toFixed(6),
      s.sharpe?.toFixed(6),
      s.maxDrawdownPct.toFixed(4),
      s.equityDays,
    ]).toEqual([5, '0.4', '219.75', '2.369159', '4.340201', '0.0100', 5]);
  });

  it('getExecutionStats counts outcomes, fill rate, slippage and time to fill', async () => {
    const store = await newStore();
    const t = engineHarness(store);
    const orders = [
      // buy 100 → 100.05: +5 bps adverse; filled after 2 s
      orderRecord({
        orderId: 'o1',
        clientOrderId: 'c1',
        side: 'buy',
        status: 'filled',
        signalPrice: dec(100),
        filledAvgPrice: dec('100.05'),
        filledQty: dec(100),
        filledAt: at(2 / 60),
      }),
      // sell 50 → 49.99: +2 bps adverse; filled after 4 s
      orderRecord({
        orderId: 'o2',
        clientOrderId: 'c2',
        side: 'sell',
        status: 'filled',
        signalPrice: dec(50),
        filledAvgPrice: dec('49.99'),
        filledQty: dec(100),
        filledAt: at(4 / 60),
      }),
      orderRecord({ orderId: 'o3', clientOrderId: 'c3', status: 'canceled' }),
      orderRecord({ orderId: 'o4', clientOrderId: 'c4', status: 'rejected' }),
      orderRecord({ orderId: 'o5', clientOrderId: 'c5', status: 'expired' }),
      orderRecord({ orderId: 'o6', clientOrderId: 'c6', status: 'new' }),
      orderRecord({ orderId: 'o7', clientOrderId: 'c7', status: 'partially_filled', filledQty: dec(10), filledAvgPrice: dec(190) }),
      // A bracket leg canceled by OCO is part of its entry, not an order of its own.
      orderRecord({ orderId: 'o1-sl', clientOrderId: 'c1:sl', parentOrderId: 'o1', leg: 'stop_loss', status: 'canceled' }),
    ];
    for (const o of orders) await store.orders.insert(o);
    const s = await t.engine.executor.getExecutionStats(30);
    expect([s.totalOrders, s.filled, s.partiallyFilled, s.canceled, s.rejected, s.expired]).toEqual([7, 2, 1, 1, 1, 1]);
    // 2 filled of 5 finished; (5 + 2) / 2 = 3.5 bps; (2 + 4) / 2 = 3 s
    expect([s.fillRate?.toFixed(), s.avgSlippageBps?.toFixed(), s.avgTimeToFillSeconds?.toFixed()]).toEqual(['0.4', '3.5', '3']);
  });
});

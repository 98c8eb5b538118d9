/**
 * The operator's backtest over the simulator's deterministic history: stored
 * signals replayed as if approved, on a scratch store, beside the trades the
 * live store closed over the same days.
 */
import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/app/errors.js';
import { OperatorService } from '../../src/app/OperatorService.js';
import { openStore, type Store } from '../../src/db/index.js';
import { dec } from '../../src/domain/money.js';
import type { BrokerInterface } from '../../src/domain/ports/broker.js';
import type { ClosedPositionRecord, StoredSignal } from '../../src/domain/records.js';
import { SIGNAL_STATUSES } from '../../src/domain/records.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness, type OperatorHarness } from '../operator/appHarness.js';

function stored(
  id: string,
  fields: Pick<StoredSignal, 'ticker' | 'action'> & { at: string; confidence: string; entry: string; stop: string; target: string },
): StoredSignal {
  const at = new Date(fields.at);
  return {
    signalId: id,
    ticker: fields.ticker,
    action: fields.action,
    entryPrice: dec(fields.entry),
    stopLossPrice: dec(fields.stop),
    takeProfitPrice: dec(fields.target),
    confidence: dec(fields.confidence),
    positionSizePct: null,
    signalType: 'breakout',
    strategy: 'test',
    source: 'code',
    status: 'rejected',
    signalTime: at,
    receivedAt: at,
    expiresAt: new Date(at.getTime() + 3_600_000),
    decidedBy: 'operator',
    decidedAt: at,
    decisionNote: null,
    orderId: null,
    channelId: null,
    messageId: null,
    payload: '{}',
  };
}

function closed(id: string, pnl: string, closedAt: string): ClosedPositionRecord {
  return {
    positionId: id,
    ticker: 'AAPL',
    side: 'long',
    quantity: dec(10),
    entryPrice: dec(190),
    exitPrice: dec(190).plus(dec(pnl).div(10)),
    realizedPnl: dec(pnl),
    realizedPnlPct: dec(0),
    exitReason: 'manual',
    signalId: null,
    strategy: null,
    exitOrderId: null,
    entryOrderId: null,
    openedAt: new Date(new Date(closedAt).getTime() - 3_600_000),
    closedAt: new Date(closedAt),
  };
}

/** The service as the application builds it, with backtests set up (scratch stores opened like the live one). */
function service(t: OperatorHarness, broker: BrokerInterface = t.broker, backtests = true): OperatorService {
  return new OperatorService({
    mode: 'SIM',
    sizingMethod: t.config.sizing.method,
    broker,
    store: t.store,
    engine: t.app.engine,
    approvals: t.app.approvals,
    sim: null,
    now: () => t.sim.clock.now(),
    status: () => t.app.status(),
    ...(backtests ? { backtest: { sizing: t.config.sizing, risk: t.config.risk, openScratchStore: openStore } } : {}),
  });
}

/** The live tables a backtest must never write (the bars cache aside). */
async function liveTables(store: Store): Promise<unknown> {
  const signals = await Promise.all(SIGNAL_STATUSES.map(async (s) => (await store.signals.listByStatus(s, 1000)).map((x) => `${s}:${x.signalId}`)));
  return {
    signals: signals.flat().sort(),
    positions: (await store.positions.list()).length,
    closed: (await store.closedPositions.listClosedBetween(new Date(0))).map((c) => c.positionId),
    equity: (await store.equity.listDaily('2000-01-01')).length,
  };
}

async function seeded(store: Store): Promise<OperatorHarness> {
  const t = await operatorHarness(store);
  // The clock stands at 2026-03-02 15:00Z: 30 days back is 2026-01-31 15:00Z.
  await store.signals.insertIfNew(
    stored('old', { ticker: 'AAPL', action: 'buy', at: '2026-01-20T15:00:00Z', confidence: '0.9', entry: '185', stop: '180', target: '195' }),
  );
  await store.signals.insertIfNew(
    stored('aapl-up', { ticker: 'AAPL', action: 'buy', at: '2026-02-05T15:00:00Z', confidence: '0.8', entry: '190', stop: '185', target: '200' }),
  );
  await store.signals.insertIfNew(
    stored('msft-lo', { ticker: 'MSFT', action: 'sell', at: '2026-02-10T15:00:00Z', confidence: '0.6', entry: '455', stop: '465', target: '440' }),
  );
  await store.closedPositions.insertMany([closed('in-window', '123.45', '2026-02-20T16:00:00Z'), closed('before', '999', '2026-01-15T16:00:00Z')]);
  return t;
}

describe('OperatorService.backtest', () => {
  const newStore = useTempStore();

  it('replays every stored signal of the window as if approved, beside what was actually closed', async () => {
    const t = await seeded(await newStore());
    const before = await liveTables(t.store);
    const r = await service(t).backtest({ days: 30 });
    expect(r).toMatchObject({ days: 30, sizing: 'risk', timeframe: '1Hour', symbols: ['AAPL', 'MSFT'], signals: 2, refused: 0 });
    const f = r.figures;
    expect({
      startingCash: f.startingCash.toFixed(),
      endingEquity: f.endingEquity.toFixed(),
      pnl: f.pnl.toFixed(),
      returnPct: f.returnPct.toFixed(),
      trades: f.trades,
      open: f.openPositions,
      winRate: f.winRatePct?.toFixed(),
      maxDrawdown: f.maxDrawdown.toFixed(),
      maxDrawdownPct: f.maxDrawdownPct.toFixed(),
      sharpe: f.sharpe?.toFixed(),
    }).toEqual({
      // AAPL: 400 shares (risk $2,000 at $5 a share) filled at the next hour's open $188.74, out at the $200 target: +$4,504.
      // MSFT: 53 shares short (the buying power left) at $455, stopped at $465: −$530.
      startingCash: '100000',
      endingEquity: '103974',
      pnl: '3974',
      returnPct: '3.974',
      trades: 2,
      open: 0,
      winRate: '50',
      // From the close of 2026-02-14 ($104,239.53, AAPL out, MSFT short marked) to the stop.
      maxDrawdown: '265.53',
      maxDrawdownPct: '0.2547',
      sharpe: '9.509',
    });
    expect([r.actual.pnl.toFixed(), r.actual.trades]).toEqual(['123.45', 1]);
    expect(r.chart.points[0]).toEqual({ day: '2026-01-31', equity: dec(100_000) });
    // Buy and hold of AAPL and MSFT on the same days as the equity, from the same cash: the window's first day is cash.
    const benchmark = r.chart.benchmark;
    expect(benchmark.map((p) => p.day)).toEqual(r.chart.points.map((p) => p.day));
    expect([benchmark[0], benchmark[1], benchmark.at(-1)].map((p) => `${p?.day} ${p?.equity.toFixed()}`)).toEqual([
      '2026-01-31 100000',
      '2026-02-05 101109.12',
      '2026-03-02 111227.47',
    ]);
    expect(r.chart.title).toBe('Backtest equity, last 30 days (2026-01-31 to 2026-03-02)');
    // AAPL and MSFT, hourly, from 2026-02-05 to the clock.
    expect(r.barsFetched).toBe(1220);

    // Only the bars cache grew: a second run reads it and asks the broker for nothing.
    expect(await liveTables(t.store)).toEqual(before);
    const again = await service(t).backtest({ days: 30 });
    expect([again.barsFetched, again.figures.endingEquity.toFixed()]).toEqual([0, f.endingEquity.toFixed()]);
  });

  it('keeps only the signals at or above min_confidence', async () => {
    const t = await seeded(await newStore());
    const r = await service(t).backtest({ days: 30, minConfidence: dec('0.7'), sizing: 'percent' });
    // Percent sizing at MAX_POSITION_PCT 1.0: $100,000 at the signal's $190 is 526 shares, +$11.26 each at the target.
    expect([r.signals, r.symbols, r.sizing, r.figures.pnl.toFixed(), r.figures.trades]).toEqual([1, ['AAPL'], 'percent', '5922.76', 1]);
    expect([r.actual.pnl.toFixed(), r.actual.trades]).toEqual(['123.45', 1]);
  });

  it('starts from the first end-of-day equity recorded in the window, not the account now', async () => {
    const t = await seeded(await newStore());
    await t.store.equity.record({
      takenAt: new Date('2026-02-02T21:00:00Z'),
      tradingDay: '2026-02-02',
      kind: 'eod',
      equity: dec(120_000),
      cash: dec(120_000),
      positionsValue: dec(0),
      unrealizedPnl: dec(0),
      realizedPnlDay: dec(0),
      openPositions: 0,
    });
    const r = await service(t).backtest({ minConfidence: dec('0.7'), sizing: 'percent' });
    // $120,000 at $190 is 631 shares, +$11.26 each.
    expect([r.figures.startingCash.toFixed(), r.figures.pnl.toFixed(), r.chart.points[0]?.equity.toFixed()]).toEqual(['120000', '7105.06', '120000']);
  });

  it('refuses bad input, an empty window, a broker without history, and an application without backtests, with OperatorErrors', async () => {
    const t = await seeded(await newStore());
    const op = service(t);
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => (e instanceof OperatorError ? e.message : e),
      );
    expect(await refusal(op.backtest({ days: 0 }))).toBe('days must be from 1 to 365');
    expect(await refusal(op.backtest({ days: 366 }))).toBe('days must be from 1 to 365');
    expect(await refusal(op.backtest({ days: 1.5 }))).toBe('days must be a whole number');
    expect(await refusal(op.backtest({ minConfidence: dec('1.5') }))).toBe('min_confidence must be between 0 and 1');
    expect(await refusal(op.backtest({ sizing: 'martingale' }))).toBe('sizing must be one of risk, percent, kelly, calibrated_kelly');
    expect(await refusal(op.backtest({ days: 5 }))).toBe('No stored signal in the last 5 days: nothing to replay.');
    expect(await refusal(op.backtest({ minConfidence: dec('0.95') }))).toBe('No stored signal in the last 30 days at confidence ≥ 0.95: nothing to replay.');
    const noHistory = new Proxy(t.broker, { get: (target, key) => (key === 'getBars' ? undefined : (Reflect.get(target, key, target) as unknown)) });
    expect(await refusal(service(t, noHistory).backtest({}))).toBe('The sim broker offers no historical bars: a backtest cannot run on it.');
    expect(await refusal(service(t, t.broker, false).backtest({}))).toBe('Backtests are not set up in this application.');
  });
});

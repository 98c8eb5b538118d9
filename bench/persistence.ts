/**
 * Persistence: the cost of recording an order and its fill, of marking
 * positions to market and of closing a position, on a real SQLite file
 * (WAL, synchronous=NORMAL) through kysely.
 */
import { dec } from '../src/domain/money.js';
import type { ExecutedOrderRecord, PositionRecord } from '../src/domain/records.js';
import { fmt, median, microsSince, percentile, withTempStore } from './stats.js';

const T0 = new Date('2026-03-02T14:30:00Z');

function order(i: number): ExecutedOrderRecord {
  return {
    orderId: `o-${i}`,
    clientOrderId: `sig-${i}:entry`,
    ticker: 'AAPL',
    signalId: `sig-${i}`,
    side: 'buy',
    quantity: dec(100 + (i % 50)),
    orderType: 'limit',
    orderClass: 'bracket',
    parentOrderId: null,
    limitPrice: dec('190.05'),
    stopPrice: null,
    trailPrice: null,
    trailPercent: null,
    timeInForce: 'day',
    status: 'new',
    filledQty: dec(0),
    filledAvgPrice: null,
    signalPrice: dec('190.00'),
    leg: 'entry',
    statusReason: null,
    positionId: null,
    exitReason: null,
    plannedStopLoss: null,
    plannedTakeProfit: null,
    strategy: null,
    submittedAt: T0,
    filledAt: null,
    updatedAt: T0,
  };
}

function position(i: number): PositionRecord {
  return {
    positionId: `p-${i}`,
    ticker: `T${i}`,
    side: 'long',
    quantity: dec(100),
    entryPrice: dec('50.1234'),
    currentPrice: dec('50.1234'),
    unrealizedPnl: dec(0),
    exitedQty: dec(0),
    exitValue: dec(0),
    realizedPnl: dec(0),
    entryValue: dec('5012.34'),
    stopLossPrice: dec('48'),
    takeProfitPrice: dec('55'),
    signalId: null,
    strategy: 'bench',
    entryOrderId: null,
    stopLossOrderId: null,
    takeProfitOrderId: null,
    openedAt: T0,
    updatedAt: T0,
  };
}

export interface PersistenceFigures {
  orderInsertP50: number;
  orderInsertP99: number;
  fillUpdateP50: number;
  fillUpdateP99: number;
  mark1000Ms: number;
  closeP50: number;
  closeP99: number;
}

export async function benchPersistence(): Promise<PersistenceFigures> {
  return withTempStore(async (store) => {
    const N = 5000;
    const inserts: number[] = [];
    const updates: number[] = [];
    for (let i = 0; i < N; i++) {
      let t = process.hrtime.bigint();
      await store.orders.insert(order(i));
      inserts.push(microsSince(t));
      t = process.hrtime.bigint();
      await store.orders.updateProgress(`o-${i}`, {
        status: 'filled',
        filledQty: dec(100),
        filledAvgPrice: dec('190.0437'),
        filledAt: T0,
        updatedAt: T0,
        statusReason: null,
      });
      updates.push(microsSince(t));
    }
    for (let i = 0; i < 1000; i++) await store.positions.insert(position(i));
    const marks = Array.from({ length: 1000 }, (_, i) => ({
      positionId: `p-${i}`,
      currentPrice: dec('51.0001'),
      unrealizedPnl: dec('87.67'),
      marketValue: dec('5100.01'),
      unrealizedPnlPct: dec('0.0174908'),
      updatedAt: T0,
    }));
    let t = process.hrtime.bigint();
    await store.positions.markPrices(marks);
    const mark1000Ms = microsSince(t) / 1000;
    const closes: number[] = [];
    for (let i = 0; i < 1000; i++) {
      t = process.hrtime.bigint();
      await store.positions.close({
        positionId: `p-${i}`,
        ticker: `T${i}`,
        side: 'long',
        quantity: dec(100),
        entryPrice: dec('50.1234'),
        exitPrice: dec('51.0001'),
        realizedPnl: dec('87.67'),
        realizedPnlPct: dec('0.0174908'),
        exitReason: 'take_profit',
        signalId: null,
        strategy: 'bench',
        exitOrderId: null,
        entryOrderId: null,
        openedAt: T0,
        closedAt: T0,
      });
      closes.push(microsSince(t));
    }
    const s = (a: number[]) => a.sort((x, y) => x - y);
    s(inserts);
    s(updates);
    s(closes);
    return {
      orderInsertP50: percentile(inserts, 50),
      orderInsertP99: percentile(inserts, 99),
      fillUpdateP50: percentile(updates, 50),
      fillUpdateP99: percentile(updates, 99),
      mark1000Ms,
      closeP50: percentile(closes, 50),
      closeP99: percentile(closes, 99),
    };
  });
}

/** The table for docs/performance.md, from per-figure medians over several runs. */
export function persistenceTable(runs: readonly PersistenceFigures[]): string {
  const m = (k: keyof PersistenceFigures) => median(runs.map((r) => r[k]));
  return [
    '| persistence (real SQLite file, WAL) | median of runs |',
    '| --- | --- |',
    `| record a new order: p50 / p99 | ${fmt(m('orderInsertP50'))} µs / ${fmt(m('orderInsertP99'))} µs |`,
    `| record a fill on it: p50 / p99 | ${fmt(m('fillUpdateP50'))} µs / ${fmt(m('fillUpdateP99'))} µs |`,
    `| mark 1,000 positions to market (one transaction) | ${fmt(m('mark1000Ms'), 2)} ms |`,
    `| close a position (delete + closed row, one transaction): p50 / p99 | ${fmt(m('closeP50'))} µs / ${fmt(m('closeP99'))} µs |`,
  ].join('\n');
}

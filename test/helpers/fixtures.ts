/** Records with plausible defaults; each test overrides what it asserts on. */
import { dec } from '../../src/domain/money.js';
import type { BracketOrderParams } from '../../src/domain/ports/broker.js';
import type { ClosedPositionRecord, ExecutedOrderRecord, PositionRecord, StoredSignal } from '../../src/domain/records.js';

export const T0 = new Date('2026-03-02T14:30:00.000Z');

export function at(minutesAfterT0: number): Date {
  return new Date(T0.getTime() + minutesAfterT0 * 60_000);
}

export function orderRecord(overrides: Partial<ExecutedOrderRecord> = {}): ExecutedOrderRecord {
  return {
    orderId: 'ord-1',
    clientOrderId: 'sig-1:entry',
    ticker: 'AAPL',
    signalId: 'sig-1',
    side: 'buy',
    quantity: dec(100),
    orderType: 'market',
    orderClass: 'simple',
    parentOrderId: null,
    limitPrice: null,
    stopPrice: null,
    trailPrice: null,
    trailPercent: null,
    timeInForce: 'day',
    status: 'new',
    filledQty: dec(0),
    filledAvgPrice: null,
    signalPrice: dec('190.00'),
    leg: null,
    statusReason: null,
    positionId: null,
    exitReason: null,
    plannedStopLoss: null,
    plannedTakeProfit: null,
    strategy: null,
    submittedAt: T0,
    filledAt: null,
    updatedAt: T0,
    ...overrides,
  };
}

export function positionRecord(overrides: Partial<PositionRecord> = {}): PositionRecord {
  const record: Omit<PositionRecord, 'entryValue'> & Partial<PositionRecord> = {
    positionId: 'pos-1',
    ticker: 'AAPL',
    side: 'long',
    quantity: dec(100),
    entryPrice: dec('190.12'),
    currentPrice: dec('190.12'),
    unrealizedPnl: dec(0),
    exitedQty: dec(0),
    exitValue: dec(0),
    realizedPnl: dec(0),
    stopLossPrice: dec('185.00'),
    takeProfitPrice: dec('200.00'),
    signalId: 'sig-1',
    strategy: 'catalyst',
    entryOrderId: 'ord-1',
    stopLossOrderId: 'ord-1-sl',
    takeProfitOrderId: 'ord-1-tp',
    openedAt: T0,
    updatedAt: T0,
    ...overrides,
  };
  // One entry fill unless told otherwise: its value is shares × price.
  return { ...record, entryValue: overrides.entryValue ?? record.quantity.times(record.entryPrice) };
}

export function closedRecord(overrides: Partial<ClosedPositionRecord> = {}): ClosedPositionRecord {
  return {
    positionId: 'pos-1',
    ticker: 'AAPL',
    side: 'long',
    quantity: dec(100),
    entryPrice: dec('190.12'),
    exitPrice: dec('185.00'),
    realizedPnl: dec('-512.00'),
    realizedPnlPct: dec('-0.0269303597727750894171050915211445402904'),
    exitReason: 'stop_loss',
    signalId: 'sig-1',
    strategy: 'catalyst',
    exitOrderId: 'ord-1-sl',
    entryOrderId: 'ord-1',
    openedAt: T0,
    closedAt: at(95),
    ...overrides,
  };
}

export function signalRecord(overrides: Partial<StoredSignal> = {}): StoredSignal {
  return {
    signalId: 'sig-1',
    ticker: 'AAPL',
    action: 'buy',
    entryPrice: dec('190.00'),
    stopLossPrice: dec('185.00'),
    takeProfitPrice: dec('200.00'),
    confidence: dec('0.82'),
    positionSizePct: null,
    signalType: 'fda_approval',
    strategy: 'catalyst',
    source: 'webhook',
    status: 'pending',
    signalTime: T0,
    receivedAt: T0,
    expiresAt: at(30),
    decidedBy: null,
    decidedAt: null,
    decisionNote: null,
    orderId: null,
    channelId: null,
    messageId: null,
    payload: '{"signal_id":"sig-1"}',
    ...overrides,
  };
}

/** A market bracket: buy 100 AAPL, target 200, stop 185, good till canceled. */
export function aaplBracket(clientOrderId: string, overrides: Partial<BracketOrderParams> = {}): BracketOrderParams {
  return {
    ticker: 'AAPL',
    side: 'buy',
    quantity: dec(100),
    entryType: 'market',
    takeProfitPrice: dec(200),
    stopLossPrice: dec(185),
    timeInForce: 'gtc',
    clientOrderId,
    ...overrides,
  };
}

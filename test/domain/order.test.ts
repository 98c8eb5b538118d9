import { describe, expect, it } from 'vitest';
import { Account } from '../../src/domain/account.js';
import { ALL_ORDER_STATUSES, type OrderStatus } from '../../src/domain/enums.js';
import {
  BrokerAuthenticationError,
  BrokerConnectionError,
  BrokerError,
  InsufficientFundsError,
  NotFoundError,
  OrderRejectedError,
  RateLimitError,
} from '../../src/domain/errors.js';
import { Order } from '../../src/domain/order.js';
import { Position } from '../../src/domain/position.js';
import { dec } from '../../src/domain/money.js';

function order(status: OrderStatus, filledQty = '0'): Order {
  const t = new Date('2026-03-02T15:00:00Z');
  return new Order({
    id: 'o-1',
    clientOrderId: 'sig-1:entry',
    ticker: 'AAPL',
    side: 'buy',
    type: 'limit',
    orderClass: 'simple',
    timeInForce: 'day',
    quantity: dec(100),
    filledQty: dec(filledQty),
    filledAvgPrice: null,
    limitPrice: dec('189.99'),
    stopPrice: null,
    trailPrice: null,
    trailPercent: null,
    highWaterMark: null,
    status,
    parentOrderId: null,
    legs: [],
    submittedAt: t,
    updatedAt: t,
    filledAt: null,
    canceledAt: null,
    expiredAt: null,
    statusReason: null,
  });
}

describe('Order status helpers', () => {
  it("is the bot's own vocabulary (a broker's other statuses are mapped by its adapter)", () => {
    expect([...ALL_ORDER_STATUSES].sort()).toEqual(['accepted', 'canceled', 'expired', 'filled', 'held', 'new', 'partially_filled', 'rejected', 'replaced']);
  });

  it('treats filled, canceled, expired, replaced and rejected as terminal, and nothing else', () => {
    const terminal = ALL_ORDER_STATUSES.filter((s) => order(s).isTerminal());
    expect(terminal.sort()).toEqual(['canceled', 'expired', 'filled', 'rejected', 'replaced']);
    expect(order('accepted').isOpen()).toBe(true);
    expect(order('held').isOpen()).toBe(true);
  });

  it('is filled only when filled, and reports what remains of a partial fill', () => {
    expect(order('filled', '100').isFilled()).toBe(true);
    const partial = order('partially_filled', '37');
    expect(partial.isFilled()).toBe(false);
    expect(partial.isPartiallyFilled()).toBe(true);
    expect(partial.remainingQty().toString()).toBe('63');
  });

  it('copies with changes and leaves the original alone', () => {
    const a = order('new');
    const b = a.with({ status: 'filled', filledQty: dec(100), filledAvgPrice: dec('189.95') });
    expect(a.status).toBe('new');
    expect(b.isFilled()).toBe(true);
    expect(b.filledAvgPrice?.toString()).toBe('189.95');
    expect(b.isFilled).toBeTypeOf('function');
  });
});

describe('Account and Position', () => {
  it('computes day P&L exactly from equity and last equity', () => {
    const account = new Account({
      id: 'a',
      accountNumber: 'PA1',
      status: 'ACTIVE',
      currency: 'USD',
      cash: dec('50000.10'),
      equity: dec('101234.56'),
      lastEquity: dec('100000.00'),
      buyingPower: dec('200000'),
      longMarketValue: dec('51234.46'),
      shortMarketValue: dec(0),
      multiplier: dec(2),
      daytradeCount: 0,
      patternDayTrader: false,
      tradingBlocked: false,
    });
    expect(account.dayPnl().toString()).toBe('1234.56');
    expect(account.dayPnlPct().toString()).toBe('0.0123456');
  });

  it('knows which side closes a position', () => {
    const base = {
      ticker: 'TSLA',
      quantity: dec(10),
      avgEntryPrice: dec(250),
      currentPrice: dec(240),
      marketValue: dec(2400),
      costBasis: dec(2500),
      unrealizedPnl: dec(-100),
      unrealizedPnlPct: dec('-0.04'),
    };
    expect(new Position({ ...base, side: 'long' }).closingSide()).toBe('sell');
    expect(new Position({ ...base, side: 'short' }).closingSide()).toBe('buy');
  });
});

describe('broker errors', () => {
  it('keeps the broker code, status and message, and sits under BrokerError', () => {
    const e = new InsufficientFundsError('insufficient buying power for AAPL', {
      code: 40310000,
      status: 403,
      brokerMessage: 'insufficient buying power',
    });
    expect(e).toBeInstanceOf(BrokerError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InsufficientFundsError');
    expect(e.code).toBe(40310000);
    expect(e.status).toBe(403);
    expect(e.brokerMessage).toBe('insufficient buying power');
  });

  it('carries retryAfterMs on a rate limit', () => {
    const e = new RateLimitError('rate limited', 1500, { status: 429 });
    expect(e.retryAfterMs).toBe(1500);
    expect(e).toBeInstanceOf(BrokerError);
  });

  it('has one class per failure an operator must tell apart', () => {
    const classes = [BrokerConnectionError, BrokerAuthenticationError, OrderRejectedError, InsufficientFundsError, NotFoundError];
    for (const C of classes) {
      const e = new C('x');
      expect(e).toBeInstanceOf(BrokerError);
      expect(e.name).toBe(C.name);
      for (const Other of classes.filter((o) => o !== C)) expect(e).not.toBeInstanceOf(Other);
    }
    const cause = new Error('socket hang up');
    expect(new BrokerConnectionError('broker unreachable', { cause }).cause).toBe(cause);
  });
});

/** Domain objects to Alpaca's JSON, and request bodies to OrderRequest: exact shapes, exact decimal strings. */
import { describe, expect, it } from 'vitest';
import { exchangeIso } from '../../../../src/domain/marketTime.js';
import { dec } from '../../../../src/domain/money.js';
import { SimRejection } from '../../../../src/broker/sim/api.js';
import {
  accountJson,
  assetId,
  assetJson,
  assetSymbol,
  calendarJson,
  clockJson,
  orderJson,
  orderRequestSchema,
  parseBody,
  positionJson,
  replaceRequestSchema,
  snapshotJson,
  toOrderRequest,
  toReplaceRequest,
  tradeJson,
  tradeUpdateJson,
} from '../../../../src/broker/sim/server/wire.js';
import { Account } from '../../../../src/domain/account.js';
import { Order, type OrderProps } from '../../../../src/domain/order.js';
import { Position } from '../../../../src/domain/position.js';

const T0 = new Date('2026-03-02T15:00:00.000Z');
const T1 = new Date('2026-03-02T15:04:05.678Z');

function order(changes: Partial<OrderProps> = {}): Order {
  return new Order({
    id: '11111111-2222-4333-8444-555555555555',
    clientOrderId: 'sig-42:entry',
    ticker: 'AAPL',
    side: 'buy',
    type: 'limit',
    orderClass: 'simple',
    timeInForce: 'gtc',
    quantity: dec('12.5'),
    filledQty: dec('2.50'),
    filledAvgPrice: dec('189.995'),
    limitPrice: dec('190.10'),
    stopPrice: null,
    trailPrice: null,
    trailPercent: null,
    highWaterMark: null,
    status: 'partially_filled',
    parentOrderId: null,
    legs: [],
    submittedAt: T0,
    updatedAt: T1,
    filledAt: null,
    canceledAt: null,
    expiredAt: null,
    statusReason: null,
    ...changes,
  });
}

const AAPL_ID = '4141504c-5f5f-5f5f-5f5f-5f5f5f5f5f5f';

describe('orderJson', () => {
  it('writes a simple order exactly as Alpaca does: "" class, decimal strings, ISO times', () => {
    expect(orderJson(order())).toEqual({
      id: '11111111-2222-4333-8444-555555555555',
      client_order_id: 'sig-42:entry',
      created_at: '2026-03-02T15:00:00.000Z',
      updated_at: '2026-03-02T15:04:05.678Z',
      submitted_at: '2026-03-02T15:00:00.000Z',
      filled_at: null,
      expired_at: null,
      canceled_at: null,
      failed_at: null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: AAPL_ID,
      symbol: 'AAPL',
      asset_class: 'us_equity',
      notional: null,
      qty: '12.5',
      filled_qty: '2.5',
      filled_avg_price: '189.995',
      order_class: '',
      order_type: 'limit',
      type: 'limit',
      side: 'buy',
      time_in_force: 'gtc',
      limit_price: '190.1',
      stop_price: null,
      status: 'partially_filled',
      extended_hours: false,
      legs: null,
      trail_percent: null,
      trail_price: null,
      hwm: null,
      subtag: null,
      source: null,
    });
  });

  it("nests a bracket's legs and keeps trailing-stop fields exact", () => {
    const tp = order({
      id: 'tp',
      clientOrderId: 'b:tp',
      side: 'sell',
      type: 'limit',
      orderClass: 'bracket',
      limitPrice: dec('200'),
      status: 'held',
      filledQty: dec(0),
      filledAvgPrice: null,
    });
    const sl = order({
      id: 'sl',
      clientOrderId: 'b:sl',
      side: 'sell',
      type: 'stop',
      orderClass: 'bracket',
      limitPrice: null,
      stopPrice: dec('185.00'),
      status: 'held',
      filledQty: dec(0),
      filledAvgPrice: null,
    });
    const json = orderJson(order({ orderClass: 'bracket', legs: [tp, sl] }));
    expect(json.order_class).toBe('bracket');
    expect((json.legs as Record<string, unknown>[]).map((l) => [l.id, l.order_class, l.type, l.limit_price, l.stop_price, l.status, l.legs])).toEqual([
      ['tp', 'bracket', 'limit', '200', null, 'held', null],
      ['sl', 'bracket', 'stop', null, '185', 'held', null],
    ]);
    const trailing = orderJson(
      order({ type: 'trailing_stop', side: 'sell', limitPrice: null, trailPercent: dec('1.5'), highWaterMark: dec('201.27'), stopPrice: dec('198.251') }),
    );
    expect([trailing.trail_percent, trailing.trail_price, trailing.hwm, trailing.stop_price]).toEqual(['1.5', null, '201.27', '198.251']);
  });

  it('marks when a rejected order failed and a replaced one was replaced; PATCH answers name the order replaced', () => {
    expect(orderJson(order({ status: 'rejected' })).failed_at).toBe('2026-03-02T15:04:05.678Z');
    expect(orderJson(order({ status: 'replaced' })).replaced_at).toBe('2026-03-02T15:04:05.678Z');
    expect(orderJson(order(), { replaces: 'old-id' }).replaces).toBe('old-id');
  });

  it('never writes an exponent or a negative zero', () => {
    const json = orderJson(order({ quantity: dec('1e-7'), filledQty: dec('-0'), limitPrice: dec('1.5e21') }));
    expect([json.qty, json.filled_qty, json.limit_price]).toEqual(['0.0000001', '0', '1500000000000000000000']);
  });
});

describe('accountJson and positionJson', () => {
  const account = new Account({
    id: 'acct-1',
    accountNumber: 'PA0000000001',
    status: 'ACTIVE',
    currency: 'USD',
    cash: dec('98100.25'),
    equity: dec('100012.75'),
    lastEquity: dec('100000'),
    buyingPower: dec('198100.50'),
    longMarketValue: dec('2912.5'),
    shortMarketValue: dec('-1000'),
    multiplier: dec(2),
    daytradeCount: 1,
    patternDayTrader: false,
    tradingBlocked: false,
  });

  it('writes the account fields the SDK reads, amounts as strings', () => {
    expect(accountJson(account, T0)).toEqual({
      id: 'acct-1',
      account_number: 'PA0000000001',
      status: 'ACTIVE',
      crypto_status: 'INACTIVE',
      currency: 'USD',
      buying_power: '198100.5',
      regt_buying_power: '198100.5',
      daytrading_buying_power: '198100.5',
      effective_buying_power: '198100.5',
      non_marginable_buying_power: '98100.25',
      options_buying_power: '0',
      bod_dtbp: '0',
      cash: '98100.25',
      accrued_fees: '0',
      pending_transfer_in: '0',
      portfolio_value: '100012.75',
      pattern_day_trader: false,
      trading_blocked: false,
      transfers_blocked: false,
      account_blocked: false,
      created_at: '2024-01-02T14:30:00Z',
      trade_suspended_by_user: false,
      multiplier: '2',
      shorting_enabled: true,
      equity: '100012.75',
      last_equity: '100000',
      long_market_value: '2912.5',
      short_market_value: '-1000',
      position_market_value: '3912.5',
      initial_margin: '0',
      maintenance_margin: '0',
      last_maintenance_margin: '0',
      sma: '0',
      daytrade_count: 1,
      balance_asof: '2026-03-02',
      options_approved_level: 0,
      options_trading_level: 0,
      intraday_adjustments: '0',
      pending_reg_taf_fees: '0',
    });
    expect(accountJson(new Account({ ...account, multiplier: dec(1) }), T0).shorting_enabled).toBe(false);
  });

  it("signs a short position's qty as Alpaca does", () => {
    const short = new Position({
      ticker: 'MSFT',
      side: 'short',
      quantity: dec('5'),
      avgEntryPrice: dec('410.20'),
      currentPrice: dec('400'),
      marketValue: dec('-2000'),
      costBasis: dec('-2051'),
      unrealizedPnl: dec('51'),
      unrealizedPnlPct: dec('0.0248659190638712823'),
    });
    expect(positionJson(short)).toEqual({
      asset_id: assetId('MSFT'),
      symbol: 'MSFT',
      exchange: 'NASDAQ',
      asset_class: 'us_equity',
      asset_marginable: true,
      qty: '-5',
      qty_available: '-5',
      avg_entry_price: '410.2',
      side: 'short',
      market_value: '-2000',
      cost_basis: '-2051',
      unrealized_pl: '51',
      unrealized_plpc: '0.0248659190638712823',
      unrealized_intraday_pl: '51',
      unrealized_intraday_plpc: '0.0248659190638712823',
      current_price: '400',
      lastday_price: '400',
      change_today: '0',
    });
  });
});

describe('clock, calendar, assets', () => {
  it('writes clock instants in New York time with the offset of the day (EST and EDT)', () => {
    expect(exchangeIso(new Date('2026-01-15T14:30:00.250Z'))).toBe('2026-01-15T09:30:00.250-05:00');
    expect(exchangeIso(new Date('2026-07-02T20:00:00Z'))).toBe('2026-07-02T16:00:00.000-04:00');
    expect(clockJson({ timestamp: T0, isOpen: true, nextOpen: new Date('2026-03-03T14:30:00Z'), nextClose: new Date('2026-03-02T21:00:00Z') })).toEqual({
      timestamp: '2026-03-02T10:00:00.000-05:00',
      is_open: true,
      next_open: '2026-03-03T09:30:00.000-05:00',
      next_close: '2026-03-02T16:00:00.000-05:00',
    });
  });

  it('writes calendar days as HH:MM in New York, settling on the next session', () => {
    const day = { date: '2026-07-02', open: new Date('2026-07-02T13:30:00Z'), close: new Date('2026-07-02T20:00:00Z') };
    expect(calendarJson(day, '2026-07-06')).toEqual({
      date: '2026-07-02',
      open: '09:30',
      close: '16:00',
      session_open: '0400',
      session_close: '2000',
      settlement_date: '2026-07-06',
    });
    // Friday without a known next session: the next weekday.
    expect(calendarJson({ ...day, date: '2026-03-06', open: new Date('2026-03-06T14:30:00Z'), close: new Date('2026-03-06T21:00:00Z') }).settlement_date).toBe(
      '2026-03-09',
    );
    // An `always` session runs to the next midnight.
    const allDay = { date: '2026-03-02', open: new Date('2026-03-02T05:00:00Z'), close: new Date('2026-03-03T05:00:00Z') };
    expect([calendarJson(allDay).open, calendarJson(allDay).close]).toEqual(['00:00', '24:00']);
  });

  it('gives each symbol an asset id that reads back to the symbol', () => {
    expect(assetId('AAPL')).toBe(AAPL_ID);
    expect(assetSymbol(AAPL_ID)).toBe('AAPL');
    expect(assetSymbol(assetId('BRK.B'))).toBe('BRK.B');
    expect(assetSymbol('msft')).toBe('MSFT');
    expect(assetJson({ symbol: 'AAPL', tradable: true, shortable: false, fractionable: true })).toMatchObject({
      id: AAPL_ID,
      class: 'us_equity',
      symbol: 'AAPL',
      status: 'active',
      tradable: true,
      shortable: false,
      easy_to_borrow: false,
      fractionable: true,
      attributes: [],
    });
  });
});

describe('market data and trade updates', () => {
  const trade = { price: dec('411.37'), size: dec(100), timestamp: T1 };

  it('writes trades, quotes and bars with JSON numbers, as the data API does', () => {
    expect(tradeJson(trade)).toEqual({ t: '2026-03-02T15:04:05.678Z', x: 'V', p: 411.37, s: 100, c: ['@'], i: T1.getTime(), z: 'C' });
    expect(snapshotJson(trade)).toEqual({
      latestTrade: tradeJson(trade),
      latestQuote: { t: '2026-03-02T15:04:05.678Z', ax: 'V', ap: 411.37, as: 1, bx: 'V', bp: 411.37, bs: 1, c: ['R'], z: 'C' },
      minuteBar: { t: '2026-03-02T15:04:05.678Z', o: 411.37, h: 411.37, l: 411.37, c: 411.37, v: 100, n: 1, vw: 411.37 },
      dailyBar: { t: '2026-03-02T15:04:05.678Z', o: 411.37, h: 411.37, l: 411.37, c: 411.37, v: 100, n: 1, vw: 411.37 },
      prevDailyBar: { t: '2026-03-02T15:04:05.678Z', o: 411.37, h: 411.37, l: 411.37, c: 411.37, v: 100, n: 1, vw: 411.37 },
    });
  });

  it('writes a fill with price, qty, position_qty as strings and its execution id', () => {
    const filled = order({ status: 'filled', filledQty: dec('12.5'), filledAvgPrice: dec('190.05') });
    expect(
      tradeUpdateJson({ event: 'fill', order: filled, timestamp: T1, price: dec('190.10'), qty: dec('10'), positionQty: dec('-2.5'), executionId: 'x-1' }),
    ).toEqual({
      event: 'fill',
      execution_id: 'x-1',
      order: orderJson(filled),
      timestamp: '2026-03-02T15:04:05.678Z',
      price: '190.1',
      qty: '10',
      position_qty: '-2.5',
    });
    expect(tradeUpdateJson({ event: 'canceled', order: order(), timestamp: T1, price: null, qty: null, positionQty: null, executionId: null })).toEqual({
      event: 'canceled',
      order: orderJson(order()),
      timestamp: '2026-03-02T15:04:05.678Z',
    });
  });
});

describe('order requests', () => {
  const rejection = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof SimRejection) return { status: error.status, code: error.code, message: error.message };
      throw error;
    }
    throw new Error('expected a rejection');
  };

  it('reads a bracket body into an OrderRequest with exact decimals', () => {
    const body = {
      symbol: 'aapl',
      qty: '10',
      side: 'buy',
      type: 'limit',
      time_in_force: 'gtc',
      limit_price: 190.1,
      order_class: 'bracket',
      take_profit: { limit_price: '200.05' },
      stop_loss: { stop_price: '185', limit_price: 184.5 },
      client_order_id: 'sig-7',
      position_intent: 'buy_to_open',
    };
    const req = toOrderRequest(parseBody(orderRequestSchema, body));
    expect({
      ...req,
      qty: req.qty.toFixed(),
      limitPrice: req.limitPrice?.toFixed(),
      takeProfit: req.takeProfit?.limitPrice.toFixed(),
      stopLoss: [req.stopLoss?.stopPrice.toFixed(), req.stopLoss?.limitPrice?.toFixed()],
    }).toEqual({
      symbol: 'AAPL',
      qty: '10',
      side: 'buy',
      type: 'limit',
      timeInForce: 'gtc',
      limitPrice: '190.1',
      stopPrice: null,
      trailPrice: null,
      trailPercent: null,
      orderClass: 'bracket',
      takeProfit: '200.05',
      stopLoss: ['185', '184.5'],
      clientOrderId: 'sig-7',
      extendedHours: false,
    });
  });

  it('treats an empty or absent order_class as simple', () => {
    const base = { symbol: 'AAPL', qty: 1, side: 'sell', type: 'market', time_in_force: 'day' };
    expect(toOrderRequest(parseBody(orderRequestSchema, { ...base, order_class: '' })).orderClass).toBe('simple');
    expect(toOrderRequest(parseBody(orderRequestSchema, base)).orderClass).toBe('simple');
  });

  it("refuses what Alpaca refuses, in Alpaca's words", () => {
    const base = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' };
    expect(rejection(() => parseBody(orderRequestSchema, 'qty=1'))).toEqual({ status: 400, code: 40010000, message: 'request body format is invalid' });
    expect(rejection(() => parseBody(orderRequestSchema, [base]))).toEqual({ status: 400, code: 40010000, message: 'request body format is invalid' });
    expect(rejection(() => parseBody(orderRequestSchema, { ...base, qty: 'ten', side: 'hold', type: 'bogus' }))).toEqual({
      status: 422,
      code: 42210000,
      message: 'invalid qty; invalid side; invalid order type',
    });
    const { time_in_force: _, ...noTif } = base;
    expect(rejection(() => parseBody(orderRequestSchema, noTif)).message).toBe('time_in_force is required');
    expect(rejection(() => parseBody(orderRequestSchema, { ...base, take_profit: {} })).message).toBe('take_profit.limit_price is required');
    expect(rejection(() => parseBody(orderRequestSchema, { ...base, client_order_id: 'x'.repeat(129) })).message).toBe('client_order_id is too long');
    const { qty: __, ...noQty } = base;
    expect(rejection(() => toOrderRequest(parseBody(orderRequestSchema, noQty))).message).toBe('qty is required');
    expect(rejection(() => toOrderRequest(parseBody(orderRequestSchema, { ...noQty, notional: '500' }))).message).toMatch(/^notional orders are not supported/);
  });

  it('reads a replace body, leaving out what was not given', () => {
    const req = toReplaceRequest(parseBody(replaceRequestSchema, { qty: '5', limit_price: '191.25', trail: null }));
    expect(Object.keys(req)).toEqual(['qty', 'limitPrice']);
    expect([req.qty?.toFixed(), req.limitPrice?.toFixed()]).toEqual(['5', '191.25']);
  });
});

/** Alpaca's order JSON to domain orders: a bracket's legs get their role and parent; a leg seen alone gets them from the legs noted before. */
import { trading } from '@alpacahq/alpaca-trade-api';
import { describe, expect, it } from 'vitest';
import { LegBook } from '../../../src/broker/alpaca/legBook.js';
import { legRoleOf, toAccount, toOrder } from '../../../src/broker/alpaca/mapping.js';

const order = (fields: Record<string, unknown>) =>
  trading.OrderFromJSON({
    id: 'o',
    client_order_id: 'c',
    symbol: 'AAPL',
    side: 'sell',
    type: 'limit',
    order_class: 'bracket',
    time_in_force: 'gtc',
    qty: '10',
    filled_qty: '0',
    status: 'new',
    created_at: '2026-03-02T15:00:00Z',
    submitted_at: '2026-03-02T15:00:00Z',
    updated_at: '2026-03-02T15:00:00Z',
    ...fields,
  });

const entry = order({
  id: 'entry',
  client_order_id: 'sig-1',
  side: 'buy',
  type: 'market',
  status: 'filled',
  filled_qty: '10',
  filled_avg_price: '190',
  legs: [
    {
      id: 'tp',
      client_order_id: 'sig-1:tp',
      symbol: 'AAPL',
      side: 'sell',
      type: 'limit',
      order_class: 'bracket',
      time_in_force: 'gtc',
      qty: '10',
      filled_qty: '0',
      status: 'new',
      limit_price: '200',
      created_at: '2026-03-02T15:00:00Z',
    },
    {
      id: 'sl',
      client_order_id: 'sig-1:sl',
      symbol: 'AAPL',
      side: 'sell',
      type: 'stop_limit',
      order_class: 'bracket',
      time_in_force: 'gtc',
      qty: '10',
      filled_qty: '0',
      status: 'new',
      stop_price: '185',
      limit_price: '184.5',
      created_at: '2026-03-02T15:00:00Z',
    },
  ],
});

describe('bracket legs from Alpaca', () => {
  it('names the limit leg the take profit and the stop or stop-limit leg the stop loss, under their entry', () => {
    const mapped = toOrder(entry);
    expect([mapped.legRole, mapped.parentOrderId]).toEqual([null, null]);
    expect(mapped.legs.map((l) => [l.id, l.legRole, l.parentOrderId, l.type])).toEqual([
      ['tp', 'take_profit', 'entry', 'limit'],
      ['sl', 'stop_loss', 'entry', 'stop_limit'],
    ]);
    expect([legRoleOf('bracket', 'stop'), legRoleOf('oco', 'stop'), legRoleOf('bracket', 'trailing_stop')]).toEqual(['stop_loss', null, null]);
  });

  it('gives a leg seen alone (a stream update, a PATCH answer) the parent and role noted from its bracket', () => {
    const book = new LegBook();
    book.learn(toOrder(entry));
    const alone = order({ id: 'sl', type: 'stop', stop_price: '185' });
    expect(toOrder(alone).legRole).toBeNull();
    const placed = toOrder(alone, book.parentOf('sl'));
    expect([placed.legRole, placed.parentOrderId]).toEqual(['stop_loss', 'entry']);
    book.replaced('sl', 'sl-2');
    const replacement = toOrder(order({ id: 'sl-2', type: 'stop', stop_price: '187', replaces: 'sl' }), book.parentOf('sl-2'));
    expect([replacement.legRole, replacement.parentOrderId, replacement.stopPrice?.toFixed()]).toEqual(['stop_loss', 'entry', '187']);
    expect(book.parentOf('unknown')).toBeNull();
  });
});

describe('the account from Alpaca', () => {
  // Alpaca stopped sending the pattern-day-trader fields when FINRA retired the rule (2026-06-04).
  const account = {
    id: 'acc-1',
    account_number: 'PA123',
    status: 'ACTIVE',
    currency: 'USD',
    cash: '24000.5',
    equity: '96960.25',
    last_equity: '100000',
    buying_power: '120960.75',
    long_market_value: '72959.75',
    short_market_value: '0',
    multiplier: '2',
    trading_blocked: false,
  };

  it('reads an account without the retired pattern-day-trader fields, every amount exact', () => {
    const a = toAccount(trading.AccountFromJSON(account));
    expect([a.cash, a.equity, a.lastEquity, a.buyingPower, a.longMarketValue, a.multiplier].map((d) => d.toFixed())).toEqual([
      '24000.5',
      '96960.25',
      '100000',
      '120960.75',
      '72959.75',
      '2',
    ]);
    expect([a.daytradeCount, a.patternDayTrader, a.tradingBlocked]).toEqual([0, false, false]);
  });

  it('still reads them from a broker that sends them', () => {
    const a = toAccount(trading.AccountFromJSON({ ...account, daytrade_count: 2, pattern_day_trader: true }));
    expect([a.daytradeCount, a.patternDayTrader]).toEqual([2, true]);
  });
});

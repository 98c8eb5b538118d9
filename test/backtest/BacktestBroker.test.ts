import { describe, expect, it } from 'vitest';
import type { Bar } from '../../src/backtest/bar.js';
import { BacktestBroker, tradingDayOf } from '../../src/backtest/BacktestBroker.js';
import { OrderRejectedError } from '../../src/domain/errors.js';
import { dec } from '../../src/domain/money.js';
import type { TradeUpdate } from '../../src/domain/ports/broker.js';

/** A bar from strings: `bar('AAA', '2024-01-03', '100 101.50 99.20 101')` (open high low close). */
function bar(symbol: string, time: string, ohlc: string): Bar {
  const [open, high, low, close] = ohlc.split(' ').map((v) => dec(v));
  if (!open || !high || !low || !close) throw new Error(`bad OHLC: ${ohlc}`);
  return { symbol, timestamp: new Date(`${time}T00:00:00Z`), open, high, low, close, volume: dec(1000) };
}

function newBroker(): { broker: BacktestBroker; updates: string[] } {
  const broker = new BacktestBroker({ startingCash: dec(10_000), costs: { slippageBps: dec(0), commissionPerShare: dec('0.01') } });
  const updates: string[] = [];
  broker.onTradeUpdate((u: TradeUpdate) => {
    updates.push(`${u.event} ${u.order.legRole ?? 'entry'} ${u.order.status}${u.price ? ` ${u.qty?.toFixed() ?? ''}@${u.price.toFixed()}` : ''}`);
  });
  return { broker, updates };
}

const bracket = (stop: string, target: string, extra: { entryType?: 'market' | 'limit'; limitPrice?: string } = {}) => ({
  ticker: 'AAA',
  side: 'buy' as const,
  quantity: dec(10),
  entryType: extra.entryType ?? ('market' as const),
  ...(extra.limitPrice ? { limitPrice: dec(extra.limitPrice) } : {}),
  stopLossPrice: dec(stop),
  takeProfitPrice: dec(target),
  timeInForce: 'gtc' as const,
  clientOrderId: 'sig-1:entry',
});

describe('BacktestBroker', () => {
  it('prices from the last close handed to it, never a later bar', async () => {
    const { broker } = newBroker();
    expect(await broker.getLatestPrices(['AAA'])).toEqual(new Map());
    await expect(broker.placeBracketOrder(bracket('95', '110'))).rejects.toThrow(OrderRejectedError);
    broker.advance(bar('AAA', '2024-01-02', '100 101 99 100.5'));
    expect((await broker.getLatestPrices(['aaa'])).get('AAA')?.toFixed()).toBe('100.5');
    expect((await broker.getClock()).timestamp.toISOString()).toBe('2024-01-02T00:00:00.000Z');
  });

  it('fills on the first bar after the order, not the bar stamped at the same time', async () => {
    const { broker, updates } = newBroker();
    broker.advance(bar('AAA', '2024-01-02', '100 101 99 100'));
    await broker.placeBracketOrder(bracket('95', '110'));
    broker.advance(bar('AAA', '2024-01-02', '100 101 99 100'));
    expect(updates).toEqual(['new entry new']);
    broker.advance(bar('AAA', '2024-01-03', '102 103 101 102'));
    expect(updates.slice(1)).toEqual(['fill entry filled 10@102', 'new take_profit new', 'new stop_loss new']);
    // 10,000 − 1,020 − 0.10 commission, plus 10 × 102.
    expect((await broker.getAccount()).equity.toFixed()).toBe('9999.9');
  });

  it('lets only the stop trigger on the bar a limit entry filled inside, then fills the target at a gap open', async () => {
    const { broker, updates } = newBroker();
    broker.advance(bar('AAA', '2024-01-02', '100 101 99 100'));
    await broker.placeBracketOrder(bracket('95', '101', { entryType: 'limit', limitPrice: '99' }));
    broker.advance(bar('AAA', '2024-01-03', '100 102 98 100'));
    expect(updates.slice(1)).toEqual(['fill entry filled 10@99', 'new take_profit new', 'new stop_loss new']);
    broker.advance(bar('AAA', '2024-01-04', '101.5 103 101 102'));
    expect(updates.slice(4)).toEqual(['fill take_profit filled 10@101.5', 'canceled stop_loss canceled']);
    expect(await broker.getPositions()).toEqual([]);
    // 10 × (101.50 − 99) − 0.10 − 0.10.
    expect((await broker.getAccount()).cash.toFixed()).toBe('10024.8');
  });

  it('cancels a bracket with its held legs', async () => {
    const { broker, updates } = newBroker();
    broker.advance(bar('AAA', '2024-01-02', '100 101 99 100'));
    const placed = await broker.placeBracketOrder(bracket('95', '110'));
    await broker.cancelOrder(placed.entryOrder.id);
    expect(updates).toEqual(['new entry new', 'canceled entry canceled', 'canceled take_profit canceled', 'canceled stop_loss canceled']);
    broker.advance(bar('AAA', '2024-01-03', '102 103 101 102'));
    expect(await broker.getPositions()).toEqual([]);
  });

  it('names the trading day of dated bars by their date, of timed bars by New York', () => {
    expect(tradingDayOf(new Date('2024-01-03T00:00:00Z'))).toBe('2024-01-03');
    expect(tradingDayOf(new Date('2024-01-03T05:00:00Z'))).toBe('2024-01-03');
    expect(tradingDayOf(new Date('2024-01-04T01:00:00Z'))).toBe('2024-01-03');
  });
});

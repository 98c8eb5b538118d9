import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InsufficientFundsError, NotFoundError, OrderRejectedError } from '../../../src/domain/errors.js';
import { dec } from '../../../src/domain/money.js';
import { createSimBroker } from '../../../src/broker/sim/index.js';
import { RealtimeSimDriver } from '../../../src/broker/sim/driver.js';
import { loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/db/index.js';
import { useTempDir } from '../../helpers/tempDb.js';
import { aaplBracket } from '../../helpers/fixtures.js';

const START = new Date('2026-03-02T15:00:00.000Z');
const simConfig = loadConfig({ SIM_PRICES: 'AAPL=190,MSFT=410' }).sim;

describe('SimBroker', () => {
  const newDir = useTempDir();

  it('continues the same paper account after a restart', async () => {
    const path = join(newDir(), 'trading.db');
    const store = await openStore(path);
    const broker = createSimBroker(simConfig, store.simState, START);
    await broker.connect();
    const bracket = await broker.placeBracketOrder(aaplBracket('sig-1:entry'));
    expect([bracket.entryOrder.status, bracket.takeProfitOrder?.status, bracket.stopLossOrder?.status]).toEqual(['filled', 'new', 'new']);
    await broker.setPrice('MSFT', dec('412.34'));
    await broker.disconnect();
    await store.close();

    const reopened = await openStore(path);
    const again = createSimBroker(simConfig, reopened.simState, new Date('2030-01-01T00:00:00Z'));
    await again.connect();
    const account = await again.getAccount();
    expect([account.cash.toFixed(2), account.equity.toFixed(2)]).toEqual(['81000.00', '100000.00']);
    expect((await again.getPosition('AAPL'))?.quantity.toFixed()).toBe('100');
    expect((await again.getLatestPrices(['MSFT', 'NOPE'])).get('MSFT')?.toFixed()).toBe('412.34');
    expect((await again.getOrderByClientId('sig-1:entry'))?.legs.map((l) => l.status)).toEqual(['new', 'new']);
    expect((await again.getClock()).timestamp.toISOString()).toBe(START.toISOString());
    // The stop still protects the position after the restart.
    const updates = await again.setPrice('AAPL', dec(184));
    expect(updates.map((u) => `${u.event}:${u.order.clientOrderId}`)).toEqual(['fill:sig-1:entry:sl', 'canceled:sig-1:entry:tp']);
    expect((await again.getAccount()).cash.toFixed(2)).toBe('99400.00');
    await again.disconnect();
    await reopened.close();
  });

  it("raises the product's error classes with Alpaca's code and message", async () => {
    const broker = createSimBroker(simConfig, null, START);
    await broker.connect();
    const tooBig = broker.placeOrder('AAPL', 'buy', dec(2000), 'market', { clientOrderId: 'big' });
    await expect(tooBig).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(tooBig).rejects.toMatchObject({ status: 403, code: 40310000, brokerMessage: 'insufficient buying power' });
    await expect(broker.placeOrder('ZZZZ', 'buy', dec(1), 'market', { clientOrderId: 'z' })).rejects.toBeInstanceOf(OrderRejectedError);
    await expect(broker.getOrder('missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(broker.closePosition('MSFT')).rejects.toBeInstanceOf(NotFoundError);
    expect(await broker.getOrderByClientId('big')).toBeNull();
  });

  it('closes part of a position by quantity or percentage, then all of it', async () => {
    const broker = createSimBroker(simConfig, null, START);
    await broker.connect();
    await broker.placeOrder('AAPL', 'buy', dec(100), 'market', { clientOrderId: 'in' });
    await broker.closePosition('AAPL', { qty: dec(30) });
    await broker.closePosition('AAPL', { percentage: dec(50) });
    expect((await broker.getPosition('AAPL'))?.quantity.toFixed()).toBe('35');
    const closed = await broker.closeAllPositions();
    expect(closed.map((o) => [o.ticker, o.side, o.quantity.toFixed(), o.status])).toEqual([['AAPL', 'sell', '35', 'filled']]);
    expect(await broker.getPositions()).toEqual([]);
  });

  it('catches up the time it was down: day orders expire, the feed walks', async () => {
    const broker = createSimBroker({ ...simConfig, marketHours: 'nyse' }, null, new Date('2026-03-02T20:00:00Z'));
    await broker.connect();
    await broker.placeOrder('AAPL', 'buy', dec(1), 'limit', { limitPrice: dec(100), timeInForce: 'day', clientOrderId: 'day' });
    const driver = new RealtimeSimDriver(broker, () => new Date('2026-03-03T16:00:30Z'));
    expect(driver.lagMinutes()).toBe(1200);
    expect(await driver.catchUp()).toBe(1200);
    expect((await broker.getOrderByClientId('day'))?.status).toBe('expired');
    expect((await broker.getClock()).timestamp.toISOString()).toBe('2026-03-03T16:00:00.000Z');
    expect((await broker.getLatestPrices(['AAPL'])).get('AAPL')?.toFixed()).not.toBe('190');
  });
});

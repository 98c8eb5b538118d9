/**
 * The Alpaca adapter, through the real SDK over HTTP and WebSocket, against
 * the simulator's Alpaca-compatible server on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../../src/broker/alpaca/AlpacaBroker.js';
import {
  BrokerAuthenticationError,
  BrokerConnectionError,
  DuplicateClientOrderIdError,
  InsufficientFundsError,
  NotFoundError,
  OrderRejectedError,
  RateLimitError,
} from '../../../src/domain/errors.js';
import { dec } from '../../../src/domain/money.js';
import type { TradeUpdate } from '../../../src/domain/ports/broker.js';
import { createSimServer, type SimServer } from '../../../src/broker/sim/server/server.js';
import { harness } from '../sim/engineHarness.js';

const KEY = 'PKADAPTERTEST0000001';
const SECRET = 'adapter-test-secret-00000000000000000001';

let server: SimServer | null = null;
const brokers: AlpacaBroker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.disconnect();
  await server?.stop();
  server = null;
});

async function setup(overrides: { secret?: string; timeoutMs?: number } = {}) {
  const h = harness();
  server = createSimServer(h.engine, { keyId: KEY, secret: SECRET });
  const urls = await server.start();
  const broker = new AlpacaBroker({
    keyId: KEY,
    secret: overrides.secret ?? SECRET,
    paper: true,
    tradingUrl: urls.tradingUrl,
    dataUrl: urls.dataUrl,
    streamUrl: urls.streamUrl,
    timeoutMs: overrides.timeoutMs ?? 2000,
    retryDelayMs: 10,
  });
  brokers.push(broker);
  return { ...h, broker, server, urls };
}

const bracket = (clientOrderId: string) => ({
  ticker: 'AAPL',
  side: 'buy' as const,
  quantity: dec(100),
  entryType: 'market' as const,
  takeProfitPrice: dec(200),
  stopLossPrice: dec(185),
  timeInForce: 'gtc' as const,
  clientOrderId,
});

describe('AlpacaBroker: the whole interface', () => {
  it('reads the account and positions exactly, and places and manages orders', async () => {
    const { broker, engine } = await setup();
    await broker.connect();
    const account = await broker.getAccount();
    expect([account.cash.toFixed(2), account.equity.toFixed(2), account.buyingPower.toFixed(2)]).toEqual(['100000.00', '100000.00', '200000.00']);

    const limit = await broker.placeOrder('MSFT', 'buy', dec(5), 'limit', { limitPrice: dec('400.25'), timeInForce: 'gtc', clientOrderId: 'cmd-1' });
    expect([limit.status, limit.limitPrice?.toFixed(), limit.quantity.toFixed()]).toEqual(['new', '400.25', '5']);
    expect((await broker.getOrder(limit.id)).clientOrderId).toBe('cmd-1');
    expect((await broker.getOrderByClientId('cmd-1'))?.id).toBe(limit.id);
    expect(await broker.getOrderByClientId('never-sent')).toBeNull();
    expect((await broker.listOrders({ status: 'open' })).map((o) => o.clientOrderId)).toEqual(['cmd-1']);
    await broker.cancelOrder(limit.id);
    expect((await broker.getOrder(limit.id)).status).toBe('canceled');

    const b = await broker.placeBracketOrder(bracket('sig-1:entry'));
    expect([
      b.entryOrder.status,
      b.entryOrder.filledAvgPrice?.toFixed(),
      b.takeProfitOrder?.limitPrice?.toFixed(),
      b.stopLossOrder?.stopPrice?.toFixed(),
    ]).toEqual(['filled', '190', '200', '185']);
    const position = await broker.getPosition('AAPL');
    expect([position?.side, position?.quantity.toFixed(), position?.avgEntryPrice.toFixed(), position?.costBasis.toFixed()]).toEqual([
      'long',
      '100',
      '190',
      '19000',
    ]);
    expect(await broker.getPosition('MSFT')).toBeNull();

    await broker.closePosition('AAPL', { percentage: dec(25) });
    expect((await broker.getPosition('AAPL'))?.quantity.toFixed()).toBe('75');
    const closed = await broker.closeAllPositions();
    expect(closed.map((o) => [o.ticker, o.side, o.quantity.toFixed()])).toEqual([['AAPL', 'sell', '75']]);
    expect(await broker.getPositions()).toEqual([]);
    // Same-day round trips: the day-trade count comes off the raw snake_case keys
    // (the SDK model drops them). Alpaca deprecated both fields in 2026; absent → 0 / false.
    const after = await broker.getAccount();
    expect([after.daytradeCount, after.patternDayTrader]).toEqual([engine.account().daytradeCount, false]);
    expect(after.daytradeCount).toBeGreaterThan(0);
    await broker.cancelAllOrders();
    expect(await broker.listOrders({ status: 'open' })).toEqual([]);
  });

  it('reads the clock and the calendar as instants', async () => {
    const { broker } = await setup();
    const clock = await broker.getClock();
    expect([clock.isOpen, clock.timestamp.toISOString()]).toEqual([true, '2026-03-02T15:00:00.000Z']);
    const days = await broker.getCalendar('2026-03-02', '2026-03-03');
    expect(days.map((d) => [d.date, d.open.toISOString(), d.close.toISOString()])).toEqual([
      ['2026-03-02', '2026-03-02T05:00:00.000Z', '2026-03-03T05:00:00.000Z'],
      ['2026-03-03', '2026-03-03T05:00:00.000Z', '2026-03-04T05:00:00.000Z'],
    ]);
  });

  it('gets the latest prices of many tickers in one request', async () => {
    const { broker, engine, server } = await setup();
    engine.setPrice('MSFT', dec('411.37'));
    server.resetRequestCount();
    const prices = await broker.getLatestPrices(['AAPL', 'MSFT', 'NOPE']);
    expect([...prices].map(([t, p]) => `${t}=${p.toFixed()}`).sort()).toEqual(['AAPL=190', 'MSFT=411.37']);
    expect(server.requestCount()).toBe(1);
  });
});

describe('AlpacaBroker: errors', () => {
  it('fails connect with a readable BrokerAuthenticationError on wrong credentials', async () => {
    const { broker } = await setup({ secret: 'wrong' });
    const error = await broker.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerAuthenticationError);
    expect((error as Error).message).toBe('Alpaca refused the credentials (reading the account): request is not authorized');
  });

  it('maps refusals: insufficient funds, rejected, not found', async () => {
    const { broker } = await setup();
    await expect(broker.placeOrder('AAPL', 'buy', dec(5000), 'market', { clientOrderId: 'big' })).rejects.toBeInstanceOf(InsufficientFundsError);
    const rejected = await broker.placeOrder('ZZZZ', 'buy', dec(1), 'market', { clientOrderId: 'zz' }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(OrderRejectedError);
    expect(rejected).toMatchObject({ status: 422, code: 42210000, brokerMessage: 'asset "ZZZZ" not found' });
    await expect(broker.getOrder('no-such-id')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('retries a read through 429 (honouring Retry-After) and 500, transparently', async () => {
    const { broker, server } = await setup();
    server.faults.inject('GET', '/v2/account', { kind: 'rateLimit', retryAfterSeconds: 1 });
    server.faults.inject('GET', '/v2/account', { kind: 'serverError' });
    server.resetRequestCount();
    const started = Date.now();
    expect((await broker.getAccount()).cash.toFixed()).toBe('100000');
    expect(server.requestCount('/v2/account')).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('never retries an order POST: a 429 surfaces as RateLimitError with retryAfterMs', async () => {
    const { broker, server, engine } = await setup();
    server.faults.inject('POST', '/v2/orders', { kind: 'rateLimit', retryAfterSeconds: 3 });
    server.resetRequestCount();
    const error = await broker.placeOrder('AAPL', 'buy', dec(1), 'market', { clientOrderId: 'rl' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3000);
    expect(server.requestCount('/v2/orders')).toBe(1);
    expect(engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('times out a hung read as BrokerConnectionError', async () => {
    const { broker, server } = await setup({ timeoutMs: 300 });
    server.faults.inject('GET', '/v2/clock', { kind: 'hang' }, 10);
    await expect(broker.getClock()).rejects.toBeInstanceOf(BrokerConnectionError);
  });
});

describe('AlpacaBroker: never an order twice', () => {
  it('resolves a submission whose connection reset after Alpaca accepted it: exactly one order', async () => {
    const { broker, server, engine } = await setup();
    server.faults.inject('POST', '/v2/orders', { kind: 'acceptThenDrop' });
    const order = await broker.placeOrder('AAPL', 'buy', dec(10), 'market', { clientOrderId: 'sig-9:entry' });
    expect([order.clientOrderId, order.status]).toEqual(['sig-9:entry', 'filled']);
    expect(engine.listOrders({ status: 'all' })).toHaveLength(1);
    // A retry with the same id is refused as a duplicate (the caller looks the order up): still one.
    const again = await broker.placeOrder('AAPL', 'buy', dec(10), 'market', { clientOrderId: 'sig-9:entry' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DuplicateClientOrderIdError);
    expect(again).toMatchObject({ status: 422, code: 42210000, brokerMessage: 'client_order_id must be unique' });
    expect((await broker.getOrderByClientId('sig-9:entry'))?.id).toBe(order.id);
    expect(engine.listOrders({ status: 'all' })).toHaveLength(1);
    expect((await broker.getPosition('AAPL'))?.quantity.toFixed()).toBe('10');
  });

  it('reports an unknown outcome when the connection dropped before Alpaca saw it; the retry places it once', async () => {
    const { broker, server, engine } = await setup();
    server.faults.inject('POST', '/v2/orders', { kind: 'drop' });
    const error = await broker.placeOrder('AAPL', 'buy', dec(10), 'market', { clientOrderId: 'sig-10:entry' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect((error as Error).message).toContain('placing it again with the same client_order_id is safe');
    expect(engine.listOrders({ status: 'all' })).toEqual([]);
    await broker.placeOrder('AAPL', 'buy', dec(10), 'market', { clientOrderId: 'sig-10:entry' });
    expect(engine.listOrders({ status: 'all' })).toHaveLength(1);
  });
});

describe('AlpacaBroker: the trade-update stream', () => {
  it('reports a bracket round trip as it happens', async () => {
    const { broker, engine } = await setup();
    const updates: TradeUpdate[] = [];
    broker.onTradeUpdate((u) => updates.push(u));
    await broker.connect();
    await broker.placeBracketOrder(bracket('rt'));
    engine.setPrice('AAPL', dec('184.50'));
    await expect.poll(() => updates.length, { timeout: 5000 }).toBe(6);
    expect(updates.map((u) => `${u.event}:${u.order.clientOrderId}`)).toEqual(['new:rt', 'fill:rt', 'new:rt:tp', 'new:rt:sl', 'fill:rt:sl', 'canceled:rt:tp']);
    const stopFill = updates[4]!;
    expect([stopFill.price?.toFixed(2), stopFill.qty?.toFixed(), stopFill.positionQty?.toFixed(), stopFill.executionId !== null]).toEqual([
      '184.50',
      '100',
      '0',
      true,
    ]);
  });

  it('recovers fills that happened while the stream was down, once each', async () => {
    const { broker, engine, server } = await setup();
    const updates: TradeUpdate[] = [];
    broker.onTradeUpdate((u) => updates.push(u));
    await broker.connect();
    await broker.placeBracketOrder(bracket('down'));
    await expect.poll(() => updates.length, { timeout: 5000 }).toBe(4);
    server.dropStreams();
    await expect.poll(() => broker.streamState(), { timeout: 5000 }).toBe('reconnecting');
    engine.setPrice('AAPL', dec(201)); // take profit fills while nobody listens
    await expect.poll(() => broker.streamState(), { timeout: 10_000 }).toBe('connected');
    await expect.poll(() => updates.length, { timeout: 5000 }).toBe(6);
    const tail = updates
      .slice(4)
      .map((u) => `${u.event}:${u.order.clientOrderId}`)
      .sort();
    expect(tail).toEqual(['canceled:down:sl', 'fill:down:tp']);
    const tp = updates.find((u) => u.event === 'fill' && u.order.clientOrderId === 'down:tp')!;
    expect([tp.order.filledAvgPrice?.toFixed(), tp.qty?.toFixed()]).toEqual(['201', '100']);
    // A later live event still flows, and nothing is repeated.
    await broker.placeOrder('MSFT', 'buy', dec(1), 'market', { clientOrderId: 'after' });
    await expect.poll(() => updates.length, { timeout: 5000 }).toBe(8);
    expect(new Set(updates.map((u) => `${u.order.id}:${u.event}`)).size).toBe(8);
  });
});

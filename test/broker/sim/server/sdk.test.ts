/**
 * The official @alpacahq/alpaca-trade-api SDK, unchanged, against the
 * simulator's Alpaca-compatible server on 127.0.0.1: raw API classes built
 * on a Configuration whose `basePath` points at the server, and the
 * TradingStream with its `url` option.
 */
import { marketData, OrdersApi, streaming, trading } from '@alpacahq/alpaca-trade-api';
import { afterEach, describe, expect, it } from 'vitest';
import { dec } from '../../../../src/domain/money.js';
import { KEY, SECRET, served } from './serverHarness.js';

type TradingStream = InstanceType<typeof streaming.TradingStream>;

const streams: TradingStream[] = [];
afterEach(() => {
  for (const s of streams.splice(0)) s.disconnect();
});

async function setup(opts: { keyId?: string; secret?: string; mode?: 'always' | 'nyse'; start?: string } = {}) {
  const h = await served({ ...(opts.mode ? { mode: opts.mode } : {}), ...(opts.start ? { start: opts.start } : {}) });
  const creds = { keyId: opts.keyId ?? KEY, secret: opts.secret ?? SECRET };
  const config = new trading.Configuration({ basePath: h.urls.tradingUrl, ...creds });
  const data = new marketData.Configuration({ basePath: h.urls.dataUrl, ...creds });
  const openStream = (credentials = creds, extra: Partial<ConstructorParameters<typeof streaming.TradingStream>[0]> = {}) => {
    const stream = new streaming.TradingStream({ credentials, url: h.urls.streamUrl, reconnect: false, pingIntervalMs: 0, ...extra });
    streams.push(stream);
    return stream;
  };
  return {
    ...h,
    account: new trading.AccountsApi(config),
    orders: new OrdersApi(config),
    positions: new trading.PositionsApi(config),
    clock: new trading.ClockApi(config),
    calendar: new trading.CalendarApi(config),
    assets: new trading.AssetsApi(config),
    stocks: new marketData.StockApi(data),
    openStream,
  };
}

/** Collects `event:client_order_id` of every update; resolves once subscribed. */
async function listen(stream: TradingStream) {
  const updates: { event: string; clientOrderId: string; price?: string; qty?: string; positionQty?: string; executionId?: string }[] = [];
  stream.onTradeUpdate((u) =>
    updates.push({
      event: u.event,
      clientOrderId: String(u.order.clientOrderId),
      ...(u.price ? { price: u.price } : {}),
      ...(u.qty ? { qty: u.qty } : {}),
      ...(u.positionQty ? { positionQty: u.positionQty } : {}),
      ...(u.executionId ? { executionId: u.executionId } : {}),
    }),
  );
  const subscribed = new Promise<unknown>((resolve) => stream.once('subscription', resolve));
  stream.subscribeTradeUpdates();
  stream.connect();
  const streamsAcked = await subscribed;
  return { updates, streamsAcked, events: () => updates.map((u) => `${u.event}:${u.clientOrderId}`) };
}

describe('the Alpaca-compatible server, through the official SDK', () => {
  it('serves the account with amounts as exact strings', async () => {
    const { account } = await setup();
    const a = await account.getAccount();
    expect([String(a.cash), String(a.equity), String(a.buyingPower), String(a.multiplier), a.status, a.currency]).toEqual([
      '100000',
      '100000',
      '200000',
      '2',
      'ACTIVE',
      'USD',
    ]);
    // The SDK's Account model has no camelCase field for these: they arrive only as the raw wire keys.
    const raw = a as unknown as Record<string, unknown>;
    expect([raw.daytrade_count, raw.pattern_day_trader, 'daytradeCount' in a]).toEqual([0, false, false]);
  });

  it('places, lists, fetches, replaces and cancels orders, by id and by client order id', async () => {
    const { orders } = await setup();
    const placed = await orders.limit({ symbol: 'AAPL', side: 'buy', qty: 10, limitPrice: '180.25', timeInForce: 'gtc', clientOrderId: 'sdk-1' });
    expect([placed.status, placed.symbol, String(placed.qty), String(placed.limitPrice), placed.orderClass, placed.submittedAt instanceof Date]).toEqual([
      'new',
      'AAPL',
      '10',
      '180.25',
      '',
      true,
    ]);
    expect((await orders.getOrderByClientOrderId({ clientOrderId: 'sdk-1' })).id).toBe(placed.id);
    expect((await orders.getOrderByOrderID({ orderId: placed.id! })).clientOrderId).toBe('sdk-1');
    expect((await orders.getAllOrders({ status: 'open' })).map((o) => o.clientOrderId)).toEqual(['sdk-1']);

    const replaced = await orders.patchOrderByOrderId({ orderId: placed.id!, patchOrderRequest: { limitPrice: '181', clientOrderId: 'sdk-1b' } });
    expect([replaced.replaces, String(replaced.limitPrice), replaced.clientOrderId]).toEqual([placed.id, '181', 'sdk-1b']);
    expect((await orders.getOrderByOrderID({ orderId: placed.id! })).status).toBe('replaced');

    await orders.deleteOrderByOrderID({ orderId: replaced.id! });
    expect((await orders.getOrderByOrderID({ orderId: replaced.id! })).status).toBe('canceled');
    expect((await orders.getAllOrders({ status: 'closed', limit: 10, direction: 'asc' })).map((o) => [o.clientOrderId, o.status])).toEqual([
      ['sdk-1', 'replaced'],
      ['sdk-1b', 'canceled'],
    ]);

    await orders.stop({ symbol: 'MSFT', side: 'buy', qty: 1, stopPrice: 420, timeInForce: 'day', clientOrderId: 'sdk-2' });
    const canceled = await orders.deleteAllOrders();
    expect(canceled.map((c) => c.status)).toEqual([200]);
  });

  it('places a bracket whose legs come back nested, and opens a position', async () => {
    const { orders, positions } = await setup();
    const entry = await orders.bracket({
      symbol: 'AAPL',
      side: 'buy',
      qty: 100,
      timeInForce: 'gtc',
      clientOrderId: 'sdk-bracket',
      takeProfit: { limitPrice: 200 },
      stopLoss: { stopPrice: 185, limitPrice: 184.5 },
    });
    expect([entry.status, entry.orderClass, String(entry.filledAvgPrice)]).toEqual(['filled', 'bracket', '190']);
    expect(entry.legs?.map((l) => [l.type, l.status, String(l.limitPrice), String(l.stopPrice)])).toEqual([
      ['limit', 'new', '200', 'undefined'],
      ['stop_limit', 'new', '184.5', '185'],
    ]);
    const nested = await orders.getAllOrders({ status: 'open', nested: true });
    expect(nested.map((o) => [o.clientOrderId, o.legs?.length])).toEqual([['sdk-bracket', 2]]);

    const [p] = await positions.getAllOpenPositions();
    expect([p?.symbol, String(p?.qty), String(p?.avgEntryPrice), p?.side, String(p?.marketValue)]).toEqual(['AAPL', '100', '190', 'long', '19000']);
    expect(String((await positions.getOpenPosition({ symbolOrAssetId: 'AAPL' })).costBasis)).toBe('19000');
  });

  it('closes part of a position, then all of them', async () => {
    const { orders, positions } = await setup();
    await orders.market({ symbol: 'AAPL', side: 'buy', qty: 40, clientOrderId: 'a' });
    await orders.market({ symbol: 'MSFT', side: 'buy', qty: 2, clientOrderId: 'm' });
    const part = await positions.deleteOpenPosition({ symbolOrAssetId: 'AAPL', percentage: 25 });
    expect([part.side, String(part.qty), part.status]).toEqual(['sell', '10', 'filled']);
    expect(String((await positions.deleteOpenPosition({ symbolOrAssetId: 'AAPL', qty: 5 })).qty)).toBe('5');
    expect(String((await positions.getOpenPosition({ symbolOrAssetId: 'AAPL' })).qty)).toBe('25');
    const closed = await positions.deleteAllOpenPositions({ cancelOrders: true });
    expect(closed.map((c) => [c.symbol, c.status, c.body?.side, String(c.body?.qty)]).sort()).toEqual([
      ['AAPL', 200, 'sell', '25'],
      ['MSFT', 200, 'sell', '2'],
    ]);
    expect(await positions.getAllOpenPositions()).toEqual([]);
  });

  it("answers refusals with Alpaca's status, code and message", async () => {
    const { orders, positions } = await setup();
    const tooBig = await orders.market({ symbol: 'AAPL', side: 'buy', qty: 5000, clientOrderId: 'too-big' }).catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ status: 403, code: 40310000, message: 'insufficient buying power' });
    const unknown = await orders.market({ symbol: 'ZZZZ', side: 'buy', qty: 1 }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 422, code: 42210000, message: 'asset "ZZZZ" not found' });
    const missing = await orders.getOrderByClientOrderId({ clientOrderId: 'nope' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 40410000, message: 'order not found' });
    const noPosition = await positions.getOpenPosition({ symbolOrAssetId: 'MSFT' }).catch((e: unknown) => e);
    expect(noPosition).toMatchObject({ status: 404, message: 'position does not exist' });
  });

  it('refuses wrong credentials with 401', async () => {
    const { account } = await setup({ secret: 'wrong-secret' });
    await expect(account.getAccount()).rejects.toMatchObject({ status: 401, code: 40110000, message: 'request is not authorized' });
  });

  it('serves the clock, the calendar and assets', async () => {
    const { clock, calendar, assets } = await setup({ mode: 'nyse', start: '2026-07-02T15:00:00.000Z' });
    const c = await clock.legacyClock();
    expect([c.isOpen, c.timestamp.toISOString(), c.nextClose.toISOString(), c.nextOpen.toISOString()]).toEqual([
      true,
      '2026-07-02T15:00:00.000Z',
      '2026-07-02T20:00:00.000Z',
      '2026-07-06T13:30:00.000Z',
    ]);
    const days = await calendar.legacyCalendar({ start: new Date('2026-07-02T00:00:00Z'), end: new Date('2026-07-06T00:00:00Z') });
    expect(days.map((d) => [d.date.toISOString().slice(0, 10), d.open, d.close, d.settlementDate.toISOString().slice(0, 10)])).toEqual([
      ['2026-07-02', '09:30', '16:00', '2026-07-06'],
      ['2026-07-06', '09:30', '16:00', '2026-07-07'],
    ]);
    const asset = await assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'MSFT' });
    expect([asset.symbol, asset.tradable, asset._class, asset.fractionable]).toEqual(['MSFT', true, 'us_equity', true]);
  });

  it('returns the latest trades of many symbols in one request; unknown symbols are absent', async () => {
    const { stocks, engine, server } = await setup();
    engine.setPrice('MSFT', dec('411.37'));
    server.resetRequestCount();
    const resp = await stocks.stockLatestTrades({ symbols: 'AAPL,MSFT,NOPE' });
    expect(Object.keys(resp.trades).sort()).toEqual(['AAPL', 'MSFT']);
    expect([resp.trades.AAPL?.p, resp.trades.MSFT?.p, resp.trades.MSFT?.t instanceof Date]).toEqual([190, 411.37, true]);
    expect(server.requestCount()).toBe(1);
    expect(server.requestCount('/v2/stocks/trades/latest')).toBe(1);

    const snaps = await stocks.stockSnapshots({ symbols: 'AAPL,NOPE' });
    expect(Object.keys(snaps)).toEqual(['AAPL']);
    expect([snaps.AAPL?.latestTrade?.p, snaps.AAPL?.dailyBar?.c]).toEqual([190, 190]);
    expect((await stocks.stockLatestTradeSingle({ symbol: 'MSFT' })).trade.p).toBe(411.37);
  });
});

describe('the trade_updates stream, through the official SDK', () => {
  it('streams a bracket entry, its legs, and the stop-out after engine.setPrice', async () => {
    const { orders, engine, openStream } = await setup();
    const s = await listen(openStream());
    expect(s.streamsAcked).toEqual(['trade_updates']);
    await orders.bracket({
      symbol: 'AAPL',
      side: 'buy',
      qty: 10,
      timeInForce: 'gtc',
      clientOrderId: 'st',
      takeProfit: { limitPrice: 200 },
      stopLoss: { stopPrice: 185 },
    });
    engine.setPrice('AAPL', dec('184.50'));
    await expect.poll(() => s.updates.length, { timeout: 5000 }).toBeGreaterThanOrEqual(6);
    expect(s.events()).toEqual(['new:st', 'fill:st', 'new:st:tp', 'new:st:sl', 'fill:st:sl', 'canceled:st:tp']);
    expect(s.updates[1]).toMatchObject({ price: '190', qty: '10', positionQty: '10' });
    expect(s.updates[4]).toMatchObject({ price: '184.5', qty: '10' });
    expect(s.updates[4]?.executionId).toBeTruthy();
  });

  it('reports refused credentials as a server rejection, without retrying', async () => {
    const { openStream } = await setup();
    const stream = openStream({ keyId: KEY, secret: 'wrong' }, { reconnect: true, initialReconnectMs: 10 });
    stream.connect();
    const result = await stream.waitForAuthenticationResult(3000);
    expect([result.authenticated, result.status]).toEqual([false, 'server_rejected']);
  });

  it('reconnects after the server drops the stream, and receives later fills', async () => {
    const { orders, engine, server, openStream } = await setup();
    const stream = openStream(undefined, { reconnect: true, initialReconnectMs: 20, reconnectJitter: 0 });
    let subscriptions = 0;
    stream.on('subscription', () => (subscriptions += 1));
    const s = await listen(stream);
    await orders.limit({ symbol: 'AAPL', side: 'buy', qty: 5, limitPrice: 185, timeInForce: 'gtc', clientOrderId: 'after-drop' });
    await expect.poll(() => s.events()).toEqual(['new:after-drop']);
    server.faults.dropStream();
    // The SDK reconnects, logs in again and re-sends its listen: a second acknowledgement.
    await expect.poll(() => subscriptions, { timeout: 5000 }).toBe(2);
    engine.setPrice('AAPL', dec('184'));
    await expect.poll(() => s.events(), { timeout: 5000 }).toEqual(['new:after-drop', 'fill:after-drop']);
  });
});

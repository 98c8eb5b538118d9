/**
 * The official @alpacahq/alpaca-trade-api SDK, unchanged, against the
 * simulator's Alpaca-compatible server on 127.0.0.1.
 */
import { marketData, OrdersApi, streaming, trading } from '@alpacahq/alpaca-trade-api';

type TradingStream = InstanceType<typeof streaming.TradingStream>;
import { afterEach, describe, expect, it } from 'vitest';
import { dec } from '../../../src/broker/money.js';
import { createSimServer, type SimServer, type SimServerUrls } from '../../../src/broker/sim/server/server.js';
import { harness } from '../engineHarness.js';

const KEY = 'PKSIMTESTKEY00000001';
const SECRET = 'sim-test-secret-0000000000000000000000001';

let server: SimServer | null = null;
const streams: TradingStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.disconnect();
  await server?.stop();
  server = null;
});

async function setup(keyId = KEY, secret = SECRET) {
  const h = harness();
  server = createSimServer(h.engine, { keyId: KEY, secret: SECRET });
  const urls: SimServerUrls = await server.start();
  const config = new trading.Configuration({ basePath: urls.tradingUrl, keyId, secret });
  const data = new marketData.Configuration({ basePath: urls.dataUrl, keyId, secret });
  return {
    ...h,
    urls,
    account: new trading.AccountsApi(config),
    orders: new OrdersApi(config),
    positions: new trading.PositionsApi(config),
    clock: new trading.ClockApi(config),
    calendar: new trading.CalendarApi(config),
    assets: new trading.AssetsApi(config),
    stocks: new marketData.StockApi(data),
  };
}

describe('the Alpaca-compatible server, through the official SDK', () => {
  it('serves the account with amounts as exact strings', async () => {
    const { account } = await setup();
    const a = await account.getAccount();
    expect([String(a.cash), String(a.equity), String(a.buyingPower), a.status]).toEqual(['100000', '100000', '200000', 'ACTIVE']);
  });

  it('places, lists, fetches and cancels orders, by id and by client order id', async () => {
    const { orders } = await setup();
    const placed = await orders.limit({ symbol: 'AAPL', side: 'buy', qty: 10, limitPrice: 180, timeInForce: 'gtc', clientOrderId: 'sdk-1' });
    expect([placed.status, placed.symbol, String(placed.qty), String(placed.limitPrice)]).toEqual(['new', 'AAPL', '10', '180']);
    const byClient = await orders.getOrderByClientOrderId({ clientOrderId: 'sdk-1' });
    expect(byClient.id).toBe(placed.id);
    expect((await orders.getAllOrders({ status: 'open' })).map((o) => o.clientOrderId)).toEqual(['sdk-1']);
    await orders.deleteOrderByOrderID({ orderId: placed.id! });
    expect((await orders.getOrderByOrderID({ orderId: placed.id! })).status).toBe('canceled');
  });

  it('places a bracket whose legs come back nested', async () => {
    const { orders, positions } = await setup();
    const entry = await orders.bracket({
      symbol: 'AAPL', side: 'buy', qty: 100, timeInForce: 'gtc', clientOrderId: 'sdk-bracket',
      takeProfit: { limitPrice: 200 }, stopLoss: { stopPrice: 185 },
    });
    expect([entry.status, entry.orderClass, String(entry.filledAvgPrice)]).toEqual(['filled', 'bracket', '190']);
    expect(entry.legs?.map((l) => [l.type, l.status])).toEqual([['limit', 'new'], ['stop', 'new']]);
    const [p] = await positions.getAllOpenPositions();
    expect([p?.symbol, String(p?.qty), String(p?.avgEntryPrice), p?.side]).toEqual(['AAPL', '100', '190', 'long']);
  });

  it("answers refusals with Alpaca's status, code and message", async () => {
    const { orders } = await setup();
    const error = await orders.market({ symbol: 'AAPL', side: 'buy', qty: 5000, clientOrderId: 'too-big' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, code: 40310000, message: 'insufficient buying power' });
    const unknown = await orders.market({ symbol: 'ZZZZ', side: 'buy', qty: 1 }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 422, message: 'asset "ZZZZ" not found' });
  });

  it('refuses wrong credentials with 401', async () => {
    const { account } = await setup(KEY, 'wrong-secret');
    await expect(account.getAccount()).rejects.toMatchObject({ status: 401 });
  });

  it('serves the clock, the calendar and assets', async () => {
    const { clock, calendar, assets } = await setup();
    const c = await clock.legacyClock();
    expect([c.isOpen, c.timestamp?.toISOString()]).toEqual([true, '2026-03-02T15:00:00.000Z']);
    const days = await calendar.legacyCalendar({ start: new Date('2026-03-02T00:00:00Z'), end: new Date('2026-03-03T00:00:00Z') });
    expect(days.map((d) => d.date instanceof Date ? d.date.toISOString().slice(0, 10) : String(d.date))).toEqual(['2026-03-02', '2026-03-03']);
    const asset = await assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'MSFT' });
    expect([asset.symbol, asset.tradable]).toEqual(['MSFT', true]);
  });

  it('returns the latest trades of many symbols in one request', async () => {
    const { stocks, engine } = await setup();
    engine.setPrice('MSFT', dec('411.37'));
    server!.resetRequestCount();
    const resp = await stocks.stockLatestTrades({ symbols: 'AAPL,MSFT,NOPE' });
    expect(Object.keys(resp.trades).sort()).toEqual(['AAPL', 'MSFT']);
    expect(String(resp.trades.MSFT?.p)).toBe('411.37');
    expect(server!.requestCount('/v2/stocks')).toBe(1);
  });

  it('streams a fill over trade_updates when the price crosses the stop', async () => {
    const { orders, urls, engine } = await setup();
    const stream = new streaming.TradingStream({ credentials: { keyId: KEY, secret: SECRET }, url: urls.streamUrl, reconnect: false });
    streams.push(stream);
    const updates: { event: string; clientOrderId?: string; price?: unknown }[] = [];
    const subscribed = new Promise<void>((resolve) => stream.on('subscription', () => resolve()));
    stream.onTradeUpdate((u) => updates.push({ event: u.event, clientOrderId: u.order.clientOrderId, price: u.price }));
    stream.onConnect(() => stream.subscribeTradeUpdates());
    stream.connect();
    await subscribed;
    await orders.bracket({ symbol: 'AAPL', side: 'buy', qty: 10, timeInForce: 'gtc', clientOrderId: 'st', takeProfit: { limitPrice: 200 }, stopLoss: { stopPrice: 185 } });
    engine.setPrice('AAPL', dec('184.50'));
    await expect.poll(() => updates.length, { timeout: 5000 }).toBeGreaterThanOrEqual(6);
    expect(updates.map((u) => `${u.event}:${u.clientOrderId}`)).toEqual(['new:st', 'fill:st', 'new:st:tp', 'new:st:sl', 'fill:st:sl', 'canceled:st:tp']);
    expect(String(updates[4]?.price)).toBe('184.5');
  });
});

/**
 * The market-data WebSocket of the simulator's Alpaca-compatible server,
 * driven by the official SDK's StockDataStream (msgpack on the wire, its own
 * login and subscribe messages) and by the bot's adapter over it, on
 * 127.0.0.1.
 */
import { streaming } from '@alpacahq/alpaca-trade-api';
import { afterEach, describe, expect, it } from 'vitest';
import { AlpacaMarketDataStream } from '../../../../src/broker/alpaca/marketDataStream.js';
import { dec } from '../../../../src/domain/money.js';
import type { StreamState } from '../../../../src/domain/ports/broker.js';
import type { StreamedTrade } from '../../../../src/domain/ports/marketData.js';
import { KEY, SECRET, served } from './serverHarness.js';

type StockStream = InstanceType<typeof streaming.StockDataStream>;
type SdkTrade = Parameters<Parameters<StockStream['onTrade']>[0]>[0];

const sdkStreams: StockStream[] = [];
const adapters: AlpacaMarketDataStream[] = [];
afterEach(async () => {
  for (const s of sdkStreams.splice(0)) s.disconnect();
  await Promise.all(adapters.splice(0).map((a) => a.close()));
});

function nextOf<T>(subscribe: (listener: (value: T) => void) => unknown, until: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    subscribe((value) => {
      if (until(value)) resolve(value);
    });
  });
}

describe('the simulator server’s market-data stream, through the official SDK', () => {
  it('logs in, acknowledges the subscription and sends the trades of subscribed tickers only, in msgpack', async () => {
    const h = await served();
    const stream = new streaming.StockDataStream({
      credentials: { keyId: KEY, secret: SECRET },
      url: h.urls.dataStreamUrl,
      reconnect: false,
      pingIntervalMs: 0,
    });
    sdkStreams.push(stream);
    const trades: SdkTrade[] = [];
    stream.onTrade((t) => trades.push(t));
    const acked = new Promise<unknown>((resolve) => stream.once(streaming.EVENT.SUBSCRIPTION, resolve));
    stream.subscribeForTrades(['AAPL', 'PENY']);
    stream.connect();
    expect(await stream.waitForAuthenticationResult(5000)).toMatchObject({ authenticated: true, status: 'authenticated' });
    expect(await acked).toMatchObject({ trades: ['AAPL', 'PENY'], quotes: [], bars: [] });

    const third = nextOf<SdkTrade>(
      (l) => stream.onTrade(l),
      () => trades.length === 3,
    );
    h.engine.setPrice('MSFT', dec('415.5'));
    h.engine.setPrice('AAPL', dec('190.12'));
    h.engine.setPrice('PENY', dec('0.4321'));
    h.engine.setPrice('AAPL', dec('189.07'));
    await third;
    expect(trades.map((t) => [t.symbol, t.price, t.size])).toEqual([
      ['AAPL', 190.12, 100],
      ['PENY', 0.4321, 100],
      ['AAPL', 189.07, 100],
    ]);
    expect(trades[0]?.timestamp.toISOString()).toBe('2026-03-02T15:00:00.000Z');
  });

  it('refuses wrong credentials with Alpaca’s 402 auth failed', async () => {
    const h = await served();
    const stream = new streaming.StockDataStream({
      credentials: { keyId: KEY, secret: 'wrong' },
      url: h.urls.dataStreamUrl,
      reconnect: false,
      pingIntervalMs: 0,
    });
    sdkStreams.push(stream);
    stream.connect();
    expect(await stream.waitForAuthenticationResult(5000)).toMatchObject({
      authenticated: false,
      status: 'server_rejected',
      code: 402,
      message: 'auth failed',
    });
  });
});

describe('AlpacaMarketDataStream (the bot’s adapter) against the simulator server', () => {
  async function connected() {
    const h = await served();
    const feed = new AlpacaMarketDataStream({ keyId: KEY, secret: SECRET, feed: 'iex', url: h.urls.dataStreamUrl, connectTimeoutMs: 5000 });
    adapters.push(feed);
    const trades: StreamedTrade[] = [];
    feed.onTrade((t) => trades.push(t));
    await feed.start();
    return { ...h, feed, trades };
  }

  it('delivers trades as exact Decimals, and follows the subscription as it changes', async () => {
    const { engine, feed, trades } = await connected();
    expect(feed.state()).toBe('connected');
    expect(feed.name).toBe('alpaca-iex');
    feed.setTickers(new Set(['AAPL', 'MSFT']));
    await feed.settled();
    const two = nextOf<StreamedTrade>(
      (l) => feed.onTrade(l),
      () => trades.length === 2,
    );
    engine.setPrice('AAPL', dec('190.37'));
    engine.setPrice('MSFT', dec('409.99'));
    await two;
    expect(trades.map((t) => `${t.ticker} ${t.price.toFixed()} x${t.size.toFixed()} ${t.at.toISOString()}`)).toEqual([
      'AAPL 190.37 x100 2026-03-02T15:00:00.000Z',
      'MSFT 409.99 x100 2026-03-02T15:00:00.000Z',
    ]);

    feed.setTickers(new Set(['MSFT']));
    await feed.settled();
    const third = nextOf<StreamedTrade>((l) => feed.onTrade(l));
    engine.setPrice('AAPL', dec('191'));
    engine.setPrice('MSFT', dec('411.25'));
    expect((await third).price.toFixed()).toBe('411.25');
    expect(trades.map((t) => t.ticker)).toEqual(['AAPL', 'MSFT', 'MSFT']);
    expect([...feed.tickers()]).toEqual(['MSFT']);
  });

  it('reports a drop and its return, and subscribes again by itself after reconnecting', async () => {
    const { engine, server, feed, trades } = await connected();
    feed.setTickers(new Set(['AAPL']));
    await feed.settled();
    const states: StreamState[] = [];
    feed.onState((s) => states.push(s));
    const back = nextOf<StreamState>(
      (l) => feed.onState(l),
      (s) => s === 'connected',
    );
    server.dropMarketData();
    await back;
    await feed.settled();
    const next = nextOf<StreamedTrade>((l) => feed.onTrade(l));
    engine.setPrice('AAPL', dec('188.5'));
    expect((await next).price.toFixed()).toBe('188.5');
    expect(states).toEqual(['reconnecting', 'connected']);
    expect(trades).toHaveLength(1);
  });

  it('refuses to start with credentials the server rejects', async () => {
    const h = await served();
    const feed = new AlpacaMarketDataStream({ keyId: KEY, secret: 'nope', feed: 'iex', url: h.urls.dataStreamUrl, connectTimeoutMs: 5000 });
    adapters.push(feed);
    await expect(feed.start()).rejects.toThrow('the market-data stream refused the login: auth failed');
    expect(feed.state()).toBe('stopped');
  });
});

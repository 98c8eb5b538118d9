/**
 * Historical bars through the real Alpaca SDK against the simulator's
 * Alpaca-compatible server on 127.0.0.1: exact values across pages, and
 * `npm run bars` filling its cache once and then reading locally.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { marketData } from '@alpacahq/alpaca-trade-api';
import { afterEach, describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../../src/broker/alpaca/AlpacaBroker.js';
import { fetchBars } from '../../../src/broker/alpaca/bars.js';
import { toBrokerError } from '../../../src/broker/alpaca/errors.js';
import { SimHistory } from '../../../src/broker/sim/history.js';
import { createSimServer, type SimServer } from '../../../src/broker/sim/server/server.js';
import { exchangeTime } from '../../../src/domain/marketTime.js';
import { dec } from '../../../src/domain/money.js';
import type { HistoricalBar } from '../../../src/domain/bars.js';
import { OrderRejectedError } from '../../../src/domain/errors.js';
import { BarsArgumentError, fillCache, parseBarsArgs, runBars } from '../../../scripts/bars.js';
import type { BarRequest } from '../../../src/domain/bars.js';
import type { BrokerInterface } from '../../../src/domain/ports/broker.js';
import { openStore } from '../../../src/db/index.js';
import { useTempDir } from '../../helpers/tempDb.js';
import { harness } from '../sim/engineHarness.js';

const KEY = 'PKBARSTEST0000000001';
const SECRET = 'bars-test-secret-000000000000000000000001';

let server: SimServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

async function serve(mode: 'nyse' | 'always' = 'nyse', history?: (h: ReturnType<typeof harness>) => SimHistory) {
  const h = harness({ mode });
  server = createSimServer(h.engine, { keyId: KEY, secret: SECRET, ...(history ? { history: history(h) } : {}) });
  const urls = await server.start();
  return { server, urls };
}

async function collect(bars: AsyncIterable<HistoricalBar>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of bars) {
    out.push(
      [b.symbol, b.timestamp.toISOString(), b.open, b.high, b.low, b.close, b.volume]
        .map((x) => (x instanceof Date ? x.toISOString() : x.toString()))
        .join(','),
    );
  }
  return out;
}

const WEEK = { symbols: ['MSFT', 'AAPL'], timeframe: '1Day' as const, start: new Date('2026-01-05T00:00:00Z'), end: new Date('2026-01-09T23:59:59Z') };

const WEEK_CSV = [
  'AAPL,2026-01-05T05:00:00.000Z,166.76,167.04,165.99,166.19,10374000',
  'AAPL,2026-01-06T05:00:00.000Z,165.5,165.98,164.08,164.9,11934000',
  'AAPL,2026-01-07T05:00:00.000Z,166,166.28,165.17,166.18,20046000',
  'AAPL,2026-01-08T05:00:00.000Z,167.11,167.43,166.58,166.88,2808000',
  'AAPL,2026-01-09T05:00:00.000Z,167.43,167.78,167.13,167.21,15756000',
  'MSFT,2026-01-05T05:00:00.000Z,334.4,335.3,331.69,332.55,14547000',
  'MSFT,2026-01-06T05:00:00.000Z,332.6,334.23,327.78,329.39,6201000',
  'MSFT,2026-01-07T05:00:00.000Z,332.33,335.57,331.13,334.23,11544000',
  'MSFT,2026-01-08T05:00:00.000Z,336.73,337.39,336.29,336.82,30654000',
  'MSFT,2026-01-09T05:00:00.000Z,339.61,341.84,339.13,341.43,37323000',
];

describe('Alpaca bars through the SDK', () => {
  it('follows next_page_token across four pages to exact Decimal bars', async () => {
    const { urls, server: s } = await serve();
    const stocks = new marketData.StockApi(new marketData.Configuration({ keyId: KEY, secret: SECRET, basePath: urls.dataUrl }));
    expect(await collect(fetchBars(stocks, WEEK, { pageLimit: 3 }))).toEqual(WEEK_CSV);
    expect(s.requestCount('/v2/stocks/bars')).toBe(4);
  });

  it('pages a long minute history through the adapter, in order, without a gap', async () => {
    const { urls, server: s } = await serve('always');
    const broker = new AlpacaBroker({ keyId: KEY, secret: SECRET, tradingUrl: urls.tradingUrl, dataUrl: urls.dataUrl, streamUrl: urls.streamUrl });
    const times: number[] = [];
    let previousClose: string | null = null;
    let chained = true;
    for await (const bar of broker.getBars({
      symbols: ['AAPL'],
      timeframe: '1Min',
      start: new Date('2026-02-20T05:00:00Z'),
      end: new Date('2026-02-27T04:59:00Z'),
    })) {
      if (previousClose !== null && bar.open.toString() !== previousClose) chained = false;
      previousClose = bar.close.toString();
      times.push(bar.timestamp.getTime());
    }
    // Seven round-the-clock days: 10,080 minutes, two pages of up to 10,000.
    expect(times.length).toBe(10_080);
    expect(times.every((t, i) => i === 0 || t - (times[i - 1] ?? 0) === 60_000)).toBe(true);
    expect(chained).toBe(true);
    expect(s.requestCount('/v2/stocks/bars')).toBe(2);
  });

  it('maps a refusal to the product error with the server message', async () => {
    const { urls } = await serve();
    const stocks = new marketData.StockApi(new marketData.Configuration({ keyId: KEY, secret: SECRET, basePath: urls.dataUrl, retry: { maxRetries: 0 } }));
    const call = async <T>(what: string, fn: () => Promise<T>) => {
      try {
        return await fn();
      } catch (error) {
        throw toBrokerError(error, what);
      }
    };
    const bars = fetchBars(stocks, { ...WEEK, start: WEEK.end, end: WEEK.start }, { call });
    await expect(collect(bars)).rejects.toThrow(OrderRejectedError);
    await expect(collect(fetchBars(stocks, { ...WEEK, start: WEEK.end, end: WEEK.start }, { call }))).rejects.toThrow(/end should not be before start/);
  });
});

describe('npm run bars', () => {
  const newDir = useTempDir();

  it('fetches once through the configured broker, then reads the cache with no request at all', async () => {
    const { urls, server: s } = await serve();
    const dir = newDir();
    const env = {
      BROKER: 'alpaca',
      ALPACA_API_KEY: KEY,
      ALPACA_API_SECRET: SECRET,
      ALPACA_TRADING_URL: urls.tradingUrl,
      ALPACA_DATA_URL: urls.dataUrl,
      ALPACA_STREAM_URL: urls.streamUrl,
      DB_PATH: join(dir, 'trading.db'),
    };
    const now = () => new Date('2026-03-02T15:00:00Z');
    const out = join(dir, 'bars', 'week.csv');
    const argv = ['--symbols', 'msft,AAPL', '--from', '2026-01-05', '--to', '2026-01-09', '--timeframe', '1Day', '--out', out];

    expect(await runBars(argv, env, now)).toEqual({ written: 10, fetched: 10 });
    const csv = readFileSync(out, 'utf8');
    // Symbols in the order asked for, each oldest first.
    expect(csv).toBe(['symbol,timestamp,open,high,low,close,volume', ...WEEK_CSV.slice(5), ...WEEK_CSV.slice(0, 5), ''].join('\n'));
    expect(s.requestCount('/v2/stocks/bars')).toBe(1);

    s.resetRequestCount();
    expect(await runBars(argv, env, now)).toEqual({ written: 10, fetched: 0 });
    expect(readFileSync(out, 'utf8')).toBe(csv);
    expect(s.requestCount()).toBe(0);

    // A wider range fetches only what the cache lacks: the next week (weekend included, it has no bars).
    const wider = ['--symbols', 'AAPL,MSFT', '--from', '2026-01-05', '--to', '2026-01-16', '--timeframe', '1Day', '--out', out];
    expect(await runBars(wider, env, now)).toEqual({ written: 20, fetched: 10 });
    expect(s.requestCount('/v2/stocks/bars')).toBe(1);
    expect(readFileSync(out, 'utf8').split('\n').slice(1, 6)).toEqual(WEEK_CSV.slice(0, 5));
  });

  it('carries a real daily history (S&P 500, 2000–2020) through server, SDK, cache and CSV without changing a digit', async () => {
    // vega-datasets (BSD-3-Clause) ships the index's daily bars from Yahoo Finance: 5,105 rows, six-decimal prices.
    const source = readFileSync(new URL('../../../node_modules/vega-datasets/data/sp500-2000.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const rows = source.map((line) => {
      const [date = '', open = '', high = '', low = '', close = '', , volume = ''] = line.split(',');
      return { date, open, high, low, close, volume };
    });
    const { urls } = await serve('nyse', (h) => {
      const history = new SimHistory({ anchor: () => null, calendar: (a, b) => h.engine.calendar(a, b), now: () => h.engine.clock().timestamp });
      history.feed(
        '1Day',
        rows.map((r) => ({
          symbol: 'SPX',
          timestamp: exchangeTime(r.date, 0, 0),
          open: dec(r.open),
          high: dec(r.high),
          low: dec(r.low),
          close: dec(r.close),
          volume: dec(r.volume),
        })),
      );
      return history;
    });
    const dir = newDir();
    const env = {
      BROKER: 'alpaca',
      ALPACA_API_KEY: KEY,
      ALPACA_API_SECRET: SECRET,
      ALPACA_TRADING_URL: urls.tradingUrl,
      ALPACA_DATA_URL: urls.dataUrl,
      ALPACA_STREAM_URL: urls.streamUrl,
      DB_PATH: join(dir, 'trading.db'),
    };
    const out = join(dir, 'spx.csv');
    const argv = ['--symbols', 'SPX', '--from', '2000-01-01', '--to', '2020-12-31', '--timeframe', '1Day', '--out', out];
    expect(await runBars(argv, env, () => new Date('2026-03-02T15:00:00Z'))).toEqual({ written: 5105, fetched: 5105 });

    const written = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    expect(written).toHaveLength(rows.length);
    const exact = written.every((line, i) => {
      const [symbol, timestamp, ...figures] = line.split(',');
      const r = rows[i];
      return (
        r !== undefined &&
        symbol === 'SPX' &&
        timestamp === exchangeTime(r.date, 0, 0).toISOString() &&
        figures.every((f, j) => dec(f).eq(dec([r.open, r.high, r.low, r.close, r.volume][j] ?? 'NaN')))
      );
    });
    expect(exact).toBe(true);
    expect([written[0], written.at(-1)]).toEqual([
      'SPX,2000-01-03T05:00:00.000Z,1469.25,1478,1438.359985,1455.219971,931800000',
      'SPX,2020-04-17T04:00:00.000Z,2842.429932,2879.219971,2830.879883,2874.560059,5792140000',
    ]);
  });

  it('reads the simulator broker too (BROKER=sim): the same history the server serves', async () => {
    const dir = newDir();
    const env = { BROKER: 'sim', SIM_PRICES: 'AAPL=190,MSFT=410', SIM_MARKET_HOURS: 'nyse', DB_PATH: join(dir, 'trading.db') };
    const out = join(dir, 'week.csv');
    const argv = ['--symbols', 'AAPL,MSFT', '--from', '2026-01-05', '--to', '2026-01-09', '--timeframe', '1Day', '--out', out];
    expect(await runBars(argv, env, () => new Date('2026-03-02T15:00:00Z'))).toEqual({ written: 10, fetched: 10 });
    expect(readFileSync(out, 'utf8')).toBe(['symbol,timestamp,open,high,low,close,volume', ...WEEK_CSV, ''].join('\n'));
  });

  it('never asks for the last 16 minutes, and fetches the unsettled end again next time', async () => {
    const store = await openStore(join(newDir(), 'trading.db'));
    const asked: string[] = [];
    const stub = {
      name: 'stub',
      async *getBars(request: BarRequest) {
        asked.push(`${request.symbols.join('+')} ${request.start.toISOString()}..${request.end.toISOString()}`);
        yield* [];
      },
    } as unknown as BrokerInterface;
    try {
      const args = parseBarsArgs(['--symbols', 'AAPL,MSFT', '--from', '2026-01-09', '--to', '2026-01-09', '--timeframe', '1Hour', '--out', 'x.csv']);
      const connect = async () => stub;
      await fillCache(args, store.bars, connect, new Date('2026-01-09T18:30:00Z'));
      await fillCache(args, store.bars, connect, new Date('2026-01-09T20:00:00Z'));
      await fillCache(args, store.bars, connect, new Date('2026-01-09T18:30:00Z'));
      expect(asked).toEqual([
        // Both symbols miss the same range: one request.
        'AAPL+MSFT 2026-01-09T05:00:00.000Z..2026-01-09T18:14:00.000Z',
        // Marked fetched up to an hour before that now (the last hourly bar could still change).
        'AAPL+MSFT 2026-01-09T17:30:00.001Z..2026-01-09T19:44:00.000Z',
        // Nothing asked: all the broker may have is known.
      ]);
    } finally {
      await store.close();
    }
  });

  it.each([
    [['--from', '2026-01-05', '--to', '2026-01-09', '--timeframe', '1Day', '--out', 'x.csv'], '--symbols: required (e.g. AAPL,MSFT)'],
    [
      ['--symbols', 'AAPL,', '--from', '2026-01-05', '--to', '2026-01-09', '--timeframe', '1Day', '--out', 'x.csv'],
      '--symbols: expected tickers separated by commas (e.g. AAPL,MSFT)',
    ],
    [['--symbols', 'AAPL', '--from', '2026-02-30', '--to', '2026-03-09', '--timeframe', '1Day', '--out', 'x.csv'], '--from: expected a real date YYYY-MM-DD'],
    [['--symbols', 'AAPL', '--from', '2026-01-09', '--to', '2026-01-05', '--timeframe', '1Day', '--out', 'x.csv'], '--to: must not be before --from'],
    [
      ['--symbols', 'AAPL', '--from', '2026-01-05', '--to', '2026-01-09', '--timeframe', '5Min', '--out', 'x.csv'],
      '--timeframe: expected one of 1Day, 1Hour, 1Min',
    ],
    [['--symbols', 'AAPL', '--from', '2026-01-05', '--to', '2026-01-09', '--timeframe', '1Day'], '--out: required (the CSV file to write)'],
    [['--symbols', 'AAPL', '--since', '2026-01-05'], "Unknown option '--since'"],
  ])('refuses bad arguments: %j', (argv, message) => {
    expect(() => parseBarsArgs(argv)).toThrow(BarsArgumentError);
    expect(() => parseBarsArgs(argv)).toThrow(message);
  });

  it('reads --from and --to as whole New York days', () => {
    const args = parseBarsArgs(['--symbols', 'AAPL', '--from', '2026-01-05', '--to', '2026-07-09', '--timeframe', '1Hour', '--out', 'x.csv']);
    expect([args.range.start.toISOString(), args.range.end.toISOString()]).toEqual(['2026-01-05T05:00:00.000Z', '2026-07-10T03:59:59.999Z']);
  });
});

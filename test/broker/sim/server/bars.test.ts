/** GET /v2/stocks/bars on the simulator's server: Alpaca's wire format, paging and refusals. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../../src/domain/money.js';
import { SimHistory } from '../../../../src/broker/sim/history.js';
import { SimBroker } from '../../../../src/broker/sim/SimBroker.js';
import { createSimServer } from '../../../../src/broker/sim/server/server.js';
import { harness } from '../engineHarness.js';
import { AUTH, served } from './serverHarness.js';

interface BarsPage {
  bars: Record<string, { t: string; o: number; h: number; l: number; c: number; v: number; n: number; vw: number }[]>;
  next_page_token: string | null;
}

const WEEK = 'timeframe=1Day&start=2026-01-05T00:00:00Z&end=2026-01-09T23:59:59Z';

/** The first week of 2026 on the NYSE calendar, AAPL anchored at 190 and MSFT at 410. */
const AAPL_WEEK = [
  { t: '2026-01-05T05:00:00.000Z', o: 166.76, h: 167.04, l: 165.99, c: 166.19, v: 10374000, n: 2259, vw: 166.41 },
  { t: '2026-01-06T05:00:00.000Z', o: 165.5, h: 165.98, l: 164.08, c: 164.9, v: 11934000, n: 2567, vw: 164.99 },
  { t: '2026-01-07T05:00:00.000Z', o: 166, h: 166.28, l: 165.17, c: 166.18, v: 20046000, n: 1798, vw: 165.88 },
  { t: '2026-01-08T05:00:00.000Z', o: 167.11, h: 167.43, l: 166.58, c: 166.88, v: 2808000, n: 52, vw: 166.96 },
  { t: '2026-01-09T05:00:00.000Z', o: 167.43, h: 167.78, l: 167.13, c: 167.21, v: 15756000, n: 1368, vw: 167.37 },
];
const MSFT_CLOSES = [332.55, 329.39, 334.23, 336.82, 341.43];

describe('sim server: historical bars', () => {
  it('serves exact daily bars by symbol, then time, paged by limit across symbols', async () => {
    const h = await served({ mode: 'nyse' });
    const pages: BarsPage[] = [];
    let token: string | null = null;
    do {
      const r: { status: number; body: BarsPage } = await h.json<BarsPage>(
        'GET',
        `/v2/stocks/bars?symbols=MSFT,aapl,ZZZZ&${WEEK}&limit=3${token ? `&page_token=${token}` : ''}`,
      );
      expect(r.status).toBe(200);
      pages.push(r.body);
      token = r.body.next_page_token;
    } while (token);

    // 10 bars in pages of 3: AAPL fills the first page, the second spans both symbols.
    expect(pages.map((p) => Object.entries(p.bars).map(([s, bars]) => `${s}:${bars.length}`))).toEqual([
      ['AAPL:3'],
      ['AAPL:2', 'MSFT:1'],
      ['MSFT:3'],
      ['MSFT:1'],
    ]);
    const all = (symbol: string) => pages.flatMap((p) => p.bars[symbol] ?? []);
    expect(all('AAPL')).toEqual(AAPL_WEEK);
    expect(all('MSFT').map((b) => b.c)).toEqual(MSFT_CLOSES);
    // An unknown symbol is simply absent, as at Alpaca.
    expect(pages.some((p) => 'ZZZZ' in p.bars)).toBe(false);

    // One page with room for all gives the same bars: paging never changes the figures.
    const whole = await h.json<BarsPage>('GET', `/v2/stocks/bars?symbols=AAPL,MSFT&${WEEK}`);
    expect(whole.body.next_page_token).toBeNull();
    expect(whole.body.bars.AAPL).toEqual(AAPL_WEEK);
    expect(whole.body.bars.MSFT?.map((b) => b.c)).toEqual(MSFT_CLOSES);
  });

  it('gives SimBroker.getBars the same bars, anchored at the start prices even after the feed moves', async () => {
    const h = harness({ mode: 'nyse' });
    const broker = new SimBroker(h.engine);
    await broker.setPrice('AAPL', dec(250));
    const rows: string[] = [];
    for await (const b of broker.getBars({
      symbols: ['msft', 'AAPL', 'ZZZZ'],
      timeframe: '1Day',
      start: new Date('2026-01-05T00:00:00Z'),
      end: new Date('2026-01-09T23:59:59Z'),
    })) {
      rows.push(`${b.symbol} ${b.timestamp.toISOString()} ${b.open.toString()} ${b.close.toString()} ${b.volume.toString()}`);
    }
    expect(rows.slice(0, 5)).toEqual(AAPL_WEEK.map((b) => `AAPL ${b.t} ${b.o} ${b.c} ${b.v}`));
    expect(rows.slice(5).map((r) => r.split(' ')[3])).toEqual(MSFT_CLOSES.map(String));
  });

  it('serves hourly bars on the clock hour, the first and last cut to the session', async () => {
    const h = await served({ mode: 'nyse' });
    const r = await h.json<{ symbol: string; bars: BarsPage['bars'][string]; next_page_token: string | null }>(
      'GET',
      '/v2/stocks/AAPL/bars?timeframe=1Hour&start=2026-01-05T00:00:00Z&end=2026-01-05T23:59:59Z',
    );
    expect(r.body.bars.map((b) => b.t.slice(11, 16))).toEqual(['14:00', '15:00', '16:00', '17:00', '18:00', '19:00', '20:00']);
    // The day's open is the 09:30 price, its close the 16:00 price: the hourly bars agree with the daily one.
    expect([r.body.bars[0]?.o, r.body.bars.at(-1)?.c]).toEqual([AAPL_WEEK[0]?.o, AAPL_WEEK[0]?.c]);
    expect(r.body.bars.map((b) => b.o).slice(1)).toEqual(r.body.bars.map((b) => b.c).slice(0, -1));
  });

  it('serves minute bars that chain, and nothing after the simulated now', async () => {
    const h = await served({ mode: 'nyse' });
    const r = await h.json<BarsPage>('GET', '/v2/stocks/bars?symbols=AAPL&timeframe=1Min&start=2026-03-02T14:58:00Z&end=2026-03-02T16:00:00Z');
    const bars = r.body.bars.AAPL ?? [];
    // The harness clock stands at 15:00:00Z: the 15:00 bar is the last.
    expect(bars.map((b) => b.t)).toEqual(['2026-03-02T14:58:00.000Z', '2026-03-02T14:59:00.000Z', '2026-03-02T15:00:00.000Z']);
    expect(bars[1]?.o).toBe(bars[0]?.c);
    expect(bars[2]?.o).toBe(bars[1]?.c);
  });

  it('serves bars fed in instead of the synthetic ones', async () => {
    const h = harness({ mode: 'nyse' });
    const history = new SimHistory({ anchor: () => null, calendar: (a, b) => h.engine.calendar(a, b), now: () => h.engine.clock().timestamp });
    history.feed('1Day', [
      {
        symbol: 'SPX',
        timestamp: new Date('2020-01-02T05:00:00Z'),
        open: dec('3244.67'),
        high: dec('3258.14'),
        low: dec('3235.53'),
        close: dec('3257.85'),
        volume: dec(3458250000),
      },
      {
        symbol: 'SPX',
        timestamp: new Date('2020-01-03T05:00:00Z'),
        open: dec('3226.36'),
        high: dec('3246.15'),
        low: dec('3222.34'),
        close: dec('3234.85'),
        volume: dec(3461290000),
      },
    ]);
    const server = createSimServer(h.engine, { keyId: AUTH['APCA-API-KEY-ID'], secret: AUTH['APCA-API-SECRET-KEY'], history });
    const urls = await server.start();
    try {
      const res = await fetch(`${urls.dataUrl}/v2/stocks/bars?symbols=SPX,AAPL&timeframe=1Day&start=2020-01-01T00:00:00Z&end=2020-01-31T00:00:00Z`, {
        headers: AUTH,
      });
      const body = (await res.json()) as BarsPage;
      expect(body.bars).toEqual({
        SPX: [
          { t: '2020-01-02T05:00:00.000Z', o: 3244.67, h: 3258.14, l: 3235.53, c: 3257.85, v: 3458250000, n: 1, vw: 3250.51 },
          { t: '2020-01-03T05:00:00.000Z', o: 3226.36, h: 3246.15, l: 3222.34, c: 3234.85, v: 3461290000, n: 1, vw: 3234.45 },
        ],
      });
    } finally {
      await server.stop();
    }
  });

  it.each([
    ['symbols=AAPL&start=2026-01-05T00:00:00Z', "query parameter 'timeframe' is required"],
    ['symbols=AAPL&timeframe=5Min', 'invalid timeframe: the simulator serves 1Day, 1Hour, 1Min'],
    ['symbols=AAPL&timeframe=1Day&limit=0', 'invalid limit: must be from 1 to 10000'],
    ['symbols=AAPL&timeframe=1Day&limit=10001', 'invalid limit: must be from 1 to 10000'],
    ['symbols=AAPL&timeframe=1Day&start=yesterday', 'invalid start: yesterday'],
    ['symbols=AAPL&timeframe=1Day&start=2026-01-09T00:00:00Z&end=2026-01-05T00:00:00Z', 'end should not be before start'],
    ['symbols=AAPL&timeframe=1Day&page_token=garbage', 'invalid page token'],
    ['timeframe=1Day', "query parameter 'symbols' is required"],
  ])('refuses %s with 400', async (query, message) => {
    const h = await served({ mode: 'nyse' });
    const r = await h.json<{ code: number; message: string }>('GET', `/v2/stocks/bars?${query}`);
    expect([r.status, r.body.message]).toEqual([400, message]);
  });
});

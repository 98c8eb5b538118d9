/** The REST surface seen by a plain HTTP client: auth, routes, Alpaca's shapes and refusals. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../../src/domain/money.js';
import { assetId } from '../../../../src/broker/sim/server/wire.js';
import { KEY, SECRET, served } from './serverHarness.js';

type J = Record<string, unknown>;
const market = { symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'wire-1' };
const bracket = {
  symbol: 'AAPL',
  qty: '10',
  side: 'buy',
  type: 'market',
  time_in_force: 'gtc',
  order_class: 'bracket',
  client_order_id: 'br-1',
  take_profit: { limit_price: '200' },
  stop_loss: { stop_price: '185' },
};

describe('authentication', () => {
  it.each([
    ['no headers', {}],
    ['a wrong secret', { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': 'nope' }],
    ['a wrong key id', { 'APCA-API-KEY-ID': 'PKOTHER', 'APCA-API-SECRET-KEY': SECRET }],
    ['the secret alone', { 'APCA-API-SECRET-KEY': SECRET }],
  ])('answers 401 to %s, on trading and data paths, and executes nothing', async (_what, headers) => {
    const { call, engine, server } = await served();
    for (const [method, path] of [
      ['GET', '/v2/account'],
      ['GET', '/v2/stocks/trades/latest?symbols=AAPL'],
      ['POST', '/v2/orders'],
    ] as const) {
      const res = await call(method, path, { headers, ...(method === 'POST' ? { body: market } : {}) });
      expect([res.status, await res.json()]).toEqual([401, { code: 40110000, message: 'request is not authorized' }]);
    }
    expect(engine.listOrders({ status: 'all' })).toEqual([]);
    expect(server.requestCount()).toBe(0);
  });
});

describe('orders', () => {
  it("answers in Alpaca's shape: snake_case, amounts as strings, ISO times", async () => {
    const { json } = await served();
    const { status, body } = await json('POST', '/v2/orders', market);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      client_order_id: 'wire-1',
      symbol: 'AAPL',
      qty: '10',
      filled_qty: '10',
      filled_avg_price: '190',
      side: 'buy',
      type: 'market',
      order_type: 'market',
      time_in_force: 'day',
      status: 'filled',
      order_class: '',
      legs: null,
      submitted_at: '2026-03-02T15:00:00.000Z',
      filled_at: '2026-03-02T15:00:00.000Z',
      asset_class: 'us_equity',
      asset_id: assetId('AAPL'),
    });
  });

  it('refuses malformed JSON with 400 and invalid fields with 422, naming them', async () => {
    const { json, engine } = await served();
    expect(await json('POST', '/v2/orders', '{"symbol": "AAPL",')).toEqual({
      status: 400,
      body: { code: 40010000, message: 'request body format is invalid' },
    });
    expect(await json('POST', '/v2/orders', { ...market, qty: 'ten', side: 'hold' })).toEqual({
      status: 422,
      body: { code: 42210000, message: 'invalid qty; invalid side' },
    });
    expect(await json('POST', '/v2/orders', { ...market, symbol: 'ZZZZ' })).toEqual({
      status: 422,
      body: { code: 42210000, message: 'asset "ZZZZ" not found' },
    });
    expect(await json('POST', '/v2/orders', { ...market, qty: '5000' })).toEqual({
      status: 403,
      body: { code: 40310000, message: 'insufficient buying power' },
    });
    expect(engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('finds an order by id and by client order id, replaces it, cancels it', async () => {
    const { json } = await served();
    const placed = (await json('POST', '/v2/orders', { ...market, type: 'limit', limit_price: '180', time_in_force: 'gtc', client_order_id: 'lim-1' })).body;
    expect(placed.status).toBe('new');
    expect((await json('GET', `/v2/orders/${String(placed.id)}`)).body).toEqual(placed);
    expect((await json('GET', '/v2/orders:by_client_order_id?client_order_id=lim-1')).body).toEqual(placed);
    expect(await json('GET', '/v2/orders:by_client_order_id?client_order_id=nope')).toEqual({
      status: 404,
      body: { code: 40410000, message: 'order not found' },
    });
    expect((await json('GET', '/v2/orders:by_client_order_id')).status).toBe(422);

    const replaced = await json('PATCH', `/v2/orders/${String(placed.id)}`, { limit_price: '181.5', client_order_id: 'lim-1b' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ replaces: placed.id, limit_price: '181.5', client_order_id: 'lim-1b', status: 'new' });
    expect((await json('GET', `/v2/orders/${String(placed.id)}`)).body).toMatchObject({ status: 'replaced', replaced_at: '2026-03-02T15:00:00.000Z' });

    const cancel = await json('DELETE', `/v2/orders/${String(replaced.body.id)}`);
    expect(cancel).toEqual({ status: 204, body: undefined });
    expect(await json('DELETE', `/v2/orders/${String(replaced.body.id)}`)).toEqual({
      status: 422,
      body: { code: 42210000, message: 'order is already in "canceled" state' },
    });
    expect((await json('DELETE', '/v2/orders/no-such-order')).status).toBe(404);
  });

  it('replaces a bracket leg with PATCH: the answer and every later read carry replaces / replaced_by, the parent lists the new leg', async () => {
    const { json } = await served();
    const entry = (await json('POST', '/v2/orders', bracket)).body;
    const [tp, sl] = entry.legs as J[];
    const moved = await json('PATCH', `/v2/orders/${String(sl!.id)}`, { stop_price: '187' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      replaces: sl!.id,
      replaced_by: null,
      stop_price: '187',
      qty: '10',
      type: 'stop',
      order_class: 'bracket',
      status: 'new',
    });
    expect((await json('GET', `/v2/orders/${String(sl!.id)}`)).body).toMatchObject({ status: 'replaced', replaced_by: moved.body.id, replaces: null });
    expect((await json('GET', `/v2/orders/${String(moved.body.id)}`)).body).toMatchObject({ replaces: sl!.id });
    const family = (await json('GET', `/v2/orders/${String(entry.id)}?nested=true`)).body;
    expect((family.legs as J[]).map((l) => [l.id, l.status])).toEqual([
      [tp!.id, 'new'],
      [moved.body.id, 'new'],
    ]);
  });

  it('refuses a PATCH as Alpaca does: 404 unknown, 422 for a finished or held order and for a bad value', async () => {
    const { json } = await served();
    const limit = (await json('POST', '/v2/orders', { ...market, type: 'limit', limit_price: '180', time_in_force: 'gtc', client_order_id: 'p-1' })).body;
    const id = String(limit.id);
    expect(await json('PATCH', '/v2/orders/no-such-order', { limit_price: '181' })).toEqual({
      status: 404,
      body: { code: 40410000, message: 'order not found' },
    });
    const bad = async (body: J) => json('PATCH', `/v2/orders/${id}`, body);
    expect(await bad({ limit_price: '180.123' })).toEqual({
      status: 422,
      body: { code: 42210000, message: 'invalid limit_price 180.123. sub-penny increment does not fulfill minimum pricing criteria' },
    });
    expect(await bad({ stop_price: '170' })).toEqual({ status: 422, body: { code: 42210000, message: 'stop_price cannot be set on a limit order' } });
    expect(await bad({ qty: '2.5' })).toEqual({ status: 422, body: { code: 42210000, message: 'qty must be a whole number of shares' } });
    expect(await bad({ qty: '0' })).toEqual({ status: 422, body: { code: 42210000, message: 'qty must be > 0' } });
    expect((await bad({ limit_price: 'cheap' })).status).toBe(422);
    expect((await json('GET', `/v2/orders/${id}`)).body).toMatchObject({ status: 'new', limit_price: '180', qty: '10' });
    await json('DELETE', `/v2/orders/${id}`);
    expect(await bad({ limit_price: '181' })).toEqual({ status: 422, body: { code: 42210000, message: 'order is not replaceable in "canceled" state' } });
    const held = (
      await json('POST', '/v2/orders', { ...bracket, type: 'limit', limit_price: '180', stop_loss: { stop_price: '170' }, client_order_id: 'br-held' })
    ).body;
    const heldLeg = (held.legs as J[])[1]!;
    expect(await json('PATCH', `/v2/orders/${String(heldLeg.id)}`, { stop_price: '165' })).toEqual({
      status: 422,
      body: { code: 42210000, message: 'order is not replaceable in "held" state' },
    });
  });

  it('lists legs as orders of their own unless nested=true', async () => {
    const { json } = await served();
    await json('POST', '/v2/orders', bracket);
    const flat = (await json<J[]>('GET', '/v2/orders?status=all&direction=asc')).body;
    expect(flat.map((o) => [o.client_order_id, o.status, o.legs])).toEqual([
      ['br-1', 'filled', null],
      ['br-1:tp', 'new', null],
      ['br-1:sl', 'new', null],
    ]);
    expect((await json<J[]>('GET', '/v2/orders?status=open')).body.map((o) => o.client_order_id)).toEqual(['br-1:tp', 'br-1:sl']);
    const nested = (await json<J[]>('GET', '/v2/orders?status=open&nested=true')).body;
    expect(nested.map((o) => [o.client_order_id, (o.legs as J[]).map((l) => l.client_order_id)])).toEqual([['br-1', ['br-1:tp', 'br-1:sl']]]);
    expect((await json<J[]>('GET', '/v2/orders?status=closed&nested=true&side=buy')).body).toHaveLength(0);
    expect((await json<J[]>('GET', '/v2/orders?status=all&side=sell&limit=1')).body.map((o) => o.client_order_id)).toEqual(['br-1:tp']);
  });

  it('filters the list by symbols, time and limit, and refuses a bad query', async () => {
    const { json, engine } = await served();
    await json('POST', '/v2/orders', { ...market, client_order_id: 'a-1' });
    engine.advance(1);
    await json('POST', '/v2/orders', { ...market, symbol: 'MSFT', qty: '1', client_order_id: 'm-1' });
    await json('POST', '/v2/orders', { ...market, client_order_id: 'a-2' });
    const ids = async (q: string) => (await json<J[]>('GET', `/v2/orders?status=all&${q}`)).body.map((o) => o.client_order_id);
    expect(await ids('symbols=MSFT')).toEqual(['m-1']);
    expect(await ids('symbols=aapl,msft&limit=2&direction=asc')).toEqual(['a-1', 'm-1']);
    expect(await ids('until=2026-03-01T00:00:00Z')).toEqual([]);
    for (const q of ['status=pending', 'limit=0', 'limit=501', 'direction=up', 'after=yesterday']) {
      expect((await json('GET', `/v2/orders?${q}`)).status).toBe(422);
    }
  });

  it('cancels everything open with a 207 multi-status', async () => {
    const { json } = await served();
    const placed = (await json('POST', '/v2/orders', { ...market, type: 'limit', limit_price: '150', time_in_force: 'gtc' })).body;
    const res = await json<J[]>('DELETE', '/v2/orders');
    expect(res.status).toBe(207);
    expect(res.body.map((r) => [r.id, r.status, (r.body as J).status])).toEqual([[placed.id, 200, 'canceled']]);
  });
});

describe('positions', () => {
  it('reads and closes part of a position by qty or percentage, by symbol or asset id', async () => {
    const { json } = await served();
    await json('POST', '/v2/orders', { ...market, qty: '100' });
    expect((await json('GET', '/v2/positions/AAPL')).body).toMatchObject({
      symbol: 'AAPL',
      qty: '100',
      avg_entry_price: '190',
      market_value: '19000',
      side: 'long',
    });
    expect((await json('DELETE', '/v2/positions/AAPL?percentage=25')).body).toMatchObject({ side: 'sell', qty: '25', status: 'filled' });
    expect((await json('DELETE', `/v2/positions/${assetId('AAPL')}?qty=5`)).body).toMatchObject({ qty: '5' });
    expect((await json('GET', `/v2/positions/${assetId('AAPL')}`)).body).toMatchObject({ qty: '70' });
    expect(await json('GET', '/v2/positions/MSFT')).toEqual({ status: 404, body: { code: 40410000, message: 'position does not exist' } });
    expect((await json('DELETE', '/v2/positions/AAPL?qty=1&percentage=5')).status).toBe(422);
    expect((await json('DELETE', '/v2/positions/AAPL?percentage=150')).status).toBe(422);
    expect((await json('DELETE', '/v2/positions/AAPL?qty=abc')).status).toBe(422);
  });

  it('closes every position with a 207 multi-status, one body per symbol', async () => {
    const { json, engine } = await served();
    await json('POST', '/v2/orders', { ...market, qty: '3' });
    await json('POST', '/v2/orders', { ...market, symbol: 'MSFT', qty: '2', client_order_id: 'm' });
    const res = await json<J[]>('DELETE', '/v2/positions?cancel_orders=true');
    expect(res.status).toBe(207);
    expect(res.body.map((r) => [r.symbol, r.status, (r.body as J).side, (r.body as J).qty]).sort()).toEqual([
      ['AAPL', 200, 'sell', '3'],
      ['MSFT', 200, 'sell', '2'],
    ]);
    expect(engine.positions()).toEqual([]);
    expect((await json<J[]>('GET', '/v2/positions')).body).toEqual([]);
  });
});

describe('clock, calendar, assets, market data', () => {
  it('serves the clock in New York time and the NYSE calendar with T+1 settlement', async () => {
    const { json } = await served({ mode: 'nyse', start: '2026-07-02T15:00:00.000Z' });
    expect((await json('GET', '/v2/clock')).body).toEqual({
      timestamp: '2026-07-02T11:00:00.000-04:00',
      is_open: true,
      next_open: '2026-07-06T09:30:00.000-04:00',
      next_close: '2026-07-02T16:00:00.000-04:00',
    });
    const days = (await json<J[]>('GET', '/v2/calendar?start=2026-07-01&end=2026-07-06')).body;
    expect(days.map((d) => [d.date, d.open, d.close, d.settlement_date])).toEqual([
      ['2026-07-01', '09:30', '16:00', '2026-07-02'],
      ['2026-07-02', '09:30', '16:00', '2026-07-06'],
      ['2026-07-06', '09:30', '16:00', '2026-07-07'],
    ]);
    // The SDK sends full RFC 3339 times; only the date counts.
    expect((await json<J[]>('GET', '/v2/calendar?start=2026-07-06T00:00:00.000Z&end=2026-07-06T00:00:00.000Z')).body).toHaveLength(1);
    expect((await json('GET', '/v2/calendar?start=July')).status).toBe(400);
    expect((await json('GET', '/v2/calendar?start=2026-02-30')).status).toBe(400);
    expect((await json('GET', '/v2/calendar?start=2026-13-01')).status).toBe(400);
  });

  it('serves assets by symbol or id, 404 for unknown ones', async () => {
    const { json } = await served();
    expect((await json('GET', '/v2/assets/msft')).body).toMatchObject({ symbol: 'MSFT', id: assetId('MSFT'), tradable: true, class: 'us_equity' });
    expect((await json('GET', `/v2/assets/${assetId('MSFT')}`)).body).toMatchObject({ symbol: 'MSFT' });
    expect(await json('GET', '/v2/assets/ZZZZ')).toEqual({ status: 404, body: { code: 40410000, message: 'asset not found for ZZZZ' } });
  });

  it('answers latest trades, quotes, bars and snapshots for many symbols in one request; unknown ones are absent', async () => {
    const { json, engine } = await served();
    engine.setPrice('MSFT', dec('411.37'));
    const trades = (await json<{ trades: Record<string, J> }>('GET', '/v2/stocks/trades/latest?symbols=AAPL,msft,NOPE')).body;
    expect(Object.keys(trades.trades)).toEqual(['AAPL', 'MSFT']);
    expect([trades.trades.AAPL?.p, trades.trades.MSFT?.p]).toEqual([190, 411.37]);
    expect(Object.keys((await json<{ quotes: J }>('GET', '/v2/stocks/quotes/latest?symbols=MSFT,NOPE')).body.quotes)).toEqual(['MSFT']);
    expect((await json<{ bars: Record<string, J> }>('GET', '/v2/stocks/bars/latest?symbols=MSFT')).body.bars.MSFT?.c).toBe(411.37);
    const snaps = (await json<Record<string, J>>('GET', '/v2/stocks/snapshots?symbols=AAPL,NOPE')).body;
    expect(Object.keys(snaps)).toEqual(['AAPL']);
    expect((snaps.AAPL?.latestTrade as J).p).toBe(190);
    expect((await json('GET', '/v2/stocks/MSFT/trades/latest')).body).toMatchObject({ symbol: 'MSFT', trade: { p: 411.37 } });
    expect((await json('GET', '/v2/stocks/MSFT/snapshot')).body).toMatchObject({ symbol: 'MSFT', latestTrade: { p: 411.37 } });
    expect((await json('GET', '/v2/stocks/NOPE/trades/latest')).status).toBe(404);
    expect(await json('GET', '/v2/stocks/trades/latest')).toEqual({ status: 400, body: { code: 40010001, message: "query parameter 'symbols' is required" } });
  });

  it('answers unknown endpoints with 404 and wrong methods with 405', async () => {
    const { json } = await served();
    expect(await json('GET', '/v2/nothing')).toEqual({ status: 404, body: { code: 40410000, message: 'endpoint not found' } });
    expect((await json('PUT', '/v2/account', {})).status).toBe(405);
  });

  it('counts requests by path prefix', async () => {
    const { json, server } = await served();
    await json('GET', '/v2/account');
    await json('GET', '/v2/stocks/trades/latest?symbols=AAPL');
    await json('GET', '/v2/stocks/snapshots?symbols=AAPL');
    expect([server.requestCount(), server.requestCount('/v2/stocks'), server.requestCount('/v2/account')]).toEqual([3, 2, 1]);
    server.resetRequestCount();
    expect(server.requestCount()).toBe(0);
  });
});

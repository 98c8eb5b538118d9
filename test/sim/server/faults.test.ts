/** The server's wire shapes and injected faults, seen by a plain HTTP client. */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSimServer, type SimServer } from '../../../src/broker/sim/server/server.js';
import { harness } from '../engineHarness.js';

const HEADERS = { 'APCA-API-KEY-ID': 'k-test-0001', 'APCA-API-SECRET-KEY': 's-test-0001', 'content-type': 'application/json' };

let server: SimServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

async function setup() {
  const h = harness();
  server = createSimServer(h.engine, { keyId: 'k-test-0001', secret: 's-test-0001' });
  const urls = await server.start();
  const call = (method: string, path: string, body?: unknown, timeoutMs = 3000) =>
    fetch(`${urls.tradingUrl}${path}`, {
      method,
      headers: HEADERS,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  return { ...h, urls, call, server };
}

const order = { symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'wire-1' };

describe('wire format', () => {
  it("answers in Alpaca's shape: snake_case, amounts as strings, ISO times", async () => {
    const { call } = await setup();
    const res = await call('POST', '/v2/orders', order);
    expect(res.status).toBe(200);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json).toMatchObject({
      client_order_id: 'wire-1', symbol: 'AAPL', qty: '10', filled_qty: '10', filled_avg_price: '190', side: 'buy',
      type: 'market', order_type: 'market', time_in_force: 'day', status: 'filled', order_class: 'simple', legs: null,
      submitted_at: '2026-03-02T15:00:00.000Z', filled_at: '2026-03-02T15:00:00.000Z', asset_class: 'us_equity',
    });
    const positions = (await (await call('GET', '/v2/positions')).json()) as Record<string, unknown>[];
    expect(positions[0]).toMatchObject({ symbol: 'AAPL', qty: '10', avg_entry_price: '190', market_value: '1900', cost_basis: '1900', unrealized_pl: '0', side: 'long' });
  });

  it('refuses malformed JSON with 400 and invalid fields with 422, naming them', async () => {
    const { call } = await setup();
    const bad = await call('POST', '/v2/orders', '{"symbol": "AAPL",');
    expect([bad.status, await bad.json()]).toEqual([400, { code: 40010001, message: 'request body is not valid JSON' }]);
    const invalid = await call('POST', '/v2/orders', { ...order, qty: 'ten', side: 'hold' });
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { message: string }).message).toBe(
      'qty: invalid number "ten"; side: Invalid option: expected one of "buy"|"sell"',
    );
  });

  it('closes part of a position with DELETE /v2/positions/{symbol}?percentage=', async () => {
    const { call } = await setup();
    await call('POST', '/v2/orders', { ...order, qty: '100' });
    const res = await call('DELETE', '/v2/positions/AAPL?percentage=25');
    expect(((await res.json()) as Record<string, unknown>).qty).toBe('25');
    const left = (await (await call('GET', '/v2/positions/AAPL')).json()) as Record<string, unknown>;
    expect(left.qty).toBe('75');
    expect((await call('GET', '/v2/positions/MSFT')).status).toBe(404);
  });
});

describe('fault injection', () => {
  it('answers 429 with Retry-After, then serves normally', async () => {
    const { call, server } = await setup();
    server.faults.inject('GET', '/v2/account', { kind: 'rateLimit', retryAfterSeconds: 2 });
    const limited = await call('GET', '/v2/account');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
    expect((await call('GET', '/v2/account')).status).toBe(200);
  });

  it('answers 500 the given number of times', async () => {
    const { call, server } = await setup();
    server.faults.inject('*', '/v2/clock', { kind: 'serverError' }, 2);
    expect((await call('GET', '/v2/clock')).status).toBe(500);
    expect((await call('GET', '/v2/clock')).status).toBe(500);
    expect((await call('GET', '/v2/clock')).status).toBe(200);
  });

  it('hangs until the client gives up, and drops a connection without an answer', async () => {
    const { call, server } = await setup();
    server.faults.inject('GET', '/v2/account', { kind: 'hang' });
    await expect(call('GET', '/v2/account', undefined, 300)).rejects.toThrow();
    server.faults.inject('GET', '/v2/account', { kind: 'drop' });
    await expect(call('GET', '/v2/account')).rejects.toThrow('fetch failed');
  });

  it('accepts an order and then drops the connection: the order exists once', async () => {
    const { call, server, engine } = await setup();
    server.faults.inject('POST', '/v2/orders', { kind: 'acceptThenDrop' });
    await expect(call('POST', '/v2/orders', order)).rejects.toThrow('fetch failed');
    const found = await call('GET', '/v2/orders:by_client_order_id?client_order_id=wire-1');
    expect(((await found.json()) as Record<string, unknown>).status).toBe('filled');
    expect(engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('drops every stream connection on demand', async () => {
    const { urls, server } = await setup();
    const ws = new WebSocket(urls.streamUrl);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: 'k-test-0001', secret_key: 's-test-0001' } }));
    const reply = await new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))));
    expect(JSON.parse(reply)).toEqual({ stream: 'authorization', data: { action: 'authenticate', status: 'authorized' } });
    server.dropStreams();
    expect(await closed).toBe(1006);
  });

  it('refuses a stream login with the wrong secret', async () => {
    const { urls } = await setup();
    const ws = new WebSocket(urls.streamUrl);
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: 'k-test-0001', secret_key: 'nope' } }));
    const reply = await new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))));
    expect(JSON.parse(reply).data.status).toBe('unauthorized');
  });
});

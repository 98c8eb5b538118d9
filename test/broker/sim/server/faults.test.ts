/** Injected faults and the raw trade_updates protocol, seen by plain HTTP and WebSocket clients. */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dec } from '../../../../src/domain/money.js';
import { FaultInjector } from '../../../../src/broker/sim/server/faults.js';
import { KEY, SECRET, served } from './serverHarness.js';

const order = { symbol: 'AAPL', qty: '10', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'wire-1' };

describe('fault injection', () => {
  it("answers 429 with Retry-After and Alpaca's rate-limit headers, then serves normally", async () => {
    const { call, server } = await served();
    server.faults.inject('GET', '/v2/account', { kind: 'rateLimit', retryAfterSeconds: 2 });
    const limited = await call('GET', '/v2/account');
    expect([limited.status, limited.headers.get('retry-after'), limited.headers.get('x-ratelimit-remaining'), await limited.json()]).toEqual([
      429,
      '2',
      '0',
      { code: 42910000, message: 'too many requests.' },
    ]);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    const fine = await call('GET', '/v2/account');
    expect([fine.status, fine.headers.get('x-ratelimit-limit')]).toEqual([200, '200']);
  });

  it('answers 500 the given number of times, for any method with *', async () => {
    const { call, server } = await served();
    server.faults.inject('*', '/v2/clock', { kind: 'serverError' }, 2);
    const first = await call('GET', '/v2/clock');
    expect([first.status, await first.json()]).toEqual([500, { code: 50010000, message: 'internal server error occurred' }]);
    expect((await call('GET', '/v2/clock')).status).toBe(500);
    expect((await call('GET', '/v2/clock')).status).toBe(200);
  });

  it('matches by method and path prefix only', async () => {
    const { call, server } = await served();
    server.faults.inject('POST', '/v2/orders', { kind: 'serverError' });
    expect((await call('GET', '/v2/orders')).status).toBe(200);
    expect((await call('GET', '/v2/account')).status).toBe(200);
    expect(server.faults.pending()).toBe(1);
    expect((await call('POST', '/v2/orders', { body: order })).status).toBe(500);
    expect(server.faults.pending()).toBe(0);
  });

  it('hangs until the client gives up, and stop() still closes the hung socket', async () => {
    const { call, server } = await served();
    server.faults.inject('GET', '/v2/account', { kind: 'hang' });
    await expect(call('GET', '/v2/account', { timeoutMs: 300 })).rejects.toThrow();
    server.faults.inject('GET', '/v2/account', { kind: 'hang' });
    const pending = call('GET', '/v2/account', { timeoutMs: 10_000 }).then(
      () => 'answered',
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.stop();
    expect(await pending).toBe('closed');
  });

  it('drops a connection without an answer and without executing the request', async () => {
    const { call, server, engine } = await served();
    server.faults.inject('POST', '/v2/orders', { kind: 'drop' });
    await expect(call('POST', '/v2/orders', { body: order })).rejects.toThrow('fetch failed');
    expect(engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('accepts an order and then drops the connection: the order exists, once', async () => {
    const { call, server, engine } = await served();
    server.faults.inject('POST', '/v2/orders', { kind: 'acceptThenDrop' });
    await expect(call('POST', '/v2/orders', { body: order })).rejects.toThrow('fetch failed');
    const found = await call('GET', '/v2/orders:by_client_order_id?client_order_id=wire-1');
    expect(((await found.json()) as Record<string, unknown>).status).toBe('filled');
    // The retry with the same client_order_id is refused: no second order.
    const again = await call('POST', '/v2/orders', { body: order });
    expect([again.status, await again.json()]).toEqual([422, { code: 42210000, message: 'client_order_id must be unique' }]);
    expect(engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('clears armed faults', () => {
    const faults = new FaultInjector();
    faults.inject('get', '/v2', { kind: 'serverError' }, 3);
    expect(faults.take('GET', '/v2/account')).toEqual({ kind: 'serverError' });
    expect(faults.pending()).toBe(2);
    faults.clear();
    expect(faults.take('GET', '/v2/account')).toBeNull();
    expect(() => faults.inject('GET', '/', { kind: 'hang' }, 0)).toThrow(RangeError);
  });
});

/** A raw client of the trade_updates stream, collecting every frame. */
async function rawStream(url: string) {
  const ws = new WebSocket(url);
  const frames: { binary: boolean; json: Record<string, unknown> }[] = [];
  ws.on('message', (data, isBinary) => frames.push({ binary: isBinary, json: JSON.parse(String(data)) as Record<string, unknown> }));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const next = async (count: number) => {
    await expect.poll(() => frames.length, { timeout: 3000 }).toBeGreaterThanOrEqual(count);
    return frames[count - 1]!.json;
  };
  const send = (frame: unknown) => ws.send(JSON.stringify(frame));
  return { ws, frames, closed, next, send };
}

describe('trade_updates stream protocol', () => {
  it('authenticates, listens and streams updates as binary JSON frames', async () => {
    const { urls, json, engine } = await served();
    const s = await rawStream(urls.streamUrl);
    s.send({ action: 'authenticate', data: { key_id: KEY, secret_key: SECRET } });
    expect(await s.next(1)).toEqual({ stream: 'authorization', data: { action: 'authenticate', status: 'authorized' } });
    s.send({ action: 'listen', data: { streams: ['trade_updates', 'account_updates'] } });
    expect(await s.next(2)).toEqual({ stream: 'listening', data: { streams: ['trade_updates'] } });

    await json('POST', '/v2/orders', { ...order, type: 'limit', limit_price: '185', time_in_force: 'gtc' });
    engine.setPrice('AAPL', dec('184.99'));
    const fill = await s.next(4);
    expect(s.frames[2]?.json).toMatchObject({ stream: 'trade_updates', data: { event: 'new', order: { client_order_id: 'wire-1', status: 'new' } } });
    expect(fill).toMatchObject({
      stream: 'trade_updates',
      data: {
        event: 'fill',
        price: '184.99',
        qty: '10',
        position_qty: '10',
        timestamp: '2026-03-02T15:00:00.000Z',
        order: { status: 'filled', filled_avg_price: '184.99' },
      },
    });
    expect(typeof (fill.data as Record<string, unknown>).execution_id).toBe('string');
    expect(s.frames.every((f) => f.binary)).toBe(true);

    // An empty list stops the updates.
    s.send({ action: 'listen', data: { streams: [] } });
    expect(await s.next(5)).toEqual({ stream: 'listening', data: { streams: [] } });
    engine.setPrice('AAPL', dec('150'));
    await json('POST', '/v2/orders', { ...order, client_order_id: 'quiet' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(s.frames).toHaveLength(5);
    s.ws.close();
  });

  it('refuses wrong credentials with "unauthorized" and closes the socket', async () => {
    const { urls } = await served();
    const s = await rawStream(urls.streamUrl);
    s.send({ action: 'authenticate', data: { key_id: KEY, secret_key: 'nope' } });
    expect(await s.next(1)).toEqual({ stream: 'authorization', data: { action: 'authenticate', status: 'unauthorized' } });
    expect(await s.closed).toBe(1008);
  });

  it('answers listen before authentication, and garbage, with an error frame', async () => {
    const { urls } = await served();
    const s = await rawStream(urls.streamUrl);
    s.send({ action: 'listen', data: { streams: ['trade_updates'] } });
    expect(await s.next(1)).toEqual({ action: 'error', data: { error_message: 'not authenticated' } });
    s.ws.send('not json');
    expect(await s.next(2)).toEqual({ action: 'error', data: { error_message: 'invalid syntax' } });
    s.ws.close();
  });

  it('drops every stream connection on demand (1006: no close frame)', async () => {
    const { urls, server } = await served();
    const a = await rawStream(urls.streamUrl);
    const b = await rawStream(urls.streamUrl);
    a.send({ action: 'authenticate', data: { key_id: KEY, secret_key: SECRET } });
    await a.next(1);
    server.faults.dropStream();
    expect(await Promise.all([a.closed, b.closed])).toEqual([1006, 1006]);
    // The server still takes new connections.
    const c = await rawStream(urls.streamUrl);
    c.send({ action: 'authenticate', data: { key_id: KEY, secret_key: SECRET } });
    expect((await c.next(1)).stream).toBe('authorization');
    server.dropStreams();
    expect(await c.closed).toBe(1006);
  });

  it('refuses upgrades on other paths', async () => {
    const { urls } = await served();
    const ws = new WebSocket(urls.streamUrl.replace('/stream', '/v2/stream'));
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('unexpected-response', (_req, res) => resolve(`http ${String(res.statusCode)}`));
      ws.once('error', (e) => resolve(e.message));
    });
    expect(outcome).toBe('http 404');
  });
});

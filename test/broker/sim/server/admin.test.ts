/** Faults armed over HTTP (`/admin/faults`), as someone testing their own tool would: curl-style requests and the real SDK. */
import { describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../../../src/broker/alpaca/AlpacaBroker.js';
import { OrderRejectedError, RateLimitError } from '../../../../src/domain/errors.js';
import { dec } from '../../../../src/domain/money.js';
import { KEY, SECRET, served } from './serverHarness.js';

describe('/admin/faults', () => {
  it('arms a 429 seen by a plain request, lists it, and then serves normally', async () => {
    const { json, call } = await served();
    const armed = await json('POST', '/admin/faults', { kind: 'rate_limit', method: 'GET', path_prefix: '/v2/account', retry_after_seconds: 3, times: 2 });
    expect(armed).toEqual({
      status: 201,
      body: { faults: [{ kind: 'rate_limit', method: 'GET', path_prefix: '/v2/account', remaining: 2, retry_after_seconds: 3 }] },
    });
    const limited = await call('GET', '/v2/account');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    // The admin listing itself is never faulted, and shows what is left.
    expect((await json('GET', '/admin/faults')).body).toEqual({
      faults: [{ kind: 'rate_limit', method: 'GET', path_prefix: '/v2/account', remaining: 1, retry_after_seconds: 3 }],
    });
    expect((await call('GET', '/v2/account')).status).toBe(429);
    expect((await call('GET', '/v2/account')).status).toBe(200);
    expect((await json('GET', '/admin/faults')).body).toEqual({ faults: [] });
  });

  it('is what the real SDK client meets: an accept-then-drop is found by its client id, a 429 outlasting the retries surfaces as RateLimitError', async () => {
    const { json, urls, engine } = await served();
    const broker = new AlpacaBroker({ keyId: KEY, secret: SECRET, paper: true, ...urls, timeoutMs: 1000, retryDelayMs: 5, maxRetries: 1 });
    await json('POST', '/admin/faults', [
      { kind: 'accept_then_drop', method: 'POST', path_prefix: '/v2/orders' },
      { kind: 'rate_limit', method: 'GET', path_prefix: '/v2/positions', times: 3, retry_after_seconds: 0 },
    ]);
    const order = await broker.placeOrder('AAPL', 'buy', dec(5), 'market', { clientOrderId: 'admin-1' });
    expect([order.clientOrderId, order.quantity.toFixed()]).toEqual(['admin-1', '5']);
    expect(engine.listOrders({ status: 'all' })).toHaveLength(1);
    await expect(broker.getPositions()).rejects.toBeInstanceOf(RateLimitError);
  });

  it('refuses an order with Alpaca’s 403 body, which the SDK adapter reads as a rejection with the broker’s message', async () => {
    const { json, urls, engine } = await served();
    const broker = new AlpacaBroker({ keyId: KEY, secret: SECRET, paper: true, ...urls, timeoutMs: 1000, retryDelayMs: 5, maxRetries: 1 });
    const refusal = 'trade denied due to a restriction on the account';
    expect((await json('POST', '/admin/faults', { kind: 'refuse', method: 'POST', path_prefix: '/v2/orders', message: refusal })).body).toEqual({
      faults: [{ kind: 'refuse', method: 'POST', path_prefix: '/v2/orders', remaining: 1, status: 403, code: 40310000, message: refusal }],
    });
    const refused = broker.placeOrder('AAPL', 'sell', dec(5), 'market', { clientOrderId: 'admin-refused' });
    await expect(refused).rejects.toBeInstanceOf(OrderRejectedError);
    await expect(refused).rejects.toMatchObject({ status: 403, code: 40310000, brokerMessage: refusal });
    expect(engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('disarms everything with DELETE', async () => {
    const { json, call } = await served();
    await json('POST', '/admin/faults', { kind: 'server_error', times: 5 });
    expect((await json('DELETE', '/admin/faults')).body).toEqual({ cleared: 1 });
    expect((await call('GET', '/v2/clock')).status).toBe(200);
  });

  it('refuses a request without the credentials, and names what is wrong in a bad body', async () => {
    const { call, json } = await served();
    const anonymous = await call('POST', '/admin/faults', { body: { kind: 'hang' }, headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
    const wrong = await call('GET', '/admin/faults', { headers: { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': 'not-the-secret' } });
    expect(wrong.status).toBe(401);
    expect(await json('POST', '/admin/faults', { kind: 'explode', times: 0 })).toEqual({
      status: 422,
      body: { code: 42210000, message: expect.stringMatching(/^kind: .*; times: .*$/) as unknown as string },
    });
    expect((await json('POST', '/admin/faults', { kind: 'hang', extra: 1 })).status).toBe(422);
    expect((await json('GET', '/admin/nothing')).status).toBe(404);
  });
});

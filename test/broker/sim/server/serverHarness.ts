/** A simulator engine served on 127.0.0.1 for a test, with a plain fetch client; stopped after each test. */
import { afterEach } from 'vitest';
import { createSimServer, type SimServer, type SimServerUrls } from '../../../../src/broker/sim/server/server.js';
import { harness, type Harness } from '../engineHarness.js';

export const KEY = 'PKSIMTESTKEY00000001';
export const SECRET = 'sim-test-secret-0000000000000000000000001';
export const AUTH = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET };

const running: SimServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

export interface ServedHarness extends Harness {
  server: SimServer;
  urls: SimServerUrls;
  /** A request with the right credentials (override `headers` to send others). */
  call(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number }): Promise<Response>;
  /** `call` and its JSON body. */
  json<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function served(options: Parameters<typeof harness>[0] = {}): Promise<ServedHarness> {
  const h = harness(options);
  const server = createSimServer(h.engine, { keyId: KEY, secret: SECRET });
  running.push(server);
  const urls = await server.start();
  const call: ServedHarness['call'] = (method, path, init = {}) =>
    fetch(`${urls.tradingUrl}${path}`, {
      method,
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.headers ?? AUTH) },
      ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(init.timeoutMs ?? 5000),
    });
  const json: ServedHarness['json'] = async (method, path, body) => {
    const res = await call(method, path, body === undefined ? {} : { body });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as never };
  };
  return { ...h, server, urls, call, json };
}

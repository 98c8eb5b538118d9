/**
 * Alpaca adapter over loopback, against the simulator's Alpaca-compatible
 * server: requests per monitor cycle as positions grow (counted at the
 * server), and the adapter's overhead per order submission against a raw
 * HTTP round trip to the same server.
 */
import { AlpacaBroker } from '../src/broker/alpaca/AlpacaBroker.js';
import { type Decimal, dec } from '../src/domain/money.js';
import { SimClock } from '../src/broker/sim/clock.js';
import { SimEngine } from '../src/broker/sim/engine.js';
import { createSimServer } from '../src/broker/sim/server/server.js';
import { fmt, median, microsSince, percentile } from './stats.js';

const KEY = 'PKBENCH0000000000001';
const SECRET = 'bench-secret-000000000000000000000001';

async function withServer<T>(
  tickers: number,
  fn: (ctx: { engine: SimEngine; broker: AlpacaBroker; url: string; count: (p?: string) => number; reset: () => void }) => Promise<T>,
): Promise<T> {
  const prices = new Map<string, Decimal>(Array.from({ length: tickers }, (_, i) => [`T${String(i).padStart(3, '0')}`, dec(50)]));
  const engine = new SimEngine({
    startingCash: dec(1_000_000_000),
    prices,
    seed: 1,
    clock: new SimClock({ mode: 'always', start: new Date('2026-03-02T15:00:00Z') }),
  });
  const server = createSimServer(engine, { keyId: KEY, secret: SECRET });
  const urls = await server.start();
  const broker = new AlpacaBroker({ keyId: KEY, secret: SECRET, tradingUrl: urls.tradingUrl, dataUrl: urls.dataUrl, streamUrl: urls.streamUrl });
  try {
    return await fn({ engine, broker, url: urls.tradingUrl, count: (p) => server.requestCount(p), reset: () => server.resetRequestCount() });
  } finally {
    await server.stop();
  }
}

/** Requests one monitor refresh makes: account, positions, open orders, prices of every held ticker. */
export async function requestsPerCycle(positions: number): Promise<number> {
  return withServer(Math.max(positions, 1), async ({ engine, broker, count, reset }) => {
    for (let i = 0; i < positions; i++) {
      engine.submit({ symbol: `T${String(i).padStart(3, '0')}`, qty: dec(10), side: 'buy', type: 'market', timeInForce: 'day' });
    }
    reset();
    await broker.getAccount();
    const held = await broker.getPositions();
    await broker.listOrders({ status: 'open' });
    const prices = await broker.getLatestPrices(held.map((p) => p.ticker));
    if (prices.size !== positions) throw new Error(`expected ${positions} prices, got ${prices.size}`);
    return count();
  });
}

export interface SubmissionFigures {
  adapterP50: number;
  adapterP99: number;
  rawP50: number;
  rawP99: number;
}

/** 150 submissions each way: under the client-side limiter's burst, so no throttling is timed. */
export async function submissionOverhead(): Promise<SubmissionFigures> {
  return withServer(1, async ({ broker, url }) => {
    const N = 150;
    const adapter: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = process.hrtime.bigint();
      await broker.placeOrder('T000', i % 2 === 0 ? 'buy' : 'sell', dec(1), 'market', { clientOrderId: `a-${i}` });
      adapter.push(microsSince(t));
    }
    const raw: number[] = [];
    const headers = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET, 'content-type': 'application/json' };
    for (let i = 0; i < N; i++) {
      const body = JSON.stringify({
        symbol: 'T000',
        qty: '1',
        side: i % 2 === 0 ? 'buy' : 'sell',
        type: 'market',
        time_in_force: 'day',
        client_order_id: `r-${i}`,
      });
      const t = process.hrtime.bigint();
      const res = await fetch(`${url}/v2/orders`, { method: 'POST', headers, body });
      await res.json();
      raw.push(microsSince(t));
    }
    adapter.sort((a, b) => a - b);
    raw.sort((a, b) => a - b);
    return { adapterP50: percentile(adapter, 50), adapterP99: percentile(adapter, 99), rawP50: percentile(raw, 50), rawP99: percentile(raw, 99) };
  });
}

export function alpacaTable(cycles: ReadonlyMap<number, number>, runs: readonly SubmissionFigures[]): string {
  const m = (k: keyof SubmissionFigures) => median(runs.map((r) => r[k]));
  return [
    '| Alpaca adapter (official SDK → simulator server on loopback) | median of runs |',
    '| --- | --- |',
    ...[...cycles].map(([n, c]) => `| requests per monitor refresh with ${n} open position${n === 1 ? '' : 's'} | ${c} |`),
    `| order submission through the adapter: p50 / p99 | ${fmt(m('adapterP50'), 0)} µs / ${fmt(m('adapterP99'), 0)} µs |`,
    `| raw HTTP POST of the same order: p50 / p99 | ${fmt(m('rawP50'), 0)} µs / ${fmt(m('rawP99'), 0)} µs |`,
    `| adapter overhead (p50 difference) | ${fmt(m('adapterP50') - m('rawP50'), 0)} µs |`,
  ].join('\n');
}

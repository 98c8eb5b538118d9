/**
 * The dashboard's pages over a large book: 1,000 open positions and
 * 100,000 closed trades on a real SQLite file, each page requested over
 * loopback HTTP as a logged-in browser would, next to the floor (a bare
 * Node.js HTTP server answering the same bytes, nothing rendered).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from '../src/broker/sim/clock.js';
import { SimEngine } from '../src/broker/sim/engine.js';
import { SimBroker } from '../src/broker/sim/SimBroker.js';
import { loadConfig } from '../src/config.js';
import { DashboardServer } from '../src/dashboard/DashboardServer.js';
import type { Store } from '../src/db/index.js';
import { addDays } from '../src/domain/marketTime.js';
import { type Decimal, dec } from '../src/domain/money.js';
import type { ClosedPositionRecord, PositionRecord } from '../src/domain/records.js';
import { createApp } from '../src/operator/app.js';
import { fmt, median, percentile, recordEod, withTempStore } from './stats.js';

const OPEN = 1_000;
const CLOSED = 100_000;
const REQUESTS = 40;
const TOKEN = 'bench-dashboard-token-0123456789';
const DAY = '2026-03-31';
const STRATEGIES = ['momentum', 'catalyst', 'gap-and-go', 'mean-reversion'];
const REASONS = ['take_profit', 'stop_loss', 'manual'] as const;

/** The pages measured, and what each one shows. */
const PAGES = [
  { path: '/', name: 'overview' },
  { path: '/positions', name: 'positions (all 1,000)' },
  { path: '/trades', name: 'trades, first page' },
  { path: '/trades?ticker=T7', name: 'trades filtered by ticker' },
  { path: '/api/trades', name: '/api/trades, first page' },
] as const;

export interface PageFigures {
  name: string;
  status: number;
  p50Ms: number;
  p99Ms: number;
  bytes: number;
  floorP50Ms: number;
}

/** Marking the 1,000 positions to new prices, and what the dashboard adds to it. */
export interface LiveFigures {
  /** Median ms of one mark with no dashboard at all: the floor. */
  markBareMs: number;
  /** The same with the dashboard running and no page open. */
  markIdleMs: number;
  /** Trading-event listeners the dashboard holds with no page open, and with one positions page open. */
  idleListeners: number;
  openListeners: number;
  /** From the start of a mark to the positions page's update arriving on its open stream (median ms). */
  markToPageMs: number;
  /** The size of that update. */
  updateKb: number;
}

export interface DashboardFigures {
  pages: PageFigures[];
  live: LiveFigures;
}

function openPosition(i: number, at: Date): PositionRecord {
  const entry = dec(50).plus(i % 97);
  const last = entry.plus(dec((i % 21) - 10).div(4));
  const quantity = dec(10 + (i % 40));
  return {
    positionId: `open-${i}`,
    ticker: `O${i}`,
    side: 'long',
    quantity,
    entryPrice: entry,
    currentPrice: last,
    unrealizedPnl: last.minus(entry).times(quantity),
    exitedQty: dec(0),
    exitValue: dec(0),
    realizedPnl: dec(0),
    entryValue: entry.times(quantity),
    stopLossPrice: entry.times('0.95'),
    takeProfitPrice: entry.times('1.05'),
    signalId: `sig-open-${i}`,
    strategy: STRATEGIES[i % STRATEGIES.length] ?? null,
    entryOrderId: null,
    stopLossOrderId: null,
    takeProfitOrderId: null,
    openedAt: at,
    updatedAt: at,
  };
}

function closedTrade(i: number): ClosedPositionRecord {
  // Spread over about a year of trading days, oldest first.
  const closedAt = new Date(new Date(`${addDays(DAY, -365)}T14:30:00Z`).getTime() + i * 315_000);
  const entry = dec('80.5').plus(i % 13);
  const move = dec((i % 11) - 5).div(10);
  return {
    positionId: `closed-${i}`,
    ticker: `T${i % 300}`,
    side: i % 5 === 0 ? 'short' : 'long',
    quantity: dec(50),
    entryPrice: entry,
    exitPrice: entry.plus(move),
    realizedPnl: move.times(50),
    realizedPnlPct: move.div(entry),
    exitReason: REASONS[i % REASONS.length] ?? 'manual',
    signalId: `sig-${i}`,
    strategy: STRATEGIES[i % STRATEGIES.length] ?? null,
    exitOrderId: null,
    entryOrderId: null,
    openedAt: new Date(closedAt.getTime() - 3_600_000),
    closedAt,
  };
}

async function seed(store: Store, at: Date): Promise<void> {
  await store.transaction(async (tx) => {
    for (let i = 0; i < OPEN; i++) await tx.positions.insert(openPosition(i, at));
  });
  for (let start = 0; start < CLOSED; start += 10_000) {
    const chunk = Array.from({ length: 10_000 }, (_, k) => closedTrade(start + k));
    await store.transaction((tx) => tx.closedPositions.insertMany(chunk));
  }
  for (let d = 89; d >= 0; d--) {
    const tradingDay = addDays(DAY, -d);
    const equity = dec(100_000).plus((90 - d) * 120);
    await recordEod(store, tradingDay, equity);
  }
}

/** Times `REQUESTS` sequential requests after two unmeasured ones (the first builds caches and prepared statements). */
async function timeRequests(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; ms: number[] }> {
  let status = 0;
  let bytes = 0;
  const ms: number[] = [];
  for (let i = 0; i < REQUESTS + 2; i++) {
    const start = process.hrtime.bigint();
    const res = await fetch(url, { headers, redirect: 'manual' });
    const body = await res.arrayBuffer();
    const took = Number(process.hrtime.bigint() - start) / 1e6;
    status = res.status;
    bytes = body.byteLength;
    if (i >= 2) ms.push(took);
  }
  return { status, bytes, ms: ms.sort((a, b) => a - b) };
}

/** The floor: a bare Node.js server answering the same bytes (no session, no query, no rendering). */
async function floorFor(bytes: number): Promise<number> {
  const body = Buffer.alloc(bytes, 'x');
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const { ms } = await timeRequests(`http://127.0.0.1:${port}/`, {});
    return percentile(ms, 50);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const MARK_ROUNDS = 20;

type App = ReturnType<typeof createApp>;

/** New prices for every open position, moving with the round so each mark changes something. */
function pricesFor(round: number): Map<string, Decimal> {
  return new Map(Array.from({ length: OPEN }, (_, i) => [`O${i}`, dec(50 + (i % 97)).plus(dec(round % 7).div(8))]));
}

/** Median ms of marking every position to new prices, as a monitor cycle does. */
async function markMs(app: App, from: number): Promise<number> {
  const ms: number[] = [];
  for (let round = from; round < from + MARK_ROUNDS; round++) {
    const prices = pricesFor(round);
    const start = process.hrtime.bigint();
    await app.engine.manager.updatePositionPrices(prices);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(ms);
}

/**
 * Opens the positions page's event stream as the browser does and times
 * marks to the update they cause on it: the stream coalesces bursts, so
 * each mark waits for its own event before the next.
 */
async function markToPage(app: App, url: string, cookie: string, from: number): Promise<{ ms: number; kb: number; listeners: number }> {
  const abort = new AbortController();
  const res = await fetch(`${url}/events/positions`, { headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`the positions stream answered ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  /** Resolves with the size of the next whole `positions` event. */
  const nextUpdate = async (): Promise<number> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (event.includes('event: positions')) return Buffer.byteLength(event);
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the positions stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  try {
    const listeners = app.engine.events.listenerCount();
    const ms: number[] = [];
    let bytes = 0;
    for (let round = from; round < from + MARK_ROUNDS; round++) {
      const start = process.hrtime.bigint();
      const update = nextUpdate();
      await app.engine.manager.updatePositionPrices(pricesFor(round));
      bytes = await update;
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return { ms: median(ms), kb: bytes / 1024, listeners };
  } finally {
    abort.abort();
    await reader.cancel().catch(() => undefined);
  }
}

export async function benchDashboard(): Promise<DashboardFigures> {
  return withTempStore(async (store) => {
    const at = new Date(`${DAY}T20:00:00Z`);
    await seed(store, at);
    const clock = new SimClock({ mode: 'always', start: at });
    const broker = new SimBroker(new SimEngine({ startingCash: dec(100_000), prices: new Map([['AAPL', dec(190)]]), seed: 1, clock }));
    const app = createApp({ config: loadConfig({ DB_PATH: store.path }), broker, store, sim: broker, now: () => clock.now() });
    const bareListeners = app.engine.events.listenerCount();
    const markBareMs = await markMs(app, 0);
    const quiet = () => undefined;
    const server = new DashboardServer({ operator: app.operator, token: TOKEN, host: '127.0.0.1', port: 0, log: { info: quiet, warn: quiet, error: quiet } });
    const address = await server.listen();
    if (!address) throw new Error('the dashboard did not start');
    try {
      const login = await fetch(`${address.url}/login?token=${TOKEN}`, { redirect: 'manual' });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const pages: PageFigures[] = [];
      for (const page of PAGES) {
        const headers: Record<string, string> = page.path.startsWith('/api/') ? { authorization: `Bearer ${TOKEN}` } : { cookie };
        const { status, bytes, ms } = await timeRequests(`${address.url}${page.path}`, headers);
        pages.push({ name: page.name, status, bytes, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), floorP50Ms: await floorFor(bytes) });
      }
      const idleListeners = app.engine.events.listenerCount() - bareListeners;
      const markIdleMs = await markMs(app, MARK_ROUNDS);
      const open = await markToPage(app, address.url, cookie, 2 * MARK_ROUNDS);
      const live = { markBareMs, markIdleMs, idleListeners, openListeners: open.listeners - bareListeners, markToPageMs: open.ms, updateKb: open.kb };
      return { pages, live };
    } finally {
      await server.stop();
    }
  });
}

export function dashboardTable(runs: readonly DashboardFigures[]): string {
  const first = runs[0]?.pages ?? [];
  const rows = first.map((page, i) => {
    const of = (pick: (p: PageFigures) => number) => median(runs.map((r) => pick(r.pages[i] ?? page)));
    const status = page.status === 200 ? '' : ` (HTTP ${page.status})`;
    return `| ${page.name}${status} | ${fmt(of((p) => p.p50Ms))} ms | ${fmt(of((p) => p.p99Ms))} ms | ${fmt(of((p) => p.bytes) / 1024)} kB | ${fmt(
      of((p) => p.floorP50Ms),
      2,
    )} ms |`;
  });
  const live = (pick: (l: LiveFigures) => number, digits = 1) => fmt(median(runs.map((r) => pick(r.live))), digits);
  return [
    `| page (${OPEN.toLocaleString('en-US')} open positions, ${CLOSED.toLocaleString('en-US')} closed trades) | p50 | p99 | size | floor p50 (same bytes, bare server) |`,
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `| live positions (${OPEN.toLocaleString('en-US')} open positions marked to new prices) | median of runs |`,
    '| --- | --- |',
    `| one mark, no dashboard (floor) | ${live((l) => l.markBareMs)} ms |`,
    `| one mark, dashboard running, no page open | ${live((l) => l.markIdleMs)} ms |`,
    `| trading-event listeners the dashboard holds: no page open / one positions page open | ${live((l) => l.idleListeners, 0)} / ${live((l) => l.openListeners, 0)} |`,
    `| from a mark to the open page's update arriving (stream coalescing included) | ${live((l) => l.markToPageMs)} ms (${live((l) => l.updateKb)} kB) |`,
  ].join('\n');
}

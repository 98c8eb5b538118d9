/**
 * The order path as `npm start` wires it: the persistent simulator
 * (createSimBroker with the store's sim persistence, a real SQLite file)
 * under the trading engine the app builds, executing signals end to end
 * after 10,000 prior orders in the simulator's history. Measured over the
 * first and the last 1,000 signals of the run (flat in history is the aim),
 * against its floor: one raw simulator submit plus one SQLite commit, with
 * nothing of ours around them.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { BrokerInterface } from '../src/domain/ports/broker.js';
import { dec, type Decimal } from '../src/domain/money.js';
import { SimClock } from '../src/broker/sim/clock.js';
import { SimEngine } from '../src/broker/sim/engine.js';
import { createSimBroker } from '../src/broker/sim/index.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/db/index.js';
import { createApp } from '../src/operator/app.js';
import { toSignal } from '../src/domain/signal.js';
import { fmt, median, microsSince, percentile } from './stats.js';

const START = new Date('2026-03-02T15:00:00Z');
const TICKERS = Array.from({ length: 20 }, (_, i) => `S${i}`);
/** The prior history trades a ticker of its own, so the signals' tickers start flat. */
const HISTORY_TICKER = 'HIST';
const PRIOR_ORDERS = 10_000;
/** Signals run before the measured ones, so the first window is not the JIT compiling the code. */
const WARMUP = 200;
const SIGNALS = 3_000;
const WINDOW = 1_000;

const ENV = {
  SIM_PRICES: [...TICKERS, HISTORY_TICKER].map((t) => `${t}=100`).join(','),
  SIM_STARTING_CASH: '100000000',
  SIM_MARGIN_MULTIPLIER: '4',
  MAX_OPEN_POSITIONS: '100',
  MAX_POSITION_PCT: '0.001',
  RISK_PER_TRADE_PCT: '0.0001',
  MAX_EXPOSURE_PCT: '4',
  MAX_DAILY_LOSS_PCT: '0.5',
  MAX_DRAWDOWN_PCT: '0.5',
  LOG_LEVEL: 'silent',
};

export interface OrderPathFigures {
  /** The order submission inside each signal: the simulator broker's placeBracketOrder (submit + saving what changed). */
  orderFirstP50: number;
  orderFirstP99: number;
  orderLastP50: number;
  orderLastP99: number;
  /** The whole signal: executeSignal end to end. */
  signalFirstP50: number;
  signalFirstP99: number;
  signalLastP50: number;
  signalLastP99: number;
  floorP50: number;
  floorP99: number;
  /** Orders the simulator held when the run ended. */
  ordersAtEnd: number;
  /** The database file at the end (closed, WAL checkpointed), MB. */
  databaseMb: number;
}

/** Wraps a broker so the time of each placeBracketOrder call (the order submission) is recorded. */
function timedSubmissions(inner: BrokerInterface): { broker: BrokerInterface; submissions: number[] } {
  const submissions: number[] = [];
  const broker = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== 'placeBracketOrder' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const start = process.hrtime.bigint();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          submissions.push(microsSince(start));
        }
      };
    },
  });
  return { broker, submissions };
}

const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

async function signalRun(dir: string): Promise<Omit<OrderPathFigures, 'floorP50' | 'floorP99'>> {
  const path = join(dir, 'trading.db');
  const config = loadConfig({ ...ENV, DB_PATH: path });
  const store = await openStore(path);
  let closed = false;
  try {
    const sim = createSimBroker(config.sim, store.simState, START);
    await sim.connect();
    // The history: every order saved as it happens, like a bot that has been trading a while.
    for (let i = 0; i < PRIOR_ORDERS; i++) {
      await sim.placeOrder(HISTORY_TICKER, i % 2 === 0 ? 'buy' : 'sell', dec(1), 'market', { clientOrderId: `hist-${i}` });
    }
    const clock = sim.engine.clockSource;
    const timed = timedSubmissions(sim);
    const app = createApp({ config, broker: timed.broker, store, sim, now: () => clock.now() });
    const stop = app.engine.followTradeUpdates();
    const totals: number[] = [];
    for (let i = 0; i < WARMUP + SIGNALS; i++) {
      if (i === WARMUP) timed.submissions.length = 0;
      const ticker = TICKERS[i % TICKERS.length]!;
      // Each position is closed before its ticker comes round again (not timed).
      if (await app.engine.manager.getPosition(ticker)) await app.engine.manager.closePosition(ticker);
      await app.engine.ledger.serial(async () => undefined);
      clock.advance(1000);
      const signal = toSignal({
        signal_id: `op-${i}`,
        ticker,
        timestamp: clock.now().toISOString(),
        action: 'buy',
        confidence: 0.7,
        current_price: 100,
        stop_loss_price: 98,
        take_profit_price: 105,
      });
      const start = process.hrtime.bigint();
      const result = await app.engine.executor.executeSignal(signal);
      if (i >= WARMUP) totals.push(microsSince(start));
      if (!result.success) throw new Error(`bench signal refused: ${result.errorMessage}`);
    }
    stop();
    await app.engine.ledger.serial(async () => undefined);
    const ordersAtEnd = sim.engine.state().orders.length;
    await sim.disconnect();
    if (timed.submissions.length !== SIGNALS) throw new Error(`expected ${SIGNALS} order submissions, saw ${timed.submissions.length}`);
    const p = (samples: number[], q: number) => percentile(sorted(samples), q);
    const [signalFirst, signalLast] = [totals.slice(0, WINDOW), totals.slice(-WINDOW)];
    const [orderFirst, orderLast] = [timed.submissions.slice(0, WINDOW), timed.submissions.slice(-WINDOW)];
    await store.close();
    closed = true;
    return {
      orderFirstP50: p(orderFirst, 50),
      orderFirstP99: p(orderFirst, 99),
      orderLastP50: p(orderLast, 50),
      orderLastP99: p(orderLast, 99),
      signalFirstP50: p(signalFirst, 50),
      signalFirstP99: p(signalFirst, 99),
      signalLastP50: p(signalLast, 50),
      signalLastP99: p(signalLast, 99),
      ordersAtEnd,
      databaseMb: statSync(path).size / 2 ** 20,
    };
  } finally {
    if (!closed) await store.close();
  }
}

/** One raw simulator submit (the same bracket) plus one better-sqlite3 INSERT committed into a WAL file: nothing of ours around them. */
function floorRun(dir: string): { p50: number; p99: number } {
  const clock = new SimClock({ mode: 'always', start: START });
  const prices = new Map<string, Decimal>([...TICKERS, HISTORY_TICKER].map((t) => [t, dec(100)]));
  const engine = new SimEngine({ startingCash: dec(100_000_000), prices, seed: 42, clock, marginMultiplier: 4 });
  for (let i = 0; i < PRIOR_ORDERS; i++) {
    engine.submit({ symbol: HISTORY_TICKER, qty: dec(1), side: i % 2 === 0 ? 'buy' : 'sell', type: 'market', timeInForce: 'day' });
  }
  const db = new SqliteDatabase(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO orders (id, body) VALUES (?, ?)');
  const body = 'x'.repeat(400); // about one order row
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + SIGNALS; i++) {
    const ticker = TICKERS[i % TICKERS.length]!;
    if (engine.position(ticker)) engine.closePosition(ticker);
    clock.advance(1000);
    const start = process.hrtime.bigint();
    engine.submit({
      symbol: ticker,
      qty: dec(10),
      side: 'buy',
      type: 'market',
      timeInForce: 'gtc',
      orderClass: 'bracket',
      takeProfit: { limitPrice: dec(105) },
      stopLoss: { stopPrice: dec(98) },
      clientOrderId: `floor-${i}`,
    });
    insert.run(`floor-${i}`, body); // autocommit: one transaction, one commit
    samples.push(microsSince(start));
  }
  db.close();
  const s = sorted(samples.slice(-WINDOW));
  return { p50: percentile(s, 50), p99: percentile(s, 99) };
}

export async function benchOrderPath(): Promise<OrderPathFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'catalyst-bench-'));
  try {
    const run = await signalRun(dir);
    const floor = floorRun(dir);
    return { ...run, floorP50: floor.p50, floorP99: floor.p99 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function orderPathTable(runs: readonly OrderPathFigures[]): string {
  const m = (f: (r: OrderPathFigures) => number) => median(runs.map(f));
  const us = (n: number) => `${fmt(n, 0)} µs`;
  const w = fmt(WINDOW, 0);
  return [
    `| order path as \`npm start\` wires it (persistent simulator, real SQLite file, ${fmt(PRIOR_ORDERS, 0)} orders of history, ${fmt(SIGNALS, 0)} signals after ${fmt(WARMUP, 0)} warm-up ones) | p50 | p99 | target |`,
    '| --- | --- | --- | --- |',
    `| order submission in a signal (simulator submit + saving what changed), first ${w} signals | ${us(m((r) => r.orderFirstP50))} | ${us(m((r) => r.orderFirstP99))} | |`,
    `| the same, last ${w} signals (${fmt(
      m((r) => r.ordersAtEnd),
      0,
    )} orders in the simulator at the end) | ${us(m((r) => r.orderLastP50))} | ${us(m((r) => r.orderLastP99))} | flat |`,
    `| floor: raw simulator submit + one SQLite insert and commit (WAL), nothing of ours around them | ${us(m((r) => r.floorP50))} | ${us(m((r) => r.floorP99))} | |`,
    `| order submission p50 over the floor's p50, first / last ${w} | ${fmt(
      m((r) => r.orderFirstP50 / r.floorP50),
      1,
    )}× / ${fmt(
      m((r) => r.orderLastP50 / r.floorP50),
      1,
    )}× | | ≤ 3× |`,
    `| whole signal → order (executeSignal: checks, sizing, the bot's own records, the submission), first ${w} | ${us(m((r) => r.signalFirstP50))} | ${us(m((r) => r.signalFirstP99))} | |`,
    `| the same, last ${w} | ${us(m((r) => r.signalLastP50))} | ${us(m((r) => r.signalLastP99))} | flat |`,
    `| database file at the end (WAL checkpointed) | ${fmt(
      m((r) => r.databaseMb),
      1,
    )} MB | | |`,
  ].join('\n');
}

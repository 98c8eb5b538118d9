/**
 * `kill -9` at random moments of a burst of auto-approved webhook signals:
 * real bot processes (`npm start`'s entry point, BROKER=alpaca through the
 * official SDK), a real SQLite file, and the simulator served on loopback.
 * Each kill lands as the broker accepts an order, before the bot can record
 * it. After every restart the database must agree with the broker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { OrderRequest } from '../../src/broker/sim/api.js';
import type { Order } from '../../src/domain/order.js';
import { openStore } from '../../src/db/index.js';
import { sign } from '../../src/signals/webhook/signature.js';
import { freePort } from '../helpers/freePort.js';
import { useTempDir } from '../helpers/tempDb.js';
import { KEY, SECRET, served } from '../broker/sim/server/serverHarness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const WEBHOOK_SECRET = 'crash-test-webhook-secret-0000000';
const TICKERS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'META', 'TSLA', 'AMD', 'INTC'];
const PRICES: Record<string, string> = { AAPL: '190', MSFT: '410', NVDA: '880', AMZN: '178', META: '495', TSLA: '175', AMD: '160', INTC: '43' };
const ROUNDS = 4;

/** Deterministic randomness, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
}

interface Bot {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves when the output matches (rejects if the process ends first). */
  waitFor(text: string): Promise<void>;
}

function startBot(env: Record<string, string>, stdin: 'open' | 'closed'): Bot {
  const child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/esm/index.mjs'), join(ROOT, 'src/main.ts')], {
    cwd: env.DIR,
    env: { PATH: process.env.PATH ?? '', DASHBOARD_PORT: 'off', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.splice(0)) {
      if (out.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (stdin === 'closed') child.stdin?.end();
  return {
    child,
    output: () => out,
    exited,
    waitFor: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exited.then((code) => reject(new Error(`the bot exited (${code}) before printing "${text}":\n${out}`)));
      }),
  };
}

describe('kill -9 during a burst, then restart', () => {
  const newDir = useTempDir();

  it('leaves the database agreeing with the broker after every start-up, every signal position with its plan', async () => {
    const sim = await served({ prices: PRICES });
    const rand = random(20_261_202);
    const dir = newDir();
    const webhookPort = await freePort();
    const env = {
      DIR: dir,
      DB_PATH: join(dir, 'trading.db'),
      BROKER: 'alpaca',
      ALPACA_API_KEY: KEY,
      ALPACA_API_SECRET: SECRET,
      ALPACA_TRADING_URL: sim.urls.tradingUrl,
      ALPACA_DATA_URL: sim.urls.dataUrl,
      ALPACA_STREAM_URL: sim.urls.streamUrl,
      ALPACA_DATA_STREAM_URL: sim.urls.dataStreamUrl,
      WEBHOOK_PORT: String(webhookPort),
      WEBHOOK_SECRET,
      AUTO_APPROVE_MIN_CONFIDENCE: '0.5',
      AUTO_APPROVE_STRATEGIES: 'burst',
      MAX_OPEN_POSITIONS: '100',
      MAX_POSITION_PCT: '0.05',
      MAX_EXPOSURE_PCT: '4',
      SIGNAL_TTL_MINUTES: '600',
      LOG_LEVEL: 'info',
    };

    // The k-th order the broker accepts kills the bot that sent it, before its answer is read.
    let victim: ChildProcess | null = null;
    let killAt = 0;
    let killedAtAcceptance = 0;
    const submit = sim.engine.submit.bind(sim.engine);
    sim.engine.submit = (request: OrderRequest): Order => {
      const order = submit(request);
      if (victim && --killAt === 0) {
        victim.kill('SIGKILL');
        killedAtAcceptance++;
      }
      return order;
    };

    let n = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const bot = startBot(env, 'open');
      await bot.waitFor('signal webhook listening');
      killAt = 1 + Math.floor(rand() * 3);
      victim = bot.child;
      // A burst: every ticker, some twice (the second is refused while the first is held), both sides.
      const posts: Promise<unknown>[] = [];
      for (let i = 0; i < 12; i++) {
        const ticker = TICKERS[Math.floor(rand() * TICKERS.length)]!;
        const price = Number(PRICES[ticker]);
        const buy = rand() < 0.6;
        const body = JSON.stringify({
          signal_id: `crash-${++n}`,
          ticker,
          timestamp: new Date().toISOString(),
          action: buy ? 'buy' : 'sell',
          confidence: 0.8,
          strategy: 'burst',
          current_price: price,
          stop_loss_price: buy ? price * 0.95 : price * 1.05,
          take_profit_price: buy ? price * 1.1 : price * 0.9,
        });
        const ts = Math.floor(Date.now() / 1000);
        // Posts cut off by the kill are the sender's to retry; lost ones are not part of the invariant.
        posts.push(
          fetch(`http://127.0.0.1:${webhookPort}/signals`, {
            method: 'POST',
            headers: { 'x-timestamp': String(ts), 'x-signature': sign(WEBHOOK_SECRET, ts, body) },
            body,
          }).catch(() => null),
        );
      }
      await Promise.all(posts);
      // Executions run behind the answers: wait for the kill at the k-th order, or (a burst that placed
      // fewer) for every signal to be decided, and kill it then.
      const ids = Array.from({ length: 12 }, (_, i) => `crash-${n - 11 + i}`);
      while (bot.child.exitCode === null && bot.child.signalCode === null && !(await allDecided(webhookPort, ids))) {
        await Promise.race([bot.exited, new Promise((r) => setTimeout(r, 50))]);
      }
      if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
      await bot.exited;
      victim = null;

      // Restart with nothing typed: start-up reconciliation and resumed approvals run, then it stops cleanly.
      const restart = startBot(env, 'closed');
      const code = await restart.exited;
      expect(code, restart.output()).toBe(0);
      await expectAgreement(env.DB_PATH, sim.engine, round);

      // While the bot is down, about half the positions reach their targets at the broker (the bracket's
      // leg fills); the next start records those exits. Prices then return, so new signals pass the drift guard.
      for (const p of sim.engine.positions()) {
        if (rand() < 0.5) sim.engine.setPrice(p.ticker, dec(PRICES[p.ticker]!).times(p.side === 'long' ? '1.2' : '0.8'));
      }
      for (const [ticker, price] of Object.entries(PRICES)) sim.engine.setPrice(ticker, dec(price));
    }
    // The scenario really happened: kills landed on accepted orders, and positions were at stake.
    expect(killedAtAcceptance).toBeGreaterThan(0);
    expect(sim.engine.positions().length).toBeGreaterThan(0);
  }, 240_000);
});

/** Whether every signal of the burst left `pending` (asked over the webhook; false when it cannot answer). */
async function allDecided(port: number, ids: readonly string[]): Promise<boolean> {
  try {
    for (const id of ids) {
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`http://127.0.0.1:${port}/signals/${id}`, {
        headers: { 'x-timestamp': String(ts), 'x-signature': sign(WEBHOOK_SECRET, ts, '') },
      });
      if (res.status === 404) continue; // a post cut off before it was stored
      if (((await res.json()) as { status: string }).status === 'pending') return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function expectAgreement(dbPath: string, broker: Awaited<ReturnType<typeof served>>['engine'], round: number): Promise<void> {
  const store = await openStore(dbPath);
  try {
    const stored = await store.positions.list();
    const signed = (side: string, qty: { toFixed(): string }) => `${side === 'short' ? '-' : ''}${qty.toFixed()}`;
    const ours = Object.fromEntries(stored.map((p) => [p.ticker, signed(p.side, p.quantity)]));
    const theirs = Object.fromEntries(broker.positions().map((p) => [p.ticker, signed(p.side, p.quantity)]));
    expect(ours, `round ${round}: stored quantity = broker quantity for every ticker`).toEqual(theirs);
    for (const p of stored) {
      // Nothing trades outside the bot here: every position came from a signal and keeps its plan and legs.
      expect([p.ticker, p.strategy, p.signalId !== null], `round ${round}`).toEqual([p.ticker, 'burst', true]);
      expect([p.stopLossPrice !== null, p.takeProfitPrice !== null], `round ${round}: ${p.ticker} plan`).toEqual([true, true]);
      const entry = broker.getOrderByClientId(`${p.signalId}:entry`);
      const legs = (entry?.legs ?? []).map((l) => l.id).sort();
      expect([p.stopLossOrderId, p.takeProfitOrderId].sort(), `round ${round}: ${p.ticker} legs`).toEqual(legs);
    }
    // Exits made by the broker's legs while the bot was down are recorded as such, never as outside closes.
    const closed = await store.closedPositions.listClosedBetween(new Date(0));
    expect(
      closed.filter((c) => c.exitReason !== 'take_profit').map((c) => [c.ticker, c.exitReason]),
      `round ${round}: exits`,
    ).toEqual([]);
    expect(await store.executions.listSubmitting(), `round ${round}: nothing left submitting`).toEqual([]);
    // Every stored signal was decided: none the policy takes was left pending by a crash.
    expect(
      (await store.signals.listByStatus('pending', 1000)).map((s) => s.signalId),
      `round ${round}: pending`,
    ).toEqual([]);
    // One entry order per signal at the broker.
    const entries = broker.listOrders({ status: 'all', limit: 10_000 }).filter((o) => o.clientOrderId.endsWith(':entry'));
    expect(new Set(entries.map((o) => o.clientOrderId)).size).toBe(entries.length);
  } finally {
    await store.close();
  }
}

/**
 * The whole application over the in-process simulator and a real SQLite
 * file, with a market-data feed: the simulator's own (its price moves are
 * the trades), or the bot's Alpaca adapter against the simulator served on
 * loopback. Alerts go to a sink that records them.
 */
import { afterEach } from 'vitest';
import { AlpacaMarketDataStream } from '../../src/broker/alpaca/marketDataStream.js';
import { SimMarketData } from '../../src/broker/sim/marketData.js';
import { SimBroker } from '../../src/broker/sim/SimBroker.js';
import { loadConfig } from '../../src/config.js';
import type { TradingEvent } from '../../src/domain/events.js';
import type { MarketDataFeed } from '../../src/domain/ports/marketData.js';
import type { Store } from '../../src/db/index.js';
import { AlertCenter } from '../../src/monitor/AlertCenter.js';
import { Monitor } from '../../src/monitor/Monitor.js';
import { createApp } from '../../src/operator/app.js';
import type { LiveMarks } from '../../src/portfolio/LiveMarks.js';
import type { View } from '../../src/views/view.js';
import { harness, type Harness } from '../broker/sim/engineHarness.js';
import { KEY, SECRET, served, type ServedHarness } from '../broker/sim/server/serverHarness.js';

/** The simulator's feed, counting what the bot asks it to follow (each call: the set, sorted). */
export class CountingSimFeed extends SimMarketData {
  readonly calls: string[][] = [];
  override setTickers(tickers: ReadonlySet<string>): void {
    this.calls.push([...tickers].sort());
    super.setTickers(tickers);
  }
}

/** The simulator as the broker, counting how often its last prices are asked for (the drift guard's fallback). */
export class CountingSimBroker extends SimBroker {
  latestPriceCalls = 0;
  override getLatestPrices(tickers: readonly string[]): ReturnType<SimBroker['getLatestPrices']> {
    this.latestPriceCalls++;
    return super.getLatestPrices(tickers);
  }
}

const running: LiveMarks[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.close()));
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function liveApp(store: Store, options: { feed?: 'sim' | 'alpaca' } = {}) {
  let sim: Harness;
  let server: ServedHarness | null = null;
  let feed: MarketDataFeed;
  if (options.feed === 'alpaca') {
    server = await served();
    sim = server;
    feed = new AlpacaMarketDataStream({ keyId: KEY, secret: SECRET, feed: 'iex', url: server.urls.dataStreamUrl, connectTimeoutMs: 5000 });
  } else {
    sim = harness();
    feed = new CountingSimFeed(sim.engine);
  }
  const broker = new CountingSimBroker(sim.engine);
  const config = loadConfig({ SIM_PRICES: 'AAPL=190,MSFT=410', MAX_POSITION_PCT: '1.0', DB_PATH: store.path });
  const app = createApp({ config, broker, store, sim: broker, now: () => sim.clock.now(), marketData: feed });
  const live = app.engine.live;
  if (!live) throw new Error('the engine has no market-data follower');
  running.push(live);
  const errors: unknown[] = [];
  live.onError((error) => errors.push(error));
  const stopFollowing = app.engine.followTradeUpdates((error) => errors.push(error));
  const events: TradingEvent[] = [];
  app.engine.events.on((e) => events.push(e));
  const posted: View[] = [];
  const alerts = new AlertCenter({
    store,
    sink: { post: async (views) => void posted.push(...views) },
    log: quiet,
    now: () => sim.clock.now(),
  });
  const monitor = new Monitor({
    app,
    alerts,
    log: quiet,
    intervalSeconds: 60,
    reportTime: { hour: 16, minute: 15 },
    timezone: 'America/New_York',
    now: () => sim.clock.now(),
  });
  monitor.attach();
  /** Waits for the first event of `kind` from now on. */
  const next = <K extends TradingEvent['kind']>(kind: K) =>
    new Promise<Extract<TradingEvent, { kind: K }>>((resolve) => {
      const stop = app.engine.events.on((e) => {
        if (e.kind === kind) {
          stop();
          resolve(e as Extract<TradingEvent, { kind: K }>);
        }
      });
    });
  /** Waits until the ledger has recorded every update received so far and the follower has written and sent what it holds. */
  const settle = async () => {
    await app.engine.ledger.serial(async () => undefined);
    await live.settled();
    await app.engine.ledger.serial(async () => undefined);
  };
  return { app, live, feed, sim, server, broker, store, errors, events, posted, alerts, monitor, next, settle, stopFollowing };
}

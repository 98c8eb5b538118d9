/**
 * The operator over the whole application: a real SQLite file, the paper
 * simulator (in-process) on a fixed clock, the commands loaded from
 * commands/, and the console front end whose output is captured.
 */
import { PassThrough } from 'node:stream';
import { AlpacaBroker } from '../../src/broker/alpaca/AlpacaBroker.js';
import type { BrokerInterface } from '../../src/domain/ports/broker.js';
import type { FaultInjector } from '../../src/broker/sim/server/faults.js';
import { SimBroker } from '../../src/broker/sim/SimBroker.js';
import { type Config, loadConfig } from '../../src/config.js';
import { openStore, type Store } from '../../src/db/index.js';
import type { AppServices } from '../../src/operator/command.js';
import { createApp } from '../../src/operator/app.js';
import { AlertCenter, type AlertSink } from '../../src/monitor/AlertCenter.js';
import { Monitor } from '../../src/monitor/Monitor.js';
import { ConsoleFrontEnd } from '../../src/operator/console/ConsoleFrontEnd.js';
import { Dispatcher } from '../../src/operator/dispatch.js';
import { loadCommands } from '../../src/operator/registry.js';
import { harness, type Harness } from '../broker/sim/engineHarness.js';
import { KEY, SECRET, served as serve } from '../broker/sim/server/serverHarness.js';

export interface OperatorHarness {
  /** The trade stream stops reaching the engine (the broker's stream is down). */
  stopFollowing(): void;
  alerts: AlertCenter;
  monitor: Monitor;
  sim: Harness;
  broker: BrokerInterface;
  /** The simulator server's fault injector (with `alpaca: true`). */
  faults: FaultInjector | null;
  app: AppServices;
  dispatcher: Dispatcher;
  config: Config;
  store: Store;
  /** Every line the console printed so far. */
  output(): string;
  /** Types one line into the console and waits for it to be handled (and the ledger to settle). */
  type(line: string): Promise<string>;
  errors: unknown[];
}

export interface HarnessOptions {
  sim?: Parameters<typeof harness>[0];
  /** The real Alpaca SDK adapter against the simulator served on loopback, instead of the in-process simulator. */
  alpaca?: boolean;
  /** Where alerts go instead of the console (e.g. a sink that can fail like Discord). */
  sink?: AlertSink;
}

export async function operatorHarness(store: Store, env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<OperatorHarness> {
  // DB_PATH is the test's own database: reports go beside it, never into the repository.
  const config = loadConfig({ SIM_PRICES: 'AAPL=190,MSFT=410', MAX_POSITION_PCT: '1.0', DB_PATH: store.path, ...env });
  let sim: Harness;
  let broker: BrokerInterface;
  let simBroker: SimBroker | null = null;
  let faults: FaultInjector | null = null;
  if (options.alpaca) {
    const served = await serve(options.sim ?? {});
    sim = served;
    faults = served.server.faults;
    broker = new AlpacaBroker({ keyId: KEY, secret: SECRET, paper: true, ...served.urls, timeoutMs: 1000, retryDelayMs: 5, maxRetries: 2 });
  } else {
    sim = harness(options.sim ?? {});
    simBroker = new SimBroker(sim.engine);
    broker = simBroker;
  }
  let monitorRef: Monitor | null = null;
  const app = createApp({
    config,
    broker,
    store,
    sim: simBroker,
    now: () => sim.clock.now(),
    status: async () => monitorRef?.status() ?? {},
    openScratchStore: (path) => openStore(path),
  });
  const stopFollowing = app.engine.followTradeUpdates();
  const errors: unknown[] = [];
  const dispatcher = new Dispatcher(app, await loadCommands(), { error: (details) => errors.push(details) });
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  let flush: () => Promise<unknown> = async () => undefined;
  const console = new ConsoleFrontEnd({ app, dispatcher, input: new PassThrough(), output: out, interactive: false, flushAlerts: () => flush() });
  const alerts = new AlertCenter({
    store,
    sink: options.sink ?? console.alertSink,
    log: { warn: () => undefined, error: (d) => errors.push(d) },
    now: () => sim.clock.now(),
  });
  const monitor = new Monitor({
    app,
    alerts,
    log: { info: () => undefined, warn: () => undefined, error: (d) => errors.push(d) },
    intervalSeconds: 60,
    reportTime: config.monitor.dailyReportTime,
    timezone: config.monitor.timezone,
    now: () => sim.clock.now(),
  });
  monitor.attach();
  monitorRef = monitor;
  flush = () => alerts.flush();
  // Subscribe the console to signals and events as run() would, without reading stdin.
  void console.run();
  const settle = () => app.engine.ledger.serial(async () => undefined);
  return {
    stopFollowing,
    alerts,
    monitor,
    sim,
    broker,
    faults,
    app,
    dispatcher,
    config,
    store,
    errors,
    output: () => text,
    async type(line) {
      const before = text.length;
      await console.handle(line);
      await settle();
      await new Promise((r) => setImmediate(r));
      await alerts.flush();
      await new Promise((r) => setImmediate(r));
      return text.slice(before);
    },
  };
}

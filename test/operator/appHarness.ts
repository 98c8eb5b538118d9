/**
 * The operator over the whole application: a real SQLite file, the paper
 * simulator (in-process) on a fixed clock, the commands loaded from
 * commands/, and the console front end whose output is captured.
 */
import { PassThrough } from 'node:stream';
import { SimBroker } from '../../src/broker/sim/SimBroker.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Store } from '../../src/db/index.js';
import type { AppServices } from '../../src/operator/command.js';
import { createApp } from '../../src/operator/app.js';
import { ConsoleFrontEnd } from '../../src/operator/console/ConsoleFrontEnd.js';
import { Dispatcher } from '../../src/operator/dispatch.js';
import { loadCommands } from '../../src/operator/registry.js';
import { harness, type Harness } from '../sim/engineHarness.js';

export interface OperatorHarness {
  sim: Harness;
  broker: SimBroker;
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

export async function operatorHarness(store: Store, env: Record<string, string> = {}, simOptions: Parameters<typeof harness>[0] = {}): Promise<OperatorHarness> {
  const config = loadConfig({ SIM_PRICES: 'AAPL=190,MSFT=410', MAX_POSITION_PCT: '1.0', ...env });
  const sim = harness(simOptions);
  const broker = new SimBroker(sim.engine);
  const app = createApp({ config, broker, store, sim: broker, now: () => sim.clock.now() });
  app.engine.followTradeUpdates();
  const errors: unknown[] = [];
  const dispatcher = new Dispatcher(app, await loadCommands(), { error: (details) => errors.push(details) });
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const console = new ConsoleFrontEnd({ app, dispatcher, input: new PassThrough(), output: out, interactive: false });
  // Subscribe the console to signals and events as run() would, without reading stdin.
  void console.run();
  const settle = () => app.engine.ledger.serial(async () => undefined);
  return {
    sim,
    broker,
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
      return text.slice(before);
    },
  };
}

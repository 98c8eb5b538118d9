/**
 * Composition root: the only place that chooses adapters and wires them
 * together. Reads `.env` when present, validates the environment, opens and
 * migrates the database, connects the broker.
 */
import { existsSync } from 'node:fs';
import { AlpacaBroker } from './broker/alpaca/AlpacaBroker.js';
import type { BrokerInterface } from './broker/BrokerInterface.js';
import { formatUsd } from './broker/money.js';
import { RealtimeSimDriver } from './broker/sim/driver.js';
import { createSimBroker } from './broker/sim/index.js';
import { type Config, ConfigError, loadConfig, secretValues, tradingMode } from './config.js';
import { openStore, type Store } from './db/index.js';
import { createTradingEngine, sizingFromConfig } from './execution/engine.js';
import { createLogger } from './logger.js';
import { describeReconciliation } from './portfolio/Reconciler.js';

function readConfig(): Config | null {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
    return null;
  }
}

async function main(): Promise<number> {
  const config = readConfig();
  if (!config) return 2;
  const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const store = await openStore(config.dbPath);
  const { broker, caughtUp } = await connectBroker(config, store);
  const engine = createTradingEngine({ broker, store, sizing: sizingFromConfig(config.sizing), risk: config.risk });
  // Before anything trades: what happened while the bot was down is recorded once.
  const reconciliation = await engine.reconciler.reconcile();
  const state = await store.tradingState.get();
  const account = await broker.getAccount();
  const positions = await broker.getPositions();
  logger.info({ db: store.path, broker: broker.name, mode: tradingMode(config), caughtUpMinutes: caughtUp }, 'catalyst-bot started');

  process.stdout.write(
    [
      `catalyst-bot — mode ${tradingMode(config)}, broker ${broker.name}, trading ${state.state}`,
      `database: ${store.path}`,
      `account: equity ${formatUsd(account.equity)}, cash ${formatUsd(account.cash)}, buying power ${formatUsd(account.buyingPower)}, ${positions.length} open position(s)`,
      `reconciliation: ${describeReconciliation(reconciliation)}`,
      'The console and Discord front ends arrive with the operator issue; nothing else to run yet.',
      '',
    ].join('\n'),
  );
  await broker.disconnect();
  await store.close();
  return 0;
}

/** The one place the broker adapter is chosen. */
async function connectBroker(config: Config, store: Store): Promise<{ broker: BrokerInterface; caughtUp: number }> {
  if (config.broker === 'alpaca') {
    const broker = new AlpacaBroker({
      keyId: config.alpaca.keyId ?? '',
      secret: config.alpaca.secretKey ?? '',
      paper: config.alpaca.paper,
      tradingUrl: config.alpaca.tradingUrl,
      dataUrl: config.alpaca.dataUrl,
      streamUrl: config.alpaca.streamUrl,
    });
    await broker.connect();
    return { broker, caughtUp: 0 };
  }
  const broker = createSimBroker(config.sim, store.simState);
  await broker.connect();
  return { broker, caughtUp: await new RealtimeSimDriver(broker).catchUp() };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`catalyst-bot failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

/**
 * Composition root: the only place that chooses adapters and wires them
 * together. Reads `.env` when present, validates the environment, opens and
 * migrates the database, connects the broker.
 */
import { existsSync } from 'node:fs';
import { formatUsd } from './broker/money.js';
import { RealtimeSimDriver } from './broker/sim/driver.js';
import { createSimBroker } from './broker/sim/index.js';
import { type Config, ConfigError, loadConfig, secretValues, tradingMode } from './config.js';
import { openStore } from './db/index.js';
import { createLogger } from './logger.js';

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
  if (config.broker !== 'sim') {
    process.stderr.write('BROKER=alpaca arrives with the Alpaca adapter; use BROKER=sim (the default) for now.\n');
    return 2;
  }

  const store = await openStore(config.dbPath);
  const broker = createSimBroker(config.sim, store.simState);
  await broker.connect();
  const driver = new RealtimeSimDriver(broker);
  const caughtUp = await driver.catchUp();
  const state = await store.tradingState.get();
  const account = await broker.getAccount();
  const positions = await broker.getPositions();
  logger.info({ db: store.path, broker: broker.name, mode: tradingMode(config), caughtUpMinutes: caughtUp }, 'catalyst-bot started');

  process.stdout.write(
    [
      `catalyst-bot — mode ${tradingMode(config)}, broker ${broker.name}, trading ${state.state}`,
      `database: ${store.path}`,
      `paper account: equity ${formatUsd(account.equity)}, cash ${formatUsd(account.cash)}, buying power ${formatUsd(account.buyingPower)}, ${positions.length} open position(s)`,
      'The console and Discord front ends arrive with the operator issue; nothing else to run yet.',
      '',
    ].join('\n'),
  );
  await broker.disconnect();
  await store.close();
  return 0;
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

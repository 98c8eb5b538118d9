/**
 * Composition root: the only place that chooses adapters and wires them
 * together. Reads `.env` when present, validates the environment, opens and
 * migrates the database.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, secretValues, tradingMode } from './config.js';
import { openStore } from './db/index.js';
import { createLogger } from './logger.js';

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');

  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable and its default.\n`);
      return 2;
    }
    throw error;
  }

  const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const store = await openStore(config.dbPath);
  const state = await store.tradingState.get();
  logger.info({ db: store.path, broker: config.broker, mode: tradingMode(config), tradingState: state.state }, 'catalyst-bot started');

  process.stdout.write(
    [
      `catalyst-bot — mode ${tradingMode(config)}, broker ${config.broker}, trading ${state.state}`,
      `database: ${store.path} (schema up to date)`,
      'The broker adapters and front ends arrive with the next issues; nothing else to run yet.',
      '',
    ].join('\n'),
  );
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

/** The application services the front ends hand to every command, assembled once. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { BrokerInterface } from '../domain/ports/broker.js';
import type { MarketDataFeed } from '../domain/ports/marketData.js';
import type { SimBroker } from '../broker/sim/SimBroker.js';
import { type Config, tradingMode } from '../config.js';
import type { Store } from '../domain/ports/store.js';
import { createTradingEngine, sizingFromConfig, type TradingEngine } from '../execution/engine.js';
import { SignalApprovals } from '../signals/SignalApprovals.js';
import { OperatorService, type StatusInfo } from '../app/OperatorService.js';
import type { AppServices } from './command.js';
import { Confirmations } from './confirmations.js';

/**
 * The version in the nearest package.json above this file: the same walk finds
 * it from src/operator under tsx and from dist/src/operator when compiled.
 */
function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const parsed = z.object({ version: z.string() }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
      return parsed.success ? parsed.data.version : 'unknown';
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

export const VERSION: string = readVersion();

export interface AppOptions {
  config: Config;
  broker: BrokerInterface;
  store: Store;
  sim: SimBroker | null;
  now?: () => Date;
  /** The engine, when the caller has built it already. */
  engine?: TradingEngine;
  /** The monitor's view of itself (its last cycle, its schedule); a plain default without a monitor. */
  status?: () => Promise<Partial<StatusInfo>>;
  /** Opens a fresh store at a path (the composition root hands it in): /backtest replays on one; absent, /backtest is refused. */
  openScratchStore?: (path: string) => Promise<Store>;
  /** The broker's market-data stream (absent: prices come from polling only). */
  marketData?: MarketDataFeed;
}

export function createApp(options: AppOptions): AppServices {
  const { config, broker, store, sim } = options;
  const now = options.now ?? (() => new Date());
  const engine =
    options.engine ??
    createTradingEngine({
      broker,
      store,
      sizing: sizingFromConfig(config.sizing),
      risk: config.risk,
      now,
      ...(options.marketData ? { marketData: options.marketData } : {}),
    });
  const live = engine.live;
  const approvals = new SignalApprovals({
    store,
    executor: engine.executor,
    broker,
    ttlMinutes: config.signals.ttlMinutes,
    maxEntryDriftPct: config.signals.maxEntryDriftPct,
    autoApprove: { minConfidence: config.signals.autoApproveMinConfidence, strategies: config.signals.autoApproveStrategies },
    now,
    ...(live ? { streamedPrice: (ticker: string) => live.freshPrice(ticker) } : {}),
  });
  // A signal arriving or decided changes what the market-data stream must follow.
  if (live) approvals.on(() => live.resync());
  const startedAt = now();
  const mode = tradingMode(config);
  const status = async (): Promise<StatusInfo> => {
    const extra = (await options.status?.()) ?? {};
    return {
      version: VERSION,
      startedAt,
      stream: sim ? 'in-process (simulator)' : 'unknown',
      lastCycle: null,
      nextCycle: null,
      nextReport: null,
      alertsPending: await store.alerts.countUnposted(),
      ...extra,
    };
  };
  const openScratchStore = options.openScratchStore;
  const backtest = openScratchStore ? { sizing: config.sizing, risk: config.risk, openScratchStore } : undefined;
  const operator = new OperatorService({
    mode,
    sizingMethod: config.sizing.method,
    broker,
    store,
    engine,
    approvals,
    sim,
    now,
    status,
    ...(backtest ? { backtest } : {}),
  });
  return {
    operator,
    config,
    mode,
    broker,
    store,
    engine,
    approvals,
    confirmations: new Confirmations(now),
    sim,
    now,
    status,
  };
}

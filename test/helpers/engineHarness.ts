/**
 * The trading engine over the paper simulator (in-process) and a real SQLite
 * file: every scenario test starts here. The simulator's clock is the
 * engine's clock, so hold times and statistics are exact.
 */
import { dec, type Decimal } from '../../src/domain/money.js';
import { SimBroker } from '../../src/broker/sim/SimBroker.js';
import type { Store } from '../../src/db/index.js';
import { createTradingEngine, type TradingEngine } from '../../src/execution/engine.js';
import type { TradingEvent } from '../../src/domain/events.js';
import type { PositionSizingConfig } from '../../src/execution/sizing.js';
import { toSignal, type TradingSignal } from '../../src/domain/signal.js';
import type { Config } from '../../src/config.js';
import { type Harness, harness } from '../broker/sim/engineHarness.js';

export interface EngineHarness {
  sim: Harness;
  broker: SimBroker;
  store: Store;
  engine: TradingEngine;
  events: TradingEvent[];
  /** Waits until every trade update received so far is recorded. */
  settle(): Promise<void>;
  /** Sets a price in the simulator and waits for the fills it caused to be recorded. */
  price(ticker: string, price: string): Promise<void>;
  /** Another engine on the same broker and file: the bot after a restart. */
  restart(): EngineHarness;
  stopFollowing(): void;
}

export const DEFAULT_SIZING: PositionSizingConfig = {
  method: 'risk',
  maxPositionSizePct: dec('1.0'),
  riskPerTradePct: dec('0.02'),
  kellyFraction: dec('0.5'),
};

export const DEFAULT_RISK: Config['risk'] = {
  maxOpenPositions: 10,
  maxExposurePct: dec('2.0'),
  maxDailyLossPct: dec('0.03'),
  maxDrawdownPct: dec('0.10'),
  // No REDUCING step unless a test asks for one: the halt tests measure the halt alone.
  reduceAtDailyLossPct: null,
};

export type EngineHarnessOptions = Parameters<typeof harness>[0] & {
  sizing?: Partial<PositionSizingConfig>;
  risk?: Partial<Config['risk']>;
};

export function engineHarness(store: Store, options: EngineHarnessOptions = {}): EngineHarness {
  const sim = harness(options);
  const broker = new SimBroker(sim.engine);
  return wire(sim, broker, store, options);
}

function wire(sim: Harness, broker: SimBroker, store: Store, options: EngineHarnessOptions): EngineHarness {
  const engine = createTradingEngine({
    broker,
    store,
    sizing: { ...DEFAULT_SIZING, ...options.sizing },
    risk: { ...DEFAULT_RISK, ...options.risk },
    now: () => sim.clock.now(),
  });
  const events: TradingEvent[] = [];
  engine.events.on((e) => events.push(e));
  const errors: unknown[] = [];
  const stopFollowing = engine.followTradeUpdates((e) => errors.push(e));
  const settle = async () => {
    await engine.ledger.serial(async () => undefined);
    if (errors.length > 0) throw errors[0];
  };
  return {
    sim,
    broker,
    store,
    engine,
    events,
    settle,
    async price(ticker, price) {
      await broker.setPrice(ticker, dec(price));
      await settle();
    },
    restart() {
      stopFollowing();
      return wire(sim, broker, store, options);
    },
    stopFollowing,
  };
}

export function signal(overrides: Record<string, unknown> = {}): TradingSignal {
  return toSignal({
    signal_id: 'sig-1',
    ticker: 'AAPL',
    timestamp: '2026-03-02T15:00:00Z',
    action: 'buy',
    confidence: 0.7,
    current_price: '190',
    stop_loss_price: '185',
    take_profit_price: '200',
    strategy: 'catalyst',
    ...overrides,
  });
}

export const usd = (d: Decimal | null | undefined): string | undefined => d?.toFixed(2);

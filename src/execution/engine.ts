/**
 * The trading engine assembled over one broker and one store: what main.ts,
 * the front ends, the monitor, the example and the tests all use.
 */
import type { BrokerInterface } from '../domain/ports/broker.js';
import type { Decimal } from '../domain/money.js';
import { type LedgerLog, OrderLedger, type LedgerStore } from '../portfolio/OrderLedger.js';
import { PositionManager } from '../portfolio/PositionManager.js';
import { Reconciler } from '../portfolio/Reconciler.js';
import { RiskManager } from '../risk/RiskManager.js';
import { TradingEvents } from '../domain/events.js';
import { OrderExecutor } from './OrderExecutor.js';
import type { PositionSizingConfig } from './sizing.js';
import type { SubmitRetry } from '../domain/submitOnce.js';

export interface TradingEngine {
  events: TradingEvents;
  ledger: OrderLedger;
  risk: RiskManager;
  executor: OrderExecutor;
  manager: PositionManager;
  reconciler: Reconciler;
  /** Feeds the broker's trade updates into the ledger (fills recorded as they happen). Returns the unsubscribe. */
  followTradeUpdates(onError?: (error: unknown) => void): () => void;
}

/** The portfolio-wide risk limits (the configuration's `risk` section has this shape). */
export interface RiskLimitSettings {
  maxOpenPositions: number;
  maxExposurePct: Decimal;
  maxDailyLossPct: Decimal;
  maxDrawdownPct: Decimal;
}

/** Sizing as configured (the configuration's `sizing` section has this shape). */
export interface SizingSettings {
  method: PositionSizingConfig['method'];
  maxPositionPct: Decimal;
  riskPerTradePct: Decimal;
  kellyFraction: Decimal;
}

export interface TradingEngineOptions {
  broker: BrokerInterface;
  store: LedgerStore;
  sizing: PositionSizingConfig;
  risk: RiskLimitSettings;
  submitRetry?: SubmitRetry;
  now?: () => Date;
  /** Where broker updates the order state machine refuses are reported. */
  log?: LedgerLog;
}

export function sizingFromConfig(config: SizingSettings): PositionSizingConfig {
  return {
    method: config.method,
    maxPositionSizePct: config.maxPositionPct,
    riskPerTradePct: config.riskPerTradePct,
    kellyFraction: config.kellyFraction,
  };
}

export function createTradingEngine(options: TradingEngineOptions): TradingEngine {
  const { broker, store, now } = options;
  const events = new TradingEvents();
  const ledger = new OrderLedger(store, events, options.log ? { log: options.log } : {});
  const risk = new RiskManager({
    broker,
    store,
    pendingEntries: () => ledger.pendingEntries(),
    events,
    limits: {
      maxOpenPositions: options.risk.maxOpenPositions,
      maxPositionPct: options.sizing.maxPositionSizePct,
      maxExposurePct: options.risk.maxExposurePct,
      maxDailyLossPct: options.risk.maxDailyLossPct,
      maxDrawdownPct: options.risk.maxDrawdownPct,
    },
    ...(now ? { now } : {}),
  });
  const executor = new OrderExecutor({
    broker,
    store,
    ledger,
    risk,
    sizing: options.sizing,
    ...(options.submitRetry ? { submitRetry: options.submitRetry } : {}),
    ...(now ? { now } : {}),
  });
  const manager = new PositionManager({ broker, store, ledger, ...(now ? { now } : {}) });
  const reconciler = new Reconciler({ broker, store, ledger, executor, ...(now ? { now } : {}) });
  return {
    events,
    ledger,
    risk,
    executor,
    manager,
    reconciler,
    followTradeUpdates(onError) {
      return broker.onTradeUpdate((update) => {
        // A fill event's own quantity and price: the exact price of those shares.
        const { qty, price } = update;
        const filled = update.event === 'fill' || update.event === 'partial_fill';
        const fill = filled && qty !== null && price !== null ? { orderId: update.order.id, qty, price } : undefined;
        ledger.apply(update.order, undefined, fill).catch((error: unknown) => onError?.(error));
      });
    },
  };
}

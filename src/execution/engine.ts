/**
 * The trading engine assembled over one broker and one store: what main.ts,
 * the front ends, the monitor, the example and the tests all use.
 */
import type { BrokerInterface } from '../domain/ports/broker.js';
import type { Decimal } from '../domain/money.js';
import { type LedgerLog, OrderLedger, type LedgerStore } from '../portfolio/OrderLedger.js';
import { PositionManager } from '../portfolio/PositionManager.js';
import { LiveMarks } from '../portfolio/LiveMarks.js';
import type { MarketDataFeed } from '../domain/ports/marketData.js';
import { Reconciler } from '../portfolio/Reconciler.js';
import { RiskManager } from '../risk/RiskManager.js';
import { TradingEvents } from '../domain/events.js';
import { OrderExecutor } from './OrderExecutor.js';
import type { PositionSizingConfig } from './sizing.js';
import { CalibrationBook } from './calibration/book.js';
import type { SubmitRetry } from '../domain/submitOnce.js';

export interface TradingEngine {
  events: TradingEvents;
  ledger: OrderLedger;
  risk: RiskManager;
  executor: OrderExecutor;
  manager: PositionManager;
  reconciler: Reconciler;
  /** Each strategy's confidence calibrated on its closed trades (calibrated_kelly sizes on it). */
  calibration: CalibrationBook;
  /** Feeds the broker's trade updates into the ledger (fills recorded as they happen). Returns the unsubscribe. */
  followTradeUpdates(onError?: (error: unknown) => void): () => void;
  /** Marks and guarded stops from the market-data stream, when the broker has one (started by the composition root). */
  live?: LiveMarks;
}

/** The portfolio-wide risk limits (the configuration's `risk` section has this shape). */
export interface RiskLimitSettings {
  maxOpenPositions: number;
  maxExposurePct: Decimal;
  maxDailyLossPct: Decimal;
  maxDrawdownPct: Decimal;
  /** The daily loss that moves ACTIVE to REDUCING before the halt; null or absent: no such step. */
  reduceAtDailyLossPct?: Decimal | null;
}

/** Sizing as configured (the configuration's `sizing` section has this shape). */
export interface SizingSettings {
  method: PositionSizingConfig['method'];
  maxPositionPct: Decimal;
  riskPerTradePct: Decimal;
  kellyFraction: Decimal;
  /** CALIBRATION_MIN_TRADES (default 30). */
  calibrationMinTrades?: number;
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
  /** The broker's market-data stream: streamed trades mark positions and fire the stops no broker leg holds. */
  marketData?: MarketDataFeed;
}

export function sizingFromConfig(config: SizingSettings): PositionSizingConfig {
  return {
    method: config.method,
    maxPositionSizePct: config.maxPositionPct,
    riskPerTradePct: config.riskPerTradePct,
    kellyFraction: config.kellyFraction,
    ...(config.calibrationMinTrades === undefined ? {} : { calibrationMinTrades: config.calibrationMinTrades }),
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
      reduceAtDailyLossPct: options.risk.reduceAtDailyLossPct ?? null,
    },
    ...(now ? { now } : {}),
  });
  // Read only when calibrated_kelly sizes a signal; a closed trade marks its strategy for a catch-up read.
  const calibration = new CalibrationBook(store.closedPositions, options.sizing.calibrationMinTrades);
  events.on((event) => {
    if (event.kind === 'position_closed') calibration.invalidate(event.closed.strategy, event.closed.closedAt);
  });
  const executor = new OrderExecutor({
    broker,
    store,
    ledger,
    risk,
    sizing: options.sizing,
    calibration,
    ...(options.submitRetry ? { submitRetry: options.submitRetry } : {}),
    ...(now ? { now } : {}),
  });
  const manager = new PositionManager({ broker, store, ledger, events, ...(now ? { now } : {}) });
  const reconciler = new Reconciler({ broker, store, ledger, executor, ...(now ? { now } : {}) });
  const live = options.marketData ? new LiveMarks({ feed: options.marketData, manager, store, ledger, events }) : undefined;
  return {
    ...(live ? { live } : {}),
    events,
    ledger,
    risk,
    executor,
    manager,
    reconciler,
    calibration,
    followTradeUpdates(onError) {
      return broker.onTradeUpdate((update) => {
        // A fill event's own quantity and price: the exact price of those shares.
        const { qty, price } = update;
        const filled = update.event === 'fill' || update.event === 'partial_fill';
        const fill = filled && qty !== null && price !== null ? { orderId: update.order.id, qty, price } : undefined;
        const applied = ledger.apply(update.order, undefined, fill);
        applied.catch((error: unknown) => onError?.(error));
        // A new working order may be in a ticker the market-data stream does not follow yet.
        const placed = update.event === 'new' || update.event === 'accepted';
        if (live && placed) applied.then(() => live.resync()).catch(() => undefined);
      });
    },
  };
}

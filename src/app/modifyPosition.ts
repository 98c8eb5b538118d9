/**
 * Moving an open position's stop and/or target. A level whose bracket leg
 * is working at the broker is moved there (the broker replaces the order,
 * which gets a new id); a level with no working leg is kept by the bot only,
 * and the monitor's own stop and target checks close the position when the
 * price crosses it. The stored position then carries the new levels and leg
 * ids, and the audit log says who moved what.
 */
import { TERMINAL_STATUSES } from '../domain/enums.js';
import { type Decimal, formatUsd } from '../domain/money.js';
import type { Order } from '../domain/order.js';
import type { BrokerInterface } from '../domain/ports/broker.js';
import type { OrderContext, PositionRecord } from '../domain/records.js';
import type { Repositories } from '../domain/ports/store.js';
import type { TradingEvent } from '../domain/events.js';
import { OperatorError } from './errors.js';

export interface PositionChanges {
  stopLoss?: Decimal;
  takeProfit?: Decimal;
}

export type ExitLeg = 'stop_loss' | 'take_profit';

export interface LevelChange {
  previous: Decimal | null;
  current: Decimal | null;
}

/** A bracket leg the broker replaced: the old order is gone, the new one works at `price`. */
export interface ReplacedLeg {
  leg: ExitLeg;
  previousOrderId: string;
  orderId: string;
  price: Decimal;
}

export interface ModifyResult {
  ticker: string;
  side: PositionRecord['side'];
  /** The last trade price the new levels were checked against. */
  last: Decimal;
  stopLoss: LevelChange;
  takeProfit: LevelChange;
  replaced: ReplacedLeg[];
  /** Levels changed with no working leg at the broker: the monitor enforces them. */
  monitored: ExitLeg[];
}

export interface ModifyDeps {
  broker: BrokerInterface;
  store: Pick<Repositories, 'positions' | 'orders' | 'audit'>;
  /** The order ledger: records the replacing leg, and runs the position write between its own writes. */
  ledger: { apply(order: Order, context?: OrderContext): Promise<unknown>; serial<T>(fn: () => Promise<T>): Promise<T> };
  now: () => Date;
  /** Told of the move once it is recorded (the channel alert). */
  events?: { emit(event: TradingEvent): void };
}

export interface ModifyActor {
  id: string;
  name: string;
}

export async function modifyPosition(deps: ModifyDeps, rawTicker: string, changes: PositionChanges, by: ModifyActor): Promise<ModifyResult> {
  const ticker = rawTicker.trim().toUpperCase();
  if (changes.stopLoss === undefined && changes.takeProfit === undefined) {
    throw new OperatorError('Nothing to change: give stop_loss, take_profit or both.');
  }
  const position = await deps.store.positions.getByTicker(ticker);
  if (!position) throw new OperatorError(`No open position in ${ticker}.`);
  const last = (await deps.broker.getLatestPrices([ticker])).get(ticker) ?? position.currentPrice;
  checkLevels(position.side, last, changes);

  const replaced: ReplacedLeg[] = [];
  const monitored: ExitLeg[] = [];
  const wanted: [ExitLeg, Decimal | undefined][] = [
    ['stop_loss', changes.stopLoss],
    ['take_profit', changes.takeProfit],
  ];
  let failure: unknown = null;
  for (const [leg, price] of wanted) {
    if (price === undefined) continue;
    try {
      const moved = await moveLeg(deps, position, leg, price);
      if (moved) replaced.push(moved);
      else monitored.push(leg);
    } catch (error) {
      // A leg already moved stays recorded below; the operator sees why the rest was not.
      failure = error;
      break;
    }
  }
  const movedStop = replaced.find((r) => r.leg === 'stop_loss');
  const movedTarget = replaced.find((r) => r.leg === 'take_profit');
  const keepStop = monitored.includes('stop_loss') || movedStop !== undefined;
  const keepTarget = monitored.includes('take_profit') || movedTarget !== undefined;
  const result: ModifyResult = {
    ticker,
    side: position.side,
    last,
    stopLoss: { previous: position.stopLossPrice, current: keepStop ? (changes.stopLoss ?? null) : position.stopLossPrice },
    takeProfit: { previous: position.takeProfitPrice, current: keepTarget ? (changes.takeProfit ?? null) : position.takeProfitPrice },
    replaced,
    monitored,
  };
  if (keepStop || keepTarget) {
    await deps.ledger.serial(async () => {
      // Read again: fills may have changed the position while the legs were replaced.
      const current = await deps.store.positions.get(position.positionId);
      if (!current) return;
      await deps.store.positions.update({
        ...current,
        stopLossPrice: keepStop ? result.stopLoss.current : current.stopLossPrice,
        takeProfitPrice: keepTarget ? result.takeProfit.current : current.takeProfitPrice,
        stopLossOrderId: movedStop?.orderId ?? current.stopLossOrderId,
        takeProfitOrderId: movedTarget?.orderId ?? current.takeProfitOrderId,
        updatedAt: deps.now(),
      });
    });
  }
  await deps.store.audit.record({
    at: deps.now(),
    actor: by.id,
    actorName: by.name,
    action: 'modify',
    target: ticker,
    outcome: failure === null ? 'ok' : 'error',
    details: {
      stopLoss: levelDetails(result.stopLoss),
      takeProfit: levelDetails(result.takeProfit),
      replaced: replaced.map((r) => ({ leg: r.leg, from: r.previousOrderId, to: r.orderId, price: r.price.toFixed() })),
      monitored,
      ...(failure === null ? {} : { error: failure instanceof Error ? failure.message : String(failure) }),
    },
  });
  if (failure !== null) throw failure;
  deps.events?.emit({
    kind: 'position_modified',
    ticker,
    side: result.side,
    by: by.name,
    stopLoss: result.stopLoss,
    takeProfit: result.takeProfit,
    replacedLegs: replaced.length,
    monitored,
    at: deps.now(),
  });
  return result;
}

/** Long: stop below the last price, target above it; short: the other way round. */
function checkLevels(side: PositionRecord['side'], last: Decimal, { stopLoss, takeProfit }: PositionChanges): void {
  const long = side === 'long';
  if (stopLoss !== undefined && (stopLoss.lte(0) || (long ? stopLoss.gte(last) : stopLoss.lte(last)))) {
    throw new OperatorError(
      `stop_loss ${formatUsd(stopLoss)} is on the wrong side: a ${side} position needs its stop ${long ? 'below' : 'above'} the last price ${formatUsd(last)}.`,
    );
  }
  if (takeProfit !== undefined && (takeProfit.lte(0) || (long ? takeProfit.lte(last) : takeProfit.gte(last)))) {
    throw new OperatorError(
      `take_profit ${formatUsd(takeProfit)} is on the wrong side: a ${side} position needs its target ${long ? 'above' : 'below'} the last price ${formatUsd(last)}.`,
    );
  }
}

/** Replaces the position's working leg for `leg` at `price`; null when no leg of it works at the broker. */
async function moveLeg(deps: ModifyDeps, position: PositionRecord, leg: ExitLeg, price: Decimal): Promise<ReplacedLeg | null> {
  const legId = leg === 'stop_loss' ? position.stopLossOrderId : position.takeProfitOrderId;
  const record = legId === null ? null : await deps.store.orders.get(legId);
  if (legId === null || record === null || TERMINAL_STATUSES.has(record.status)) return null;
  const next = await deps.broker.replaceOrder(legId, leg === 'stop_loss' ? { stopPrice: price } : { limitPrice: price });
  // Recorded now (the trade stream reports it too; the ledger counts it once) so the position's leg is known at once.
  await deps.ledger.apply(next, { signalId: position.signalId, strategy: position.strategy, leg });
  return { leg, previousOrderId: legId, orderId: next.id, price };
}

function levelDetails(change: LevelChange): { from: string | null; to: string | null } {
  return { from: change.previous?.toFixed() ?? null, to: change.current?.toFixed() ?? null };
}

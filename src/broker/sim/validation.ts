/**
 * Order checks that mirror Alpaca's, with its status codes and messages, so
 * the product meets the same refusals on the simulator as at the broker.
 */
import type { Decimal } from '../../domain/money.js';
import { AlpacaCode, type OrderRequest, type ReplaceRequest, SimDuplicateClientOrderId, SimRejection } from './api.js';

const unprocessable = (message: string) => new SimRejection(422, AlpacaCode.Unprocessable, message);

/** More than 2 decimals at or above $1, more than 4 below: Alpaca refuses sub-penny prices. */
export function checkIncrement(field: string, price: Decimal | null | undefined): void {
  if (price === null || price === undefined) return;
  if (price.lte(0)) throw unprocessable(`${field} must be > 0`);
  const allowed = price.gte(1) ? 2 : 4;
  if (price.decimalPlaces() > allowed) {
    throw unprocessable(`invalid ${field} ${price.toFixed()}. sub-penny increment does not fulfill minimum pricing criteria`);
  }
}

/** A PATCH's new values, checked as Alpaca checks them against the order they change. */
export function validateReplace(order: { type: string; filledQty: Decimal }, patch: ReplaceRequest): void {
  if (patch.qty !== undefined) {
    if (!patch.qty.isFinite() || patch.qty.lte(0)) throw unprocessable('qty must be > 0');
    if (!patch.qty.isInteger()) throw unprocessable('qty must be a whole number of shares');
    if (patch.qty.lte(order.filledQty)) throw unprocessable('qty must be greater than the filled qty');
  }
  if (patch.limitPrice !== undefined && order.type !== 'limit' && order.type !== 'stop_limit') {
    throw unprocessable(`limit_price cannot be set on a ${order.type} order`);
  }
  if (patch.stopPrice !== undefined && order.type !== 'stop' && order.type !== 'stop_limit') {
    throw unprocessable(`stop_price cannot be set on a ${order.type} order`);
  }
  if (patch.trail !== undefined && order.type !== 'trailing_stop') throw unprocessable(`trail cannot be set on a ${order.type} order`);
  checkIncrement('limit_price', patch.limitPrice);
  checkIncrement('stop_price', patch.stopPrice);
  if (patch.trail !== undefined && patch.trail.lte(0)) throw unprocessable('trail must be > 0');
  if ((patch.clientOrderId ?? '').length > 128) throw unprocessable('client_order_id must be no more than 128 characters');
}

export interface ValidationContext {
  knownSymbol: boolean;
  /** The last trade, the base price of a bracket's legs. */
  lastPrice: Decimal | null;
  clientOrderIdTaken: boolean;
}

export function validateOrder(req: OrderRequest, ctx: ValidationContext): void {
  if (!ctx.knownSymbol) throw unprocessable(`asset "${req.symbol}" not found`);
  if (!req.qty.isFinite() || req.qty.lte(0)) throw unprocessable('qty must be > 0');
  if (ctx.clientOrderIdTaken) throw new SimDuplicateClientOrderId();
  if ((req.clientOrderId ?? '').length > 128) throw unprocessable('client_order_id must be no more than 128 characters');
  if (req.timeInForce === 'opg' || req.timeInForce === 'cls') {
    throw unprocessable(`time_in_force ${req.timeInForce} is not supported by the simulator`);
  }

  const orderClass = req.orderClass ?? 'simple';
  // An OCO's limit is its take-profit leg's price.
  const needsLimit = (req.type === 'limit' || req.type === 'stop_limit') && orderClass !== 'oco';
  const needsStop = req.type === 'stop' || req.type === 'stop_limit';
  if (needsLimit && !req.limitPrice) throw unprocessable('limit_price is required');
  if (needsStop && !req.stopPrice) throw unprocessable('stop_price is required');
  if (req.type === 'trailing_stop') {
    const given = [req.trailPrice, req.trailPercent].filter((v): v is Decimal => v !== null && v !== undefined);
    const [trail] = given;
    if (trail === undefined || given.length !== 1) throw unprocessable('exactly one of trail_price and trail_percent is required');
    if (trail.lte(0)) throw unprocessable('trail must be > 0');
  }
  checkIncrement('limit_price', needsLimit ? req.limitPrice : null);
  checkIncrement('stop_price', needsStop ? req.stopPrice : null);
  checkIncrement('trail_price', req.trailPrice);

  if (orderClass !== 'simple' && !req.qty.isInteger()) throw unprocessable('fractional orders must be simple orders');
  if (orderClass === 'simple') return;

  checkIncrement('take_profit.limit_price', req.takeProfit?.limitPrice);
  checkIncrement('stop_loss.stop_price', req.stopLoss?.stopPrice);
  checkIncrement('stop_loss.limit_price', req.stopLoss?.limitPrice);
  const tp = req.takeProfit?.limitPrice ?? null;
  const sl = req.stopLoss?.stopPrice ?? null;
  if (orderClass === 'bracket' && (!tp || !sl)) throw unprocessable('bracket orders must have both take_profit and stop_loss');
  if (orderClass === 'oco' && (!tp || !sl)) throw unprocessable('oco orders must have both take_profit and stop_loss');
  if (orderClass === 'oto' && !tp === !sl) throw unprocessable('oto orders must have exactly one of take_profit and stop_loss');
  if (orderClass === 'bracket' && req.type !== 'market' && req.type !== 'limit') {
    throw unprocessable('bracket orders must be market or limit orders');
  }
  if (orderClass === 'bracket' && req.timeInForce !== 'day' && req.timeInForce !== 'gtc') {
    throw unprocessable('bracket orders must be day or gtc');
  }

  // The legs must sit on the right side of the entry: protecting a long the
  // target is above and the stop below; mirrored for a short. An OCO is
  // itself the exit, so a sell OCO protects a long.
  const base = orderClass === 'oco' ? null : ((req.type === 'limit' ? req.limitPrice : ctx.lastPrice) ?? null);
  const buy = orderClass === 'oco' ? req.side === 'sell' : req.side === 'buy';
  if (tp && sl && (buy ? !tp.gt(sl) : !tp.lt(sl))) {
    throw unprocessable(`take_profit.limit_price must be ${buy ? '>' : '<'} stop_loss.stop_price`);
  }
  if (base && tp && (buy ? tp.lt(base.plus('0.01')) : tp.gt(base.minus('0.01')))) {
    throw unprocessable(`take_profit.limit_price must be ${buy ? '>=' : '<='} base_price ${buy ? '+' : '-'} 0.01`);
  }
  if (base && sl && (buy ? sl.gt(base.minus('0.01')) : sl.lt(base.plus('0.01')))) {
    throw unprocessable(`stop_loss.stop_price must be ${buy ? '<=' : '>='} base_price ${buy ? '-' : '+'} 0.01`);
  }
}

/**
 * How the backtester turns orders into fills on OHLC bars: pure functions,
 * no clock, no store. A bar says only where a price opened, how far it went
 * each way and where it closed, never the path between; every rule below
 * picks the reading that is worst for the trader when the bar cannot tell.
 * docs/backtesting.md states these same rules with a worked example.
 */
import type { OrderSide, PositionSide } from '../../domain/enums.js';
import { Decimal, ONE, ZERO } from '../../domain/money.js';
import type { Bar } from '../bar.js';

/** What trading costs: adverse slippage of orders that execute as market orders, and a commission per share. */
export interface FillCosts {
  /** Basis points against the trader on market and triggered stop fills (10 = 0.1%). */
  slippageBps: Decimal;
  /** Charged on every fill, entry and exit alike: quantity × this, unrounded. */
  commissionPerShare: Decimal;
}

export const NO_COSTS: FillCosts = { slippageBps: ZERO, commissionPerShare: ZERO };

export interface MarketOrder {
  kind: 'market';
  side: OrderSide;
  quantity: Decimal;
}
export interface LimitOrder {
  kind: 'limit';
  side: OrderSide;
  quantity: Decimal;
  limitPrice: Decimal;
}
export interface StopOrder {
  kind: 'stop';
  side: OrderSide;
  quantity: Decimal;
  stopPrice: Decimal;
}
export type BarOrder = MarketOrder | LimitOrder | StopOrder;

/**
 * Why a fill happened: a bracket's or a position's `entry`, `stop_loss` or
 * `take_profit`; a standalone order's `entry` (market), `limit` or `stop`.
 */
export type FillReason = 'entry' | 'stop_loss' | 'take_profit' | 'limit' | 'stop';

export interface Fill {
  side: OrderSide;
  price: Decimal;
  quantity: Decimal;
  /** quantity × commissionPerShare. */
  commission: Decimal;
  /** The timestamp of the bar the fill happened in (the finer bar's when finer bars decided it). */
  barTimestamp: Date;
  reason: FillReason;
}

/** One exit leg of a position: its trigger price and how many shares it sells (default: all that is left). */
export interface ExitLeg {
  price: Decimal;
  quantity?: Decimal;
}

/** An open position as far as its exits are concerned. */
export interface PositionExits {
  side: PositionSide;
  quantity: Decimal;
  stopLoss: ExitLeg | null;
  takeProfit: ExitLeg | null;
}

/** An entry order with a protective stop and a profit target for the whole position. */
export interface Bracket {
  entry: BarOrder;
  stopLoss: Decimal;
  takeProfit: Decimal;
}

export interface BracketResult {
  entry: Fill | null;
  /** In the order they happened; empty while the position is still open at the last bar. */
  exits: Fill[];
}

/** Finer bars (e.g. minute bars) covering one coarse bar, oldest first; undefined when there are none. */
export type FinerBars = (bar: Bar) => readonly Bar[] | undefined;

const BPS = new Decimal(10_000);

/**
 * A price moved against the trader by `bps` basis points: a buy pays more, a
 * sell receives less. The result is rounded half-up to the tick the
 * simulator and Alpaca use (cents at $1 and above, 1/100 of a cent below), so
 * a backtest fill is a price an order could actually print at; with no
 * slippage the price is returned as given.
 */
export function slipped(price: Decimal, side: OrderSide, bps: Decimal): Decimal {
  if (bps.isZero()) return price;
  const factor = side === 'buy' ? ONE.plus(bps.div(BPS)) : ONE.minus(bps.div(BPS));
  return roundToTick(price.times(factor));
}

/** Half-up to 2 decimals at $1 and above, 4 below; never below the smallest tick. */
export function roundToTick(price: Decimal): Decimal {
  const rounded = price.toDecimalPlaces(price.lt(1) ? 4 : 2, Decimal.ROUND_HALF_UP);
  return rounded.gt(0) ? rounded : new Decimal('0.0001');
}

/** Where a fill happened on its bar: at the open (so the whole bar's range came after it) or later. */
interface Placed {
  fill: Fill;
  atOpen: boolean;
}

function makeFill(side: OrderSide, price: Decimal, quantity: Decimal, bar: Bar, reason: FillReason, costs: FillCosts): Fill {
  return { side, price, quantity, commission: quantity.times(costs.commissionPerShare), barTimestamp: bar.timestamp, reason };
}

/**
 * Where a limit order fills on a bar, or null. A buy fills when the low
 * reaches the limit, at the open when the bar opened at or below it (the
 * better price), else at the limit; a sell mirrors that on the high. No
 * slippage: a limit order never fills worse than its limit.
 */
function limitPrice(side: OrderSide, limit: Decimal, bar: Bar): { price: Decimal; atOpen: boolean } | null {
  if (side === 'buy') {
    if (bar.low.gt(limit)) return null;
    return bar.open.lte(limit) ? { price: bar.open, atOpen: true } : { price: limit, atOpen: false };
  }
  if (bar.high.lt(limit)) return null;
  return bar.open.gte(limit) ? { price: bar.open, atOpen: true } : { price: limit, atOpen: false };
}

/**
 * Where a stop order triggers on a bar, before slippage, or null. A sell stop
 * triggers when the low reaches the stop and fills at the stop, or at the
 * open when the bar gapped through it (the worse price); a buy stop mirrors
 * that on the high.
 */
function stopPrice(side: OrderSide, stop: Decimal, bar: Bar): { price: Decimal; atOpen: boolean } | null {
  if (side === 'sell') {
    if (bar.low.gt(stop)) return null;
    return bar.open.lte(stop) ? { price: bar.open, atOpen: true } : { price: stop, atOpen: false };
  }
  if (bar.high.lt(stop)) return null;
  return bar.open.gte(stop) ? { price: bar.open, atOpen: true } : { price: stop, atOpen: false };
}

function placeOnBar(order: BarOrder, bar: Bar, costs: FillCosts, reason: FillReason | undefined): Placed | null {
  checkQuantity(order.quantity);
  switch (order.kind) {
    case 'market':
      return { fill: makeFill(order.side, slipped(bar.open, order.side, costs.slippageBps), order.quantity, bar, reason ?? 'entry', costs), atOpen: true };
    case 'limit': {
      const at = limitPrice(order.side, order.limitPrice, bar);
      return at && { fill: makeFill(order.side, at.price, order.quantity, bar, reason ?? 'limit', costs), atOpen: at.atOpen };
    }
    case 'stop': {
      const at = stopPrice(order.side, order.stopPrice, bar);
      return (
        at && { fill: makeFill(order.side, slipped(at.price, order.side, costs.slippageBps), order.quantity, bar, reason ?? 'stop', costs), atOpen: at.atOpen }
      );
    }
  }
}

/**
 * The fill of one order on one bar, or null when the bar does not reach it.
 * A market order always fills, at the open plus slippage. `reason` defaults
 * to the order's kind (`entry` for a market order).
 */
export function fillOnBar(order: BarOrder, bar: Bar, costs: FillCosts, reason?: FillReason): Fill | null {
  return placeOnBar(order, bar, costs, reason)?.fill ?? null;
}

/**
 * The index of the first bar strictly after `time` (bars oldest first), or
 * `bars.length`. A bar is stamped with its opening time, so a bar stamped
 * exactly at `time` is not after it: its close may be what produced the
 * signal.
 */
export function firstBarAfter(bars: readonly Bar[], time: Date): number {
  let lo = 0;
  let hi = bars.length;
  const t = time.getTime();
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bars[mid] as Bar).timestamp.getTime() <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The fill of an order placed at `signalTime`: on the first bar after it for
 * a market order, on the first bar after it that reaches the price for a
 * limit or stop (a working order, never cancelled here). Null when no bar
 * does. Bars are one symbol's, oldest first.
 */
export function fillAfter(order: BarOrder, bars: readonly Bar[], signalTime: Date, costs: FillCosts): Fill | null {
  checkOrdered(bars);
  for (let i = firstBarAfter(bars, signalTime); i < bars.length; i++) {
    const fill = fillOnBar(order, bars[i] as Bar, costs);
    if (fill) return fill;
  }
  return null;
}

/** The side of the orders that close a position. */
export function exitSide(side: PositionSide): OrderSide {
  return side === 'long' ? 'sell' : 'buy';
}

/**
 * The exits a bar triggers on a position, in the order they happened, each
 * for its leg's quantity capped by what is left. The position itself is not
 * changed; `positionAfter` carries it on past these fills.
 *
 * Without finer bars: a leg the bar opened through fills first, at the open
 * (a stop at the open plus slippage, a target at the open, the better
 * price). Otherwise, when the bar reached both, the stop counts first
 * (pessimistic) and the target takes what the stop left. With finer bars
 * covering this bar, they are applied one by one in their order instead, so
 * the one price actually reached first wins.
 */
export function positionExitOnBar(position: PositionExits, bar: Bar, costs: FillCosts, finerBars?: readonly Bar[]): Fill[] {
  if (finerBars && finerBars.length > 0) {
    checkOrdered(finerBars);
    const fills: Fill[] = [];
    let left = position;
    for (const fine of finerBars) {
      const here = exitsOnOneBar(left, fine, costs, true);
      fills.push(...here);
      left = positionAfter(left, here);
      if (left.quantity.isZero()) break;
    }
    return fills;
  }
  return exitsOnOneBar(position, bar, costs, true);
}

/** Exits on one bar with no finer detail; `targetAllowed` false checks the stop alone. */
function exitsOnOneBar(position: PositionExits, bar: Bar, costs: FillCosts, targetAllowed: boolean): Fill[] {
  checkQuantity(position.quantity);
  checkLegs(position);
  const side = exitSide(position.side);
  const stop =
    position.stopLoss && placeOnBar({ kind: 'stop', side, quantity: position.quantity, stopPrice: position.stopLoss.price }, bar, costs, 'stop_loss');
  const target =
    targetAllowed && position.takeProfit
      ? placeOnBar({ kind: 'limit', side, quantity: position.quantity, limitPrice: position.takeProfit.price }, bar, costs, 'take_profit')
      : null;
  const order: { placed: Placed; leg: ExitLeg }[] = [];
  if (stop && position.stopLoss) order.push({ placed: stop, leg: position.stopLoss });
  if (target && position.takeProfit) {
    // The open is the one moment a bar pins down: a target the bar opened
    // through came before anything else in it. Otherwise the stop goes first.
    if (target.atOpen) order.unshift({ placed: target, leg: position.takeProfit });
    else order.push({ placed: target, leg: position.takeProfit });
  }
  const fills: Fill[] = [];
  let left = position.quantity;
  for (const { placed, leg } of order) {
    const qty = Decimal.min(leg.quantity ?? left, left);
    if (qty.lte(0)) continue;
    fills.push({ ...placed.fill, quantity: qty, commission: qty.times(costs.commissionPerShare) });
    left = left.minus(qty);
  }
  return fills;
}

/** The position after some of its exits: the quantity and each leg's remaining shares go down. */
export function positionAfter(position: PositionExits, fills: readonly Fill[]): PositionExits {
  let quantity = position.quantity;
  let stopLoss = position.stopLoss;
  let takeProfit = position.takeProfit;
  for (const f of fills) {
    quantity = quantity.minus(f.quantity);
    if (f.reason === 'stop_loss' && stopLoss?.quantity) stopLoss = { ...stopLoss, quantity: stopLoss.quantity.minus(f.quantity) };
    if (f.reason === 'take_profit' && takeProfit?.quantity) takeProfit = { ...takeProfit, quantity: takeProfit.quantity.minus(f.quantity) };
  }
  // A leg with nothing left to sell is gone, not "all that is left".
  if (stopLoss?.quantity?.lte(0)) stopLoss = null;
  if (takeProfit?.quantity?.lte(0)) takeProfit = null;
  return { ...position, quantity, stopLoss, takeProfit };
}

/**
 * A bracket placed at `signalTime`, replayed over one symbol's bars: the
 * entry on the first bar after the signal that fills it, then the stop and
 * the target from that same bar on until one closes the position.
 *
 * The entry bar: an entry at the open (a market order, or a limit or stop
 * the bar gapped through) has the whole bar after it, so the bar's range may
 * trigger the stop or the target by the usual rules. An entry inside the bar
 * (at its limit or stop price) leaves unknown what came after it, so on that
 * bar only the stop can trigger (pessimistic), unless finer bars of it are
 * given, which then decide both the entry and the exits.
 */
export function runBracket(bracket: Bracket, bars: readonly Bar[], signalTime: Date, costs: FillCosts, finer?: FinerBars): BracketResult {
  checkOrdered(bars);
  const long = bracket.entry.side === 'buy';
  if (long ? !bracket.stopLoss.lt(bracket.takeProfit) : !bracket.stopLoss.gt(bracket.takeProfit)) {
    throw new RangeError(`a ${long ? 'long' : 'short'} bracket needs its stop loss ${long ? 'below' : 'above'} its take profit`);
  }
  const open: PositionExits = {
    side: long ? 'long' : 'short',
    quantity: bracket.entry.quantity,
    stopLoss: { price: bracket.stopLoss },
    takeProfit: { price: bracket.takeProfit },
  };
  for (let i = firstBarAfter(bars, signalTime); i < bars.length; i++) {
    const bar = bars[i] as Bar;
    const fine = finer?.(bar);
    if (fine && fine.length > 0) {
      // The finer bars are the bar itself, in more detail: replay the bracket on them.
      const inner = runBracket(bracket, fine, new Date(bar.timestamp.getTime() - 1), costs);
      if (inner.entry === null) continue;
      const left = positionAfter(open, inner.exits);
      if (left.quantity.isZero()) return inner;
      return { entry: inner.entry, exits: [...inner.exits, ...exitsFrom(left, bars, i + 1, costs, finer)] };
    }
    const entry = placeOnBar(bracket.entry, bar, costs, 'entry');
    if (!entry) continue;
    const first = exitsOnOneBar(open, bar, costs, entry.atOpen);
    const left = positionAfter(open, first);
    if (left.quantity.isZero()) return { entry: entry.fill, exits: first };
    return { entry: entry.fill, exits: [...first, ...exitsFrom(left, bars, i + 1, costs, finer)] };
  }
  return { entry: null, exits: [] };
}

/** The exits of a position from bar `start` on, until it is closed or the bars end. */
function exitsFrom(position: PositionExits, bars: readonly Bar[], start: number, costs: FillCosts, finer?: FinerBars): Fill[] {
  const fills: Fill[] = [];
  let left = position;
  for (let i = start; i < bars.length && left.quantity.gt(0); i++) {
    const bar = bars[i] as Bar;
    const here = positionExitOnBar(left, bar, costs, finer?.(bar));
    fills.push(...here);
    left = positionAfter(left, here);
  }
  return fills;
}

/** A long's stop below its target, a short's above: otherwise one bar could close it both ways at once. */
function checkLegs(position: PositionExits): void {
  const stop = position.stopLoss?.price;
  const target = position.takeProfit?.price;
  if (stop === undefined || target === undefined) return;
  if (position.side === 'long' ? !stop.lt(target) : !stop.gt(target)) {
    throw new RangeError(`a ${position.side} position needs its stop loss ${position.side === 'long' ? 'below' : 'above'} its take profit`);
  }
}

function checkQuantity(quantity: Decimal): void {
  if (!quantity.isFinite() || quantity.lte(0)) throw new RangeError(`quantity must be positive: ${quantity.toString()}`);
}

/** One symbol's bars, strictly oldest first: anything else would let a later price decide an earlier fill. */
function checkOrdered(bars: readonly Bar[]): void {
  for (let i = 1; i < bars.length; i++) {
    const prev = bars[i - 1] as Bar;
    const bar = bars[i] as Bar;
    if (bar.symbol !== prev.symbol) throw new RangeError(`bars of two symbols mixed: ${prev.symbol}, ${bar.symbol}`);
    if (bar.timestamp.getTime() <= prev.timestamp.getTime()) {
      throw new RangeError(`bars out of order at ${bar.timestamp.toISOString()} (${bar.symbol})`);
    }
  }
}

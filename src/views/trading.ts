/** Views of the account, positions, orders and what an order command did. */
import { formatUsd, ZERO } from '../domain/money.js';
import { type Order } from '../domain/order.js';
import { TERMINAL_STATUSES } from '../domain/enums.js';
import type { ExecutedOrderRecord, PositionRecord, TradingState } from '../domain/records.js';
import type { AccountSummary, HaltMode, HaltResult, ModifyResult } from '../app/OperatorService.js';
import type { ExecutionResult } from '../execution/OrderExecutor.js';
import { price, signed, signedPct } from './format.js';
import type { View, ViewField } from './view.js';

/** The trading state in one line: ACTIVE, or the state with its reason. */
export function tradingStateText(state: Pick<TradingState, 'state' | 'reason'>): string {
  return state.state === 'ACTIVE' ? 'ACTIVE' : `${state.state}: ${state.reason ?? 'by an operator'}`;
}

/** What each stopped state still allows, as the operator reads it. */
export const STATE_ALLOWS = {
  HALTED: 'No new entries until /resume; exits still work.',
  REDUCING: 'Only orders that shrink exposure (closes, partial closes) until /resume; no entries.',
} as const;

/** What /halt did: the new state, or the state it already was in. */
export function haltView({ changed, trading }: HaltResult, mode: HaltMode, reason: string): View {
  const wanted = mode === 'halted' ? 'HALTED' : 'REDUCING';
  if (!changed)
    return { title: `Already ${wanted.toLowerCase()}`, description: `Trading was already ${tradingStateText(trading)}`, fields: [], tone: 'neutral' };
  return { title: mode === 'halted' ? 'Trading halted' : 'Trading reducing', description: `${reason}. ${STATE_ALLOWS[wanted]}`, fields: [], tone: 'warning' };
}

export function accountView({ account, mode, trading: state }: AccountSummary): View {
  const halted = state.state !== 'ACTIVE';
  return {
    title: `Account (${mode})`,
    fields: [
      { name: 'Equity', value: formatUsd(account.equity), inline: true },
      { name: 'Cash', value: formatUsd(account.cash), inline: true },
      { name: 'Buying power', value: formatUsd(account.buyingPower), inline: true },
      { name: 'Day P&L', value: `${signed(account.dayPnl())} (${signedPct(account.dayPnlPct())})`, inline: true },
      { name: 'Mode', value: mode, inline: true },
      { name: 'Trading', value: tradingStateText(state), inline: true },
    ],
    tone: halted ? 'warning' : 'info',
  };
}

export function positionsView(positions: readonly PositionRecord[]): View {
  if (positions.length === 0) return { title: 'Open positions', description: 'No open positions.', fields: [], tone: 'neutral' };
  const total = positions.reduce((sum, p) => sum.plus(p.unrealizedPnl), ZERO);
  const fields: ViewField[] = positions.map((p) => {
    const basis = p.quantity.times(p.entryPrice);
    const pct = basis.isZero() ? basis : p.unrealizedPnl.div(basis);
    return {
      name: `${p.ticker} ${p.side} ${p.quantity.toFixed()}`,
      value: [
        `entry ${formatUsd(p.entryPrice)} · last ${formatUsd(p.currentPrice)}`,
        `P&L ${signed(p.unrealizedPnl)} (${signedPct(pct)})`,
        `stop ${price(p.stopLossPrice)} · target ${price(p.takeProfitPrice)}`,
      ].join('\n'),
      inline: true,
    };
  });
  return {
    title: `Open positions (${positions.length})`,
    description: `Unrealized P&L ${signed(total)}`,
    fields,
    tone: total.isNegative() ? 'danger' : 'success',
  };
}

function orderLine(o: Order): string {
  const px = o.filledAvgPrice
    ? ` @ ${formatUsd(o.filledAvgPrice)}`
    : o.limitPrice
      ? ` limit ${formatUsd(o.limitPrice)}`
      : o.stopPrice
        ? ` stop ${formatUsd(o.stopPrice)}`
        : '';
  const filled = o.filledQty.gt(0) && !o.filledQty.eq(o.quantity) ? ` (${o.filledQty.toFixed()} filled)` : '';
  return `${o.submittedAt.toISOString().slice(0, 16).replace('T', ' ')} ${o.side} ${o.quantity.toFixed()} ${o.ticker} ${o.type}${px} — ${o.status}${filled}`;
}

export function ordersView(orders: readonly Order[], status: string): View {
  return {
    title: `Orders (${status})`,
    description: orders.length === 0 ? 'No orders.' : orders.map(orderLine).join('\n'),
    fields: [],
    tone: 'neutral',
  };
}

/** The order and how much of it filled: all of it, part of it so far (or before it ended), or none yet. */
function orderSummary(o: ExecutedOrderRecord): string {
  const what = `${o.side} ${o.quantity.toFixed()} ${o.ticker} (${o.orderType})`;
  if (o.filledQty.isZero() || o.filledAvgPrice === null) return `${what} ${o.status}`;
  if (o.filledQty.eq(o.quantity)) return `${what} filled @ ${formatUsd(o.filledAvgPrice)}`;
  const part = `${o.filledQty.toFixed()} of ${o.quantity.toFixed()} filled`;
  return !TERMINAL_STATUSES.has(o.status)
    ? `${what}: ${part} so far @ ${formatUsd(o.filledAvgPrice)}`
    : `${what}: ${part} @ ${formatUsd(o.filledAvgPrice)}, then ${o.status}`;
}

/** What an entry did: filled / working / refused and why, with the order id and quantity. */
export function executionView(title: string, result: ExecutionResult): View {
  if (!result.success) {
    return {
      title: `${title}: ${result.pending ? 'outcome unknown' : 'refused'}`,
      description: result.errorMessage ?? 'refused',
      fields: result.refusedBy ? [{ name: 'Refused by', value: result.refusedBy, inline: true }] : [],
      tone: result.pending ? 'warning' : 'danger',
    };
  }
  const o = result.order;
  const b = result.bracketOrder;
  const fields: ViewField[] = [
    { name: 'Quantity', value: result.quantity?.toFixed() ?? '—', inline: true },
    { name: 'Estimated cost', value: result.estimatedCost ? formatUsd(result.estimatedCost) : '—', inline: true },
    { name: 'Status', value: o?.status ?? '—', inline: true },
  ];
  if (b?.stopLoss) fields.push({ name: 'Stop loss', value: price(b.stopLoss.stopPrice), inline: true });
  if (b?.takeProfit) fields.push({ name: 'Take profit', value: price(b.takeProfit.limitPrice), inline: true });
  return {
    title: `${title}: ${o?.status === 'filled' ? 'filled' : 'working'}`,
    description: o ? orderSummary(o) : undefined,
    fields,
    tone: 'success',
    footer: o ? `order ${o.orderId} · client id ${o.clientOrderId}` : undefined,
  };
}

export function exitView(title: string, order: ExecutedOrderRecord): View {
  return {
    title,
    description: orderSummary(order),
    fields: [],
    tone: order.status === 'filled' ? 'success' : 'info',
    footer: `order ${order.orderId}`,
  };
}

const LEG_NAMES = { stop_loss: 'stop-loss', take_profit: 'take-profit' } as const;

type Level = ModifyResult['stopLoss'];

/** A position's stop and target as /modify left them: `stop $185.00 → $186.40 · target $200.00 (unchanged)`. */
export function levelsText(stopLoss: Level, takeProfit: Level): string {
  const level = (name: string, c: Level) => {
    const same = c.previous === null ? c.current === null : c.current !== null && c.previous.eq(c.current);
    return same ? `${name} ${price(c.current)} (unchanged)` : `${name} ${price(c.previous)} → ${price(c.current)}`;
  };
  return `${level('stop', stopLoss)} · ${level('target', takeProfit)}`;
}

/** What /modify did: each level old → new, the legs the broker replaced, the levels the monitor now watches. */
export function modifyView(r: ModifyResult): View {
  const fields: ViewField[] = [];
  if (r.replaced.length > 0) {
    fields.push({
      name: 'Replaced at the broker',
      value: r.replaced.map((l) => `${LEG_NAMES[l.leg]} ${l.previousOrderId} → ${l.orderId} @ ${formatUsd(l.price)}`).join('\n'),
    });
  }
  if (r.monitored.length > 0) {
    fields.push({
      name: 'Watched by the bot',
      value: `${r.monitored.map((l) => LEG_NAMES[l]).join(' and ')}: no working order at the broker; the monitor closes the position at market when the price crosses it.`,
    });
  }
  return {
    title: `Modified ${r.ticker} (${r.side})`,
    description: levelsText(r.stopLoss, r.takeProfit),
    fields,
    tone: 'success',
    footer: `last ${formatUsd(r.last)}`,
  };
}

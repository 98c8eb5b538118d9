/** Views of the account, positions, orders and what an order command did. */
import { type Decimal, formatPct, formatUsd, ZERO } from '../../broker/money.js';
import { type Order, TERMINAL_STATUSES } from '../../broker/types.js';
import type { ExecutedOrderRecord, PositionRecord } from '../../db/index.js';
import type { AccountSummary } from '../../app/OperatorService.js';
import type { ExecutionResult } from '../../execution/OrderExecutor.js';
import type { View, ViewField } from '../view.js';

export const signed = (d: Decimal): string => `${d.gt(0) ? '+' : ''}${formatUsd(d)}`;
export const signedPct = (d: Decimal): string => `${d.gt(0) ? '+' : ''}${formatPct(d)}`;
const price = (d: Decimal | null): string => (d === null ? '—' : formatUsd(d));

export function accountView({ account, mode, trading: state }: AccountSummary): View {
  const halted = state.state === 'HALTED';
  return {
    title: `Account (${mode})`,
    fields: [
      { name: 'Equity', value: formatUsd(account.equity), inline: true },
      { name: 'Cash', value: formatUsd(account.cash), inline: true },
      { name: 'Buying power', value: formatUsd(account.buyingPower), inline: true },
      { name: 'Day P&L', value: `${signed(account.dayPnl())} (${signedPct(account.dayPnlPct())})`, inline: true },
      { name: 'Mode', value: mode, inline: true },
      { name: 'Trading', value: halted ? `HALTED: ${state.reason ?? 'by an operator'}` : 'ACTIVE', inline: true },
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
  const px = o.filledAvgPrice ? ` @ ${formatUsd(o.filledAvgPrice)}` : o.limitPrice ? ` limit ${formatUsd(o.limitPrice)}` : o.stopPrice ? ` stop ${formatUsd(o.stopPrice)}` : '';
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
  return !TERMINAL_STATUSES.has(o.status) ? `${what}: ${part} so far @ ${formatUsd(o.filledAvgPrice)}` : `${what}: ${part} @ ${formatUsd(o.filledAvgPrice)}, then ${o.status}`;
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

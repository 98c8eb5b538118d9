/**
 * The bot's orders: `/orders` and `/api/orders`, newest first, filtered by
 * status (open: the order or one of its legs can still fill or change;
 * closed: neither can) and ticker; each entry with its bracket legs (take
 * profit, stop loss) under it. Orders as the bot recorded them, so the page
 * reads the database, not the broker.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { z } from 'zod';
import type { OperatorService, OrderBookEntry, OrderBookFilter } from '../app/OperatorService.js';
import type { Decimal } from '../domain/money.js';
import { formatUsd } from '../domain/money.js';
import type { ExecutedOrderRecord } from '../domain/records.js';
import { layout, type LayoutContext } from './pages.js';
import type { Session } from './security.js';
import { badFilterPage, limitField, parseQuery, tickerField } from './trades.js';

/** What the order routes need of the application. */
export type OrderOperator = Pick<OperatorService, 'orderBook'>;

type Env = { Variables: { session: Session } };
type Html = HtmlEscapedString;
type Child = string | Html | null | undefined | false | readonly Child[];
/** `html` with its children typed; nothing here is asynchronous, so the result is the finished string. */
const h = (strings: TemplateStringsArray, ...children: Child[]): Html => html(strings, ...children) as Html;

export interface OrderRouteDeps {
  operator: OrderOperator;
  /** The signed-in session, or null. */
  sessionOf: (c: Context) => Session | null;
}

const STATUSES = ['open', 'closed', 'all'] as const;

const orderQuery = z.object({
  status: z.preprocess((v) => (v === '' ? undefined : v), z.enum(STATUSES, { error: `one of ${STATUSES.join(', ')}` }).default('all')),
  ticker: tickerField,
  limit: limitField,
});
type ParsedOrderQuery = z.infer<typeof orderQuery>;

function filterOf(q: ParsedOrderQuery): OrderBookFilter {
  const filter: OrderBookFilter = { status: q.status };
  if (q.ticker !== undefined) filter.ticker = q.ticker;
  if (q.limit !== undefined) filter.limit = q.limit;
  return filter;
}

// ---- JSON ---------------------------------------------------------------------------

const orNull = (d: Decimal | null): string | null => (d === null ? null : d.toFixed());
const timeOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** What an order is for: an entry, one of its bracket's legs, or an exit sent on its own. */
export function orderRole(o: ExecutedOrderRecord): 'entry' | 'take_profit' | 'stop_loss' | 'exit' {
  if (o.leg === 'take_profit' || o.leg === 'stop_loss') return o.leg;
  return o.positionId !== null ? 'exit' : 'entry';
}

export function orderJson(o: ExecutedOrderRecord) {
  return {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    parent_order_id: o.parentOrderId,
    role: orderRole(o),
    ticker: o.ticker,
    side: o.side,
    quantity: o.quantity.toFixed(),
    order_type: o.orderType,
    order_class: o.orderClass,
    limit_price: orNull(o.limitPrice),
    stop_price: orNull(o.stopPrice),
    trail_price: orNull(o.trailPrice),
    trail_percent: orNull(o.trailPercent),
    time_in_force: o.timeInForce,
    status: o.status,
    status_reason: o.statusReason,
    filled_qty: o.filledQty.toFixed(),
    filled_avg_price: orNull(o.filledAvgPrice),
    stop_loss: orNull(o.plannedStopLoss),
    take_profit: orNull(o.plannedTakeProfit),
    position_id: o.positionId,
    exit_reason: o.exitReason,
    strategy: o.strategy,
    signal_id: o.signalId,
    submitted_at: o.submittedAt.toISOString(),
    filled_at: timeOrNull(o.filledAt),
    updated_at: o.updatedAt.toISOString(),
  };
}

const entryJson = (e: OrderBookEntry) => ({ ...orderJson(e.order), legs: e.legs.map(orderJson) });

// ---- markup -------------------------------------------------------------------------

const time = (d: Date): string => d.toISOString().replace('.000Z', 'Z');

const ROLE_TEXT = { entry: 'entry', take_profit: 'take profit', stop_loss: 'stop loss', exit: 'exit' } as const;

/** The prices that define the order: its limit and / or stop, its trail; a market order has none. */
function priceText(o: ExecutedOrderRecord): string {
  const parts: string[] = [];
  if (o.stopPrice !== null) parts.push(`stop ${formatUsd(o.stopPrice)}`);
  if (o.limitPrice !== null) parts.push(`limit ${formatUsd(o.limitPrice)}`);
  if (o.trailPrice !== null) parts.push(`trail ${formatUsd(o.trailPrice)}`);
  if (o.trailPercent !== null) parts.push(`trail ${o.trailPercent.toFixed()}%`);
  return parts.length === 0 ? 'market' : parts.join(', ');
}

function filledText(o: ExecutedOrderRecord): string {
  if (o.filledQty.isZero()) return '—';
  return o.filledAvgPrice === null ? o.filledQty.toFixed() : `${o.filledQty.toFixed()} @ ${formatUsd(o.filledAvgPrice)}`;
}

function orderRow(o: ExecutedOrderRecord, leg: boolean): Html {
  const role = orderRole(o);
  const roleText = role === 'exit' && o.exitReason !== null ? `exit (${o.exitReason.replaceAll('_', ' ')})` : ROLE_TEXT[role];
  const note = leg ? null : (o.strategy ?? null);
  return h`<tr class="${leg ? 'leg' : 'entry'}"><td>${time(o.submittedAt)}</td><td class="role">${leg ? h`<span aria-hidden="true">↳ </span>` : ''}${roleText}</td><td>${o.ticker}</td><td>${o.side}</td>
<td class="num">${o.quantity.toFixed()}</td><td>${o.orderType.replaceAll('_', ' ')}</td><td class="num">${priceText(o)}</td><td class="num">${filledText(o)}</td>
<td>${o.status.replaceAll('_', ' ')}${o.statusReason ? h` <span class="muted">(${o.statusReason})</span>` : ''}</td><td>${note ?? ''}</td><td class="muted">${o.orderId}</td></tr>`;
}

function filterForm(q: ParsedOrderQuery): Html {
  const options = STATUSES.map((s) => h`<option value="${s}"${q.status === s ? ' selected' : ''}>${s}</option>`);
  return h`<form class="filters" method="get" action="/orders">
<label>Status <select name="status">${options}</select></label>
<label>Ticker <input name="ticker" value="${q.ticker ?? ''}" size="8" maxlength="16"></label>
${q.limit !== undefined ? h`<input type="hidden" name="limit" value="${String(q.limit)}">` : ''}
<button type="submit">Filter</button> <a href="/orders">Clear</a>
</form>`;
}

export function ordersPage(entries: readonly OrderBookEntry[], q: ParsedOrderQuery, context: LayoutContext): Html {
  // One tbody per entry: the entry's row, then its legs, indented.
  const bodies = entries.map(
    (e) => h`<tbody>
${orderRow(e.order, false)}
${e.legs.map((leg) => orderRow(leg, true))}
</tbody>`,
  );
  const table = h`<table class="orders">
<thead><tr><th>Submitted</th><th>Role</th><th>Ticker</th><th>Side</th><th class="num">Qty</th><th>Type</th><th class="num">Price</th><th class="num">Filled</th><th>Status</th><th>Strategy</th><th>Order id</th></tr></thead>
${bodies}
</table>`;
  return layout(
    'Orders',
    context,
    h`<div hx-boost="true">
<h1>Orders</h1>
${filterForm(q)}
${entries.length === 0 ? h`<p class="muted">No order matches these filters.</p>` : table}
<p class="muted">Newest first, at most ${String(q.limit ?? 50)} entries.</p>
</div>`,
  );
}

// ---- routes -------------------------------------------------------------------------

export function registerOrderRoutes(app: Hono<Env>, deps: OrderRouteDeps): void {
  const { operator, sessionOf } = deps;

  app.get('/api/orders', async (c) => {
    const parsed = parseQuery(orderQuery, c.req.query());
    if (!parsed.ok) return c.json({ error: parsed.problem }, 400);
    return c.json({ orders: (await operator.orderBook(filterOf(parsed.data))).map(entryJson) });
  });

  app.get('/orders', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const parsed = parseQuery(orderQuery, c.req.query());
    if (!parsed.ok) return badFilterPage(c, parsed.problem, { session, current: '/orders' });
    return c.html(ordersPage(await operator.orderBook(filterOf(parsed.data)), parsed.data, { session, current: '/orders' }));
  });
}

/**
 * The signals page, its Approve / Reject actions and `/api/signals`. A click
 * here takes the same path as a Discord button: OperatorService.approve or
 * reject, whose move out of `pending` is one conditional update, so a web
 * click racing a Discord click (or a second web click) still yields one
 * order, and the decision leaves the same audit row as a button's.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { z } from 'zod';
import type { OperatorService } from '../app/OperatorService.js';
import { formatPct, formatUsd } from '../domain/money.js';
import { type ExecutedOrderRecord, SIGNAL_STATUSES, type SignalStatus, type StoredSignal } from '../domain/records.js';
import type { EventLog } from '../logger.js';
import { alreadyText, decidedSignalView, settledSignalView } from '../views/signal.js';
import { layout, type LayoutContext, messagePage } from './pages.js';
import type { Session } from './security.js';

/** What the signal routes need of the application. */
export type SignalOperator = Pick<OperatorService, 'signals' | 'approve' | 'reject' | 'recordedOrder'>;
/** Who decided, and what came of it, in the service's own terms. */
type Approver = Parameters<OperatorService['approve']>[1];
type ApprovalOutcome = Awaited<ReturnType<OperatorService['approve']>>;

type Env = { Variables: { session: Session } };
type Html = HtmlEscapedString;
type Child = string | Html | null | undefined | false | readonly Child[];
/** `html` with its children typed; nothing here is asynchronous, so the result is the finished string. */
const h = (strings: TemplateStringsArray, ...children: Child[]): Html => html(strings, ...children) as Html;

export interface SignalRouteDeps {
  operator: SignalOperator;
  log: EventLog;
  /** What every POST passes first (body limit, same origin, session, CSRF); it sets `session`. */
  guard: readonly MiddlewareHandler<Env>[];
  /** The signed-in session, or null. */
  sessionOf: (c: Context) => Session | null;
}

/** Pending signals shown (newest first), and decided ones. */
const PENDING_LIMIT = 50;
const DECIDED_LIMIT = 20;
const DECIDED_STATUSES = SIGNAL_STATUSES.filter((s): s is Exclude<SignalStatus, 'pending'> => s !== 'pending');

/** A signal id as the webhook accepts it: anything else names no signal, and is refused before the store is asked. */
const signalParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._:-]+$/),
});
const apiQuery = z.object({ status: z.enum(SIGNAL_STATUSES).optional() });

/** `2026-03-02T15:00:00Z`: the times the signal views show. */
const time = (d: Date | null): string => (d === null ? '—' : d.toISOString().replace('.000Z', 'Z'));

// ---- JSON ---------------------------------------------------------------------

export function signalJson(s: StoredSignal) {
  return {
    signal_id: s.signalId,
    ticker: s.ticker,
    action: s.action,
    entry_price: s.entryPrice.toFixed(),
    stop_loss: s.stopLossPrice.toFixed(),
    take_profit: s.takeProfitPrice.toFixed(),
    confidence: s.confidence.toFixed(),
    position_size_pct: s.positionSizePct === null ? null : s.positionSizePct.toFixed(),
    signal_type: s.signalType,
    strategy: s.strategy,
    source: s.source,
    status: s.status,
    signal_time: s.signalTime.toISOString(),
    received_at: s.receivedAt.toISOString(),
    expires_at: s.expiresAt.toISOString(),
    decided_by: s.decidedBy,
    decided_at: s.decidedAt === null ? null : s.decidedAt.toISOString(),
    decision_note: s.decisionNote,
    order_id: s.orderId,
  };
}

/** The decided signals of every status, most recently decided first. */
async function recentlyDecided(operator: SignalOperator): Promise<StoredSignal[]> {
  const lists = await Promise.all(DECIDED_STATUSES.map((status) => operator.signals(status, DECIDED_LIMIT)));
  const at = (s: StoredSignal) => (s.decidedAt ?? s.receivedAt).getTime();
  return lists
    .flat()
    .sort((a, b) => at(b) - at(a) || b.receivedAt.getTime() - a.receivedAt.getTime())
    .slice(0, DECIDED_LIMIT);
}

// ---- markup -------------------------------------------------------------------

const HEAD = h`<tr><th>Received</th><th>Signal</th><th>Action</th><th>Ticker</th><th class="num">Entry</th><th class="num">Stop</th><th class="num">Target</th><th class="num">Confidence</th><th>Strategy</th><th>Source</th><th>Expires</th>`;

/** The cells every row shares, the signal as it was received. */
function signalCells(s: StoredSignal): Html {
  return h`<td>${time(s.receivedAt)}</td><td>${s.signalId}</td><td>${s.action}</td><td>${s.ticker}</td>
<td class="num">${formatUsd(s.entryPrice)}</td><td class="num">${formatUsd(s.stopLossPrice)}</td><td class="num">${formatUsd(s.takeProfitPrice)}</td>
<td class="num">${formatPct(s.confidence, 0)}</td><td>${s.strategy ?? '—'}${s.signalType ? h` <span class="muted">(${s.signalType})</span>` : ''}</td><td>${s.source}</td><td>${time(s.expiresAt)}</td>`;
}

/**
 * A pending signal with its buttons: one form (so a browser without htmx
 * posts it too), each button posting to its own action; htmx swaps the row
 * for the answer.
 */
export function pendingRow(s: StoredSignal, csrf: string, problem: string | null = null): Html {
  const base = `/signals/${encodeURIComponent(s.signalId)}`;
  return h`<tr class="signal pending">${signalCells(s)}
<td><form method="post" action="${base}/approve" hx-target="closest tr" hx-swap="outerHTML">
<input type="hidden" name="_csrf" value="${csrf}">
<button type="submit" hx-post="${base}/approve">Approve</button> <button type="submit" class="danger" formaction="${base}/reject" hx-post="${base}/reject">Reject</button>
</form>${problem ? h`<p class="error">${problem}</p>` : ''}</td>
</tr>`;
}

/** A decided signal and its outcome (the order, the refusal, who rejected it, the expiry). */
export function decidedRow(s: StoredSignal, outcome: string, note: string | null = null): Html {
  return h`<tr class="signal ${s.status}">${signalCells(s)}
<td>${outcome}${note ? h`<br><span class="muted">${note}</span>` : ''}</td>
</tr>`;
}

/** The outcome of a stored decision, as the Discord message reads once settled. */
const settledText = (s: StoredSignal, order: ExecutedOrderRecord | null): string => settledSignalView(s, order).description ?? s.status;

async function orderOf(operator: SignalOperator, s: StoredSignal): Promise<ExecutedOrderRecord | null> {
  return s.orderId === null ? null : operator.recordedOrder(s.orderId);
}

export function signalsPage(
  pending: readonly StoredSignal[],
  decided: readonly { signal: StoredSignal; order: ExecutedOrderRecord | null }[],
  context: LayoutContext & { session: { csrf: string } },
): Html {
  const pendingTable = h`<table class="signals">
<thead>${HEAD}<th></th></tr></thead>
<tbody>
${pending.map((s) => pendingRow(s, context.session.csrf))}
</tbody>
</table>`;
  const decidedTable = h`<table class="signals">
<thead>${HEAD}<th>Outcome</th></tr></thead>
<tbody>
${decided.map(({ signal, order }) => decidedRow(signal, settledText(signal, order)))}
</tbody>
</table>`;
  return layout(
    'Signals',
    context,
    h`<h1>Signals</h1>
<h2>Pending (${String(pending.length)})</h2>
${pending.length === 0 ? h`<p class="muted">No signal is waiting for a decision.</p>` : pendingTable}
<h2>Recently decided</h2>
${decided.length === 0 ? h`<p class="muted">No signal has been decided yet.</p>` : decidedTable}`,
  );
}

/** The row that replaces a clicked one: the new outcome, or the signal still pending with why it was not approved. */
async function outcomeRow(operator: SignalOperator, outcome: Exclude<ApprovalOutcome, { kind: 'unknown' }>, csrf: string): Promise<Html> {
  switch (outcome.kind) {
    case 'refused':
      return pendingRow(outcome.signal, csrf, `Not approved: ${outcome.reason}. The signal stays open.`);
    case 'already':
      return decidedRow(outcome.signal, settledText(outcome.signal, await orderOf(operator, outcome.signal)), alreadyText(outcome.signal));
    default:
      return decidedRow(outcome.signal, decidedSignalView(outcome).description ?? outcome.kind);
  }
}

// ---- routes -------------------------------------------------------------------

export function registerSignalRoutes(app: Hono<Env>, deps: SignalRouteDeps): void {
  const { operator, log, guard, sessionOf } = deps;

  app.get('/api/signals', async (c) => {
    const query = apiQuery.safeParse(c.req.query());
    if (!query.success) return c.json({ error: `status must be one of ${SIGNAL_STATUSES.join(', ')}` }, 400);
    const { status } = query.data;
    const signals =
      status === undefined
        ? [...(await operator.signals('pending', PENDING_LIMIT)), ...(await recentlyDecided(operator))]
        : await operator.signals(status, PENDING_LIMIT);
    return c.json({ signals: signals.map(signalJson) });
  });

  app.get('/signals', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const pending = await operator.signals('pending', PENDING_LIMIT);
    const decided = await Promise.all((await recentlyDecided(operator)).map(async (signal) => ({ signal, order: await orderOf(operator, signal) })));
    return c.html(signalsPage(pending, decided, { session, current: '/signals' }));
  });

  /**
   * Approves or rejects as `web:<session>` (approver id `web`, as a Discord
   * click is its user's id), then answers htmx with the row's new markup, a
   * plain form with a redirect to the page.
   */
  const decide = (action: 'approve' | 'reject') => async (c: Context<Env>) => {
    const session = c.get('session');
    const param = signalParam.safeParse(c.req.param());
    if (!param.success) return c.html(messagePage('Not found', 'There is no such signal.', { session, current: null }), 404);
    const { id } = param.data;
    const by: Approver = { id: 'web', name: `web:${session.label}` };
    const outcome = action === 'approve' ? await operator.approve(id, by) : await operator.reject(id, by);
    if (outcome.kind === 'unknown') return c.html(messagePage('Not found', `There is no signal ${id}.`, { session, current: null }), 404);
    log.info({ session: session.label, signal: id, outcome: outcome.kind }, `dashboard ${action}`);
    if (c.req.header('hx-request') === 'true') return c.html(await outcomeRow(operator, outcome, session.csrf));
    // A plain form: a refusal would be lost behind the redirect, so it gets its own page.
    if (outcome.kind === 'refused') {
      return c.html(messagePage('Not approved', `${outcome.reason}. The signal stays open.`, { session, current: '/signals' }), 409);
    }
    return c.redirect('/signals', 303);
  };

  app.use('/signals/:id/*', ...guard);
  app.post('/signals/:id/approve', decide('approve'));
  app.post('/signals/:id/reject', decide('reject'));
}

/**
 * The closed trades: `/trades` (a page at a time, filtered by exchange day,
 * ticker, strategy and exit reason), `/trades.csv` (every trade the filters
 * match, streamed a page at a time, never all in memory) and `/api/trades`.
 * Pages follow a cursor (the last row's key), never an offset: the tenth
 * thousand page costs what the first does. The count and the total P&L of
 * the filtered trades need a pass over all of them, so the page asks for
 * them separately (`/trades/totals`, loaded by htmx once the rows are shown).
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { z } from 'zod';
import { OperatorError } from '../app/errors.js';
import type { OperatorService, TradeFilter, TradeQuery } from '../app/OperatorService.js';
import { formatUsd } from '../domain/money.js';
import { type ClosedPositionRecord, EXIT_REASONS } from '../domain/records.js';
import { signed, signedPct } from '../views/format.js';
import { layout, type LayoutContext, messagePage } from './pages.js';
import type { Session } from './security.js';

/** What the trade routes need of the application. */
export type TradeOperator = Pick<OperatorService, 'trades' | 'tradeTotals'>;

type Env = { Variables: { session: Session } };
type Html = HtmlEscapedString;
type Child = string | Html | null | undefined | false | readonly Child[];
/** `html` with its children typed; nothing here is asynchronous, so the result is the finished string. */
const h = (strings: TemplateStringsArray, ...children: Child[]): Html => html(strings, ...children) as Html;

export interface TradeRouteDeps {
  operator: TradeOperator;
  /** The signed-in session, or null. */
  sessionOf: (c: Context) => Session | null;
}

/** Rows per CSV read: the most a page may hold. */
const CSV_PAGE = 200;

// ---- the query string ------------------------------------------------------------

/** An empty form field means "any": a GET form sends every field, filled or not. */
const blank = (value: unknown): unknown => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

export const tickerField = optional(
  z
    .string()
    .transform((s) => s.trim().toUpperCase())
    .pipe(z.string().regex(/^[A-Z0-9.-]{1,16}$/, 'a ticker: letters, digits, dot or dash, at most 16')),
);
export const limitField = optional(z.coerce.number({ error: 'a whole number' }).int('a whole number').min(1, 'at least 1').max(200, 'at most 200'));
const dayField = optional(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'));

const tradeQuery = z.object({
  from: dayField,
  to: dayField,
  ticker: tickerField,
  strategy: optional(z.string().max(64, 'at most 64 characters')),
  exit_reason: optional(z.enum(EXIT_REASONS, { error: `one of ${EXIT_REASONS.join(', ')}` })),
  cursor: optional(
    z
      .string()
      .max(256, 'too long')
      .regex(/^[A-Za-z0-9_-]+$/, 'not a page cursor'),
  ),
  limit: limitField,
  totals: optional(z.enum(['1', 'true'], { error: '1 or true' })),
});

type ParsedTradeQuery = z.infer<typeof tradeQuery>;

/** A query string parsed by `schema`, or the first field it refuses and why. */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): { ok: true; data: z.infer<T> } | { ok: false; problem: string } {
  const result = schema.safeParse(query);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'query';
  return { ok: false, problem: `${field}: ${issue?.message ?? 'invalid'}` };
}

function filterOf(q: ParsedTradeQuery): TradeFilter {
  const filter: TradeFilter = {};
  if (q.from !== undefined) filter.from = q.from;
  if (q.to !== undefined) filter.to = q.to;
  if (q.ticker !== undefined) filter.ticker = q.ticker;
  if (q.strategy !== undefined) filter.strategy = q.strategy;
  if (q.exit_reason !== undefined) filter.exitReason = q.exit_reason;
  return filter;
}

function queryOf(q: ParsedTradeQuery): TradeQuery {
  const query: TradeQuery = filterOf(q);
  if (q.cursor !== undefined) query.cursor = q.cursor;
  if (q.limit !== undefined) query.limit = q.limit;
  return query;
}

/** The filters as a query string (empty ones left out), for the links that keep them. */
function filterParams(q: ParsedTradeQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) params.set(name, String(value));
  };
  set('from', q.from);
  set('to', q.to);
  set('ticker', q.ticker);
  set('strategy', q.strategy);
  set('exit_reason', q.exit_reason);
  set('limit', q.limit);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

// ---- JSON and CSV -----------------------------------------------------------------

/** A ratio (0.01 = 1%) to six places, as every ratio of the API. */
const ratio = (d: ClosedPositionRecord['realizedPnlPct']): string => d.toDecimalPlaces(6).toFixed();

export function tradeJson(t: ClosedPositionRecord) {
  return {
    position_id: t.positionId,
    signal_id: t.signalId,
    ticker: t.ticker,
    side: t.side,
    quantity: t.quantity.toFixed(),
    entry_price: t.entryPrice.toFixed(),
    exit_price: t.exitPrice.toFixed(),
    realized_pnl: t.realizedPnl.toFixed(),
    realized_pnl_ratio: ratio(t.realizedPnlPct),
    exit_reason: t.exitReason,
    strategy: t.strategy,
    entry_order_id: t.entryOrderId,
    exit_order_id: t.exitOrderId,
    opened_at: t.openedAt.toISOString(),
    closed_at: t.closedAt.toISOString(),
  };
}

/** The backtester's trades.csv columns, and the strategy. */
export const CSV_COLUMNS = [
  'signal_id',
  'ticker',
  'side',
  'quantity',
  'entry_time',
  'entry_price',
  'exit_time',
  'exit_price',
  'exit_reason',
  'pnl',
  'strategy',
] as const;

/**
 * A cell of free text: one starting with = + - @ (or a tab or carriage
 * return) would run as a formula in a spreadsheet, so it gets a leading
 * apostrophe, which spreadsheets show as text.
 */
function textCell(value: string | null): string {
  const text = value ?? '';
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Quoted when it holds a comma, a quote or a line break. */
const quoted = (cell: string): string => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

export function csvLine(t: ClosedPositionRecord): string {
  return (
    [
      textCell(t.signalId),
      textCell(t.ticker),
      t.side,
      t.quantity.toFixed(),
      t.openedAt.toISOString(),
      t.entryPrice.toFixed(),
      t.closedAt.toISOString(),
      t.exitPrice.toFixed(),
      t.exitReason,
      t.realizedPnl.toFixed(),
      textCell(t.strategy),
    ]
      .map(quoted)
      .join(',') + '\n'
  );
}

// ---- markup -----------------------------------------------------------------------

/** `2026-03-02T15:00:00Z`, as the signals page shows times. */
const time = (d: Date): string => d.toISOString().replace('.000Z', 'Z');
const tone = (d: { isNegative(): boolean; isZero(): boolean }): string => (d.isZero() ? '' : d.isNegative() ? 'down' : 'up');

function filterForm(q: ParsedTradeQuery): Html {
  const reasons = EXIT_REASONS.map((r) => h`<option value="${r}"${q.exit_reason === r ? ' selected' : ''}>${r.replaceAll('_', ' ')}</option>`);
  return h`<form class="filters" method="get" action="/trades">
<label>From <input type="date" name="from" value="${q.from ?? ''}"></label>
<label>To <input type="date" name="to" value="${q.to ?? ''}"></label>
<label>Ticker <input name="ticker" value="${q.ticker ?? ''}" size="8" maxlength="16"></label>
<label>Strategy <input name="strategy" value="${q.strategy ?? ''}" size="12" maxlength="64"></label>
<label>Exit reason <select name="exit_reason"><option value="">any</option>${reasons}</select></label>
${q.limit !== undefined ? h`<input type="hidden" name="limit" value="${String(q.limit)}">` : ''}
<button type="submit">Filter</button> <a href="/trades">Clear</a>
</form>`;
}

function tradeRow(t: ClosedPositionRecord): Html {
  const cls = tone(t.realizedPnl);
  return h`<tr><td>${time(t.closedAt)}</td><td>${t.ticker}</td><td>${t.side}</td><td class="num">${t.quantity.toFixed()}</td>
<td class="num">${formatUsd(t.entryPrice)}</td><td class="num">${formatUsd(t.exitPrice)}</td>
<td class="num ${cls}">${signed(t.realizedPnl)}</td><td class="num ${cls}">${signedPct(t.realizedPnlPct)}</td>
<td>${t.exitReason.replaceAll('_', ' ')}</td><td>${t.strategy ?? '—'}</td><td>${t.signalId ?? '—'}</td></tr>`;
}

/** The count and total P&L of the filtered trades: what `/trades/totals` answers, and what the page loads in place of its placeholder. */
export function totalsFragment(totals: { count: number; realizedPnl: ClosedPositionRecord['realizedPnl'] }): Html {
  return h`<p id="trade-totals">${totals.count.toLocaleString('en-US')} ${totals.count === 1 ? 'trade matches' : 'trades match'}, realized P&amp;L <strong class="${tone(totals.realizedPnl)}">${signed(totals.realizedPnl)}</strong></p>`;
}

export function tradesPage(page: { rows: readonly ClosedPositionRecord[]; nextCursor: string | null }, q: ParsedTradeQuery, context: LayoutContext): Html {
  const totalsUrl = `/trades/totals${filterParams(q)}`;
  const table = h`<table class="trades">
<thead><tr><th>Closed</th><th>Ticker</th><th>Side</th><th class="num">Qty</th><th class="num">Entry</th><th class="num">Exit</th><th class="num">P&amp;L</th><th class="num">%</th><th>Exit reason</th><th>Strategy</th><th>Signal</th></tr></thead>
<tbody>
${page.rows.map(tradeRow)}
</tbody>
</table>`;
  const next = page.nextCursor === null ? '' : h`<a rel="next" href="/trades${filterParams(q, { cursor: page.nextCursor })}">Next page</a>`;
  const first = q.cursor === undefined ? '' : h`<a href="/trades${filterParams(q)}">First page</a>`;
  // hx-boost: the form and the page links swap the page in place and push the address, so Back and a bookmark work.
  return layout(
    'Trades',
    context,
    h`<div hx-boost="true">
<h1>Closed trades</h1>
${filterForm(q)}
<p id="trade-totals" hx-get="${totalsUrl}" hx-trigger="load" hx-swap="outerHTML"><a href="${totalsUrl}">Count and total P&amp;L</a></p>
${page.rows.length === 0 ? h`<p class="muted">No closed trade matches these filters.</p>` : table}
<p class="pager">${first} ${next} <a href="/trades.csv${filterParams(q)}" hx-boost="false" download>Download CSV</a></p>
</div>`,
  );
}

/**
 * The 400 page of a refused filter. htmx swaps no error response in, so a
 * filter form it sent (boosted) would seem to do nothing: it is told to load
 * the address itself, and the browser shows this page.
 */
export function badFilterPage(c: Context, problem: string, context: LayoutContext): Response {
  const url = new URL(c.req.url);
  const headers: Record<string, string> = c.req.header('hx-request') === 'true' ? { 'hx-redirect': `${url.pathname}${url.search}` } : {};
  return c.html(messagePage('Bad filter', `${problem}. Change the filter and try again.`, context), 400, headers);
}

// ---- routes -----------------------------------------------------------------------

export function registerTradeRoutes(app: Hono<Env>, deps: TradeRouteDeps): void {
  const { operator, sessionOf } = deps;

  /** The parsed query, or the answer to a query refused (a 400 that names the field). */
  const parsed = (c: Context, api: boolean): { q: ParsedTradeQuery } | { refused: Response } => {
    const result = parseQuery(tradeQuery, c.req.query());
    if (result.ok) return { q: result.data };
    return { refused: refusal(c, api, result.problem) };
  };
  const refusal = (c: Context, api: boolean, problem: string): Response =>
    api ? c.json({ error: problem }, 400) : badFilterPage(c, problem, { session: sessionOf(c), current: '/trades' });
  /** Runs `fn`; an OperatorError (from after to, a foreign cursor) is the caller's mistake: a 400 that says why. */
  const refusingBadQueries = async (c: Context, api: boolean, fn: () => Promise<Response>): Promise<Response> => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof OperatorError) return refusal(c, api, error.message.replace(/\.$/, ''));
      throw error;
    }
  };

  app.get('/api/trades', async (c) => {
    const p = parsed(c, true);
    if ('refused' in p) return p.refused;
    return refusingBadQueries(c, true, async () => {
      const page = await operator.trades(queryOf(p.q));
      const totals = p.q.totals === undefined ? null : await operator.tradeTotals(filterOf(p.q));
      return c.json({
        trades: page.rows.map(tradeJson),
        next_cursor: page.nextCursor,
        total: totals === null ? null : totals.count,
        realized_pnl: totals === null ? null : totals.realizedPnl.toFixed(),
      });
    });
  });

  app.get('/trades', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const p = parsed(c, false);
    if ('refused' in p) return p.refused;
    return refusingBadQueries(c, false, async () => c.html(tradesPage(await operator.trades(queryOf(p.q)), p.q, { session, current: '/trades' })));
  });

  app.get('/trades/totals', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const p = parsed(c, false);
    if ('refused' in p) return p.refused;
    return refusingBadQueries(c, false, async () => {
      const fragment = totalsFragment(await operator.tradeTotals(filterOf(p.q)));
      // A boosted link (htmx without its placeholder) wants the whole page; the placeholder's own request wants the fragment.
      if (c.req.header('hx-request') === 'true' && c.req.header('hx-boosted') !== 'true') return c.html(fragment);
      return c.html(
        layout(
          'Trade totals',
          { session, current: '/trades' },
          h`<h1>Closed trades</h1>${fragment}<p><a href="/trades${filterParams(p.q)}">Back to the trades</a></p>`,
        ),
      );
    });
  });

  app.get('/trades.csv', async (c) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    const p = parsed(c, false);
    if ('refused' in p) return p.refused;
    const filter = filterOf(p.q);
    return refusingBadQueries(c, false, async () => {
      // The first page is read before answering, so a refused filter is still a 400 page rather than a broken download.
      let page = await operator.trades({ ...filter, limit: CSV_PAGE });
      let header = true;
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        // One page per pull: the stream asks for more only as the client reads, so memory holds one page at most.
        async pull(controller) {
          if (header) {
            header = false;
            controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(',')}\n${page.rows.map(csvLine).join('')}`));
          } else if (page.nextCursor !== null) {
            page = await operator.trades({ ...filter, cursor: page.nextCursor, limit: CSV_PAGE });
            controller.enqueue(encoder.encode(page.rows.map(csvLine).join('')));
          }
          if (page.nextCursor === null) controller.close();
        },
      });
      return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="trades.csv"' });
    });
  });
}

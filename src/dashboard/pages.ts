/**
 * The dashboard's pages, rendered on the server with hono's `html` template:
 * every interpolated string is escaped (a strategy named `<script>` shows as
 * text); only the templates' own markup is raw. Figures arrive as Decimals
 * and are formatted here by the formatters every front end shares.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { formatUsd } from '../domain/money.js';
import type { PositionRecord, TradingState } from '../domain/records.js';
import { price, signed, signedPct } from '../views/format.js';
import { HTMX_PATH, SSE_EXT_PATH, STYLE_PATH } from './assets.js';
import { positionPnlRatio } from './figures.js';

export type Html = HtmlEscapedString;
/** What a template may hold: text (escaped), markup made by `h`, nothing. Numbers must be formatted first. */
type Child = string | Html | null | undefined | false | readonly Child[];

/**
 * `html` with its children typed: nothing here is asynchronous, so the result
 * is always the finished string (hono types it as possibly a promise because
 * a child could be one).
 */
const h = (strings: TemplateStringsArray, ...children: Child[]): Html => html(strings, ...children) as Html;

/** The pages there are, in the order of the nav: only pages that exist are listed. */
const PAGES = [
  { path: '/', title: 'Overview' },
  { path: '/positions', title: 'Positions' },
  { path: '/orders', title: 'Orders' },
  { path: '/signals', title: 'Signals' },
  { path: '/trades', title: 'Trades' },
  { path: '/stats', title: 'Stats' },
  { path: '/backtests', title: 'Backtests' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

/**
 * htmx settings, read from this meta tag (no inline script): no indicator
 * style element (the CSP refuses inline styles), no eval, no script tags in
 * swapped content, requests to this origin only.
 */
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, selfRequestsOnly: true });

/** A hidden field carrying the CSRF token, for forms sent without htmx. */
const csrfField = (csrf: string): Html => h`<input type="hidden" name="_csrf" value="${csrf}">`;

export interface LayoutContext {
  /** Null on the login pages (no nav, no CSRF header). */
  session: { label: string; csrf: string } | null;
  current: PagePath | null;
}

export function layout(title: string, context: LayoutContext, body: Html): Html {
  const { session, current } = context;
  // htmx sends the CSRF token with every request it makes from this page.
  const headers = session ? JSON.stringify({ 'X-CSRF-Token': session.csrf }) : null;
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · catalyst-bot</title>
<link rel="stylesheet" href="${STYLE_PATH}">
<script src="${HTMX_PATH}" defer></script>
</head>
<body${headers ? h` hx-headers="${headers}"` : ''}>
<header><span class="brand">catalyst-bot</span>${
    session ? h`<nav>${PAGES.map((p) => h`<a href="${p.path}"${p.path === current ? h` aria-current="page"` : ''}>${p.title}</a>`)}</nav>` : ''
  }</header>
<main>
${body}
</main>
${session ? h`<footer>Session ${session.label} <form method="post" action="/logout">${csrfField(session.csrf)}<button type="submit">Log out</button></form></footer>` : ''}
</body>
</html>
`;
}

const tone = (d: { isNegative(): boolean; isZero(): boolean }): string => (d.isZero() ? '' : d.isNegative() ? 'down' : 'up');

export function loginPage(problem: string | null): Html {
  return layout(
    'Log in',
    { session: null, current: null },
    h`<h1>Log in</h1>
${problem ? h`<p class="error">${problem}</p>` : ''}
<p>Open the link the bot printed when it started (<code>Dashboard: http://…/login?token=…</code>), or paste its token here.</p>
<form class="login" method="post" action="/login">
<label>Token <input name="token" type="password" autocomplete="off" required autofocus></label>
<button type="submit">Log in</button>
</form>`,
  );
}

export function messagePage(title: string, message: string, context: LayoutContext): Html {
  return layout(title, context, h`<h1>${title}</h1><p>${message}</p>`);
}

/** What each trading state allows, and the actions that lead away from it (the others would change nothing). */
const TRADING_STATES = {
  ACTIVE: { allows: 'Entries and exits are allowed.', actions: ['reduce', 'halt'] },
  REDUCING: { allows: 'Only orders that shrink exposure: closes and partial closes; no entries.', actions: ['resume', 'halt'] },
  HALTED: { allows: 'No new entries; exits still work.', actions: ['resume', 'reduce'] },
} as const;

const STATE_BUTTONS = { halt: { label: 'Halt', cls: 'danger' }, reduce: { label: 'Reduce', cls: 'warn' }, resume: { label: 'Resume', cls: '' } } as const;

/** The trading state and its actions (Halt, Reduce, Resume): the fragment htmx swaps after each of them. */
export function tradingFragment(state: TradingState, csrf: string): Html {
  const { allows, actions } = TRADING_STATES[state.state];
  const stopped = state.state !== 'ACTIVE';
  const since = state.changedBy ? h` <span class="muted">since ${state.changedAt.toISOString()} (${state.changedBy})</span>` : '';
  const button = (name: keyof typeof STATE_BUTTONS) => {
    const { label, cls } = STATE_BUTTONS[name];
    const action = `/actions/${name}`;
    return h`<form method="post" action="${action}" hx-post="${action}" hx-target="#trading" hx-swap="outerHTML">
${csrfField(csrf)}
<button type="submit"${cls ? h` class="${cls}"` : ''}>${label}</button>
</form>`;
  };
  return h`<section id="trading" class="state${stopped ? ` ${state.state.toLowerCase()}` : ''}">
<p><strong>Trading: ${state.state}</strong>${stopped ? h` — ${state.reason ?? 'by an operator'}` : ''}${since}</p>
<p class="muted">${allows}</p>
${actions.map(button)}
</section>`;
}

/** Where the positions page listens for changes, and the name of the event that carries the new fragment. */
export const POSITIONS_STREAM_PATH = '/events/positions';
export const POSITIONS_EVENT = 'positions';

/** The live part of the positions page, its heading (the count) and its table: the stream sends it again after each change. */
export function positionsFragment(positions: readonly PositionRecord[]): Html {
  const rows = positions.map((p) => {
    const pnlClass = tone(p.unrealizedPnl);
    return h`<tr>
<td>${p.ticker}</td><td>${p.side}</td><td class="num">${p.quantity.toFixed()}</td>
<td class="num">${formatUsd(p.entryPrice)}</td><td class="num">${formatUsd(p.currentPrice)}</td>
<td class="num ${pnlClass}">${signed(p.unrealizedPnl)}</td><td class="num ${pnlClass}">${signedPct(positionPnlRatio(p))}</td>
<td class="num">${price(p.stopLossPrice)}</td><td class="num">${price(p.takeProfitPrice)}</td><td>${p.strategy ?? '—'}</td>
</tr>`;
  });
  const table = h`<table>
<thead><tr><th>Ticker</th><th>Side</th><th class="num">Qty</th><th class="num">Entry</th><th class="num">Last</th><th class="num">Unrealized P&amp;L</th><th class="num">%</th><th class="num">Stop</th><th class="num">Target</th><th>Strategy</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return h`<h1>Open positions (${String(positions.length)})</h1>
${positions.length === 0 ? h`<p class="muted">No open positions.</p>` : table}`;
}

export function positionsPage(positions: readonly PositionRecord[], context: LayoutContext): Html {
  // htmx's SSE extension (deferred, so defined before htmx reads the page) opens the stream and swaps each fragment in.
  return layout(
    'Positions',
    context,
    h`<section id="positions" hx-ext="sse" sse-connect="${POSITIONS_STREAM_PATH}" sse-swap="${POSITIONS_EVENT}">
${positionsFragment(positions)}
</section>
<script src="${SSE_EXT_PATH}" defer></script>`,
  );
}

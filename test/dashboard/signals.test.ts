/**
 * The dashboard's signals page, its Approve / Reject actions and
 * /api/signals, over HTTP on a real OperatorService (SQLite in a temp
 * folder, the paper simulator): exactly one order however many clicks,
 * from the web and Discord's path at once; the session, same-origin and
 * CSRF guards; escaping; the JSON's exact decimal strings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardServer } from '../../src/dashboard/DashboardServer.js';
import { dec } from '../../src/domain/money.js';
import { logInOverHttp, submitSignal } from '../helpers/dashboard.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

const TOKEN = 'dashboard-token-0123456789abcdef';
const XSS = '<script>alert(1)</script>';
const XSS_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';
/** Discord's button path calls the service with the clicking user as approver. */
const ALICE = { id: 'discord-user-1', name: 'alice' };

type Harness = Awaited<ReturnType<typeof operatorHarness>>;

describe('the dashboard: signals', () => {
  const newStore = useTempStore();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });

  async function started() {
    const t = await operatorHarness(await newStore());
    const quiet = () => undefined;
    const server = new DashboardServer({ operator: t.app.operator, token: TOKEN, host: '127.0.0.1', port: 0, log: { info: quiet, warn: quiet, error: quiet } });
    const at = await server.listen();
    if (!at) throw new Error('the dashboard did not start');
    cleanup.push(() => server.stop());
    const get = (path: string, init: RequestInit = {}) => fetch(`${at.url}${path}`, { redirect: 'manual', ...init });
    /** Logs in through the printed URL: the session cookie, its CSRF token and its public label. */
    const login = () => logInOverHttp(get, TOKEN);
    /** A POST as the dashboard's own page sends it (same origin), with the given headers added. */
    const post = (path: string, headers: Record<string, string>, body = '') =>
      get(path, { method: 'POST', headers: { origin: at.url, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    /** What htmx sends for a click: the session, the CSRF header, HX-Request. */
    const click = (path: string, session: { cookie: string; csrf: string }) =>
      post(path, { cookie: session.cookie, 'x-csrf-token': session.csrf, 'hx-request': 'true' });
    return { t, get, login, post, click };
  }

  const submit = submitSignal;

  const settle = (t: Harness) => t.app.engine.ledger.serial(async () => undefined);
  const orders = (t: Harness) => t.sim.engine.listOrders({ status: 'all' });

  const CELLS_2 =
    '<td>2026-03-02T15:00:00Z</td><td>sig-2</td><td>buy</td><td>AAPL</td>\n' +
    '<td class="num">$190.00</td><td class="num">$185.00</td><td class="num">$200.00</td>\n' +
    '<td class="num">80%</td><td>momentum</td><td>webhook</td><td>2026-03-02T15:30:00Z</td>';

  it('lists pending signals newest first with Approve / Reject, and decided ones with their outcome', async () => {
    const { t, get, login } = await started();
    const { operator } = t.app;
    await submit(t, 'sig-old', { ticker: 'MSFT', currentPrice: dec(410), stopLossPrice: dec(400), takeProfitPrice: dec(430), signalType: 'breakout' });
    t.sim.clock.advance(60_000);
    await submit(t, 'sig-new');
    // Decided: one executed, one rejected, one expired.
    await submit(t, 'sig-filled');
    expect((await operator.approve('sig-filled', ALICE)).kind).toBe('executed');
    await settle(t);
    t.sim.clock.advance(60_000);
    await submit(t, 'sig-rejected');
    await operator.reject('sig-rejected', ALICE);
    t.sim.clock.advance(60_000);
    await submit(t, 'sig-late');
    t.sim.clock.advance(31 * 60_000);
    expect((await operator.approve('sig-late', ALICE)).kind).toBe('expired');

    const session = await login();
    const res = await get('/signals', { headers: { cookie: session.cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="/signals" aria-current="page">Signals</a>');
    expect(html).toContain('<h2>Pending (2)</h2>');
    const pendingNew = [
      '<tr class="signal pending"><td>2026-03-02T15:01:00Z</td><td>sig-new</td><td>buy</td><td>AAPL</td>',
      '<td class="num">$190.00</td><td class="num">$185.00</td><td class="num">$200.00</td>',
      '<td class="num">80%</td><td>momentum</td><td>webhook</td><td>2026-03-02T15:31:00Z</td>',
      '<td><form method="post" action="/signals/sig-new/approve" hx-target="closest tr" hx-swap="outerHTML">',
      `<input type="hidden" name="_csrf" value="${session.csrf}">`,
      '<button type="submit" hx-post="/signals/sig-new/approve">Approve</button> <button type="submit" class="danger" formaction="/signals/sig-new/reject" hx-post="/signals/sig-new/reject">Reject</button>',
      '</form></td>',
      '</tr>',
    ].join('\n');
    expect(html).toContain(pendingNew);
    expect(html).toContain(
      '<td class="num">$410.00</td><td class="num">$400.00</td><td class="num">$430.00</td>\n<td class="num">80%</td><td>momentum <span class="muted">(breakout)</span></td>',
    );
    expect(html.indexOf('<td>sig-new</td>')).toBeLessThan(html.indexOf('<td>sig-old</td>'));

    const [filled] = orders(t);
    expect(filled?.quantity.toFixed()).toBe('400');
    const decided = html.slice(html.indexOf('<h2>Recently decided</h2>'), html.indexOf('</main>'));
    const outcomes = [...decided.matchAll(/<tr class="signal (\w+)"><td>[^<]*<\/td><td>([^<]+)<\/td>[\s\S]*?<td>([^<]*)<\/td>\n<\/tr>/g)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    expect(outcomes).toEqual([
      ['expired', 'sig-late', 'Expired at 2026-03-02T15:34:00Z: not approved within the time allowed.'],
      ['rejected', 'sig-rejected', 'Rejected by alice at 2026-03-02T15:02:00Z.'],
      ['executed', 'sig-filled', `Approved by alice at 2026-03-02T15:01:00Z: filled, buy 400 AAPL @ $190.00 (order ${filled?.id})`],
    ]);
    // The decided signals have no buttons left.
    expect(decided).not.toContain('<button');
  });

  it('approves with the session and CSRF token: one order, the signal approved by web and the session; a second approve only says so', async () => {
    const { t, click, login } = await started();
    await submit(t, 'sig-2');
    const session = await login();

    const first = await click('/signals/sig-2/approve', session);
    expect(first.status).toBe(200);
    await settle(t);
    const all = orders(t);
    expect(all.map((o) => [o.ticker, o.side, o.quantity.toFixed(), o.status])).toEqual([['AAPL', 'buy', '400', 'filled']]);
    const orderId = all[0]?.id ?? '';
    expect(await first.text()).toBe(
      `<tr class="signal executed">${CELLS_2}\n<td>Approved by web:${session.label} at 2026-03-02T15:00:00Z: filled, buy 400 AAPL @ $190.00 (order ${orderId})</td>\n</tr>`,
    );
    const stored = await t.store.signals.get('sig-2');
    expect([stored?.status, stored?.decidedBy, stored?.orderId]).toEqual(['executed', `web:${session.label}`, orderId]);

    const second = await click('/signals/sig-2/approve', session);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(
      `<tr class="signal executed">${CELLS_2}\n<td>Approved by web:${session.label} at 2026-03-02T15:00:00Z: filled, buy 400 AAPL @ $190.00 (order ${orderId})` +
        `<br><span class="muted">Signal sig-2 was already executed by web:${session.label} at 2026-03-02T15:00:00Z; nothing was done.</span></td>\n</tr>`,
    );
    await settle(t);
    expect(orders(t)).toHaveLength(1);
    // The decision's audit row is the one a Discord click leaves, with web as the approver.
    const audit = (await t.store.audit.listRecent(10)).map((a) => [a.actor, a.actorName, a.action, a.target, a.outcome]).reverse();
    expect(audit).toEqual([
      ['webhook', null, 'signal', 'sig-2', 'ok'],
      ['web', `web:${session.label}`, 'approve', 'sig-2', 'ok'],
    ]);
  });

  it('places one order when the web and a Discord click approve at the same moment', async () => {
    const { t, click, login } = await started();
    await submit(t, 'sig-2');
    const session = await login();
    const [web, discord] = await Promise.all([click('/signals/sig-2/approve', session), t.app.operator.approve('sig-2', ALICE)]);
    expect(web.status).toBe(200);
    const fragment = await web.text();
    await settle(t);
    expect(orders(t)).toHaveLength(1);
    const stored = await t.store.signals.get('sig-2');
    expect(stored?.status).toBe('executed');
    // Whoever won, the other was told it was already decided.
    const webWon = stored?.decidedBy === `web:${session.label}`;
    expect(discord.kind).toBe(webWon ? 'already' : 'executed');
    expect(fragment.includes('; nothing was done.')).toBe(!webWon);
    expect(stored?.decidedBy).toBe(webWon ? `web:${session.label}` : 'alice');
  });

  it('places one order for two web clicks at once (two tabs, a double click)', async () => {
    const { t, click, login } = await started();
    await submit(t, 'sig-2');
    const session = await login();
    const both = await Promise.all([click('/signals/sig-2/approve', session), click('/signals/sig-2/approve', session)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const texts = await Promise.all(both.map((r) => r.text()));
    expect(texts.map((text) => text.includes('; nothing was done.')).sort()).toEqual([false, true]);
    await settle(t);
    expect(orders(t).map((o) => [o.ticker, o.quantity.toFixed()])).toEqual([['AAPL', '400']]);
    expect((await t.store.signals.get('sig-2'))?.status).toBe('executed');
  });

  it('keeps a signal the guard refuses pending, its buttons and the reason in the row', async () => {
    const { t, click, login, post } = await started();
    await submit(t, 'sig-2');
    await t.app.operator.simSetPrice('AAPL', dec(184));
    const session = await login();
    const res = await click('/signals/sig-2/approve', session);
    expect(res.status).toBe(200);
    const row = await res.text();
    expect(row).toMatch(/^<tr class="signal pending">/);
    expect(row).toContain('<button type="submit" hx-post="/signals/sig-2/approve">Approve</button>');
    expect(row).toContain('</form><p class="error">Not approved: AAPL is at $184.00, already through the stop $185.00. The signal stays open.</p></td>');
    // A plain form gets the reason on a page of its own rather than a redirect that would lose it.
    const plain = await post('/signals/sig-2/approve', { cookie: session.cookie }, `_csrf=${encodeURIComponent(session.csrf)}`);
    expect(plain.status).toBe(409);
    expect(await plain.text()).toContain('<h1>Not approved</h1><p>AAPL is at $184.00, already through the stop $185.00. The signal stays open.</p>');
    expect((await t.store.signals.get('sig-2'))?.status).toBe('pending');
    expect(orders(t)).toEqual([]);
  });

  it('shows an approval the executor refused as failed, with its reason', async () => {
    const { t, get, login } = await started();
    await submit(t, 'sig-2');
    await t.app.operator.halt('maintenance', 'console');
    const outcome = await t.app.operator.approve('sig-2', ALICE);
    const session = await login();
    const html = await (await get('/signals', { headers: { cookie: session.cookie } })).text();
    expect([outcome.kind, html.match(/<tr class="signal failed">[\s\S]*?<\/tr>/)?.[0]]).toEqual([
      'failed',
      `<tr class="signal failed">${CELLS_2}\n<td>Approved by alice at 2026-03-02T15:00:00Z, but refused: trading is halted: maintenance</td>\n</tr>`,
    ]);
    expect(orders(t)).toEqual([]);
  });

  it('rejects: the row reads rejected by web and the session, and nothing is sent; a plain form is redirected to the page', async () => {
    const { t, click, login, post } = await started();
    await submit(t, 'sig-2');
    await submit(t, 'sig-3');
    const session = await login();
    const res = await click('/signals/sig-2/reject', session);
    expect([res.status, await res.text()]).toEqual([
      200,
      `<tr class="signal rejected">${CELLS_2}\n<td>Rejected by web:${session.label} at 2026-03-02T15:00:00Z</td>\n</tr>`,
    ]);
    expect((await t.store.signals.get('sig-2'))?.status).toBe('rejected');

    const plain = await post('/signals/sig-3/reject', { cookie: session.cookie }, `_csrf=${encodeURIComponent(session.csrf)}`);
    expect([plain.status, plain.headers.get('location')]).toEqual([303, '/signals']);
    expect((await t.store.signals.get('sig-3'))?.status).toBe('rejected');
    expect(orders(t)).toEqual([]);
  });

  it('refuses an action without the CSRF token, from another site or without a session, and decides nothing', async () => {
    const { t, get, login, post } = await started();
    await submit(t, 'sig-2');
    const session = await login();
    const { cookie, csrf } = session;
    const attempts: [string, Response][] = [
      ['no CSRF token', await post('/signals/sig-2/approve', { cookie })],
      ['a wrong CSRF token', await post('/signals/sig-2/approve', { cookie, 'x-csrf-token': 'x'.repeat(43) })],
      ['a cross-site Origin', await post('/signals/sig-2/approve', { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' })],
      ['a cross-site reject', await post('/signals/sig-2/reject', { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' })],
      [
        'Sec-Fetch-Site cross-site',
        await get('/signals/sig-2/approve', { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' } }),
      ],
      ['no session', await post('/signals/sig-2/approve', { 'x-csrf-token': csrf })],
    ];
    expect(attempts.map(([what, res]) => [what, res.status])).toEqual([
      ['no CSRF token', 403],
      ['a wrong CSRF token', 403],
      ['a cross-site Origin', 403],
      ['a cross-site reject', 403],
      ['Sec-Fetch-Site cross-site', 403],
      ['no session', 401],
    ]);
    // An id no signal can have is refused before the store is asked.
    const malformed = await post(`/signals/${'x'.repeat(65)}/approve`, { cookie, 'x-csrf-token': csrf });
    expect(malformed.status).toBe(404);
    const unknown = await post('/signals/no-such-signal/approve', { cookie, 'x-csrf-token': csrf });
    expect(unknown.status).toBe(404);
    expect((await t.store.signals.get('sig-2'))?.status).toBe('pending');
    expect(orders(t)).toEqual([]);
    expect((await t.store.audit.listRecent(10)).map((a) => a.action)).toEqual(['signal']);
    // GET on an action is not one.
    expect((await get('/signals/sig-2/approve', { headers: { cookie } })).status).toBe(405);
  });

  it('shows a strategy and a signal type named like markup as text, on the page and in the fragment', async () => {
    const { t, get, click, login } = await started();
    await submit(t, 'sig-x', { strategy: XSS, signalType: XSS });
    const session = await login();
    const page = await (await get('/signals', { headers: { cookie: session.cookie } })).text();
    expect(page).toContain(`<td>${XSS_ESCAPED} <span class="muted">(${XSS_ESCAPED})</span></td>`);
    expect(page).not.toContain(XSS);
    const fragment = await (await click('/signals/sig-x/reject', session)).text();
    expect(fragment).toContain(`<td>${XSS_ESCAPED} <span class="muted">(${XSS_ESCAPED})</span></td>`);
    expect(fragment).not.toContain(XSS);
    // The JSON carries the text as it is: JSON is data, not markup.
    const api = (await (await get('/api/signals', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { signals: { strategy: string }[] };
    expect(api.signals.map((s) => s.strategy)).toEqual([XSS]);
  });

  it('answers /api/signals with the Bearer token, amounts as exact decimal strings; 401 without', async () => {
    const { t, get, login } = await started();
    await submit(t, 'sig-2', { confidence: dec('0.825'), currentPrice: dec('190.0'), stopLossPrice: dec('185.125'), positionSizePct: dec('0.05') });
    t.sim.clock.advance(60_000);
    await submit(t, 'sig-3', { strategy: null });
    await t.app.operator.reject('sig-3', ALICE);

    const anonymous = await get('/api/signals');
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { error: 'unauthorized: send Authorization: Bearer <token>, or log in at /login' }]);
    const bearer = { headers: { authorization: `Bearer ${TOKEN}` } };
    const res = await get('/api/signals', bearer);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/json']);
    const pending = {
      signal_id: 'sig-2',
      ticker: 'AAPL',
      action: 'buy',
      entry_price: '190',
      stop_loss: '185.125',
      take_profit: '200',
      confidence: '0.825',
      position_size_pct: '0.05',
      signal_type: null,
      strategy: 'momentum',
      source: 'webhook',
      status: 'pending',
      signal_time: '2026-03-02T15:00:00.000Z',
      received_at: '2026-03-02T15:00:00.000Z',
      expires_at: '2026-03-02T15:30:00.000Z',
      decided_by: null,
      decided_at: null,
      decision_note: null,
      order_id: null,
    };
    const rejected = {
      signal_id: 'sig-3',
      ticker: 'AAPL',
      action: 'buy',
      entry_price: '190',
      stop_loss: '185',
      take_profit: '200',
      confidence: '0.8',
      position_size_pct: null,
      signal_type: null,
      strategy: null,
      source: 'webhook',
      status: 'rejected',
      signal_time: '2026-03-02T15:01:00.000Z',
      received_at: '2026-03-02T15:01:00.000Z',
      expires_at: '2026-03-02T15:31:00.000Z',
      decided_by: 'alice',
      decided_at: '2026-03-02T15:01:00.000Z',
      decision_note: null,
      order_id: null,
    };
    expect(await res.json()).toEqual({ signals: [pending, rejected] });
    expect(await (await get('/api/signals?status=rejected', bearer)).json()).toEqual({ signals: [rejected] });
    const bad = await get('/api/signals?status=nonsense', bearer);
    expect([bad.status, await bad.json()]).toEqual([400, { error: 'status must be one of pending, approved, executed, rejected, expired, failed' }]);
    // The session works for the API too.
    const { cookie } = await login();
    expect((await get('/api/signals', { headers: { cookie } })).status).toBe(200);
  });
});

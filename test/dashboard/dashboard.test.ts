/**
 * The dashboard over HTTP, on a real OperatorService (SQLite in a temp
 * folder, the paper simulator): login and sessions, the Bearer API, the
 * security headers, CSRF and cross-site refusals, Halt / Resume through the
 * service with their audit rows, escaping, and a busy port.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardServer, loginLine } from '../../src/dashboard/DashboardServer.js';
import { SESSION_COOKIE } from '../../src/dashboard/app.js';
import { generateToken } from '../../src/dashboard/security.js';
import { logInOverHttp, openPositions, submitSignal } from '../helpers/dashboard.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

const TOKEN = 'dashboard-token-0123456789abcdef';
const XSS = '<script>alert(1)</script>';
const XSS_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

type Harness = Awaited<ReturnType<typeof operatorHarness>>;

interface Logged {
  level: 'info' | 'warn' | 'error';
  details: Record<string, unknown>;
  message: string;
}

function recordingLog() {
  const lines: Logged[] = [];
  const at = (level: Logged['level']) => (details: Record<string, unknown>, message: string) => lines.push({ level, details, message });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('the dashboard', () => {
  const newStore = useTempStore();
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });

  async function started(t?: Harness) {
    const harness = t ?? (await operatorHarness(await newStore()));
    const { lines, log } = recordingLog();
    const server = new DashboardServer({ operator: harness.app.operator, token: TOKEN, host: '127.0.0.1', port: 0, log });
    const at = await server.listen();
    if (!at) throw new Error(`the dashboard did not start: ${JSON.stringify(lines)}`);
    cleanup.push(() => server.stop());
    const get = (path: string, init: RequestInit = {}) => fetch(`${at.url}${path}`, { redirect: 'manual', ...init });
    /** Logs in through the printed URL; the session cookie as a browser would send it back, and the session's CSRF token. */
    const login = async () => {
      const { cookie, csrf } = await logInOverHttp(get, TOKEN);
      return { cookie, csrf };
    };
    /** A POST as the dashboard's own page sends it (same origin), with the given headers added. */
    const post = (path: string, headers: Record<string, string>, body = '') =>
      get(path, { method: 'POST', headers: { origin: at.url, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    return { t: harness, at, lines, get, login, post };
  }

  /** A bracketed long position of 100 AAPL at 190 marked to 192.37, through the service. */
  async function withPosition(): Promise<Harness> {
    const t = await operatorHarness(await newStore());
    await openPositions(t, [{ ticker: 'AAPL', quantity: 100, stopLoss: '185', takeProfit: '200', mark: '192.37' }]);
    return t;
  }

  it('logs in from the printed URL: an HttpOnly, SameSite=Strict session cookie, and a redirect that drops the token', async () => {
    const { at, get } = await started();
    expect(loginLine(at, TOKEN)).toBe(`Dashboard: http://127.0.0.1:${at.port}/login?token=${TOKEN}`);
    const res = await get(`/login?token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict$`));
    // The cookie is a session id, never the token.
    expect(cookie).not.toContain(TOKEN);
    const page = await get('/', { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Overview</h1>');
    expect(html).not.toContain(TOKEN);
  });

  it('refuses a wrong token with 401 and sends a page without a session to the login', async () => {
    const { get, post } = await started();
    const wrong = await get('/login?token=not-the-token-not-the-token');
    expect([wrong.status, wrong.headers.get('set-cookie')]).toEqual([401, null]);
    expect(await wrong.text()).toContain('That token is not this dashboard’s.');
    for (const path of ['/', '/positions']) {
      const res = await get(path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/login']);
    }
    // A forged cookie is no session.
    const forged = await get('/', { headers: { cookie: `${SESSION_COOKIE}=${TOKEN}` } });
    expect([forged.status, forged.headers.get('location')]).toEqual([303, '/login']);
    // Without a token the login page is a form to paste it; the form logs in too.
    const form = await get('/login');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form class="login" method="post" action="/login">');
    const pasted = await post('/login', {}, `token=${TOKEN}`);
    expect([pasted.status, pasted.headers.get('location')]).toEqual([303, '/']);
    expect(pasted.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
    const pastedWrong = await post('/login', {}, 'token=wrong');
    expect(pastedWrong.status).toBe(401);
  });

  it('answers /api/* with the Bearer token or a session, amounts as exact decimal strings; 401 JSON without', async () => {
    const { get, login } = await started(await withPosition());
    for (const path of ['/api/account', '/api/positions']) {
      const res = await get(path);
      expect([res.status, res.headers.get('content-type'), await res.json()]).toEqual([
        401,
        'application/json',
        { error: 'unauthorized: send Authorization: Bearer <token>, or log in at /login' },
      ]);
      const wrong = await get(path, { headers: { authorization: 'Bearer wrong-token' } });
      expect(wrong.status).toBe(401);
    }
    const bearer = { headers: { authorization: `Bearer ${TOKEN}` } };
    const account = (await (await get('/api/account', bearer)).json()) as Record<string, unknown>;
    expect({ ...account, trading: { ...(account.trading as object), changed_at: 'any' } }).toEqual({
      mode: 'SIM',
      equity: '100237',
      cash: '81000',
      // The simulator's margin account: 2 × equity less the long market value.
      buying_power: '181237',
      last_equity: '100000',
      day_pnl: '237',
      day_pnl_ratio: '0.00237',
      long_market_value: '19237',
      short_market_value: '0',
      trading: { state: 'ACTIVE', reason: null, changed_by: 'system', changed_at: 'any' },
    });
    const positions = (await (await get('/api/positions', bearer)).json()) as { positions: Record<string, unknown>[] };
    expect(positions.positions.map(({ opened_at: _, signal_id: __, ...p }) => p)).toEqual([
      {
        ticker: 'AAPL',
        side: 'long',
        quantity: '100',
        entry_price: '190',
        current_price: '192.37',
        unrealized_pnl: '237',
        unrealized_pnl_ratio: '0.012474',
        stop_loss: '185',
        take_profit: '200',
        strategy: 'manual',
      },
    ]);
    // The session works for the API too.
    const { cookie } = await login();
    expect((await get('/api/positions', { headers: { cookie } })).status).toBe(200);
  });

  it('renders the positions table from the service, formatted', async () => {
    const { get, login } = await started(await withPosition());
    const { cookie } = await login();
    const html = await (await get('/positions', { headers: { cookie } })).text();
    expect(html).toContain('<h1>Open positions (1)</h1>');
    expect(html).toContain(
      [
        '<td>AAPL</td><td>long</td><td class="num">100</td>',
        '<td class="num">$190.00</td><td class="num">$192.37</td>',
        '<td class="num up">+$237.00</td><td class="num up">+1.25%</td>',
        '<td class="num">$185.00</td><td class="num">$200.00</td><td>manual</td>',
      ].join('\n'),
    );
    const overview = await (await get('/', { headers: { cookie } })).text();
    expect(overview).toContain('<div><dt>Equity</dt><dd>$100,237.00</dd></div>');
    expect(overview).toContain('<div><dt>Day P&amp;L</dt><dd class="up">+$237.00 (+0.24%)</dd></div>');
    expect(overview).toContain('<div><dt>Mode</dt><dd>SIM</dd></div>');
    // The nav lists every page, the current one marked.
    expect(overview).toContain(
      '<nav><a href="/" aria-current="page">Overview</a><a href="/positions">Positions</a><a href="/orders">Orders</a><a href="/signals">Signals</a>' +
        '<a href="/trades">Trades</a><a href="/stats">Stats</a><a href="/backtests">Backtests</a></nav>',
    );
  });

  it('sends the security headers on every response, the error pages included', async () => {
    const { get, login } = await started();
    const { cookie } = await login();
    for (const [path, headers] of [
      ['/', { cookie }],
      ['/login', {}],
      ['/api/account', {}],
      ['/no-such-page', {}],
      ['/assets/htmx.min.js', {}],
    ] as const) {
      const res = await get(path, { headers });
      expect([path, res.headers.get('content-security-policy')]).toEqual([
        path,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      ]);
      expect([res.headers.get('x-content-type-options'), res.headers.get('referrer-policy'), res.headers.get('x-frame-options')]).toEqual([
        'nosniff',
        'no-referrer',
        'DENY',
      ]);
    }
    // The page holds no inline script or style: only files the dashboard serves itself, and the chart's data (JSON, never run).
    const html = await (await get('/', { headers: { cookie } })).text();
    expect(html.match(/<script[^>]*>/g)).toEqual([
      '<script src="/assets/htmx.min.js" defer>',
      '<script type="application/json" id="equity-chart">',
      '<script src="/assets/echarts.min.js" defer>',
      '<script src="/assets/charts.js" defer>',
    ]);
    expect(html).not.toMatch(/<style|style=/);
    const htmx = await get('/assets/htmx.min.js');
    expect([htmx.status, htmx.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await htmx.text()).toContain('htmx');
    expect((await get('/assets/dashboard.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('halts, reduces and resumes through the service with the session and its CSRF token, recorded as web and the session', async () => {
    const { t, get, login, post } = await started();
    const { cookie, csrf } = await login();
    const label = /<footer>Session ([0-9a-f]{8}) /.exec(await (await get('/', { headers: { cookie } })).text())?.[1];
    expect(label).toMatch(/^[0-9a-f]{8}$/);

    // htmx: the CSRF token as a header, the answer the new state fragment.
    const halted = await post('/actions/halt', { cookie, 'x-csrf-token': csrf, 'hx-request': 'true' });
    expect(halted.status).toBe(200);
    const fragment = await halted.text();
    expect(fragment).toMatch(/^<section id="trading" class="state halted">/);
    expect(fragment.match(/<button[^>]*>[A-Za-z]+</g)).toEqual(['<button type="submit">Resume<', '<button type="submit" class="warn">Reduce<']);
    const state = await t.store.tradingState.get();
    expect([state.state, state.reason, state.changedBy]).toEqual(['HALTED', `halted from the dashboard (session ${label})`, `web:${label}`]);

    // Reduce: only orders that shrink exposure from now on; Halt and Resume lead away from it.
    const reducing = await (await post('/actions/reduce', { cookie, 'x-csrf-token': csrf, 'hx-request': 'true' })).text();
    expect(reducing).toMatch(/^<section id="trading" class="state reducing">/);
    expect(reducing).toContain('Only orders that shrink exposure: closes and partial closes; no entries.');
    expect(reducing.match(/<button[^>]*>[A-Za-z]+</g)).toEqual(['<button type="submit">Resume<', '<button type="submit" class="danger">Halt<']);
    expect((await t.store.tradingState.get()).state).toBe('REDUCING');

    // A plain form: the CSRF token as a field, the answer a redirect to the overview.
    const resumed = await post('/actions/resume', { cookie }, `_csrf=${encodeURIComponent(csrf)}`);
    expect([resumed.status, resumed.headers.get('location')]).toEqual([303, '/']);
    expect((await t.store.tradingState.get()).state).toBe('ACTIVE');

    const audit = (await t.store.audit.listRecent(10)).map((a) => [a.actor, a.actorName, a.action, a.outcome, a.details]).reverse();
    expect(audit).toEqual([
      [`web:${label}`, null, 'halt', 'ok', { reason: `halted from the dashboard (session ${label})` }],
      ['web', `session ${label}`, 'POST /actions/halt', 'ok', { changed: true, state: 'HALTED' }],
      [`web:${label}`, null, 'reduce', 'ok', { reason: `reducing from the dashboard (session ${label})` }],
      ['web', `session ${label}`, 'POST /actions/reduce', 'ok', { changed: true, state: 'REDUCING' }],
      [`web:${label}`, null, 'resume', 'ok', null],
      ['web', `session ${label}`, 'POST /actions/resume', 'ok', { changed: true, state: 'ACTIVE' }],
    ]);
  });

  it('refuses a POST without the CSRF token, from another site, or without a session', async () => {
    const { t, at, login, post, get } = await started();
    const { cookie, csrf } = await login();
    const attempts: [string, Response][] = [
      ['no CSRF token', await post('/actions/halt', { cookie })],
      ['a wrong CSRF token', await post('/actions/halt', { cookie, 'x-csrf-token': 'x'.repeat(43) })],
      ['a cross-site Origin', await post('/actions/halt', { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' })],
      ['a null Origin', await post('/actions/halt', { cookie, 'x-csrf-token': csrf, origin: 'null' })],
      ['Sec-Fetch-Site cross-site', await get('/actions/halt', { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' } })],
      ['a login from another site', await post('/login', { origin: 'https://evil.example' }, `token=${TOKEN}`)],
    ];
    expect(attempts.map(([what, res]) => [what, res.status])).toEqual(attempts.map(([what]) => [what, 403]));
    const noSession = await post('/actions/halt', { 'x-csrf-token': csrf });
    expect(noSession.status).toBe(401);
    // Another session's CSRF token does not open this one.
    const other = await login();
    expect((await post('/actions/halt', { cookie, 'x-csrf-token': other.csrf })).status).toBe(403);
    expect((await t.store.tradingState.get()).state).toBe('ACTIVE');
    expect(await t.store.audit.listRecent(10)).toEqual([]);
    // A same-origin request without Origin (Sec-Fetch-Site same-origin) passes.
    const same = await get('/actions/halt', { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'same-origin' } });
    expect(same.status).toBe(303);
    expect((await t.store.tradingState.get()).state).toBe('HALTED');
    expect(at.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('shows text from signals and operators escaped', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    const signal = await submitSignal(t, 'xss-1', { strategy: XSS });
    const outcome = await operator.approve(signal.signalId, { id: 'console', name: 'console' });
    expect(outcome.kind).toBe('executed');
    await t.app.engine.ledger.serial(async () => undefined);
    await operator.halt(XSS, `<b>${XSS}</b>`);
    const { get, login } = await started(t);
    const { cookie } = await login();
    const positions = await (await get('/positions', { headers: { cookie } })).text();
    expect(positions).toContain(`<td>${XSS_ESCAPED}</td>`);
    const overview = await (await get('/', { headers: { cookie } })).text();
    expect(overview).toContain(`<strong>Trading: HALTED</strong> — ${XSS_ESCAPED}`);
    expect(overview).toContain(`(&lt;b&gt;${XSS_ESCAPED}&lt;/b&gt;)`);
    for (const html of [positions, overview]) expect(html).not.toContain(XSS);
    // The JSON carries the text as it is: JSON is data, not markup.
    const api = (await (await get('/api/positions', { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { positions: { strategy: string }[] };
    expect(api.positions.map((p) => p.strategy)).toEqual([XSS]);
  });

  it('logs out with the session and its CSRF token: the cookie no longer opens a page', async () => {
    const { get, login, post } = await started();
    const { cookie, csrf } = await login();
    expect((await post('/logout', { cookie })).status).toBe(403);
    const out = await post('/logout', { cookie }, `_csrf=${encodeURIComponent(csrf)}`);
    expect([out.status, out.headers.get('location')]).toEqual([303, '/login']);
    expect(out.headers.get('set-cookie')).toBe(`${SESSION_COOKIE}=; Max-Age=0; Path=/`);
    const after = await get('/', { headers: { cookie } });
    expect([after.status, after.headers.get('location')]).toEqual([303, '/login']);
  });

  it('warns in one line and starts nothing when the port is taken; the caller goes on', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    const t = await operatorHarness(await newStore());
    const { lines, log } = recordingLog();
    const server = new DashboardServer({ operator: t.app.operator, token: TOKEN, host: '127.0.0.1', port, log });
    expect(await server.listen()).toBeNull();
    expect(lines).toEqual([
      {
        level: 'warn',
        details: {},
        message: `the dashboard cannot listen on 127.0.0.1:${port}: port ${port} is already in use (DASHBOARD_PORT; \`off\` disables the dashboard); the bot runs on without the dashboard`,
      },
    ]);
    await server.stop();
  });

  it('generates a login token of 32 URL-safe characters, new at each start', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateToken()).not.toBe(a);
  });
});

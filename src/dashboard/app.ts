/**
 * The dashboard's routes over the application core: pages for people (a
 * session cookie opened by the login token), `/api/*` JSON for programs (the
 * token as a Bearer header, or the session), and POST actions (the session,
 * a same-origin request and the session's CSRF token, all three). Every
 * figure comes from OperatorService; every action goes through it.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { HaltResult, OperatorService } from '../app/OperatorService.js';
import type { EventLog } from '../logger.js';
import { HTMX_PATH, htmxScript, STYLE_PATH, STYLES } from './assets.js';
import { accountJson, positionJson } from './figures.js';
import { type LayoutContext, loginPage, messagePage, positionsPage, tradingFragment } from './pages.js';
import { registerOverviewRoutes } from './overview.js';
import { registerStatsRoutes } from './stats.js';
import { registerBacktestRoutes } from './backtests.js';
import { SECURITY_HEADERS, sameOrigin, sameSecret, type Session, SESSION_TTL_MS, Sessions } from './security.js';
import { registerSignalRoutes } from './signals.js';
import { registerLiveRoutes } from './live.js';
import { registerOrderRoutes } from './orders.js';
import { registerTradeRoutes } from './trades.js';

/** What the dashboard needs of the application. */
export type DashboardOperator = Pick<
  OperatorService,
  'account' | 'positions' | 'halt' | 'resume' | 'audit' | 'signals' | 'approve' | 'reject' | 'recordedOrder' | 'openPositions' | 'onTradingEvent'
> &
  Pick<OperatorService, 'overview' | 'equity' | 'stats' | 'pnlBreakdown' | 'calibration' | 'backtestRuns' | 'backtestRun' | 'backtestChartPng'> &
  Pick<OperatorService, 'trades' | 'tradeTotals' | 'orderBook'>;

export interface DashboardAppOptions {
  operator: DashboardOperator;
  /** The login token (DASHBOARD_TOKEN or generated at start). */
  token: string;
  log: EventLog;
  now?: () => Date;
  sessions?: Sessions;
  /** REPORTS_DIR, where the backtests page finds the runs; absent, it has none to show. */
  reportsDir?: string;
}

export const SESSION_COOKIE = 'catalyst_session';
export const CSRF_HEADER = 'x-csrf-token';
/** Forms are a token or a CSRF field: anything bigger is not ours. */
const MAX_FORM_BYTES = 16 * 1024;

type Env = { Variables: { session: Session } };

const loginQuery = z.object({ token: z.string().max(512).optional() });
const loginForm = z.object({ token: z.string().min(1).max(512) });
const actionForm = z.object({ _csrf: z.string().max(512).optional() });

/** The form body as plain strings (a file field is dropped: no form here has one). */
async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

export function createDashboardApp(options: DashboardAppOptions): Hono<Env> {
  const { operator, token, log } = options;
  const now = options.now ?? (() => new Date());
  const sessions = options.sessions ?? new Sessions(() => now().getTime());
  const app = new Hono<Env>();

  const sessionOf = (c: Context): Session | null => sessions.find(getCookie(c, SESSION_COOKIE));
  const pageContext = (session: Session, current: LayoutContext['current']): LayoutContext & { session: Session } => ({ session, current });
  const fromThisSite = (c: Context) => sameOrigin({ origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site'), host: c.req.header('host') });

  // Every response, the error pages included, carries the security headers; none is cached.
  app.use('*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });

  app.onError((error, c) => {
    log.error({ err: error, path: c.req.path }, 'dashboard request failed');
    return c.req.path.startsWith('/api/')
      ? c.json({ error: 'internal error' }, 500)
      : c.html(messagePage('Error', 'Something went wrong; the log says what.', { session: null, current: null }), 500);
  });

  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: 'not found' }, 404)
      : c.html(messagePage('Not found', 'There is no such page.', { session: null, current: null }), 404),
  );

  const formLimit = bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.text('form too large', 413) });

  // ---- public: the assets and the login ------------------------------------

  app.get(STYLE_PATH, (c) => c.body(STYLES, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600' }));
  app.get(HTMX_PATH, async (c) => c.body(await htmxScript(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' }));

  const logIn = (c: Context): Response => {
    const session = sessions.open();
    setCookie(c, SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: SESSION_TTL_MS / 1000 });
    log.info({ session: session.label }, 'dashboard login');
    // 303: the browser follows with a GET, and the token leaves the address bar and the history.
    return c.redirect('/', 303);
  };

  const refused = (c: Context) => {
    log.warn({ path: c.req.path }, 'dashboard login refused: wrong token');
    return c.html(loginPage('That token is not this dashboard’s. Use the link the bot printed at its last start.'), 401);
  };

  app.get('/login', (c) => {
    const query = loginQuery.safeParse(c.req.query());
    if (!query.success) return c.html(loginPage('The login link is malformed.'), 400);
    const presented = query.data.token;
    if (presented === undefined || presented === '') return c.html(loginPage(null));
    return sameSecret(presented, token) ? logIn(c) : refused(c);
  });

  app.post('/login', formLimit, async (c) => {
    // A login forged from another site would put the victim in the attacker's session.
    if (!fromThisSite(c)) return c.html(messagePage('Refused', 'A login from another site is refused.', { session: null, current: null }), 403);
    const form = loginForm.safeParse(await formFields(c));
    if (!form.success) return c.html(loginPage('Paste the token.'), 400);
    return sameSecret(form.data.token, token) ? logIn(c) : refused(c);
  });

  // ---- JSON for programs: the Bearer token or the session -------------------

  app.use('/api/*', async (c, next) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const ok = bearer !== undefined ? sameSecret(bearer, token) : sessionOf(c) !== null;
    if (!ok) return c.json({ error: 'unauthorized: send Authorization: Bearer <token>, or log in at /login' }, 401, { 'www-authenticate': 'Bearer' });
    await next();
  });

  app.get('/api/account', async (c) => c.json(accountJson(await operator.account())));
  app.get('/api/positions', async (c) => c.json({ positions: (await operator.positions()).map(positionJson) }));

  // ---- actions: the session, this site, and the session's CSRF token --------

  const guardPost = createMiddleware<Env>(async (c, next) => {
    if (c.req.method !== 'POST') return c.text('use POST', 405, { allow: 'POST' });
    if (!fromThisSite(c)) return c.html(messagePage('Refused', 'A request from another site is refused.', { session: null, current: null }), 403);
    const session = sessionOf(c);
    if (!session) return c.html(loginPage('Log in first.'), 401);
    const form = actionForm.safeParse(await formFields(c));
    const presented = c.req.header(CSRF_HEADER) ?? (form.success ? form.data._csrf : undefined);
    if (presented === undefined || !sameSecret(presented, session.csrf)) {
      log.warn({ path: c.req.path, session: session.label }, 'dashboard action refused: missing or wrong CSRF token');
      return c.html(messagePage('Refused', 'This form is out of date: reload the page and try again.', pageContext(session, null)), 403);
    }
    c.set('session', session);
    await next();
  });

  app.use('/actions/*', formLimit, guardPost);
  app.use('/logout', formLimit, guardPost);

  app.post('/logout', (c) => {
    sessions.close(c.get('session').id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  /**
   * Runs a trading-state action as `web:<session>` (the name the trading
   * state and its own audit row keep) and records the request itself in the
   * audit log, as the dispatcher does for a command; then answers htmx with
   * the new state fragment, a plain form with a redirect to the overview.
   */
  const stateAction = (name: 'halt' | 'reduce' | 'resume') => async (c: Context<Env>) => {
    const session = c.get('session');
    const actor = `web:${session.label}`;
    const audit = (outcome: 'ok' | 'error', details: Record<string, unknown>) =>
      operator.audit({ at: now(), actor: 'web', actorName: `session ${session.label}`, action: `POST /actions/${name}`, outcome, details });
    let result: HaltResult;
    try {
      result =
        name === 'resume'
          ? await operator.resume(actor)
          : await operator.halt(
              `${name === 'halt' ? 'halted' : 'reducing'} from the dashboard (session ${session.label})`,
              actor,
              name === 'halt' ? 'halted' : 'reducing',
            );
    } catch (error) {
      await audit('error', { error: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
      throw error;
    }
    await audit('ok', { changed: result.changed, state: result.trading.state });
    log.info({ session: session.label, changed: result.changed }, `dashboard ${name}`);
    if (c.req.header('hx-request') === 'true') return c.html(tradingFragment(result.trading, session.csrf));
    return c.redirect('/', 303);
  };

  app.post('/actions/halt', stateAction('halt'));
  app.post('/actions/reduce', stateAction('reduce'));
  app.post('/actions/resume', stateAction('resume'));

  // ---- pages: the session, else the login ----------------------------------

  const page = (current: LayoutContext['current'], render: (session: Session) => Promise<string>) => async (c: Context) => {
    const session = sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    return c.html(await render(session));
  };

  registerOverviewRoutes(app, { operator, sessionOf });
  app.get(
    '/positions',
    page('/positions', async (session) => positionsPage(await operator.positions(), pageContext(session, '/positions'))),
  );

  registerSignalRoutes(app, { operator, log, guard: [formLimit, guardPost], sessionOf });
  registerLiveRoutes(app, { operator, log, sessionOf });
  registerOrderRoutes(app, { operator, sessionOf });
  registerTradeRoutes(app, { operator, sessionOf });
  registerStatsRoutes(app, { operator, sessionOf });
  registerBacktestRoutes(app, { operator, reportsDir: options.reportsDir ?? null, sessionOf });

  return app;
}

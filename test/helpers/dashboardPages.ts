/**
 * The dashboard over HTTP for the page tests (overview, stats, backtests):
 * started on a free loopback port over a harness's OperatorService, with an
 * optional reports folder, logged in, stopped after the test; and the chart
 * options a page carries, read back as the browser reads them.
 */
import { dec, ZERO } from '../../src/domain/money.js';
import type { Store } from '../../src/db/index.js';
import type { ClosedPositionRecord } from '../../src/domain/records.js';
import { DASHBOARD_TOKEN, logInOverHttp, useDashboard } from './dashboard.js';
import type { OperatorHarness } from '../operator/appHarness.js';

export interface PagesClient {
  url: string;
  /** The session cookie, as the browser sends it back. */
  cookie: string;
  /** A GET (or any request) without credentials, redirects not followed. */
  get(path: string, init?: RequestInit): Promise<Response>;
  /** A GET as the logged-in browser (more headers may be added). */
  page(path: string, headers?: Record<string, string>): Promise<Response>;
  /** A GET with the Bearer token. */
  api(path: string): Promise<Response>;
}

export function useDashboardPages(): (t: OperatorHarness, options?: { reportsDir?: string }) => Promise<PagesClient> {
  const startDashboard = useDashboard();
  return async (t, options = {}) => {
    const { at } = await startDashboard(t, options);
    const get = (path: string, init: RequestInit = {}) => fetch(`${at.url}${path}`, { redirect: 'manual', ...init });
    const { cookie } = await logInOverHttp(get, DASHBOARD_TOKEN);
    return {
      url: at.url,
      cookie,
      get,
      page: (path, headers = {}) => get(path, { headers: { cookie, ...headers } }),
      api: (path) => get(path, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } }),
    };
  };
}

/** The option in a page's `<script type="application/json" id=ID>` block, parsed as the page script parses it. */
export function chartOptionIn(html: string, id: string): unknown {
  const block = new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`).exec(html);
  if (!block?.[1]) throw new Error(`no chart block ${id} in the page`);
  return JSON.parse(block[1]) as unknown;
}

/** What JSON makes of a value: the shape an option has once it reached the page. */
export const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** Records trading day `day`'s end-of-day equity. */
export function recordClose(store: Store, day: string, equity: string): Promise<void> {
  return store.equity.record({
    takenAt: new Date(`${day}T21:00:00Z`),
    tradingDay: day,
    kind: 'eod',
    equity: dec(equity),
    cash: dec(equity),
    positionsValue: ZERO,
    unrealizedPnl: ZERO,
    realizedPnlDay: ZERO,
    openPositions: 0,
  });
}

/** A trade closed `daysAgo` days before the simulator's now, held one hour. */
export function closedTradeDaysAgo(
  t: OperatorHarness,
  id: string,
  ticker: string,
  strategy: string | null,
  pnl: string,
  daysAgo: number,
): ClosedPositionRecord {
  const closedAt = new Date(t.sim.clock.now().getTime() - daysAgo * 86_400_000);
  return {
    positionId: id,
    ticker,
    side: 'long',
    quantity: dec(10),
    entryPrice: dec(100),
    exitPrice: dec(100).plus(dec(pnl).div(10)),
    realizedPnl: dec(pnl),
    realizedPnlPct: dec(pnl).div(1000),
    exitReason: 'manual',
    signalId: `sig-${id}`,
    strategy,
    exitOrderId: null,
    entryOrderId: null,
    openedAt: new Date(closedAt.getTime() - 3_600_000),
    closedAt,
  };
}

/** A backtest run's summary.json as the backtester writes it. */
export const BACKTEST_SUMMARY = {
  start: '2026-03-02',
  end: '2026-03-06',
  starting_cash: '100000',
  ending_equity: '101250.5',
  total_return_pct: '1.2505',
  cagr_pct: '150.25',
  sharpe: '2.1',
  sortino: '3.4',
  max_drawdown: '1000',
  max_drawdown_pct: '0.99',
  trades: 4,
  open_positions: 0,
  win_rate: '0.75',
  profit_factor: '3.5',
  exposure_pct: '42.5',
  bars: 120,
  signals: 5,
  signals_refused: 1,
};

/** A run's equity.csv: four days, a 1% dip on the third. */
export const BACKTEST_EQUITY_CSV =
  'timestamp,equity\n2026-03-02T00:00:00.000Z,100000\n2026-03-03T00:00:00.000Z,101000\n2026-03-04T00:00:00.000Z,100000\n2026-03-05T21:00:00.000Z,101250.5\n';

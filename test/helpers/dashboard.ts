/**
 * The dashboard on a free loopback port over a real OperatorService (SQLite
 * in a temp folder, the in-process paper simulator), stopped after the test.
 */
import { afterEach } from 'vitest';
import type { DashboardOperator } from '../../src/dashboard/app.js';
import { type DashboardAddress, DashboardServer, loginLine } from '../../src/dashboard/DashboardServer.js';
import { dec } from '../../src/domain/money.js';
import type { StoredSignal } from '../../src/domain/records.js';
import type { TradingSignal } from '../../src/domain/signal.js';
import type { OperatorHarness } from '../operator/appHarness.js';

export const DASHBOARD_TOKEN = 'dashboard-token-0123456789abcdef';

export interface StartedDashboard {
  at: DashboardAddress;
  /** The URL from the line `npm start` prints. */
  loginUrl: string;
}

/** Starts dashboards (over a harness's, or a Discord bot's, service) that are stopped after each test; one that cannot start fails the test with what it logged. */
export function useDashboard(): (t: { app: { operator: DashboardOperator } }, options?: { reportsDir?: string }) => Promise<StartedDashboard> {
  const servers: DashboardServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0).reverse()) await server.stop();
  });
  return async (t, options = {}) => {
    const logged: string[] = [];
    const line = (details: Record<string, unknown>, message: string) => logged.push(`${message} ${JSON.stringify(details)}`);
    const server = new DashboardServer({
      operator: t.app.operator,
      token: DASHBOARD_TOKEN,
      host: '127.0.0.1',
      port: 0,
      log: { info: line, warn: line, error: line },
      ...(options.reportsDir !== undefined ? { reportsDir: options.reportsDir } : {}),
    });
    const at = await server.listen();
    if (!at) throw new Error(`the dashboard did not start: ${logged.join('; ')}`);
    servers.push(server);
    const loginUrl = loginLine(at, DASHBOARD_TOKEN).replace(/^Dashboard: /, '');
    return { at, loginUrl };
  };
}

export interface OpenedPosition {
  ticker: string;
  quantity: number;
  stopLoss: string;
  takeProfit: string;
  /** The price the simulator marks the position to after the fill. */
  mark: string;
}

/** Opens bracketed long positions through the service at the simulator's prices, then marks each one; returns when the ledger has settled. */
export async function openPositions(t: OperatorHarness, positions: readonly OpenedPosition[]): Promise<void> {
  const { operator } = t.app;
  for (const [i, p] of positions.entries()) {
    await operator.placeOrder(
      await operator.prepareOrder({
        side: 'buy',
        ticker: p.ticker,
        quantity: dec(p.quantity),
        type: 'market',
        limitPrice: null,
        stopLoss: dec(p.stopLoss),
        takeProfit: dec(p.takeProfit),
        requestId: `browser-${i}`,
      }),
    );
    await t.app.engine.ledger.serial(async () => undefined);
  }
  for (const p of positions) {
    await operator.simSetPrice(p.ticker, dec(p.mark));
    await t.app.engine.ledger.serial(async () => undefined);
  }
}

/** A long AAPL signal at the simulator's price (190), stop 185, target 200, submitted as the webhook would; `changes` override any field. */
export async function submitSignal(t: OperatorHarness, signalId: string, changes: Partial<TradingSignal> = {}): Promise<StoredSignal> {
  const signal: TradingSignal = {
    signalId,
    ticker: 'AAPL',
    timestamp: t.sim.clock.now(),
    action: 'buy',
    confidence: dec('0.8'),
    currentPrice: dec(190),
    stopLossPrice: dec(185),
    takeProfitPrice: dec(200),
    positionSizePct: null,
    signalType: null,
    strategy: 'momentum',
    ...changes,
  };
  return (await t.app.operator.submitSignal(signal, 'webhook', 'webhook')).signal;
}

/** A GET or POST against a started dashboard, redirects not followed. */
export type DashboardFetch = (path: string, init?: RequestInit) => Promise<Response>;

/** Logs in through the printed URL as a browser would: the session cookie to send back, its CSRF token and its public label. */
export async function logInOverHttp(get: DashboardFetch, token: string): Promise<{ cookie: string; csrf: string; label: string }> {
  const res = await get(`/login?token=${token}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await (await get('/', { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const label = /<footer>Session ([0-9a-f]{8}) /.exec(page)?.[1] ?? '';
  return { cookie, csrf, label };
}

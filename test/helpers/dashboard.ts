/**
 * The dashboard on a free loopback port over a real OperatorService (SQLite
 * in a temp folder, the in-process paper simulator), stopped after the test.
 */
import { afterEach } from 'vitest';
import { type DashboardAddress, DashboardServer, loginLine } from '../../src/dashboard/DashboardServer.js';
import { dec } from '../../src/domain/money.js';
import type { OperatorHarness } from '../operator/appHarness.js';

export const DASHBOARD_TOKEN = 'dashboard-token-0123456789abcdef';

export interface StartedDashboard {
  at: DashboardAddress;
  /** The URL from the line `npm start` prints. */
  loginUrl: string;
}

/** Starts dashboards that are stopped after each test; a dashboard that cannot start fails the test with what it logged. */
export function useDashboard(): (t: OperatorHarness) => Promise<StartedDashboard> {
  const servers: DashboardServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0).reverse()) await server.stop();
  });
  return async (t) => {
    const logged: string[] = [];
    const line = (details: Record<string, unknown>, message: string) => logged.push(`${message} ${JSON.stringify(details)}`);
    const server = new DashboardServer({
      operator: t.app.operator,
      token: DASHBOARD_TOKEN,
      host: '127.0.0.1',
      port: 0,
      log: { info: line, warn: line, error: line },
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

/**
 * The dashboard's HTTP server: binds its port while the bot starts, prints
 * the login URL, closes on shutdown. The dashboard is on by default, so a
 * port it cannot bind (another bot, another program) costs only the
 * dashboard: one warning line, and the bot runs on without it.
 */
import { closeServer, listenProblem } from '../httpServers.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { EventLog } from '../logger.js';
import { createDashboardApp, type DashboardOperator } from './app.js';

export interface DashboardServerOptions {
  operator: DashboardOperator;
  token: string;
  host: string;
  /** 0: a free port. */
  port: number;
  log: EventLog;
  now?: () => Date;
  /** REPORTS_DIR, where the backtests page finds the runs. */
  reportsDir?: string;
}

export interface DashboardAddress {
  host: string;
  port: number;
  /** `http://HOST:PORT`, an IPv6 host in brackets. */
  url: string;
}

/** Why the port could not be bound, naming the setting to change. */
function dashboardListenProblem(error: unknown, host: string, port: number): string {
  const why = listenProblem(error, host, port, { portVar: 'DASHBOARD_PORT', hostVar: 'DASHBOARD_HOST', portHint: '`off` disables the dashboard' });
  return `the dashboard cannot listen on ${host}:${port}: ${why}`;
}

export class DashboardServer {
  private server: Server | null = null;

  constructor(private readonly options: DashboardServerOptions) {}

  /** Binds the port and serves at once. Null when it cannot: the reason is logged as one warning. */
  async listen(): Promise<DashboardAddress | null> {
    const { operator, token, log, now, host, port, reportsDir } = this.options;
    const app = createDashboardApp({ operator, token, log, ...(now ? { now } : {}), ...(reportsDir !== undefined ? { reportsDir } : {}) });
    // overrideGlobalObjects: false keeps the process's own Request and Response (the bot's HTTP clients use them).
    const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      server.close();
      log.warn({}, `${dashboardListenProblem(error, host, port)}; the bot runs on without the dashboard`);
      return null;
    }
    server.on('error', (error) => log.error({ err: error }, 'dashboard server error'));
    this.server = server;
    const address = server.address() as AddressInfo;
    const shown = address.address.includes(':') ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `http://${shown}:${address.port}` };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await closeServer(server);
  }
}

/** The line `npm start` prints: the URL that logs in (the token leaves the address bar at once). */
export function loginLine(address: DashboardAddress, token: string): string {
  return `Dashboard: ${address.url}/login?token=${encodeURIComponent(token)}`;
}

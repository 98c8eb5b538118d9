/**
 * What the bot's HTTP servers (the signal webhook, the dashboard) share: why
 * a port could not be bound, in one line naming the setting to change, and
 * a shutdown that does not wait for idle keep-alive connections.
 */
import type { Server } from 'node:http';

export interface ListenSettings {
  /** The variables that set the port and the host, e.g. `WEBHOOK_PORT`, `WEBHOOK_HOST`. */
  portVar: string;
  hostVar: string;
  /** Added to the busy-port reason, e.g. "`off` disables the dashboard". */
  portHint?: string;
}

export function listenProblem(error: unknown, host: string, port: number, settings: ListenSettings): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const portNote = settings.portHint === undefined ? settings.portVar : `${settings.portVar}; ${settings.portHint}`;
  if (code === 'EADDRINUSE') return `port ${port} is already in use (${portNote})`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine (${settings.hostVar})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${host} does not resolve to an address (${settings.hostVar})`;
  if (code === 'EACCES') return `permission denied for port ${port} (ports below 1024 need privileges)`;
  return error instanceof Error ? error.message : String(error);
}

/** Closes a server now: open connections (keep-alive ones included) are dropped, not waited for. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

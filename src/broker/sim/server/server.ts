/**
 * The simulator served as an Alpaca-compatible API on 127.0.0.1: trading
 * REST, the market-data endpoints the adapter uses, the trade_updates
 * WebSocket and the market-data WebSocket, all on one port (market data
 * lives under /v2/stocks, the trade stream under /stream, the market-data
 * stream under /v2/iex, /v2/sip and /v2/delayed_sip). The official SDK pointed at these URLs works
 * unchanged; tests inject faults through `faults`, people through
 * /admin/faults (see admin.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlpacaCode, type SimEngineApi, SimRejection } from '../api.js';
import { historyOf, type SimHistory } from '../history.js';
import { ADMIN_PREFIX, handleAdmin } from './admin.js';
import { barRoutes } from './bars.js';
import { FaultInjector } from './faults.js';
import { MarketDataStreams } from './marketDataStream.js';
import { createRoutes, matchRoute, type Reply } from './routes.js';
import { STREAM_PATH, TradeUpdateStreams } from './stream.js';
import { BODY_FORMAT_INVALID, errorJson } from './wire.js';

export interface SimServerOptions {
  /** The key id and secret every request (APCA-API-KEY-ID / APCA-API-SECRET-KEY) and stream login must carry. */
  keyId: string;
  secret: string;
  /** Default 0: a free port. */
  port?: number;
  /** The bars /v2/stocks/bars serves; default: the engine's synthetic history. */
  history?: SimHistory;
}

export interface SimServerUrls {
  /** Trading REST base, for `trading.Configuration({ basePath })`. */
  tradingUrl: string;
  /** Market-data REST base, for `marketData.Configuration({ basePath })`. */
  dataUrl: string;
  /** trade_updates WebSocket, for `new streaming.TradingStream({ url })`. */
  streamUrl: string;
  /** Market-data WebSocket (the iex feed), for `new streaming.StockDataStream({ url })`. */
  dataStreamUrl: string;
}

export interface SimServer {
  start(): Promise<SimServerUrls>;
  /** Closes every connection, hung ones and streams included. */
  stop(): Promise<void>;
  readonly faults: FaultInjector;
  /** Authorized requests received whose path starts with `pathPrefix` (all when omitted). */
  requestCount(pathPrefix?: string): number;
  resetRequestCount(): void;
  /** Same as `faults.dropStream()`: terminates every open stream connection. */
  dropStreams(): void;
  /** Terminates every open market-data connection (the client sees 1006 and reconnects). */
  dropMarketData(): void;
}

/** Alpaca's documented ceiling, reported in X-RateLimit-* headers (not enforced; faults do that). */
const RATE_LIMIT_PER_MINUTE = 200;
const MAX_BODY_BYTES = 1 << 20;
const BODY_METHODS = new Set(['POST', 'PATCH', 'PUT']);

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new SimRejection(413, BODY_FORMAT_INVALID, 'request body is too large');
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new SimRejection(400, BODY_FORMAT_INVALID, 'request body format is invalid');
  }
}

export function createSimServer(engine: SimEngineApi, options: SimServerOptions): SimServer {
  const routes = [...createRoutes(engine), ...barRoutes(options.history ?? historyOf(engine), () => engine.clock().timestamp)];
  const streams = new TradeUpdateStreams({ keyId: options.keyId, secret: options.secret, links: (id) => engine.replacementOf(id) });
  const faults = new FaultInjector(() => streams.dropAll());
  const marketData = new MarketDataStreams({ keyId: options.keyId, secret: options.secret });
  let unsubscribePrices: (() => void) | null = null;
  const counted: string[] = [];
  let window = { startedAt: Date.now(), count: 0 };
  let unsubscribe: (() => void) | null = null;

  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, { status: 500, body: errorJson(AlpacaCode.Internal, 'internal server error occurred') });
      else res.destroy();
    });
  });
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (MarketDataStreams.serves(path)) marketData.handleUpgrade(req, socket, head);
    else streams.handleUpgrade(req, socket, head);
  });

  function rateHeaders(): Record<string, string> {
    const now = Date.now();
    if (now - window.startedAt >= 60_000) window = { startedAt: now, count: 0 };
    window.count += 1;
    return {
      'x-ratelimit-limit': String(RATE_LIMIT_PER_MINUTE),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT_PER_MINUTE - window.count)),
      'x-ratelimit-reset': String(Math.ceil((window.startedAt + 60_000) / 1000)),
    };
  }

  function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...(reply.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'x-request-id': randomUUID().replace(/-/g, ''),
      ...headers,
    });
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const limits = rateHeaders();

    if (req.headers['apca-api-key-id'] !== options.keyId || req.headers['apca-api-secret-key'] !== options.secret) {
      send(res, { status: 401, body: errorJson(AlpacaCode.Unauthorized, 'request is not authorized') }, limits);
      return;
    }
    if (url.pathname.startsWith(ADMIN_PREFIX)) {
      // Never faulted nor counted: the controls stay usable whatever is armed.
      let body: unknown;
      try {
        body = BODY_METHODS.has(method) ? await readJsonBody(req) : undefined;
      } catch (error) {
        if (!(error instanceof SimRejection)) throw error;
        send(res, { status: error.status, body: errorJson(error.code, error.message) }, limits);
        return;
      }
      send(res, handleAdmin(faults, method, url.pathname, body), limits);
      return;
    }
    counted.push(url.pathname);

    const fault = faults.take(method, url.pathname);
    switch (fault?.kind) {
      case 'hang':
        // Never answered; stop() closes the socket.
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'rateLimit': {
        const reset = String(Math.ceil(Date.now() / 1000) + fault.retryAfterSeconds);
        send(
          res,
          { status: 429, body: errorJson(AlpacaCode.RateLimited, 'too many requests.') },
          {
            ...limits,
            'retry-after': String(fault.retryAfterSeconds),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': reset,
          },
        );
        return;
      }
      case 'serverError':
        send(res, { status: 500, body: errorJson(AlpacaCode.Internal, 'internal server error occurred') }, limits);
        return;
      case 'refuse':
        send(res, { status: fault.status, body: errorJson(fault.code, fault.message) }, limits);
        return;
      default:
        break;
    }

    const reply = await execute(req, method, url);
    if (fault?.kind === 'acceptThenDrop') {
      // The engine has acted (an order exists now); the client never hears so.
      req.socket.destroy();
      return;
    }
    send(res, reply, limits);
  }

  async function execute(req: IncomingMessage, method: string, url: URL): Promise<Reply> {
    try {
      const body = BODY_METHODS.has(method) ? await readJsonBody(req) : undefined;
      const match = matchRoute(routes, method, url.pathname);
      if (!match.route) {
        return match.allowed.length > 0
          ? { status: 405, body: errorJson(40510000, 'method not allowed') }
          : { status: 404, body: errorJson(AlpacaCode.NotFound, 'endpoint not found') };
      }
      return match.route.handle({ params: match.params, query: url.searchParams, body });
    } catch (error) {
      if (error instanceof SimRejection) return { status: error.status, body: errorJson(error.code, error.message) };
      const message = error instanceof Error ? error.message : 'internal server error occurred';
      return { status: 500, body: errorJson(AlpacaCode.Internal, message) };
    }
  }

  return {
    faults,
    requestCount: (prefix = '/') => counted.filter((p) => p.startsWith(prefix)).length,
    resetRequestCount: () => {
      counted.length = 0;
    },
    dropStreams: () => faults.dropStream(),
    dropMarketData: () => marketData.dropAll(),
    start: () =>
      new Promise<SimServerUrls>((resolve, reject) => {
        unsubscribe ??= engine.onTradeUpdate((update) => streams.publish(update));
        unsubscribePrices ??= engine.onPrice((ticker, trade) => marketData.publish(ticker, trade));
        http.once('error', reject);
        http.listen(options.port ?? 0, '127.0.0.1', () => {
          http.off('error', reject);
          const { port } = http.address() as AddressInfo;
          const base = `http://127.0.0.1:${port}`;
          resolve({ tradingUrl: base, dataUrl: base, streamUrl: `ws://127.0.0.1:${port}${STREAM_PATH}`, dataStreamUrl: `ws://127.0.0.1:${port}/v2/iex` });
        });
      }),
    stop: async () => {
      unsubscribe?.();
      unsubscribe = null;
      unsubscribePrices?.();
      unsubscribePrices = null;
      await Promise.all([streams.close(), marketData.close()]);
      if (!http.listening) return;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
    },
  };
}

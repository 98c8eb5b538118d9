/**
 * The simulator served as an Alpaca-compatible API on loopback: trading REST,
 * the market-data endpoints the adapter uses, and the trade_updates
 * WebSocket, with Alpaca's JSON shapes and auth headers. The official SDK
 * pointed at these URLs works unchanged; tests inject faults through `faults`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { dec } from '../../money.js';
import type { OrderFilter } from '../../types.js';
import { AlpacaCode, type SimEngineApi, SimRejection } from '../api.js';
import { FaultInjector } from './faults.js';
import {
  accountJson,
  assetJson,
  calendarJson,
  clockJson,
  issuesMessage,
  orderJson,
  orderRequestSchema,
  positionJson,
  replaceRequestSchema,
  toOrderRequest,
  toReplaceRequest,
  tradeJson,
  tradeUpdateJson,
} from './wire.js';

export interface SimServerOptions {
  keyId: string;
  secret: string;
  port?: number;
}

export interface SimServerUrls {
  tradingUrl: string;
  dataUrl: string;
  streamUrl: string;
}

export interface SimServer {
  start(): Promise<SimServerUrls>;
  stop(): Promise<void>;
  readonly faults: FaultInjector;
  /** Requests received (after auth) whose path starts with `pathPrefix`. */
  requestCount(pathPrefix?: string): number;
  resetRequestCount(): void;
  /** Closes every stream connection (clients reconnect). */
  dropStreams(): void;
}

type Query = URLSearchParams;
interface Reply {
  status: number;
  body?: unknown;
}
type Handler = (params: string[], query: Query, body: unknown) => Reply;

const ok = (body: unknown): Reply => ({ status: 200, body });
const MAX_BODY = 1 << 20;

function fail(status: number, code: number, message: string): never {
  throw new SimRejection(status, code, message);
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) fail(422, AlpacaCode.Unprocessable, issuesMessage(result.error));
  return result.data;
}

function symbolsOf(query: Query): string[] {
  const raw = query.get('symbols') ?? '';
  return raw
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
}

function orderFilter(query: Query): OrderFilter {
  const status = query.get('status') ?? 'open';
  if (!['open', 'closed', 'all'].includes(status)) fail(422, AlpacaCode.Unprocessable, 'status must be open, closed or all');
  const limit = Number(query.get('limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) fail(422, AlpacaCode.Unprocessable, 'limit must be from 1 to 500');
  const direction = query.get('direction') ?? 'desc';
  const after = query.get('after');
  const until = query.get('until');
  const symbols = symbolsOf(query);
  return {
    status: status as OrderFilter['status'],
    limit,
    direction: direction === 'asc' ? 'asc' : 'desc',
    ...(after ? { after: new Date(after) } : {}),
    ...(until ? { until: new Date(until) } : {}),
    ...(symbols.length > 0 ? { tickers: symbols } : {}),
  };
}

function routes(engine: SimEngineApi): [string, RegExp, Handler][] {
  const order = (id: string) => engine.getOrder(id) ?? fail(404, AlpacaCode.NotFound, 'order not found');
  return [
    ['GET', /^\/v2\/account$/, () => ok(accountJson(engine.account()))],
    ['GET', /^\/v2\/orders$/, (_p, q) => ok(engine.listOrders(orderFilter(q)).map(orderJson))],
    ['POST', /^\/v2\/orders$/, (_p, _q, body) => ok(orderJson(engine.submit(toOrderRequest(parse(orderRequestSchema, body)))))],
    [
      'DELETE',
      /^\/v2\/orders$/,
      () => ({ status: 207, body: engine.cancelAllOrders().map((o) => ({ id: o.id, status: 200, body: orderJson(o) })) }),
    ],
    [
      'GET',
      /^\/v2\/orders:by_client_order_id$/,
      (_p, q) => {
        const found = engine.getOrderByClientId(q.get('client_order_id') ?? '');
        return found ? ok(orderJson(found)) : fail(404, AlpacaCode.NotFound, 'order not found');
      },
    ],
    ['GET', /^\/v2\/orders\/([^/]+)$/, ([id]) => ok(orderJson(order(id!)))],
    [
      'DELETE',
      /^\/v2\/orders\/([^/]+)$/,
      ([id]) => {
        engine.cancelOrder(id!);
        return { status: 204 };
      },
    ],
    ['PATCH', /^\/v2\/orders\/([^/]+)$/, ([id], _q, body) => ok(orderJson(engine.replaceOrder(id!, toReplaceRequest(parse(replaceRequestSchema, body)))))],
    ['GET', /^\/v2\/positions$/, () => ok(engine.positions().map(positionJson))],
    [
      'DELETE',
      /^\/v2\/positions$/,
      () => ({ status: 207, body: engine.closeAllPositions().map((o) => ({ symbol: o.ticker, status: 200, body: orderJson(o) })) }),
    ],
    [
      'GET',
      /^\/v2\/positions\/([^/]+)$/,
      ([symbol]) => ok(positionJson(engine.position(symbol!.toUpperCase()) ?? fail(404, AlpacaCode.NotFound, 'position does not exist'))),
    ],
    [
      'DELETE',
      /^\/v2\/positions\/([^/]+)$/,
      ([symbol], q) => {
        const qty = q.get('qty');
        const percentage = q.get('percentage');
        if (qty && percentage) fail(422, AlpacaCode.Unprocessable, 'only one of qty and percentage may be given');
        const opts = qty ? { qty: dec(qty) } : percentage ? { percentage: dec(percentage) } : {};
        return ok(orderJson(engine.closePosition(symbol!, opts)));
      },
    ],
    ['GET', /^\/v2\/clock$/, () => ok(clockJson(engine.clock()))],
    [
      'GET',
      /^\/v2\/calendar$/,
      (_p, q) => {
        const today = engine.clock().timestamp.toISOString().slice(0, 10);
        // Alpaca takes YYYY-MM-DD or an RFC 3339 time; only the date counts.
        const day = (name: string) => {
          const raw = q.get(name) ?? today;
          return /^\d{4}-\d{2}-\d{2}/.test(raw) ? raw.slice(0, 10) : fail(400, AlpacaCode.BadRequest, `invalid ${name}: ${raw}`);
        };
        return ok(engine.calendar(day('start'), day('end')).map(calendarJson));
      },
    ],
    [
      'GET',
      /^\/v2\/assets\/([^/]+)$/,
      ([symbol]) => ok(assetJson(engine.asset(symbol!.toUpperCase()) ?? fail(404, AlpacaCode.NotFound, 'asset not found'))),
    ],
    [
      'GET',
      /^\/v2\/stocks\/trades\/latest$/,
      (_p, q) => {
        const trades: Record<string, unknown> = {};
        for (const s of symbolsOf(q)) {
          const t = engine.latestTrade(s);
          if (t) trades[s] = tradeJson(t);
        }
        return ok({ trades });
      },
    ],
    [
      'GET',
      /^\/v2\/stocks\/([^/]+)\/trades\/latest$/,
      ([symbol]) => {
        const t = engine.latestTrade(symbol!.toUpperCase()) ?? fail(404, AlpacaCode.NotFound, 'symbol not found');
        return ok({ symbol: symbol!.toUpperCase(), trade: tradeJson(t) });
      },
    ],
    [
      'GET',
      /^\/v2\/stocks\/snapshots$/,
      (_p, q) => {
        const out: Record<string, unknown> = {};
        for (const s of symbolsOf(q)) {
          const t = engine.latestTrade(s);
          if (t) out[s] = { latestTrade: tradeJson(t), latestQuote: null, minuteBar: null, dailyBar: null, prevDailyBar: null };
        }
        return ok(out);
      },
    ],
  ];
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) fail(413, AlpacaCode.BadRequest, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return fail(400, AlpacaCode.BadRequest, 'request body is not valid JSON');
  }
}

function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': `sim-${Date.now()}`, ...headers });
  res.end(payload);
}

export function createSimServer(engine: SimEngineApi, options: SimServerOptions): SimServer {
  const faults = new FaultInjector();
  const table = routes(engine);
  const counted: string[] = [];
  const http = createServer((req, res) => {
    void handle(req, res);
  });
  const wss = new WebSocketServer({ noServer: true });
  const listening = new Set<WebSocket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    if (req.headers['apca-api-key-id'] !== options.keyId || req.headers['apca-api-secret-key'] !== options.secret) {
      send(res, { status: 401, body: { code: AlpacaCode.Unauthorized, message: 'request is not authorized' } });
      return;
    }
    counted.push(url.pathname);
    const fault = faults.take(method, url.pathname);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'rateLimit') {
      send(res, { status: 429, body: { code: AlpacaCode.RateLimited, message: 'too many requests.' } }, { 'retry-after': String(fault.retryAfterSeconds) });
      return;
    }
    if (fault?.kind === 'serverError') {
      send(res, { status: 500, body: { code: AlpacaCode.Internal, message: 'internal server error occurred' } });
      return;
    }
    let reply: Reply;
    try {
      const body = await readBody(req);
      const route = table.find(([m, pattern]) => m === method && pattern.test(url.pathname));
      if (!route) {
        reply = { status: 404, body: { code: AlpacaCode.NotFound, message: 'endpoint not found' } };
      } else {
        const params = (route[1].exec(url.pathname) ?? []).slice(1).map(decodeURIComponent);
        reply = route[2](params, url.searchParams, body);
      }
    } catch (error) {
      if (!(error instanceof SimRejection)) {
        reply = { status: 500, body: { code: AlpacaCode.Internal, message: error instanceof Error ? error.message : 'internal error' } };
      } else {
        reply = { status: error.status, body: { code: error.code, message: error.message } };
      }
    }
    // The order exists now; the client never hears so.
    if (fault?.kind === 'acceptThenDrop') {
      req.socket.destroy();
      return;
    }
    send(res, reply);
  }

  http.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/stream') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachStream(ws));
  });

  function attachStream(ws: WebSocket): void {
    let authorized = false;
    const sendFrame = (frame: unknown) => ws.send(JSON.stringify(frame));
    ws.on('message', (raw) => {
      let msg: { action?: string; data?: { key_id?: string; secret_key?: string; streams?: string[] } };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        sendFrame({ stream: 'error', action: 'error', data: { error_message: 'invalid syntax' } });
        return;
      }
      if (msg.action === 'authenticate' || msg.action === 'auth') {
        authorized = msg.data?.key_id === options.keyId && msg.data?.secret_key === options.secret;
        sendFrame({ stream: 'authorization', data: { action: 'authenticate', status: authorized ? 'authorized' : 'unauthorized' } });
        if (!authorized) ws.close(1008, 'unauthorized');
      } else if (msg.action === 'listen') {
        if (!authorized) {
          sendFrame({ stream: 'error', action: 'error', data: { error_message: 'not authenticated' } });
          return;
        }
        const streams = (msg.data?.streams ?? []).filter((s) => s === 'trade_updates');
        if (streams.length > 0) listening.add(ws);
        else listening.delete(ws);
        sendFrame({ stream: 'listening', data: { streams } });
      }
    });
    ws.on('close', () => listening.delete(ws));
  }

  const unsubscribe = engine.onTradeUpdate((update) => {
    const frame = JSON.stringify({ stream: 'trade_updates', data: tradeUpdateJson(update) });
    for (const ws of listening) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  return {
    faults,
    requestCount: (prefix = '/') => counted.filter((p) => p.startsWith(prefix)).length,
    resetRequestCount: () => {
      counted.length = 0;
    },
    dropStreams: () => {
      for (const ws of wss.clients) ws.terminate();
    },
    start: () =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(options.port ?? 0, '127.0.0.1', () => {
          const { port } = http.address() as AddressInfo;
          const base = `http://127.0.0.1:${port}`;
          resolve({ tradingUrl: base, dataUrl: base, streamUrl: `ws://127.0.0.1:${port}/stream` });
        });
      }),
    stop: async () => {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

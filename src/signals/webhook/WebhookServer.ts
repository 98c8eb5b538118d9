/**
 * Signal intake over HTTP: `POST /signals` (one TradingSignal or an array)
 * and `GET /signals/:id` (its state), both authenticated by an HMAC of the
 * timestamp and raw body (empty for a GET); `GET /health` without auth. A
 * POST is answered as soon as its signals are stored (202); approval and any
 * auto-approved execution run behind it, in order. Idempotent on signal_id:
 * a replay answers with the stored status and never creates a second signal.
 */
import { closeServer, listenProblem } from '../../httpServers.js';
import type { EventLog } from '../../logger.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoredSignal } from '../../domain/records.js';
import { parseSignal, type TradingSignal } from '../../domain/signal.js';
import { RateLimiter } from './rateLimit.js';
import { verify } from './signature.js';
import { must } from '../../domain/invariant.js';

export const MAX_BODY_BYTES = 64 * 1024;
/** At most this many signals in one array. */
export const MAX_BATCH = 100;

/** What the webhook needs of the application (the operator service): store a signal, read one back. */
export interface SignalIntake {
  submitSignal(signal: TradingSignal, source: 'webhook', by: string): Promise<{ signal: StoredSignal; created: boolean }>;
  signal(signalId: string): Promise<StoredSignal | null>;
}

export interface WebhookServerOptions {
  operator: SignalIntake;
  secret: string;
  host: string;
  port: number;
  log: EventLog;
  /** Requests a minute per source address (burst included). Default 120. */
  ratePerMinute?: number;
  now?: () => Date;
}

type Json = Record<string, unknown> | unknown[];

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof (body as { error?: unknown }).error === 'string' ? String((body as { error: string }).error) : `HTTP ${status}`);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      reject(new HttpError(413, { error: `body over ${MAX_BODY_BYTES} bytes` }, { connection: 'close' }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Answer 413 first; the rest of the body is read and dropped so the client gets the answer, not a reset.
        reject(new HttpError(413, { error: `body over ${MAX_BODY_BYTES} bytes` }, { connection: 'close' }));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const SIGNAL_PATH = /^\/signals\/([^/]+)$/;

function statusUrl(signalId: string): string {
  return `/signals/${encodeURIComponent(signalId)}`;
}

function outcome(s: StoredSignal, created: boolean) {
  return {
    signal_id: s.signalId,
    status: s.status,
    created,
    status_url: statusUrl(s.signalId),
    ...(s.orderId ? { order_id: s.orderId } : {}),
    ...(s.decisionNote ? { note: s.decisionNote } : {}),
  };
}

/** A signal's state for `GET /signals/:id`: amounts as exact decimal strings. */
function signalState(s: StoredSignal) {
  return {
    signal_id: s.signalId,
    ticker: s.ticker,
    action: s.action,
    status: s.status,
    entry: s.entryPrice.toFixed(),
    stop_loss: s.stopLossPrice.toFixed(),
    take_profit: s.takeProfitPrice.toFixed(),
    confidence: s.confidence.toFixed(),
    strategy: s.strategy,
    source: s.source,
    received_at: s.receivedAt.toISOString(),
    expires_at: s.expiresAt.toISOString(),
    decided_by: s.decidedBy,
    decided_at: s.decidedAt?.toISOString() ?? null,
    order_id: s.orderId,
    note: s.decisionNote,
  };
}

/** Start-up cannot go on without the webhook it was told to serve: one clear line says why. */
export class WebhookListenError extends Error {}

function webhookListenProblem(error: unknown, host: string, port: number): WebhookListenError {
  const why = listenProblem(error, host, port, { portVar: 'WEBHOOK_PORT', hostVar: 'WEBHOOK_HOST' });
  return new WebhookListenError(`the signal webhook cannot listen on ${host}:${port}: ${why}`, { cause: error });
}

export class WebhookServer {
  private server: Server | null = null;
  private readonly limiter: RateLimiter;
  private readonly now: () => Date;
  /** Requests wait here until `open()`: the port is bound early, signals are taken once a front end can show them. */
  private opened!: () => void;
  private readonly ready = new Promise<void>((resolve) => {
    this.opened = resolve;
  });

  constructor(private readonly options: WebhookServerOptions) {
    this.now = options.now ?? (() => new Date());
    this.limiter = new RateLimiter(options.ratePerMinute ?? 120);
  }

  /** Listens and takes requests at once; resolves with the address bound (port 0 picks a free one). */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const bound = await this.listen();
    this.open();
    return bound;
  }

  /**
   * Binds the port without taking signals yet (requests wait for `open()`),
   * so a port in use or a wrong host is found before anything else starts.
   * Rejects with a WebhookListenError naming the address and the setting.
   */
  async listen(): Promise<{ host: string; port: number; url: string }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.options.log.error({ err: error }, 'webhook request failed');
        if (!res.headersSent) this.send(res, 500, { error: 'internal error' });
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, this.options.host, () => resolve());
      });
    } catch (error) {
      server.close();
      throw webhookListenProblem(error, this.options.host, this.options.port);
    }
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    return { host: address, port, url: `http://${host}:${port}` };
  }

  /** Starts taking the requests that `listen()` held. */
  open(): void {
    this.opened();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await closeServer(server);
  }

  private send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/health') return this.send(res, 200, { status: 'ok' });
    const one = SIGNAL_PATH.exec(path);
    if (path !== '/signals' && !one) return this.send(res, 404, { error: 'not found: POST /signals, GET /signals/:id or GET /health' });
    const method = one ? 'GET' : 'POST';
    if (req.method !== method) return this.send(res, 405, { error: `use ${method}` }, { allow: method });
    await this.ready;
    try {
      const source = req.socket.remoteAddress ?? 'unknown';
      const wait = this.limiter.take(source);
      if (wait > 0) throw new HttpError(429, { error: 'too many requests' }, { 'retry-after': String(Math.ceil(wait / 1000)) });
      const body = await readBody(req);
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const verdict = verify(this.options.secret, { timestamp: header('x-timestamp'), signature: header('x-signature') }, body, this.now());
      if (!verdict.ok) {
        this.options.log.warn({ source, reason: verdict.reason }, 'webhook request refused');
        throw new HttpError(401, { error: `unauthorized: ${verdict.reason}` });
      }
      const result = one ? await this.state(decodeURIComponent(one[1] ?? '')) : await this.accept(body);
      this.send(res, result.status, result.body, result.headers);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.send(res, error.status, error.body, error.headers);
    }
  }

  private async state(signalId: string): Promise<{ status: number; body: Json; headers?: Record<string, string> }> {
    const signal = await this.options.operator.signal(signalId);
    if (!signal) throw new HttpError(404, { error: `no signal ${signalId}` });
    return { status: 200, body: signalState(signal) };
  }

  /**
   * Parses and validates everything before storing anything; then stores each
   * signal once and answers. Auto-approvals queued by the intake run after.
   */
  private async accept(body: Buffer): Promise<{ status: number; body: Json; headers?: Record<string, string> }> {
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new HttpError(400, { error: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` });
    }
    const batch = Array.isArray(input);
    const items = batch ? (input as unknown[]) : [input];
    if (items.length === 0) throw new HttpError(400, { error: 'an empty array: nothing to do' });
    if (items.length > MAX_BATCH) throw new HttpError(400, { error: `at most ${MAX_BATCH} signals a request` });
    const signals: TradingSignal[] = [];
    const problems: string[] = [];
    for (const [i, item] of items.entries()) {
      const parsed = parseSignal(item);
      if (parsed.ok) signals.push(parsed.signal);
      else problems.push(...parsed.problems.map((p) => (batch ? `[${i}] ${p}` : p)));
    }
    if (problems.length > 0) throw new HttpError(400, { error: 'invalid signal', problems });

    const results = [];
    for (const signal of signals) {
      const { signal: stored, created } = await this.options.operator.submitSignal(signal, 'webhook', 'webhook');
      this.options.log.info({ signal: stored.signalId, created, status: stored.status }, created ? 'signal received' : 'signal replayed');
      results.push(outcome(stored, created));
    }
    const status = results.some((r) => r.created) ? 202 : 200;
    if (batch) return { status, body: results };
    // Not a batch: exactly one signal was parsed (a problem would have thrown above).
    const only = must(results[0], 'result of the single signal');
    return { status, body: only, headers: { location: only.status_url } };
  }
}

/**
 * Signal intake over HTTP: `POST /signals` (one TradingSignal or an array),
 * authenticated by an HMAC of the timestamp and raw body; `GET /health`
 * without auth. Accepted signals go into the approval workflow (or execute at
 * once when auto-approval matches). Idempotent on signal_id: a replay answers
 * with the stored status and never creates a second signal.
 */
import type { EventLog } from '../../logger.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoredSignal } from '../../db/index.js';
import type { SignalApprovals } from '../SignalApprovals.js';
import { parseSignal, type TradingSignal } from '../TradingSignal.js';
import { RateLimiter } from './rateLimit.js';
import { verify } from './signature.js';

export const MAX_BODY_BYTES = 64 * 1024;
/** At most this many signals in one array. */
export const MAX_BATCH = 100;


export interface WebhookServerOptions {
  approvals: SignalApprovals;
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

function outcome(s: StoredSignal, created: boolean) {
  return { signal_id: s.signalId, status: s.status, created, ...(s.orderId ? { order_id: s.orderId } : {}), ...(s.decisionNote ? { note: s.decisionNote } : {}) };
}

export class WebhookServer {
  private server: Server | null = null;
  private readonly limiter: RateLimiter;
  private readonly now: () => Date;

  constructor(private readonly options: WebhookServerOptions) {
    this.now = options.now ?? (() => new Date());
    this.limiter = new RateLimiter(options.ratePerMinute ?? 120);
  }

  /** Listens; resolves with the address actually bound (port 0 picks a free one). */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.options.log.error({ err: error }, 'webhook request failed');
        if (!res.headersSent) this.send(res, 500, { error: 'internal error' });
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    return { host: address, port, url: `http://${host}:${port}` };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return this.send(res, 200, { status: 'ok' });
    if (path !== '/signals') return this.send(res, 404, { error: 'not found: POST /signals or GET /health' });
    if (req.method !== 'POST') return this.send(res, 405, { error: 'use POST' }, { allow: 'POST' });
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
      const result = await this.accept(body);
      this.send(res, result.status, result.body);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.send(res, error.status, error.body, error.headers);
    }
  }

  /** Parses and validates everything before storing anything; then stores each signal once. */
  private async accept(body: Buffer): Promise<{ status: number; body: Json }> {
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
      const { signal: stored, created } = await this.options.approvals.submit(signal, 'webhook', 'webhook');
      this.options.log.info({ signal: stored.signalId, created, status: stored.status }, created ? 'signal received' : 'signal replayed');
      results.push(outcome(stored, created));
    }
    const anyCreated = results.some((r) => r.created);
    return { status: anyCreated ? 201 : 200, body: batch ? results : results[0]! };
  }
}

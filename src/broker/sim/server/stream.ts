/**
 * The trade_updates WebSocket as Alpaca's trading stream speaks it (and the
 * official SDK's TradingStream expects): JSON frames, sent as binary frames
 * like paper-api.alpaca.markets does (text frames from clients are fine).
 *
 *   → {"action":"authenticate","data":{"key_id":"…","secret_key":"…"}}
 *   ← {"stream":"authorization","data":{"action":"authenticate","status":"authorized"}}
 *     (or "unauthorized", after which the server closes the socket)
 *   → {"action":"listen","data":{"streams":["trade_updates"]}}
 *   ← {"stream":"listening","data":{"streams":["trade_updates"]}}
 *   ← {"stream":"trade_updates","data":{"event":"fill","order":{…},"timestamp":"…",
 *        "price":"…","qty":"…","position_qty":"…","execution_id":"…"}}
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { TradeUpdate } from '../../../domain/ports/broker.js';
import { type ReplacementLinks, tradeUpdateJson } from './wire.js';

export const STREAM_PATH = '/stream';

/** Policy violation: the close code sent after refused credentials. */
const CLOSE_UNAUTHORIZED = 1008;

interface ClientFrame {
  action?: unknown;
  data?: { key_id?: unknown; secret_key?: unknown; streams?: unknown };
}

export interface TradeStreamOptions {
  keyId: string;
  secret: string;
  /** Replacement history for the orders' `replaces` / `replaced_by`. */
  links?: ReplacementLinks;
}

export class TradeUpdateStreams {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly authorized = new WeakSet<WebSocket>();
  private readonly listening = new Set<WebSocket>();

  constructor(private readonly options: TradeStreamOptions) {}

  /** Takes an HTTP upgrade for the stream path; any other path is refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== STREAM_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  /** Sends one update to every authenticated connection listening to trade_updates. */
  publish(update: TradeUpdate): void {
    const frame = encode({ stream: 'trade_updates', data: tradeUpdateJson(update, this.options.links) });
    for (const ws of this.listening) if (ws.readyState === ws.OPEN) ws.send(frame, { binary: true });
  }

  /** Open connections (authenticated or not). */
  connectionCount(): number {
    return this.wss.clients.size;
  }

  /** Cuts every connection without a close frame (the client sees 1006 and reconnects). */
  dropAll(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private attach(ws: WebSocket): void {
    const reply = (frame: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(encode(frame), { binary: true });
    };
    ws.on('message', (raw) => {
      const msg = decode(raw);
      if (!msg) {
        reply({ action: 'error', data: { error_message: 'invalid syntax' } });
        return;
      }
      if (msg.action === 'authenticate' || msg.action === 'auth') {
        const ok = msg.data?.key_id === this.options.keyId && msg.data?.secret_key === this.options.secret;
        reply({ stream: 'authorization', data: { action: 'authenticate', status: ok ? 'authorized' : 'unauthorized' } });
        if (ok) {
          this.authorized.add(ws);
        } else {
          this.authorized.delete(ws);
          this.listening.delete(ws);
          ws.close(CLOSE_UNAUTHORIZED, 'unauthorized');
        }
        return;
      }
      if (msg.action === 'listen') {
        if (!this.authorized.has(ws)) {
          reply({ action: 'error', data: { error_message: 'not authenticated' } });
          return;
        }
        const requested = Array.isArray(msg.data?.streams) ? (msg.data.streams as unknown[]) : [];
        // Streams this server does not have are left out of the acknowledgement.
        const streams = requested.filter((s) => s === 'trade_updates');
        if (streams.length > 0) this.listening.add(ws);
        else this.listening.delete(ws);
        reply({ stream: 'listening', data: { streams } });
        return;
      }
      reply({ action: 'error', data: { error_message: `unknown action: ${String(msg.action)}` } });
    });
    ws.on('close', () => this.listening.delete(ws));
    ws.on('error', () => this.listening.delete(ws));
  }
}

function encode(frame: unknown): Buffer {
  return Buffer.from(JSON.stringify(frame), 'utf8');
}

function decode(raw: RawData): ClientFrame | null {
  const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  const text = bytes.toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ClientFrame) : null;
  } catch {
    return null;
  }
}

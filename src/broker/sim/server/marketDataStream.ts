/**
 * The market-data WebSocket as Alpaca's stock stream speaks it (and the
 * official SDK's StockDataStream expects), at /v2/{feed}. Frames go out as
 * msgpack when the client asked for it (its upgrade carries
 * `Content-Type: application/msgpack`, as the SDK's does), else as JSON
 * text; every server frame is an array of messages.
 *
 *   ← [{"T":"success","msg":"connected"}]
 *   → {"action":"auth","key":"…","secret":"…"}
 *   ← [{"T":"success","msg":"authenticated"}]   (or [{"T":"error","code":402,"msg":"auth failed"}], then close)
 *   → {"action":"subscribe","trades":["AAPL"]}   (unsubscribe alike)
 *   ← [{"T":"subscription","trades":["AAPL"],"quotes":[],"bars":[],…}]
 *   ← [{"T":"t","S":"AAPL","i":1,"x":"V","p":190.12,"s":100,"t":<timestamp>,"c":["@"],"z":"C"}]
 *
 * Only trades are served; subscriptions to other channels are kept and
 * acknowledged so a client sees the answer Alpaca would give.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { decode as decodeMsgpack, encode as encodeMsgpack } from '@msgpack/msgpack';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { LatestTrade } from '../api.js';

/** The feeds a client may ask for: /v2/iex, /v2/sip, /v2/delayed_sip. */
export const DATA_STREAM_PATHS = ['/v2/iex', '/v2/sip', '/v2/delayed_sip'] as const;

/** The channels Alpaca's stock stream acknowledges in a subscription reply. */
const CHANNELS = ['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds', 'corrections', 'cancelErrors'] as const;
type Channel = (typeof CHANNELS)[number];

const symbols = z.array(z.string().min(1)).optional();
const clientFrame = z.discriminatedUnion('action', [
  z.object({ action: z.literal('auth'), key: z.string(), secret: z.string() }),
  z.object({
    action: z.enum(['subscribe', 'unsubscribe']),
    trades: symbols,
    quotes: symbols,
    bars: symbols,
    updatedBars: symbols,
    dailyBars: symbols,
    statuses: symbols,
    lulds: symbols,
    corrections: symbols,
    cancelErrors: symbols,
  }),
]);

interface Client {
  msgpack: boolean;
  authenticated: boolean;
  channels: Record<Channel, Set<string>>;
}

/** Alpaca's close after a refused login (a policy violation). */
const CLOSE_UNAUTHORIZED = 1008;

export interface MarketDataStreamOptions {
  keyId: string;
  secret: string;
}

export class MarketDataStreams {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly clients = new Map<WebSocket, Client>();
  private nextTradeId = 1;

  constructor(private readonly options: MarketDataStreamOptions) {}

  /** Whether an upgrade to `path` is this stream's. */
  static serves(path: string): boolean {
    return (DATA_STREAM_PATHS as readonly string[]).includes(path);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const msgpack = /application\/msgpack/i.test(req.headers['content-type'] ?? '');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, msgpack));
  }

  /** Sends a trade to every logged-in client subscribed to the ticker's trades. */
  publish(ticker: string, trade: LatestTrade): void {
    let message: Record<string, unknown> | null = null;
    for (const [ws, client] of this.clients) {
      if (!client.authenticated || !client.channels.trades.has(ticker) || ws.readyState !== ws.OPEN) continue;
      message ??= {
        T: 't',
        S: ticker,
        i: this.nextTradeId++,
        x: 'V',
        // A float64 holds a price of up to 15 significant digits exactly; the client reads its shortest form back.
        p: Number(trade.price.toFixed()),
        s: Number(trade.size.toFixed()),
        t: trade.timestamp,
        c: ['@'],
        z: 'C',
      };
      this.send(ws, client, [message]);
    }
  }

  /** Cuts every connection without a close frame (the client sees 1006 and reconnects). */
  dropAll(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  /** Open connections (logged in or not). */
  connectionCount(): number {
    return this.wss.clients.size;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private attach(ws: WebSocket, msgpack: boolean): void {
    const channels = Object.fromEntries(CHANNELS.map((c) => [c, new Set<string>()])) as Record<Channel, Set<string>>;
    const client: Client = { msgpack, authenticated: false, channels };
    this.clients.set(ws, client);
    ws.on('message', (raw, isBinary) => this.receive(ws, client, raw, isBinary));
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => this.clients.delete(ws));
    this.send(ws, client, [{ T: 'success', msg: 'connected' }]);
  }

  private receive(ws: WebSocket, client: Client, raw: RawData, isBinary: boolean): void {
    const frame = clientFrame.safeParse(decodeFrame(raw, isBinary && client.msgpack));
    if (!frame.success) {
      this.send(ws, client, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
      return;
    }
    const msg = frame.data;
    if (msg.action === 'auth') {
      if (client.authenticated) {
        this.send(ws, client, [{ T: 'error', code: 403, msg: 'already authenticated' }]);
        return;
      }
      if (msg.key !== this.options.keyId || msg.secret !== this.options.secret) {
        this.send(ws, client, [{ T: 'error', code: 402, msg: 'auth failed' }]);
        ws.close(CLOSE_UNAUTHORIZED, 'auth failed');
        return;
      }
      client.authenticated = true;
      this.send(ws, client, [{ T: 'success', msg: 'authenticated' }]);
      return;
    }
    if (!client.authenticated) {
      this.send(ws, client, [{ T: 'error', code: 401, msg: 'not authenticated' }]);
      return;
    }
    for (const channel of CHANNELS) {
      for (const symbol of msg[channel] ?? []) {
        if (msg.action === 'subscribe') client.channels[channel].add(symbol);
        else client.channels[channel].delete(symbol);
      }
    }
    const reply: Record<string, unknown> = { T: 'subscription' };
    for (const channel of CHANNELS) reply[channel] = [...client.channels[channel]];
    this.send(ws, client, [reply]);
  }

  private send(ws: WebSocket, client: Client, messages: readonly unknown[]): void {
    if (ws.readyState !== ws.OPEN) return;
    if (client.msgpack) ws.send(encodeMsgpack(messages), { binary: true });
    else ws.send(JSON.stringify(messages), { binary: false });
  }
}

/** A client's frame: msgpack from a msgpack client's binary frame, else JSON text; null when it is neither. */
function decodeFrame(raw: RawData, msgpack: boolean): unknown {
  const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  try {
    return msgpack ? decodeMsgpack(bytes) : (JSON.parse(bytes.toString('utf8')) as unknown);
  } catch {
    return null;
  }
}

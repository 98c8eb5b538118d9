/**
 * The gateway WebSocket (https://discord.com/developers/docs/events/gateway), as @discordjs/ws 1.x drives it:
 * HELLO → (heartbeats ↔ HEARTBEAT_ACK) → IDENTIFY → READY (guild unavailable) + GUILD_CREATE → dispatches.
 * JSON encoding; `compress=zlib-stream` (what discord.js asks for when zlib-sync is installed) is honoured with node:zlib.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { World } from './model.js';
import { Changes } from './waiters.js';

/** Gateway opcodes. */
export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** Gateway close codes. */
export const Close = {
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidApiVersion: 4012,
  InvalidIntents: 4013,
} as const;

interface Payload {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

class Session {
  id = randomBytes(16).toString('hex');
  seq = 0;
  identified = false;
  intents = 0;
  heartbeats = 0;
  private deflate: zlib.Deflate | null = null;
  private pending: Buffer[] = [];

  constructor(
    readonly socket: WebSocket,
    compress: boolean,
  ) {
    if (compress) {
      this.deflate = zlib.createDeflate({ chunkSize: 65535 });
      this.deflate.on('data', (chunk: Buffer) => this.pending.push(chunk));
    }
  }

  send(payload: Payload): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const text = JSON.stringify(payload);
    const deflate = this.deflate;
    if (!deflate) {
      this.socket.send(text);
      return;
    }
    // zlib-stream: one shared context, each payload ends with a Z_SYNC_FLUSH (00 00 ff ff).
    deflate.write(text);
    deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      const out = Buffer.concat(this.pending);
      this.pending = [];
      if (out.length > 0 && this.socket.readyState === WebSocket.OPEN) this.socket.send(out);
    });
  }

  dispatch(t: string, d: unknown): void {
    this.send({ op: Op.Dispatch, t, s: ++this.seq, d });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
  }

  dispose(): void {
    this.deflate?.destroy();
  }
}

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<Session>();
  /** Sessions by id, kept after their socket closes so a RESUME can pick them up. */
  private readonly known = new Map<string, Session>();
  private readonly changes = new Changes();
  private readyOnce = false;
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;

  constructor(
    private readonly world: World,
    private readonly token: string,
    private readonly heartbeatIntervalMs: number,
    /** ws://127.0.0.1:PORT/gateway */
    private readonly url: () => string,
  ) {
    this.readyPromise = new Promise<void>((resolve) => (this.resolveReady = resolve));
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Identified sessions. */
  live(): number {
    return [...this.sessions].filter((s) => s.identified).length;
  }

  heartbeats(): number {
    return [...this.known.values()].reduce((n, s) => n + s.heartbeats, 0);
  }

  /** Resolves when the identified sessions have together sent `n` heartbeats. */
  waitForHeartbeats(n: number, timeoutMs: number): Promise<number> {
    return this.changes.until(() => (this.heartbeats() >= n ? this.heartbeats() : undefined), timeoutMs, `${n} gateway heartbeat(s)`);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/gateway' && url.pathname !== '/gateway/' && url.pathname !== '/') {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, url.searchParams));
  }

  private open(ws: WebSocket, params: URLSearchParams): void {
    const compress = params.get('compress') === 'zlib-stream';
    const session = new Session(ws, compress);
    this.sessions.add(session);
    ws.on('close', () => {
      this.sessions.delete(session);
      session.dispose();
    });
    ws.on('error', () => ws.terminate());
    const version = params.get('v');
    if (version !== null && version !== '10' && version !== '9') {
      session.close(Close.InvalidApiVersion, 'Invalid API version.');
      return;
    }
    if ((params.get('encoding') ?? 'json') !== 'json') {
      session.close(Close.DecodeError, 'Error while decoding payload.');
      return;
    }
    ws.on('message', (data, isBinary) => this.onMessage(session, data, isBinary));
    session.send({ op: Op.Hello, d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: ['["fake-discord-gateway"]'] } });
  }

  private onMessage(session: Session, data: RawData, isBinary: boolean): void {
    let payload: Payload;
    try {
      if (isBinary) throw new Error('binary frames are ETF or compressed: not supported');
      const text = (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
      payload = JSON.parse(text) as Payload;
      if (typeof payload !== 'object' || payload === null || typeof payload.op !== 'number') throw new Error('shape');
    } catch {
      session.close(Close.DecodeError, 'Error while decoding payload.');
      return;
    }
    switch (payload.op) {
      case Op.Heartbeat:
        session.heartbeats++;
        session.send({ op: Op.HeartbeatAck });
        this.changes.notify();
        return;
      case Op.Identify:
        this.identify(session, payload.d);
        return;
      case Op.Resume:
        this.resume(session, payload.d);
        return;
    }
    if (!session.identified) {
      session.close(Close.NotAuthenticated, 'Not authenticated.');
      return;
    }
    switch (payload.op) {
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
        return;
      case Op.RequestGuildMembers:
        this.requestMembers(session, payload.d);
        return;
      default:
        session.close(Close.UnknownOpcode, 'Unknown opcode.');
    }
  }

  private identify(session: Session, d: unknown): void {
    if (session.identified) {
      session.close(Close.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    const identify = (d ?? {}) as { token?: unknown; intents?: unknown; shard?: unknown };
    if (identify.token !== this.token) {
      session.close(Close.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    if (typeof identify.intents !== 'number' || !Number.isInteger(identify.intents) || identify.intents < 0) {
      session.close(Close.InvalidIntents, 'Invalid intent(s).');
      return;
    }
    session.identified = true;
    session.intents = identify.intents;
    this.known.set(session.id, session);
    const { world } = this;
    session.dispatch('READY', {
      v: 10,
      user_settings: {},
      user: { ...world.userJson(world.botUserId), verified: true, mfa_enabled: false, email: null },
      guilds: [{ id: world.guildId, unavailable: true }],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.url(),
      shard: Array.isArray(identify.shard) ? identify.shard : [0, 1],
      application: { id: world.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
      _trace: ['["fake-discord-gateway"]'],
    });
    session.dispatch('GUILD_CREATE', world.guildJson(true));
    if (!this.readyOnce) {
      this.readyOnce = true;
      this.resolveReady();
    }
    this.changes.notify();
  }

  /** RESUME of a known session: RESUMED, with the sequence carried on (missed events are not replayed). */
  private resume(session: Session, d: unknown): void {
    const resume = (d ?? {}) as { token?: unknown; session_id?: unknown; seq?: unknown };
    const previous = typeof resume.session_id === 'string' ? this.known.get(resume.session_id) : undefined;
    if (resume.token !== this.token) {
      session.close(Close.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    if (!previous) {
      session.send({ op: Op.InvalidSession, d: false });
      return;
    }
    this.known.delete(previous.id);
    session.id = previous.id;
    session.seq = previous.seq;
    session.intents = previous.intents;
    session.identified = true;
    this.known.set(session.id, session);
    session.dispatch('RESUMED', null);
  }

  private requestMembers(session: Session, d: unknown): void {
    const request = (d ?? {}) as { guild_id?: unknown; user_ids?: unknown; query?: unknown; limit?: unknown; nonce?: unknown };
    const { world } = this;
    const ids = Array.isArray(request.user_ids) ? request.user_ids.map(String) : typeof request.user_ids === 'string' ? [request.user_ids] : null;
    const query = typeof request.query === 'string' ? request.query.toLowerCase() : '';
    const limit = typeof request.limit === 'number' && request.limit > 0 ? request.limit : Number.POSITIVE_INFINITY;
    const members = [...world.members.keys()]
      .filter((id) => (ids ? ids.includes(id) : (world.users.get(id)?.username ?? '').toLowerCase().startsWith(query)))
      .slice(0, limit);
    session.dispatch('GUILD_MEMBERS_CHUNK', {
      guild_id: world.guildId,
      members: members.map((id) => world.memberJson(id)),
      chunk_index: 0,
      chunk_count: 1,
      ...(ids ? { not_found: ids.filter((id) => !world.members.has(id)) } : {}),
      ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    });
  }

  /** A dispatch to every identified session (that asked for `intent`, when given). Returns how many got it. */
  dispatch(event: string, data: unknown, intent = 0): number {
    let sent = 0;
    for (const session of this.sessions) {
      if (!session.identified || (intent !== 0 && (session.intents & intent) === 0)) continue;
      session.dispatch(event, data);
      sent++;
    }
    return sent;
  }

  /**
   * Closes every socket with 4004 — one of the codes discord.js treats as final — so a client still logged in
   * gives up (shardDisconnect) instead of reconnecting to a port that is gone; sockets that do not finish the
   * close handshake within 200 ms are cut.
   */
  async close(): Promise<void> {
    const sockets = [...this.sessions].map((s) => s.socket);
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => socket.terminate(), 200);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            if (socket.readyState === WebSocket.OPEN) socket.close(Close.AuthenticationFailed, 'Fake Discord stopped.');
            else socket.terminate();
          }),
      ),
    );
    for (const session of this.sessions) session.dispose();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/**
 * The positions page, live: `GET /events/positions` is a server-sent events
 * stream that sends the page's positions fragment (its heading with the
 * count, and the table) again after each fill, close or price mark; htmx's
 * SSE extension swaps it in. The stream listens to the trading events only
 * while a page has it open: with no page open it costs nothing, not even a
 * listener. Bursts (a bracket's fills, a monitor cycle's marks) make one
 * redraw, read from the store as last recorded (no broker call).
 */
import type { Context, Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { OperatorService } from '../app/OperatorService.js';
import type { TradingEvent } from '../domain/events.js';
import type { EventLog } from '../logger.js';
import { SSE_EXT_PATH, sseExtScript } from './assets.js';
import { POSITIONS_EVENT, POSITIONS_STREAM_PATH, positionsFragment } from './pages.js';
import type { Session } from './security.js';

/** What the live positions need of the application. */
export type LiveOperator = Pick<OperatorService, 'openPositions' | 'onTradingEvent'>;

type Env = { Variables: { session: Session } };

export interface LiveRouteDeps {
  operator: LiveOperator;
  log: EventLog;
  /** The signed-in session, or null. */
  sessionOf: (c: Context) => Session | null;
  /** Changes closer together than this make one redraw. */
  coalesceMs?: number;
  /** How often an idle stream sends a comment, so that a proxy does not close it as dead. */
  keepAliveMs?: number;
}

const COALESCE_MS = 250;
const KEEP_ALIVE_MS = 15_000;

/** The events after which the open positions may read differently; halts and refused orders change none. */
const POSITION_CHANGES: ReadonlySet<TradingEvent['kind']> = new Set<TradingEvent['kind']>([
  'order_filled',
  'order_partially_filled',
  'position_opened',
  'position_closed',
  'positions_marked',
]);

/** Told each new positions fragment. */
type Client = (fragment: string) => void;

/**
 * The open streams and their one subscription: made on the first stream,
 * dropped with the last. Redraws run one at a time, so a later one never
 * overtakes an earlier one on the wire.
 */
class PositionsFeed {
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private redraws: Promise<void> = Promise.resolve();

  constructor(
    private readonly operator: LiveOperator,
    private readonly log: EventLog,
    private readonly coalesceMs: number,
  ) {}

  /** Adds a stream; returns what removes it. */
  join(client: Client): () => void {
    this.clients.add(client);
    this.unsubscribe ??= this.operator.onTradingEvent((event) => {
      if (POSITION_CHANGES.has(event.kind)) this.changed();
    });
    // The page was drawn before its stream opened: a redraw covers what changed in between.
    this.changed();
    return () => this.leave(client);
  }

  private leave(client: Client): void {
    this.clients.delete(client);
    if (this.clients.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A change: one redraw after the coalescing delay, however many changes arrive meanwhile. */
  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.redraws = this.redraws.then(() => this.redraw());
    }, this.coalesceMs);
    this.timer.unref();
  }

  private async redraw(): Promise<void> {
    if (this.clients.size === 0) return;
    try {
      const fragment = String(positionsFragment(await this.operator.openPositions()));
      for (const client of this.clients) client(fragment);
    } catch (error) {
      this.log.error({ err: error }, 'live positions: redraw failed');
    }
  }
}

/**
 * Sends fragments to one stream, the newest only: while a write waits on a
 * slow client, a newer fragment replaces the one queued behind it, so a
 * stalled page holds at most one fragment in memory.
 */
function streamWriter(stream: SSEStreamingApi): Client {
  let next: string | null = null;
  let writing = false;
  return (fragment) => {
    next = fragment;
    if (writing) return;
    writing = true;
    void (async () => {
      try {
        while (next !== null) {
          const data = next;
          next = null;
          await stream.writeSSE({ event: POSITIONS_EVENT, data });
        }
      } finally {
        writing = false;
      }
    })();
  };
}

/** The SSE extension's script (public, as htmx is) and the positions stream (a session required). */
export function registerLiveRoutes(app: Hono<Env>, deps: LiveRouteDeps): void {
  const { operator, log, sessionOf } = deps;
  const keepAliveMs = deps.keepAliveMs ?? KEEP_ALIVE_MS;
  const feed = new PositionsFeed(operator, log, deps.coalesceMs ?? COALESCE_MS);

  app.get(SSE_EXT_PATH, async (c) => c.body(await sseExtScript(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' }));

  app.get(POSITIONS_STREAM_PATH, (c) => {
    if (!sessionOf(c)) return c.text('unauthorized: log in at /login', 401);
    // A proxy that buffers responses (nginx does by default) would hold the events back: this asks it not to.
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      // Ends when the page goes away, or when the server stops (it drops every connection).
      const closed = new Promise<void>((resolve) => {
        stream.onAbort(resolve);
        if (stream.aborted) resolve();
      });
      const leave = feed.join(streamWriter(stream));
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), keepAliveMs);
      keepAlive.unref();
      try {
        await closed;
      } finally {
        clearInterval(keepAlive);
        leave();
      }
    });
  });
}

/**
 * The live positions stream over HTTP, on a real OperatorService: a session
 * is required, an open stream gets the redrawn fragment with the exact new
 * figures after a price mark and after a close, and the stream listens to
 * the trading events only while one is open (none with no page open, none
 * left after the page goes away or the server stops).
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { DashboardServer } from '../../src/dashboard/DashboardServer.js';
import { registerLiveRoutes } from '../../src/dashboard/live.js';
import type { Session } from '../../src/dashboard/security.js';
import { type TradingEventListener, TradingEvents } from '../../src/domain/events.js';
import { dec } from '../../src/domain/money.js';
import { DASHBOARD_TOKEN, logInOverHttp, openPositions, useDashboard } from '../helpers/dashboard.js';
import { useTempStore } from '../helpers/tempDb.js';
import { until } from '../helpers/until.js';
import { operatorHarness } from '../operator/appHarness.js';

/** Waits for a redraw: long enough for the coalescing delay and a slow machine. */
const WAIT_MS = 5_000;

interface SseEvent {
  event: string;
  data: string;
}

/** An SSE response read as it arrives: its events so far, its comment lines, and when it ended; `close` hangs up. */
function readStream(res: Response, hangUp: () => void = () => undefined) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let ended = false;
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  const reading = (async () => {
    if (!reader) return;
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const field = (name: string) => block.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
          comments.push(...block.filter((l) => l.startsWith(':')));
          const data = field('data');
          if (data.length > 0) events.push({ event: field('event')[0] ?? 'message', data: data.join('\n') });
        }
      }
    } catch {
      // Aborted by the test, or dropped by the server: either ends the stream.
    } finally {
      ended = true;
    }
  })();
  return {
    res,
    events,
    comments,
    ended: () => ended,
    reading,
    close: () => {
      hangUp();
      reader?.cancel().catch(() => undefined);
    },
    /** The first event from `from` on whose data contains `text`. */
    next: (text: string, from = 0) => until(() => events.slice(from).find((e) => e.data.includes(text)), WAIT_MS),
  };
}

/** The dashboard's stream for a session cookie, as the page's EventSource opens it. */
async function openStream(url: string, cookie: string) {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { cookie, accept: 'text/event-stream' }, signal: abort.signal });
  return readStream(res, () => abort.abort());
}

/** The text of each cell of each body row of a fragment. */
function rows(fragment: string): string[][] {
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(fragment)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1] ?? ''));
}

const AAPL = { ticker: 'AAPL', quantity: 100, stopLoss: '185', takeProfit: '200', mark: '192.37' } as const;

describe('the live positions stream', () => {
  const newStore = useTempStore();
  const startDashboard = useDashboard();

  async function started() {
    const t = await operatorHarness(await newStore());
    const { at } = await startDashboard(t);
    const get = (path: string, init: RequestInit = {}) => fetch(`${at.url}${path}`, { redirect: 'manual', ...init });
    const { cookie } = await logInOverHttp(get, DASHBOARD_TOKEN);
    return { t, at, get, cookie, listeners: () => t.app.engine.events.listenerCount() };
  }

  it('refuses a request without a session with 401, and serves the SSE extension the page loads', async () => {
    const { get } = await started();
    const refused = await get('/events/positions');
    expect([refused.status, await refused.text()]).toEqual([401, 'unauthorized: log in at /login']);
    expect((await get('/events/positions', { headers: { cookie: 'catalyst_session=forged' } })).status).toBe(401);
    const script = await get('/assets/htmx-ext-sse.min.js');
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await script.text()).toContain('htmx.defineExtension("sse"');
  });

  it('links the positions page to the stream', async () => {
    const { get, cookie } = await started();
    const page = await (await get('/positions', { headers: { cookie } })).text();
    expect(page).toContain('<section id="positions" hx-ext="sse" sse-connect="/events/positions" sse-swap="positions">');
    expect(page.match(/<script[^>]*>/g)).toEqual(['<script src="/assets/htmx.min.js" defer>', '<script src="/assets/htmx-ext-sse.min.js" defer>']);
  });

  it('sends the positions again with the exact new figures after a price mark and after a close', async () => {
    const { t, at, cookie } = await started();
    await openPositions(t, [AAPL]);
    const stream = await openStream(`${at.url}/events/positions`, cookie);
    expect([stream.res.status, stream.res.headers.get('content-type'), stream.res.headers.get('x-accel-buffering')]).toEqual([200, 'text/event-stream', 'no']);

    // On opening: the positions as they are, so that nothing changed between the page and its stream is missed.
    const first = await stream.next('Open positions (1)');
    expect(first.event).toBe('positions');
    expect(rows(first.data)).toEqual([['AAPL', 'long', '100', '$190.00', '$192.37', '+$237.00', '+1.25%', '$185.00', '$200.00', 'manual']]);

    await t.app.operator.simSetPrice('AAPL', dec('193.5'));
    const marked = await stream.next('$193.50');
    expect(rows(marked.data)).toEqual([['AAPL', 'long', '100', '$190.00', '$193.50', '+$350.00', '+1.84%', '$185.00', '$200.00', 'manual']]);

    await t.app.operator.simSetPrice('AAPL', dec('188.01'));
    expect(rows((await stream.next('$188.01')).data)).toEqual([
      ['AAPL', 'long', '100', '$190.00', '$188.01', '-$199.00', '-1.05%', '$185.00', '$200.00', 'manual'],
    ]);

    // A close (an exit fill) leaves the page with nothing open.
    const before = stream.events.length;
    await t.app.operator.close('AAPL', null);
    const closed = await stream.next('Open positions (0)', before);
    expect(closed.data).toBe('<h1>Open positions (0)</h1>\n<p class="muted">No open positions.</p>');
    stream.close();
  });

  it("sends the monitor cycle's marks: a price that moved at the broker shows once the cycle has marked it", async () => {
    const { t, at, cookie } = await started();
    await openPositions(t, [AAPL]);
    const stream = await openStream(`${at.url}/events/positions`, cookie);
    await stream.next('$192.37');

    // The market moves at the broker; nothing in the book changes until the monitor marks it.
    t.sim.engine.setPrice('AAPL', dec('191.12'));
    expect(await t.monitor.runCycle()).toBe(true);
    expect(rows((await stream.next('$191.12')).data)).toEqual([
      ['AAPL', 'long', '100', '$190.00', '$191.12', '+$112.00', '+0.59%', '$185.00', '$200.00', 'manual'],
    ]);
    stream.close();
  });

  it('makes one redraw of a burst of changes', async () => {
    const { t, at, cookie } = await started();
    await openPositions(t, [AAPL]);
    const stream = await openStream(`${at.url}/events/positions`, cookie);
    await stream.next('$192.37');
    const before = stream.events.length;

    const { events } = t.app.engine;
    for (let i = 0; i < 20; i++) events.emit({ kind: 'positions_marked', at: t.sim.clock.now() });
    await until(() => (stream.events.length > before ? true : null), WAIT_MS);
    // A later change is the next event: the burst made exactly one.
    await t.app.operator.simSetPrice('AAPL', dec('195'));
    await stream.next('$195.00', before + 1);
    expect(stream.events.slice(before).map((e) => rows(e.data)[0]?.[4])).toEqual(['$192.37', '$195.00']);
    stream.close();
  });

  it('listens to the trading events only while a stream is open', async () => {
    const { at, cookie, listeners } = await started();
    // The alerts' own listener (the monitor) is there from the start; the stream adds one only while open.
    const idle = listeners();

    const one = await openStream(`${at.url}/events/positions`, cookie);
    await until(() => (listeners() === idle + 1 ? true : null), WAIT_MS);
    const two = await openStream(`${at.url}/events/positions`, cookie);
    await two.next('Open positions (0)');
    expect(listeners()).toBe(idle + 1);

    one.close();
    await one.reading;
    two.close();
    await two.reading;
    await until(() => (listeners() === idle ? true : null), WAIT_MS);
  });

  it('stops at once with a stream open: the stream ends and its listener goes', async () => {
    const t = await operatorHarness(await newStore());
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const server = new DashboardServer({ operator: t.app.operator, token: DASHBOARD_TOKEN, host: '127.0.0.1', port: 0, log });
    const at = await server.listen();
    if (!at) throw new Error('the dashboard did not start');
    const get = (path: string, init: RequestInit = {}) => fetch(`${at.url}${path}`, { redirect: 'manual', ...init });
    const { cookie } = await logInOverHttp(get, DASHBOARD_TOKEN);
    const idle = t.app.engine.events.listenerCount();
    const stream = await openStream(`${at.url}/events/positions`, cookie);
    await stream.next('Open positions (0)');
    expect(t.app.engine.events.listenerCount()).toBe(idle + 1);

    await server.stop();
    await stream.reading;
    expect(stream.ended()).toBe(true);
    await until(() => (t.app.engine.events.listenerCount() === idle ? true : null), WAIT_MS);
  });
});

describe('the live stream on its own', () => {
  const session: Session = { id: 'session-id', label: '0000abcd', csrf: 'csrf', createdAt: 0 };
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

  it('keeps an idle stream open with comment lines, and lets go of the events when it closes', async () => {
    const events = new TradingEvents();
    const app = new Hono<{ Variables: { session: Session } }>();
    const operator = { openPositions: () => Promise.resolve([]), onTradingEvent: (listener: TradingEventListener) => events.on(listener) };
    registerLiveRoutes(app, { operator, log, sessionOf: () => session, keepAliveMs: 20, coalesceMs: 5 });
    expect(events.listenerCount()).toBe(0);

    const stream = readStream(await app.request('/events/positions'));
    expect(events.listenerCount()).toBe(1);
    expect((await stream.next('Open positions (0)')).event).toBe('positions');
    await until(() => (stream.comments.length >= 2 ? true : null), WAIT_MS);
    expect(new Set(stream.comments)).toEqual(new Set([': keep-alive']));

    stream.close();
    await stream.reading;
    await until(() => (events.listenerCount() === 0 ? true : null), WAIT_MS);
  });
});

/** The signal webhook over real HTTP on loopback: authentication, input limits, idempotency, and into the approval workflow. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { sign } from '../../src/signals/webhook/signature.js';
import { WebhookServer } from '../../src/signals/webhook/WebhookServer.js';
import { useTempDir, useTempStore } from '../helpers/tempDb.js';
import { operatorHarness, type OperatorHarness } from '../operator/appHarness.js';

const SECRET = 'webhook-test-secret-0123456789';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const servers: WebhookServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

const signalJson = (overrides: Record<string, unknown> = {}) => ({
  signal_id: 'wh-1',
  ticker: 'AAPL',
  timestamp: '2026-03-02T15:00:00Z',
  action: 'buy',
  confidence: 0.72,
  current_price: 190,
  stop_loss_price: 185,
  take_profit_price: 200,
  strategy: 'catalyst',
  ...overrides,
});

async function serve(t: OperatorHarness, ratePerMinute = 1000) {
  const server = new WebhookServer({ operator: t.app.operator, secret: SECRET, host: '127.0.0.1', port: 0, log: quiet, ratePerMinute });
  servers.push(server);
  const { url } = await server.start();
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${url}/signals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-timestamp': String(ts), 'x-signature': sign(SECRET, ts, body), ...headers },
      body,
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> & unknown[] };
  };
  /** A signed GET: the signature covers the timestamp and an empty body. */
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${url}${path}`, { headers: { 'x-timestamp': String(ts), 'x-signature': sign(SECRET, ts, ''), ...headers } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { url, post, get };
}

describe('webhook: authentication', () => {
  const newStore = useTempStore();

  it('stores a correctly signed signal and posts it for approval; refuses bad, missing and stale signatures', async () => {
    const t = await operatorHarness(await newStore());
    const { url, post } = await serve(t);
    const body = JSON.stringify(signalJson());
    const ts = Math.floor(Date.now() / 1000);

    const forged = await post(body, { 'x-signature': sign('some-other-secret-000000', ts, body) });
    expect([forged.status, forged.body.error]).toEqual([401, 'unauthorized: bad signature']);
    const bare = await fetch(`${url}/signals`, { method: 'POST', body });
    expect(bare.status).toBe(401);
    const stale = await post(body, { 'x-timestamp': String(ts - 301), 'x-signature': sign(SECRET, ts - 301, body) });
    expect([stale.status, String(stale.body.error)]).toEqual([401, expect.stringMatching(/^unauthorized: X-Timestamp is 30\d s from now \(at most 300\)$/)]);
    const tampered = await post(body.replace('185', '180'), { 'x-timestamp': String(ts), 'x-signature': sign(SECRET, ts, body) });
    expect(tampered.status).toBe(401);
    expect(await t.store.signals.get('wh-1')).toBeNull();

    const good = await post(body);
    expect([good.status, good.headers.get('location'), good.body]).toEqual([
      202,
      '/signals/wh-1',
      { signal_id: 'wh-1', status: 'pending', created: true, status_url: '/signals/wh-1' },
    ]);
    await new Promise((r) => setImmediate(r));
    expect(t.output()).toContain('• Signal: BUY AAPL\n  From webhook · id wh-1');
    expect(t.output()).toContain('  Proposed: 400 shares, $2,000.00 at risk');

    // The same signed request again: answered with what is stored, nothing new.
    const replay = await post(body);
    expect([replay.status, replay.body]).toEqual([200, { signal_id: 'wh-1', status: 'pending', created: false, status_url: '/signals/wh-1' }]);
    expect(await t.store.signals.listByStatus('pending')).toHaveLength(1);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});

describe('webhook: input', () => {
  const newStore = useTempStore();

  it('refuses malformed JSON, invalid fields (each listed), oversized bodies; stores nothing', async () => {
    const t = await operatorHarness(await newStore());
    const { post } = await serve(t);
    const malformed = await post('{"signal_id": ');
    expect([malformed.status, String(malformed.body.error)]).toEqual([400, expect.stringMatching(/^malformed JSON: /)]);
    const invalid = await post(JSON.stringify([signalJson({ signal_id: 'ok-1' }), signalJson({ signal_id: 'bad-1', stop_loss_price: 195, confidence: 2 })]));
    expect([invalid.status, invalid.body]).toEqual([
      400,
      {
        error: 'invalid signal',
        problems: ['[1] confidence: must be between 0 and 1', '[1] stop_loss_price: 195 is on the wrong side of the entry 190: a buy needs its stop below it'],
      },
    ]);
    const big = await post(JSON.stringify({ ...signalJson(), padding: 'x'.repeat(70_000) }));
    expect(big.status).toBe(413);
    expect(await t.store.signals.get('ok-1')).toBeNull();
  });

  it('limits the rate per source with Retry-After', async () => {
    const t = await operatorHarness(await newStore());
    const { post } = await serve(t, 3);
    for (let i = 0; i < 3; i++) expect((await post(JSON.stringify(signalJson({ signal_id: `r-${i}` })))).status).toBe(202);
    const limited = await post(JSON.stringify(signalJson({ signal_id: 'r-3' })));
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '20']);
    expect(await t.store.signals.get('r-3')).toBeNull();
  });

  it('takes 100 concurrent posts mixing duplicates: one row and one embed per signal_id', async () => {
    const t = await operatorHarness(await newStore());
    const { post } = await serve(t);
    const ids = Array.from({ length: 100 }, (_, i) => `c-${i % 25}`);
    const answers = await Promise.all(ids.map((id) => post(JSON.stringify(signalJson({ signal_id: id })))));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(25);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(75);
    expect(await t.store.signals.listByStatus('pending', 500)).toHaveLength(25);
    await new Promise((r) => setImmediate(r));
    expect(t.output().match(/• Signal: BUY AAPL/g)).toHaveLength(25);
  });
});

describe('webhook: into the approval workflow', () => {
  const newStore = useTempStore();

  it('auto-approves what matches both settings, and says so in the answer', async () => {
    const t = await operatorHarness(await newStore(), { AUTO_APPROVE_MIN_CONFIDENCE: '0.7', AUTO_APPROVE_STRATEGIES: 'catalyst,momentum' });
    const { post, get } = await serve(t);
    const auto = await post(JSON.stringify(signalJson({ signal_id: 'auto-1' })));
    // Answered once stored; the approval runs behind the answer.
    expect([auto.status, auto.body.status, auto.body.created, auto.body.status_url]).toEqual([202, 'pending', true, '/signals/auto-1']);
    await t.app.approvals.idle();
    const state = await get('/signals/auto-1');
    expect([state.status, state.body.status, state.body.decided_by, state.body.entry, state.body.stop_loss]).toEqual([
      200,
      'executed',
      'auto-approval',
      '190',
      '185',
    ]);
    expect(state.body.order_id).toBe(t.sim.engine.getOrderByClientId('auto-1:entry')?.id);
    expect(t.sim.engine.listOrders({ status: 'all' }).map((o) => o.clientOrderId)).toEqual(['auto-1:entry']);
    const manual = await post(
      JSON.stringify(signalJson({ signal_id: 'man-1', ticker: 'MSFT', current_price: 410, stop_loss_price: 400, take_profit_price: 430, strategy: 'other' })),
    );
    expect(manual.body.status).toBe('pending');
  });

  it('refuses approval past the TTL, and when the price has drifted or crossed the stop', async () => {
    const t = await operatorHarness(await newStore());
    const { post } = await serve(t);
    await post(JSON.stringify(signalJson({ signal_id: 'late-1' })));
    await post(JSON.stringify(signalJson({ signal_id: 'drift-1', ticker: 'MSFT', current_price: 410, stop_loss_price: 400, take_profit_price: 430 })));
    t.sim.engine.setPrice('MSFT', dec('399.50'));
    expect(await t.type('approve drift-1')).toContain('Not approved: MSFT is at $399.50, already through the stop $400.00. The signal stays open.');
    t.sim.clock.advance(31 * 60_000);
    expect(await t.type('approve late-1')).toContain('Signal late-1 expired; it cannot be approved.');
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });
});

describe('npm run signal', () => {
  const newStore = useTempStore();
  const newDir = useTempDir();

  it('signs a file of signals and sends it to the local webhook', async () => {
    const t = await operatorHarness(await newStore());
    const { url } = await serve(t);
    const port = new URL(url).port;
    const file = join(newDir(), 'signals.json');
    writeFileSync(
      file,
      JSON.stringify([
        signalJson({ signal_id: 'cli-1' }),
        signalJson({ signal_id: 'cli-2', ticker: 'MSFT', current_price: 410, stop_loss_price: 400, take_profit_price: 430 }),
      ]),
    );
    const root = new URL('../..', import.meta.url).pathname;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', `${root}node_modules/tsx/dist/esm/index.mjs`, `${root}scripts/signal.ts`, file],
        { cwd: newDir(), env: { PATH: process.env.PATH ?? '', WEBHOOK_PORT: port, WEBHOOK_SECRET: SECRET }, timeout: 120_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    expect(out.trim()).toBe(
      '202 [{"signal_id":"cli-1","status":"pending","created":true,"status_url":"/signals/cli-1"},{"signal_id":"cli-2","status":"pending","created":true,"status_url":"/signals/cli-2"}]',
    );
    expect((await t.store.signals.listByStatus('pending')).map((s) => s.signalId).sort()).toEqual(['cli-1', 'cli-2']);
  });
});

describe('webhook: a large body sent without a length', () => {
  const newStore = useTempStore();

  it('answers 413 rather than resetting the connection', async () => {
    const t = await operatorHarness(await newStore());
    const { url } = await serve(t);
    const big = 'x'.repeat(80_000);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < big.length; i += 8192) controller.enqueue(new TextEncoder().encode(big.slice(i, i + 8192)));
        controller.close();
      },
    });
    const res = await fetch(`${url}/signals`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([413, 'body over 65536 bytes']);
  });
});

describe('webhook: answered at once, executed behind the answer, in order', () => {
  const newStore = useTempStore();
  // Exposure up to 2× equity: both risk-sized entries (AAPL 400 × $190, MSFT 200 × $410) fit.
  const AUTO = { AUTO_APPROVE_MIN_CONFIDENCE: '0.7', AUTO_APPROVE_STRATEGIES: 'catalyst', MAX_EXPOSURE_PCT: '2.0' };

  it('answers a burst before executing it, then executes each signal in arrival order', async () => {
    const t = await operatorHarness(await newStore(), AUTO);
    const { post, get } = await serve(t);
    const sent = [
      signalJson({ signal_id: 'b-1' }),
      signalJson({ signal_id: 'b-2' }),
      signalJson({ signal_id: 'b-3', ticker: 'MSFT', current_price: 410, stop_loss_price: 400, take_profit_price: 430 }),
    ];
    const answers = [];
    for (const body of sent) answers.push(await post(JSON.stringify(body)));
    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [202, 'pending'],
      [202, 'pending'],
      [202, 'pending'],
    ]);
    await t.app.approvals.idle();
    // b-2 came after b-1 and finds AAPL held: refused by the one-position-per-ticker rule.
    const states = await Promise.all(['b-1', 'b-2', 'b-3'].map(async (id) => (await get(`/signals/${id}`)).body.status));
    expect(states).toEqual(['executed', 'failed', 'executed']);
    expect(
      t.sim.engine
        .listOrders({ status: 'all' })
        .map((o) => o.clientOrderId)
        .sort(),
    ).toEqual(['b-1:entry', 'b-3:entry']);
  });

  it('GET /signals/:id needs the signature and names an unknown signal', async () => {
    const t = await operatorHarness(await newStore());
    const { url, post, get } = await serve(t);
    await post(JSON.stringify(signalJson({ signal_id: 'g-1' })));
    const bare = await fetch(`${url}/signals/g-1`);
    expect(bare.status).toBe(401);
    const ts = Math.floor(Date.now() / 1000);
    expect((await get('/signals/g-1', { 'x-signature': sign('some-other-secret-000000', ts, '') })).status).toBe(401);
    expect(await get('/signals/nope')).toEqual({ status: 404, body: { error: 'no signal nope' } });
    const state = await get('/signals/g-1');
    expect(state.body).toMatchObject({
      signal_id: 'g-1',
      ticker: 'AAPL',
      action: 'buy',
      status: 'pending',
      entry: '190',
      take_profit: '200',
      confidence: '0.72',
      order_id: null,
    });
    const wrongMethod = await fetch(`${url}/signals/g-1`, { method: 'POST' });
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'GET']);
  });

  it('approves a pending auto-approvable signal that a crash left behind: on its resend, or at start-up, once', async () => {
    const store = await newStore();
    // Stored, then the process died before approving: left pending.
    const before = await operatorHarness(store);
    await (await serve(before)).post(JSON.stringify(signalJson({ signal_id: 'lost-1' })));
    await (
      await serve(before)
    ).post(JSON.stringify(signalJson({ signal_id: 'lost-2', ticker: 'MSFT', current_price: 410, stop_loss_price: 400, take_profit_price: 430 })));
    expect((await store.signals.listByStatus('pending')).map((s) => s.signalId).sort()).toEqual(['lost-1', 'lost-2']);

    const after = await operatorHarness(store, AUTO);
    // The sender's retry of lost-1 runs it.
    const retry = await (await serve(after)).post(JSON.stringify(signalJson({ signal_id: 'lost-1' })));
    expect([retry.status, retry.body.created, retry.body.status]).toEqual([200, false, 'pending']);
    await after.app.approvals.idle();
    expect((await store.signals.get('lost-1'))?.status).toBe('executed');
    // Start-up runs lost-2; running it again (or another resend) places nothing more.
    expect(await after.app.approvals.resumeAutoApprovals()).toBe(1);
    await after.app.approvals.idle();
    expect(await after.app.approvals.resumeAutoApprovals()).toBe(0);
    await (await serve(after)).post(JSON.stringify(signalJson({ signal_id: 'lost-1' })));
    await after.app.approvals.idle();
    expect((await store.signals.get('lost-2'))?.status).toBe('executed');
    expect(
      after.sim.engine
        .listOrders({ status: 'all' })
        .map((o) => o.clientOrderId)
        .sort(),
    ).toEqual(['lost-1:entry', 'lost-2:entry']);
  });

  it('leaves a pending signal past its time to expire rather than approving it at start-up', async () => {
    const store = await newStore();
    const before = await operatorHarness(store);
    await (await serve(before)).post(JSON.stringify(signalJson({ signal_id: 'old-1' })));
    const after = await operatorHarness(store, AUTO, { sim: { start: '2026-03-02T16:00:00.000Z' } });
    expect(await after.app.approvals.resumeAutoApprovals()).toBe(0);
    expect(after.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });
});

describe('webhook: a port it cannot listen on', () => {
  it('names the address and the setting', async () => {
    const taken = new WebhookServer({ operator: null as never, secret: SECRET, host: '127.0.0.1', port: 0, log: quiet });
    servers.push(taken);
    const { port } = await taken.listen();
    const second = new WebhookServer({ operator: null as never, secret: SECRET, host: '127.0.0.1', port, log: quiet });
    await expect(second.listen()).rejects.toThrow(`the signal webhook cannot listen on 127.0.0.1:${port}: port ${port} is already in use (WEBHOOK_PORT)`);
    // TEST-NET-1: never an address of this machine; binding fails without sending anything.
    const elsewhere = new WebhookServer({ operator: null as never, secret: SECRET, host: '192.0.2.1', port: 0, log: quiet });
    await expect(elsewhere.listen()).rejects.toThrow(
      'the signal webhook cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine (WEBHOOK_HOST)',
    );
  });
});

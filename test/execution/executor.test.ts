/** The executor: exactly one order per signal, clear refusals, and safe submission over the real SDK. */
import { describe, expect, it } from 'vitest';
import { AlpacaBroker } from '../../src/broker/alpaca/AlpacaBroker.js';
import { BrokerConnectionError } from '../../src/domain/errors.js';
import { dec } from '../../src/domain/money.js';
import { createTradingEngine } from '../../src/execution/engine.js';
import { KEY, SECRET, served } from '../broker/sim/server/serverHarness.js';
import { useTempStore } from '../helpers/tempDb.js';
import { DEFAULT_RISK, DEFAULT_SIZING, engineHarness, signal, usd } from '../helpers/engineHarness.js';

describe('executeSignal: one signal, one order', () => {
  const newStore = useTempStore();

  it('answers a second execution with the first result and sends nothing', async () => {
    const t = engineHarness(await newStore());
    const first = await t.engine.executor.executeSignal(signal());
    const second = await t.engine.executor.executeSignal(signal());
    expect([second.success, second.duplicate, second.order?.orderId, second.quantity?.toFixed()]).toEqual([true, true, first.order?.orderId, '400']);
    expect(t.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('places one order when the same signal is executed five times at once', async () => {
    const t = engineHarness(await newStore());
    const results = await Promise.all(Array.from({ length: 5 }, () => t.engine.executor.executeSignal(signal())));
    expect(new Set(results.map((r) => r.order?.orderId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(t.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
    await t.settle();
    expect((await t.engine.manager.getPosition('AAPL'))?.quantity.toFixed()).toBe('400');
  });

  it('answers "not sent" when the broker fails before the order leaves, and leaves nothing submitting', async () => {
    const store = await newStore();
    const t = engineHarness(store);
    const getAccount = t.broker.getAccount.bind(t.broker);
    t.broker.getAccount = () => Promise.reject(new BrokerConnectionError('the account request timed out after 10000 ms'));
    const result = await t.engine.executor.executeSignal(signal());
    expect([result.success, result.pending, result.refusedBy, result.errorMessage]).toEqual([
      false,
      false,
      'broker',
      'not sent: the account request timed out after 10000 ms',
    ]);
    expect(await store.executions.listSubmitting()).toEqual([]);
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
    t.broker.getAccount = getAccount;
    // Settled: the same signal answers with that outcome and sends nothing.
    const again = await t.engine.executor.executeSignal(signal());
    expect([again.success, again.duplicate]).toEqual([false, true]);
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('remembers across a restart, including a refusal', async () => {
    const store = await newStore();
    const t = engineHarness(store, { risk: { maxOpenPositions: 1 } });
    const placed = await t.engine.executor.executeSignal(signal());
    const refused = await t.engine.executor.executeSignal(
      signal({ signal_id: 'sig-2', ticker: 'MSFT', current_price: '410', stop_loss_price: '400', take_profit_price: '430' }),
    );
    expect([refused.success, refused.refusedBy]).toEqual([false, 'max_open_positions']);

    const after = t.restart();
    const again = await after.engine.executor.executeSignal(signal());
    const refusedAgain = await after.engine.executor.executeSignal(
      signal({ signal_id: 'sig-2', ticker: 'MSFT', current_price: '410', stop_loss_price: '400', take_profit_price: '430' }),
    );
    expect([again.duplicate, again.order?.orderId]).toEqual([true, placed.order?.orderId]);
    expect([refusedAgain.duplicate, refusedAgain.refusedBy, refusedAgain.errorMessage]).toEqual([true, 'max_open_positions', refused.errorMessage]);
    expect(t.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('refuses malformed input naming the field, and an unknown ticker with the broker’s reason', async () => {
    const t = engineHarness(await newStore());
    const bad = await t.engine.executor.executeSignal({
      signal_id: 'bad-1',
      ticker: 'AAPL',
      timestamp: '2026-03-02T15:00:00Z',
      action: 'buy',
      confidence: 0.7,
      current_price: 190,
      stop_loss_price: 195,
      take_profit_price: 200,
    });
    expect([bad.success, bad.refusedBy, bad.errorMessage]).toEqual([
      false,
      'invalid_signal',
      'invalid signal: stop_loss_price: 195 is on the wrong side of the entry 190: a buy needs its stop below it',
    ]);
    const unknown = await t.engine.executor.executeSignal(signal({ signal_id: 'sig-zz', ticker: 'ZZZZ' }));
    expect([unknown.success, unknown.refusedBy]).toEqual([false, 'broker']);
    expect(unknown.errorMessage).toMatch(/^the broker refused the order: .*ZZZZ/);
    expect(await t.store.orders.listSubmittedSince(new Date(0))).toEqual([]);
  });

  it('places a simple order when asked, and takes a limit entry', async () => {
    const t = engineHarness(await newStore());
    const r = await t.engine.executor.executeSignal(signal(), { useBracketOrder: false, entryType: 'limit', limitPrice: dec('189.50') });
    expect([r.success, r.bracketOrder, r.order?.orderClass, r.order?.orderType, r.order?.status, usd(r.estimatedCost)]).toEqual([
      true,
      null,
      'simple',
      'limit',
      'new',
      '75800.00',
    ]);
    await t.price('AAPL', '189.40');
    const position = await t.engine.manager.getPosition('AAPL');
    // The plan rides on the order: the position knows its stop and target though no leg exists.
    expect([position?.quantity.toFixed(), usd(position?.stopLossPrice), usd(position?.takeProfitPrice), position?.stopLossOrderId]).toEqual([
      '400',
      '185.00',
      '200.00',
      null,
    ]);
  });
});

describe('executeSignal over the Alpaca SDK: ambiguous submissions', () => {
  const newStore = useTempStore();

  /** The simulator served on loopback, the real SDK adapter (never connected: no stream needed) and the engine over it. */
  async function setup() {
    const { server, urls, engine: sim, clock } = await served();
    const broker = new AlpacaBroker({ keyId: KEY, secret: SECRET, paper: true, ...urls, timeoutMs: 1000, retryDelayMs: 5 });
    const store = await newStore();
    const engine = createTradingEngine({ broker, store, sizing: DEFAULT_SIZING, risk: DEFAULT_RISK, submitRetry: { minTimeoutMs: 5 }, now: () => clock.now() });
    return { sim: { engine: sim }, server, store, engine };
  }

  it('answered by a dropped connection after the order arrived: found by its id, one order', async () => {
    const { server, engine, sim } = await setup();
    server.faults.inject('POST', '/v2/orders', { kind: 'acceptThenDrop' });
    const r = await engine.executor.executeSignal(signal());
    expect([r.success, r.quantity?.toFixed(), r.order?.clientOrderId]).toEqual([true, '400', 'sig-1:entry']);
    expect(sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('a 500 before the order was taken: checked, retried with the same id, placed once', async () => {
    const { server, engine, sim } = await setup();
    server.faults.inject('POST', '/v2/orders', { kind: 'serverError' });
    const r = await engine.executor.executeSignal(signal());
    expect([r.success, r.order?.status]).toEqual([true, 'filled']);
    expect(sim.engine.listOrders({ status: 'all' }).map((o) => o.clientOrderId)).toEqual(['sig-1:entry']);
  });

  it('neither the order nor the lookup answered: pending, then settled by the next attempt without a second order', async () => {
    const { server, engine, sim, store } = await setup();
    server.faults.inject('POST', '/v2/orders', { kind: 'acceptThenDrop' });
    server.faults.inject('GET', '/v2/orders:by_client_order_id', { kind: 'serverError' }, 10);
    const first = await engine.executor.executeSignal(signal());
    expect([first.success, first.pending, first.refusedBy]).toEqual([false, true, 'broker']);
    expect(first.errorMessage).toContain('may exist');
    expect((await store.executions.get('sig-1'))?.status).toBe('submitting');

    server.faults.clear();
    const second = await engine.executor.executeSignal(signal());
    expect([second.success, second.quantity?.toFixed()]).toEqual([true, '400']);
    expect(sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
    expect((await store.executions.get('sig-1'))?.status).toBe('done');
  });

  it('a rate limit that does not clear: refused with the broker’s reason, nothing placed', async () => {
    const { server, engine, sim } = await setup();
    server.faults.inject('POST', '/v2/orders', { kind: 'rateLimit', retryAfterSeconds: 0 }, 10);
    const r = await engine.executor.executeSignal(signal());
    expect([r.success, r.refusedBy]).toEqual([false, 'broker']);
    expect(r.errorMessage).toMatch(/rate|too many/i);
    expect(sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });
});

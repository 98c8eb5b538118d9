/** After downtime the database and the broker agree: fills once, external closes, unknown positions adopted. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { describeReconciliation } from '../../src/portfolio/Reconciler.js';
import { useTempStore } from '../helpers/tempDb.js';
import { engineHarness, signal, usd } from '../helpers/engineHarness.js';

describe('reconciliation after the bot was down', () => {
  const newStore = useTempStore();

  it('records what happened while down, once', async () => {
    const store = await newStore();
    const before = engineHarness(store);
    await before.engine.executor.executeSignal(signal());
    await before.engine.executor.executeSignal(
      signal({ signal_id: 'sig-m', ticker: 'MSFT', current_price: '410', stop_loss_price: '400', take_profit_price: '430' }),
    );
    // A limit entry that fills while the bot is down.
    await before.engine.executor.executeSignal(
      signal({ signal_id: 'sig-p', ticker: 'PENY', current_price: '0.5', stop_loss_price: '0.4', take_profit_price: '0.8' }),
      {
        entryType: 'limit',
        limitPrice: dec('0.48'),
        quantity: dec(1000),
      },
    );
    await before.settle();
    before.stopFollowing();

    // Down: AAPL stops out at the broker, MSFT is closed by hand elsewhere, PENY's limit fills,
    // and someone buys AAPL outside the bot.
    await before.broker.setPrice('AAPL', dec('184.50'));
    await before.broker.setPrice('MSFT', dec('412.30'));
    await before.broker.closePosition('MSFT');
    await before.broker.setPrice('PENY', dec('0.47'));
    await before.broker.placeOrder('AAPL', 'buy', dec(7), 'market', { clientOrderId: 'manual-elsewhere' });

    const after = before.restart();
    const summary = await after.engine.reconciler.reconcile();
    expect(summary.fillsRecorded.map((o) => [o.ticker, o.leg, o.side, o.filledQty.toFixed()])).toEqual([
      ['AAPL', 'stop_loss', 'sell', '400'],
      ['PENY', 'entry', 'buy', '1000'],
    ]);
    expect(summary.closedExternally.map((c) => [c.ticker, c.exitReason, usd(c.exitPrice), usd(c.realizedPnl)])).toEqual([
      ['MSFT', 'external', '412.30', '460.00'],
    ]);
    expect(summary.adopted.map((p) => [p.ticker, p.side, p.quantity.toFixed(), usd(p.entryPrice), p.strategy])).toEqual([
      ['AAPL', 'long', '7', '184.50', 'external'],
    ]);
    expect(describeReconciliation(summary)).toBe(
      ['2 fill(s) recorded: sell 400 AAPL, buy 1000 PENY', 'MSFT closed outside the bot at $412.30 (P&L $460.00)', 'AAPL adopted: long 7 at $184.50'].join(
        '\n',
      ),
    );

    // Both closed at the simulator's same instant: sorted by ticker, as their order in time says nothing.
    const closed = (await after.engine.manager.getClosedPositions(1)).sort((a, b) => a.ticker.localeCompare(b.ticker));
    expect(closed.map((c) => [c.ticker, c.exitReason, usd(c.realizedPnl)])).toEqual([
      ['AAPL', 'stop_loss', '-2200.00'],
      ['MSFT', 'external', '460.00'],
    ]);
    expect((await after.engine.manager.getOpenPositions()).map((p) => [p.ticker, p.quantity.toFixed(), usd(p.stopLossPrice)])).toEqual([
      ['PENY', '1000', '0.40'],
      ['AAPL', '7', undefined],
    ]);

    // A second pass finds nothing to do.
    const again = await after.engine.reconciler.reconcile();
    expect(describeReconciliation(again)).toBe('Database and broker agree.');
  });

  it('settles an execution interrupted before the broker answered', async () => {
    const store = await newStore();
    const t = engineHarness(store);
    // A crash after the claim, before the order went out.
    await store.executions.claim(
      {
        signalId: 'sig-x',
        clientOrderId: 'sig-x:entry',
        ticker: 'AAPL',
        signalPrice: dec(190),
        stopLossPrice: dec(185),
        takeProfitPrice: dec(200),
        strategy: null,
      },
      t.sim.clock.now(),
    );
    // In a monitor cycle one just claimed may still be on its way: left alone until its grace has passed.
    expect((await t.engine.reconciler.reconcile({ immediate: false })).submissionsSettled).toBe(0);
    t.sim.clock.advance(2 * 60_000);
    const summary = await t.engine.reconciler.reconcile({ immediate: false });
    expect(summary.submissionsSettled).toBe(1);
    const replay = await t.engine.executor.executeSignal(signal({ signal_id: 'sig-x' }));
    expect([replay.success, replay.duplicate, replay.errorMessage]).toEqual([
      false,
      true,
      'interrupted before the broker received the order: nothing was placed',
    ]);
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('at start-up settles an execution claimed a moment ago: nothing is left submitting', async () => {
    const store = await newStore();
    const t = engineHarness(store);
    await store.executions.claim(
      {
        signalId: 'sig-y',
        clientOrderId: 'sig-y:entry',
        ticker: 'AAPL',
        signalPrice: dec(190),
        stopLossPrice: dec(185),
        takeProfitPrice: dec(200),
        strategy: null,
      },
      t.sim.clock.now(),
    );
    const summary = await t.engine.reconciler.reconcile();
    expect(summary.submissionsSettled).toBe(1);
    expect(await store.executions.listSubmitting()).toEqual([]);
  });

  it("records a bracket the broker accepted just before a crash as the signal's own, never as an external position", async () => {
    const store = await newStore();
    const before = engineHarness(store);
    before.stopFollowing();
    // The claim was written, the broker accepted and filled the entry, and the process died before recording it.
    await store.executions.claim(
      {
        signalId: 'sig-k',
        clientOrderId: 'sig-k:entry',
        ticker: 'AAPL',
        signalPrice: dec(190),
        stopLossPrice: dec(185),
        takeProfitPrice: dec(200),
        strategy: 'gap',
      },
      before.sim.clock.now(),
    );
    await before.broker.placeBracketOrder({
      ticker: 'AAPL',
      side: 'buy',
      quantity: dec(999),
      entryType: 'market',
      stopLossPrice: dec(185),
      takeProfitPrice: dec(200),
      timeInForce: 'gtc',
      clientOrderId: 'sig-k:entry',
    });

    const after = before.restart();
    const summary = await after.engine.reconciler.reconcile();
    expect([summary.submissionsSettled, summary.adopted.length, summary.resynced.length]).toEqual([1, 0, 0]);
    const [position, ...others] = await after.engine.manager.getOpenPositions();
    expect(others).toEqual([]);
    expect([
      position?.ticker,
      position?.quantity.toFixed(),
      position?.signalId,
      position?.strategy,
      usd(position?.stopLossPrice),
      usd(position?.takeProfitPrice),
    ]).toEqual(['AAPL', '999', 'sig-k', 'gap', '185.00', '200.00']);
    const legs = after.sim.engine.getOrderByClientId('sig-k:entry')?.legs ?? [];
    expect([position?.stopLossOrderId, position?.takeProfitOrderId].sort()).toEqual(legs.map((l) => l.id).sort());

    // Executing the same signal again (a resumed approval) settles nothing twice.
    const again = await after.engine.executor.executeSignal(signal({ signal_id: 'sig-k' }));
    expect([again.success, again.duplicate]).toEqual([true, true]);
    expect((await after.engine.manager.getOpenPositions()).map((p) => p.quantity.toFixed())).toEqual(['999']);
    expect(after.sim.engine.positions().map((p) => p.quantity.toFixed())).toEqual(['999']);
  });

  it('records an accepted entry whose execution was already finished as failed through its own order, not as external', async () => {
    const store = await newStore();
    const before = engineHarness(store);
    before.stopFollowing();
    await store.executions.claim(
      {
        signalId: 'sig-z',
        clientOrderId: 'sig-z:entry',
        ticker: 'MSFT',
        signalPrice: dec(410),
        stopLossPrice: dec(400),
        takeProfitPrice: dec(430),
        strategy: null,
      },
      before.sim.clock.now(),
    );
    await store.executions.finish(
      'sig-z',
      { success: false, orderId: null, quantity: null, estimatedCost: null, errorMessage: 'interrupted', refusedBy: 'broker', sizing: null },
      before.sim.clock.now(),
    );
    await before.broker.placeBracketOrder({
      ticker: 'MSFT',
      side: 'buy',
      quantity: dec(10),
      entryType: 'market',
      stopLossPrice: dec(400),
      takeProfitPrice: dec(430),
      timeInForce: 'gtc',
      clientOrderId: 'sig-z:entry',
    });

    const after = before.restart();
    const summary = await after.engine.reconciler.reconcile();
    expect(summary.adopted).toEqual([]);
    const positions = await after.engine.manager.getOpenPositions();
    expect(positions.map((p) => [p.ticker, p.quantity.toFixed(), p.signalId, usd(p.stopLossPrice)])).toEqual([['MSFT', '10', 'sig-z', '400.00']]);
    expect((await store.executions.get('sig-z'))?.success).toBe(true);
  });
});

/** The operator service answers with data (Decimal amounts, records), and refuses with typed errors: no chat view in sight. */
import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/app/errors.js';
import { OrderRejectedError } from '../../src/domain/errors.js';
import { dec } from '../../src/domain/money.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

type Harness = Awaited<ReturnType<typeof operatorHarness>>;

/** Opens a position at market through the service, bracketed when stop and target are given, and waits until it is recorded. */
async function openAtMarket(
  t: Harness,
  order: { side: 'buy' | 'sell'; ticker: string; quantity: number; stopLoss: number | null; takeProfit: number | null; requestId: string },
): Promise<void> {
  const { operator } = t.app;
  await operator.placeOrder(
    await operator.prepareOrder({
      side: order.side,
      ticker: order.ticker,
      quantity: dec(order.quantity),
      type: 'market',
      limitPrice: null,
      stopLoss: order.stopLoss === null ? null : dec(order.stopLoss),
      takeProfit: order.takeProfit === null ? null : dec(order.takeProfit),
      requestId: order.requestId,
    }),
  );
  await t.app.engine.ledger.serial(async () => undefined);
}

describe('OperatorService', () => {
  const newStore = useTempStore();

  it('places a bracket from a ticket, then reports the account, the position and the round trip as exact figures', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    const ticket = await operator.prepareOrder({
      side: 'buy',
      ticker: 'AAPL',
      quantity: dec(100),
      type: 'market',
      limitPrice: null,
      stopLoss: dec(185),
      takeProfit: dec(200),
      requestId: 'svc-1',
    });
    expect([ticket.last.toFixed(), ticket.entry.toFixed()]).toEqual(['190', '190']);
    const placed = await operator.placeOrder(ticket);
    expect([placed.success, placed.quantity?.toFixed(), placed.bracketOrder?.stopLoss?.stopPrice?.toFixed()]).toEqual([true, '100', '185']);
    // The same ticket again places nothing more.
    expect((await operator.placeOrder(ticket)).duplicate).toBe(true);

    await operator.simSetPrice('AAPL', dec('192.37'));
    const [position] = await operator.positions();
    expect([position?.ticker, position?.quantity.toFixed(), position?.unrealizedPnl.toFixed()]).toEqual(['AAPL', '100', '237']);
    const { account, mode, trading } = await operator.account();
    expect([mode, trading.state, account.equity.toFixed()]).toEqual(['SIM', 'ACTIVE', '100237']);

    await operator.close('AAPL', null);
    await t.app.engine.ledger.serial(async () => undefined);
    const { performance } = await operator.stats(30);
    expect([performance.totalTrades, performance.totalPnl.toFixed()]).toEqual([1, '237']);
  });

  it('refuses with an OperatorError the operator can read', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e,
      );
    const unknown = await refusal(
      operator.prepareOrder({
        side: 'buy',
        ticker: 'ZZZZ',
        quantity: dec(1),
        type: 'market',
        limitPrice: null,
        stopLoss: null,
        takeProfit: null,
        requestId: 'svc-2',
      }),
    );
    expect(unknown).toBeInstanceOf(OperatorError);
    expect((unknown as Error).message).toBe('Unknown ticker ZZZZ: the broker has no price for it.');
    const wrongSide = await refusal(
      operator.prepareOrder({
        side: 'buy',
        ticker: 'AAPL',
        quantity: dec(1),
        type: 'market',
        limitPrice: null,
        stopLoss: dec(195),
        takeProfit: null,
        requestId: 'svc-3',
      }),
    );
    expect((wrongSide as Error).message).toBe('stop_loss $195.00 is on the wrong side: a buy needs its stop below the entry $190.00.');
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('halts and resumes, saying whether anything changed', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    expect(await operator.halt('news', 'carol')).toMatchObject({ changed: true, trading: { state: 'HALTED', reason: 'news' } });
    expect((await operator.halt('again', 'carol')).changed).toBe(false);
    expect(await operator.resume('carol')).toMatchObject({ changed: true, trading: { state: 'ACTIVE' } });
  });
});

describe('OperatorService.modify', () => {
  const newStore = useTempStore();
  const carol = { id: 'u-carol', name: 'carol' };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e,
    );

  it("replaces a bracket's working legs at the broker, records the new levels and leg ids, and audits the change", async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    await openAtMarket(t, { side: 'buy', ticker: 'AAPL', quantity: 100, stopLoss: 185, takeProfit: 200, requestId: 'mod-1' });
    const before = await t.store.positions.getByTicker('AAPL');
    const oldStop = before?.stopLossOrderId ?? '';
    const oldTarget = before?.takeProfitOrderId ?? '';
    expect([oldStop, oldTarget].every((id) => id.length > 0)).toBe(true);

    const moved = await operator.modify('aapl', { stopLoss: dec('187.5') }, carol);
    expect([moved.ticker, moved.side, moved.last.toFixed()]).toEqual(['AAPL', 'long', '190']);
    expect([
      moved.stopLoss.previous?.toFixed(),
      moved.stopLoss.current?.toFixed(),
      moved.takeProfit.previous?.toFixed(),
      moved.takeProfit.current?.toFixed(),
    ]).toEqual(['185', '187.5', '200', '200']);
    expect(moved.monitored).toEqual([]);
    expect(moved.replaced.map((r) => [r.leg, r.previousOrderId, r.price.toFixed()])).toEqual([['stop_loss', oldStop, '187.5']]);
    const newStop = moved.replaced[0]?.orderId ?? '';
    expect(newStop).not.toBe(oldStop);
    const atBroker = await t.broker.getOrder(newStop);
    expect([atBroker.type, atBroker.stopPrice?.toFixed(), atBroker.isOpen()]).toEqual(['stop', '187.5', true]);
    expect((await t.broker.getOrder(oldStop)).status).toBe('replaced');
    const after = await t.store.positions.getByTicker('AAPL');
    expect([after?.stopLossPrice?.toFixed(), after?.takeProfitPrice?.toFixed(), after?.stopLossOrderId, after?.takeProfitOrderId]).toEqual([
      '187.5',
      '200',
      newStop,
      oldTarget,
    ]);
    const [audit] = await t.store.audit.listRecent(1);
    expect([audit?.actor, audit?.actorName, audit?.action, audit?.target, audit?.outcome]).toEqual(['u-carol', 'carol', 'modify', 'AAPL', 'ok']);
    expect(audit?.details).toMatchObject({
      stopLoss: { from: '185', to: '187.5' },
      takeProfit: { from: '200', to: '200' },
      replaced: [{ leg: 'stop_loss', from: oldStop, to: newStop, price: '187.5' }],
    });

    // Both at once; then the moved stop is the one that fills.
    const both = await operator.modify('AAPL', { stopLoss: dec(188), takeProfit: dec('204.25') }, carol);
    expect(both.replaced.map((r) => [r.leg, r.price.toFixed()])).toEqual([
      ['stop_loss', '188'],
      ['take_profit', '204.25'],
    ]);
    expect((await t.broker.getOrder(both.replaced[1]?.orderId ?? '')).limitPrice?.toFixed()).toBe('204.25');
    await operator.simSetPrice('AAPL', dec('187.9'));
    await t.app.engine.ledger.serial(async () => undefined);
    expect(await t.store.positions.getByTicker('AAPL')).toBeNull();
    const [closed] = await t.app.engine.manager.getClosedPositions(1);
    expect([closed?.exitReason, closed?.quantity.toFixed()]).toEqual(['stop_loss', '100']);
  });

  it('keeps the levels of a position without working legs for the monitor, which closes it when one is crossed', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    await openAtMarket(t, { side: 'sell', ticker: 'MSFT', quantity: 10, stopLoss: null, takeProfit: null, requestId: 'mod-2' });
    const kept = await operator.modify('MSFT', { stopLoss: dec(420), takeProfit: dec(400) });
    expect([kept.side, kept.stopLoss.previous, kept.stopLoss.current?.toFixed(), kept.takeProfit.previous, kept.takeProfit.current?.toFixed()]).toEqual([
      'short',
      null,
      '420',
      null,
      '400',
    ]);
    expect([kept.replaced, kept.monitored]).toEqual([[], ['stop_loss', 'take_profit']]);
    const stored = await t.store.positions.getByTicker('MSFT');
    expect([stored?.stopLossPrice?.toFixed(), stored?.takeProfitPrice?.toFixed(), stored?.stopLossOrderId, stored?.takeProfitOrderId]).toEqual([
      '420',
      '400',
      null,
      null,
    ]);
    expect((await t.store.audit.listRecent(1))[0]).toMatchObject({
      actor: 'system',
      action: 'modify',
      target: 'MSFT',
      details: { monitored: ['stop_loss', 'take_profit'], replaced: [] },
    });

    await operator.simSetPrice('MSFT', dec('420.5'));
    expect(await t.monitor.runCycle()).toBe(true);
    await t.app.engine.ledger.serial(async () => undefined);
    expect(await t.store.positions.getByTicker('MSFT')).toBeNull();
    const [closed] = await t.app.engine.manager.getClosedPositions(1);
    expect([closed?.side, closed?.exitReason, closed?.exitPrice.toFixed()]).toEqual(['short', 'stop_loss', '420.5']);
  });

  it('keeps a leg already moved when the broker refuses the next one, and audits both the change and the failure', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    await openAtMarket(t, { side: 'buy', ticker: 'AAPL', quantity: 10, stopLoss: 185, takeProfit: 200, requestId: 'mod-4' });
    const before = await t.store.positions.getByTicker('AAPL');
    const replace = t.broker.replaceOrder.bind(t.broker);
    t.broker.replaceOrder = async (id, changes) => {
      if (changes.limitPrice !== undefined) throw new OrderRejectedError('order is not replaceable', { status: 422 });
      return replace(id, changes);
    };
    const error = await refusal(operator.modify('AAPL', { stopLoss: dec(186), takeProfit: dec(210) }, carol));
    expect([error instanceof OrderRejectedError, (error as Error).message]).toEqual([true, 'order is not replaceable']);
    const after = await t.store.positions.getByTicker('AAPL');
    expect([after?.stopLossPrice?.toFixed(), after?.takeProfitPrice?.toFixed(), after?.takeProfitOrderId]).toEqual(['186', '200', before?.takeProfitOrderId]);
    expect(after?.stopLossOrderId).not.toBe(before?.stopLossOrderId);
    const [audit] = await t.store.audit.listRecent(1);
    expect([audit?.action, audit?.outcome, audit?.details]).toMatchObject([
      'modify',
      'error',
      { stopLoss: { from: '185', to: '186' }, takeProfit: { from: '200', to: '200' }, error: 'order is not replaceable' },
    ]);
  });

  it('refuses a missing position, no change, and a stop or target on the wrong side of the last price, changing nothing', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    const message = async (p: Promise<unknown>) => {
      const error = await refusal(p);
      expect(error).toBeInstanceOf(OperatorError);
      return (error as Error).message;
    };
    expect(await message(operator.modify('MSFT', { stopLoss: dec(400) }))).toBe('No open position in MSFT.');
    await openAtMarket(t, { side: 'buy', ticker: 'AAPL', quantity: 10, stopLoss: 185, takeProfit: 200, requestId: 'mod-3' });
    const before = await t.store.positions.getByTicker('AAPL');
    expect(await message(operator.modify('AAPL', {}))).toBe('Nothing to change: give stop_loss, take_profit or both.');
    expect(await message(operator.modify('AAPL', { stopLoss: dec(190) }))).toBe(
      'stop_loss $190.00 is on the wrong side: a long position needs its stop below the last price $190.00.',
    );
    expect(await message(operator.modify('AAPL', { takeProfit: dec('189.99') }))).toBe(
      'take_profit $189.99 is on the wrong side: a long position needs its target above the last price $190.00.',
    );
    expect(await message(operator.modify('AAPL', { stopLoss: dec(186), takeProfit: dec(150) }))).toBe(
      'take_profit $150.00 is on the wrong side: a long position needs its target above the last price $190.00.',
    );
    expect(await t.store.positions.getByTicker('AAPL')).toEqual(before);
    expect(t.sim.engine.listOrders({ status: 'all' }).filter((o) => o.status === 'replaced')).toEqual([]);
    expect((await t.store.audit.listRecent(5)).filter((a) => a.action === 'modify')).toEqual([]);
  });
});

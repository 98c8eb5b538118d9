/** The operator service answers with data (Decimal amounts, records), and refuses with typed errors: no chat view in sight. */
import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/app/errors.js';
import { dec } from '../../src/broker/money.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';

describe('OperatorService', () => {
  const newStore = useTempStore();

  it('places a bracket from a ticket, then reports the account, the position and the round trip as exact figures', async () => {
    const t = await operatorHarness(await newStore());
    const { operator } = t.app;
    const ticket = await operator.prepareOrder({ side: 'buy', ticker: 'AAPL', quantity: dec(100), type: 'market', limitPrice: null, stopLoss: dec(185), takeProfit: dec(200), requestId: 'svc-1' });
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
    const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
    const unknown = await refusal(operator.prepareOrder({ side: 'buy', ticker: 'ZZZZ', quantity: dec(1), type: 'market', limitPrice: null, stopLoss: null, takeProfit: null, requestId: 'svc-2' }));
    expect(unknown).toBeInstanceOf(OperatorError);
    expect((unknown as Error).message).toBe('Unknown ticker ZZZZ: the broker has no price for it.');
    const wrongSide = await refusal(operator.prepareOrder({ side: 'buy', ticker: 'AAPL', quantity: dec(1), type: 'market', limitPrice: null, stopLoss: dec(195), takeProfit: null, requestId: 'svc-3' }));
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

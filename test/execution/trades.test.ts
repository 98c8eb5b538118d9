/** Whole trades on the simulator: signal → bracket → fill → price moves → stop or target → closed row. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { useTempStore } from '../helpers/tempDb.js';
import { engineHarness, signal, usd } from '../helpers/engineHarness.js';

describe('a long trade', () => {
  const newStore = useTempStore();

  it('sizes by risk, fills the bracket, and closes at the target with the exact P&L', async () => {
    const t = engineHarness(await newStore());
    const result = await t.engine.executor.executeSignal(signal(), { useBracketOrder: true });
    // risk: 2% of 100,000 = 2,000 at risk; |190 − 185| = 5 a share → 400 shares.
    expect([result.success, result.quantity?.toFixed(), usd(result.estimatedCost), result.order?.status, result.order?.clientOrderId]).toEqual([
      true,
      '400',
      '76000.00',
      'filled',
      'sig-1:entry',
    ]);
    expect([result.bracketOrder?.stopLoss?.stopPrice?.toFixed(), result.bracketOrder?.takeProfit?.limitPrice?.toFixed()]).toEqual(['185', '200']);
    await t.settle();

    const open = await t.engine.manager.getPosition('AAPL');
    expect([open?.side, open?.quantity.toFixed(), usd(open?.entryPrice), open?.strategy, open?.signalId]).toEqual([
      'long',
      '400',
      '190.00',
      'catalyst',
      'sig-1',
    ]);
    expect(open?.stopLossOrderId).toBe(result.bracketOrder?.stopLoss?.orderId);

    t.sim.clock.advance(95 * 60_000);
    await t.price('AAPL', '196.37');
    const [marked] = await t.engine.manager.updatePositionPrices();
    expect([usd(marked?.currentPrice), usd(marked?.unrealizedPnl)]).toEqual(['196.37', '2548.00']);
    expect(await t.engine.manager.checkTakeProfits()).toEqual([]);

    await t.price('AAPL', '200');
    expect(await t.engine.manager.getPosition('AAPL')).toBeNull();
    const [closed] = await t.engine.manager.getClosedPositions(1);
    expect([closed?.exitReason, closed?.quantity.toFixed(), usd(closed?.exitPrice), usd(closed?.realizedPnl), closed?.realizedPnlPct.toFixed(6)]).toEqual([
      'take_profit',
      '400',
      '200.00',
      '4000.00',
      '0.052632',
    ]);
    expect((closed!.closedAt.getTime() - closed!.openedAt.getTime()) / 60_000).toBe(95);
    // The broker agrees: flat, and the stop leg was canceled by OCO.
    expect(await t.broker.getPositions()).toEqual([]);
    expect((await t.store.orders.get(result.bracketOrder!.stopLoss!.orderId))?.status).toBe('canceled');
    expect(t.events.map((e) => e.kind)).toEqual(['order_filled', 'position_opened', 'positions_marked', 'order_filled', 'position_closed', 'order_canceled']);
  });

  it('stops out through a gap at the gap price', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal());
    await t.settle();
    await t.price('AAPL', '183.40');
    const [closed] = await t.engine.manager.getClosedPositions(1);
    // (183.40 − 190) × 400 = −2,640.00
    expect([closed?.exitReason, usd(closed?.exitPrice), usd(closed?.realizedPnl), closed?.realizedPnlPct.toFixed(6)]).toEqual([
      'stop_loss',
      '183.40',
      '-2640.00',
      '-0.034737',
    ]);
    expect((await t.broker.getAccount()).cash.toFixed(2)).toBe('97360.00');
  });
});

describe('a short trade', () => {
  const newStore = useTempStore();
  const short = () => signal({ signal_id: 'sig-s', ticker: 'MSFT', action: 'sell', current_price: '410', stop_loss_price: '420', take_profit_price: '390' });

  it('profits when the price falls to the target', async () => {
    const t = engineHarness(await newStore());
    const result = await t.engine.executor.executeSignal(short());
    // 2,000 / |410 − 420| = 200 shares short.
    expect([result.success, result.quantity?.toFixed(), result.order?.side]).toEqual([true, '200', 'sell']);
    await t.settle();
    expect((await t.engine.manager.getPosition('MSFT'))?.side).toBe('short');
    await t.price('MSFT', '400');
    const [marked] = await t.engine.manager.updatePositionPrices();
    expect(usd(marked?.unrealizedPnl)).toBe('2000.00');
    // The narrow mark a backtest uses stores the same figures: short 200 at 410, now 398.
    await t.price('MSFT', '398');
    expect(await t.engine.manager.markToMarket()).toBe(1);
    const stored = await t.store.positions.getByTicker('MSFT');
    expect([stored?.currentPrice.toFixed(), stored?.unrealizedPnl.toFixed()]).toEqual(['398', '2400']);
    const [again] = await t.engine.manager.updatePositionPrices();
    expect([again?.currentPrice.toFixed(), again?.unrealizedPnl.toFixed()]).toEqual(['398', '2400']);
    await t.price('MSFT', '390');
    const [closed] = await t.engine.manager.getClosedPositions(1);
    expect([closed?.side, closed?.exitReason, usd(closed?.exitPrice), usd(closed?.realizedPnl), closed?.realizedPnlPct.toFixed(6)]).toEqual([
      'short',
      'take_profit',
      '390.00',
      '4000.00',
      '0.048780',
    ]);
  });

  it('loses when the price rises through the stop', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(short());
    await t.settle();
    await t.price('MSFT', '421.25');
    const [closed] = await t.engine.manager.getClosedPositions(1);
    // (410 − 421.25) × 200 = −2,250.00
    expect([closed?.exitReason, usd(closed?.exitPrice), usd(closed?.realizedPnl)]).toEqual(['stop_loss', '421.25', '-2250.00']);
    expect(await t.broker.getPositions()).toEqual([]);
  });
});

describe('partial fills', () => {
  const newStore = useTempStore();

  it('averages the entry exactly over several fills', async () => {
    const t = engineHarness(await newStore(), { volumePerTick: dec(150) });
    const result = await t.engine.executor.executeSignal(signal());
    await t.settle();
    expect([result.order?.status, result.order?.filledQty.toFixed()]).toEqual(['partially_filled', '150']);
    expect((await t.engine.manager.getPosition('AAPL'))?.quantity.toFixed()).toBe('150');
    await t.price('AAPL', '190.51');
    await t.price('AAPL', '191.07');
    const position = await t.engine.manager.getPosition('AAPL');
    // (150 × 190 + 150 × 190.51 + 100 × 191.07) / 400 = 76183.5 / 400
    expect([position?.quantity.toFixed(), position?.entryPrice.toFixed()]).toEqual(['400', '190.45875']);
    const entry = await t.store.orders.get(result.order!.orderId);
    expect([entry?.status, entry?.filledAvgPrice?.toFixed()]).toEqual(['filled', '190.45875']);
    expect(t.events.filter((e) => e.kind === 'order_partially_filled')).toHaveLength(2);
  });
});

describe('openPosition (the seed’s call)', () => {
  const newStore = useTempStore();

  it('opens from a filled order with the plan given, once however often it is called', async () => {
    const t = engineHarness(await newStore());
    t.stopFollowing();
    const order = await t.broker.placeOrder('MSFT', 'buy', dec(30), 'market', { clientOrderId: 'manual-1' });
    const request = { order, signalId: 'manual-1', strategy: 'discretionary', stopLossPrice: dec('401.50'), takeProfitPrice: dec('425') };
    const position = await t.engine.manager.openPosition(request);
    await t.engine.manager.openPosition(request);
    expect([position?.quantity.toFixed(), usd(position?.entryPrice), usd(position?.stopLossPrice), usd(position?.takeProfitPrice), position?.strategy]).toEqual(
      ['30', '410.00', '401.50', '425.00', 'discretionary'],
    );
    expect((await t.engine.manager.getOpenPositions()).length).toBe(1);
  });
});

/** Exits the bot sends itself: only where no broker leg protects the position, and only once. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { useTempStore } from '../helpers/tempDb.js';
import { engineHarness, signal, usd } from '../helpers/engineHarness.js';

describe('stop and target checks, auto-close', () => {
  const newStore = useTempStore();

  it('closes a legless position at its stop with one market order, and sends nothing the second time', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal(), { useBracketOrder: false });
    await t.price('AAPL', '184.20');
    await t.engine.manager.updatePositionPrices();
    expect((await t.engine.manager.checkStopLosses()).map((p) => p.ticker)).toEqual(['AAPL']);
    expect(await t.engine.manager.checkTakeProfits()).toEqual([]);

    const [action] = await t.engine.manager.autoCloseTriggeredPositions();
    expect([action?.reason, action?.skipped, action?.order?.side, action?.order?.quantity.toFixed(), action?.order?.status, action?.order?.exitReason]).toEqual(
      ['stop_loss', null, 'sell', '400', 'filled', 'stop_loss'],
    );
    await t.settle();
    const [closed] = await t.engine.manager.getClosedPositions(1);
    // (184.20 − 190) × 400
    expect([closed?.exitReason, usd(closed?.realizedPnl), closed?.exitOrderId]).toEqual(['stop_loss', '-2320.00', action?.order?.orderId]);
    expect(await t.engine.manager.autoCloseTriggeredPositions()).toEqual([]);
    expect(t.sim.engine.listOrders({ status: 'all' })).toHaveLength(2);
  });

  it('leaves a triggered position to the broker while its leg is working', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal());
    await t.settle();
    // Our last price says the stop is hit; the broker's leg has not fired yet.
    await t.engine.manager.updatePositionPrices(new Map([['AAPL', dec('184.99')]]));
    const [action] = await t.engine.manager.autoCloseTriggeredPositions();
    expect([action?.reason, action?.order, action?.skipped]).toEqual(['stop_loss', null, expect.stringMatching(/^the broker's stop-loss leg .* is working$/)]);
    expect(t.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('closes part of a position, then the rest, into one closed row with the average exit', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal());
    await t.settle();
    await t.price('AAPL', '194');
    await t.engine.manager.closePosition('AAPL', { percent: dec(25) });
    await t.settle();
    const rest = await t.engine.manager.getPosition('AAPL');
    expect([rest?.quantity.toFixed(), usd(rest?.realizedPnl), rest?.stopLossOrderId !== null]).toEqual(['300', '400.00', true]);
    // The legs were canceled (they were sized for 400 shares).
    expect(t.sim.engine.listOrders({ status: 'open' })).toEqual([]);
    await t.price('AAPL', '196');
    await t.engine.manager.closePosition('AAPL');
    await t.settle();
    const [closed] = await t.engine.manager.getClosedPositions(1);
    // 100 × 194 + 300 × 196 = 78,200 → 195.50 average; P&L 400 + 1,800 = 2,200.
    expect([closed?.quantity.toFixed(), usd(closed?.exitPrice), usd(closed?.realizedPnl), closed?.exitReason]).toEqual(['400', '195.50', '2200.00', 'manual']);
    await expect(t.engine.manager.closePosition('AAPL')).rejects.toThrow('No open position in AAPL.');
  });

  it('flattens: cancels every order and closes every position', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal());
    await t.engine.executor.executeSignal(
      signal({ signal_id: 'sig-s', ticker: 'MSFT', action: 'sell', current_price: '410', stop_loss_price: '420', take_profit_price: '390' }),
    );
    await t.settle();
    const result = await t.engine.manager.flatten();
    await t.settle();
    expect([result.exits.length, result.failures]).toEqual([2, []]);
    expect(await t.broker.getPositions()).toEqual([]);
    // Both closed at the same instant: which is listed first is not the point.
    const closed = (await t.engine.manager.getClosedPositions(1)).map((c) => [c.ticker, c.exitReason, usd(c.realizedPnl)]);
    expect(closed.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['AAPL', 'flatten', '0.00'],
      ['MSFT', 'flatten', '0.00'],
    ]);
  });

  it('reports the portfolio', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal());
    await t.engine.executor.executeSignal(
      signal({ signal_id: 'sig-s', ticker: 'MSFT', action: 'sell', current_price: '410', stop_loss_price: '420', take_profit_price: '390' }),
    );
    await t.settle();
    await t.engine.manager.updatePositionPrices(
      new Map([
        ['AAPL', dec('201')],
        ['MSFT', dec('405')],
      ]),
    );
    const m = await t.engine.manager.calculatePortfolioMetrics(dec(100_000));
    // AAPL 400 × 201 = 80,400 (+4,400); MSFT 200 × 405 = 81,000 (+1,000)
    expect([
      m.totalPositions,
      m.longPositions,
      m.shortPositions,
      usd(m.totalExposure),
      m.exposurePct.toFixed(4),
      usd(m.totalUnrealizedPnl),
      m.positionsAtStopLoss,
      m.positionsAtTakeProfit,
      m.largestPosition?.ticker,
      usd(m.largestPosition?.value),
    ]).toEqual([2, 1, 1, '161400.00', '1.6140', '5400.00', 0, 1, 'MSFT', '81000.00']);
  });
});

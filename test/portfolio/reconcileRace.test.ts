/** A monitor cycle's reconciliation racing a fill: the broker is read a moment before the database. */
import { describe, expect, it } from 'vitest';
import type { Position } from '../../src/domain/position.js';
import { useTempStore } from '../helpers/tempDb.js';
import { engineHarness, signal } from '../helpers/engineHarness.js';

describe('reconciliation racing a fill', () => {
  const newStore = useTempStore();

  it('does not take a position that filled after the broker snapshot for one closed outside the bot', async () => {
    const t = engineHarness(await newStore());
    const snapshot = t.broker.getPositions.bind(t.broker);
    let raced = false;
    // The broker answers with what it held just before an entry filled (the stream then records the fill).
    t.broker.getPositions = async (): Promise<Position[]> => {
      const before = await snapshot();
      if (!raced) {
        raced = true;
        expect((await t.engine.executor.executeSignal(signal())).success).toBe(true);
        await t.settle();
      }
      return before;
    };
    const first = await t.engine.reconciler.reconcile({ immediate: false });
    const second = await t.engine.reconciler.reconcile({ immediate: false });
    expect([first.closedExternally, second.closedExternally, second.adopted]).toEqual([[], [], []]);
    const position = await t.engine.manager.getPosition('AAPL');
    expect([position?.quantity.toFixed(), position?.strategy, position?.stopLossOrderId !== null]).toEqual(['400', 'catalyst', true]);
  });

  it('acts on a difference that is still there on the next pass', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal());
    await t.settle();
    t.stopFollowing();
    await t.broker.closePosition('AAPL'); // closed outside the bot
    expect((await t.engine.reconciler.reconcile({ immediate: false })).closedExternally).toEqual([]);
    const second = await t.engine.reconciler.reconcile({ immediate: false });
    expect(second.closedExternally.map((c) => [c.ticker, c.exitReason])).toEqual([['AAPL', 'external']]);
  });
});

/** An exit is never sent for a position the broker's own leg has just closed. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { useTempStore } from '../helpers/tempDb.js';
import { engineHarness, signal } from '../helpers/engineHarness.js';

describe('autoClose on positions marked just before the broker leg filled', () => {
  const newStore = useTempStore();
  it('sends no second exit', async () => {
    const t = engineHarness(await newStore());
    const r = await t.engine.executor.executeSignal(signal(), { useBracketOrder: true });
    expect(r.success).toBe(true);
    await t.settle();
    // The cycle marks AAPL at 184 (through the stop 185)...
    const marked = await t.engine.manager.updatePositionPrices(new Map([['AAPL', dec(184)]]));
    // ...meanwhile the broker's stop leg fills and the stream closes the position.
    await t.price('AAPL', '184');
    expect(await t.engine.manager.getPosition('AAPL')).toBeNull();
    const actions = await t.engine.manager.autoCloseTriggeredPositions(marked);
    await t.settle();

    expect(actions.every((a) => a.order === null)).toBe(true);
  });
});

/** Two entries at once must not both pass a limit. */
import { describe, expect, it } from 'vitest';
import { useTempStore } from '../helpers/tempDb.js';
import { engineHarness, signal } from '../helpers/engineHarness.js';

describe('two approvals for one ticker at once', () => {
  const newStore = useTempStore();
  it('places one entry (one position per ticker)', async () => {
    const t = engineHarness(await newStore(), { risk: { maxOpenPositions: 1 } });
    const [a, b] = await Promise.all([
      t.engine.executor.executeSignal(signal({ signal_id: 'sig-a' }), { useBracketOrder: true }),
      t.engine.executor.executeSignal(signal({ signal_id: 'sig-b' }), { useBracketOrder: true }),
    ]);
    await t.settle();

    expect([a.success, b.success].filter(Boolean).length).toBe(1);
  });
});

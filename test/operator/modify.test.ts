/** /modify through the console: a position's stop and target moved, old → new, with the broker's legs replaced; refusals say why. */
import { describe, expect, it } from 'vitest';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from './appHarness.js';

describe('console: /modify', () => {
  const newStore = useTempStore();

  it("moves a bracket's stop, then stop and target, replacing the legs at the broker", async () => {
    const t = await operatorHarness(await newStore());
    await t.type('/buy AAPL qty:100 stop_loss:185 take_profit:200');
    const legs = async () => {
      const p = await t.store.positions.getByTicker('AAPL');
      return { stop: p?.stopLossOrderId ?? '', target: p?.takeProfitOrderId ?? '' };
    };
    const first = await legs();
    const stopMoved = await t.type('/modify AAPL stop_loss:187.50');
    const second = await legs();
    expect(stopMoved).toBe(
      [
        '✔ Modified AAPL (long)',
        '  stop $185.00 → $187.50 · target $200.00 (unchanged)',
        `  Replaced at the broker: stop-loss ${first.stop} → ${second.stop} @ $187.50`,
        '  (last $190.00)',
        // The channel alert, as the console prints alerts after a command.
        '» • Levels moved: AAPL (long)',
        '    stop $185.00 → $187.50 · target $200.00 (unchanged), by console.',
        '    Where: 1 bracket leg(s) replaced at the broker',
        '',
      ].join('\n'),
    );
    expect(second.target).toBe(first.target);

    // Positional, in the order the command declares: ticker stop_loss take_profit.
    const both = await t.type('/modify AAPL 188 204.25');
    const third = await legs();
    expect(both).toBe(
      [
        '✔ Modified AAPL (long)',
        '  stop $187.50 → $188.00 · target $200.00 → $204.25',
        `  Replaced at the broker: stop-loss ${second.stop} → ${third.stop} @ $188.00`,
        `    take-profit ${second.target} → ${third.target} @ $204.25`,
        '  (last $190.00)',
        '» • Levels moved: AAPL (long)',
        '    stop $187.50 → $188.00 · target $200.00 → $204.25, by console.',
        '    Where: 2 bracket leg(s) replaced at the broker',
        '',
      ].join('\n'),
    );
    expect([t.sim.engine.getOrder(third.stop)?.stopPrice?.toFixed(), t.sim.engine.getOrder(third.target)?.limitPrice?.toFixed()]).toEqual(['188', '204.25']);
    expect(await t.type('/positions')).toContain('stop $188.00 · target $204.25');
  });

  it('keeps the levels of a position without legs for the monitor, saying so', async () => {
    const t = await operatorHarness(await newStore());
    await t.type('/sell MSFT qty:10');
    expect(await t.type('/modify MSFT stop_loss:420 take_profit:400')).toBe(
      [
        '✔ Modified MSFT (short)',
        '  stop — → $420.00 · target — → $400.00',
        '  Watched by the bot: stop-loss and take-profit: no working order at the broker; the monitor closes the position at market when the price crosses it.',
        '  (last $410.00)',
        '» • Levels moved: MSFT (short)',
        '    stop — → $420.00 · target — → $400.00, by console.',
        '    Where: stop-loss and take-profit watched by the bot',
        '',
      ].join('\n'),
    );
    expect(await t.type('/modify MSFT take_profit:399.5')).toContain('  stop $420.00 (unchanged) · target $400.00 → $399.50\n');
  });

  it('refuses with the reason and changes nothing', async () => {
    const t = await operatorHarness(await newStore());
    expect(await t.type('/modify MSFT stop_loss:400')).toBe('✖ Not done\n  No open position in MSFT.\n');
    await t.type('/buy AAPL qty:10 stop_loss:185 take_profit:200');
    const before = await t.store.positions.getByTicker('AAPL');
    expect(await t.type('/modify AAPL')).toBe('✖ Not done\n  Nothing to change: give stop_loss, take_profit or both.\n');
    expect(await t.type('/modify AAPL stop_loss:191')).toBe(
      '✖ Not done\n  stop_loss $191.00 is on the wrong side: a long position needs its stop below the last price $190.00.\n',
    );
    expect(await t.type('/modify AAPL take_profit:190')).toBe(
      '✖ Not done\n  take_profit $190.00 is on the wrong side: a long position needs its target above the last price $190.00.\n',
    );
    expect(await t.type('/modify AAPL take_profit:abc')).toBe('✖ Not done\n  take_profit must be a number like 184.50, got "abc".\n');
    expect(await t.store.positions.getByTicker('AAPL')).toEqual(before);
    const audit = await t.store.audit.listRecent(10);
    expect(audit.filter((a) => a.action === 'modify')).toEqual([]);
    expect(audit.filter((a) => a.action === '/modify').map((a) => a.outcome)).toEqual(['error', 'error', 'error', 'error', 'error']);
  });
});

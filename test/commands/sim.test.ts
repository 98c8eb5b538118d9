import { describe, expect, it } from 'vitest';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from '../operator/appHarness.js';
import { aaplBracket } from '../helpers/fixtures.js';

describe('/sim', () => {
  const newStore = useTempStore();

  it('walks a bracket through its stop with /sim price and reports the fill', async () => {
    const t = await operatorHarness(await newStore());
    await t.broker.placeBracketOrder(aaplBracket('sig-7'));
    const out = await t.type('/sim price aapl 184.50');
    expect(out).toContain('✔ AAPL set to $184.50\n  Filled: sell AAPL (stop exit) 100 @ $184.50\n  Canceled: sell AAPL (limit exit)');
    expect((await t.broker.getAccount()).equity.toFixed(2)).toBe('99450.00');
  });

  it('moves the clock with /sim advance', async () => {
    const t = await operatorHarness(await newStore());
    const out = await t.type('/sim advance minutes:30');
    expect(out).toContain('• Advanced 30 minutes');
    expect(out).toContain('(Simulated time 2026-03-02T15:30:00.000Z)');
  });

  it('refuses bad input with a message that says what is wrong', async () => {
    const t = await operatorHarness(await newStore());
    expect(await t.type('/sim price AAPL -5')).toContain('price must be a number like 184.50, got "-5".');
    expect(await t.type('/sim price NOPE 10')).toContain('Unknown ticker NOPE: the simulator trades AAPL, MSFT, PENY.');
    expect(await t.type('/sim advance 0')).toContain('minutes must be a whole number from 1 to 10080.');
    expect(await t.type('/sim jump')).toContain('/sim needs one of: price, advance.');
  });
});

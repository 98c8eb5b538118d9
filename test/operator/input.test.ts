/**
 * Operator input at the edge: quantities and other numbers read exactly
 * (never through a JS number that rounds 9007199254740993 or overflows to
 * Infinity), and free text refused when it carries control characters.
 */
import { describe, expect, it } from 'vitest';
import { command as halt } from '../../commands/halt.js';
import { CommandError, type CommandContext, type CommandOptions } from '../../src/operator/command.js';
import { MAX_ORDER_QTY, parseQuantity, parseText } from '../../src/operator/parse.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from './appHarness.js';

const ESC = '\u001b';

describe('quantities typed as text', () => {
  const newStore = useTempStore();

  it('are compared exactly: 2^53 + 1 shows as typed, 400 digits are too large, not Infinity', async () => {
    const t = await operatorHarness(await newStore());
    expect(await t.type('/buy AAPL 9007199254740993')).toContain('qty 9007199254740993 is too large: at most 1,000,000.');
    const huge = await t.type(`/buy AAPL qty:1${'0'.repeat(400)}`);
    expect(huge).toContain('qty (a 401-digit number) is too large: at most 1,000,000.');
    expect(huge).not.toContain('Infinity');
    expect(await t.type('/sell MSFT 1000001')).toContain('qty 1000001 is too large: at most 1,000,000.');
    expect(await t.type('/stats days:99999999999999999999')).toContain('days 99999999999999999999 is too large: at most 3,650.');
    expect(await t.type(`/close AAPL percent:1${'0'.repeat(400)}`)).toContain(
      'percent must be a number above 0 up to 100, got "1000000000000000"… (401 characters).',
    );
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
    // Within the bounds, the typed quantity is the order's.
    expect(await t.type('/buy AAPL 7')).toContain('buy 7 AAPL (market) filled @ $190.00');
  });

  it('from Discord (a JSON number): refused unless a safe whole number within the maximum', () => {
    const refusal = (raw: number) => {
      try {
        parseQuantity(raw);
        return 'accepted';
      } catch (error) {
        return error instanceof CommandError ? error.message : String(error);
      }
    };
    expect(MAX_ORDER_QTY).toBe(1_000_000);
    expect([refusal(2 ** 53 + 2), refusal(1_000_001), refusal(1.5), refusal(0), parseQuantity(1_000_000)?.toFixed()]).toEqual([
      'qty 9007199254740994 is too large: at most 1,000,000.',
      'qty 1000001 is too large: at most 1,000,000.',
      'qty must be a whole number of shares, at least 1; got 1.5.',
      'qty must be a whole number of shares, at least 1; got 0.',
      '1000000',
    ]);
  });
});

describe('control characters in operator text', () => {
  const newStore = useTempStore();

  it('are refused at the console, naming the option, and never printed', async () => {
    const t = await operatorHarness(await newStore());
    expect(await t.type(`/halt reason:"earnings${ESC}[2J tonight"`)).toContain('reason must not contain control characters (found U+001B).');
    expect((await t.app.engine.risk.state()).state).toBe('ACTIVE');
    expect(await t.type('/signal AAPL buy 190 185 200 0.7 "cat\u0007alyst"')).toContain('strategy must not contain control characters (found U+0007).');
    expect(await t.store.signals.listByStatus('pending')).toEqual([]);
    expect(await t.type(`approve sig${ESC}`)).toContain('The approve target must not contain control characters (found U+001B).');
    expect(await t.type(`/ha${ESC}lt`)).toContain('Unknown command "/ha\\u001blt". Type /help for the list.');
    // eslint-disable-next-line no-control-regex -- the check is that no control character reached the output
    expect(t.output()).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    // Plain text still works.
    expect(await t.type('/halt reason:"earnings tonight"')).toContain('earnings tonight. No new entries until /resume');
  });

  it('are refused from Discord too (the /halt reason option)', async () => {
    const t = await operatorHarness(await newStore());
    const options: CommandOptions = { subcommand: () => null, string: (n) => (n === 'reason' ? `stop\u0000now` : null), integer: () => null };
    const ctx: CommandContext = { app: t.app, options, actor: { id: 'u1', name: 'alice' }, requestId: 'r1', source: 'discord', commands: [] };
    await expect(halt.execute(ctx)).rejects.toThrow('reason must not contain control characters (found U+0000).');
    expect((await t.app.engine.risk.state()).state).toBe('ACTIVE');
    // Trimmed, blank is none, and a bidi override (text shown reversed) is a control character too.
    expect([parseText('  fine  ', 'reason', 200), parseText('   ', 'reason', 200)]).toEqual(['fine', null]);
    expect(() => parseText('a\u202Eb', 'reason', 200)).toThrow('reason must not contain control characters (found U+202E).');
  });
});

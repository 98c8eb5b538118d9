/** `npm run example`: the seed's workflow end to end, with the figures it prints. */
import { describe, expect, it } from 'vitest';
import { runExample } from '../../scripts/example.js';

describe('npm run example', () => {
  it('runs signal → execution → fill → price moves → target and stop → report', async () => {
    const lines: string[] = [];
    await runExample((l) => lines.push(l));
    expect(lines).toContain('   AAPL: buy 200 shares, order example-aapl:entry filled, est. $38,000.00');
    expect(lines).toContain('   MSFT: sell 121 shares, order example-msft:entry filled, est. $49,610.00');
    expect(lines).toContain('   event: AAPL closed (take_profit) at $200.00, P&L $2,000.00 (5.26%)');
    expect(lines).toContain('   event: MSFT closed (stop_loss) at $418.50, P&L -$1,028.50 (-2.07%)');
    expect(lines).toContain('   trades 2, win rate 50.00%, total P&L $971.50, profit factor 1.94');
    expect(lines.at(-1)).toBe('   equity $100,971.50');
  });
});

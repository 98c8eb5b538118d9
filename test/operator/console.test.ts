/** Every command through the console renderer, on the simulator and a real SQLite file. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { useTempStore } from '../helpers/tempDb.js';
import { operatorHarness } from './appHarness.js';

const idIn = (out: string) => /approve (console-\S+)/.exec(out)?.[1] ?? '';

describe('console: account and read-only commands', () => {
  const newStore = useTempStore();

  it('/account, /positions, /orders, /status, /help', async () => {
    const t = await operatorHarness(await newStore());
    expect(await t.type('/account')).toBe(
      [
        '• Account (SIM)',
        '  Equity: $100,000.00',
        '  Cash: $100,000.00',
        '  Buying power: $200,000.00',
        '  Day P&L: $0.00 (0.00%)',
        '  Mode: SIM',
        '  Trading: ACTIVE',
        '',
      ].join('\n'),
    );
    expect(await t.type('/positions')).toBe('· Open positions\n  No open positions.\n');
    await t.type('/buy AAPL 10');
    await t.type('/sim price AAPL 191.25');
    expect(await t.type('/positions')).toContain('AAPL long 10: entry $190.00 · last $191.25\n    P&L +$12.50 (+0.66%)\n    stop — · target —');
    expect(await t.type('/orders status:all limit:5')).toMatch(/^· Orders \(all\)\n {2}2026-03-02 15:00 buy 10 AAPL market @ \$190\.00 — filled\n$/);
    expect(await t.type('/status')).toContain('  Broker: sim (SIM)');
    const help = await t.type('/help');
    for (const name of [
      'account',
      'positions',
      'orders',
      'buy',
      'sell',
      'close',
      'modify',
      'flatten',
      'signal',
      'stats',
      'report',
      'halt',
      'resume',
      'status',
      'help',
      'sim',
    ]) {
      expect(help).toContain(`  /${name}`);
    }
  });
});

describe('console: orders', () => {
  const newStore = useTempStore();

  it('/buy sized by risk as a bracket, /sell short with a fixed quantity, /close part, /close all', async () => {
    const t = await operatorHarness(await newStore());
    // risk: 2% of 100,000 / (190 − 185) = 400 shares (the position cap is 100% here).
    const buy = await t.type('/buy AAPL stop_loss:185 take_profit:200');
    expect(buy).toContain('✔ Buy AAPL: filled\n  buy 400 AAPL (market) filled @ $190.00\n  Quantity: 400\n  Estimated cost: $76,000.00');
    expect(buy).toContain('Stop loss: $185.00\n  Take profit: $200.00');
    const sell = await t.type('/sell MSFT qty:20 stop_loss:420 take_profit:390');
    expect(sell).toContain('✔ Sell MSFT: filled\n  sell 20 MSFT (market) filled @ $410.00');
    await t.type('/sim price AAPL 194');
    expect(await t.type('/close AAPL percent:25')).toContain('✔ Close AAPL (25%)\n  sell 100 AAPL (market) filled @ $194.00');
    const all = await t.type('/close AAPL');
    // The alert: one closed trade, the whole position, the average exit.
    expect(all).toContain('» ✔ Position closed: AAPL\n    long 400 AAPL: $190.00 → $194.00\n    Realized P&L: +$1,600.00 (+2.11%)\n    Held: 0 min');
    expect(await t.type('/close AAPL')).toContain('No open position in AAPL.');
  });

  it('refuses bad order input with the reason', async () => {
    const t = await operatorHarness(await newStore());
    expect(await t.type('/buy AAPL qty:10 stop_loss:195')).toContain('stop_loss $195.00 is on the wrong side: a buy needs its stop below the entry $190.00.');
    expect(await t.type('/sell AAPL qty:10 take_profit:195')).toContain(
      'take_profit $195.00 is on the wrong side: a sell needs its target below the entry $190.00.',
    );
    expect(await t.type('/buy ZZZZ 10')).toContain('Unknown ticker ZZZZ: the broker has no price for it.');
    expect(await t.type('/buy AAPL 10 limit')).toContain('A limit order needs limit_price.');
    expect(await t.type('/buy AAPL qty:ten')).toContain('qty must be a whole number, got "ten".');
    expect(await t.type('/buy AAPL')).toContain('risk sizing needs a stop loss (or give a quantity)');
    expect(await t.type('/close AAPL percent:150')).toContain('No open position in AAPL.');
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('/halt refuses new entries (exits still work) until /resume', async () => {
    const t = await operatorHarness(await newStore());
    await t.type('/buy AAPL 10');
    expect(await t.type('/halt reason:"earnings tonight"')).toContain('! Trading halted\n  earnings tonight. No new entries until /resume; exits still work.');
    expect(await t.type('/buy MSFT 5')).toContain('trading is halted: earnings tonight');
    expect(await t.type('/close AAPL')).toContain('Close AAPL');
    expect(await t.type('/resume')).toContain('✔ Trading resumed');
    expect(await t.type('/buy MSFT 5')).toContain('✔ Buy MSFT: filled');
  });

  it('/halt mode:reducing lets a partial close through, refuses an entry, shows in /account and /status; /resume', async () => {
    const t = await operatorHarness(await newStore());
    await t.type('/buy AAPL 10');
    expect(await t.type('/halt reason:"cut risk" mode:reducing')).toContain(
      '! Trading reducing\n  cut risk. Only orders that shrink exposure (closes, partial closes) until /resume; no entries.',
    );
    expect(await t.type('/halt mode:reducing')).toContain('Already reducing\n  Trading was already REDUCING: cut risk');
    expect(await t.type('/buy MSFT 5')).toContain(
      'trading is REDUCING (set by console at 2026-03-02T15:00:00Z): cut risk; only orders that shrink exposure pass (closes, partial closes), no entries until /resume',
    );
    expect(await t.type('/close AAPL percent:50')).toContain('sell 5 AAPL (market) filled');
    expect(await t.type('/account')).toContain('Trading: REDUCING: cut risk');
    expect(await t.type('/status')).toContain('Trading: REDUCING: cut risk');
    expect(await t.type('/halt mode:sideways')).toContain('mode must be halted or reducing');
    expect(await t.type('/resume')).toContain('✔ Trading resumed');
    expect(await t.type('/buy MSFT 5')).toContain('✔ Buy MSFT: filled');
  });

  it('/flatten asks for Confirm, then closes everything; a late confirm sends nothing', async () => {
    const t = await operatorHarness(await newStore());
    await t.type('/buy AAPL 10');
    await t.type('/sell MSFT 5');
    const ask = await t.type('/flatten');
    expect(ask).toContain(
      '! Confirm flatten\n  This cancels every order and closes 2 position(s) at market: AAPL, MSFT. Press Confirm within 60 seconds.\n  → type: confirm',
    );
    expect(await t.broker.getPositions()).toHaveLength(2);
    expect(await t.type('confirm')).toContain('✔ Flatten: done\n  All orders canceled.\n  sell 10 AAPL: filled\n  buy 5 MSFT: filled');
    expect(await t.broker.getPositions()).toEqual([]);
    expect(await t.type('confirm')).toContain('Nothing is waiting for confirmation.');

    await t.type('/buy AAPL 10');
    await t.type('/flatten');
    t.sim.clock.advance(61_000);
    expect(await t.type('confirm')).toContain('Nothing is waiting for confirmation.');
    expect(await t.broker.getPositions()).toHaveLength(1);
  });
});

describe('console: signals', () => {
  const newStore = useTempStore();

  it('posts a signal with its proposed size, approves it once, and a second approve changes nothing', async () => {
    const t = await operatorHarness(await newStore());
    const posted = await t.type('/signal AAPL buy 190 185 200 0.7 catalyst');
    const id = idIn(posted);
    expect(posted).toContain('• Signal: BUY AAPL');
    expect(posted).toContain('  Proposed: 400 shares, $2,000.00 at risk');
    expect(posted).toContain(`  → type: approve ${id}  |  reject ${id}`);
    const approved = await t.type('approve');
    expect(approved).toContain(`Approved by console at 2026-03-02T15:00:00Z: filled, buy 400 AAPL @ $190.00`);
    expect(await t.type(`approve ${id}`)).toContain(`Signal ${id} was already executed by console at 2026-03-02T15:00:00Z; nothing was done.`);
    expect(t.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });

  it('rejects, expires, and refuses approval when the price has run away', async () => {
    const t = await operatorHarness(await newStore());
    const a = idIn(await t.type('/signal MSFT sell 410 420 390'));
    expect(await t.type(`reject ${a}`)).toContain('· Signal: SELL MSFT\n  Rejected by console at 2026-03-02T15:00:00Z');

    const b = idIn(await t.type('/signal AAPL buy 190 185 200'));
    await t.type('/sim price AAPL 192.50'); // +1.32% against a buy: past the 1% drift allowed
    expect(await t.type(`approve ${b}`)).toContain('Not approved: AAPL is at $192.50, 1.32% above the entry $190.00 (at most 1.00%). The signal stays open.');
    t.sim.clock.advance(31 * 60_000);
    expect(await t.type(`approve ${b}`)).toContain(`Signal ${b} expired; it cannot be approved.`);
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('refuses a malformed signal naming the option', async () => {
    const t = await operatorHarness(await newStore());
    expect(await t.type('/signal AAPL buy 190 195 200')).toContain(
      'Signal not posted: stop: 195 is on the wrong side of the entry 190: a buy needs its stop below it.',
    );
    expect(await t.type('/signal AAPL hold 190 185 200')).toContain('Signal not posted: action: expected `buy` or `sell`.');
  });

  it('auto-approves a signal that matches both settings, and says so', async () => {
    const t = await operatorHarness(await newStore(), { AUTO_APPROVE_MIN_CONFIDENCE: '0.8', AUTO_APPROVE_STRATEGIES: 'catalyst' });
    const low = await t.type('/signal AAPL buy 190 185 200 0.7 catalyst');
    expect(low).toContain('→ type: approve');
    const high = await t.type('/signal MSFT buy 410 400 430 0.85 catalyst');
    expect(high).toContain('Auto-approved (console): executing now.');
    expect(high).toContain('Approved by auto-approval at 2026-03-02T15:00:00Z: filled, buy');
  });
});

describe('console: statistics and report', () => {
  const newStore = useTempStore();

  it('/stats and /report after a round trip', async () => {
    const t = await operatorHarness(await newStore());
    await t.type('/buy AAPL qty:100 stop_loss:185 take_profit:200');
    await t.type('/sim price AAPL 200');
    const stats = await t.type('/stats days:7');
    expect(stats).toContain('• Statistics, last 7 days\n  Trades: 1 (1 won, 0 lost)\n  Win rate: 100.00%\n  Total P&L: +$1,000.00');
    expect(stats).toContain('Orders: 1: 1 filled, 0 canceled, 0 rejected, 0 expired');
    const report = await t.type('/report');
    expect(report).toContain('Daily report 2026-03-02 (SIM)');
    expect(report).toContain('  Realized today: +$1,000.00');
    expect(report).toContain('  Closed today (1): AAPL long 100: $190.00 → $200.00 +$1,000.00 (take_profit)');
  });
});

describe('console: the broker failing mid-command, and live mode', () => {
  const newStore = useTempStore();

  it('answers a broker outage with the broker’s reason and carries on (real SDK, faults on loopback)', async () => {
    const t = await operatorHarness(await newStore(), {}, { alpaca: true });
    t.faults?.inject('GET', '/v2/account', { kind: 'serverError' }, 5);
    const out = await t.type('/account');
    expect(out).toMatch(/^✖ Not done\n {2}The broker answered: .*account/);
    expect(out).not.toContain('    at ');
    t.faults?.clear();
    expect(await t.type('/account')).toContain('  Equity: $100,000.00');
    // The broker failing every submission: the outcome is unknown, said so, and nothing is placed or resent.
    t.faults?.inject('POST', '/v2/orders', { kind: 'serverError' }, 10);
    const buy = await t.type('/buy AAPL 10');
    expect(buy).toContain('! Buy AAPL: outcome unknown\n  the broker did not confirm the order (');
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
  });

  it('asks for Confirm before a live order, and only its author may confirm', async () => {
    const t = await operatorHarness(await newStore(), {
      BROKER: 'alpaca',
      ALPACA_API_KEY: 'PKTEST',
      ALPACA_API_SECRET: 'secret-secret-secret',
      ALPACA_PAPER: 'false',
      LIVE_TRADING_ACKNOWLEDGED: 'true',
    });
    expect(t.app.mode).toBe('LIVE');
    const ask = await t.type('/buy AAPL 10');
    expect(ask).toContain(
      '! Confirm: buy 10 AAPL at market (last $190.00)\n  LIVE trading: real money. Press Confirm within 60 seconds to send it.\n  → type: confirm',
    );
    expect(t.sim.engine.listOrders({ status: 'all' })).toEqual([]);
    const token = t.app.confirmations.newestFor('console')!;
    expect((await t.dispatcher.pressButton(`confirm:${token}`, { id: 'someone-else', name: 'x' }, { allowed: true })).reply?.description).toBe(
      'Only the person who asked can confirm: buy 10 AAPL at market (last $190.00).',
    );
    expect(await t.type('confirm')).toContain('✔ Buy AAPL: filled');
    expect(t.sim.engine.listOrders({ status: 'all' })).toHaveLength(1);
  });
});

describe('signals approved just before a restart', () => {
  const newStore = useTempStore();

  it('are executed at the next start only if they still stand (time and price)', async () => {
    const t = await operatorHarness(await newStore());
    const fresh = idIn(await t.type('/signal AAPL buy 190 185 200'));
    const stale = idIn(await t.type('/signal MSFT buy 410 400 430'));
    // The crash came between the approval and the order.
    for (const id of [fresh, stale]) await t.store.signals.decide(id, { status: 'approved', decidedBy: 'alice', decidedAt: t.sim.clock.now() });
    t.sim.engine.setPrice('MSFT', dec('416')); // 1.46% above the entry: no longer the trade approved
    const outcomes = await t.app.approvals.resumeApproved();
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['executed', 'refused']);
    expect((await t.store.signals.get(stale))?.decisionNote).toBe(
      'not executed after a restart: MSFT is at $416.00, 1.46% above the entry $410.00 (at most 1.00%)',
    );
    expect(t.sim.engine.listOrders({ status: 'all' }).map((o) => o.ticker)).toEqual(['AAPL']);
  });
});

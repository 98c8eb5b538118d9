/** Every refusal names its limit and figures; the loss limits halt trading by themselves; exits are never blocked. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { useTempStore } from '../helpers/tempDb.js';
import { engineHarness, signal } from '../helpers/engineHarness.js';

const msft = (id = 'sig-m') => signal({ signal_id: id, ticker: 'MSFT', current_price: '410', stop_loss_price: '400', take_profit_price: '430' });

describe('RiskManager before every entry', () => {
  const newStore = useTempStore();

  it('refuses while halted, and trades again after resume', async () => {
    const t = engineHarness(await newStore());
    expect(await t.engine.risk.halt('news pending', 'u-1')).toBe(true);
    expect(await t.engine.risk.halt('again', 'u-1')).toBe(false);
    const r = await t.engine.executor.executeSignal(signal());
    expect([r.refusedBy, r.errorMessage]).toEqual(['trading_halted', 'trading is halted: news pending']);
    await t.engine.risk.resume('u-1');
    expect((await t.engine.executor.executeSignal(signal({ signal_id: 'sig-after' }))).success).toBe(true);
    expect(t.events.filter((e) => e.kind === 'halted' || e.kind === 'resumed').map((e) => e.kind)).toEqual(['halted', 'resumed']);
  });

  it('refuses a second position in a held ticker', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal());
    const r = await t.engine.executor.executeSignal(signal({ signal_id: 'sig-dup' }));
    expect([r.refusedBy, r.errorMessage]).toEqual(['duplicate_position', 'a position in AAPL is already open: one open position per ticker']);
  });

  it('refuses past the open-position count, counting working entries', async () => {
    const t = engineHarness(await newStore(), { risk: { maxOpenPositions: 2 } });
    await t.engine.executor.executeSignal(signal());
    // A limit entry below the market: working, not filled, still counts.
    await t.engine.executor.executeSignal(msft(), { entryType: 'limit', limitPrice: dec('405') });
    const r = await t.engine.executor.executeSignal(
      signal({ signal_id: 'sig-p', ticker: 'PENY', current_price: '0.5', stop_loss_price: '0.45', take_profit_price: '0.6' }),
    );
    expect([r.refusedBy, r.errorMessage]).toEqual(['max_open_positions', '2 positions open or pending; the limit is 2']);
  });

  it('counts a pending entry until it is canceled, after a restart too, as the database has it', async () => {
    const store = await newStore();
    const first = engineHarness(store, { risk: { maxOpenPositions: 1 } });
    const pending = await first.engine.executor.executeSignal(msft(), { entryType: 'limit', limitPrice: dec('405') });
    // The working orders the engine keeps in memory are the database's, order for order.
    const book = async (t: typeof first) => (await t.engine.ledger.workingOrders()).map((o) => `${o.ticker} ${o.status} ${o.filledQty.toFixed()}`).sort();
    const onFile = async () => (await store.orders.listOpen()).map((o) => `${o.ticker} ${o.status} ${o.filledQty.toFixed()}`).sort();
    expect(await book(first)).toEqual(await onFile());
    expect((await first.engine.ledger.pendingEntries()).map((o) => [o.ticker, o.quantity.toFixed(), o.expectedPrice?.toFixed()])).toEqual([
      ['MSFT', '200', '405'],
    ]);

    const t = first.restart(); // read back from the file
    const refused = await t.engine.executor.executeSignal(signal());
    expect([refused.refusedBy, refused.errorMessage]).toEqual(['max_open_positions', '1 positions open or pending; the limit is 1']);

    await t.broker.cancelOrder(pending.order?.orderId ?? '');
    await t.settle();
    expect(await t.engine.ledger.pendingEntries()).toEqual([]);
    expect(await book(t)).toEqual(await onFile());
    expect((await t.engine.executor.executeSignal(signal({ signal_id: 'sig-after-cancel' }))).success).toBe(true);
    expect(await book(t)).toEqual(await onFile());
  });

  it('refuses a position larger than the size limit (a fixed manual quantity)', async () => {
    const t = engineHarness(await newStore(), { sizing: { maxPositionSizePct: dec('0.10') } });
    const r = await t.engine.executor.executeSignal(signal(), { quantity: dec(60) });
    expect([r.refusedBy, r.errorMessage]).toEqual(['max_position_size', '60 AAPL at $190.00 is $11,400.00, 11.40% of equity $100,000.00; the limit is 10.00%']);
  });

  it('refuses past the total exposure, pending entries included', async () => {
    const t = engineHarness(await newStore(), { risk: { maxExposurePct: dec('0.9') } });
    await t.engine.executor.executeSignal(signal()); // 400 × 190 = 76,000 held
    const r = await t.engine.executor.executeSignal(msft(), { quantity: dec(40) }); // 16,400 new
    expect([r.refusedBy, r.errorMessage]).toEqual([
      'max_exposure',
      'exposure would be $92,400.00 (92.40% of equity $100,000.00: $76,000.00 held, $0.00 pending, $16,400.00 new); the limit is 90.00%',
    ]);
  });

  it('refuses a market entry while the market is closed (per the broker clock), and takes a limit entry', async () => {
    // Saturday 2026-03-07, 12:00 New York.
    const t = engineHarness(await newStore(), { mode: 'nyse', start: '2026-03-07T17:00:00Z' });
    const r = await t.engine.executor.executeSignal(signal());
    expect([r.refusedBy, r.errorMessage]).toEqual([
      'market_closed',
      'the market is closed (next open 2026-03-09T13:30:00.000Z); a market entry would wait unpriced, use a limit order',
    ]);
    const limit = await t.engine.executor.executeSignal(signal({ signal_id: 'sig-l' }), { entryType: 'limit' });
    expect([limit.success, limit.order?.status]).toEqual([true, 'accepted']);
  });

  it('halts by itself at the daily loss limit, from the day’s starting equity', async () => {
    const t = engineHarness(await newStore(), { risk: { maxDailyLossPct: dec('0.02'), maxDrawdownPct: dec('0.5') } });
    await t.engine.executor.executeSignal(signal({ stop_loss_price: '150' }), { quantity: dec(400) });
    await t.settle();
    await t.price('AAPL', '184.75'); // (184.75 − 190) × 400 = −2,100: 2.10% of 100,000
    const r = await t.engine.executor.executeSignal(msft());
    expect([r.refusedBy, r.errorMessage]).toEqual([
      'max_daily_loss',
      "trading is halted: daily loss limit: equity $97,900.00 is 2.10% below the day's start $100,000.00 (limit 2.00%)",
    ]);
    expect((await t.engine.risk.state()).state).toBe('HALTED');
    const halts = t.events.filter((e) => e.kind === 'halted');
    expect(halts.map((e) => (e.kind === 'halted' ? [e.by, e.limit] : null))).toEqual([['system', 'max_daily_loss']]);
    // Exits are never blocked.
    const exit = await t.engine.manager.closePosition('AAPL');
    await t.settle();
    expect([exit.status, (await t.engine.manager.getClosedPositions(1))[0]?.exitReason]).toEqual(['filled', 'manual']);
  });

  it('halts by itself at the drawdown limit, from the equity peak', async () => {
    const t = engineHarness(await newStore(), { risk: { maxDailyLossPct: dec('0.5'), maxDrawdownPct: dec('0.05') } });
    await t.engine.executor.executeSignal(signal({ stop_loss_price: '150', take_profit_price: '250' }), { quantity: dec(400) });
    await t.settle();
    await t.price('AAPL', '215'); // +10,000: the peak is 110,000
    expect(await t.engine.risk.evaluateLimits(await t.broker.getAccount())).toBeNull();
    await t.price('AAPL', '201'); // 104,400: 5.09% below the peak
    const breach = await t.engine.risk.evaluateLimits(await t.broker.getAccount());
    expect(breach).toEqual({ limit: 'max_drawdown', reason: 'drawdown limit: equity $104,400.00 is 5.09% below the peak $110,000.00 (limit 5.00%)' });
    expect((await t.engine.risk.state()).reason).toBe(breach?.reason);
  });
  it('REDUCING refuses entries with who set it and why, lets exits and partial closes through, and resumes', async () => {
    const t = engineHarness(await newStore());
    await t.engine.executor.executeSignal(signal({ stop_loss_price: '150' }), { quantity: dec(100) });
    await t.settle();
    expect(await t.engine.risk.halt('earnings tonight', 'alice', 'reducing')).toBe(true);
    expect(await t.engine.risk.halt('again', 'bob', 'reducing')).toBe(false);
    const r = await t.engine.executor.executeSignal(msft());
    expect([r.refusedBy, r.errorMessage]).toEqual([
      'trading_reducing',
      'trading is REDUCING (set by alice at 2026-03-02T15:00:00Z): earnings tonight; only orders that shrink exposure pass (closes, partial closes), no entries until /resume',
    ]);
    // Shrinking is allowed: half out, then the rest.
    const half = await t.engine.manager.closePosition('AAPL', { percent: dec(50) });
    await t.settle();
    expect([half.status, half.quantity.toFixed(), (await t.engine.manager.getPosition('AAPL'))?.quantity.toFixed()]).toEqual(['filled', '50', '50']);
    const rest = await t.engine.manager.closePosition('AAPL');
    await t.settle();
    expect([rest.status, rest.quantity.toFixed(), await t.engine.manager.getPosition('AAPL')]).toEqual(['filled', '50', null]);
    // A full halt from REDUCING is a change; resume clears either.
    expect(await t.engine.risk.halt('news', 'alice')).toBe(true);
    expect(await t.engine.risk.resume('alice')).toBe(true);
    expect((await t.engine.executor.executeSignal(msft('sig-after'))).success).toBe(true);
    expect(t.events.flatMap((e) => (e.kind === 'halted' ? [`${e.state} by ${e.by}`] : e.kind === 'resumed' ? [`resumed by ${e.by}`] : []))).toEqual([
      'REDUCING by alice',
      'HALTED by alice',
      'resumed by alice',
    ]);
  });

  it('steps down to REDUCING at REDUCE_AT_DAILY_LOSS_PCT, then halts at MAX_DAILY_LOSS_PCT', async () => {
    const t = engineHarness(await newStore(), { risk: { reduceAtDailyLossPct: dec('0.02'), maxDailyLossPct: dec('0.03'), maxDrawdownPct: dec('0.5') } });
    await t.engine.executor.executeSignal(signal({ stop_loss_price: '150' }), { quantity: dec(400) });
    await t.settle();
    await t.price('AAPL', '185'); // (185 − 190) × 400 = −2,000: 2.00% of 100,000, the step exactly
    expect(await t.engine.risk.evaluateLimits(await t.broker.getAccount())).toBeNull();
    const reducing = await t.engine.risk.state();
    expect([reducing.state, reducing.changedBy, reducing.reason]).toEqual([
      'REDUCING',
      'system',
      "daily loss step: equity $98,000.00 is 2.00% below the day's start $100,000.00 (reduce at 2.00%, halt at 3.00%)",
    ]);
    const refused = await t.engine.executor.executeSignal(msft());
    expect(refused.refusedBy).toBe('trading_reducing');

    await t.price('AAPL', '182.5'); // −3,000: 3.00%
    expect((await t.engine.risk.evaluateLimits(await t.broker.getAccount()))?.limit).toBe('max_daily_loss');
    expect((await t.engine.risk.state()).state).toBe('HALTED');
    expect(t.events.flatMap((e) => (e.kind === 'halted' ? [[e.state, e.limit]] : []))).toEqual([
      ['REDUCING', 'reduce_at_daily_loss'],
      ['HALTED', 'max_daily_loss'],
    ]);
    const audit = await t.store.audit.listRecent(5);
    expect(audit.filter((a) => a.actor === 'system').map((a) => [a.action, a.target])).toEqual([
      ['halt', 'max_daily_loss'],
      ['reduce', 'reduce_at_daily_loss'],
    ]);
  });
});

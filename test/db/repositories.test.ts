import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { at, closedRecord, orderRecord, positionRecord, signalRecord, T0 } from '../helpers/fixtures.js';
import { plain } from '../helpers/plain.js';
import { useTempStore } from '../helpers/tempDb.js';

describe('executed_orders', () => {
  const newStore = useTempStore();

  it('round-trips a bracket (entry and both legs) written in one transaction', async () => {
    const store = await newStore();
    const entry = orderRecord({
      orderId: 'e1',
      clientOrderId: 'sig-1:entry',
      orderClass: 'bracket',
      leg: 'entry',
      orderType: 'limit',
      limitPrice: dec('190.05'),
    });
    const sl = orderRecord({
      orderId: 'e1-sl',
      clientOrderId: 'sig-1:sl',
      orderClass: 'bracket',
      leg: 'stop_loss',
      side: 'sell',
      orderType: 'stop',
      stopPrice: dec('184.99'),
      parentOrderId: 'e1',
      status: 'held',
      timeInForce: 'gtc',
    });
    const tp = orderRecord({
      orderId: 'e1-tp',
      clientOrderId: 'sig-1:tp',
      orderClass: 'bracket',
      leg: 'take_profit',
      side: 'sell',
      orderType: 'limit',
      limitPrice: dec('200.01'),
      parentOrderId: 'e1',
      status: 'held',
      timeInForce: 'gtc',
    });
    await store.transaction(async (tx) => {
      for (const r of [entry, sl, tp]) await tx.orders.insert(r);
    });

    expect(plain(await store.orders.get('e1'))).toEqual(plain(entry));
    expect(plain(await store.orders.getByClientOrderId('sig-1:sl'))).toEqual(plain(sl));
    expect(plain(await store.orders.listBySignal('sig-1'))).toEqual(plain([entry, sl, tp]));
  });

  it('refuses a second order with the same client_order_id', async () => {
    const store = await newStore();
    await store.orders.insert(orderRecord({ orderId: 'a', clientOrderId: 'sig-9:entry' }));
    await expect(store.orders.insert(orderRecord({ orderId: 'b', clientOrderId: 'sig-9:entry' }))).rejects.toThrow(/UNIQUE/);
    expect(await store.orders.get('b')).toBeNull();
  });

  it('records progress to filled and drops the order from the open list', async () => {
    const store = await newStore();
    await store.orders.insert(orderRecord({ orderId: 'o1', clientOrderId: 'c1' }));
    await store.orders.insert(orderRecord({ orderId: 'o2', clientOrderId: 'c2', ticker: 'MSFT' }));
    const changed = await store.orders.updateProgress('o1', {
      status: 'filled',
      filledQty: dec(100),
      filledAvgPrice: dec('190.0437'),
      filledAt: at(1),
      updatedAt: at(1),
      statusReason: null,
    });
    expect(changed).toBe(true);
    const o1 = await store.orders.get('o1');
    expect(o1?.status).toBe('filled');
    expect(o1?.filledAvgPrice?.toFixed()).toBe('190.0437');
    expect(o1?.signalId).toBe('sig-1');
    expect((await store.orders.listOpen()).map((o) => o.orderId)).toEqual(['o2']);
    expect(
      await store.orders.updateProgress('missing', {
        status: 'filled',
        filledQty: dec(1),
        filledAvgPrice: null,
        filledAt: null,
        updatedAt: at(1),
        statusReason: null,
      }),
    ).toBe(false);
  });

  it('lists orders submitted since a date, oldest first', async () => {
    const store = await newStore();
    await store.orders.insert(orderRecord({ orderId: 'old', clientOrderId: 'c0', submittedAt: at(-60 * 24 * 40) }));
    await store.orders.insert(orderRecord({ orderId: 'b', clientOrderId: 'c2', submittedAt: at(10) }));
    await store.orders.insert(orderRecord({ orderId: 'a', clientOrderId: 'c1', submittedAt: at(5) }));
    expect((await store.orders.listSubmittedSince(at(-60 * 24 * 30))).map((o) => o.orderId)).toEqual(['a', 'b']);
  });
});

describe('positions and closed_positions', () => {
  const newStore = useTempStore();

  it('round-trips an open position and finds it by ticker', async () => {
    const store = await newStore();
    const p = positionRecord();
    await store.positions.insert(p);
    expect(plain(await store.positions.get('pos-1'))).toEqual(plain(p));
    expect(plain(await store.positions.getByTicker('AAPL'))).toEqual(plain(p));
    expect(await store.positions.getByTicker('MSFT')).toBeNull();
    expect(await store.positions.count()).toBe(1);
  });

  it('allows one open position per ticker', async () => {
    const store = await newStore();
    await store.positions.insert(positionRecord());
    await expect(store.positions.insert(positionRecord({ positionId: 'pos-2' }))).rejects.toThrow(/UNIQUE/);
  });

  it('marks many positions to market in one call', async () => {
    const store = await newStore();
    await store.positions.insert(positionRecord());
    await store.positions.insert(
      positionRecord({ positionId: 'pos-2', ticker: 'TSLA', side: 'short', quantity: dec(20), entryPrice: dec('250.00'), currentPrice: dec('250.00') }),
    );
    await store.positions.markPrices([
      {
        positionId: 'pos-1',
        currentPrice: dec('191.37'),
        unrealizedPnl: dec('125.00'),
        marketValue: dec('19137'),
        unrealizedPnlPct: dec('0.0066'),
        updatedAt: at(5),
      },
      {
        positionId: 'pos-2',
        currentPrice: dec('244.10'),
        unrealizedPnl: dec('118.00'),
        marketValue: dec('-4882'),
        unrealizedPnlPct: dec('0.0236'),
        updatedAt: at(5),
      },
    ]);
    const [a, b] = await store.positions.list();
    expect([a?.currentPrice.toFixed(), a?.unrealizedPnl.toFixed()]).toEqual(['191.37', '125']);
    const raw = new SqliteDatabase(store.path, { readonly: true });
    const columns = raw.prepare('SELECT market_value, unrealized_pnl_pct, cost_basis FROM positions ORDER BY ticker').all();
    raw.close();
    expect(columns).toEqual([
      { market_value: '19137', unrealized_pnl_pct: '0.0066', cost_basis: '19012' },
      { market_value: '-4882', unrealized_pnl_pct: '0.0236', cost_basis: '5000' },
    ]);
    expect([b?.currentPrice.toFixed(), b?.unrealizedPnl.toFixed(), b?.side]).toEqual(['244.1', '118', 'short']);
  });

  it('updates every field of a position (a second partial fill)', async () => {
    const store = await newStore();
    await store.positions.insert(positionRecord({ quantity: dec(40), entryPrice: dec('190.10') }));
    const grown = positionRecord({ quantity: dec(100), entryPrice: dec('190.1240'), updatedAt: at(3) });
    await store.positions.update(grown);
    expect(plain(await store.positions.get('pos-1'))).toEqual(plain(grown));
  });

  it('closes a position by moving it to closed_positions in one step, once', async () => {
    const store = await newStore();
    await store.positions.insert(positionRecord());
    const closed = closedRecord();
    expect(await store.positions.close(closed)).toBe(true);
    expect(await store.positions.get('pos-1')).toBeNull();
    expect(plain(await store.closedPositions.get('pos-1'))).toEqual(plain(closed));
    // A second close (the stream and the monitor both saw the exit) changes nothing.
    expect(await store.positions.close({ ...closed, exitPrice: dec('1') })).toBe(false);
    expect((await store.closedPositions.get('pos-1'))?.exitPrice.toFixed()).toBe('185');
  });

  it('leaves the position open when writing the closed row fails', async () => {
    const store = await newStore();
    await store.positions.insert(positionRecord());
    const bad = { ...closedRecord(), exitReason: 'panic' as 'manual' };
    await expect(store.positions.close(bad)).rejects.toThrow(/CHECK/);
    expect(await store.positions.get('pos-1')).not.toBeNull();
    expect(await store.closedPositions.get('pos-1')).toBeNull();
  });

  it('rolls back every write of a store transaction that throws', async () => {
    const store = await newStore();
    await expect(
      store.transaction(async (tx) => {
        await tx.positions.insert(positionRecord());
        await tx.orders.insert(orderRecord());
        throw new Error('broker call failed mid-way');
      }),
    ).rejects.toThrow('broker call failed mid-way');
    expect(await store.positions.count()).toBe(0);
    expect(await store.orders.get('ord-1')).toBeNull();
  });

  it('lists closed trades in a window, oldest first', async () => {
    const store = await newStore();
    for (const [id, minutes] of [
      ['c', 300],
      ['a', 100],
      ['b', 200],
    ] as const) {
      await store.positions.insert(positionRecord({ positionId: id, ticker: id.toUpperCase() }));
      await store.positions.close(closedRecord({ positionId: id, ticker: id.toUpperCase(), closedAt: at(minutes) }));
    }
    expect((await store.closedPositions.listClosedBetween(at(150))).map((c) => c.positionId)).toEqual(['b', 'c']);
    expect((await store.closedPositions.listClosedBetween(at(0), at(200))).map((c) => c.positionId)).toEqual(['a']);
  });
});

describe('signals', () => {
  const newStore = useTempStore();

  it('stores a signal once: a replay of the same id changes nothing', async () => {
    const store = await newStore();
    const s = signalRecord();
    expect(await store.signals.insertIfNew(s)).toBe(true);
    expect(await store.signals.insertIfNew({ ...s, entryPrice: dec('1') })).toBe(false);
    expect(plain(await store.signals.get('sig-1'))).toEqual(plain(s));
  });

  it('lets exactly one of two concurrent deciders win', async () => {
    const store = await newStore();
    await store.signals.insertIfNew(signalRecord());
    const results = await Promise.all([
      store.signals.decide('sig-1', { status: 'approved', decidedBy: 'alice', decidedAt: at(1) }),
      store.signals.decide('sig-1', { status: 'rejected', decidedBy: 'bob', decidedAt: at(1) }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const s = await store.signals.get('sig-1');
    expect(s?.status).toBe(results[0] ? 'approved' : 'rejected');
    expect(s?.decidedBy).toBe(results[0] ? 'alice' : 'bob');
  });

  it('records the execution outcome and the approval message location', async () => {
    const store = await newStore();
    await store.signals.insertIfNew(signalRecord());
    await store.signals.decide('sig-1', { status: 'approved', decidedBy: '123456789012345678', decidedAt: at(2) });
    await store.signals.recordOutcome('sig-1', 'executed', 'ord-1', 'filled 263 @ 190.02');
    await store.signals.setMessage('sig-1', '111111111111111111', '222222222222222222');
    const s = await store.signals.get('sig-1');
    expect([s?.status, s?.orderId, s?.decisionNote, s?.channelId, s?.messageId]).toEqual([
      'executed',
      'ord-1',
      'filled 263 @ 190.02',
      '111111111111111111',
      '222222222222222222',
    ]);
  });

  it('finds pending signals past their expiry', async () => {
    const store = await newStore();
    await store.signals.insertIfNew(signalRecord({ signalId: 'old', expiresAt: at(10) }));
    await store.signals.insertIfNew(signalRecord({ signalId: 'fresh', expiresAt: at(60) }));
    await store.signals.insertIfNew(signalRecord({ signalId: 'done', expiresAt: at(5), status: 'executed' }));
    expect((await store.signals.listExpired(at(30))).map((s) => s.signalId)).toEqual(['old']);
    expect((await store.signals.listByStatus('pending')).map((s) => s.signalId).sort()).toEqual(['fresh', 'old']);
  });
});

describe('equity_snapshots', () => {
  const newStore = useTempStore();
  const snap = (day: string, equity: string, kind: 'eod' | 'intraday' = 'eod') => ({
    takenAt: new Date(`${day}T21:00:00.000Z`),
    tradingDay: day,
    kind,
    equity: dec(equity),
    cash: dec('40000.5'),
    positionsValue: dec(equity).minus('40000.5'),
    unrealizedPnl: dec('12.34'),
    realizedPnlDay: dec('-5.67'),
    openPositions: 3,
  });

  it('keeps one end-of-day snapshot per day and returns the daily series in order', async () => {
    const store = await newStore();
    await store.equity.record(snap('2026-03-03', '100500.25'));
    await store.equity.record(snap('2026-03-02', '100000'));
    await store.equity.record(snap('2026-03-03', '100750.75')); // a re-run of the close job
    await store.equity.record(snap('2026-03-03', '100600', 'intraday'));
    const daily = await store.equity.listDaily('2026-03-01');
    expect(daily.map((s) => [s.tradingDay, s.equity.toFixed()])).toEqual([
      ['2026-03-02', '100000'],
      ['2026-03-03', '100750.75'],
    ]);
    expect(plain(await store.equity.getDaily('2026-03-03'))).toEqual(plain(snap('2026-03-03', '100750.75')));
    expect((await store.equity.latest())?.kind).toBe('intraday');
  });
});

describe('alerts', () => {
  const newStore = useTempStore();

  it('queues an event once and tracks delivery', async () => {
    const store = await newStore();
    expect(await store.alerts.enqueue('fill:exec-1', 'fill', '{"qty":"100"}', T0)).toBe(true);
    expect(await store.alerts.enqueue('fill:exec-1', 'fill', '{"qty":"100"}', at(1))).toBe(false);
    expect(await store.alerts.enqueue('stop_loss:pos-1', 'stop_loss', '{}', at(2))).toBe(true);
    expect(await store.alerts.countUnposted()).toBe(2);

    const [first, second] = await store.alerts.listUnposted();
    await store.alerts.markFailed([first!.id], 'Discord 503');
    await store.alerts.markPosted([first!.id], at(3));
    expect(await store.alerts.countUnposted()).toBe(1);
    const delivered = await store.alerts.getByEventKey('fill:exec-1');
    expect([delivered?.attempts, delivered?.postedAt?.toISOString(), delivered?.lastError]).toEqual([2, at(3).toISOString(), null]);
    expect((await store.alerts.listUnposted()).map((a) => a.eventKey)).toEqual([second!.eventKey]);
  });

  it('refuses a kind the design does not list', async () => {
    const store = await newStore();
    await expect(store.alerts.enqueue('x', 'gossip' as 'fill', '{}', T0)).rejects.toThrow(/CHECK/);
  });
});

describe('audit_log and trading_state', () => {
  const newStore = useTempStore();

  it('records operator actions, newest first', async () => {
    const store = await newStore();
    await store.audit.record({
      at: T0,
      actor: '123456789012345678',
      actorName: 'alice',
      action: '/buy',
      target: 'AAPL',
      outcome: 'ok',
      details: { qty: '10' },
    });
    await store.audit.record({
      at: at(1),
      actor: '999999999999999999',
      action: 'approve',
      target: 'sig-1',
      outcome: 'refused',
      details: { why: 'not a trader' },
    });
    const [latest, earlier] = await store.audit.listRecent();
    expect(latest).toMatchObject({ actor: '999999999999999999', actorName: null, action: 'approve', outcome: 'refused', details: { why: 'not a trader' } });
    expect(earlier).toMatchObject({ actorName: 'alice', target: 'AAPL', details: { qty: '10' } });
  });

  it('halts once, resumes once, and keeps the risk baselines exactly', async () => {
    const store = await newStore();
    expect(await store.tradingState.setState('HALTED', 'daily loss 3.1% > 3%', 'system', at(1))).toBe(true);
    expect(await store.tradingState.setState('HALTED', 'again', 'system', at(2))).toBe(false);
    expect((await store.tradingState.get()).reason).toBe('daily loss 3.1% > 3%');
    expect(await store.tradingState.setState('ACTIVE', null, 'alice', at(3))).toBe(true);
    await store.tradingState.setDayStart('2026-03-02', dec('100000.01'));
    await store.tradingState.setPeakEquity(dec('123456789.1234'));
    const s = await store.tradingState.get();
    expect([s.state, s.changedBy, s.dayStartDate, s.dayStartEquity?.toFixed(), s.peakEquity?.toFixed()]).toEqual([
      'ACTIVE',
      'alice',
      '2026-03-02',
      '100000.01',
      '123456789.1234',
    ]);
  });
});

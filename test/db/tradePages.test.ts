/**
 * Closed trades a page at a time (keyset on closed_at, then position id,
 * newest first) with their filters and exact totals, and the order book's
 * top-level orders with the open / closed reading of a bracket.
 */
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import type { ClosedTradePageQuery } from '../../src/domain/ports/store.js';
import type { ClosedPositionRecord } from '../../src/domain/records.js';
import { at, closedRecord, orderRecord } from '../helpers/fixtures.js';
import { useTempStore } from '../helpers/tempDb.js';

type Store = Awaited<ReturnType<ReturnType<typeof useTempStore>>>;

/** Reads every page of `query` (page size `limit`), following each page's last row. */
async function allPages(store: Store, query: Omit<ClosedTradePageQuery, 'after'>): Promise<string[][]> {
  const pages: string[][] = [];
  let after: ClosedTradePageQuery['after'];
  for (;;) {
    const rows: ClosedPositionRecord[] = await store.closedPositions.listPage(after ? { ...query, after } : query);
    if (rows.length === 0) return pages;
    pages.push(rows.map((r) => r.positionId));
    const last = rows.at(-1)!;
    after = { closedAt: last.closedAt, positionId: last.positionId };
  }
}

describe('closed_positions pages', () => {
  const newStore = useTempStore();

  /** Seven trades; p3, p4 and p5 closed at the same instant (the position id breaks the tie). */
  async function seeded(): Promise<Store> {
    const store = await newStore();
    await store.closedPositions.insertMany([
      closedRecord({ positionId: 'p1', ticker: 'AAPL', strategy: 'momentum', exitReason: 'stop_loss', realizedPnl: dec('-512.00'), closedAt: at(10) }),
      closedRecord({ positionId: 'p2', ticker: 'MSFT', strategy: 'momentum', exitReason: 'take_profit', realizedPnl: dec('250.125'), closedAt: at(20) }),
      closedRecord({ positionId: 'p3', ticker: 'AAPL', strategy: 'breakout', exitReason: 'take_profit', realizedPnl: dec('0.01'), closedAt: at(30) }),
      closedRecord({ positionId: 'p4', ticker: 'AAPL', strategy: 'momentum', exitReason: 'manual', realizedPnl: dec('99.99'), closedAt: at(30) }),
      closedRecord({ positionId: 'p5', ticker: 'TSLA', strategy: null, exitReason: 'flatten', realizedPnl: dec('-0.005'), closedAt: at(30) }),
      closedRecord({ positionId: 'p6', ticker: 'AAPL', strategy: 'momentum', exitReason: 'take_profit', realizedPnl: dec('1000'), closedAt: at(24 * 60) }),
      closedRecord({ positionId: 'p7', ticker: 'MSFT', strategy: 'breakout', exitReason: 'stop_loss', realizedPnl: dec('-75.5'), closedAt: at(24 * 60 + 5) }),
    ]);
    return store;
  }

  it('pages newest first, ties broken by position id, with no trade twice or missing', async () => {
    const store = await seeded();
    expect(await allPages(store, { limit: 3 })).toEqual([['p7', 'p6', 'p5'], ['p4', 'p3', 'p2'], ['p1']]);
    // A page boundary inside the tie: the rest of the tie comes next.
    expect(await allPages(store, { limit: 4 })).toEqual([
      ['p7', 'p6', 'p5', 'p4'],
      ['p3', 'p2', 'p1'],
    ]);
    const full = await store.closedPositions.listPage({ limit: 200 });
    expect(full.map((r) => r.positionId)).toEqual(['p7', 'p6', 'p5', 'p4', 'p3', 'p2', 'p1']);
    expect(full[0]?.realizedPnl.toFixed()).toBe('-75.5');
  });

  it('filters by time, ticker, strategy and exit reason, alone and together, on every page', async () => {
    const store = await seeded();
    expect(await allPages(store, { limit: 2, ticker: 'AAPL' })).toEqual([
      ['p6', 'p4'],
      ['p3', 'p1'],
    ]);
    expect(await allPages(store, { limit: 2, strategy: 'momentum', ticker: 'AAPL' })).toEqual([['p6', 'p4'], ['p1']]);
    expect(await allPages(store, { limit: 10, exitReason: 'take_profit' })).toEqual([['p6', 'p3', 'p2']]);
    expect(await allPages(store, { limit: 10, since: at(20), until: at(24 * 60) })).toEqual([['p5', 'p4', 'p3', 'p2']]);
    expect(await allPages(store, { limit: 10, since: at(30), exitReason: 'stop_loss', strategy: 'breakout', ticker: 'MSFT' })).toEqual([['p7']]);
    expect(await allPages(store, { limit: 10, ticker: 'NVDA' })).toEqual([]);
  });

  it('counts the matching trades and sums their P&L exactly', async () => {
    const store = await seeded();
    const totals = async (filter: Parameters<Store['closedPositions']['summarize']>[0]) => {
      const t = await store.closedPositions.summarize(filter);
      return [t.count, t.realizedPnl.toFixed()];
    };
    expect(await totals({})).toEqual([7, '762.62']);
    expect(await totals({ ticker: 'AAPL' })).toEqual([4, '588']);
    expect(await totals({ strategy: 'momentum', exitReason: 'take_profit' })).toEqual([2, '1250.125']);
    expect(await totals({ ticker: 'TSLA' })).toEqual([1, '-0.005']);
    expect(await totals({ ticker: 'NVDA' })).toEqual([0, '0']);
  });

  it('finds a page through an index, never by sorting every trade', async () => {
    const store = await seeded();
    const db = new SqliteDatabase(store.path, { readonly: true });
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('2026-03-02T15:00:00.000Z', 'p4') as { detail: string }[]).map((r) => r.detail).join(' | ');
    const order = 'ORDER BY "closed_at" DESC, "position_id" DESC LIMIT 51';
    try {
      expect(plan(`SELECT * FROM "closed_positions" WHERE ("closed_at", "position_id") < (?, ?) ${order}`)).toBe(
        'SEARCH closed_positions USING INDEX idx_closed_positions_closed ((closed_at,position_id)<(?,?))',
      );
      expect(plan(`SELECT * FROM "closed_positions" WHERE "ticker" = 'AAPL' AND ("closed_at", "position_id") < (?, ?) ${order}`)).toBe(
        'SEARCH closed_positions USING INDEX idx_closed_positions_ticker_closed (ticker=? AND (closed_at,position_id)<(?,?))',
      );
    } finally {
      db.close();
    }
  });
});

describe('executed_orders: the order book', () => {
  const newStore = useTempStore();

  /** A bracket: entry `id` and its two legs, with the given statuses. */
  function bracket(id: string, ticker: string, minutes: number, entry: string, legs: [string, string]) {
    const common = { ticker, orderClass: 'bracket' as const, signalId: `sig-${id}` };
    return [
      orderRecord({ ...common, orderId: id, clientOrderId: `${id}:entry`, leg: 'entry', status: entry as 'new', submittedAt: at(minutes) }),
      orderRecord({
        ...common,
        orderId: `${id}-tp`,
        clientOrderId: `${id}:tp`,
        leg: 'take_profit',
        parentOrderId: id,
        side: 'sell',
        orderType: 'limit',
        limitPrice: dec(200),
        status: legs[0] as 'new',
        submittedAt: at(minutes),
      }),
      orderRecord({
        ...common,
        orderId: `${id}-sl`,
        clientOrderId: `${id}:sl`,
        leg: 'stop_loss',
        parentOrderId: id,
        side: 'sell',
        orderType: 'stop',
        stopPrice: dec(185),
        status: legs[1] as 'new',
        submittedAt: at(minutes),
      }),
    ];
  }

  it('lists orders without a parent, newest first, open or closed by the order and its legs', async () => {
    const store = await newStore();
    const orders = [
      // Filled entry, legs still working: an open bracket.
      ...bracket('b1', 'AAPL', 1, 'filled', ['new', 'held']),
      // Filled entry, target filled, stop canceled: closed.
      ...bracket('b2', 'MSFT', 2, 'filled', ['filled', 'canceled']),
      // Entry still working, legs held.
      ...bracket('b3', 'AAPL', 3, 'new', ['held', 'held']),
      // An exit sent on its own, filled.
      orderRecord({
        orderId: 'x1',
        clientOrderId: 'x1',
        ticker: 'AAPL',
        side: 'sell',
        positionId: 'pos-9',
        exitReason: 'manual',
        status: 'filled',
        submittedAt: at(4),
      }),
    ];
    for (const o of orders) await store.orders.insert(o);
    const ids = async (query: Parameters<Store['orders']['listTopLevel']>[0]) => (await store.orders.listTopLevel(query)).map((o) => o.orderId);
    expect(await ids({ status: 'all', limit: 50 })).toEqual(['x1', 'b3', 'b2', 'b1']);
    expect(await ids({ status: 'open', limit: 50 })).toEqual(['b3', 'b1']);
    expect(await ids({ status: 'closed', limit: 50 })).toEqual(['x1', 'b2']);
    expect(await ids({ status: 'all', ticker: 'AAPL', limit: 50 })).toEqual(['x1', 'b3', 'b1']);
    expect(await ids({ status: 'closed', ticker: 'AAPL', limit: 50 })).toEqual(['x1']);
    expect(await ids({ status: 'all', limit: 2 })).toEqual(['x1', 'b3']);
    expect((await store.orders.listChildren('b1')).map((o) => o.leg).sort()).toEqual(['stop_loss', 'take_profit']);
  });
});

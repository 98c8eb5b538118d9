import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_ORDER_STATUSES, type OrderStatus, TERMINAL_STATUSES } from '../../src/domain/enums.js';
import { type Decimal, dec, ZERO } from '../../src/domain/money.js';
import { applyOrderUpdate, canTransition, incrementalFillPrice, ORDER_TRANSITIONS, type OrderFillState } from '../../src/domain/orderState.js';

const progress = (status: OrderStatus, filledQty: string | number = 0, avg: string | null = null): OrderFillState => ({
  status,
  filledQty: dec(filledQty),
  filledAvgPrice: avg === null ? null : dec(avg),
});

/** Every (from, to) pair the table allows, spelled out: a change to the table must change this list too. */
const EXPECTED: Record<OrderStatus, OrderStatus[]> = {
  held: ['held', 'accepted', 'new', 'partially_filled', 'rejected', 'filled', 'canceled', 'expired', 'replaced'],
  accepted: ['accepted', 'new', 'partially_filled', 'rejected', 'filled', 'canceled', 'expired', 'replaced'],
  new: ['new', 'partially_filled', 'rejected', 'filled', 'canceled', 'expired', 'replaced'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'expired', 'replaced'],
  filled: ['filled'],
  canceled: ['canceled'],
  expired: ['expired'],
  replaced: ['replaced'],
  rejected: ['rejected'],
};

describe('the order transition table', () => {
  it('has a row for every status', () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ALL_ORDER_STATUSES].sort());
  });

  for (const from of ALL_ORDER_STATUSES) {
    for (const to of ALL_ORDER_STATUSES) {
      const allowed = EXPECTED[from].includes(to);
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
        // A fill that does not fall, so only the status decides.
        const filled = from === 'partially_filled' || from === 'filled' ? 5 : 0;
        const verdict = applyOrderUpdate(progress(from, filled, filled ? '10' : null), progress(to, filled, filled ? '10' : null));
        if (from === to) expect(verdict.kind).toBe('unchanged');
        else expect(verdict.kind).toBe(allowed ? 'applied' : 'refused');
      });
    }
  }

  it('lets nothing leave a terminal status', () => {
    for (const from of TERMINAL_STATUSES) expect(ORDER_TRANSITIONS[from]).toEqual([from]);
  });
});

describe('applyOrderUpdate', () => {
  it('takes an order seen for the first time as it is, its fills counted', () => {
    const v = applyOrderUpdate(null, progress('partially_filled', 40, '10.5'));
    expect(v).toMatchObject({ kind: 'applied', previous: null, statusChanged: true });
    if (v.kind !== 'applied') throw new Error('unreachable');
    expect(v.fill?.qty.toString()).toBe('40');
    expect(v.fill?.price?.toString()).toBe('10.5');
    expect(applyOrderUpdate(null, progress('held'))).toMatchObject({ kind: 'applied', fill: null });
  });

  it('counts only the shares filled since the last view, at their own price', () => {
    const v = applyOrderUpdate(progress('partially_filled', 40, '10'), progress('filled', 100, '10.6'));
    if (v.kind !== 'applied') throw new Error(`expected applied, got ${v.kind}`);
    expect(v.fill?.qty.toString()).toBe('60');
    expect(v.fill?.price?.toString()).toBe('11');
    expect(v.previous).toBe('partially_filled');
  });

  it('refuses a filled quantity that falls, whatever the status says', () => {
    expect(applyOrderUpdate(progress('partially_filled', 40, '10'), progress('partially_filled', 30, '10'))).toMatchObject({ kind: 'refused' });
    expect(applyOrderUpdate(progress('filled', 100, '10'), progress('filled', 0))).toMatchObject({ kind: 'refused' });
  });

  it('refuses a finished order working again and a partial fill going back to new', () => {
    expect(applyOrderUpdate(progress('canceled', 10, '5'), progress('partially_filled', 10, '5'))).toMatchObject({
      kind: 'refused',
      reason: 'canceled cannot become partially_filled',
    });
    expect(applyOrderUpdate(progress('partially_filled', 10, '5'), progress('new', 10, '5'))).toMatchObject({ kind: 'refused' });
    expect(applyOrderUpdate(progress('new'), progress('held'))).toMatchObject({ kind: 'refused' });
  });

  it('counts a late fill on a finished order that keeps its status (a fill that raced a cancel)', () => {
    const v = applyOrderUpdate(progress('canceled', 10, '5'), progress('canceled', 15, '6'));
    expect(v).toMatchObject({ kind: 'applied', statusChanged: false });
    if (v.kind === 'applied') expect(v.fill?.qty.toString()).toBe('5');
  });

  it('refuses a negative filled quantity', () => {
    expect(applyOrderUpdate(null, progress('new', -1))).toMatchObject({ kind: 'refused' });
  });

  it('has no fill price when the broker gives no average', () => {
    expect(incrementalFillPrice({ filledQty: ZERO, filledAvgPrice: null }, { filledQty: dec(5), filledAvgPrice: null })).toBeNull();
  });
});

describe('fill accounting (property)', () => {
  const status = fc.constantFrom(...ALL_ORDER_STATUSES);
  const report = fc.record({ status, filledQty: fc.integer({ min: 0, max: 100 }), avg: fc.integer({ min: 1, max: 500 }) });

  /** Folds reports into the recorded state, as a ledger does: refused and unchanged reports leave it alone. */
  function run(reports: readonly { status: OrderStatus; filledQty: number; avg: number }[], start: OrderFillState | null = null) {
    let state = start;
    let counted: Decimal = ZERO;
    const applied: [OrderStatus | null, OrderStatus][] = [];
    for (const r of reports) {
      const reported = progress(r.status, r.filledQty, r.filledQty > 0 ? String(r.avg) : null);
      const v = applyOrderUpdate(state, reported);
      if (v.kind !== 'applied') continue;
      if (state !== null) expect(v.next.filledQty.gte(state.filledQty)).toBe(true);
      applied.push([state?.status ?? null, v.next.status]);
      counted = counted.plus(v.fill?.qty ?? ZERO);
      state = v.next;
    }
    return { state, counted, applied };
  }

  it('never moves an order backwards and counts every share exactly once', () => {
    fc.assert(
      fc.property(fc.array(report, { maxLength: 30 }), (reports) => {
        const { state, counted, applied } = run(reports);
        // Shares counted are the shares recorded: none lost, none twice.
        expect(counted.eq(state?.filledQty ?? ZERO)).toBe(true);
        // Every status change was one the table allows, and a terminal status was never left.
        for (const [from, to] of applied) {
          if (from !== null) expect(canTransition(from, to)).toBe(true);
          if (from !== null && TERMINAL_STATUSES.has(from)) expect(to).toBe(from);
        }
      }),
    );
  });

  it('counts nothing more when every report arrives again (a replay, a listing after the stream)', () => {
    fc.assert(
      fc.property(fc.array(report, { maxLength: 20 }), (reports) => {
        const first = run(reports);
        const again = run(reports, first.state);
        // Replaying can only add shares the first pass refused as out of order, never the same shares twice.
        expect(first.counted.plus(again.counted).eq(again.state?.filledQty ?? ZERO)).toBe(true);
        const duplicated = run([...reports, ...reports].flatMap((r) => [r, r]));
        expect(duplicated.counted.eq(duplicated.state?.filledQty ?? ZERO)).toBe(true);
      }),
    );
  });
});

describe('a status recorded under an older vocabulary', () => {
  it('gives way to the broker view, fills still never falling', () => {
    const legacy = { status: 'pending_new' as OrderStatus, filledQty: dec(10), filledAvgPrice: dec(5) };
    expect(applyOrderUpdate(legacy, progress('new', 10, '5'))).toMatchObject({ kind: 'applied', previous: 'pending_new' });
    expect(applyOrderUpdate(legacy, progress('new', 5, '5'))).toMatchObject({ kind: 'refused' });
  });
});

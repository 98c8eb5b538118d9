import { describe, expect, it } from 'vitest';
import { toDomainStatus, ALPACA_ORDER_STATUSES } from '../../../src/broker/alpaca/statusMap.js';
import { ALL_ORDER_STATUSES, TERMINAL_STATUSES } from '../../../src/domain/enums.js';
import { dec } from '../../../src/domain/money.js';
import { canTransition } from '../../../src/domain/orderState.js';

const none = { quantity: dec(100), filledQty: dec(0) };
const some = { quantity: dec(100), filledQty: dec(40) };
const all = { quantity: dec(100), filledQty: dec(100) };

describe('Alpaca order statuses in the bot vocabulary', () => {
  it("lists Alpaca's documented statuses, every one once", () => {
    expect([...ALPACA_ORDER_STATUSES].sort()).toEqual(
      [
        'accepted',
        'accepted_for_bidding',
        'calculated',
        'canceled',
        'done_for_day',
        'expired',
        'filled',
        'held',
        'new',
        'partially_filled',
        'pending_cancel',
        'pending_new',
        'pending_replace',
        'rejected',
        'replaced',
        'stopped',
        'suspended',
      ].sort(),
    );
  });

  it('maps every Alpaca status, at every fill level, into a domain status', () => {
    for (const s of ALPACA_ORDER_STATUSES) {
      for (const p of [none, some, all]) expect(ALL_ORDER_STATUSES).toContain(toDomainStatus(s, p));
    }
  });

  it('keeps the statuses both speak unchanged', () => {
    for (const s of ['new', 'accepted', 'held', 'filled', 'canceled', 'expired', 'replaced', 'rejected'] as const) {
      expect(toDomainStatus(s, s === 'filled' ? all : none)).toBe(s);
    }
    expect(toDomainStatus('partially_filled', some)).toBe('partially_filled');
  });

  it.each([
    ['done_for_day', 'new', 'partially_filled'],
    ['pending_cancel', 'new', 'partially_filled'],
    ['pending_replace', 'new', 'partially_filled'],
    ['stopped', 'new', 'partially_filled'],
    ['suspended', 'new', 'partially_filled'],
    ['pending_new', 'accepted', 'partially_filled'],
    ['accepted_for_bidding', 'accepted', 'partially_filled'],
    ['calculated', 'new', 'partially_filled'],
  ] as const)('maps %s to %s, or %s once shares have filled', (alpaca, unfilled, filled) => {
    expect(toDomainStatus(alpaca, none)).toBe(unfilled);
    expect(toDomainStatus(alpaca, some)).toBe(filled);
  });

  it('takes a calculated order with every share filled as filled', () => {
    expect(toDomainStatus('calculated', all)).toBe('filled');
  });

  it('never makes a live Alpaca status terminal, and treats an unknown one as live', () => {
    const terminal = new Set(['filled', 'canceled', 'expired', 'replaced', 'rejected', 'calculated']);
    for (const s of ALPACA_ORDER_STATUSES.filter((x) => !terminal.has(x))) {
      for (const p of [none, some]) expect(TERMINAL_STATUSES.has(toDomainStatus(s, p))).toBe(false);
    }
    expect(toDomainStatus('some_future_status', none)).toBe('new');
  });

  it('follows the lifecycles Alpaca reports without a refused step', () => {
    const lifecycles: [string, typeof none][][] = [
      [
        ['pending_new', none],
        ['new', none],
        ['partially_filled', some],
        ['pending_cancel', some],
        ['canceled', some],
      ],
      [
        ['accepted', none],
        ['new', none],
        ['done_for_day', none],
        ['new', none],
        ['filled', all],
      ],
      [
        ['held', none],
        ['new', none],
        ['pending_replace', none],
        ['replaced', none],
      ],
      [
        ['new', none],
        ['partially_filled', some],
        ['stopped', some],
        ['calculated', all],
      ],
    ];
    for (const steps of lifecycles) {
      const statuses = steps.map(([s, p]) => toDomainStatus(s, p));
      for (let i = 1; i < statuses.length; i++) expect(canTransition(statuses[i - 1]!, statuses[i]!), statuses.join(' → ')).toBe(true);
    }
  });
});

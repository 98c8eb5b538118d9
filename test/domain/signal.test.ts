/** The TradingSignal schema: what is accepted, and refusals that name the field. */
import { describe, expect, it } from 'vitest';
import { parseSignal, rewardToRisk, riskPerShare, signalToWire, toSignal } from '../../src/domain/signal.js';

const wire = (overrides: Record<string, unknown> = {}) => ({
  signal_id: 'cat-2026-03-02-AAPL',
  ticker: 'aapl',
  timestamp: '2026-03-02T14:31:00Z',
  action: 'buy',
  confidence: 0.82,
  current_price: 190.1,
  stop_loss_price: '185.05',
  take_profit_price: 200,
  ...overrides,
});

const problems = (input: unknown) => {
  const r = parseSignal(input);
  return r.ok ? [] : r.problems;
};

describe('TradingSignal', () => {
  it('accepts prices as JSON numbers or decimal strings, held exactly', () => {
    const s = toSignal(wire({ position_size_pct: '0.05', strategy: ' catalyst ', signal_type: 'earnings' }));
    expect([
      s.ticker,
      s.currentPrice.toFixed(),
      s.stopLossPrice.toFixed(),
      s.takeProfitPrice.toFixed(),
      s.confidence.toFixed(),
      s.positionSizePct?.toFixed(),
      s.strategy,
      s.signalType,
    ]).toEqual(['AAPL', '190.1', '185.05', '200', '0.82', '0.05', 'catalyst', 'earnings']);
    expect(s.timestamp.toISOString()).toBe('2026-03-02T14:31:00.000Z');
    expect([riskPerShare(s).toFixed(), rewardToRisk(s).toFixed(4)]).toEqual(['5.05', '1.9604']);
    expect(toSignal(signalToWire(s))).toEqual(s);
    expect(toSignal(wire({ timestamp: 1772461860 })).timestamp.toISOString()).toBe('2026-03-02T14:31:00.000Z');
  });

  it('refuses a stop or a target on the wrong side, and a zero risk distance', () => {
    expect(problems(wire({ stop_loss_price: 191 }))).toEqual(['stop_loss_price: 191 is on the wrong side of the entry 190.1: a buy needs its stop below it']);
    expect(problems(wire({ take_profit_price: 189 }))).toEqual([
      'take_profit_price: 189 is on the wrong side of the entry 190.1: a buy needs its target above it',
    ]);
    expect(problems(wire({ action: 'sell', stop_loss_price: 185, take_profit_price: 200 }))).toEqual([
      'stop_loss_price: 185 is on the wrong side of the entry 190.1: a sell needs its stop above it',
      'take_profit_price: 200 is on the wrong side of the entry 190.1: a sell needs its target below it',
    ]);
    expect(problems(wire({ stop_loss_price: '190.10' }))).toEqual(['stop_loss_price: equals the entry 190.1: zero risk distance']);
  });

  it('refuses bad fields one by one, by name', () => {
    expect(problems(wire({ confidence: 1.2 }))).toEqual(['confidence: must be between 0 and 1']);
    expect(problems(wire({ current_price: 0 }))).toEqual(['current_price: must be above 0']);
    expect(problems(wire({ current_price: '-5' }))).toEqual(['current_price: must be above 0']);
    expect(problems(wire({ action: 'hold' }))).toEqual(['action: expected `buy` or `sell`']);
    expect(problems(wire({ take_profit_price: '1e3' }))).toEqual(['take_profit_price: expected a number such as 184.50, got "1e3"']);
    expect(problems(wire({ ticker: '$$$' }))).toEqual(['ticker: a ticker is 1–10 letters, digits or dots, starting with a letter']);
    expect(problems(wire({ timestamp: 'yesterday' }))).toEqual(['timestamp: expected an ISO-8601 time or unix seconds, got "yesterday"']);
    expect(problems({ ticker: 'AAPL' }).map((p) => p.split(':')[0])).toEqual([
      'signal_id',
      'timestamp',
      'action',
      'confidence',
      'current_price',
      'stop_loss_price',
      'take_profit_price',
    ]);
    expect(problems('not an object')).toEqual(['signal: Invalid input: expected object, received string']);
  });
});

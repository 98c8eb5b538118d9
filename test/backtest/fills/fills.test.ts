import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/backtest/bar.js';
import {
  fillAfter,
  fillOnBar,
  firstBarAfter,
  NO_COSTS,
  positionAfter,
  positionExitOnBar,
  roundToTick,
  runBracket,
  slipped,
  type Fill,
  type FillCosts,
  type PositionExits,
} from '../../../src/backtest/fills/fills.js';
import { dec, ZERO, type Decimal } from '../../../src/domain/money.js';

/** A bar from strings: `bar('AAA', '2024-01-03', '100 101.50 99.20 101')` (open high low close). */
function bar(symbol: string, time: string, ohlc: string): Bar {
  const [open, high, low, close] = ohlc.split(' ').map((v) => dec(v));
  if (!open || !high || !low || !close) throw new Error(`bad OHLC: ${ohlc}`);
  return { symbol, timestamp: new Date(time.length === 10 ? `${time}T00:00:00Z` : time), open, high, low, close, volume: dec(1000) };
}

/** A fill as plain strings, so one `toEqual` shows every figure. */
function plain(fill: Fill | null): Record<string, string> | null {
  if (fill === null) return null;
  return {
    side: fill.side,
    price: fill.price.toFixed(),
    quantity: fill.quantity.toFixed(),
    commission: fill.commission.toFixed(),
    bar: fill.barTimestamp.toISOString().replace('T00:00:00.000Z', ''),
    reason: fill.reason,
  };
}

/** Realized P&L of one long trade: exits' proceeds minus the entry's cost of those shares minus every commission. */
function longPnl(entry: Fill, exits: readonly Fill[]): Decimal {
  let pnl = entry.commission.neg();
  for (const exit of exits) pnl = pnl.plus(exit.price.minus(entry.price).times(exit.quantity)).minus(exit.commission);
  return pnl;
}

const COSTS: FillCosts = { slippageBps: dec(10), commissionPerShare: dec('0.005') };
const SIGNAL_JAN_2 = new Date('2024-01-02T15:00:00Z');
const SIGNAL_JAN_3 = new Date('2024-01-03T15:00:00Z');

describe('a hand-computed backtest: 10 bps slippage, $0.005 a share', () => {
  // AAA: stopped out.
  //   entry  2024-01-03 open 100.00 + 10 bps = 100.10, 100 shares, commission 0.50
  //   exit   2024-01-04 low 96.50 reaches the 97.00 stop; 97.00 - 10 bps = 96.903 -> 96.90, commission 0.50
  //   P&L    (96.90 - 100.10) x 100 - 0.50 - 0.50 = -320.00 - 1.00 = -321.00
  const aaa = [
    bar('AAA', '2024-01-02', '99 101 98 100'),
    bar('AAA', '2024-01-03', '100.00 101.50 99.20 101.00'),
    bar('AAA', '2024-01-04', '101.00 102.00 96.50 97.00'),
    bar('AAA', '2024-01-05', '97.00 99.00 90.00 91.00'),
  ];
  // BBB: target.
  //   entry  2024-01-03 open 50.00 + 10 bps = 50.05, 200 shares, commission 1.00
  //   exit   2024-01-04 high 52.40 reaches the 52.00 target; a limit: 52.00, no slippage, commission 1.00
  //   P&L    (52.00 - 50.05) x 200 - 1.00 - 1.00 = 390.00 - 2.00 = 388.00
  const bbb = [
    bar('BBB', '2024-01-02', '49 50.50 48.80 50'),
    bar('BBB', '2024-01-03', '50.00 50.80 49.60 50.50'),
    bar('BBB', '2024-01-04', '50.60 52.40 50.10 52.10'),
  ];
  // CCC: a gap through the stop (signal on the 3rd, so the fill is on the 4th).
  //   entry  2024-01-04 open 20.00 + 10 bps = 20.02, 300 shares, commission 1.50
  //   exit   2024-01-05 opens at 18.50, below the 19.00 stop: fills at the open,
  //          18.50 - 10 bps = 18.4815 -> 18.48, commission 1.50
  //   P&L    (18.48 - 20.02) x 300 - 1.50 - 1.50 = -462.00 - 3.00 = -465.00
  const ccc = [
    bar('CCC', '2024-01-03', '20.10 20.20 19.90 20.00'),
    bar('CCC', '2024-01-04', '20.00 20.30 19.80 20.10'),
    bar('CCC', '2024-01-05', '18.50 18.90 18.10 18.70'),
  ];
  // DDD: a partial exit, 40 of 100 shares at a target, the other 60 stopped out.
  //   entry  2024-01-03 open 25.00 + 10 bps = 25.025 -> 25.03 (half-up), 100 shares, commission 0.50
  //   exit 1 2024-01-04 high 30.50 reaches the 30.00 target for 40 shares, commission 0.20
  //   exit 2 2024-01-05 low 23.50 reaches the 24.00 stop; 24.00 - 10 bps = 23.976 -> 23.98, 60 shares, commission 0.30
  //   P&L    40 x (30.00 - 25.03) = 198.80; 60 x (23.98 - 25.03) = -63.00;
  //          198.80 - 63.00 - 0.50 - 0.20 - 0.30 = 134.80
  const ddd = [
    bar('DDD', '2024-01-03', '25.00 25.40 24.70 25.20'),
    bar('DDD', '2024-01-04', '25.20 30.50 25.10 29.00'),
    bar('DDD', '2024-01-05', '26.00 26.20 23.50 23.70'),
  ];
  // Total: -321.00 + 388.00 - 465.00 + 134.80 = -263.20

  it('fills, exits and P&L of every trade, to the cent', () => {
    const a = runBracket({ entry: { kind: 'market', side: 'buy', quantity: dec(100) }, stopLoss: dec(97), takeProfit: dec(105) }, aaa, SIGNAL_JAN_2, COSTS);
    expect(plain(a.entry)).toEqual({ side: 'buy', price: '100.1', quantity: '100', commission: '0.5', bar: '2024-01-03', reason: 'entry' });
    expect(a.exits.map(plain)).toEqual([{ side: 'sell', price: '96.9', quantity: '100', commission: '0.5', bar: '2024-01-04', reason: 'stop_loss' }]);

    const b = runBracket({ entry: { kind: 'market', side: 'buy', quantity: dec(200) }, stopLoss: dec(48), takeProfit: dec(52) }, bbb, SIGNAL_JAN_2, COSTS);
    expect(plain(b.entry)).toEqual({ side: 'buy', price: '50.05', quantity: '200', commission: '1', bar: '2024-01-03', reason: 'entry' });
    expect(b.exits.map(plain)).toEqual([{ side: 'sell', price: '52', quantity: '200', commission: '1', bar: '2024-01-04', reason: 'take_profit' }]);

    const c = runBracket({ entry: { kind: 'market', side: 'buy', quantity: dec(300) }, stopLoss: dec(19), takeProfit: dec(22) }, ccc, SIGNAL_JAN_3, COSTS);
    expect(plain(c.entry)).toEqual({ side: 'buy', price: '20.02', quantity: '300', commission: '1.5', bar: '2024-01-04', reason: 'entry' });
    expect(c.exits.map(plain)).toEqual([{ side: 'sell', price: '18.48', quantity: '300', commission: '1.5', bar: '2024-01-05', reason: 'stop_loss' }]);

    // DDD walks bar by bar with the position helper, the way a replay carries a position on.
    const dEntry = fillAfter({ kind: 'market', side: 'buy', quantity: dec(100) }, ddd, SIGNAL_JAN_2, COSTS);
    expect(plain(dEntry)).toEqual({ side: 'buy', price: '25.03', quantity: '100', commission: '0.5', bar: '2024-01-03', reason: 'entry' });
    let position: PositionExits = { side: 'long', quantity: dec(100), stopLoss: { price: dec(24) }, takeProfit: { price: dec(30), quantity: dec(40) } };
    const dExits: Fill[] = [];
    for (const b of ddd.slice(1)) {
      const fills = positionExitOnBar(position, b, COSTS);
      dExits.push(...fills);
      position = positionAfter(position, fills);
    }
    expect(dExits.map(plain)).toEqual([
      { side: 'sell', price: '30', quantity: '40', commission: '0.2', bar: '2024-01-04', reason: 'take_profit' },
      { side: 'sell', price: '23.98', quantity: '60', commission: '0.3', bar: '2024-01-05', reason: 'stop_loss' },
    ]);
    expect(position.quantity.toFixed()).toBe('0');
    expect(position.takeProfit).toBeNull(); // its 40 shares are sold; the stop still covers "what is left"
    expect(position.stopLoss?.price.toFixed()).toBe('24');

    if (!a.entry || !b.entry || !c.entry || !dEntry) throw new Error('every trade entered');
    const pnls = [longPnl(a.entry, a.exits), longPnl(b.entry, b.exits), longPnl(c.entry, c.exits), longPnl(dEntry, dExits)];
    expect(pnls.map((p) => p.toFixed(2))).toEqual(['-321.00', '388.00', '-465.00', '134.80']);
    expect(pnls.reduce((s, p) => s.plus(p), ZERO).toFixed(2)).toBe('-263.20');
  });
});

describe('the next bar after the signal', () => {
  const bars = [bar('X', '2024-01-02', '10 11 9 10'), bar('X', '2024-01-03', '12 13 11 12'), bar('X', '2024-01-04', '14 15 13 14')];

  it('a signal during a bar fills at the next bar’s open', () => {
    expect(plain(fillAfter({ kind: 'market', side: 'buy', quantity: dec(5) }, bars, new Date('2024-01-02T20:00:00Z'), NO_COSTS))?.price).toBe('12');
  });

  it('a signal stamped exactly at a bar’s opening time skips that bar: its close may have made the signal', () => {
    expect(firstBarAfter(bars, new Date('2024-01-03T00:00:00Z'))).toBe(2);
    expect(plain(fillAfter({ kind: 'market', side: 'sell', quantity: dec(5) }, bars, new Date('2024-01-03T00:00:00Z'), NO_COSTS))?.price).toBe('14');
  });

  it('a signal before the first bar fills on it; one after the last fills nowhere', () => {
    expect(firstBarAfter(bars, new Date('2023-12-31T00:00:00Z'))).toBe(0);
    expect(fillAfter({ kind: 'market', side: 'buy', quantity: dec(5) }, bars, new Date('2024-01-04T12:00:00Z'), NO_COSTS)).toBeNull();
  });

  it('a limit works until a bar reaches it, and a bar opening beyond it fills at the open', () => {
    const since = new Date('2024-01-01T00:00:00Z');
    expect(fillAfter({ kind: 'limit', side: 'buy', quantity: dec(5), limitPrice: dec('8.50') }, bars, since, NO_COSTS)).toBeNull();
    const sell = fillAfter({ kind: 'limit', side: 'sell', quantity: dec(5), limitPrice: dec('14.50') }, bars, since, NO_COSTS);
    expect(plain(sell)).toEqual({ side: 'sell', price: '14.5', quantity: '5', commission: '0', bar: '2024-01-04', reason: 'limit' });
    const buy = fillAfter({ kind: 'limit', side: 'buy', quantity: dec(5), limitPrice: dec('12.50') }, bars, new Date('2024-01-02T12:00:00Z'), NO_COSTS);
    expect(plain(buy)).toEqual({ side: 'buy', price: '12', quantity: '5', commission: '0', bar: '2024-01-03', reason: 'limit' });
  });

  it('refuses bars out of order or of two symbols', () => {
    const order = { kind: 'market', side: 'buy', quantity: dec(1) } as const;
    expect(() => fillAfter(order, [bars[1] as Bar, bars[0] as Bar], new Date(0), NO_COSTS)).toThrow(/out of order/);
    expect(() => fillAfter(order, [bars[0] as Bar, { ...(bars[1] as Bar), symbol: 'Y' }], new Date(0), NO_COSTS)).toThrow(/two symbols/);
  });
});

describe('limits and stops on one bar', () => {
  const b = bar('X', '2024-01-03', '100 104 97 101');
  const costs: FillCosts = { slippageBps: dec(10), commissionPerShare: dec('0.01') };

  it('market orders pay the open plus slippage either way', () => {
    expect(plain(fillOnBar({ kind: 'market', side: 'buy', quantity: dec(10) }, b, costs))).toEqual({
      side: 'buy',
      price: '100.1',
      quantity: '10',
      commission: '0.1',
      bar: '2024-01-03',
      reason: 'entry',
    });
    expect(fillOnBar({ kind: 'market', side: 'sell', quantity: dec(10) }, b, costs)?.price.toFixed()).toBe('99.9');
  });

  it('a buy limit fills at the limit when the low reaches it, at the open when the bar opens below it, never with slippage', () => {
    expect(fillOnBar({ kind: 'limit', side: 'buy', quantity: dec(10), limitPrice: dec(98) }, b, costs)?.price.toFixed()).toBe('98');
    expect(fillOnBar({ kind: 'limit', side: 'buy', quantity: dec(10), limitPrice: dec(102) }, b, costs)?.price.toFixed()).toBe('100');
    expect(fillOnBar({ kind: 'limit', side: 'buy', quantity: dec(10), limitPrice: dec('96.99') }, b, costs)).toBeNull();
  });

  it('a sell limit mirrors it on the high', () => {
    expect(fillOnBar({ kind: 'limit', side: 'sell', quantity: dec(10), limitPrice: dec(103) }, b, costs)?.price.toFixed()).toBe('103');
    expect(fillOnBar({ kind: 'limit', side: 'sell', quantity: dec(10), limitPrice: dec(99) }, b, costs)?.price.toFixed()).toBe('100');
    expect(fillOnBar({ kind: 'limit', side: 'sell', quantity: dec(10), limitPrice: dec('104.01') }, b, costs)).toBeNull();
  });

  it('a sell stop fills at the stop, or at the worse open after a gap, less slippage', () => {
    // 98 - 10 bps = 97.902 -> 97.90; a 101 stop the bar opened under fills at the open: 100 - 10 bps = 99.90.
    expect(plain(fillOnBar({ kind: 'stop', side: 'sell', quantity: dec(10), stopPrice: dec(98) }, b, costs))).toEqual({
      side: 'sell',
      price: '97.9',
      quantity: '10',
      commission: '0.1',
      bar: '2024-01-03',
      reason: 'stop',
    });
    expect(fillOnBar({ kind: 'stop', side: 'sell', quantity: dec(10), stopPrice: dec(101) }, b, costs)?.price.toFixed()).toBe('99.9');
    expect(fillOnBar({ kind: 'stop', side: 'sell', quantity: dec(10), stopPrice: dec('96.99') }, b, costs)).toBeNull();
  });

  it('a buy stop mirrors it on the high, plus slippage', () => {
    // 103 + 10 bps = 103.103 -> 103.10; a 99 stop the bar opened over fills at 100 + 10 bps = 100.10.
    expect(fillOnBar({ kind: 'stop', side: 'buy', quantity: dec(10), stopPrice: dec(103) }, b, costs)?.price.toFixed()).toBe('103.1');
    expect(fillOnBar({ kind: 'stop', side: 'buy', quantity: dec(10), stopPrice: dec(99) }, b, costs)?.price.toFixed()).toBe('100.1');
    expect(fillOnBar({ kind: 'stop', side: 'buy', quantity: dec(10), stopPrice: dec('104.01') }, b, costs)).toBeNull();
  });

  it('slippage rounds half-up to the cent at $1 and above, to 1/100 cent below, never to zero', () => {
    expect(slipped(dec('25.00'), 'buy', dec(10)).toFixed()).toBe('25.03');
    expect(slipped(dec('0.5'), 'sell', dec(3)).toFixed()).toBe('0.4999'); // 0.49985 -> 0.4999
    expect(slipped(dec('12.345678'), 'buy', ZERO).toFixed()).toBe('12.345678'); // no slippage: the bar's price as given
    expect(roundToTick(dec('0.00001')).toFixed()).toBe('0.0001');
  });

  it('refuses a quantity that is not positive', () => {
    expect(() => fillOnBar({ kind: 'market', side: 'buy', quantity: ZERO }, b, costs)).toThrow(RangeError);
  });
});

describe('a position’s stop and target on one bar', () => {
  const long = (stop: string, target: string, quantity = '100'): PositionExits => ({
    side: 'long',
    quantity: dec(quantity),
    stopLoss: { price: dec(stop) },
    takeProfit: { price: dec(target) },
  });

  it('a bar reaching both counts the stop', () => {
    const fills = positionExitOnBar(long('97', '105'), bar('X', '2024-01-03', '100 106 96 101'), NO_COSTS);
    expect(fills.map(plain)).toEqual([{ side: 'sell', price: '97', quantity: '100', commission: '0', bar: '2024-01-03', reason: 'stop_loss' }]);
  });

  it('a bar opening through the target fills it at the open first, even if it reaches the stop later', () => {
    const fills = positionExitOnBar(long('97', '105'), bar('X', '2024-01-03', '106 107 96 101'), NO_COSTS);
    expect(fills.map(plain)).toEqual([{ side: 'sell', price: '106', quantity: '100', commission: '0', bar: '2024-01-03', reason: 'take_profit' }]);
  });

  it('finer bars decide which came first: here the target', () => {
    const coarse = bar('X', '2024-01-03T14:00:00Z', '100 106 96 101');
    const finer = [
      bar('X', '2024-01-03T14:00:00Z', '100 105.50 99.50 105'),
      bar('X', '2024-01-03T14:30:00Z', '105 106 96 101'),
      bar('X', '2024-01-03T15:00:00Z', '101 101 100 101'),
    ];
    const fills = positionExitOnBar(long('97', '105'), coarse, NO_COSTS, finer);
    expect(fills.map(plain)).toEqual([
      { side: 'sell', price: '105', quantity: '100', commission: '0', bar: '2024-01-03T14:00:00.000Z', reason: 'take_profit' },
    ]);
  });

  it('finer bars reaching the stop first give the stop', () => {
    const coarse = bar('X', '2024-01-03T14:00:00Z', '100 106 96 101');
    const finer = [bar('X', '2024-01-03T14:00:00Z', '100 100 96 98'), bar('X', '2024-01-03T14:30:00Z', '98 106 98 101')];
    expect(positionExitOnBar(long('97', '105'), coarse, NO_COSTS, finer).map((f) => f.reason)).toEqual(['stop_loss']);
  });

  it('partial legs: a stop for 30 shares goes first, the target takes the other 70', () => {
    const position: PositionExits = { side: 'long', quantity: dec(100), stopLoss: { price: dec(97), quantity: dec(30) }, takeProfit: { price: dec(105) } };
    const fills = positionExitOnBar(position, bar('X', '2024-01-03', '100 106 96 101'), COSTS);
    expect(fills.map(plain)).toEqual([
      { side: 'sell', price: '96.9', quantity: '30', commission: '0.15', bar: '2024-01-03', reason: 'stop_loss' },
      { side: 'sell', price: '105', quantity: '70', commission: '0.35', bar: '2024-01-03', reason: 'take_profit' },
    ]);
  });

  it('a short’s stop is a buy stop above and its target a buy limit below', () => {
    const short: PositionExits = { side: 'short', quantity: dec(50), stopLoss: { price: dec(103) }, takeProfit: { price: dec(95) } };
    // Gap up through the stop: buys at the open, 104 + 10 bps = 104.104 -> 104.10.
    expect(positionExitOnBar(short, bar('X', '2024-01-03', '104 105 99 100'), COSTS).map(plain)).toEqual([
      { side: 'buy', price: '104.1', quantity: '50', commission: '0.25', bar: '2024-01-03', reason: 'stop_loss' },
    ]);
    expect(positionExitOnBar(short, bar('X', '2024-01-03', '98 99 94 96'), COSTS).map((f) => [f.reason, f.price.toFixed()])).toEqual([['take_profit', '95']]);
    expect(positionExitOnBar(short, bar('X', '2024-01-03', '98 102 96 96'), COSTS)).toEqual([]);
  });

  it('refuses a stop on the wrong side of the target', () => {
    expect(() => positionExitOnBar(long('105', '97'), bar('X', '2024-01-03', '100 101 99 100'), NO_COSTS)).toThrow(/stop loss below/);
  });
});

describe('the entry bar of a bracket', () => {
  const signal = new Date('2024-01-02T15:00:00Z');
  const market = { kind: 'market', side: 'buy', quantity: dec(10) } as const;

  it('after a market entry at the open, the same bar may take the target', () => {
    const r = runBracket({ entry: market, stopLoss: dec(95), takeProfit: dec(105) }, [bar('X', '2024-01-03', '100 106 98 104')], signal, NO_COSTS);
    expect([r.entry?.price.toFixed(), ...r.exits.map((f) => `${f.reason} ${f.price.toFixed()} ${f.barTimestamp.toISOString()}`)]).toEqual([
      '100',
      'take_profit 105 2024-01-03T00:00:00.000Z',
    ]);
  });

  it('an entry bar reaching both counts the stop', () => {
    const r = runBracket({ entry: market, stopLoss: dec(95), takeProfit: dec(105) }, [bar('X', '2024-01-03', '100 106 94 104')], signal, NO_COSTS);
    expect(r.exits.map((f) => `${f.reason} ${f.price.toFixed()}`)).toEqual(['stop_loss 95']);
  });

  it('after a limit entry inside the bar, only the stop can trigger on that bar; the target waits for the next', () => {
    const bars = [bar('X', '2024-01-03', '102 106 98 104'), bar('X', '2024-01-04', '104 105.50 103 105')];
    const entry = { kind: 'limit', side: 'buy', quantity: dec(10), limitPrice: dec(100) } as const;
    const r = runBracket({ entry, stopLoss: dec(95), takeProfit: dec(105) }, bars, signal, NO_COSTS);
    expect(r.entry?.price.toFixed()).toBe('100');
    expect(r.exits.map((f) => `${f.reason} ${f.price.toFixed()} ${f.barTimestamp.toISOString()}`)).toEqual(['take_profit 105 2024-01-04T00:00:00.000Z']);

    const down = runBracket({ entry, stopLoss: dec(99), takeProfit: dec(105) }, [bar('X', '2024-01-03', '102 106 98 104')], signal, NO_COSTS);
    expect(down.exits.map((f) => `${f.reason} ${f.price.toFixed()}`)).toEqual(['stop_loss 99']);
  });

  it('finer bars of the entry bar decide the entry and what follows it', () => {
    const coarse = bar('X', '2024-01-03T14:00:00Z', '102 106 98 104');
    const finer = [bar('X', '2024-01-03T14:00:00Z', '102 102 99.50 100'), bar('X', '2024-01-03T14:30:00Z', '100 106 100 104')];
    const entry = { kind: 'limit', side: 'buy', quantity: dec(10), limitPrice: dec(100) } as const;
    const r = runBracket({ entry, stopLoss: dec(95), takeProfit: dec(105) }, [coarse], signal, NO_COSTS, (b) => (b === coarse ? finer : undefined));
    expect(plain(r.entry)).toEqual({ side: 'buy', price: '100', quantity: '10', commission: '0', bar: '2024-01-03T14:00:00.000Z', reason: 'entry' });
    expect(r.exits.map((f) => `${f.reason} ${f.price.toFixed()} ${f.barTimestamp.toISOString()}`)).toEqual(['take_profit 105 2024-01-03T14:30:00.000Z']);
  });

  it('a position still open at the last bar has no exit', () => {
    const r = runBracket({ entry: market, stopLoss: dec(95), takeProfit: dec(105) }, [bar('X', '2024-01-03', '100 101 99 100')], signal, NO_COSTS);
    expect(r.entry).not.toBeNull();
    expect(r.exits).toEqual([]);
  });

  it('refuses a bracket whose stop is not below its target (long) or above it (short)', () => {
    const bars = [bar('X', '2024-01-03', '100 101 99 100')];
    expect(() => runBracket({ entry: market, stopLoss: dec(105), takeProfit: dec(95) }, bars, signal, NO_COSTS)).toThrow(/long bracket/);
    expect(() => runBracket({ entry: { ...market, side: 'sell' }, stopLoss: dec(95), takeProfit: dec(105) }, bars, signal, NO_COSTS)).toThrow(/short bracket/);
  });
});

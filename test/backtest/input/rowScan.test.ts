import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldStarts, fixedPoint, leadingStarts, sameText } from '../../../src/backtest/input/rowScan.js';

describe('fieldStarts', () => {
  it('finds where each field starts, and where a next one would', () => {
    const starts = new Int32Array(8);
    expect(fieldStarts('AAPL,2024-01-02,1,2,,3,4', 7, starts)).toBe(true);
    expect([...starts]).toEqual([0, 5, 16, 18, 20, 21, 23, 25]);
  });

  it('leaves a quoted line or a line of another width to the general path', () => {
    const starts = new Int32Array(8);
    expect(fieldStarts('"AAPL",2024-01-02,1,2,1,1,4', 7, starts)).toBe(false);
    expect(fieldStarts('AAPL,2024-01-02,1', 7, starts)).toBe(false);
    expect(fieldStarts('AAPL,2024-01-02,1,2,1,1,4,9', 7, starts)).toBe(false);
  });

  it('leadingStarts finds the first fields only, the last field ending with the line', () => {
    const starts = new Int32Array(8);
    leadingStarts('AAPL,2024-01-02,1,2,1,1,4', 2, 7, starts);
    expect([...starts.slice(0, 3)]).toEqual([0, 5, 16]);
    leadingStarts('a,b', 2, 2, starts);
    expect([...starts.slice(0, 3)]).toEqual([0, 2, 4]);
  });
});

describe('fixedPoint', () => {
  const at = (text: string) => fixedPoint(`x,${text},y`, 2, 2 + text.length);

  it('reads plain decimals exactly as Number does', () => {
    expect(at('184.50')).toBe(184.5);
    expect(at('0.000001')).toBe(0.000001);
    expect(at('-12.25')).toBe(-12.25);
    expect(at('007')).toBe(7);
    expect(at('999999999999999')).toBe(999999999999999);
  });

  it('is NaN for what the general path must judge', () => {
    for (const bad of ['', '-', '1e1', '1.', '.5', '1.2.3', '12a', ' 1', '1234567890123456', '0.1234567890123456']) expect(at(bad)).toBeNaN();
  });

  it('equals Number() for any decimal of at most 15 significant digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999_999n }), fc.integer({ min: 0, max: 15 }), fc.boolean(), (digits, scale, negative) => {
        const padded = digits.toString().padStart(scale + 1, '0');
        const text = `${negative ? '-' : ''}${scale === 0 ? padded : `${padded.slice(0, -scale)}.${padded.slice(-scale)}`}`;
        expect(at(text)).toBe(Number(text));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('sameText', () => {
  it('compares a slice in place', () => {
    expect(sameText('AAPL,2024-01-02,1', 5, 15, '2024-01-02')).toBe(true);
    expect(sameText('AAPL,2024-01-02,1', 5, 15, '2024-01-0')).toBe(false);
    expect(sameText('AAPL,2024-01-03,1', 5, 15, '2024-01-02')).toBe(false);
  });
});

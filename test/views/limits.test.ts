/** Discord's embed limits hold for every view: long lists end with "+N more". */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.js';
import { EMBED_LIMITS, linesWithin, withinLimits } from '../../src/views/limits.js';
import { positionsView } from '../../src/views/trading.js';
import { positionRecord } from '../helpers/fixtures.js';

describe('embed limits', () => {
  it('keeps 24 positions and one "+6 more" field of 30', () => {
    const positions = Array.from({ length: 30 }, (_, i) => positionRecord({ positionId: `p${i}`, ticker: `T${i}`, unrealizedPnl: dec(i) }));
    const view = withinLimits(positionsView(positions));
    expect(view.fields).toHaveLength(25);
    expect(view.fields.at(-1)?.name).toBe('+6 more');
    expect(view.fields[23]?.name).toBe('T23 long 100');
  });

  it('cuts long values and long line lists within their limits', () => {
    const view = withinLimits({ title: 'x'.repeat(300), fields: [{ name: 'n', value: 'v'.repeat(2000) }], tone: 'info' });
    expect([view.title.length, view.fields[0]?.value.length]).toEqual([EMBED_LIMITS.title, EMBED_LIMITS.fieldValue]);
    const text = linesWithin(
      Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(20)}`),
      200,
    );
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text.split('\n').at(-1)).toBe('+94 more');
  });

  it('stays under 6,000 characters in all', () => {
    const fields = Array.from({ length: 25 }, (_, i) => ({ name: `f${i}`, value: 'y'.repeat(1000) }));
    const view = withinLimits({ title: 't', fields, tone: 'info' });
    const size = view.title.length + view.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(size).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(view.fields.at(-1)?.name).toMatch(/^\+\d+ more$/);
  });
});

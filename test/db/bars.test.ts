/** The bars cache: exact decimals, replaced bars, and the ranges already fetched. */
import { describe, expect, it } from 'vitest';
import type { HistoricalBar } from '../../src/domain/bars.js';
import { dec } from '../../src/domain/money.js';
import { useTempStore } from '../helpers/tempDb.js';

const at = (iso: string) => new Date(iso);
const range = (start: string, end: string) => ({ start: at(start), end: at(end) });
const show = (ranges: { start: Date; end: Date }[]) => ranges.map((r) => `${r.start.toISOString()}..${r.end.toISOString()}`);

function bar(symbol: string, iso: string, close: string, volume = '1000'): HistoricalBar {
  return { symbol, timestamp: at(iso), open: dec('10.01'), high: dec('12.5'), low: dec('0.0001'), close: dec(close), volume: dec(volume) };
}

const row = (b: HistoricalBar) => [b.symbol, b.timestamp.toISOString(), b.open, b.high, b.low, b.close, b.volume].map(String).join(',');

describe('BarsRepository', () => {
  const newStore = useTempStore();

  it('keeps every figure exact and lists one symbol and timeframe in time order', async () => {
    const store = await newStore();
    await store.bars.save(
      [
        bar('AAPL', '2026-01-06T05:00:00.000Z', '123456789.123456789', '98765432109876543210'),
        bar('AAPL', '2026-01-05T05:00:00.000Z', '0.1'),
        bar('MSFT', '2026-01-05T05:00:00.000Z', '410.55'),
      ],
      '1Day',
      ['AAPL', 'MSFT'],
      range('2026-01-05T05:00:00.000Z', '2026-01-10T04:59:59.999Z'),
    );
    await store.bars.save([bar('AAPL', '2026-01-05T15:00:00.000Z', '7')], '1Hour', [], range('2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z'));

    expect((await store.bars.list('AAPL', '1Day', range('2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'))).map(row)).toEqual([
      'AAPL,2026-01-05T05:00:00.000Z,10.01,12.5,0.0001,0.1,1000',
      'AAPL,2026-01-06T05:00:00.000Z,10.01,12.5,0.0001,123456789.123456789,98765432109876543210',
    ]);
    // Both ends are included.
    expect(await store.bars.list('AAPL', '1Day', range('2026-01-05T05:00:00.000Z', '2026-01-05T05:00:00.000Z'))).toHaveLength(1);
    expect((await store.bars.list('AAPL', '1Hour', range('2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'))).map((b) => b.close.toString())).toEqual([
      '7',
    ]);
    expect(await store.bars.list('NVDA', '1Day', range('2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'))).toEqual([]);
  });

  it('replaces a bar fetched again (a day that was still trading)', async () => {
    const store = await newStore();
    await store.bars.save([bar('AAPL', '2026-01-05T05:00:00.000Z', '100.5')], '1Day', [], range('2026-01-05T00:00:00.000Z', '2026-01-05T23:00:00.000Z'));
    await store.bars.save(
      [bar('AAPL', '2026-01-05T05:00:00.000Z', '101.25', '5000')],
      '1Day',
      [],
      range('2026-01-05T00:00:00.000Z', '2026-01-05T23:00:00.000Z'),
    );
    const [only, ...rest] = await store.bars.list('AAPL', '1Day', range('2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'));
    expect([only?.close.toString(), only?.volume.toString(), rest.length]).toEqual(['101.25', '5000', 0]);
  });

  it('knows the ranges fetched, bars or none, and merges touching ones', async () => {
    const store = await newStore();
    const all = range('2026-01-01T00:00:00.000Z', '2026-01-31T23:59:59.999Z');
    expect(show(await store.bars.missing('AAPL', '1Day', all))).toEqual(['2026-01-01T00:00:00.000Z..2026-01-31T23:59:59.999Z']);

    // Fetched with no bars at all (a holiday week): still known.
    await store.bars.save([], '1Day', ['AAPL'], range('2026-01-05T00:00:00.000Z', '2026-01-09T23:59:59.999Z'));
    await store.bars.save([], '1Day', ['AAPL'], range('2026-01-20T00:00:00.000Z', '2026-01-24T23:59:59.999Z'));
    expect(show(await store.bars.missing('AAPL', '1Day', all))).toEqual([
      '2026-01-01T00:00:00.000Z..2026-01-04T23:59:59.999Z',
      '2026-01-10T00:00:00.000Z..2026-01-19T23:59:59.999Z',
      '2026-01-25T00:00:00.000Z..2026-01-31T23:59:59.999Z',
    ]);
    // Another symbol and another timeframe have their own coverage.
    expect(await store.bars.missing('MSFT', '1Day', all)).toHaveLength(1);
    expect(await store.bars.missing('AAPL', '1Hour', all)).toHaveLength(1);

    // Filling the middle gap exactly joins three ranges into one row.
    await store.bars.save([], '1Day', ['AAPL'], range('2026-01-10T00:00:00.000Z', '2026-01-19T23:59:59.999Z'));
    expect(show(await store.bars.missing('AAPL', '1Day', all))).toEqual([
      '2026-01-01T00:00:00.000Z..2026-01-04T23:59:59.999Z',
      '2026-01-25T00:00:00.000Z..2026-01-31T23:59:59.999Z',
    ]);
    expect(await store.bars.missing('AAPL', '1Day', range('2026-01-06T00:00:00.000Z', '2026-01-22T00:00:00.000Z'))).toEqual([]);

    // Saved without symbols (a batch mid-stream): bars stored, nothing marked fetched.
    await store.bars.save([bar('AAPL', '2026-01-26T05:00:00.000Z', '1')], '1Day', [], range('2026-01-25T00:00:00.000Z', '2026-01-31T23:59:59.999Z'));
    expect(await store.bars.missing('AAPL', '1Day', all)).toHaveLength(2);
  });
});

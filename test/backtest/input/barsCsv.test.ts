import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/backtest/bar.js';
import { BarInputError } from '../../../src/backtest/input/errors.js';
import { parseBarTime, readBars, validateBars } from '../../../src/backtest/input/barsCsv.js';
import { useTempFiles } from '../../helpers/tempDb.js';

const { dir, write } = useTempFiles();

async function all(iterable: AsyncIterable<Bar>): Promise<Bar[]> {
  const bars: Bar[] = [];
  for await (const bar of iterable) bars.push(bar);
  return bars;
}

/** A bar as plain text, so expectations compare exact decimal strings. */
function plain(bar: Bar): string {
  return [bar.symbol, bar.timestamp.toISOString(), bar.open.toFixed(), bar.high.toFixed(), bar.low.toFixed(), bar.close.toFixed(), bar.volume.toFixed()].join(
    ' ',
  );
}

async function refusal(promise: Promise<unknown>): Promise<BarInputError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BarInputError);
  return err as BarInputError;
}

const HEADER = 'symbol,timestamp,open,high,low,close,volume\n';

describe('bars CSV: reading', () => {
  it('reads our columns with exact decimals and both timestamp forms', async () => {
    const file = write(
      'a.csv',
      HEADER + 'AAPL,2024-01-02,187.15,188.44,183.885,185.64,82488674\n' + 'AAPL,2024-01-03T14:30:00-05:00,184.22,185.88,183.43,184.25,58414460.5\n',
    );
    const bars = await all(readBars(file));
    expect(bars.map(plain)).toEqual([
      'AAPL 2024-01-02T00:00:00.000Z 187.15 188.44 183.885 185.64 82488674',
      'AAPL 2024-01-03T19:30:00.000Z 184.22 185.88 183.43 184.25 58414460.5',
    ]);
    // Exactly the text's value, not the nearest binary float.
    expect(bars[0]?.low.toFixed(20)).toBe('183.88500000000000000000');
  });

  it("reads Alpaca's t,o,h,l,c,v columns in any order, ignoring extra columns", async () => {
    const file = write('alpaca.csv', 'v,t,symbol,n,c,o,h,l,vw\n' + '1200,2024-01-02T05:00:00Z,msft,10,370.87,373.86,375.9,366.77,370.1\n');
    const validated = await validateBars(file);
    expect(validated.bars).toBe(1);
    expect([...validated.symbols.keys()]).toEqual(['MSFT']);
    expect((await all(readBars(validated))).map(plain)).toEqual(['MSFT 2024-01-02T05:00:00.000Z 373.86 375.9 366.77 370.87 1200']);
  });

  it('reads a file without a symbol column under the symbol given, with date and adjclose', async () => {
    const file = write(
      'spx.csv',
      'date,open,high,low,close,adjclose,volume\n2000-01-03,1469.250000,1478.000000,1438.359985,1455.219971,1455.219971,931800000\n',
    );
    const bars = await all(readBars(file, { symbol: 'SPX' }));
    expect(bars.map(plain)).toEqual(['SPX 2000-01-03T00:00:00.000Z 1469.25 1478 1438.359985 1455.219971 931800000']);
  });

  it('reads every .csv file of a folder, in time order across files', async () => {
    const sub = join(dir(), 'bars');
    mkdirSync(sub);
    writeFileSync(join(sub, 'b.csv'), HEADER + 'MSFT,2024-01-02,10,11,9,10.5,100\nMSFT,2024-01-04,10,11,9,10.5,100\n');
    writeFileSync(join(sub, 'a.csv'), HEADER + 'AAPL,2024-01-03,20,21,19,20.5,200\n');
    writeFileSync(join(sub, 'notes.txt'), 'not bars');
    const validated = await validateBars(sub);
    expect(validated.files).toEqual([join(sub, 'a.csv'), join(sub, 'b.csv')]);
    expect((await all(readBars(validated))).map((b) => `${b.symbol} ${b.timestamp.toISOString().slice(0, 10)}`)).toEqual([
      'MSFT 2024-01-02',
      'AAPL 2024-01-03',
      'MSFT 2024-01-04',
    ]);
  });

  it('accepts a symbol split across files when their times do not overlap', async () => {
    const y1 = write('2023.csv', HEADER + 'AAPL,2023-12-29,10,11,9,10,1\n');
    const y2 = write('2024.csv', HEADER + 'AAPL,2024-01-02,10,11,9,10,1\n');
    const validated = await validateBars([y2, y1]);
    expect(validated.symbols.get('AAPL')).toEqual({
      symbol: 'AAPL',
      first: new Date('2023-12-29T00:00:00Z'),
      last: new Date('2024-01-02T00:00:00Z'),
      count: 2,
    });
    expect((await all(readBars(validated))).map((b) => b.timestamp.toISOString())).toEqual(['2023-12-29T00:00:00.000Z', '2024-01-02T00:00:00.000Z']);
  });
  it('reads Windows line ends and a byte-order mark, also by byte range', async () => {
    const text = '\uFEFF' + HEADER + 'MSFT,2024-01-02,10,11,9,10,1\nMSFT,2024-01-03,10,11,9,10.25,1\nAAPL,2024-01-02,20,21,19,20,2\n';
    const file = write('crlf.csv', text.replaceAll('\n', '\r\n'));
    expect((await all(readBars(file))).map(plain)).toEqual([
      'AAPL 2024-01-02T00:00:00.000Z 20 21 19 20 2',
      'MSFT 2024-01-02T00:00:00.000Z 10 11 9 10 1',
      'MSFT 2024-01-03T00:00:00.000Z 10 11 9 10.25 1',
    ]);
  });
});

describe('bars CSV: merge order', () => {
  const expected = [
    'AAPL 2024-01-02',
    'MSFT 2024-01-02',
    'NVDA 2024-01-02',
    'MSFT 2024-01-03',
    'AAPL 2024-01-04',
    'NVDA 2024-01-04',
    'AAPL 2024-01-05',
    'MSFT 2024-01-05',
    'NVDA 2024-01-05',
  ];
  const rows: Record<string, string[]> = {
    AAPL: ['2024-01-02', '2024-01-04', '2024-01-05'],
    MSFT: ['2024-01-02', '2024-01-03', '2024-01-05'],
    NVDA: ['2024-01-02', '2024-01-04', '2024-01-05'],
  };
  const row = (symbol: string, day: string) => `${symbol},${day},10,11,9,10,1\n`;
  const key = (b: Bar) => `${b.symbol} ${b.timestamp.toISOString().slice(0, 10)}`;

  it('merges three files by time, ties by symbol, whatever the file order', async () => {
    const files = ['NVDA', 'AAPL', 'MSFT'].map((s) => write(`${s}.csv`, HEADER + (rows[s] ?? []).map((d) => row(s, d)).join('')));
    expect((await all(readBars(files))).map(key)).toEqual(expected);
  });

  it('merges one file grouped by symbol (blocks read by byte range)', async () => {
    const file = write('grouped.csv', HEADER + ['NVDA', 'MSFT', 'AAPL'].flatMap((s) => (rows[s] ?? []).map((d) => row(s, d))).join(''));
    expect((await all(readBars(file))).map(key)).toEqual(expected);
  });

  it('merges one file whose symbols are interleaved out of (time, symbol) order', async () => {
    const lines = [row('MSFT', '2024-01-02'), row('AAPL', '2024-01-02'), row('MSFT', '2024-01-03'), row('NVDA', '2024-01-02'), row('AAPL', '2024-01-04')];
    lines.push(row('NVDA', '2024-01-04'), row('MSFT', '2024-01-05'), row('NVDA', '2024-01-05'), row('AAPL', '2024-01-05'));
    const file = write('mixed.csv', HEADER + lines.join(''));
    expect((await all(readBars(file))).map(key)).toEqual(expected);
  });

  it('streams a file already in (time, symbol) order as it is', async () => {
    const file = write('ordered.csv', HEADER + expected.map((k) => row(k.slice(0, 4), k.slice(5))).join(''));
    expect((await all(readBars(file))).map(key)).toEqual(expected);
  });
});

describe('bars CSV: refusals name the file, the line and the reason', () => {
  const cases: [string, string, string][] = [
    ['a missing column', 'symbol,timestamp,open,high,low,volume\nAAPL,2024-01-02,10,11,9,1\n', ':1: missing column "close" (or "c")'],
    [
      'no symbol column and no symbol given',
      'date,open,high,low,close,volume\n2024-01-02,10,11,9,10,1\n',
      ':1: missing column "symbol" (or give the symbol of a one-symbol file)',
    ],
    ['a non-numeric price', HEADER + 'AAPL,2024-01-02,10,11,9,10,1\nAAPL,2024-01-03,ten,11,9,10,1\n', ':3: open: expected a number such as 184.50, got "ten"'],
    ['an exponent', HEADER + 'AAPL,2024-01-02,1e1,11,9,10,1\n', ':2: open: expected a number such as 184.50, got "1e1"'],
    ['a negative price', HEADER + 'AAPL,2024-01-02,10,11,-9,10,1\n', ':2: low: must be above 0, got -9'],
    ['a negative volume', HEADER + 'AAPL,2024-01-02,10,11,9,10,-1\n', ':2: volume: must be at least 0, got -1'],
    ['high below low', HEADER + 'AAPL,2024-01-02,10,9,11,10,1\n', ':2: high 9 is below low 11'],
    ['high below the close', HEADER + 'AAPL,2024-01-02,10,10.5,9,10.75,1\n', ':2: high 10.5 is below max(open, close) 10.75'],
    ['low above the open', HEADER + 'AAPL,2024-01-02,9.5,11,9.75,10,1\n', ':2: low 9.75 is above min(open, close) 9.5'],
    [
      'a bad timestamp',
      HEADER + 'AAPL,2024-02-30,10,11,9,10,1\n',
      ':2: timestamp: expected ISO-8601 with a zone (2024-01-02T14:30:00Z) or YYYY-MM-DD, got "2024-02-30"',
    ],
    [
      'a time without a zone',
      HEADER + 'AAPL,2024-01-02T14:30:00,10,11,9,10,1\n',
      ':2: timestamp: expected ISO-8601 with a zone (2024-01-02T14:30:00Z) or YYYY-MM-DD, got "2024-01-02T14:30:00"',
    ],
    [
      'an unsorted bar',
      HEADER + 'AAPL,2024-01-03,10,11,9,10,1\nMSFT,2024-01-01,10,11,9,10,1\nAAPL,2024-01-02,10,11,9,10,1\n',
      ':4: AAPL bar at 2024-01-02T00:00:00.000Z comes after line 2 at 2024-01-03T00:00:00.000Z: bars must be in time order',
    ],
    [
      'a duplicated bar',
      HEADER + 'AAPL,2024-01-02,10,11,9,10,1\nAAPL,2024-01-02T00:00:00Z,10,11,9,10,1\n',
      ':3: duplicate AAPL bar at 2024-01-02T00:00:00.000Z (also line 2)',
    ],
    ['a short row', HEADER + 'AAPL,2024-01-02,10,11,9,10,1\nAAPL,2024-01-03,10\n', ':3: 3 fields where the header has 7'],
    ['a bad symbol', HEADER + '1AB,2024-01-02,10,11,9,10,1\n', ':2: symbol: a ticker is 1–10 letters, digits or dots, starting with a letter, got "1AB"'],
    ['an empty file', '', ':1: empty file: expected a header line'],
  ];
  for (const [name, text, suffix] of cases) {
    it(`refuses ${name}`, async () => {
      const file = write('bad.csv', text);
      const err = await refusal(validateBars(file));
      expect(err.message).toBe(`${file}${suffix}`);
      expect(err.file).toBe(file);
      expect(`${err.file}:${err.line}: ${err.reason}`).toBe(err.message);
    });
  }

  it('refuses before the first bar when reading unvalidated paths', async () => {
    const file = write('late.csv', HEADER + 'AAPL,2024-01-02,10,11,9,10,1\n'.repeat(1) + 'AAPL,2024-01-03,10,11,9,x,1\n');
    const iterator = readBars(file);
    const err = await refusal(iterator.next());
    expect(err.message).toBe(`${file}:3: close: expected a number such as 184.50, got "x"`);
  });

  it('refuses the same symbol and times in two files', async () => {
    const a = write('a.csv', HEADER + 'AAPL,2024-01-02,10,11,9,10,1\nAAPL,2024-01-04,10,11,9,10,1\n');
    const b = write('b.csv', HEADER + 'MSFT,2024-01-02,10,11,9,10,1\nAAPL,2024-01-03,10,11,9,10,1\n');
    const err = await refusal(validateBars([a, b]));
    expect(err.message).toBe(`${b}:3: AAPL bars from 2024-01-03T00:00:00.000Z overlap those of ${a} (lines 2–3, up to 2024-01-04T00:00:00.000Z)`);
  });

  it('refuses a missing path and a folder without CSV files', async () => {
    const missing = join(dir(), 'nope.csv');
    expect((await refusal(validateBars(missing))).message).toBe(`${missing}: no such file or folder`);
    const empty = join(dir(), 'empty');
    mkdirSync(empty);
    expect((await refusal(validateBars(empty))).message).toBe(`${empty}: no .csv file in this folder`);
  });

  it('refuses a bad symbol option', async () => {
    const file = write('x.csv', 'date,open,high,low,close,volume\n');
    expect((await refusal(validateBars(file, { symbol: 'not a ticker' }))).message).toBe(
      `${file}: symbol "not a ticker": a ticker is 1–10 letters, digits or dots, starting with a letter`,
    );
  });
});

describe('bars CSV: quoting and line ends', () => {
  it('reads quoted fields and CRLF line ends like plain ones', async () => {
    const file = write(
      'q.csv',
      'symbol,timestamp,open,high,low,close,volume\r\n"AAPL",2024-01-02,"187.15",188.44,183.885,185.64,"1200"\r\nAAPL,2024-01-03,184.22,185.88,183.43,184.25,5\r\n',
    );
    const validated = await validateBars(file);
    expect(validated.bars).toBe(2);
    expect((await all(readBars(validated))).map(plain)).toEqual([
      'AAPL 2024-01-02T00:00:00.000Z 187.15 188.44 183.885 185.64 1200',
      'AAPL 2024-01-03T00:00:00.000Z 184.22 185.88 183.43 184.25 5',
    ]);
  });

  it('refuses a quote left open, naming its line', async () => {
    const file = write('open.csv', HEADER + 'AAPL,2024-01-02,10,11,9,10,1\n"AAPL,2024-01-03,10,11,9,10,1\n');
    const err = await refusal(validateBars(file));
    expect(err.line).toBe(3);
    expect(err.reason).toMatch(/quote/i);
  });
});

describe('bar times', () => {
  it('reads dates as 00:00 UTC and times with their zone', () => {
    expect(parseBarTime('2024-01-02')?.toISOString()).toBe('2024-01-02T00:00:00.000Z');
    expect(parseBarTime('2024-01-02T09:30:00.123456-0500')?.toISOString()).toBe('2024-01-02T14:30:00.123Z');
    expect(parseBarTime('2024-01-02 09:30Z')?.toISOString()).toBe('2024-01-02T09:30:00.000Z');
    expect(parseBarTime('2024-01-02T24:00:00Z')).toBeNull();
    expect(parseBarTime('02/01/2024')).toBeNull();
  });
});

describe('the S&P 500 daily history shipped in vega-datasets', () => {
  const path = new URL('../../../node_modules/vega-datasets/data/sp500-2000.csv', import.meta.url).pathname;

  /** The file's own figures for a line, as the bar should hold them (trailing zeros are not part of a value). */
  function expectedBar(line: string): string {
    const [date = '', open = '', high = '', low = '', close = '', , volume = ''] = line.split(',');
    const figure = (t: string) => t.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
    return `SPX ${date}T00:00:00.000Z ${figure(open)} ${figure(high)} ${figure(low)} ${figure(close)} ${volume}`;
  }

  it('reads all 5,105 rows as SPX bars with the exact first and last figures', async () => {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const validated = await validateBars(path, { symbol: 'SPX' });
    expect(validated.bars).toBe(5105);
    const bars = await all(readBars(validated));
    expect(bars).toHaveLength(5105);
    expect(plain(bars[0] as Bar)).toBe(expectedBar(lines[1] ?? ''));
    expect(plain(bars[0] as Bar)).toBe('SPX 2000-01-03T00:00:00.000Z 1469.25 1478 1438.359985 1455.219971 931800000');
    expect(plain(bars[bars.length - 1] as Bar)).toBe(expectedBar(lines[lines.length - 1] ?? ''));
    expect(plain(bars[bars.length - 1] as Bar)).toBe('SPX 2020-04-17T00:00:00.000Z 2842.429932 2879.219971 2830.879883 2874.560059 5792140000');
    expect(validated.symbols.get('SPX')).toEqual({
      symbol: 'SPX',
      first: new Date('2000-01-03T00:00:00Z'),
      last: new Date('2020-04-17T00:00:00Z'),
      count: 5105,
    });
  });
});

describe('streaming', () => {
  it('hands out the first bar while the end of the file is still unread', async () => {
    // About 3 MB: far more than a read stream buffers ahead (64 KiB).
    const rows = 50_000;
    const lines: string[] = [];
    const start = Date.UTC(2000, 0, 1);
    for (let i = 0; i < rows; i++) lines.push(`AAPL,${new Date(start + i * 60_000).toISOString()},100.00,101.00,99.00,100.50,1000`);
    const file = write('big.csv', HEADER + lines.join('\n') + '\n');
    const validated = await validateBars(file);
    const iterator = readBars(validated);
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // Rewrite the last row's close in place (same length, still a valid bar): only a read that had
    // not reached the end yet can see the new figure.
    const size = Buffer.byteLength(HEADER) + lines.join('\n').length + 1;
    const handle = await open(file, 'r+');
    await handle.write('100.75', size - '100.50,1000\n'.length);
    await handle.close();
    let last: Bar | undefined;
    let count = 1;
    for await (const bar of iterator) {
      last = bar;
      count += 1;
    }
    expect(count).toBe(rows);
    expect(last?.close.toFixed(2)).toBe('100.75');
  });
});

import { describe, expect, it } from 'vitest';
import { readLineBatches, type LineReadOptions } from '../../../src/backtest/input/lines.js';
import { useTempFiles } from '../../helpers/tempDb.js';

const { write } = useTempFiles();

/** Every line as `number:text`, and the offsets of the whole read joined across batches. */
async function read(file: string, options: LineReadOptions = {}): Promise<{ lines: string[]; offsets: number[] }> {
  const lines: string[] = [];
  const offsets: number[] = [];
  for await (const batch of readLineBatches(file, options)) {
    batch.lines.forEach((l, i) => lines.push(`${batch.firstLine + i}:${l}`));
    if (batch.offsets) {
      if (offsets.length > 0) offsets.pop();
      offsets.push(...batch.offsets);
    }
  }
  return { lines, offsets };
}

describe('readLineBatches', () => {
  it('numbers lines, keeps blank ones, drops CR before LF and reads a last line without a break', async () => {
    const file = write('a.csv', 'h\r\nx\r\n\r\ny');
    expect((await read(file)).lines).toEqual(['1:h', '2:x', '3:', '4:y']);
  });

  it('skips a UTF-8 byte order mark and counts its bytes in the offsets', async () => {
    const file = write('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ab\ncd\n')]));
    const { lines, offsets } = await read(file, { offsets: true });
    expect(lines).toEqual(['1:ab', '2:cd']);
    expect(offsets).toEqual([3, 6, 9]);
  });

  it('gives byte offsets (not characters) for lines with multi-byte characters, and a range read gives the lines back', async () => {
    const text = 'sym,é\nAAPL,ü€\nMSFT,x\n';
    const file = write('utf8.csv', text);
    const { lines, offsets } = await read(file, { offsets: true });
    expect(lines).toEqual(['1:sym,é', '2:AAPL,ü€', '3:MSFT,x']);
    expect(offsets).toEqual([0, 7, 18, 25]);
    expect(Buffer.byteLength(text)).toBe(25);
    const range = await read(file, { start: offsets[1], end: offsets[2], firstLine: 2 });
    expect(range.lines).toEqual(['2:AAPL,ü€']);
  });

  it('reads a line longer than its block whole, and many blocks in order', async () => {
    const long = 'x'.repeat(700_000);
    const rows = Array.from({ length: 40_000 }, (_, i) => `row${i}`);
    const file = write('big.csv', `${long}\n${rows.join('\n')}\n`);
    const { lines } = await read(file);
    expect(lines).toHaveLength(40_001);
    expect(lines[0]).toBe(`1:${long}`);
    expect(lines[40_000]).toBe('40001:row39999');
    expect(lines.slice(1).every((l, i) => l === `${i + 2}:row${i}`)).toBe(true);
  });

  it('reads nothing from an empty file', async () => {
    expect((await read(write('empty.csv', ''))).lines).toEqual([]);
  });
});

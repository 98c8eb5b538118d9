/**
 * A text file's lines, read in large blocks: the backtester's bars files run
 * to millions of rows, and a general CSV parser's per-row bookkeeping costs
 * more than everything else the replay does with a bar. Lines are handed out
 * in batches (one per block read), with their numbers and, when asked, the
 * byte offset where each starts, so a caller can later read a range back.
 */
import { open } from 'node:fs/promises';

export interface LineBatch {
  /** The lines, without their line break (a `\r` before it is dropped too). */
  lines: string[];
  /** The 1-based number of `lines[0]` in the file (or in the range read, counted from `firstLine`). */
  firstLine: number;
  /** When asked for: the byte offset of each line's start, then the offset just past the last one's break. */
  offsets: number[] | null;
}

export interface LineReadOptions {
  /** The byte range to read, `end` exclusive; the whole file by default. */
  start?: number;
  end?: number;
  /** The number given to the range's first line. */
  firstLine?: number;
  offsets?: boolean;
}

const BLOCK = 1 << 18;
const NEWLINE = 0x0a;

/** Each line of the file (or range), block by block; a UTF-8 byte order mark at the file's start is skipped. */
export async function* readLineBatches(file: string, options: LineReadOptions = {}): AsyncGenerator<LineBatch, void, undefined> {
  const handle = await open(file, 'r');
  try {
    let position = options.start ?? 0;
    const end = options.end ?? Number.POSITIVE_INFINITY;
    let buffer = Buffer.allocUnsafe(BLOCK);
    // Bytes of a line whose break is not read yet, kept at the buffer's start.
    let carried = 0;
    // The file offset of buffer[0].
    let base = position;
    let line = options.firstLine ?? 1;
    let atFileStart = position === 0;
    for (;;) {
      if (carried === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, carried);
        buffer = bigger;
      }
      const wanted = Math.min(buffer.length - carried, end - position);
      const { bytesRead } = wanted > 0 ? await handle.read(buffer, carried, wanted, position) : { bytesRead: 0 };
      position += bytesRead;
      let filled = carried + bytesRead;
      const done = bytesRead === 0;
      if (atFileStart) {
        if (filled < 3 && !done) {
          carried = filled;
          continue;
        }
        atFileStart = false;
        if (filled >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) {
          buffer.copy(buffer, 0, 3, filled);
          filled -= 3;
          base += 3;
        }
      }
      if (done && filled === 0) return;
      // The block's text ends at its last line break; at the end of the input, the rest is the last line.
      let stop: number;
      let next: number;
      if (done) {
        stop = buffer[filled - 1] === NEWLINE ? filled - 1 : filled;
        next = filled;
      } else {
        stop = buffer.lastIndexOf(NEWLINE, filled - 1);
        next = stop + 1;
        if (stop < 0) {
          carried = filled;
          continue;
        }
      }
      const text = buffer.toString('utf8', 0, stop);
      const lines = text.split('\n');
      let offsets: number[] | null = null;
      if (options.offsets === true) {
        offsets = new Array<number>(lines.length + 1);
        let at = base;
        // Pure ASCII: characters are bytes. Otherwise each line is measured.
        const ascii = text.length === stop;
        for (let i = 0; i < lines.length; i++) {
          offsets[i] = at;
          at += (ascii ? (lines[i] as string).length : Buffer.byteLength(lines[i] as string)) + 1;
        }
        offsets[lines.length] = Math.min(at, base + filled);
      }
      if (text.includes('\r')) {
        for (let i = 0; i < lines.length; i++) {
          const l = lines[i] as string;
          if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
        }
      }
      yield { lines, firstLine: line, offsets };
      line += lines.length;
      if (done) return;
      carried = filled - next;
      buffer.copy(buffer, 0, next, filled);
      base += next;
    }
  } finally {
    await handle.close();
  }
}

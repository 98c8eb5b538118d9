/**
 * A k-way merge of time-ordered bar streams into one time-ordered stream.
 * Streams deliver bars in small batches (what one read of a file parsed), so
 * the cost of an await is paid per batch, not per bar; only the current
 * batch of each stream is held, so memory grows with the number of streams,
 * never with the number of bars.
 */
import type { Bar } from '../bar.js';

interface Head {
  bar: Bar;
  time: number;
  /** The stream's position in the input list: breaks a (time, symbol) tie deterministically. */
  source: number;
  batch: readonly Bar[];
  index: number;
  iterator: AsyncIterator<readonly Bar[]>;
}

/** Earlier time first; at the same time, symbols in code-point order; then the earlier stream. */
function before(a: Head, b: Head): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.bar.symbol !== b.bar.symbol) return a.bar.symbol < b.bar.symbol;
  return a.source < b.source;
}

/** A binary min-heap of stream heads. */
class HeadHeap {
  private readonly items: Head[] = [];

  get size(): number {
    return this.items.length;
  }

  push(head: Head): void {
    const items = this.items;
    items.push(head);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as Head;
      if (!before(head, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = head;
  }

  pop(): Head | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(items[right] as Head, items[left] as Head)) child = right;
      const c = items[child] as Head;
      if (!before(c, last)) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }

  drain(): Head[] {
    return this.items.splice(0);
  }
}

/** The stream's next non-empty batch as a head, or null at its end. */
async function nextHead(iterator: AsyncIterator<readonly Bar[]>, source: number): Promise<Head | null> {
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return null;
    const bar = next.value[0];
    if (bar !== undefined) return { bar, time: bar.timestamp.getTime(), source, batch: next.value, index: 0, iterator };
  }
}

/**
 * Merges streams that are each ordered by time (and by symbol at equal times)
 * into one stream with the same order. A stream that breaks its own order
 * is not detected here; the validation pass refuses such input beforehand.
 */
export async function* mergeBarBatches(streams: readonly AsyncIterable<readonly Bar[]>[]): AsyncGenerator<Bar, void, undefined> {
  const heap = new HeadHeap();
  // The head being handed out is off the heap; it is remembered so an early stop closes its stream too.
  let current: Head | null = null;
  try {
    for (const [source, stream] of streams.entries()) {
      const head = await nextHead(stream[Symbol.asyncIterator](), source);
      if (head !== null) heap.push(head);
    }
    for (;;) {
      const head = heap.pop();
      if (head === undefined) return;
      current = head;
      yield head.bar;
      head.index += 1;
      const bar = head.batch[head.index];
      if (bar !== undefined) {
        head.bar = bar;
        head.time = bar.timestamp.getTime();
        heap.push(head);
      } else {
        const next = await nextHead(head.iterator, head.source);
        if (next !== null) heap.push(next);
      }
      current = null;
    }
  } finally {
    // A consumer that stops early (or an error) must not leave files open.
    const open = heap.drain();
    if (current !== null) open.push(current);
    await Promise.all(open.map((h) => h.iterator.return?.()));
  }
}

/** The same merge over streams of single bars. */
export function mergeBarStreams(streams: readonly AsyncIterable<Bar>[]): AsyncGenerator<Bar, void, undefined> {
  return mergeBarBatches(
    streams.map(async function* (stream) {
      for await (const bar of stream) yield [bar];
    }),
  );
}

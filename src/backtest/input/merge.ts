/**
 * A k-way merge of time-ordered bar streams into one time-ordered stream.
 * Streams deliver bars in small batches (what one read of a file parsed), so
 * the cost of an await is paid per batch, not per bar; only the current
 * batch of each stream (and one output batch) is held, so memory grows with
 * the number of streams, never with the number of bars.
 */
import type { Bar } from '../bar.js';

/** What the merge orders by: a time (epoch milliseconds), then a symbol. */
export interface Keyed {
  symbol: string;
  time: number;
}

interface Head<T extends Keyed> {
  item: T;
  /** The stream's position in the input list: breaks a (time, symbol) tie deterministically. */
  source: number;
  batch: readonly T[];
  index: number;
  iterator: AsyncIterator<readonly T[]>;
}

/** Earlier time first; at the same time, symbols in code-point order; then the earlier stream. */
function before<T extends Keyed>(a: Head<T>, b: Head<T>): boolean {
  if (a.item.time !== b.item.time) return a.item.time < b.item.time;
  if (a.item.symbol !== b.item.symbol) return a.item.symbol < b.item.symbol;
  return a.source < b.source;
}

/** A binary min-heap of stream heads. */
class HeadHeap<T extends Keyed> {
  private readonly items: Head<T>[] = [];

  push(head: Head<T>): void {
    const items = this.items;
    items.push(head);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as Head<T>;
      if (!before(head, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = head;
  }

  /** The smallest head, left in place (to be changed and `fix`ed, or `pop`ped). */
  peek(): Head<T> | undefined {
    return this.items[0];
  }

  /** Restores the order after the top head moved on to a later item. */
  fix(): void {
    const items = this.items;
    const top = items[0];
    if (top !== undefined) this.sink(top);
  }

  pop(): Head<T> | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    this.sink(last);
    return top;
  }

  private sink(head: Head<T>): void {
    const items = this.items;
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(items[right] as Head<T>, items[left] as Head<T>)) child = right;
      const c = items[child] as Head<T>;
      if (!before(c, head)) break;
      items[i] = c;
      i = child;
    }
    items[i] = head;
  }

  drain(): Head<T>[] {
    return this.items.splice(0);
  }
}

/** The stream's next non-empty batch as a head, or null at its end. */
async function nextHead<T extends Keyed>(iterator: AsyncIterator<readonly T[]>, source: number): Promise<Head<T> | null> {
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return null;
    const item = next.value[0];
    if (item !== undefined) return { item, source, batch: next.value, index: 0, iterator };
  }
}

const OUT_BATCH = 4_096;

/**
 * Merges streams that are each ordered by time (and by symbol at equal times)
 * into one stream with the same order, handed out in batches. A stream that
 * breaks its own order is not detected here; the validation pass refuses
 * such input beforehand. One stream is passed through as it is.
 */
export async function* mergeBatches<T extends Keyed>(streams: readonly AsyncIterable<readonly T[]>[]): AsyncGenerator<readonly T[], void, undefined> {
  if (streams.length === 1 && streams[0] !== undefined) {
    yield* streams[0];
    return;
  }
  const heap = new HeadHeap<T>();
  let waiting: Head<T> | null = null;
  try {
    for (const [source, stream] of streams.entries()) {
      const head = await nextHead(stream[Symbol.asyncIterator](), source);
      if (head !== null) heap.push(head);
    }
    let out: T[] = [];
    for (;;) {
      const head = heap.peek();
      if (head === undefined) break;
      out.push(head.item);
      head.index += 1;
      const item = head.batch[head.index];
      if (item !== undefined) {
        head.item = item;
        heap.fix();
        continue;
      }
      heap.pop();
      // Off the heap while its next batch is awaited: remembered so an early stop closes it too.
      waiting = head;
      const next = await nextHead(head.iterator, head.source);
      waiting = null;
      if (next !== null) heap.push(next);
      if (out.length >= OUT_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    // A consumer that stops early (or an error) must not leave files open.
    const open = heap.drain();
    if (waiting !== null) open.push(waiting);
    await Promise.all(open.map((h) => h.iterator.return?.()));
  }
}

/** The same merge over streams of single bars, handed out one by one. */
export async function* mergeBarStreams(streams: readonly AsyncIterable<Bar>[]): AsyncGenerator<Bar, void, undefined> {
  const keyed = streams.map(async function* (stream) {
    for await (const bar of stream) yield [{ symbol: bar.symbol, time: bar.timestamp.getTime(), bar }];
  });
  for await (const batch of mergeBatches(keyed)) for (const k of batch) yield k.bar;
}

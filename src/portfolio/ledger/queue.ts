/**
 * The ledger's single lane: work runs one piece at a time, in arrival order,
 * so order and position writes never interleave. Updates that arrive while
 * the lane is busy join one batch and run together when their turn comes;
 * `serial` work runs alone and closes the open batch, so nothing queued after
 * it joins work queued before it.
 */
export class BatchingQueue<T> {
  private tail: Promise<unknown> = Promise.resolve();
  /** Items queued together, not yet started: a later item joins them. */
  private open: T[] | null = null;

  constructor(private readonly runBatch: (batch: readonly T[]) => Promise<void>) {}

  /** Queues `item`: with the batch still waiting its turn, else in a new one. */
  push(item: T): void {
    if (this.open) {
      this.open.push(item);
      return;
    }
    const batch = [item];
    void this.enqueue(async () => {
      if (this.open === batch) this.open = null;
      await this.runBatch(batch);
    });
    this.open = batch;
  }

  /** Runs `fn` after everything queued so far, alone. */
  serial<R>(fn: () => Promise<R>): Promise<R> {
    this.open = null;
    return this.enqueue(fn);
  }

  private enqueue<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

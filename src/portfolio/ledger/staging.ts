/**
 * One ledger transaction's writes, as the rest of that transaction must see
 * them: order records as it leaves them, order rows still to write, and the
 * positions it read or changed. Nothing here outlives the transaction; the
 * ledger caches the records once it commits.
 */
import type { ClosedPositionRecord, ExecutedOrderRecord, PositionRecord } from '../../domain/records.js';
import type { Repositories } from '../../domain/ports/store.js';

export class StagedWrites {
  /** Order records by id, as the transaction leaves them. */
  readonly orders = new Map<string, ExecutedOrderRecord>();
  /**
   * Order rows still to write, by id: each once, in its last state, when the
   * updates are done (a burst reports an order new, then filled: one insert,
   * not an insert and an update). `stored`: the row exists already.
   */
  private readonly rows = new Map<string, { record: ExecutedOrderRecord; stored: boolean }>();
  /** Positions by ticker as this transaction read or left them (null: none open). */
  private readonly positions = new Map<string, PositionRecord | null>();

  constructor(readonly tx: Repositories) {}

  /** Stages `record`'s row; `stored` says whether the row existed before this transaction. */
  stageRow(record: ExecutedOrderRecord, stored: boolean): void {
    this.rows.set(record.orderId, { record, stored: this.rows.get(record.orderId)?.stored ?? stored });
  }

  /** Writes the order rows staged so far (before anything reads them with SQL). */
  async writeRows(): Promise<void> {
    for (const { record, stored } of this.rows.values()) {
      if (stored) await this.tx.orders.updateProgress(record.orderId, record);
      else await this.tx.orders.insert(record);
    }
    this.rows.clear();
  }

  /** The ticker's open position: as this transaction left it, else read (and remembered for the rest of it). */
  async positionOf(ticker: string): Promise<PositionRecord | null> {
    if (this.positions.has(ticker)) return this.positions.get(ticker) ?? null;
    const position = await this.tx.positions.getByTicker(ticker);
    this.positions.set(ticker, position);
    return position;
  }

  async savePosition(position: PositionRecord, how: 'insert' | 'update'): Promise<void> {
    if (how === 'insert') await this.tx.positions.insert(position);
    else await this.tx.positions.update(position);
    this.positions.set(position.ticker, position);
  }

  async closePosition(closed: ClosedPositionRecord): Promise<void> {
    await this.tx.positions.close(closed);
    this.positions.set(closed.ticker, null);
  }
}

import type { Kysely } from 'kysely';
import type { OrderSide } from '../../domain/enums.js';
import type { SignalStore } from '../../domain/ports/store.js';
import type { SignalDecision, SignalSource, SignalStatus, StoredSignal } from '../../domain/records.js';
import { money, readTime, readTimeOrNull, writeTime, writeTimeOrNull } from '../codec.js';
import type { Database, SignalRow } from '../schema.js';

function toRow(s: StoredSignal): SignalRow {
  return {
    signal_id: s.signalId,
    ticker: s.ticker,
    action: s.action,
    entry_price: money.write(s.entryPrice),
    stop_loss_price: money.write(s.stopLossPrice),
    take_profit_price: money.write(s.takeProfitPrice),
    confidence: money.write(s.confidence),
    position_size_pct: money.writeOrNull(s.positionSizePct),
    signal_type: s.signalType,
    strategy: s.strategy,
    source: s.source,
    status: s.status,
    signal_time: writeTime(s.signalTime),
    received_at: writeTime(s.receivedAt),
    expires_at: writeTime(s.expiresAt),
    decided_by: s.decidedBy,
    decided_at: writeTimeOrNull(s.decidedAt),
    decision_note: s.decisionNote,
    order_id: s.orderId,
    channel_id: s.channelId,
    message_id: s.messageId,
    payload: s.payload,
  };
}

function fromRow(row: SignalRow): StoredSignal {
  return {
    signalId: row.signal_id,
    ticker: row.ticker,
    action: row.action as OrderSide,
    entryPrice: money.read(row.entry_price),
    stopLossPrice: money.read(row.stop_loss_price),
    takeProfitPrice: money.read(row.take_profit_price),
    confidence: money.read(row.confidence),
    positionSizePct: money.readOrNull(row.position_size_pct),
    signalType: row.signal_type,
    strategy: row.strategy,
    source: row.source as SignalSource,
    status: row.status as SignalStatus,
    signalTime: readTime(row.signal_time),
    receivedAt: readTime(row.received_at),
    expiresAt: readTime(row.expires_at),
    decidedBy: row.decided_by,
    decidedAt: readTimeOrNull(row.decided_at),
    decisionNote: row.decision_note,
    orderId: row.order_id,
    channelId: row.channel_id,
    messageId: row.message_id,
    payload: row.payload,
  };
}

export class SignalsRepository implements SignalStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new signal; false (and nothing changed) when its id is already known. */
  async insertIfNew(signal: StoredSignal): Promise<boolean> {
    const result = await this.db
      .insertInto('signals')
      .values(toRow(signal))
      .onConflict((oc) => oc.column('signal_id').doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async get(signalId: string): Promise<StoredSignal | null> {
    const row = await this.db.selectFrom('signals').selectAll().where('signal_id', '=', signalId).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async listByStatus(status: SignalStatus, limit = 50): Promise<StoredSignal[]> {
    const rows = await this.db.selectFrom('signals').selectAll().where('status', '=', status).orderBy('received_at', 'desc').limit(limit).execute();
    return rows.map(fromRow);
  }

  /**
   * Moves a signal out of `from` (default pending) in one conditional update:
   * of two concurrent deciders exactly one gets true. This is what makes an
   * approval execute once.
   */
  async decide(signalId: string, decision: SignalDecision, from: SignalStatus = 'pending'): Promise<boolean> {
    const result = await this.db
      .updateTable('signals')
      .set({
        status: decision.status,
        decided_by: decision.decidedBy,
        decided_at: writeTime(decision.decidedAt),
        decision_note: decision.note ?? null,
      })
      .where('signal_id', '=', signalId)
      .where('status', '=', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Records the outcome of an approved signal's execution. */
  async recordOutcome(signalId: string, status: 'executed' | 'failed', orderId: string | null, note: string | null): Promise<void> {
    await this.db.updateTable('signals').set({ status, order_id: orderId, decision_note: note }).where('signal_id', '=', signalId).execute();
  }

  async setMessage(signalId: string, channelId: string, messageId: string): Promise<void> {
    await this.db.updateTable('signals').set({ channel_id: channelId, message_id: messageId }).where('signal_id', '=', signalId).execute();
  }

  /** Signals whose own time (not their arrival) is at or after `since`, whatever their status, oldest first. */
  async listSince(since: Date): Promise<StoredSignal[]> {
    const rows = await this.db
      .selectFrom('signals')
      .selectAll()
      .where('signal_time', '>=', writeTime(since))
      .orderBy('signal_time')
      .orderBy('signal_id')
      .execute();
    return rows.map(fromRow);
  }

  /** Pending signals whose time ran out before `now`. */
  async listExpired(now: Date): Promise<StoredSignal[]> {
    const rows = await this.db.selectFrom('signals').selectAll().where('status', '=', 'pending').where('expires_at', '<=', writeTime(now)).execute();
    return rows.map(fromRow);
  }
}

import type { Kysely } from 'kysely';
import type { ExecutionStore } from '../../domain/ports/store.js';
import type { ExecutionOutcome, ExecutionPlan, ExecutionRecord } from '../../domain/records.js';
import { money, readTime, writeTime } from '../codec.js';
import { columnsOf, precompile, slotsFor } from '../precompiled.js';
import type { Database, ExecutionRow } from '../schema.js';

function fromRow(row: ExecutionRow): ExecutionRecord {
  return {
    signalId: row.signal_id,
    clientOrderId: row.client_order_id,
    ticker: row.ticker,
    signalPrice: money.read(row.signal_price),
    stopLossPrice: money.readOrNull(row.stop_loss_price),
    takeProfitPrice: money.readOrNull(row.take_profit_price),
    strategy: row.strategy,
    status: row.status as ExecutionRecord['status'],
    success: row.success === 1,
    orderId: row.order_id,
    quantity: money.readOrNull(row.quantity),
    estimatedCost: money.readOrNull(row.estimated_cost),
    errorMessage: row.error_message,
    refusedBy: row.refused_by,
    sizing: row.sizing,
    createdAt: readTime(row.created_at),
    updatedAt: readTime(row.updated_at),
  };
}

const COLUMNS = columnsOf<ExecutionRow>({
  signal_id: true,
  client_order_id: true,
  ticker: true,
  signal_price: true,
  stop_loss_price: true,
  take_profit_price: true,
  strategy: true,
  status: true,
  success: true,
  order_id: true,
  quantity: true,
  estimated_cost: true,
  error_message: true,
  refused_by: true,
  sizing: true,
  created_at: true,
  updated_at: true,
});

// The order path's statements, compiled once (see precompiled.ts).
const CLAIM = precompile<ExecutionRow, unknown>((db, slot) =>
  db
    .insertInto('executions')
    .values(slotsFor(COLUMNS, slot))
    .onConflict((oc) => oc.column('signal_id').doNothing()),
);
type FinishRow = Pick<
  ExecutionRow,
  'signal_id' | 'status' | 'success' | 'order_id' | 'quantity' | 'estimated_cost' | 'error_message' | 'refused_by' | 'sizing' | 'updated_at'
>;
const FINISH = precompile<FinishRow, unknown>((db, slot) => {
  const { signal_id, ...rest } = slotsFor<FinishRow>(
    ['signal_id', 'status', 'success', 'order_id', 'quantity', 'estimated_cost', 'error_message', 'refused_by', 'sizing', 'updated_at'],
    slot,
  );
  return db.updateTable('executions').set(rest).where('signal_id', '=', signal_id);
});

export class ExecutionsRepository implements ExecutionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Claims a signal for execution. True when this caller inserted the row (and
   * so may go on); false when the signal was claimed before, by this process or
   * another: the caller then reads the row instead of sending an order.
   */
  async claim(plan: ExecutionPlan, at: Date): Promise<boolean> {
    const result = await CLAIM.execute(this.db, {
      signal_id: plan.signalId,
      client_order_id: plan.clientOrderId,
      ticker: plan.ticker,
      signal_price: money.write(plan.signalPrice),
      stop_loss_price: money.writeOrNull(plan.stopLossPrice),
      take_profit_price: money.writeOrNull(plan.takeProfitPrice),
      strategy: plan.strategy,
      status: 'submitting',
      success: 0,
      order_id: null,
      quantity: null,
      estimated_cost: null,
      error_message: null,
      refused_by: null,
      sizing: null,
      created_at: writeTime(at),
      updated_at: writeTime(at),
    });
    return (result.numAffectedRows ?? 0n) > 0n;
  }

  /** Records the final result. */
  async finish(signalId: string, outcome: ExecutionOutcome, at: Date): Promise<void> {
    await FINISH.execute(this.db, {
      signal_id: signalId,
      status: 'done',
      success: outcome.success ? 1 : 0,
      order_id: outcome.orderId,
      quantity: money.writeOrNull(outcome.quantity),
      estimated_cost: money.writeOrNull(outcome.estimatedCost),
      error_message: outcome.errorMessage,
      refused_by: outcome.refusedBy,
      sizing: outcome.sizing,
      updated_at: writeTime(at),
    });
  }

  /** Forgets an attempt that provably sent nothing (so it may be tried again). */
  async release(signalId: string): Promise<void> {
    await this.db.deleteFrom('executions').where('signal_id', '=', signalId).where('status', '=', 'submitting').execute();
  }

  async get(signalId: string): Promise<ExecutionRecord | null> {
    const row = await this.db.selectFrom('executions').selectAll().where('signal_id', '=', signalId).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async getByClientOrderId(clientOrderId: string): Promise<ExecutionRecord | null> {
    const row = await this.db.selectFrom('executions').selectAll().where('client_order_id', '=', clientOrderId).executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  /** Attempts left in `submitting` (a crash mid-submission): what reconciliation settles. */
  async listSubmitting(): Promise<ExecutionRecord[]> {
    const rows = await this.db.selectFrom('executions').selectAll().where('status', '=', 'submitting').execute();
    return rows.map(fromRow);
  }
}

import type { Kysely } from 'kysely';
import type { Decimal } from '../../domain/money.js';
import type { TradingStateStore } from '../../domain/ports/store.js';
import type { TradingState, TradingStateName } from '../../domain/records.js';
import { money, readTime, writeTime } from '../codec.js';
import { precompile } from '../precompiled.js';
import type { Database, TradingStateRow } from '../schema.js';

// Read before every entry: compiled once (see precompiled.ts).
const GET = precompile<Record<string, never>, TradingStateRow>((db) => db.selectFrom('trading_state').selectAll().where('id', '=', 1));

/** The single row of `trading_state` (created by the first migration). */
export class TradingStateRepository implements TradingStateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(): Promise<TradingState> {
    const row = (await GET.execute(this.db, {})).rows[0];
    if (!row) throw new Error('trading_state has no row: the database was not migrated');
    return {
      state: row.state as TradingStateName,
      reason: row.reason,
      changedBy: row.changed_by,
      changedAt: readTime(row.changed_at),
      dayStartEquity: money.readOrNull(row.day_start_equity),
      dayStartDate: row.day_start_date,
      peakEquity: money.readOrNull(row.peak_equity),
    };
  }

  /**
   * Sets ACTIVE, REDUCING or HALTED. Returns false when it already was in that state,
   * so a halt triggered twice is announced once.
   */
  async setState(state: TradingStateName, reason: string | null, changedBy: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('trading_state')
      .set({ state, reason, changed_by: changedBy, changed_at: writeTime(at) })
      .where('id', '=', 1)
      .where('state', '!=', state)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setDayStart(day: string, equity: Decimal): Promise<void> {
    await this.db
      .updateTable('trading_state')
      .set({ day_start_date: day, day_start_equity: money.write(equity) })
      .where('id', '=', 1)
      .execute();
  }

  async setPeakEquity(equity: Decimal): Promise<void> {
    await this.db
      .updateTable('trading_state')
      .set({ peak_equity: money.write(equity) })
      .where('id', '=', 1)
      .execute();
  }
}

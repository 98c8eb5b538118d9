import type { Kysely } from 'kysely';
import { writeTime } from '../codec.js';
import type { Database } from '../schema.js';

/** One row: the paper simulator's latest snapshot, as opaque JSON. */
export class SimStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async load(): Promise<string | null> {
    const row = await this.db.selectFrom('sim_state').select('snapshot').where('id', '=', 1).executeTakeFirst();
    return row?.snapshot ?? null;
  }

  async save(snapshot: string, at: Date): Promise<void> {
    await this.db
      .insertInto('sim_state')
      .values({ id: 1, snapshot, saved_at: writeTime(at) })
      .onConflict((oc) => oc.column('id').doUpdateSet({ snapshot, saved_at: writeTime(at) }))
      .execute();
  }
}

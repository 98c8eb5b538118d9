/**
 * Every migration, in order. Listed in code (not read from a folder) so the
 * set is the same under tsx, vitest and a bundle. Never edit a shipped one:
 * add the next number.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_sim_state.js';
import * as m0003 from './0003_trading_engine.js';
import * as m0004 from './0004_monitor_failed_alert.js';
import * as m0005 from './0005_order_indexes.js';
import * as m0006 from './0006_fewer_order_indexes.js';
import * as m0007 from './0007_sim_rows.js';
import * as m0008 from './0008_position_entry_value.js';
import * as m0009 from './0009_domain_order_statuses.js';
import * as m0010 from './0010_bars.js';
import * as m0011 from './0011_closed_trade_pages.js';
import * as m0012 from './0012_reducing_state.js';
import * as m0013 from './0013_position_modified_alert.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_sim_state': m0002,
  '0003_trading_engine': m0003,
  '0004_monitor_failed_alert': m0004,
  '0005_order_indexes': m0005,
  '0006_fewer_order_indexes': m0006,
  '0007_sim_rows': m0007,
  '0008_position_entry_value': m0008,
  '0009_domain_order_statuses': m0009,
  '0010_bars': m0010,
  '0011_closed_trade_pages': m0011,
  '0012_reducing_state': m0012,
  '0013_position_modified_alert': m0013,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

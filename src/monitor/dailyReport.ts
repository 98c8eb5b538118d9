/**
 * The daily report: the operator's figures for the day as a view, and the
 * equity curve saved as REPORTS_DIR/YYYY-MM-DD.png (default: `reports/`
 * beside the database).
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { OperatorService } from '../app/OperatorService.js';
import type { Config } from '../config.js';
import { ensureFolder } from '../db/files.js';
import { reportView } from '../views/report.js';
import type { View } from '../views/view.js';

/** `reports/` beside the database file (a temp folder for an in-memory database). */
export function reportsDirFor(dbPath: string): string {
  return dbPath === ':memory:' ? join(tmpdir(), 'catalyst-reports') : join(dirname(dbPath), 'reports');
}

/** Where reports go: REPORTS_DIR, else beside the database (DB_PATH). */
export function reportsDir(config: Pick<Config, 'reportsDir' | 'dbPath'>): string {
  return config.reportsDir ?? reportsDirFor(config.dbPath);
}

/** The report for trading day `day` (YYYY-MM-DD), with its equity chart written to disk. */
export async function buildDailyReport(app: { operator: OperatorService; config: Pick<Config, 'reportsDir' | 'dbPath'> }, day: string): Promise<View> {
  const data = await app.operator.report(day);
  const view = reportView(data);
  const dir = reportsDir(app.config);
  ensureFolder(dir);
  const path = join(dir, `${day}.png`);
  // echarts and the PNG renderer load on the first report, not at start-up.
  const { renderEquityChart } = await import('./chart.js');
  writeFileSync(path, renderEquityChart(data.chart.points, data.chart.title));
  return { ...view, image: { filename: `equity-${day}.png`, path } };
}

/**
 * The daily report: the day's figures as a view, and the equity curve of the
 * last 90 days saved as data/reports/YYYY-MM-DD.png beside the database.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { addDays } from '../broker/marketTime.js';
import type { AppServices } from '../operator/command.js';
import type { View } from '../operator/view.js';
import { reportView } from '../operator/views/report.js';
import type { EquityPoint } from '../portfolio/analytics.js';
import { renderEquityChart } from './chart.js';

export function reportsDirFor(dbPath: string): string {
  return dbPath === ':memory:' ? join(tmpdir(), 'catalyst-reports') : join(dirname(dbPath), 'reports');
}

/** The report for trading day `day` (YYYY-MM-DD), with its chart written to disk. */
export async function buildDailyReport(app: AppServices, day: string): Promise<View> {
  const { manager, executor, risk } = app.engine;
  const account = await app.broker.getAccount();
  const daily = await app.store.equity.listDaily(addDays(day, -90));
  const points: EquityPoint[] = daily.filter((s) => s.tradingDay <= day).map((s) => ({ day: s.tradingDay, equity: s.equity }));
  if (points.at(-1)?.day !== day) points.push({ day, equity: account.equity });
  const view = reportView({
    day,
    mode: app.mode,
    account,
    closedToday: await manager.getClosedOn(day),
    positions: await manager.updatePositionPrices(),
    performance: await manager.getPerformanceStats(30),
    execution: await executor.getExecutionStats(30),
    state: await risk.state(),
  });
  const dir = reportsDirFor(app.config.dbPath);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${day}.png`);
  writeFileSync(path, renderEquityChart(points, `Equity, ${points[0]?.day ?? day} to ${day}`));
  return { ...view, image: { filename: `equity-${day}.png`, path } };
}

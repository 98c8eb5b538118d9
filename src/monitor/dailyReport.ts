/**
 * The daily report: the day's figures as a view, and the equity curve of the
 * last 90 days saved as REPORTS_DIR/YYYY-MM-DD.png (default: `reports/`
 * beside the database). With fewer than two days of history the chart draws
 * the day's intraday snapshots instead.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Account } from '../broker/types.js';
import { addDays, exchangeDate, exchangeIso } from '../broker/marketTime.js';
import { ensureFolder } from '../db/connection.js';
import type { AppServices } from '../operator/command.js';
import type { View } from '../operator/view.js';
import { reportView } from '../operator/views/report.js';
import type { EquityPoint } from '../portfolio/analytics.js';
import { renderEquityChart } from './chart.js';

/** `reports/` beside the database file (a temp folder for an in-memory database). */
export function reportsDirFor(dbPath: string): string {
  return dbPath === ':memory:' ? join(tmpdir(), 'catalyst-reports') : join(dirname(dbPath), 'reports');
}

/** Where reports go: REPORTS_DIR, else beside the database the store opened. */
export function reportsDir(app: Pick<AppServices, 'config' | 'store'>): string {
  return app.config.reportsDir ?? reportsDirFor(app.store.path);
}

/** HH:MM in New York: an intraday point's label. */
const clock = (at: Date): string => exchangeIso(at).slice(11, 16);

/**
 * What the report's chart draws for `day`: the end-of-day series of the last
 * 90 days (today's equity standing in for a close not yet recorded) when it
 * has two days or more; else the day's intraday snapshots, closed by the
 * day's last figure, so a first day still shows a curve.
 */
export async function reportChart(app: AppServices, day: string, account: Pick<Account, 'equity'>): Promise<{ points: EquityPoint[]; title: string }> {
  const daily = (await app.store.equity.listDaily(addDays(day, -90))).filter((s) => s.tradingDay <= day);
  const points: EquityPoint[] = daily.map((s) => ({ day: s.tradingDay, equity: s.equity }));
  if (points.at(-1)?.day !== day) points.push({ day, equity: account.equity });
  const dailyChart = { points, title: `Equity, ${points[0]?.day ?? day} to ${day}` };
  if (points.length >= 2) return dailyChart;

  const eod = daily.at(-1)?.tradingDay === day ? daily.at(-1)! : null;
  const now = app.now();
  // The day's last figure: its end-of-day snapshot, else the account now (when now is that day).
  const close = eod ? { at: eod.takenAt, equity: eod.equity } : exchangeDate(now) === day ? { at: now, equity: account.equity } : null;
  const intraday = (await app.store.equity.listIntraday(day)).map((s) => ({ at: s.takenAt, equity: s.equity }));
  if (close !== null && (intraday.length === 0 || close.at > intraday.at(-1)!.at)) intraday.push(close);
  if (intraday.length < 2) return dailyChart;
  return { points: intraday.map((p) => ({ day: clock(p.at), equity: p.equity })), title: `Equity, ${day} (intraday, New York time)` };
}

/** The report for trading day `day` (YYYY-MM-DD), with its chart written to disk. */
export async function buildDailyReport(app: AppServices, day: string): Promise<View> {
  const { manager, executor, risk } = app.engine;
  const account = await app.broker.getAccount();
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
  const chart = await reportChart(app, day, account);
  const dir = reportsDir(app);
  ensureFolder(dir);
  const path = join(dir, `${day}.png`);
  writeFileSync(path, renderEquityChart(chart.points, chart.title));
  return { ...view, image: { filename: `equity-${day}.png`, path } };
}

/**
 * The backtester's past runs, as it left them in REPORTS_DIR/backtests/<run>/:
 * summary.json (validated: a hand-edited or half-written file is reported as
 * unreadable, never trusted), equity.csv and equity.png. A run is named by its
 * folder; a name is accepted only if it is a plain folder name (letters,
 * digits, `.`, `_`, `-`, no leading dot), so no request can reach outside
 * the backtests folder.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { exchangeDate } from '../domain/marketTime.js';
import { Decimal } from '../domain/money.js';
import type { EquityPoint } from '../portfolio/analytics.js';

/** A run folder's name: what `npm run backtest` stamps (`2026-12-07T10-41-30Z`) or any plain `--out` name. */
const RUN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** Runs listed at most: the newest ones. */
export const MAX_RUNS = 200;
/** An equity.csv larger than this is not charted (a long intraday run): the PNG still is. */
const MAX_EQUITY_CSV_BYTES = 8 * 1024 * 1024;

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'an exact decimal string');
const count = z.number().int().nonnegative();

const summarySchema = z.object({
  start: z.string().nullable(),
  end: z.string().nullable(),
  starting_cash: decimal,
  ending_equity: decimal,
  total_return_pct: decimal,
  cagr_pct: decimal.nullable(),
  sharpe: decimal.nullable(),
  sortino: decimal.nullable(),
  max_drawdown: decimal,
  max_drawdown_pct: decimal,
  trades: count,
  // Runs written before open positions were counted lack it.
  open_positions: count.optional(),
  win_rate: decimal.nullable(),
  profit_factor: decimal.nullable(),
  exposure_pct: decimal,
  bars: count,
  signals: count,
  signals_refused: count,
});

/** summary.json as the backtester writes it: amounts and ratios as exact decimal strings. */
export type BacktestRunSummary = z.infer<typeof summarySchema>;

export interface BacktestRunEntry {
  name: string;
  /** Null when summary.json is missing or not what the backtester writes. */
  summary: BacktestRunSummary | null;
  /** Why the summary could not be read. */
  problem: string | null;
}

export interface BacktestRunDetail extends BacktestRunEntry {
  /** equity.csv, one point per row labelled with its trading day; null without a readable file. */
  equity: EquityPoint[] | null;
  hasPng: boolean;
}

export const isRunName = (name: string): boolean => RUN_NAME.test(name) && !name.includes('..');

const backtestsDir = (reportsDir: string): string => join(reportsDir, 'backtests');

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function readSummary(dir: string): Promise<Pick<BacktestRunEntry, 'summary' | 'problem'>> {
  let text: string;
  try {
    text = await readFile(join(dir, 'summary.json'), 'utf8');
  } catch {
    return { summary: null, problem: 'no summary.json' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { summary: null, problem: 'summary.json is not JSON' };
  }
  const parsed = summarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { summary: null, problem: `summary.json: ${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'unexpected content'}` };
  }
  return { summary: parsed.data, problem: null };
}

/** The backtests' run folders, newest first (the stamped names sort by time); none when the folder does not exist. */
export async function listBacktestRuns(reportsDir: string): Promise<BacktestRunEntry[]> {
  let entries;
  try {
    entries = await readdir(backtestsDir(reportsDir), { withFileTypes: true });
  } catch {
    return [];
  }
  const names = entries
    .filter((e) => e.isDirectory() && isRunName(e.name))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
    .slice(0, MAX_RUNS);
  return Promise.all(names.map(async (name) => ({ name, ...(await readSummary(join(backtestsDir(reportsDir), name))) })));
}

/** A timestamp's trading day: a daily bar's date as written, else the New York date. */
function tradingDay(timestamp: Date): string {
  const iso = timestamp.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : exchangeDate(timestamp);
}

/** equity.csv's rows as chart points; null when the file is missing, too large or malformed. */
async function readEquity(dir: string): Promise<EquityPoint[] | null> {
  const path = join(dir, 'equity.csv');
  const size = await stat(path).then(
    (s) => (s.isFile() ? s.size : null),
    () => null,
  );
  if (size === null || size > MAX_EQUITY_CSV_BYTES) return null;
  const lines = (await readFile(path, 'utf8')).split(/\r?\n/).filter((l) => l !== '');
  if (lines[0] !== 'timestamp,equity') return null;
  const points: EquityPoint[] = [];
  for (const line of lines.slice(1)) {
    const [timestamp, equity, extra] = line.split(',');
    if (timestamp === undefined || equity === undefined || extra !== undefined || !decimal.safeParse(equity).success) return null;
    const at = new Date(timestamp);
    if (Number.isNaN(at.getTime())) return null;
    points.push({ day: tradingDay(at), equity: new Decimal(equity) });
  }
  return points;
}

/** One run; null when the name is not a plain folder name or there is no such run. */
export async function readBacktestRun(reportsDir: string, name: string): Promise<BacktestRunDetail | null> {
  if (!isRunName(name)) return null;
  const dir = join(backtestsDir(reportsDir), name);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) return null;
  const [summary, equity, hasPng] = await Promise.all([readSummary(dir), readEquity(dir), exists(join(dir, 'equity.png'))]);
  return { name, ...summary, equity, hasPng };
}

/** A run's equity.png; null when the name is not a plain folder name or there is no picture. */
export async function readBacktestPng(reportsDir: string, name: string): Promise<Buffer | null> {
  if (!isRunName(name)) return null;
  const path = join(backtestsDir(reportsDir), name, 'equity.png');
  return (await exists(path)) ? readFile(path) : null;
}

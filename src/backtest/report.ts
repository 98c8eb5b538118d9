/**
 * A backtest's files: summary.json, trades.csv and equity.csv, every figure
 * an exact decimal string (no float ever touches a price or a balance), and
 * the summary as a console table.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BacktestResult, BacktestSummary, BacktestTrade, EquityRow } from './replay.js';

export const TRADE_COLUMNS = ['signal_id', 'ticker', 'side', 'quantity', 'entry_time', 'entry_price', 'exit_time', 'exit_price', 'exit_reason', 'pnl'] as const;

/** A CSV cell: quoted when it holds a comma, a quote or a line break. */
function cell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

export function tradesCsv(trades: readonly BacktestTrade[]): string {
  return csv(
    TRADE_COLUMNS,
    trades.map((t) => [
      t.signalId ?? '',
      t.ticker,
      t.side,
      t.quantity.toFixed(),
      t.entryTime.toISOString(),
      t.entryPrice.toFixed(),
      t.exitTime?.toISOString() ?? '',
      t.exitPrice?.toFixed() ?? '',
      t.exitReason ?? '',
      t.pnl.toFixed(),
    ]),
  );
}

export function equityCsv(rows: readonly EquityRow[]): string {
  return csv(
    ['timestamp', 'equity'],
    rows.map((r) => [r.timestamp.toISOString(), r.equity.toFixed()]),
  );
}

/** Writes summary.json, trades.csv and equity.csv into `dir` (created when missing); returns their paths. */
export async function writeBacktestFiles(dir: string, result: BacktestResult): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ['summary.json', `${JSON.stringify(result.summary, null, 2)}\n`],
    ['trades.csv', tradesCsv(result.trades)],
    ['equity.csv', equityCsv(result.equity)],
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text, 'utf8');
  return files.map(([name]) => join(dir, name));
}

/** The summary as aligned `name  value` lines, for the console. */
export function summaryTable(summary: BacktestSummary): string {
  const entries = Object.entries(summary).map(([k, v]) => [k, v === null ? '—' : String(v)] as const);
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

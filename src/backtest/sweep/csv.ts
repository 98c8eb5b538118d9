/**
 * A sweep's results: sweep.csv (one row per combination, in the grid's
 * order: the swept settings, then every summary figure exactly as
 * summary.json holds it) and a narrower table of the same rows for the
 * console.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BacktestSummary } from '../replay.js';
import type { Combination } from './grid.js';

/** The summary's fields in summary.json's order. */
export const SUMMARY_COLUMNS = [
  'start',
  'end',
  'starting_cash',
  'ending_equity',
  'total_return_pct',
  'cagr_pct',
  'sharpe',
  'sortino',
  'max_drawdown',
  'max_drawdown_pct',
  'trades',
  'open_positions',
  'win_rate',
  'profit_factor',
  'exposure_pct',
  'bars',
  'signals',
  'signals_refused',
] as const satisfies readonly (keyof BacktestSummary)[];

/** The figures a console row shows; sweep.csv has them all. */
export const TABLE_COLUMNS = [
  'ending_equity',
  'total_return_pct',
  'sharpe',
  'max_drawdown_pct',
  'trades',
  'win_rate',
  'profit_factor',
  'signals_refused',
] as const satisfies readonly (keyof BacktestSummary)[];

export interface SweepRow {
  combination: Combination;
  summary: BacktestSummary;
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break. */
function cell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A figure as text; an undefined one (null) is an empty cell. */
const text = (value: string | number | null) => (value === null ? '' : String(value));

export function sweepCsv(rows: readonly SweepRow[]): string {
  const names = rows[0]?.combination.map(([name]) => name) ?? [];
  const lines = [
    [...names, ...SUMMARY_COLUMNS],
    ...rows.map((r) => [...r.combination.map(([, value]) => value), ...SUMMARY_COLUMNS.map((c) => text(r.summary[c]))]),
  ];
  return lines.map((l) => l.map(cell).join(',')).join('\n') + '\n';
}

/** Writes sweep.csv into `dir` (created when missing); returns its path. */
export async function writeSweepCsv(dir: string, rows: readonly SweepRow[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'sweep.csv');
  await writeFile(file, sweepCsv(rows), 'utf8');
  return file;
}

/** The rows as aligned columns (— for an undefined figure), for the console. */
export function sweepTable(rows: readonly SweepRow[]): string {
  const names = rows[0]?.combination.map(([name]) => name) ?? [];
  const header = [...names, ...TABLE_COLUMNS];
  const body = rows.map((r) => [
    ...r.combination.map(([, value]) => value),
    ...TABLE_COLUMNS.map((c) => {
      const v = r.summary[c];
      return v === null ? '—' : String(v);
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  return [header, ...body]
    .map((row) =>
      row
        .map((v, i) => v.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

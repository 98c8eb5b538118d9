/**
 * Bars CSV files for the backtester: column detection, row checks, a
 * validating first pass and the streamed, time-ordered read.
 *
 * Accepted headers (any order, any case, extra columns ignored):
 * `symbol,timestamp,open,high,low,close,volume`, Alpaca's `t,o,h,l,c,v` with a
 * `symbol` column, and `date` for the time. A file without a symbol column
 * holds one symbol, named by the caller. Files are read as streams, never
 * whole: the first pass keeps one small record per symbol, the second holds
 * one pending bar per stream.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseCsvLine } from 'csv-parse/sync';
import type { Bar } from '../bar.js';
import { dec } from '../../domain/money.js';
import { tickerSchema } from '../../domain/fields.js';
import { BarInputError } from './errors.js';
import { readLineBatches } from './lines.js';
import { fieldStarts, fixedPoint, leadingStarts, sameText } from './rowScan.js';
import { mergeBatches, type Keyed } from './merge.js';

export interface BarReadOptions {
  /** The symbol of files that have no symbol column (e.g. one index's daily history). */
  symbol?: string;
}

/** One symbol's bars across all files, as found by the validating pass. */
export interface SymbolBars {
  symbol: string;
  first: Date;
  last: Date;
  count: number;
}

/** What `validateBars` found; `readBars` streams exactly these files. */
export interface ValidatedBars {
  files: readonly string[];
  symbols: ReadonlyMap<string, SymbolBars>;
  bars: number;
  /** Every bar is stamped 00:00 UTC: daily bars, named by their date. */
  daily: boolean;
  /** How each file is streamed; opaque to callers. */
  readonly plans: readonly FilePlan[];
}

type Field = 'symbol' | 'timestamp' | 'open' | 'high' | 'low' | 'close' | 'volume';

/** Header names accepted per field, the first one found wins. */
const ALIASES: Record<Field, readonly string[]> = {
  symbol: ['symbol'],
  timestamp: ['timestamp', 't', 'date'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'v'],
};

interface Columns {
  /** null: the file holds one symbol, `fixedSymbol`. */
  symbol: number | null;
  fixedSymbol: string | null;
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface Span {
  symbol: string;
  /** Epoch milliseconds of its first and last bar. */
  first: number;
  last: number;
  count: number;
  firstLine: number;
  lastLine: number;
  /** Byte offsets of the symbol's rows, from its first row's start to its last row's end. */
  startByte: number;
  endByte: number;
  /** No other symbol's row lies between its first and last row. */
  contiguous: boolean;
}

interface FilePlan {
  file: string;
  columns: Columns;
  /** The header's field count, which every row has. */
  width: number;
  /** Every row is stamped 00:00 UTC. */
  daily: boolean;
  /** No row has a quote: each can be read by its commas alone. */
  plain: boolean;
  /** Every row is after the one before in (time, symbol) order: the file streams as it is. */
  ordered: boolean;
  spans: Map<string, Span>;
}

/**
 * One line's fields. Plain lines (no quote) are split at commas; a line with
 * a quote goes through the CSV parser, so quoted fields still read right.
 * `width` is the header's field count, which every row must have.
 */
function fieldsOf(text: string, file: string, line: number, width: number | null): string[] {
  let record: string[];
  if (!text.includes('"')) record = text.split(',');
  else {
    try {
      record = (parseCsvLine(text, { relax_column_count: true }) as string[][])[0] ?? [''];
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/ on line \d+$/, '') : String(error);
      throw new BarInputError(file, line, `${reason} (a quoted field cannot span lines)`);
    }
  }
  if (width !== null && record.length !== width) throw new BarInputError(file, line, `${record.length} fields where the header has ${width}`);
  return record;
}

/** A file-system failure as a refusal naming the file. */
function asInputError(file: string, err: unknown): unknown {
  if (err instanceof BarInputError) return err;
  if (err instanceof Error && 'code' in err && (err as Error & { code: string }).code === 'ENOENT')
    return new BarInputError(file, null, 'no such file or folder');
  return err;
}

function resolveColumns(header: readonly string[], file: string, options: BarReadOptions): Columns {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (field: Field): number | null => {
    for (const alias of ALIASES[field]) {
      const i = names.indexOf(alias);
      if (i >= 0) return i;
    }
    return null;
  };
  const need = (field: Field): number => {
    const i = find(field);
    if (i === null) {
      const alternatives = ALIASES[field].slice(1).map((a) => `"${a}"`);
      throw new BarInputError(file, 1, `missing column "${field}"${alternatives.length > 0 ? ` (or ${alternatives.join(', ')})` : ''}`);
    }
    return i;
  };
  const symbol = find('symbol');
  let fixedSymbol: string | null = null;
  if (symbol === null) {
    if (options.symbol === undefined) throw new BarInputError(file, 1, 'missing column "symbol" (or give the symbol of a one-symbol file)');
    const parsed = tickerSchema.safeParse(options.symbol);
    if (!parsed.success) throw new BarInputError(file, null, `symbol ${JSON.stringify(options.symbol)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    fixedSymbol = parsed.data;
  }
  return {
    symbol,
    fixedSymbol,
    timestamp: need('timestamp'),
    open: need('open'),
    high: need('high'),
    low: need('low'),
    close: need('close'),
    volume: need('volume'),
  };
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/**
 * A date is that day's 00:00 UTC; a time must carry its zone (Z or ±hh:mm),
 * since a bare local time would mean different instants on different machines.
 * Computed from the parts rather than by Date's own parser: every row goes through here.
 */
export function parseBarTime(text: string): Date | null {
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const [, y, mo, d, hh, mi, ss, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hh === undefined) return new Date(Date.UTC(year, month - 1, day));
  const hour = Number(hh);
  const minute = Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(-2));
    if (zh > 23 || zm > 59) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm);
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000);
}

const DAY_MS = 86_400_000;

const NUMBER = /^-?\d+(\.\d+)?$/;

/** A checked figure's value as a double (exact order comparisons fall back to the text, see `below`). */
function figure(text: string | undefined, name: string, file: string, line: number, minimum: 'positive' | 'non-negative'): number {
  const value = text ?? '';
  if (!NUMBER.test(value)) throw new BarInputError(file, line, `${name}: expected a number such as 184.50, got ${JSON.stringify(value)}`);
  const approx = Number(value);
  // The double decides unless it is zero, which a long enough fraction can underflow to.
  const negative = value.charCodeAt(0) === 45 && !dec(value).isZero();
  if (negative || (minimum === 'positive' && approx === 0 && dec(value).isZero())) {
    throw new BarInputError(file, line, `${name}: must be ${minimum === 'positive' ? 'above 0' : 'at least 0'}, got ${value}`);
  }
  return approx;
}

/**
 * a < b, exactly. Rounding to a double never reverses an order, so unequal
 * doubles settle it; equal doubles may hide a difference and go to Decimal.
 */
function below(aText: string, a: number, bText: string, b: number): boolean {
  if (a !== b) return a < b;
  return aText !== bText && dec(aText).lt(dec(bText));
}

/** Symbols already checked, so the schema runs once per symbol rather than once per row. */
const knownSymbols = new Map<string, string>();

function symbolOf(record: readonly string[], c: Columns, file: string, line: number): string {
  if (c.symbol === null) return c.fixedSymbol ?? '';
  return symbolIn(record[c.symbol] ?? '', file, line);
}

function symbolIn(text: string, file: string, line: number): string {
  const known = knownSymbols.get(text);
  if (known !== undefined) return known;
  const parsed = tickerSchema.safeParse(text);
  if (!parsed.success) throw new BarInputError(file, line, `symbol: ${parsed.error.issues[0]?.message ?? 'invalid'}, got ${JSON.stringify(text)}`);
  if (knownSymbols.size >= 100_000) knownSymbols.clear();
  knownSymbols.set(text, parsed.data);
  return parsed.data;
}

/** The last time text read and its instant: rows of one bar time repeat it, once per symbol. */
let lastTime = { text: '', ms: Number.NaN };

function timeOf(record: readonly string[], c: Columns, file: string, line: number): number {
  return timeIn(record[c.timestamp] ?? '', file, line);
}

function timeIn(text: string, file: string, line: number): number {
  if (text === lastTime.text) return lastTime.ms;
  const at = parseBarTime(text);
  if (at === null) {
    throw new BarInputError(file, line, `timestamp: expected ISO-8601 with a zone (2024-01-02T14:30:00Z) or YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  lastTime = { text, ms: at.getTime() };
  return lastTime.ms;
}

/** Refuses a row whose figures are not numbers, are out of range, or do not make a bar (low ≤ open, close ≤ high). */
function checkFigures(record: readonly string[], c: Columns, file: string, line: number): void {
  const [openText = '', highText = '', lowText = '', closeText = ''] = [record[c.open], record[c.high], record[c.low], record[c.close]];
  const open = figure(openText, 'open', file, line, 'positive');
  const high = figure(highText, 'high', file, line, 'positive');
  const low = figure(lowText, 'low', file, line, 'positive');
  const close = figure(closeText, 'close', file, line, 'positive');
  figure(record[c.volume], 'volume', file, line, 'non-negative');
  const shown = (text: string) => dec(text).toFixed();
  if (below(highText, high, lowText, low)) throw new BarInputError(file, line, `high ${shown(highText)} is below low ${shown(lowText)}`);
  const closeAbove = below(openText, open, closeText, close);
  const [topText, top, bottomText, bottom] = closeAbove ? [closeText, close, openText, open] : [openText, open, closeText, close];
  if (below(highText, high, topText, top)) throw new BarInputError(file, line, `high ${shown(highText)} is below max(open, close) ${shown(topText)}`);
  if (below(bottomText, bottom, lowText, low)) throw new BarInputError(file, line, `low ${shown(lowText)} is above min(open, close) ${shown(bottomText)}`);
}

/** The value of field `i` of a plain row, read in place (NaN when it needs the general path). */
function valueAt(text: string, starts: Int32Array, i: number): number {
  return fixedPoint(text, starts[i] as number, (starts[i + 1] as number) - 1);
}

/**
 * The common case checked in place: every figure a plain decimal of at most
 * 15 significant digits, prices above 0, volume at least 0, and a bar's
 * shape. False sends the row to `checkFigures`, which names the problem.
 */
function figuresFit(text: string, c: Columns, starts: Int32Array): boolean {
  const open = valueAt(text, starts, c.open);
  const high = valueAt(text, starts, c.high);
  const low = valueAt(text, starts, c.low);
  const close = valueAt(text, starts, c.close);
  const volume = valueAt(text, starts, c.volume);
  // NaN fails every comparison, so an unreadable figure falls through too.
  if (!(open > 0 && high > 0 && low > 0 && close > 0 && volume >= 0)) return false;
  return high >= low && high >= open && high >= close && low <= open && low <= close;
}

function symbolAt(text: string, starts: Int32Array, c: Columns, file: string, line: number): string {
  if (c.symbol === null) return c.fixedSymbol ?? '';
  const i = c.symbol;
  return symbolIn(text.slice(starts[i], (starts[i + 1] as number) - 1), file, line);
}

function timeAt(text: string, starts: Int32Array, c: Columns, file: string, line: number): number {
  const start = starts[c.timestamp] as number;
  const end = (starts[c.timestamp + 1] as number) - 1;
  if (sameText(text, start, end, lastTime.text)) return lastTime.ms;
  return timeIn(text.slice(start, end), file, line);
}

/** What a file's rows look like: enough to split a row again when its figures are wanted. */
interface RowShape {
  file: string;
  width: number;
  columns: Columns;
  plain: boolean;
}

/**
 * One bar as read, its figures still the file's text: the replay turns a row
 * into a Bar (exact Decimals) only where something needs its prices, so a
 * symbol nobody trades costs its symbol and time and nothing more.
 */
export class BarRow implements Keyed {
  private record: readonly string[] | null = null;

  constructor(
    readonly symbol: string,
    readonly time: number,
    private readonly text: string,
    private readonly line: number,
    private readonly shape: RowShape,
  ) {}

  private field(i: number): string {
    this.record ??= fieldsOf(this.text, this.shape.file, this.line, this.shape.width);
    return this.record[i] ?? '';
  }

  get open(): string {
    return this.field(this.shape.columns.open);
  }

  get high(): string {
    return this.field(this.shape.columns.high);
  }

  get low(): string {
    return this.field(this.shape.columns.low);
  }

  get close(): string {
    return this.field(this.shape.columns.close);
  }

  get volume(): string {
    return this.field(this.shape.columns.volume);
  }

  /** The close as a double, read in place: for figures drawn and quick range checks, never for money. */
  closeValue(): number {
    return this.valueOf(this.shape.columns.close);
  }

  lowValue(): number {
    return this.valueOf(this.shape.columns.low);
  }

  highValue(): number {
    return this.valueOf(this.shape.columns.high);
  }

  private valueOf(column: number): number {
    if (this.record === null && this.shape.plain && column + 1 < scratchStarts.length) {
      leadingStarts(this.text, column + 1, this.shape.width, scratchStarts);
      const value = fixedPoint(this.text, scratchStarts[column] as number, (scratchStarts[column + 1] as number) - 1);
      if (!Number.isNaN(value)) return value;
    }
    return Number(this.field(column));
  }
}

/** Scratch space for `BarRow.valueOf`: field starts of the row being read. */
const scratchStarts = new Int32Array(64);

/** A row as a Bar, its prices exactly the text's decimals. */
export function barOf(row: BarRow): Bar {
  return {
    symbol: row.symbol,
    timestamp: new Date(row.time),
    open: dec(row.open),
    high: dec(row.high),
    low: dec(row.low),
    close: dec(row.close),
    volume: dec(row.volume),
  };
}

/** The CSV files named: a file as given, a folder as its .csv files in name order. */
export async function listBarFiles(paths: string | readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new BarInputError(path, null, 'no such file or folder');
    }
    if (info.isDirectory()) {
      const names = (await readdir(path, { withFileTypes: true }))
        .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.csv'))
        .map((e) => e.name)
        .sort();
      if (names.length === 0) throw new BarInputError(path, null, 'no .csv file in this folder');
      files.push(...names.map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  return files;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The validating pass over one file: every row checked, each symbol's span and order recorded. */
async function scanFile(file: string, options: BarReadOptions): Promise<FilePlan> {
  let columns: Columns | null = null;
  let width = 0;
  const spans = new Map<string, Span>();
  let ordered = true;
  let prevTime = Number.NEGATIVE_INFINITY;
  let prevSymbol = '';
  let daily = true;
  let plain = true;
  let starts = new Int32Array(0);
  try {
    for await (const { lines, firstLine, offsets } of readLineBatches(file, { offsets: true })) {
      const at = offsets ?? [];
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i] as string;
        if (text === '') continue;
        const line = firstLine + i;
        if (columns === null) {
          const header = fieldsOf(text, file, line, null);
          columns = resolveColumns(header, file, options);
          width = header.length;
          starts = new Int32Array(width + 1);
          continue;
        }
        let symbol: string;
        let time: number;
        const simple = fieldStarts(text, width, starts);
        if (!simple) plain = false;
        if (simple && figuresFit(text, columns, starts)) {
          symbol = symbolAt(text, starts, columns, file, line);
          time = timeAt(text, starts, columns, file, line);
        } else {
          const record = fieldsOf(text, file, line, width);
          symbol = symbolOf(record, columns, file, line);
          time = timeOf(record, columns, file, line);
          checkFigures(record, columns, file, line);
        }
        if (time % DAY_MS !== 0) daily = false;
        const start = at[i] ?? 0;
        const end = at[i + 1] ?? start;
        const span = spans.get(symbol);
        if (span === undefined) {
          spans.set(symbol, { symbol, first: time, last: time, count: 1, firstLine: line, lastLine: line, startByte: start, endByte: end, contiguous: true });
        } else {
          if (time === span.last) throw new BarInputError(file, line, `duplicate ${symbol} bar at ${iso(time)} (also line ${span.lastLine})`);
          if (time < span.last) {
            throw new BarInputError(
              file,
              line,
              `${symbol} bar at ${iso(time)} comes after line ${span.lastLine} at ${iso(span.last)}: bars must be in time order`,
            );
          }
          if (prevSymbol !== symbol) span.contiguous = false;
          span.last = time;
          span.count += 1;
          span.lastLine = line;
          span.endByte = end;
        }
        if (time < prevTime || (time === prevTime && symbol <= prevSymbol)) ordered = false;
        prevTime = time;
        prevSymbol = symbol;
      }
    }
  } catch (err) {
    throw asInputError(file, err);
  }
  if (columns === null) throw new BarInputError(file, 1, 'empty file: expected a header line');
  return { file, columns, width, daily, plain, ordered, spans };
}

/**
 * The first, validating pass: reads every file once, as a stream, and
 * refuses the whole input on the first bad row (file, line, reason), so a
 * run never starts on input it would stop half-way through.
 */
export async function validateBars(paths: string | readonly string[], options: BarReadOptions = {}): Promise<ValidatedBars> {
  const files = await listBarFiles(paths);
  const plans: FilePlan[] = [];
  for (const file of files) plans.push(await scanFile(file, options));
  // A symbol split across files (one per year, say) is fine; the same times in two files are not.
  const bySymbol = new Map<string, { span: Span; file: string }[]>();
  for (const plan of plans) {
    for (const span of plan.spans.values()) {
      const list = bySymbol.get(span.symbol) ?? [];
      list.push({ span, file: plan.file });
      bySymbol.set(span.symbol, list);
    }
  }
  const symbols = new Map<string, SymbolBars>();
  let bars = 0;
  for (const [symbol, list] of [...bySymbol].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((a, b) => a.span.first - b.span.first);
    for (let i = 1; i < list.length; i++) {
      const earlier = list[i - 1];
      const later = list[i];
      if (earlier === undefined || later === undefined) continue;
      if (later.span.first <= earlier.span.last) {
        throw new BarInputError(
          later.file,
          later.span.firstLine,
          `${symbol} bars from ${iso(later.span.first)} overlap those of ${earlier.file} (lines ${earlier.span.firstLine}–${earlier.span.lastLine}, up to ${iso(earlier.span.last)})`,
        );
      }
    }
    const first = list[0]?.span.first;
    const last = list[list.length - 1]?.span.last;
    const count = list.reduce((n, e) => n + e.span.count, 0);
    if (first !== undefined && last !== undefined) symbols.set(symbol, { symbol, first: new Date(first), last: new Date(last), count });
    bars += count;
  }
  return { files, symbols, bars, daily: plans.every((p) => p.daily), plans };
}

/**
 * One file's rows (or one symbol's), batch by batch. Rows were checked by
 * the validating pass; here only the symbol and time are read again.
 */
async function* fileRows(plan: FilePlan, only?: Span): AsyncGenerator<BarRow[], void, undefined> {
  const range = only?.contiguous === true ? { start: only.startByte, end: only.endByte, firstLine: only.firstLine } : {};
  const filter = only !== undefined && only.contiguous !== true ? only.symbol : null;
  const c = plan.columns;
  const starts = new Int32Array(plan.width + 1);
  // The fields up to the symbol and the time are all this pass reads.
  const leading = Math.max(c.symbol ?? 0, c.timestamp) + 1;
  let header = only?.contiguous !== true;
  try {
    for await (const { lines, firstLine } of readLineBatches(plan.file, range)) {
      const rows: BarRow[] = [];
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i] as string;
        if (text === '') continue;
        if (header) {
          header = false;
          continue;
        }
        const line = firstLine + i;
        let symbol: string;
        let time: number;
        if (plan.plain) {
          leadingStarts(text, leading, plan.width, starts);
          symbol = symbolAt(text, starts, c, plan.file, line);
          if (filter !== null && symbol !== filter) continue;
          time = timeAt(text, starts, c, plan.file, line);
        } else {
          const record = fieldsOf(text, plan.file, line, plan.width);
          symbol = symbolOf(record, c, plan.file, line);
          if (filter !== null && symbol !== filter) continue;
          time = timeOf(record, c, plan.file, line);
        }
        rows.push(new BarRow(symbol, time, text, line, plan));
      }
      if (rows.length > 0) yield rows;
    }
  } catch (err) {
    throw asInputError(plan.file, err);
  }
}

/** The streams one file is read as: itself when in (time, symbol) order, else one per symbol. */
function streamsOf(plan: FilePlan): AsyncIterable<BarRow[]>[] {
  if (plan.ordered) return [fileRows(plan)];
  // A symbol's rows in one block are read by byte range; scattered rows by filtering the file.
  return [...plan.spans.values()].map((span) => fileRows(plan, span));
}

/**
 * All rows of all validated files in time order (ties by symbol), streamed
 * in batches: memory holds a batch per stream, not the bars.
 */
export function readBarRows(validated: ValidatedBars): AsyncGenerator<readonly BarRow[], void, undefined> {
  return mergeBatches(validated.plans.flatMap(streamsOf));
}

/**
 * All bars of all files in time order (ties by symbol), streamed. Given
 * paths, the files are validated first, so a bad row is refused before the
 * first bar is handed out.
 */
export async function* readBars(input: string | readonly string[] | ValidatedBars, options: BarReadOptions = {}): AsyncGenerator<Bar, void, undefined> {
  const validated = isValidated(input) ? input : await validateBars(input, options);
  for await (const rows of readBarRows(validated)) for (const row of rows) yield barOf(row);
}

/** Whether bars input is already validated. */
export function isValidated(input: string | readonly string[] | ValidatedBars): input is ValidatedBars {
  return typeof input === 'object' && 'plans' in input;
}

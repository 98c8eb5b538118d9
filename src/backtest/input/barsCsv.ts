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
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import type { Bar } from '../bar.js';
import { dec } from '../../domain/money.js';
import { tickerSchema } from '../../domain/fields.js';
import { BarInputError } from './errors.js';
import { mergeBarBatches } from './merge.js';

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
  first: Date;
  last: Date;
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
  /** Every row is after the one before in (time, symbol) order: the file streams as it is. */
  ordered: boolean;
  spans: Map<string, Span>;
}

/** The shape csv-parse gives with `info: true`. */
interface CsvRow {
  record: string[];
  info: { lines: number; bytes: number };
}

function csvParser(file: string, info: boolean, range?: { start: number; end: number }) {
  // `end` of a read stream is inclusive; an empty range reads nothing.
  const source = createReadStream(file, range === undefined ? {} : { start: range.start, end: range.end - 1 });
  const parser = parse({ info, bom: range === undefined, skip_empty_lines: true });
  source.on('error', (err) => parser.destroy(err));
  return source.pipe(parser);
}

/** Rows with their line and byte offset: what the validating pass needs. */
function csvRowsWithInfo(file: string): AsyncIterable<CsvRow> {
  return csvParser(file, true) as AsyncIterable<CsvRow>;
}

/**
 * Bare rows, as many at a time as the parser holds: csv-parse's per-row info
 * costs as much as the parsing, and an await per row would cost more again.
 */
async function* csvRecordBatches(file: string, range?: { start: number; end: number }): AsyncGenerator<string[][], void, undefined> {
  const parser = csvParser(file, false, range);
  try {
    for (;;) {
      const batch: string[][] = [];
      let record = parser.read() as string[] | null;
      while (record !== null) {
        batch.push(record);
        record = parser.read() as string[] | null;
      }
      if (batch.length > 0) yield batch;
      else if (!(await readableAgain(parser))) return;
    }
  } finally {
    parser.destroy();
  }
}

/** Waits until the stream has more to read (true) or has ended (false); rejects with its error. */
function readableAgain(stream: Readable): Promise<boolean> {
  return new Promise((resolve, reject) => {
    if (stream.errored !== null) return reject(stream.errored);
    if (stream.readableEnded || stream.destroyed) return resolve(false);
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
    };
    const onReadable = () => {
      cleanup();
      resolve(true);
    };
    const onEnd = () => {
      cleanup();
      if (stream.errored !== null) reject(stream.errored);
      else resolve(false);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onError);
  });
}

/** A csv-parse or file-system failure as a refusal naming the file and, when known, the line. */
function asInputError(file: string, err: unknown): unknown {
  if (err instanceof BarInputError) return err;
  if (err instanceof Error && 'code' in err) {
    const e = err as Error & { code: string; lines?: number; record?: unknown[]; columns?: unknown };
    if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      return new BarInputError(file, e.lines ?? null, `${e.record?.length ?? 0} fields where the header has ${headerWidth(e)}`);
    }
    if (e.code.startsWith('CSV_')) return new BarInputError(file, e.lines ?? null, e.message.replace(/ on line \d+$/, ''));
    if (e.code === 'ENOENT') return new BarInputError(file, null, 'no such file or folder');
  }
  return err;
}

function headerWidth(e: { message: string }): string {
  return /expect (\d+)/.exec(e.message)?.[1] ?? '?';
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

const NUMBER = /^-?\d+(\.\d+)?$/;

/** A checked figure: its text (for the exact Decimal) and its nearest double (for fast comparisons). */
interface Figure {
  text: string;
  approx: number;
}

function figure(text: string | undefined, name: string, file: string, line: number, minimum: 'positive' | 'non-negative'): Figure {
  const value = text ?? '';
  if (!NUMBER.test(value)) throw new BarInputError(file, line, `${name}: expected a number such as 184.50, got ${JSON.stringify(value)}`);
  const approx = Number(value);
  // The double decides unless it is zero, which a long enough fraction can underflow to.
  const negative = value.startsWith('-') && !dec(value).isZero();
  const zero = approx === 0 && dec(value).isZero();
  if (negative || (minimum === 'positive' && zero)) {
    throw new BarInputError(file, line, `${name}: must be ${minimum === 'positive' ? 'above 0' : 'at least 0'}, got ${value}`);
  }
  return { text: value, approx };
}

/**
 * a < b, exactly. Rounding to a double never reverses an order, so unequal
 * doubles settle it; equal doubles may hide a difference and go to Decimal.
 */
function below(a: Figure, b: Figure): boolean {
  return a.approx !== b.approx ? a.approx < b.approx : dec(a.text).lt(dec(b.text));
}

function shown(f: Figure): string {
  return dec(f.text).toFixed();
}

/** Symbols already checked, so the schema runs once per symbol rather than once per row. */
const knownSymbols = new Map<string, string>();

function symbolOf(record: readonly string[], c: Columns, file: string, line: number): string {
  if (c.symbol === null) return c.fixedSymbol ?? '';
  const text = record[c.symbol] ?? '';
  const known = knownSymbols.get(text);
  if (known !== undefined) return known;
  const parsed = tickerSchema.safeParse(text);
  if (!parsed.success) throw new BarInputError(file, line, `symbol: ${parsed.error.issues[0]?.message ?? 'invalid'}, got ${JSON.stringify(text)}`);
  if (knownSymbols.size >= 100_000) knownSymbols.clear();
  knownSymbols.set(text, parsed.data);
  return parsed.data;
}

interface CheckedRow {
  symbol: string;
  timestamp: Date;
  open: Figure;
  high: Figure;
  low: Figure;
  close: Figure;
  volume: Figure;
}

/** One row checked, or a refusal naming the row's line and its first problem. */
function checkRow(record: readonly string[], c: Columns, file: string, line: number): CheckedRow {
  const symbol = symbolOf(record, c, file, line);
  const timeText = record[c.timestamp] ?? '';
  const timestamp = parseBarTime(timeText);
  if (timestamp === null) {
    throw new BarInputError(file, line, `timestamp: expected ISO-8601 with a zone (2024-01-02T14:30:00Z) or YYYY-MM-DD, got ${JSON.stringify(timeText)}`);
  }
  const open = figure(record[c.open], 'open', file, line, 'positive');
  const high = figure(record[c.high], 'high', file, line, 'positive');
  const low = figure(record[c.low], 'low', file, line, 'positive');
  const close = figure(record[c.close], 'close', file, line, 'positive');
  const volume = figure(record[c.volume], 'volume', file, line, 'non-negative');
  if (below(high, low)) throw new BarInputError(file, line, `high ${shown(high)} is below low ${shown(low)}`);
  const top = below(open, close) ? close : open;
  const bottom = below(open, close) ? open : close;
  if (below(high, top)) throw new BarInputError(file, line, `high ${shown(high)} is below max(open, close) ${shown(top)}`);
  if (below(bottom, low)) throw new BarInputError(file, line, `low ${shown(low)} is above min(open, close) ${shown(bottom)}`);
  return { symbol, timestamp, open, high, low, close, volume };
}

/** One row as a Bar, its prices exactly the text's decimals. */
function toBar(record: readonly string[], c: Columns, file: string, line: number): Bar {
  const r = checkRow(record, c, file, line);
  return {
    symbol: r.symbol,
    timestamp: r.timestamp,
    open: dec(r.open.text),
    high: dec(r.high.text),
    low: dec(r.low.text),
    close: dec(r.close.text),
    volume: dec(r.volume.text),
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

function iso(d: Date): string {
  return d.toISOString();
}

/** The validating pass over one file: every row checked, each symbol's span and order recorded. */
async function scanFile(file: string, options: BarReadOptions): Promise<FilePlan> {
  let columns: Columns | null = null;
  const spans = new Map<string, Span>();
  let ordered = true;
  let prev: { time: number; symbol: string; bytes: number } | null = null;
  try {
    for await (const { record, info } of csvRowsWithInfo(file)) {
      if (columns === null) {
        columns = resolveColumns(record, file, options);
        prev = { time: -Infinity, symbol: '', bytes: info.bytes };
        continue;
      }
      const line = info.lines;
      const bar = checkRow(record, columns, file, line);
      const time = bar.timestamp.getTime();
      const start = prev?.bytes ?? 0;
      const span = spans.get(bar.symbol);
      if (span === undefined) {
        spans.set(bar.symbol, {
          symbol: bar.symbol,
          first: bar.timestamp,
          last: bar.timestamp,
          count: 1,
          firstLine: line,
          lastLine: line,
          startByte: start,
          endByte: info.bytes,
          contiguous: true,
        });
      } else {
        const lastTime = span.last.getTime();
        if (time === lastTime) throw new BarInputError(file, line, `duplicate ${bar.symbol} bar at ${iso(bar.timestamp)} (also line ${span.lastLine})`);
        if (time < lastTime) {
          throw new BarInputError(
            file,
            line,
            `${bar.symbol} bar at ${iso(bar.timestamp)} comes after line ${span.lastLine} at ${iso(span.last)}: bars must be in time order`,
          );
        }
        if (prev?.symbol !== bar.symbol) span.contiguous = false;
        span.last = bar.timestamp;
        span.count += 1;
        span.lastLine = line;
        span.endByte = info.bytes;
      }
      if (prev !== null && (time < prev.time || (time === prev.time && bar.symbol <= prev.symbol))) ordered = false;
      prev = { time, symbol: bar.symbol, bytes: info.bytes };
    }
  } catch (err) {
    throw asInputError(file, err);
  }
  if (columns === null) throw new BarInputError(file, 1, 'empty file: expected a header line');
  return { file, columns, ordered, spans };
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
    list.sort((a, b) => a.span.first.getTime() - b.span.first.getTime());
    for (let i = 1; i < list.length; i++) {
      const earlier = list[i - 1];
      const later = list[i];
      if (earlier === undefined || later === undefined) continue;
      if (later.span.first.getTime() <= earlier.span.last.getTime()) {
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
    if (first !== undefined && last !== undefined) symbols.set(symbol, { symbol, first, last, count });
    bars += count;
  }
  return { files, symbols, bars, plans };
}

async function* fileBars(plan: FilePlan, only?: Span): AsyncGenerator<Bar[], void, undefined> {
  const range = only?.contiguous === true ? { start: only.startByte, end: only.endByte } : undefined;
  const filter = only !== undefined && range === undefined ? only.symbol : null;
  // Lines are counted, not tracked by the parser: exact unless the file has blank or multi-line
  // rows, and only a file changed since it was validated can be refused here.
  let line = range === undefined || only === undefined ? 0 : only.firstLine - 1;
  let header = range === undefined;
  try {
    for await (const records of csvRecordBatches(plan.file, range)) {
      const bars: Bar[] = [];
      for (const record of records) {
        line += 1;
        if (header) {
          header = false;
          continue;
        }
        if (filter !== null && symbolOf(record, plan.columns, plan.file, line) !== filter) continue;
        bars.push(toBar(record, plan.columns, plan.file, line));
      }
      yield bars;
    }
  } catch (err) {
    throw asInputError(plan.file, err);
  }
}

/** The streams one file is read as: itself when in (time, symbol) order, else one per symbol. */
function streamsOf(plan: FilePlan): AsyncIterable<Bar[]>[] {
  if (plan.ordered) return [fileBars(plan)];
  // A symbol's rows in one block are read by byte range; scattered rows by filtering the file.
  return [...plan.spans.values()].map((span) => fileBars(plan, span));
}

/**
 * All bars of all files in time order (ties by symbol), streamed: memory
 * holds one pending bar per stream, not the bars. Given paths, the files are
 * validated first, so a bad row is refused before the first bar is handed out.
 */
export async function* readBars(input: string | readonly string[] | ValidatedBars, options: BarReadOptions = {}): AsyncGenerator<Bar, void, undefined> {
  const validated = isValidated(input) ? input : await validateBars(input, options);
  yield* mergeBarBatches(validated.plans.flatMap(streamsOf));
}

function isValidated(input: string | readonly string[] | ValidatedBars): input is ValidatedBars {
  return typeof input === 'object' && 'plans' in input;
}

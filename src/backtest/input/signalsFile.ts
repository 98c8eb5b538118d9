/**
 * Signals files for the backtester: CSV (a header of TradingSignal wire
 * fields) or JSONL (one wire object per line), chosen by extension. Every
 * signal goes through the same schema as live signals, so a file is refused
 * for exactly what the webhook would refuse, with the file and line added.
 */
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { parseSignal, type TradingSignal } from '../../domain/signal.js';
import { SignalInputError } from './errors.js';

/** A file's signals in time order (the file's order among equal times), each with its line. */
export interface LoadedSignals {
  file: string;
  signals: readonly TradingSignal[];
  /** signal_id → the line it was read from, for refusals found later. */
  lines: ReadonlyMap<string, number>;
}

interface RawSignal {
  line: number;
  wire: unknown;
}

interface CsvRow {
  record: string[];
  info: { lines: number };
}

async function* csvSignals(file: string): AsyncGenerator<RawSignal, void, undefined> {
  const source = createReadStream(file);
  const parser = parse({ info: true, bom: true, skip_empty_lines: true, trim: true });
  source.on('error', (err) => parser.destroy(err));
  let header: string[] | null = null;
  for await (const { record, info } of source.pipe(parser) as AsyncIterable<CsvRow>) {
    if (header === null) {
      header = record.map((h) => h.trim().toLowerCase());
      continue;
    }
    // An empty cell is an absent field, so optional fields may be left blank.
    const wire: Record<string, string> = {};
    header.forEach((name, i) => {
      const value = record[i];
      if (value !== undefined && value !== '') wire[name] = value;
    });
    yield { line: info.lines, wire };
  }
}

async function* jsonlSignals(file: string): AsyncGenerator<RawSignal, void, undefined> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    let wire: unknown;
    try {
      wire = JSON.parse(text);
    } catch (err) {
      throw new SignalInputError(file, line, `not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw new SignalInputError(file, line, 'expected a JSON object');
    yield { line, wire };
  }
}

function rawSignals(file: string): AsyncGenerator<RawSignal, void, undefined> {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return csvSignals(file);
  if (ext === '.jsonl' || ext === '.ndjson') return jsonlSignals(file);
  throw new SignalInputError(file, null, `expected a .csv or .jsonl file, got "${ext}"`);
}

/** A csv-parse or file-system failure as a refusal naming the file and, when known, the line. */
function asInputError(file: string, err: unknown): unknown {
  if (err instanceof SignalInputError) return err;
  if (err instanceof Error && 'code' in err) {
    const e = err as Error & { code: string; lines?: number };
    if (e.code.startsWith('CSV_')) return new SignalInputError(file, e.lines ?? null, e.message.replace(/ on line \d+$/, ''));
    if (e.code === 'ENOENT') return new SignalInputError(file, null, 'no such file');
  }
  return err;
}

/**
 * Reads and checks every signal of the file; the first bad one refuses the
 * whole file (file, line, the schema's reasons), as does a signal_id used twice.
 */
export async function readSignals(file: string): Promise<LoadedSignals> {
  const read: { signal: TradingSignal; line: number }[] = [];
  const lines = new Map<string, number>();
  try {
    for await (const { line, wire } of rawSignals(file)) {
      const parsed = parseSignal(wire);
      if (!parsed.ok) throw new SignalInputError(file, line, parsed.problems.join('; '));
      const earlier = lines.get(parsed.signal.signalId);
      if (earlier !== undefined) throw new SignalInputError(file, line, `duplicate signal_id "${parsed.signal.signalId}" (also line ${earlier})`);
      lines.set(parsed.signal.signalId, line);
      read.push({ signal: parsed.signal, line });
    }
  } catch (err) {
    throw asInputError(file, err);
  }
  // Array sort is stable: signals at the same time keep the file's order.
  read.sort((a, b) => a.signal.timestamp.getTime() - b.signal.timestamp.getTime());
  return { file, signals: read.map((r) => r.signal), lines };
}

/** Refuses the first signal (in file order) whose ticker has no bars: it could never be filled. */
export function checkSignalsAgainstBars(loaded: LoadedSignals, symbols: ReadonlySet<string> | ReadonlyMap<string, unknown>): void {
  const missing = loaded.signals
    .filter((s) => !symbols.has(s.ticker))
    .map((s) => ({ s, line: loaded.lines.get(s.signalId) ?? 0 }))
    .sort((a, b) => a.line - b.line)[0];
  if (missing !== undefined) {
    throw new SignalInputError(loaded.file, missing.line, `signal "${missing.s.signalId}" is for ${missing.s.ticker}, which has no bars`);
  }
}

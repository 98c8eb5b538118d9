/**
 * `npm run bars -- --symbols AAPL,MSFT --from YYYY-MM-DD --to YYYY-MM-DD
 * --timeframe 1Day|1Hour|1Min --out FILE`: writes historical bars as the
 * backtester's CSV (symbol,timestamp,open,high,low,close,volume; exact
 * decimals) from the configured broker (BROKER and its variables, as the bot
 * reads them). Bars are cached in the database's `bars` table: only the parts
 * of the range never fetched are asked for, and a repeated run reads locally
 * without connecting to the broker at all.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { brokerRegistry } from '../src/broker/registry.js';
import { brokerSettings, ConfigError, loadConfig } from '../src/config.js';
import { openStore } from '../src/db/index.js';
import { BAR_TIMEFRAMES, type BarTimeframe } from '../src/domain/bars.js';
import { addDays, exchangeTime } from '../src/domain/marketTime.js';
import { toStorage } from '../src/domain/money.js';
import type { BarStore, TimeRange } from '../src/domain/ports/store.js';
import { fillCache } from '../src/backtest/history/fetchBars.js';
import { runWhenInvoked } from './runWhenInvoked.js';

export { fillCache };

export const USAGE = 'usage: npm run bars -- --symbols AAPL,MSFT --from YYYY-MM-DD --to YYYY-MM-DD --timeframe 1Day|1Hour|1Min --out FILE';

/** A bad argument: the message names the option and what it expected. */
export class BarsArgumentError extends Error {}

const day = (option: string) =>
  z
    .string({ message: `${option}: required (YYYY-MM-DD)` })
    .refine((text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), {
      message: `${option}: expected a real date YYYY-MM-DD`,
    });

const argsSchema = z
  .object({
    symbols: z
      .string({ message: '--symbols: required (e.g. AAPL,MSFT)' })
      .transform((text) => text.split(',').map((s) => s.trim().toUpperCase()))
      .refine((list) => list.length > 0 && list.every((s) => /^[A-Z][A-Z0-9.]{0,9}$/.test(s)), {
        message: '--symbols: expected tickers separated by commas (e.g. AAPL,MSFT)',
      })
      .transform((list) => [...new Set(list)]),
    from: day('--from'),
    to: day('--to'),
    timeframe: z.enum(BAR_TIMEFRAMES, { message: `--timeframe: expected one of ${BAR_TIMEFRAMES.join(', ')}` }),
    out: z.string({ message: '--out: required (the CSV file to write)' }).min(1, { message: '--out: required (the CSV file to write)' }),
  })
  .refine((a) => a.from <= a.to, { message: '--to: must not be before --from', path: ['to'] });

export interface BarsArgs {
  symbols: string[];
  timeframe: BarTimeframe;
  /** Bar times from the start of --from to the end of --to, New York days. */
  range: TimeRange;
  out: string;
}

/** Reads the command line; throws BarsArgumentError with every problem, one per line. */
export function parseBarsArgs(argv: readonly string[]): BarsArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { symbols: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, timeframe: { type: 'string' }, out: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BarsArgumentError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new BarsArgumentError(`${parsed.error.issues.map((i) => i.message).join('\n')}\n${USAGE}`);
  const a = parsed.data;
  return {
    symbols: a.symbols,
    timeframe: a.timeframe,
    range: { start: exchangeTime(a.from, 0, 0), end: new Date(exchangeTime(addDays(a.to, 1), 0, 0).getTime() - 1) },
    out: a.out,
  };
}

/** Writes the cached bars of `args` as CSV; returns the rows written. */
export async function writeCsv(args: BarsArgs, cache: BarStore): Promise<number> {
  await mkdir(dirname(args.out), { recursive: true });
  const file = createWriteStream(args.out);
  const done = new Promise<void>((resolve, reject) => {
    file.on('finish', resolve);
    file.on('error', reject);
  });
  file.write('symbol,timestamp,open,high,low,close,volume\n');
  let rows = 0;
  for (const symbol of args.symbols) {
    const bars = await cache.list(symbol, args.timeframe, args.range);
    const text = bars.map(
      (b) =>
        `${b.symbol},${b.timestamp.toISOString()},${toStorage(b.open)},${toStorage(b.high)},${toStorage(b.low)},${toStorage(b.close)},${toStorage(b.volume)}\n`,
    );
    if (text.length > 0) file.write(text.join(''));
    rows += bars.length;
  }
  file.end();
  await done;
  return rows;
}

export interface BarsRun {
  written: number;
  fetched: number;
}

/** The whole command, with the environment and the clock given (tests pass their own). */
export async function runBars(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): Promise<BarsRun> {
  const args = parseBarsArgs(argv);
  const config = loadConfig(env);
  const store = await openStore(config.dbPath);
  let disconnect: (() => Promise<void>) | null = null;
  try {
    const connect = async () => {
      // The bars need no saved paper account: the simulator is built fresh from its settings.
      const setup = await brokerRegistry.connect(config.broker, brokerSettings(config), { store: null, log: null, now });
      disconnect = () => setup.broker.disconnect();
      return setup.broker;
    };
    const fetched = await fillCache(args, store.bars, connect, now());
    const written = await writeCsv(args, store.bars);
    return { written, fetched };
  } finally {
    await (disconnect as (() => Promise<void>) | null)?.();
    await store.close();
  }
}

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    const { written, fetched } = await runBars(process.argv.slice(2));
    process.stdout.write(`wrote ${written} bars (${fetched} fetched from the broker, the rest from the cache)\n`);
    return 0;
  } catch (error) {
    if (error instanceof BarsArgumentError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    process.stderr.write(`bars failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

runWhenInvoked(import.meta.url, main);

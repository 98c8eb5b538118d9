/**
 * `npm run bench`: every benchmark, several runs each (BENCH_RUNS, default 5),
 * medians printed as Markdown tables. `npm run bench -- --write` also writes
 * them, with what each one measures, into docs/performance.md.
 * `npm run bench -- --only=startup` (a comma-separated list of section keys)
 * runs only those sections, printed but never written. Timings live here,
 * never in tests.
 */
import { writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { alpacaTable, requestsPerCycle, type SubmissionFigures, submissionOverhead } from './alpaca.js';
import { backtestTable, benchBacktest } from './backtest.js';
import { benchCalibration, calibrationTable } from './calibration.js';
import { benchSweep, sweepBenchTable } from './sweep.js';
import { benchDashboard, dashboardTable } from './dashboard.js';
import { benchEngine, type EngineFigures, engineTable } from './engine.js';
import { benchMarketData, marketDataTable } from './marketData.js';
import { benchOrderPath, type OrderPathFigures, orderPathTable } from './orderPath.js';
import { benchPersistence, type PersistenceFigures, persistenceTable } from './persistence.js';
import { benchReport, type ReportFigures, reportTable } from './report.js';
import { benchSimulator, type SimulatorFigures, simulatorTable } from './simulator.js';
import { benchStartup, canMeasureStartup, startupTable } from './startup.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WRITE = process.argv.includes('--write');
const DOC = new URL('../docs/performance.md', import.meta.url);
/** Section keys from `--only=a,b`; none given means every section. */
const ONLY =
  process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',') ?? null;
const SECTION_KEYS = [
  'startup',
  'order-path',
  'persistence',
  'simulator',
  'alpaca',
  'engine',
  'market-data',
  'report',
  'backtest',
  'sweep',
  'dashboard',
  'calibration',
];
const wanted = (key: string) => ONLY === null || ONLY.includes(key);

interface Section {
  title: string;
  /** What the figures mean, for the performance page. */
  about: string;
  table: string;
}

async function runs<T>(measure: () => T | Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < RUNS; i++) out.push(await measure());
  return out;
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

function page(sections: readonly Section[]): string {
  return [
    '# Performance',
    '',
    '`npm run bench` measures the bot on this machine and prints the tables below;',
    '`npm run bench -- --write` also rewrites this page with them. Each benchmark',
    'runs several times (`BENCH_RUNS`, default 5) and each figure is the median of',
    'those runs. Every benchmark uses a real SQLite file in the OS temp folder and',
    'the built-in simulator, so no account or network is needed. Figures depend on',
    'the machine (disk and system calls above all); compare figures from one run',
    'with each other rather than with another machine.',
    '',
    `Measured on: ${machine()}; ${RUNS} run${RUNS === 1 ? '' : 's'} per benchmark, medians.`,
    '',
    'µs is microseconds (a thousandth of a millisecond). p50 is the median of the',
    'measured operations, p99 the value 99% of them stay under.',
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', s.about, '', s.table, '']),
  ].join('\n');
}

async function main(): Promise<void> {
  if (ONLY !== null && WRITE) throw new Error('--write rewrites the whole page: run every section (no --only)');
  const unknown = ONLY?.filter((key) => !SECTION_KEYS.includes(key)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; the sections are ${SECTION_KEYS.join(', ')}`);
  console.log(`machine: ${machine()}; ${RUNS} runs, medians\n`);
  const sections: Section[] = [];
  const show = (section: Section) => {
    console.log(`${section.table}\n`);
    sections.push(section);
  };

  // First, while nothing else of the benchmark has run: each start is a fresh process.
  if (wanted('startup')) {
    show({
      title: 'Start-up',
      about: [
        '`npm start` runs the compiled JavaScript in dist/ (`node dist/src/main.js`), built by `npm install` and rebuilt by `npm start` when a source changed.',
        'Each run starts it in a pseudo-terminal, as a person at a terminal would, with only DB_PATH set (the default simulator broker, no Discord token) on a database an unmeasured first start created,',
        "and stops the clock at the console's first `> ` prompt; the CPU time and memory (RSS) are read from the process at that moment.",
        'The floors are what a bare Node.js costs on this machine: `node -e 0` starting and exiting, and the memory of a node that prints a prompt and waits.',
        'Then comes the same start from the TypeScript sources under tsx, for comparison,',
        "and what one more start loaded: the files (its own and its dependencies') and whether any library the console does not use (Discord, charts, the Alpaca SDK) was among them.",
        'Wall time depends on what else the machine is doing; the CPU time much less so.',
      ].join(' '),
      table: startupTable(canMeasureStartup() ? await benchStartup(RUNS) : null),
    });
  }

  if (wanted('order-path')) {
    show({
      title: 'Order path with the default simulator',
      about: [
        'A signal executed end to end as `npm start` runs it with the default `BROKER=sim`: the simulator saves its account to the same SQLite file after every command,',
        'writing only the orders, positions and prices that command changed, plus one small row (clock, cash, P&L).',
        'The run starts after 10,000 orders of history; the first and the last 1,000 signals show whether the cost grows as history does.',
        'The order submission is the broker call inside each signal: the simulator placing the bracket order and saving what changed.',
        'The floor is what placing one order can cost at least on this machine: the simulator engine alone placing the same order, plus one SQLite insert and commit, with nothing of the bot around them.',
      ].join(' '),
      table: orderPathTable(await runs<OrderPathFigures>(benchOrderPath)),
    });
  }

  if (wanted('persistence')) {
    show({
      title: 'Database writes',
      about:
        'What recording an order, its fill, a price mark and a closed position costs, on a real SQLite file (WAL mode) through the same repositories the bot uses.',
      table: persistenceTable(await runs(benchPersistence)),
    });
  }

  if (wanted('simulator')) {
    show({
      title: 'Simulator',
      about:
        'The built-in paper simulator alone, in memory and without saving anything: market orders submitted and filled per second, and price updates processed per second while 100 bracket orders are working.',
      table: simulatorTable(await runs(benchSimulator)),
    });
  }

  if (wanted('alpaca')) {
    const cycles = new Map<number, number>();
    for (const n of [1, 50, 500]) cycles.set(n, await requestsPerCycle(n));
    show({
      title: 'Alpaca adapter',
      about:
        "The Alpaca adapter (Alpaca's official SDK) against the simulator's Alpaca-compatible server on loopback: how many requests one monitor refresh makes as positions grow (counted at the server), and what an order submission through the adapter costs next to a raw HTTP POST of the same order.",
      table: alpacaTable(cycles, await runs(submissionOverhead)),
    });
  }

  if (wanted('engine')) {
    show({
      title: 'Trading engine',
      about: [
        'The trading engine with the simulator in-process, on a real SQLite file.',
        'The signal overhead is what the bot itself adds to each signal (parsing, risk checks, sizing, its own records), with every call into the broker timed and subtracted.',
        'The monitor cycle is one run of the monitor (reconciliation, marking every position, stop and target checks, risk limits) over 1,000 open bracket positions whose prices all moved.',
        'getPerformanceStats is the computation behind /stats over 100,000 closed trades.',
      ].join(' '),
      table: engineTable(await runs(benchEngine)),
    });
  }

  if (wanted('market-data')) {
    show({
      title: 'Market data',
      about: [
        'The market-data follower with 1,000 tickers subscribed and 1,000 open positions without broker legs (each trade checked against a stop and a target), on a real SQLite file, the simulator as the broker.',
        'Trades per second: a burst of decoded trades through the follower (latest price, the mark held for the next batch, the level checks) until the batch of marks is written, next to a bare loop putting the same trades in a Map.',
        'Latency: from a trade crossing a stop to the exit order handed to the broker, 300 crossings one at a time (the first 20 not counted), every broker call timed and subtracted; the floor is the level comparison and a call, nothing of ours around them.',
      ].join(' '),
      table: marketDataTable(await runs(benchMarketData)),
    });
  }

  if (wanted('report')) {
    show({
      title: 'Daily report',
      about:
        'Building the daily report with its equity chart image over 90 days of snapshots and 10,000 closed trades, each run in a fresh process (cold start), and the memory it takes.',
      table: reportTable(await runs<ReportFigures>(benchReport)),
    });
  }

  if (wanted('backtest')) {
    show({
      title: 'Backtesting',
      about: [
        'The backtester (`npm run backtest`) over generated daily bars CSV files in (time, symbol) order, each run on its own in-memory SQLite store as the command uses.',
        'Bars per second with no signals: the validating pass (every row checked before anything runs), the bars input (that pass, then the rows read and merged in time order), the replay of bars already validated (reading, the broker, the equity curve and buy and hold at every bar time, the summary), and the whole replay (both passes),',
        'next to the floor: the same file read with a plain Node.js stream and split into lines, nothing parsed.',
        'Then a realistic run, 10 years of daily bars for 500 symbols with 10,000 buy signals (stops 5% below and targets 5% above the signal price), end to end, each run in a fresh process so its peak memory (RSS) is its own,',
        'and the same over a quarter of the bars, which shows whether memory grows with the number of bars (the bars are streamed, not loaded whole).',
      ].join(' '),
      table: backtestTable(await benchBacktest(RUNS)),
    });
  }

  if (wanted('sweep')) {
    show({
      title: 'Backtest sweeps',
      about: [
        'A sweep of four combinations (`--sweep sizing=percent,risk --sweep slippage_bps=0,5`) over generated daily bars with buy signals,',
        'run on one worker thread and then on two (this machine has two cores); the two give identical figures (checked), and the speed-up is the ratio of their wall times.',
      ].join(' '),
      table: sweepBenchTable(await benchSweep(RUNS)),
    });
  }

  if (wanted('dashboard')) {
    show({
      title: 'Dashboard',
      about: [
        'The web dashboard over a large book: 1,000 open positions and 100,000 closed trades on a real SQLite file, 90 days of equity.',
        'Each page is requested 40 times in a row over loopback HTTP as a logged-in browser would (after two unmeasured requests), timed from the request to the last byte;',
        'the size is the page as sent. The trades pages read one page of rows through the index, never the whole table.',
        'The floor is a bare Node.js HTTP server answering the same number of bytes with nothing rendered or read.',
        'Then the live positions page: marking the 1,000 positions to new prices (as a monitor cycle does) with no dashboard, which is the floor, and with the dashboard running but no page open;',
        'how many trading-event listeners the dashboard holds with no page open and with one positions page open; and the time from a mark to the page update arriving on an open stream,',
        'which includes the quarter second the stream waits to gather a burst of changes into one update.',
      ].join(' '),
      table: dashboardTable(await runs(benchDashboard)),
    });
  }

  if (wanted('calibration')) {
    show({
      title: 'Calibrated sizing',
      about: [
        'Refitting one strategy of 10,000 closed trades (the Beta-binomial rate, the isotonic map by pool adjacent violators, the average win and loss), on trades already in memory as the calibration keeps them,',
        'next to the floor: one pass over the same trades counting the wins, the least any fit does; then the first use, which also reads the trades, joined to their signals, from a real SQLite file.',
        'Then sizing one signal with calibrated Kelly on a fitted strategy (the estimate from the cached fit, as the executor gets it, and the sizing), 20,000 times, next to raw Kelly sizing of the same signal, the floor.',
      ].join(' '),
      table: calibrationTable(await runs(benchCalibration)),
    });
  }

  if (WRITE) {
    writeFileSync(DOC, page(sections));
    console.log(`written: ${DOC.pathname}`);
  }
}

// Figures types kept referenced for readers of this file.
export type { EngineFigures, PersistenceFigures, SimulatorFigures, SubmissionFigures };

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

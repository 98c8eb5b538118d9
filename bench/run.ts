/**
 * `npm run bench`: every benchmark, several runs each, medians printed as
 * Markdown tables (the README quotes them). Timings live here, never in tests.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { alpacaTable, requestsPerCycle, type SubmissionFigures, submissionOverhead } from './alpaca.js';
import { benchEngine, type EngineFigures, engineTable } from './engine.js';
import { benchReport, type ReportFigures, reportTable } from './report.js';
import { benchPersistence, type PersistenceFigures, persistenceTable } from './persistence.js';
import { benchOrderPath, type OrderPathFigures, orderPathTable } from './orderPath.js';
import { benchSimulator, type SimulatorFigures, simulatorTable } from './simulator.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** `npm run bench -- --write` also writes every table into docs/performance.md. */
const WRITE = process.argv.includes('--write');
const printed: string[] = [];

function show(text: string): void {
  printed.push(text.trim());
  console.log(text);
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${RUNS} runs, medians`;
  console.log(`machine: ${machine}\n`);

  const orderPath: OrderPathFigures[] = [];
  for (let i = 0; i < RUNS; i++) orderPath.push(await benchOrderPath());
  show(orderPathTable(orderPath));

  const persistence: PersistenceFigures[] = [];
  for (let i = 0; i < RUNS; i++) persistence.push(await benchPersistence());
  show(persistenceTable(persistence));

  const simulator: SimulatorFigures[] = [];
  for (let i = 0; i < RUNS; i++) simulator.push(benchSimulator());
  show(`\n${simulatorTable(simulator)}`);

  const cycles = new Map<number, number>();
  for (const n of [1, 50, 500]) cycles.set(n, await requestsPerCycle(n));
  const submissions: SubmissionFigures[] = [];
  for (let i = 0; i < RUNS; i++) submissions.push(await submissionOverhead());
  show(`\n${alpacaTable(cycles, submissions)}`);

  const engine: EngineFigures[] = [];
  for (let i = 0; i < RUNS; i++) engine.push(await benchEngine());
  show(`\n${engineTable(engine)}`);

  const reports: ReportFigures[] = [];
  for (let i = 0; i < RUNS; i++) reports.push(await benchReport());
  show(`\n${reportTable(reports)}`);

  if (WRITE) {
    writeFileSync(new URL('../docs/performance.md', import.meta.url), performanceDoc(machine, printed));
    console.log('\nwritten: docs/performance.md');
  }
}

function performanceDoc(machine: string, tables: readonly string[]): string {
  return [
    '# Performance',
    '',
    'Written by `npm run bench -- --write` (`BENCH_RUNS` sets the number of runs; 5 by default). Each figure is the median',
    'over the runs, measured against its floor: what the same work costs with nothing of ours around it. Timings are',
    'measured here, never asserted in tests.',
    '',
    `Machine: ${machine}.`,
    '',
    tables.join('\n\n'),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * `npm run bench`: every benchmark, several runs each, medians printed as
 * Markdown tables (the README quotes them). Timings live here, never in tests.
 */
import { cpus, totalmem } from 'node:os';
import { alpacaTable, requestsPerCycle, type SubmissionFigures, submissionOverhead } from './alpaca.js';
import { benchEngine, type EngineFigures, engineTable } from './engine.js';
import { benchReport, type ReportFigures, reportTable } from './report.js';
import { benchPersistence, type PersistenceFigures, persistenceTable } from './persistence.js';
import { benchSimulator, type SimulatorFigures, simulatorTable } from './simulator.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${RUNS} runs, medians\n`);

  const persistence: PersistenceFigures[] = [];
  for (let i = 0; i < RUNS; i++) persistence.push(await benchPersistence());
  console.log(persistenceTable(persistence));

  const simulator: SimulatorFigures[] = [];
  for (let i = 0; i < RUNS; i++) simulator.push(benchSimulator());
  console.log(`\n${simulatorTable(simulator)}`);

  const cycles = new Map<number, number>();
  for (const n of [1, 50, 500]) cycles.set(n, await requestsPerCycle(n));
  const submissions: SubmissionFigures[] = [];
  for (let i = 0; i < RUNS; i++) submissions.push(await submissionOverhead());
  console.log(`\n${alpacaTable(cycles, submissions)}`);

  const engine: EngineFigures[] = [];
  for (let i = 0; i < RUNS; i++) engine.push(await benchEngine());
  console.log(`\n${engineTable(engine)}`);

  const reports: ReportFigures[] = [];
  for (let i = 0; i < RUNS; i++) reports.push(await benchReport());
  console.log(`\n${reportTable(reports)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

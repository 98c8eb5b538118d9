/**
 * Runs a sweep's combinations in worker threads, one per core by default:
 * each worker takes the next combination when it finishes one, and the
 * summaries come back in the grid's order whatever order they finish in.
 * Every run is a whole backtest on its own scratch store, so a combination's
 * figures are those it has when run alone.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { BacktestSummary } from '../replay.js';
import { describeCombination, type Combination } from './grid.js';
import type { SweepTask } from './run.js';

/** What every worker is started with. */
export interface WorkerData {
  task: SweepTask;
  /** The sweep's temp folder: each run's scratch folder is made in it. */
  scratch: string;
}

export interface WorkerRequest {
  index: number;
  combination: Combination;
}

export type WorkerReply = { index: number; ok: true; summary: BacktestSummary } | { index: number; ok: false; message: string; input: boolean };

/** A combination that failed: names it; `input` when the cause is the inputs (a bad file, a strategy's error), not the program. */
export class SweepError extends Error {
  constructor(
    message: string,
    readonly combination: Combination,
    readonly input: boolean,
  ) {
    super(message);
    this.name = 'SweepError';
  }
}

export interface SweepRunOptions {
  /** Worker threads to use (default: one per core); never more than there are combinations. */
  workers?: number;
  /** Told after each combination: how many are done, of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Where the sweep's scratch folder is made (default: the OS temp folder). */
  scratchParent?: string;
}

const tsxExports = z.object({ exports: z.object({ './esm/api': z.object({ import: z.object({ default: z.string() }) }) }) });

/** tsx's programmatic loader, found through its own package exports (it is a dev dependency: only present where sources run as .ts). */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const entry = tsxExports.parse(JSON.parse(readFileSync(manifest, 'utf8'))).exports['./esm/api'].import.default;
  return pathToFileURL(join(dirname(manifest), entry)).href;
}

/**
 * A worker on worker.ts when this module runs as TypeScript (tsx, vitest),
 * or on the compiled worker.js. A worker thread does not inherit a loader
 * registered in its parent, and on Node 20 one given as `--import` does not
 * reach the worker's entry, so the TypeScript worker first registers tsx and
 * then imports its entry.
 */
function startWorker(workerData: WorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData });
  const entry = new URL('./worker.ts', here).href;
  const code = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData, execArgv: [] });
}

/** The summaries of every combination, in the grid's order; the first failure stops the sweep and is thrown as a SweepError. */
export async function runSweep(task: SweepTask, combinations: readonly Combination[], options: SweepRunOptions = {}): Promise<BacktestSummary[]> {
  const total = combinations.length;
  if (total === 0) return [];
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), total));
  const results: BacktestSummary[] = [];
  const workers: Worker[] = [];
  // Every run's scratch folder is made in this one: a run stopped mid-way (its worker ended on another's failure) leaves nothing behind.
  const scratch = await mkdtemp(join(options.scratchParent ?? tmpdir(), 'catalyst-sweep-'));
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const feed = (worker: Worker) => {
        const combination = combinations[next];
        if (combination === undefined) return;
        worker.postMessage({ index: next, combination } satisfies WorkerRequest);
        next += 1;
      };
      for (let i = 0; i < count; i++) {
        const worker = startWorker({ task, scratch });
        workers.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          if (settled) return;
          if (!reply.ok) {
            const combination = combinations[reply.index] ?? [];
            fail(new SweepError(`sweep combination ${describeCombination(combination)} failed: ${reply.message}`, combination, reply.input));
            return;
          }
          results[reply.index] = reply.summary;
          done += 1;
          options.onProgress?.(done, total);
          if (done === total) {
            settled = true;
            resolve();
          } else {
            feed(worker);
          }
        });
        worker.on('error', (error) => fail(new Error(`a sweep worker failed: ${error.message}`)));
        worker.on('exit', (code) => fail(new Error(`a sweep worker stopped (exit code ${code}) before the sweep was done`)));
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await rm(scratch, { recursive: true, force: true });
  }
  return results;
}

/**
 * A sweep worker thread: receives the task once (workerData), then runs one
 * combination per message and answers with its summary or its failure. Runs
 * are one at a time, so a worker uses one core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BarInputError, SignalInputError } from '../input/errors.js';
import { StrategyError } from '../strategy/runner.js';
import { runCombination } from './run.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './pool.js';

/** Failures of the inputs (a bad file, a strategy that throws): the command's user can fix them. */
function isInputError(error: unknown): boolean {
  return error instanceof BarInputError || error instanceof SignalInputError || error instanceof StrategyError || error instanceof RangeError;
}

const port = parentPort;
if (port === null) throw new Error('the sweep worker runs in a worker thread only');
const { task, scratch } = workerData as WorkerData;

port.on('message', (request: WorkerRequest) => {
  runCombination(task, request.combination, scratch).then(
    (summary) => port.postMessage({ index: request.index, ok: true, summary } satisfies WorkerReply),
    (error: unknown) =>
      port.postMessage({
        index: request.index,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
        input: isInputError(error),
      } satisfies WorkerReply),
  );
});

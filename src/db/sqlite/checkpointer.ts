/**
 * WAL checkpoints off the order path. SQLite's automatic checkpoint runs
 * inside whichever commit crosses the threshold, copying pages and syncing
 * the file while the event loop waits: a signal that happens to commit then
 * pays milliseconds. Here a worker thread with its own connection runs a
 * PASSIVE checkpoint (it never blocks the writer) every interval, and the
 * main connection's automatic checkpoint is moved to a far threshold that is
 * only a safety net. Should the worker fail, the usual threshold returns.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** SQLite's default threshold (pages), restored if the worker stops. */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** Safety net while the worker runs: ~40 MB of WAL at 4 KiB pages. */
const NET_AUTOCHECKPOINT = 10_000;

// Plain CommonJS (eval) so it runs the same under node, tsx and vitest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker and closes its connection; resolves once it has exited. */
  stop(): Promise<void>;
}

interface Pragmas {
  pragma(source: string): unknown;
}

export function startCheckpointer(path: string, main: Pragmas, intervalMs = 500): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, intervalMs } });
  // A checkpointer must never keep the process alive on its own.
  worker.unref();
  main.pragma(`wal_autocheckpoint = ${NET_AUTOCHECKPOINT}`);
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      if (!stopping) main.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
      resolve();
    });
  });
  // An error ends the worker ('exit' follows); the fallback above takes over.
  worker.on('error', () => undefined);
  return {
    stop: async () => {
      stopping = true;
      // Awaited now: the exit must keep the process alive until it comes.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}

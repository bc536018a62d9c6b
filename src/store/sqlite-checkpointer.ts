// Checkpointing SQLite's write-ahead log on another thread. By default SQLite copies the log into the
// database file, and syncs both, inside whichever commit grows the log past 1,000 pages: an evaluation
// that opens thousands of events paid for it on the event loop, hundreds of milliseconds in a storm. Here
// a worker thread with a connection of its own checkpoints once a second (PASSIVE: it never waits for, nor
// blocks, a reader or a writer), while the service's connection checkpoints itself only past a far
// larger log, a backstop should the worker ever stop. Durability is SQLite's either way: a commit is in
// the log before it returns, and a checkpoint only moves committed pages.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The service's own connection checkpoints only past this many pages of log (4 KiB each). */
export const BACKSTOP_CHECKPOINT_PAGES = 25_000;

const CHECKPOINT_INTERVAL_MS = 1_000;

// Evaluated as CommonJS in the worker: the same source runs from the TypeScript sources (tests, tsx)
// and from the build, with no file of its own to locate.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  // The service may have closed, even deleted, the database first; nothing is left to do then.
  try {
    db.close();
  } catch {}
  parentPort.close();
});
`;

export interface SqliteCheckpointer {
  /** Stops checkpointing and closes the worker's connection; the service's close checkpoints the rest. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing the WAL of the SQLite database at `file` (which must exist) on a worker thread;
 * `onError` hears a checkpoint that failed (the next one tries again).
 */
export function startSqliteCheckpointer(
  file: string,
  onError: (message: string) => void,
): SqliteCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  // The worker never keeps the process alive; an unexpected end leaves the backstop to checkpoint.
  worker.unref();
  // Once stopping, the database may be gone already (a service stopped as soon as it started): the
  // worker's failure to open it then is no news.
  let stopping = false;
  const report = (message: string) => {
    if (!stopping) onError(message);
  };
  worker.on('message', (message: { error?: string }) => {
    if (message.error) report(message.error);
  });
  worker.on('error', (error) => report(String(error)));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      await exited;
    },
  };
}

/**
 * Where the engine takes parsed rows from: {@link parseFile} in its own thread (small files), or in a
 * worker thread (large files), so that CSV splitting, decoding and row checks run beside the SQLite
 * writes. Both give the same messages in the same order.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseFile, type ParseJob, type ParseMessage } from './parse-rows.js';

/** Files from this size up are parsed in a worker thread (below, starting one costs more than it saves). */
export const WORKER_FROM_BYTES = 8 * 1024 * 1024;

export interface RowSource {
  /** The next message; after `end` or `error` there is none. */
  next(): Promise<ParseMessage>;
  /** Stops reading (ends the worker). */
  close(): Promise<void>;
}

/** Parses in this thread. */
export function inlineRows(job: ParseJob): RowSource {
  const it = parseFile(job);
  return {
    async next() {
      const r = await it.next();
      return r.done ? { type: 'error', name: 'Error', message: 'the parser stopped without an end' } : r.value;
    },
    async close() {
      await it.return(undefined);
    },
  };
}

let bundled: Promise<string | null> | null = null;

/**
 * The worker's code as one CommonJS script, bundled once per process with esbuild (present with
 * tsx, which runs the project): a thread that runs it needs no TypeScript loader, which would cost
 * it ~20 MB more (a loader thread of its own). Null when the sources are not TypeScript or esbuild
 * is not there: the thread then starts from `parse-rows.worker.mjs`.
 */
function bundledWorker(): Promise<string | null> {
  bundled ??= (async () => {
    const entry = fileURLToPath(new URL('./parse-rows.worker.ts', import.meta.url));
    if (!existsSync(entry)) return null;
    try {
      const esbuild = await import('esbuild');
      const out = await esbuild.build({ entryPoints: [entry], bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'silent' });
      return out.outputFiles[0]?.text ?? null;
    } catch {
      return null;
    }
  })();
  return bundled;
}

/** Parses in a worker thread; messages wait in a queue of at most a few batches (the worker waits for acks). */
export async function workerRows(job: ParseJob, how: { bundle?: boolean } = {}): Promise<RowSource> {
  const code = how.bundle === false ? null : await bundledWorker();
  // The parser needs little heap; a small young generation keeps the thread's RSS small.
  const options = { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 4 } };
  const worker = code === null ? new Worker(new URL('./parse-rows.worker.mjs', import.meta.url), options) : new Worker(code, { ...options, eval: true });
  const queue: ParseMessage[] = [];
  let waiting: ((m: ParseMessage) => void) | null = null;
  let finished = false;
  const deliver = (m: ParseMessage) => {
    if (finished) return;
    if (m.type === 'end' || m.type === 'error') finished = true;
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(m);
    } else queue.push(m);
  };
  worker.on('message', (m: ParseMessage) => deliver(m));
  worker.on('error', (err) => deliver({ type: 'error', name: 'Error', message: `the parsing thread failed: ${err.message}` }));
  worker.on('exit', (code) => deliver({ type: 'error', name: 'Error', message: `the parsing thread stopped (exit code ${code})` }));
  const ack = (m: ParseMessage) => {
    if (m.type === 'rows') worker.postMessage('ack');
    return m;
  };
  return {
    next() {
      const m = queue.shift();
      if (m) return Promise.resolve(ack(m));
      return new Promise((resolve) => {
        waiting = (x) => resolve(ack(x));
      });
    },
    async close() {
      finished = true;
      await worker.terminate();
    },
  };
}

/** The row source for a file of `size` bytes (`worker`: force one way). */
export async function openRows(job: ParseJob, size: number, worker?: boolean): Promise<RowSource> {
  return (worker ?? size >= WORKER_FROM_BYTES) ? workerRows(job) : inlineRows(job);
}

/**
 * The import's parsing thread: runs {@link parseFile} on the job it is given and posts each message to
 * the engine, at most {@link MAX_UNACKED} row batches ahead of it (the engine acks each batch it
 * takes), so a file larger than memory never piles up in the message queue. `row-source.ts` runs it
 * as one bundled script (no TypeScript loader in the thread), or through `parse-rows.worker.mjs`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseFile, type ParseJob } from './parse-rows.js';

export const MAX_UNACKED = 3;

const port = parentPort!;
let unacked = 0;
let wake: (() => void) | null = null;
port.on('message', (m: unknown) => {
  if (m !== 'ack') return;
  unacked--;
  const w = wake;
  wake = null;
  w?.();
});

async function run(): Promise<void> {
  for await (const message of parseFile(workerData as ParseJob)) {
    port.postMessage(message);
    if (message.type === 'rows' && ++unacked >= MAX_UNACKED) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }
  port.unref();
}

void run();

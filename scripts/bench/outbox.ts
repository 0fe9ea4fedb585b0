import path from 'node:path';
import { Queue, Worker, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Transport } from '../../src/core/messages.js';
import { Outbox, type EnqueueRequest } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { Sender, type SettledEvent } from '../../src/outbox/sender.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';
import { Queues, queueNames } from '../../src/platform/queue/queues.js';
import { redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import { NO_QUIET_HOURS, testOutboxOptions, testSenderOptions } from '../../test/support/harness.js';
import { chatText, type Population } from './data.js';
import { measure } from './measure.js';
import type { Measurement } from './table.js';

export const OUTBOX_CHUNK = 1000;
export const OUTBOX_CONCURRENCY = 50;
const RAW = 'outbox: raw BullMQ addBulk + Worker';
const RAW_SAME_OPTS = 'outbox: raw BullMQ, outbox job opts';
/** Time for a freshly created worker to connect before the clock starts (same for every variant). */
const WORKER_WARMUP_MS = 300;
/** Abort a measurement when nothing completes for this long. */
const STALL_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let prefixSeq = 0;
const freshPrefix = () => `bench${process.pid}x${++prefixSeq}`;

/** Sends nothing, instantly; always logged in. */
const nullTransport: Transport = { isReady: () => true, send: async () => ({}) };

/** `n` reply requests to members, with Chinese text. */
export function makeReplies(n: number, pop: Population, rnd: () => number): EnqueueRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `bench-reply:${i}`,
    target: { kind: 'contact' as const, id: pop.members[i % pop.members.length]!.id },
    content: { kind: 'text' as const, text: `您好，${chatText(rnd)}` },
    purpose: 'reply' as const,
  }));
}

/**
 * Resolves once `done()` reaches `n` (call `bump` after each change); rejects when it stops moving
 * for STALL_MS. `cancel` stops the watchdog when the measurement ends another way.
 */
function untilCount(n: number, done: () => number, what: string): { promise: Promise<void>; bump: () => void; cancel: () => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // observed by the caller's await; never an unhandled rejection
  let last = -1;
  const watchdog = setInterval(() => {
    const now = done();
    if (now === last) {
      clearInterval(watchdog);
      reject(new Error(`${what}: stalled at ${now}/${n} for ${STALL_MS / 1000}s`));
    }
    last = now;
  }, STALL_MS);
  watchdog.unref();
  const cancel = () => clearInterval(watchdog);
  const bump = () => {
    if (done() >= n) {
      cancel();
      resolve();
    }
  };
  if (n === 0) bump();
  return { promise, bump, cancel };
}

/**
 * The raw BullMQ baseline: `addBulk` in chunks of 1,000, a Worker with concurrency 50 and an empty
 * processor, until every job has completed. `sameOpts` gives the jobs the outbox's options (a job
 * id per row, priority 1 = prioritized set) instead of plain FIFO jobs.
 */
export function benchRawBullmq(n: number, redisUrl: string, sameOpts: boolean): Promise<Measurement> {
  const name = sameOpts ? RAW_SAME_OPTS : RAW;
  return measure(
    name,
    n,
    async (sw) => {
      const connection = redisOptionsFromUrl(redisUrl) as ConnectionOptions;
      const prefix = freshPrefix();
      const queue = new Queue('raw', { connection, prefix });
      const worker = new Worker('raw', async () => undefined, {
        connection: { ...(connection as object), maxRetriesPerRequest: null } as ConnectionOptions,
        prefix,
        concurrency: OUTBOX_CONCURRENCY,
      });
      let completed = 0;
      const wait = untilCount(n, () => completed, name);
      try {
        worker.on('error', () => undefined);
        worker.on('completed', () => {
          completed++;
          wait.bump();
        });
        await queue.waitUntilReady();
        await worker.waitUntilReady();
        await sleep(WORKER_WARMUP_MS);
        sw.start();
        for (let i = 0; i < n; i += OUTBOX_CHUNK) {
          const jobs = [];
          for (let j = i; j < Math.min(n, i + OUTBOX_CHUNK); j++) {
            const opts: JobsOptions = sameOpts ? { jobId: `ob-${j + 1}`, priority: 1, removeOnComplete: true, removeOnFail: true } : { removeOnComplete: true };
            jobs.push({ name: 'send', data: { id: j + 1 }, opts });
          }
          await queue.addBulk(jobs);
        }
        await wait.promise;
        sw.stop();
        return {};
      } finally {
        wait.cancel();
        await worker.close();
        await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
      }
    },
    RAW,
  );
}

/** Knobs for experiments (scripts/bench/experiments): the bench itself uses the defaults. */
export interface OutboxVariant {
  /** Row name; default `outbox: enqueueMany + Sender`. */
  name?: string;
  /** The repo the Outbox and Sender share; default `new OutboxRepo(db)`. */
  makeRepo?: (db: Db) => OutboxRepo;
  /** Extra pragmas after openDb, e.g. `wal_autocheckpoint = 10000`. */
  pragmas?: string[];
  /** Changes the Sender before it starts (experiments only). */
  patchSender?: (sender: Sender) => void;
}

let dbSeq = 0;

/**
 * The real path: `outbox.enqueueMany` in chunks of 1,000 (SQLite rows, then jobs), a Sender with
 * concurrency 50, budgets and gaps off, a null transport, until every row is `sent`.
 */
export function benchOutbox(requests: EnqueueRequest[], redisUrl: string, dir: string, variant: OutboxVariant = {}): Promise<Measurement> {
  const n = requests.length;
  const name = variant.name ?? 'outbox: enqueueMany + Sender';
  return measure(
    name,
    n,
    async (sw) => {
      const db = openDb(path.join(dir, `outbox-${++dbSeq}.db`));
      for (const p of variant.pragmas ?? []) db.$client.pragma(p);
      const repo = variant.makeRepo?.(db) ?? new OutboxRepo(db);
      const queues = new Queues(redisOptionsFromUrl(redisUrl), freshPrefix());
      const logger = silentLogger();
      const outbox = new Outbox(repo, queues, systemClock, logger, testOutboxOptions({ quietHours: NO_QUIET_HOURS }));
      const sender = new Sender(
        repo,
        queues,
        outbox,
        nullTransport,
        systemClock,
        logger,
        testSenderOptions({ concurrency: OUTBOX_CONCURRENCY, ratePerMinute: 0, gapMinMs: 0, gapMaxMs: 0 }),
        `bench-${process.pid}`,
      );
      const seen: Partial<Record<SettledEvent['status'], number>> = {};
      let sent = 0;
      const wait = untilCount(n, () => sent, name);
      try {
        sender.on('settled', (e: SettledEvent) => {
          seen[e.status] = (seen[e.status] ?? 0) + 1;
          if (e.status === 'sent') {
            sent++;
            wait.bump();
          }
        });
        variant.patchSender?.(sender);
        sender.start(true);
        await queues.queue(queueNames.outbox('main')).waitUntilReady();
        await sleep(WORKER_WARMUP_MS);
        sw.start();
        for (let i = 0; i < n; i += OUTBOX_CHUNK) await outbox.enqueueMany(requests.slice(i, i + OUTBOX_CHUNK));
        await wait.promise;
        sw.stop();
        const byStatus = repo.countByStatus();
        const events = Object.entries(seen)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        const note = `outbox: rows by status ${JSON.stringify(byStatus)}; settled events ${events}`;
        return { note, ...(byStatus['sent'] !== n ? { problem: `${n - (byStatus['sent'] ?? 0)} of ${n} rows not sent` } : {}) };
      } finally {
        wait.cancel();
        await sender.close();
        await queues.close();
        closeDb(db);
      }
    },
    RAW,
  );
}

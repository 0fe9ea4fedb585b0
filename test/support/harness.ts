import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { parseWindow } from '../../src/core/time.js';
import { Outbox, type OutboxOptions } from '../../src/outbox/outbox.js';
import { OutboxRepo } from '../../src/outbox/outbox.repo.js';
import { Sender, type SenderOptions, type SettledEvent } from '../../src/outbox/sender.js';
import type { OutboxAccounts } from '../../src/outbox/routing.js';
import { closeDb, openDb, type Db } from '../../src/platform/db/client.js';
import { Liveness } from '../../src/platform/queue/liveness.js';
import { Queues } from '../../src/platform/queue/queues.js';
import { redisOptionsFromUrl } from '../../src/platform/redis/url.js';
import { RecordingTransport } from './transport.js';

/** A temp directory removed by the returned function. */
export function tempDir(prefix = 'siyu-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const testSenderOptions = (over: Partial<SenderOptions> = {}): SenderOptions => ({
  account: 'main',
  timezone: 'Asia/Shanghai',
  quietHours: parseWindow('21:30-08:30')!,
  marketingCapPerDay: 1,
  ratePerMinute: 0,
  gapMinMs: 0,
  gapMaxMs: 0,
  maxAttempts: 3,
  retryBaseMs: 50,
  concurrency: 1,
  idlePollMs: 50,
  ...over,
});

/** Outbox options for tests and benchmarks: account `main`, Shanghai, quiet hours 21:30–08:30 unless `over` says otherwise. */
export const testOutboxOptions = (over: Partial<OutboxOptions> = {}): OutboxOptions => ({
  defaultAccount: 'main',
  timezone: 'Asia/Shanghai',
  quietHours: parseWindow('21:30-08:30')!,
  ...over,
});

/** No quiet hours (benchmarks measure the path, not the night). */
export const NO_QUIET_HOURS = { startMinute: 0, endMinute: 0 } as const;

/** One bot process's outbox over a real Redis and a real SQLite file, with a recording transport. */
export interface OutboxHarness {
  db: Db;
  repo: OutboxRepo;
  queues: Queues;
  outbox: Outbox;
  sender: Sender;
  liveness: Liveness;
  transport: RecordingTransport;
  /** Resolves with the first settled event for row `id` whose status is in `statuses`. */
  settled(id: number, statuses: SettledEvent['status'][]): Promise<SettledEvent>;
  close(): Promise<void>;
}

export async function outboxHarness(opts: {
  redisUrl: string;
  dbFile: string;
  clock: Clock;
  prefix?: string;
  sender?: Partial<SenderOptions>;
  outbox?: Partial<OutboxOptions>;
  /** Routing over several accounts (OutboxOptions.accounts), built on the harness's store. */
  accounts?: (db: Db) => OutboxAccounts;
}): Promise<OutboxHarness> {
  const db = openDb(opts.dbFile);
  const repo = new OutboxRepo(db);
  const queues = new Queues({ ...redisOptionsFromUrl(opts.redisUrl) }, opts.prefix ?? `t${randomUUID().slice(0, 8)}`);
  const logger = silentLogger();
  const liveness = new Liveness(queues, 2000);
  await liveness.start();
  const transport = new RecordingTransport();
  const outbox = new Outbox(repo, queues, opts.clock, logger, testOutboxOptions({ ...opts.outbox, ...(opts.accounts ? { accounts: opts.accounts(db) } : {}) }));
  const sender = new Sender(repo, queues, outbox, transport, opts.clock, logger, testSenderOptions(opts.sender), liveness.instanceId);
  const events: SettledEvent[] = [];
  const waiters: { id: number; statuses: SettledEvent['status'][]; resolve: (e: SettledEvent) => void }[] = [];
  sender.on('settled', (e: SettledEvent) => {
    events.push(e);
    for (const w of waiters.filter((x) => x.id === e.id && x.statuses.includes(e.status))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  return {
    db,
    repo,
    queues,
    outbox,
    sender,
    liveness,
    transport,
    settled: (id, statuses) => {
      const seen = events.find((e) => e.id === id && statuses.includes(e.status));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ id, statuses, resolve }));
    },
    close: async () => {
      await sender.close();
      await liveness.stop();
      await queues.close();
      closeDb(db);
    },
  };
}

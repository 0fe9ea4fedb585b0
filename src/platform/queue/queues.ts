import { Queue, Worker, type ConnectionOptions, type Processor, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';

/** Queue names: two outbox queues per sending account (its lanes: `now` and `paced`), one for schedules. */
export const queueNames = {
  outbox: (account: string, lane: 'now' | 'paced' = 'now') => (lane === 'now' ? `outbox-${account}` : `outbox-${account}-paced`),
  schedules: 'schedules',
} as const;

/**
 * Makes and remembers BullMQ queues and workers over one Redis, under one key prefix, and closes
 * them all once (memoised), workers first.
 */
export class Queues {
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Set<Worker>();
  private closing: Promise<void> | null = null;
  private plain: Redis | null = null;

  constructor(readonly connection: ConnectionOptions, readonly prefix: string) {}

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      q.on('error', () => { /* reported by the worker and /healthz; a queue error alone is not fatal */ });
      this.queues.set(name, q);
    }
    return q;
  }

  worker<D = unknown>(name: string, processor: Processor<D>, opts: Omit<WorkerOptions, 'connection' | 'prefix'> = {}): Worker<D> {
    const w = new Worker<D>(name, processor, {
      ...opts,
      connection: { ...(this.connection as object), maxRetriesPerRequest: null } as ConnectionOptions,
      prefix: this.prefix,
    });
    this.workers.add(w as Worker);
    return w;
  }

  /**
   * A worker that fetches jobs only when asked (`getNextJob`): the sender takes a job when its budget
   * has a slot, not when BullMQ has one. Stalled jobs of dead processes are still moved back.
   */
  manualWorker<D = unknown>(name: string, opts: Omit<WorkerOptions, 'connection' | 'prefix' | 'autorun'> = {}): Worker<D> {
    const w = new Worker<D>(name, null, {
      ...opts,
      autorun: false,
      connection: { ...(this.connection as object), maxRetriesPerRequest: null } as ConnectionOptions,
      prefix: this.prefix,
    });
    this.workers.add(w as Worker);
    return w;
  }

  /** A plain client for the bot's own keys (liveness, health), sharing the queues' Redis. */
  redis(): Redis {
    if (!this.plain) {
      const { url, ...rest } = this.connection as { url?: string } & Record<string, unknown>;
      this.plain = url ? new Redis(url, { ...rest, maxRetriesPerRequest: 2 }) : new Redis({ ...rest, maxRetriesPerRequest: 2 });
      this.plain.on('error', () => { /* surfaced through the commands that fail */ });
    }
    return this.plain;
  }

  /** The queues opened so far (the console's queue inspector lists them). */
  list(): Queue[] {
    return [...this.queues.values()];
  }

  /** Waiting + delayed + active counts per queue, for /healthz. */
  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, q] of this.queues) {
      out[name] = await q.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
    }
    return out;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.workers].map((w) => w.close()));
      await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
      if (this.plain) await this.plain.quit().catch(() => this.plain?.disconnect());
    })();
    return this.closing;
  }
}

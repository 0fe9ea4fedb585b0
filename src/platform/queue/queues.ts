import { Queue, Worker, type ConnectionOptions, type Processor, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.js';

/** Errors that mean Redis is out of reach (as opposed to a command that failed). */
const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|ENOENT|ETIMEDOUT|EPIPE|EHOSTUNREACH|Connection is closed|connect|socket|Stream isn't writeable/i;

/** While Redis is out of reach, one line per this many ms (with how many were held back). */
export const REDIS_ERROR_LOG_EVERY_MS = 10_000;

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
  private logger: Logger | null = null;
  private lastConnLog = 0;
  private heldBack = 0;

  constructor(
    readonly connection: ConnectionOptions,
    readonly prefix: string,
  ) {}

  /** Where worker and queue errors go: Redis being away is one line per 10 s, not one per retry. */
  setLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }

  /** Logs an error of a queue or worker; connection errors at most once per REDIS_ERROR_LOG_EVERY_MS. */
  reportError(source: string, err: unknown): void {
    if (!this.logger || this.closing) return;
    const message = err instanceof Error ? err.message : String(err);
    if (!CONNECTION_ERROR.test(message)) {
      this.logger.error({ err, source }, `${source} error`);
      return;
    }
    const now = Date.now();
    if (now - this.lastConnLog < REDIS_ERROR_LOG_EVERY_MS) {
      this.heldBack++;
      return;
    }
    this.logger.error({ reason: message, source, sameErrorsSinceLastLine: this.heldBack }, 'Redis is out of reach; queues wait and retry');
    this.lastConnLog = now;
    this.heldBack = 0;
  }

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      q.on('error', (err) => this.reportError(`queue ${name}`, err));
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
    w.on('error', (err) => this.reportError(`worker ${name}`, err));
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
    w.on('error', (err) => this.reportError(`worker ${name}`, err));
    this.workers.add(w as Worker);
    return w;
  }

  /** A plain client for the bot's own keys (liveness, health), sharing the queues' Redis. */
  redis(): Redis {
    if (!this.plain) {
      const { url, ...rest } = this.connection as { url?: string } & Record<string, unknown>;
      this.plain = url ? new Redis(url, { ...rest, maxRetriesPerRequest: 2 }) : new Redis({ ...rest, maxRetriesPerRequest: 2 });
      this.plain.on('error', () => {
        /* surfaced through the commands that fail */
      });
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

  /**
   * Closes workers, then queues, then the plain client. Each step waits at most `graceMs`: with Redis
   * gone a graceful close never finishes, and a stop must not hang on it.
   */
  close(graceMs = 3000): Promise<void> {
    const bounded = (p: Promise<unknown>) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.closing ??= (async () => {
      await bounded(Promise.allSettled([...this.workers].map((w) => w.close())));
      await bounded(Promise.allSettled([...this.queues.values()].map((q) => q.close())));
      if (this.plain) await bounded(this.plain.quit());
      this.plain?.disconnect();
      for (const w of this.workers) void w.disconnect().catch(() => undefined);
      for (const q of this.queues.values()) void q.disconnect().catch(() => undefined);
    })();
    return this.closing;
  }
}

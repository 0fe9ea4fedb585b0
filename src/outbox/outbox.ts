import type { Clock } from '../core/clock.js';
import { TurnBatch } from '../core/turn-batch.js';
import type { Logger } from '../core/logger.js';
import type { OutboundContent, Target } from '../core/messages.js';
import type { OutboxStatus } from '../platform/db/schema.js';
import { queueNames, type Queues } from '../platform/queue/queues.js';
import type { OutboxRepo } from './outbox.repo.js';
import { PURPOSES, isPurpose, type Purpose } from './purposes.js';

export interface EnqueueRequest {
  /** Idempotency key: the same key twice is one message. Make it deterministic (`guide-digest:2026-11-22:guide-42`). */
  key: string;
  target: Target;
  content: OutboundContent;
  purpose: Purpose;
  /** Do not send before this instant. */
  notBefore?: Date | number;
  /** Never send at or after this instant: the row ends `expired`. */
  expiresAt?: Date | number;
  /** Sending account; defaults to the bot's. */
  account?: string;
}

export interface EnqueueResult {
  id: number;
  /** False when the key was already in the outbox: nothing new was queued. */
  created: boolean;
  status: OutboxStatus;
}

export interface SendJobData {
  id: number;
}

const JOB_CHUNK = 1000;

/**
 * Rows due later than this get no BullMQ job yet: they wait in SQLite and the periodic reconcile
 * (every 30 s) gives them one when they come within it. A campaign spread over hours costs Redis
 * only the next few minutes of jobs, and planning it costs SQLite inserts, not 100,000 Redis adds.
 * Three minutes is six reconcile periods of margin; each job costs ~30 µs of CPU here and in Redis,
 * and a 100,000-member campaign spread over 30 minutes has ~10,000 rows within it (16,600 at 5 minutes).
 */
export const JOB_HORIZON_MS = 3 * 60_000;

/** An instant as epoch ms (null when absent), without a Date per row for numbers. */
function epochMs(t: Date | number | undefined): number | null {
  return t === undefined ? null : typeof t === 'number' ? t : t.getTime();
}

/** The BullMQ job that moves outbox row `id`. One job id per row, so adding twice is harmless. */
export function sendJobId(id: number): string {
  return `ob-${id}`;
}

/**
 * The one way out. Capabilities call `enqueue`; the row is written to SQLite first (the record),
 * then a job is added to the sending account's queue (the engine). The sender does the rest.
 */
export class Outbox {
  private readonly requests = new TurnBatch<EnqueueRequest, EnqueueResult>(
    (reqs) => this.enqueueMany(reqs),
    async (req) => (await this.enqueueMany([req]))[0]!,
  );

  constructor(
    private readonly repo: OutboxRepo,
    private readonly queues: Queues,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly defaultAccount: string,
  ) {}

  /**
   * Queues one message.
   * @example await outbox.enqueue({ key: `reply:${msg.id}`, target: { kind: 'contact', id }, content: { kind: 'text', text: '已为您开通会员' }, purpose: 'reply' })
   */
  enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    // Requests made in the same event-loop turn (a burst of replies) share one transaction and one
    // round-trip to Redis; each caller still gets its own result or error.
    return this.requests.add(req);
  }

  /** Queues many messages: one SQLite transaction, then jobs in bulk. */
  async enqueueMany(reqs: EnqueueRequest[]): Promise<EnqueueResult[]> {
    const now = this.clock.now().getTime();
    const rows = reqs.map((r) => {
      if (!isPurpose(r.purpose)) throw new Error(`unknown outbox purpose "${String(r.purpose)}"; allowed: ${Object.keys(PURPOSES).join(', ')}`);
      if (!r.key) throw new Error('outbox key is required');
      return {
        key: r.key, account: r.account ?? this.defaultAccount, targetKind: r.target.kind, targetId: r.target.id,
        content: JSON.stringify(r.content), purpose: r.purpose, priority: PURPOSES[r.purpose].priority,
        notBefore: epochMs(r.notBefore),
        expiresAt: epochMs(r.expiresAt),
        createdAt: now, updatedAt: now,
      };
    });
    const results = this.repo.insertMany(rows);
    const fresh: { id: number; account: string; priority: number; notBefore: number | null }[] = [];
    results.forEach((r, i) => {
      if (r.created) fresh.push({ id: r.id, account: rows[i]!.account, priority: rows[i]!.priority, notBefore: rows[i]!.notBefore });
    });
    try {
      await this.addJobs(fresh, now);
    } catch (err) {
      // The rows are safe in SQLite; reconcile (at start, and periodically) gives them their jobs.
      this.logger.warn({ err, count: fresh.length }, 'outbox rows recorded but not yet queued in Redis; reconcile will queue them');
    }
    return results;
  }

  /**
   * Makes Redis agree with the record after a crash or a Redis that lost its data: rows a dead
   * process left in `sending` become `unknown` (or are resent when configured), and every `queued` row gets its job
   * (adding an existing job id is a no-op in BullMQ).
   */
  /**
   * Sends a `failed` row again (an operator's retry). False when the row is not failed.
   */
  async retry(id: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (!this.repo.requeueFailed(id, now)) return false;
    const row = this.repo.get(id)!;
    await this.addJobs([{ id, account: row.account, priority: row.priority, notBefore: row.notBefore }], now);
    return true;
  }

  async reconcile(inFlight: 'unknown' | 'queued', isAlive: (owner: string) => Promise<boolean>): Promise<{ inFlight: number; queued: number }> {
    const now = this.clock.now().getTime();
    let settled = 0;
    for (const owner of this.repo.sendingOwners()) {
      if (!(await isAlive(owner))) settled += this.repo.settleInFlight(owner, inFlight, now);
    }
    let queued = 0;
    let after = 0;
    for (;;) {
      const page = this.repo.queuedAfter(after, JOB_CHUNK, now + JOB_HORIZON_MS);
      if (page.length === 0) break;
      await this.addJobs(page, now);
      queued += page.length;
      after = page[page.length - 1]!.id;
    }
    if (settled) this.logger.info({ inFlightSettled: settled, as: inFlight, queued }, 'outbox reconciled with the queue');
    else if (queued) this.logger.debug({ queued }, 'outbox reconciled with the queue');
    return { inFlight: settled, queued };
  }

  private async addJobs(rows: { id: number; account: string; priority: number; notBefore: number | null }[], now: number): Promise<void> {
    const byAccount = new Map<string, typeof rows>();
    for (const r of rows) {
      if (r.notBefore !== null && r.notBefore > now + JOB_HORIZON_MS) continue; // reconcile queues it later
      const list = byAccount.get(r.account) ?? [];
      list.push(r);
      byAccount.set(r.account, list);
    }
    for (const [account, list] of byAccount) {
      const queue = this.queues.queue(queueNames.outbox(account));
      for (let i = 0; i < list.length; i += JOB_CHUNK) {
        await queue.addBulk(list.slice(i, i + JOB_CHUNK).map((r) => ({
          name: 'send',
          data: { id: r.id } satisfies SendJobData,
          opts: {
            jobId: sendJobId(r.id),
            priority: r.priority,
            delay: r.notBefore && r.notBefore > now ? r.notBefore - now : undefined,
            removeOnComplete: true,
            removeOnFail: true,
          },
        })));
      }
    }
  }
}

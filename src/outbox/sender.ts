import { EventEmitter } from 'node:events';
import { DelayedError, type Job, type Worker } from 'bullmq';
import type { Clock } from '../core/clock.js';
import { PermanentSendError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { OutboundContent, Transport } from '../core/messages.js';
import { startOfLocalDay } from '../core/time.js';
import type { OutboxStatus } from '../platform/db/schema.js';
import { queueNames, type Queues } from '../platform/queue/queues.js';
import type { SendJobData } from './outbox.js';
import type { OutboxRepo, OutboxRow } from './outbox.repo.js';
import { decideSend, sendGap, type SendPolicy } from './outbox.rules.js';
import { PURPOSES, isPurpose } from './purposes.js';

export interface SenderOptions extends SendPolicy {
  account: string;
  /** Messages per minute for this account; 0 turns the budget off. */
  ratePerMinute: number;
  /** The budget's window; 60 000 (a minute) unless a test shortens it. */
  rateWindowMs?: number;
  gapMinMs: number;
  gapMaxMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Parallel sends; 1 for a real account (the gap only makes sense one at a time). */
  concurrency?: number;
  /** How long to wait before looking again while the account is not logged in. */
  notReadyDelayMs?: number;
}

/** Emitted after every decision on a row, for tests, metrics and the console. */
export interface SettledEvent {
  id: number;
  status: OutboxStatus | 'deferred' | 'retry';
  reason?: string;
}

/**
 * The single sender of one account. Owns, in one place: the account's rate budget and randomised
 * gap, priorities (from the job), expiry, not-before, marketing quiet hours, per-member caps,
 * opt-out, retries with backoff, and the delivery record. A row is claimed (`sending`) before the
 * platform call and settled after it, so a crash in between leaves `sending`, which the next start
 * turns into `unknown` rather than risking a duplicate.
 */
export class Sender extends EventEmitter {
  private worker: Worker<SendJobData> | null = null;
  private readonly random: () => number;

  constructor(
    private readonly repo: OutboxRepo,
    private readonly queues: Queues,
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: SenderOptions,
    private readonly instanceId: string,
    random: () => number = Math.random,
  ) {
    super();
    this.random = random;
  }

  /** Starts the worker, paused unless `running` (resume it when the account logs in). */
  start(running: boolean): void {
    const o = this.opts;
    this.worker = this.queues.worker<SendJobData>(queueNames.outbox(o.account), (job, token) => this.process(job, token), {
      concurrency: o.concurrency ?? 1,
      limiter: o.ratePerMinute > 0 ? { max: o.ratePerMinute, duration: o.rateWindowMs ?? 60_000 } : undefined,
      autorun: running,
    });
    this.worker.on('error', (err) => this.logger.error({ err }, 'outbox worker error'));
  }

  /** Resumes sending (the account logged in). Also starts a worker created paused. */
  resume(): void {
    if (!this.worker) return;
    this.logger.info({ account: this.opts.account }, 'sender resumed: account is ready');
    void this.worker.resume();
  }

  /** Stops taking new messages (the account logged out); the one in hand finishes. */
  async pause(): Promise<void> {
    if (!this.worker) return;
    this.logger.info({ account: this.opts.account }, 'sender paused: account not logged in');
    await this.worker.pause(true);
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }

  private settle(e: SettledEvent): void {
    this.emit('settled', e);
  }

  private async process(job: Job<SendJobData>, token?: string): Promise<void> {
    const row = this.repo.get(job.data.id);
    if (!row || row.status !== 'queued') return; // already handled (redelivered job, second process)
    const now = this.clock.now().getTime();
    const purpose = isPurpose(row.purpose) ? row.purpose : 'reply';
    // Opt-out and cap lookups only matter for marketing to a person; service sends skip the queries.
    const memberMarketing = PURPOSES[purpose].marketing && row.targetKind === 'contact';
    const facts = {
      purpose,
      targetKind: row.targetKind,
      notBefore: row.notBefore,
      expiresAt: row.expiresAt,
      optedOut: memberMarketing && this.repo.isOptedOut(row.targetId),
      marketingSentToday: memberMarketing
        ? this.repo.marketingSentSince(row.targetId, startOfLocalDay(new Date(now), this.opts.timezone).getTime())
        : 0,
    } as const;
    const d = decideSend(facts, now, this.opts);
    switch (d.action) {
      case 'expire':
      case 'skip': {
        const status = d.action === 'expire' ? 'expired' : 'skipped';
        if (this.repo.settleQueued(row.id, status, now, d.reason)) this.settle({ id: row.id, status, reason: d.reason });
        return;
      }
      case 'defer':
        return this.defer(job, token, d.until, d.why, row.id);
      case 'send':
        break;
    }
    if (!this.transport.isReady()) {
      return this.defer(job, token, now + (this.opts.notReadyDelayMs ?? 5000), 'not-logged-in', row.id);
    }
    // Committed (with the other claims of this turn) before the platform call, never after it.
    if (!(await this.repo.batched(() => this.repo.claim(row.id, now, this.instanceId)))) return;
    await this.deliver(row, job, token);
  }

  private async deliver(row: OutboxRow, job: Job<SendJobData>, token?: string): Promise<void> {
    try {
      await this.transport.send({ kind: row.targetKind, id: row.targetId }, JSON.parse(row.content) as OutboundContent);
    } catch (err) {
      const now = this.clock.now().getTime();
      const reason = errorMessage(err);
      const attempts = row.attempts + 1;
      if (err instanceof PermanentSendError || attempts >= this.opts.maxAttempts) {
        this.repo.finish(row.id, 'failed', now, reason);
        this.logger.warn({ outboxId: row.id, attempts, reason }, 'outbox message failed');
        this.settle({ id: row.id, status: 'failed', reason });
        return;
      }
      this.repo.finish(row.id, 'queued', now, `attempt ${attempts} failed: ${reason}`);
      const backoff = this.opts.retryBaseMs * 2 ** (attempts - 1);
      this.settle({ id: row.id, status: 'retry', reason });
      return this.defer(job, token, now + backoff, 'retry', row.id);
    }
    const sentAt = this.clock.now().getTime();
    await this.repo.batched(() => this.repo.finish(row.id, 'sent', sentAt));
    this.logger.info({ outboxId: row.id, key: row.key, purpose: row.purpose, target: row.targetId }, 'message out');
    this.settle({ id: row.id, status: 'sent' });
    const gap = sendGap(this.opts.gapMinMs, this.opts.gapMaxMs, this.random);
    if (gap > 0) await new Promise((r) => setTimeout(r, gap));
  }

  /** Puts the job back as delayed until `until` (real time: BullMQ's timers run on the wall clock). */
  private async defer(job: Job<SendJobData>, token: string | undefined, until: number, why: string, id: number): Promise<never> {
    const delayMs = Math.max(0, until - this.clock.now().getTime());
    await job.moveToDelayed(Date.now() + delayMs, token);
    this.settle({ id, status: 'deferred', reason: why });
    throw new DelayedError();
  }
}

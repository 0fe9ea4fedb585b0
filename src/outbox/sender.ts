import { EventEmitter } from 'node:events';
import { DelayedError, type Job, type Worker } from 'bullmq';
import type { Clock } from '../core/clock.js';
import { PermanentSendError, SendOutcomeUnknownError, errorMessage } from '../core/errors.js';
import { liveValue, type Live } from '../core/live.js';
import type { Logger } from '../core/logger.js';
import type { OutboundContent, Transport } from '../core/messages.js';
import { startOfLocalDay } from '../core/time.js';
import type { OutboxStatus } from '../platform/db/schema.js';
import { queueNames, type Queues } from '../platform/queue/queues.js';
import { SendBudget, type Slot } from './budget.js';
import { JOB_HORIZON_MS, type Outbox, type SendJobData } from './outbox.js';
import type { OutboxRepo, OutboxRow } from './outbox.repo.js';
import { decideSend, sendGap, type SendPolicy } from './outbox.rules.js';
import { PURPOSES, isPurpose, type Lane } from './purposes.js';

export interface SenderOptions extends Omit<SendPolicy, 'quietHours' | 'marketingCapPerDay'> {
  /** Read at every decision when a function (changed in the settings, applied without a restart). */
  quietHours: Live<SendPolicy['quietHours']>;
  marketingCapPerDay: Live<number>;
  account: string;
  /** Sends in any sliding window (a minute) for this account; 0 turns this limit off. */
  ratePerMinute: number;
  /** The budget's window; 60 000 (a minute) unless a test shortens it. */
  rateWindowMs?: number;
  /** Sends in any sliding hour / 24 hours; 0 (the default) turns the cap off. */
  capPerHour?: number;
  capPerDay?: number;
  gapMinMs: number;
  gapMaxMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Parallel send loops when no budget applies (benchmarks); with a budget always 1. */
  concurrency?: number;
  /** How long an idle loop sleeps before looking at Redis again (a send queued in this process wakes it at once). */
  idlePollMs?: number;
}

/** Emitted after every decision on a row, for tests, metrics and the console. */
export interface SettledEvent {
  id: number;
  status: OutboxStatus | 'deferred' | 'retry';
  reason?: string;
}

type Token = string;

/**
 * Window slots the paced lane leaves free: with marketing filling the budget, a reply still finds a
 * slot within one gap instead of waiting for the window to move (at 20/min marketing gets 19).
 */
const PACED_RESERVE = 1;

/**
 * The single sender of one account (per process; several processes of one account share its budget
 * through Redis). It owns, in one place: the budget and gap, the two lanes (replies and alerts at the
 * next free slot; the rest at the budget's even pace), expiry, not-before, quiet hours, per-member
 * caps, opt-out, retries with backoff, and the delivery record.
 *
 * It takes a job only when a send could go now, and decides everything that can stop a message
 * before it takes a slot, so skips, expiries and deferrals cost no budget. A row is claimed
 * (`sending`) before the platform call and settled after it, so a crash in between leaves `sending`,
 * which the next start turns into `unknown` rather than risking a duplicate.
 */
export class Sender extends EventEmitter {
  private readonly workers = new Map<Lane, Worker<SendJobData>>();
  private readonly random: () => number;
  private readonly budget: SendBudget;
  private loops: Promise<void>[] = [];
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private pacedSpacing = 0;
  private tokens = 0;
  private readonly onFed = (account: string) => {
    if (account === this.opts.account) this.poke();
  };

  constructor(
    private readonly repo: OutboxRepo,
    private readonly queues: Queues,
    private readonly outbox: Outbox,
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: SenderOptions,
    private readonly instanceId: string,
    random: () => number = Math.random,
  ) {
    super();
    this.random = random;
    this.budget = new SendBudget(queues.redis(), queues.prefix, opts.account, {
      perWindow: opts.ratePerMinute,
      windowMs: opts.rateWindowMs ?? 60_000,
      perHour: opts.capPerHour ?? 0,
      perDay: opts.capPerDay ?? 0,
    });
  }

  /** The account's shared budget (for /metrics and the console). */
  get sendBudget(): SendBudget {
    return this.budget;
  }

  /** Starts the send loops, idle unless `running` (resume them when the account logs in). */
  start(running: boolean): void {
    if (this.loops.length || this.workers.size) return;
    this.running = running;
    const unlimited = this.budget.unlimited;
    for (const lane of ['now', 'paced'] as const) {
      const name = queueNames.outbox(this.opts.account, lane);
      // Without a budget (benchmarks) BullMQ's own fetching is fastest; with one the loop fetches only
      // when a slot is free, so the highest-priority message gets it.
      const w = unlimited
        ? this.queues.worker<SendJobData>(name, (job, token) => this.process(job, token ?? '', lane), { concurrency: Math.max(1, this.opts.concurrency ?? 1), autorun: running })
        : this.queues.manualWorker<SendJobData>(name, { stalledInterval: 15_000 });
      if (unlimited && lane === 'paced') w.on('drained', () => void this.outbox.feed(this.opts.account).catch(() => undefined));
      if (!unlimited) void w.startStalledCheckTimer().catch((err: unknown) => this.logger.warn({ err }, 'stalled-job check did not start'));
      this.workers.set(lane, w);
    }
    this.outbox.on('fed', this.onFed);
    if (!unlimited) this.loops = [this.loop()];
  }

  /** The processor of the budget-less workers: the same handling; a job moved back ends the processor with DelayedError. */
  private async process(job: Job<SendJobData>, token: Token, lane: Lane): Promise<void> {
    if (!this.transport.isReady()) {
      await job.moveToDelayed(Date.now() + (this.opts.idlePollMs ?? 500), token);
      throw new DelayedError();
    }
    if ((await this.handle(job, token, lane)) === 'moved') throw new DelayedError();
  }

  /** Resumes sending (the account logged in). */
  resume(): void {
    if (this.running) return;
    this.running = true;
    if (this.budget.unlimited) for (const w of this.workers.values()) if (!w.isRunning()) void w.run().catch(() => undefined);
    this.logger.info('sender resumed: account is ready');
    this.poke();
  }

  /** Stops taking new messages (the account logged out); the one in hand finishes. */
  async pause(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.logger.info('sender paused: account not logged in');
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.outbox.off('fed', this.onFed);
    this.poke();
    await Promise.allSettled(this.loops);
    await Promise.allSettled([...this.workers.values()].map((w) => w.close()));
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Sleeps `ms`, or until a send is queued in this process, the account is back, or close. */
  private nap(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(
        () => {
          if (this.wake === done) this.wake = null;
          resolve();
        },
        Math.max(1, ms),
      );
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      const prev = this.wake;
      this.wake = prev
        ? () => {
            prev();
            done();
          }
        : done;
    });
  }

  private settle(e: SettledEvent): void {
    this.emit('settled', e);
  }

  /**
   * The loop of an account with a budget: wait until the budget has a slot for a reply; take a reply if
   * one waits; else, once the paced spacing allows, take the next paced message; else feed and nap. A
   * message that is not sent (skipped, expired, deferred, stale) costs no slot and the loop looks again
   * at once.
   */
  private async loop(): Promise<void> {
    const idle = this.opts.idlePollMs ?? 500;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!this.running || !this.transport.isReady()) {
          await this.nap(idle);
          continue;
        }
        const replyWait = await this.budget.waitFor(Date.now(), this.opts.gapMinMs);
        if (replyWait > 0) {
          await this.nap(replyWait);
          continue;
        }
        if (await this.takeFrom('now')) continue;
        const pacedWait = await this.budget.waitFor(Date.now(), this.pacedSpacing, PACED_RESERVE);
        if (pacedWait > 0) {
          // Woken early when a reply is queued in this process; other processes' replies within `idle`.
          await this.nap(Math.min(pacedWait, idle));
          continue;
        }
        failures = 0;
        if (await this.takeFrom('paced')) continue;
        void this.outbox.feed(this.opts.account).catch(() => undefined);
        await this.nap(idle);
      } catch (err) {
        if (this.stopped) break;
        failures++;
        // Redis or the store failing: one line, then quieter, and look again after a pause.
        if (failures === 1 || failures % 20 === 0) this.logger.warn({ err, failures }, 'sender loop error; retrying');
        await this.nap(Math.min(10_000, 250 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  /** Takes the next job of `lane` and handles it; false when the lane had none. */
  private async takeFrom(lane: Lane): Promise<boolean> {
    const worker = this.workers.get(lane)!;
    const token: Token = `${this.instanceId}:${++this.tokens}`;
    const job = (await worker.getNextJob(token, { block: false })) as Job<SendJobData> | undefined;
    if (!job) return false;
    try {
      if ((await this.handle(job, token, lane)) === 'done') await job.moveToCompleted(undefined, token, false);
    } catch (err) {
      // The row is safe in SQLite; give the job back so it is tried again.
      await job.moveToDelayed(Date.now() + 1000, token).catch(() => undefined);
      throw err;
    }
    return true;
  }

  /**
   * Decides one job and sends it if it may go. 'done': the job is finished (the caller completes it);
   * 'moved': it was put back in the queue for later.
   */
  private async handle(job: Job<SendJobData>, token: Token, lane: Lane): Promise<'done' | 'moved'> {
    const row = this.repo.get(job.data.id);
    if (!row || row.status !== 'queued' || row.fedGen !== job.data.gen) {
      // Already handled (a redelivered or stale job, or a second process): nothing to send.
      return 'done';
    }
    const now = this.clock.now().getTime();
    const purpose = isPurpose(row.purpose) ? row.purpose : 'reply';
    // Opt-out and cap lookups only matter for marketing to a person; service sends skip the queries.
    const memberMarketing = PURPOSES[purpose].marketing && row.targetKind === 'contact';
    const facts = {
      purpose,
      targetKind: row.targetKind,
      // A deferral's time is kept by the job's delay (the feed adds it when due); not-before is checked again here.
      notBefore: row.notBefore,
      expiresAt: row.expiresAt,
      optedOut: memberMarketing && this.repo.isOptedOut(row.targetId),
      marketingSentToday: memberMarketing ? this.repo.marketingSentSince(row.targetId, startOfLocalDay(new Date(now), this.opts.timezone).getTime()) : 0,
    } as const;
    const d = decideSend(facts, now, { timezone: this.opts.timezone, quietHours: liveValue(this.opts.quietHours), marketingCapPerDay: liveValue(this.opts.marketingCapPerDay) });
    switch (d.action) {
      case 'expire':
      case 'skip': {
        const status = d.action === 'expire' ? 'expired' : 'skipped';
        if (this.repo.settleQueued(row.id, status, now, d.reason)) this.settle({ id: row.id, status, reason: d.reason });
        return 'done';
      }
      case 'defer':
        if (d.why === 'not-before' && d.until - now <= JOB_HORIZON_MS) {
          // Early by a moment (clocks): wait in Redis rather than in SQLite.
          await job.moveToDelayed(Date.now() + (d.until - now), token);
          return 'moved';
        }
        this.repo.defer(row.id, d.until, d.why, now, d.expiresAt);
        this.settle({ id: row.id, status: 'deferred', reason: d.why });
        if (d.until - now <= JOB_HORIZON_MS) setImmediate(() => void this.outbox.feed(row.account).catch(() => undefined));
        return 'done';
      case 'send':
        break;
    }
    let slot: Slot | null = null;
    if (!this.budget.unlimited) {
      const t = lane === 'now' ? await this.budget.take(Date.now(), this.opts.gapMinMs) : await this.budget.take(Date.now(), this.pacedSpacing, PACED_RESERVE);
      if ('waitMs' in t) {
        // Another process of the account took the slot: back in the queue until one frees.
        await job.moveToDelayed(Date.now() + t.waitMs, token);
        return 'moved';
      }
      slot = t.slot;
    }
    // Committed (with the other claims of this turn) before the platform call, never after it.
    if (!(await this.repo.batched(() => this.repo.claim(row.id, now, this.instanceId, job.data.gen)))) {
      if (slot) await this.budget.settle(slot, Date.now());
      return 'done';
    }
    await this.deliver(row, slot);
    return 'done';
  }

  private async deliver(row: OutboxRow, slot: Slot | null): Promise<void> {
    try {
      await this.transport.send({ kind: row.targetKind, id: row.targetId }, JSON.parse(row.content) as OutboundContent, { key: `outbox:${row.id}:${row.createdAt}` });
    } catch (err) {
      if (slot) await this.budget.settle(slot, Date.now());
      const now = this.clock.now().getTime();
      const reason = errorMessage(err);
      const attempts = row.attempts + 1;
      if (err instanceof SendOutcomeUnknownError) {
        // It may have gone out: recorded as after a crash mid-send, never sent again.
        this.repo.finish(row.id, 'unknown', now, reason);
        this.logger.warn({ outboxId: row.id, reason }, 'outbox message outcome unknown');
        this.settle({ id: row.id, status: 'unknown', reason });
        return;
      }
      if (err instanceof PermanentSendError || attempts >= this.opts.maxAttempts) {
        this.repo.finish(row.id, 'failed', now, reason);
        this.logger.warn({ outboxId: row.id, attempts, reason }, 'outbox message failed');
        this.settle({ id: row.id, status: 'failed', reason });
        return;
      }
      const backoff = this.opts.retryBaseMs * 2 ** (attempts - 1);
      this.repo.retryLater(row.id, now + backoff, `attempt ${attempts} failed: ${reason}`, now);
      this.settle({ id: row.id, status: 'retry', reason });
      this.settle({ id: row.id, status: 'deferred', reason: 'retry' });
      setImmediate(() => void this.outbox.feed(row.account).catch(() => undefined));
      return;
    }
    const endedAt = Date.now();
    if (slot) await this.budget.settle(slot, endedAt);
    const sentAt = this.clock.now().getTime();
    await this.repo.batched(() => this.repo.finish(row.id, 'sent', sentAt));
    this.logger.info({ outboxId: row.id, key: row.key, purpose: row.purpose, target: row.targetId }, 'message out');
    this.settle({ id: row.id, status: 'sent' });
    // The paced lane keeps an even pace (window ÷ rate) that fills its share of the window without a
    // burst; the random gap keeps sends from looking mechanical.
    this.pacedSpacing = Math.max(sendGap(this.opts.gapMinMs, this.opts.gapMaxMs, this.random), this.budget.paceMs);
  }
}

import { EventEmitter } from 'node:events';
import type { Job, Worker } from 'bullmq';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { EnqueueRequest, EnqueueResult } from '../outbox/index.js';
import type { Queues } from '../platform/queue/queues.js';
import { alertText, routeTier, type LineItem } from './alerts.rules.js';
import { addBusinessMs, businessMsBetween } from './business-time.rules.js';
import type { QuestionRow, SlaRepo, StaffEntry } from './sla.repo.js';
import type { SlaPlaybook } from './sla.playbook.js';

/** The SLA's BullMQ queue: escalation deadlines and bundled alerts. */
export const SLA_QUEUE = 'sla-deadlines';

/**
 * Deadlines are grouped in time slices of this many ms: one delayed job per slice that holds a
 * deadline, firing at the slice's end (so at most this late), however many questions fall due in it.
 */
export const SLICE_MS = 200;

/** Every deadline up to `at` has passed: fire the tiers due. */
export interface DueJobData {
  kind: 'due';
  at: number;
}
/** Send a person the alerts that fell due for them. */
export interface NotifyJobData {
  kind: 'notify';
  staffCode: string;
}
type SlaJobData = DueJobData | NotifyJobData;

/** The slice a deadline belongs to (the first slice end at or after it). */
export function sliceOf(dueAt: number): number {
  return Math.ceil(dueAt / SLICE_MS);
}

/** Job id of a slice's deadline job: the same in every process. */
export function dueJobId(slice: number): string {
  return `sla-due-${slice}`;
}

/** Job id of a bundle run for a person in a time bucket (all alerts in the bucket share it). */
export function notifyJobId(staffCode: string, bucket: number): string {
  return `sla-notify-${staffCode.replace(/[^A-Za-z0-9_-]/gu, '_')}-${bucket}`;
}

/** Emitted once per bundled alert handed to the outbox. */
export interface AlertedEvent {
  key: string;
  staffCode: string;
  contactId: string;
  questionIds: number[];
  /** The tier of each question in the bundle. */
  tiers: number[];
  /** How long after the earliest deadline in the bundle it was handed to the outbox (ms). */
  lateMs: number;
}

export interface SlaDeadlinesDeps {
  queues: Queues;
  repo: SlaRepo;
  outbox: { enqueue(req: EnqueueRequest): Promise<EnqueueResult> };
  clock: Clock;
  timezone: string;
  playbook: () => SlaPlaybook;
  /** The active staff (cached by the caller). */
  staff: () => readonly StaffEntry[];
  logger: Logger;
  /** Worker concurrency (default 4). */
  concurrency?: number;
}

const PAGE = 500;
const JOB_OPTS = { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 7 * 86_400 } } as const;

/**
 * Escalation deadlines as delayed BullMQ jobs (no polling). Each open question records when its next
 * tier falls due (`nextDueAt`); the deadline jobs are per 200 ms time slice (`sla-due-<slice>`), so a
 * burst of questions costs one job per slice, not one per question. A slice's job fires every tier
 * due by its end. The record is SQLite: `escalatedTier` makes each tier fire once and `sla_alerts`
 * makes each person hear once, so a job run twice (two processes, a redelivery, a reconcile) changes
 * nothing. Alerts falling due within `alerts.bundleSeconds` reach a person as one message (a notify
 * job per person and bucket). `reconcile` (at start, and when `checkRedisKept` finds Redis emptied) re-adds the jobs Redis lacks.
 */
export class SlaDeadlines extends EventEmitter {
  private worker: Worker<SlaJobData> | null = null;
  private buffer = new Set<number>();
  /** Slices whose job this process already added (forgotten once past). */
  private added = new Set<number>();
  private flushing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  /** Whether this process has seen the Redis marker (see `checkRedisKept`). */
  private markerSeen = false;

  constructor(private readonly deps: SlaDeadlinesDeps) {
    super();
  }

  /** Starts the worker. */
  start(): void {
    this.worker = this.deps.queues.worker<SlaJobData>(SLA_QUEUE, (job) => this.process(job), { concurrency: this.deps.concurrency ?? 4 });
    this.worker.on('failed', (job, err) => this.deps.logger.warn({ err, jobId: job?.id }, 'SLA job failed (retried)'));
  }

  async close(): Promise<void> {
    await this.idle();
    await this.worker?.close();
  }

  /** When tier `tier` falls due for a question opened at `openedAt` in a store (business time); null past the last tier. */
  dueAt(q: Pick<QuestionRow, 'openedAt' | 'storeCode'>, tier: number, pb = this.deps.playbook()): number | null {
    const t = pb.tiers[tier];
    if (!t) return null;
    return addBusinessMs(q.openedAt, t.after, pb.hoursFor(q.storeCode), this.deps.timezone);
  }

  /**
   * Makes sure a deadline job fires at or just after `dueAt`. Returns at once; jobs are added in bulk
   * right after (once per slice per process). If the process dies first, `reconcile` adds them.
   */
  schedule(dueAt: number): void {
    const slice = sliceOf(dueAt);
    if (this.added.has(slice) || this.buffer.has(slice)) return;
    this.buffer.add(slice);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flushing.then(() => this.flush());
    });
  }

  /** Resolves when every scheduled deadline is in Redis. */
  async idle(): Promise<void> {
    while (this.flushScheduled || this.buffer.size) {
      await new Promise((r) => setImmediate(r));
      await this.flushing;
    }
    await this.flushing;
  }

  private async flush(): Promise<void> {
    const slices = [...this.buffer];
    this.buffer.clear();
    if (!slices.length) return;
    try {
      await this.addSlices(slices);
      const past = sliceOf(this.deps.clock.now().getTime());
      for (const s of this.added) if (s < past) this.added.delete(s);
      for (const s of slices) this.added.add(s);
    } catch (err) {
      this.deps.logger.warn({ err, slices: slices.length }, 'SLA deadlines not yet in Redis; reconcile at the next start adds them');
    }
  }

  private async addSlices(slices: readonly number[]): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const q = this.deps.queues.queue(SLA_QUEUE);
    for (let i = 0; i < slices.length; i += PAGE) {
      await q.addBulk(
        slices.slice(i, i + PAGE).map((s) => ({
          name: 'due',
          data: { kind: 'due', at: s * SLICE_MS } satisfies DueJobData,
          opts: { jobId: dueJobId(s), delay: Math.max(0, s * SLICE_MS - now), ...JOB_OPTS },
        })),
      );
    }
  }

  private async addNotify(staffCodes: readonly string[]): Promise<void> {
    if (!staffCodes.length) return;
    const bundleMs = Math.max(0, Math.round(this.deps.playbook().alerts.bundleSeconds * 1000));
    const bucket = Math.floor(this.deps.clock.now().getTime() / Math.max(bundleMs, 1));
    await this.deps.queues.queue(SLA_QUEUE).addBulk(
      staffCodes.map((staffCode) => ({
        name: 'notify',
        data: { kind: 'notify', staffCode } satisfies NotifyJobData,
        opts: { jobId: notifyJobId(staffCode, bucket), delay: bundleMs, ...JOB_OPTS },
      })),
    );
  }

  /**
   * Makes Redis agree with the record: a deadline job for every slice holding an open question's next
   * deadline (one job, now, for those already past), and a notify job for every person with alerts
   * not yet sent. Safe to run any time.
   */
  async reconcile(): Promise<{ slices: number; notify: number }> {
    const now = this.deps.clock.now().getTime();
    const nowSlice = sliceOf(now);
    const slices = [...new Set(this.deps.repo.pendingDeadlines().map((at) => Math.max(sliceOf(at), nowSlice)))];
    await this.addSlices(slices);
    for (const s of slices) this.added.add(s);
    const pending = this.deps.repo.staffWithPendingAlerts();
    await this.addNotify(pending);
    if (slices.length || pending.length) this.deps.logger.info({ slices: slices.length, notify: pending.length }, 'SLA deadlines reconciled with the queue');
    return { slices: slices.length, notify: pending.length };
  }

  /**
   * Notices a Redis that lost its data while the bot runs (restarted without its AOF, flushed, failed
   * over to an empty replica) and reconciles then, instead of at the next start. A marker key is set
   * once; when a later check has to create it again, the deadline jobs went with it. Cheap (one SET NX),
   * so the capability runs it every `SLA_REDIS_CHECK_MS`. Resolves to whether a reconcile ran.
   */
  async checkRedisKept(): Promise<boolean> {
    const created = await this.deps.queues.redis().set(`${this.deps.queues.prefix}:siyu:sla-redis-kept`, String(this.deps.clock.now().getTime()), 'NX');
    const lost = created === 'OK' && this.markerSeen;
    this.markerSeen = true;
    if (!lost) return false;
    this.added.clear();
    this.deps.logger.warn('Redis lost the SLA deadline jobs while running; reconciling with the record');
    await this.reconcile();
    return true;
  }

  private async process(job: Job<SlaJobData>): Promise<void> {
    const d = job.data;
    if (d.kind === 'due') await this.processDue(Math.max(d.at, this.deps.clock.now().getTime()));
    else await this.processNotify(d.staffCode);
  }

  /** Fires every tier due by `until` (each once, by the record), schedules the next ones, wakes the bundles. */
  private async processDue(until: number): Promise<void> {
    const { repo, logger } = this.deps;
    const pb = this.deps.playbook();
    const people = new Set<string>();
    for (;;) {
      const due = repo.dueQuestions(until, PAGE);
      for (const q of due) {
        const tier = q.escalatedTier + 1;
        const t = pb.tiers[tier];
        if (!t) {
          repo.clearDue(q.id); // the playbook now has fewer tiers
          continue;
        }
        const next = this.dueAt(q, tier + 1, pb);
        const { recipients, via } = routeTier(t.to, q, this.deps.staff());
        const now = this.deps.clock.now().getTime();
        if (
          !repo.escalate(
            q.id,
            tier,
            recipients.map((s) => ({ staffCode: s.code, contactId: s.contactId! })),
            q.nextDueAt!,
            now,
            next,
          )
        )
          continue;
        if (via === 'none') {
          logger.warn(
            { questionId: q.id, tier, to: t.to, store: q.storeCode, guide: q.guideCode },
            'SLA question unrouted: nobody to alert, not even the fallbacks (give a guide, manager, admin or HQ staff member a WeChat contact id)',
          );
        } else {
          if (via !== 'tier') logger.info({ questionId: q.id, tier, to: t.to, via, store: q.storeCode, guide: q.guideCode }, 'SLA tier had nobody to alert: falling back');
          logger.info({ questionId: q.id, tier, to: t.to, recipients: recipients.map((s) => s.code), lateMs: now - q.nextDueAt! }, 'SLA deadline passed: escalating');
        }
        for (const s of recipients) people.add(s.code);
        if (next !== null) this.schedule(next);
      }
      if (due.length < PAGE) break;
    }
    await this.idle();
    await this.addNotify([...people]);
  }

  /** Sends the person one message per bundle of alerts not yet sent. */
  private async processNotify(staffCode: string): Promise<void> {
    const { repo, clock, timezone } = this.deps;
    const pb = this.deps.playbook();
    for (const b of repo.bundlesFor(staffCode)) {
      const now = clock.now().getTime();
      const waiting = b.items.filter((i) => i.question.status === 'open');
      if (!waiting.length) {
        repo.markBundleSent(b.key, now);
        continue;
      }
      const items: LineItem[] = waiting.map((i) => ({
        question: i.question,
        waitedMs: businessMsBetween(i.question.openedAt, now, pb.hoursFor(i.question.storeCode), timezone),
      }));
      const questionIds = waiting.map((i) => i.question.id);
      const topTier = Math.max(...waiting.map((i) => i.alert.tier));
      const text = alertText(pb, items, topTier, repo.stillWaitingFor(staffCode, questionIds));
      await this.deps.outbox.enqueue({ key: b.key, target: { kind: 'contact', id: b.contactId }, content: { kind: 'text', text }, purpose: 'alert' });
      repo.markBundleSent(b.key, now);
      const lateMs = now - Math.min(...waiting.map((i) => i.alert.dueAt));
      this.deps.logger.info({ staff: staffCode, key: b.key, questions: questionIds, lateMs }, 'SLA alert queued');
      this.emit('alerted', { key: b.key, staffCode, contactId: b.contactId, questionIds, tiers: waiting.map((i) => i.alert.tier), lateMs } satisfies AlertedEvent);
    }
  }
}

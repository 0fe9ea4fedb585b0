import cron, { type ScheduledTask } from 'node-cron';
import type { Worker } from 'bullmq';
import type { Clock } from '../core/clock.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { queueNames, type Queues } from '../platform/queue/queues.js';
import type { ScheduleRepo } from './schedule.repo.js';
import { catchUpDecision, nextSlot, previousSlot } from './schedule.rules.js';

/** Schedules ticking at least this often log their slots at debug, not info (a minute tick is noise). */
const FREQUENT_MS = 15 * 60_000;

/** A routine a capability declares. `run` must be safe to run twice (enqueue with deterministic keys). */
export interface ScheduleSpec {
  /** Unique, used in job ids and the run record: `guide-digest`. */
  name: string;
  /** Cron expression (5 fields, or 6 with seconds) in the configured timezone. */
  cron: string;
  /** A slot missed while the bot was down runs at start if it is at most this late; else it is recorded skipped. */
  catchUpMs: number;
  run(slot: Date): Promise<void> | void;
}

interface RunJob {
  name: string;
  slot: number;
}

/** Job id of one slot: the same in every process, so a slot is queued once per Redis. */
export function slotJobId(name: string, slot: number): string {
  return `sched-${name}-${slot}`;
}

/**
 * Fires each declared schedule once per slot. node-cron ticks only *enqueue*: the slot is recorded in
 * SQLite (primary key name+slot) and queued in BullMQ with a deterministic job id, so two processes
 * or a restart never run a slot twice; a worker runs it and records the outcome.
 */
export class Scheduler {
  private readonly specs = new Map<string, ScheduleSpec>();
  /** Names of schedules that tick at least every FREQUENT_MS. */
  private readonly frequent = new Set<string>();
  private readonly tasks = new Map<string, ScheduledTask>();
  private worker: Worker<RunJob> | null = null;
  private started = false;

  constructor(
    private readonly repo: ScheduleRepo,
    private readonly queues: Queues,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly timezone: string,
  ) {}

  /** @throws ConfigError naming the schedule and what is wrong with its cron expression. */
  declare(spec: ScheduleSpec): void {
    if (this.specs.has(spec.name)) throw new ConfigError(`schedule "${spec.name}" is declared twice`);
    this.setSpec(spec);
  }

  private setSpec(spec: ScheduleSpec): void {
    const v = cron.validateDetailed(spec.cron);
    if (!v.valid) {
      const e = v.errors[0];
      throw new ConfigError(
        `schedule "${spec.name}": cron "${spec.cron}" is not valid${e ? ` (${e.field}: ${e.message})` : ''}; expected 5 fields "min hour day month weekday", e.g. "30 9 * * *"`,
      );
    }
    this.specs.set(spec.name, spec);
    const a = nextSlot(spec.cron, this.clock.now(), this.timezone);
    const b = a ? nextSlot(spec.cron, a, this.timezone) : null;
    if (a && b && b.getTime() - a.getTime() <= FREQUENT_MS) this.frequent.add(spec.name);
    else this.frequent.delete(spec.name);
  }

  /** The cron a schedule follows now (null when not declared). */
  cronOf(name: string): string | null {
    return this.specs.get(name)?.cron ?? null;
  }

  /**
   * Moves a declared schedule to another cron while running (a playbook's times edited): the old
   * tick stops, the new one starts, and a slot of the new cron already past today is caught up as at
   * start (within its catch-up window; its run must be safe twice anyway).
   * @returns false when the cron is unchanged.
   * @throws ConfigError for an unknown schedule or a bad cron (the old one stays).
   */
  async reschedule(name: string, cronExpr: string): Promise<boolean> {
    const spec = this.specs.get(name);
    if (!spec) throw new ConfigError(`schedule "${name}" is not declared`);
    if (spec.cron === cronExpr) return false;
    this.setSpec({ ...spec, cron: cronExpr });
    this.logger.info({ schedule: name, from: spec.cron, to: cronExpr }, 'schedule moved');
    if (!this.started) return true;
    await this.tasks.get(name)?.destroy();
    this.tasks.delete(name);
    await this.catchUp(this.specs.get(name)!, this.clock.now());
    await this.startTask(this.specs.get(name)!);
    return true;
  }

  /** Starts the worker, re-queues unfinished slots, applies catch-up, then starts the ticks. */
  async start(): Promise<void> {
    this.worker = this.queues.worker<RunJob>(queueNames.schedules, (job) => this.runSlot(job.data), { concurrency: 2 });
    for (const run of this.repo.unfinished()) {
      if (this.specs.has(run.name)) await this.enqueue(run.name, run.slot);
    }
    const now = this.clock.now();
    this.started = true;
    for (const spec of this.specs.values()) {
      await this.catchUp(spec, now);
      await this.startTask(spec);
    }
  }

  /** Runs (or records skipped) the last slot of `spec` before `now` when it was missed. */
  private async catchUp(spec: ScheduleSpec, now: Date): Promise<void> {
    const last = previousSlot(spec.cron, now, this.timezone);
    // On the first start after install nothing was missed: slots before it are not news.
    const firstStart = !this.repo.hasAny(spec.name);
    const quiet = firstStart || this.frequent.has(spec.name);
    const d = catchUpDecision(last, last ? this.repo.get(spec.name, last.getTime()) !== undefined : false, now, spec.catchUpMs);
    if (d.action === 'run') {
      this.logger[quiet ? 'debug' : 'info']({ schedule: spec.name, slot: new Date(d.slot).toISOString() }, 'catching up a missed slot');
      await this.fire(spec.name, new Date(d.slot));
    } else if (d.action === 'skip') {
      const reason = firstStart ? 'before the first start' : `missed by ${Math.round(d.lateMs / 60000)} min (catch-up window ${Math.round(spec.catchUpMs / 60000)} min)`;
      if (this.repo.skip(spec.name, d.slot, now.getTime(), reason)) {
        if (firstStart) this.logger.debug({ schedule: spec.name, slot: new Date(d.slot).toISOString() }, 'first start: the schedule begins at its next slot');
        else this.logger.warn({ schedule: spec.name, slot: new Date(d.slot).toISOString() }, 'missed slot too old to catch up; recorded as skipped');
      }
    }
  }

  private async startTask(spec: ScheduleSpec): Promise<void> {
    const task = cron.createTask(
      spec.cron,
      (ctx) =>
        this.fire(spec.name, ctx.date).catch((err) => {
          this.logger.error({ err, schedule: spec.name }, 'schedule tick could not be queued');
        }),
      { timezone: this.timezone, name: spec.name },
    );
    await task.start();
    this.tasks.set(spec.name, task);
  }

  /**
   * Records and queues one slot (idempotent). Called by the ticks; tests call it with a chosen slot.
   * @returns true when this call queued the slot, false when it was already recorded.
   */
  async fire(name: string, slotDate: Date): Promise<boolean> {
    const slot = Math.floor(slotDate.getTime() / 1000) * 1000;
    if (!this.repo.open(name, slot, this.clock.now().getTime())) return false;
    await this.enqueue(name, slot);
    return true;
  }

  private async enqueue(name: string, slot: number): Promise<void> {
    await this.queues.queue(queueNames.schedules).add('run', { name, slot } satisfies RunJob, {
      jobId: slotJobId(name, slot),
      attempts: 3,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { age: 3 * 86_400 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  private async runSlot({ name, slot }: RunJob): Promise<void> {
    const spec = this.specs.get(name);
    if (!spec) return;
    if (!this.repo.start(name, slot, this.clock.now().getTime())) return;
    const log = this.logger.child({ schedule: name, slot: new Date(slot).toISOString() });
    try {
      await spec.run(new Date(slot));
      this.repo.finish(name, slot, this.clock.now().getTime());
      log[this.frequent.has(name) ? 'debug' : 'info']('schedule slot done');
    } catch (err) {
      this.repo.finish(name, slot, this.clock.now().getTime(), errorMessage(err));
      log.error({ err }, 'schedule slot failed');
      throw err;
    }
  }

  /** Stops the ticks and the worker (a running slot finishes). */
  async stop(): Promise<void> {
    this.started = false;
    for (const t of this.tasks.values()) await t.destroy();
    this.tasks.clear();
    await this.worker?.close();
  }
}

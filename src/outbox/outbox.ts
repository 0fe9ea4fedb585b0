import { EventEmitter } from 'node:events';
import type { Clock } from '../core/clock.js';
import { TurnBatch } from '../core/turn-batch.js';
import type { Logger } from '../core/logger.js';
import type { OutboundContent, Target } from '../core/messages.js';
import { liveValue, type Live } from '../core/live.js';
import type { DailyWindow } from '../core/time.js';
import type { OutboxStatus } from '../platform/db/schema.js';
import { queueNames, type Queues } from '../platform/queue/queues.js';
import type { FeedRow, OutboxRepo } from './outbox.repo.js';
import { quietUntil } from './outbox.rules.js';
import { LANES, PURPOSES, isPurpose, lanePriorities, type Lane, type Purpose } from './purposes.js';
import { AccountRouting, accountsFor, sharesOf, unreachableAmong, type OutboxAccounts, type RouteRequest } from './routing.js';
import type { AccountShare } from './capacity.rules.js';
import { DownWatch, type DownReport } from './account-down.js';
import { ReachFollower } from './reach-follow.js';

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
  /** Sending account; capabilities leave it out and the outbox routes (see `OutboxOptions.accounts`). */
  account?: string;
}

export interface EnqueueResult {
  id: number;
  /** False when the key was already in the outbox: nothing new was queued. */
  created: boolean;
  status: OutboxStatus;
}

/** A send job: the row and the generation of the feed that made it (a job of an older generation is stale). */
export interface SendJobData {
  id: number;
  gen: number;
}

export interface OutboxOptions {
  /** The account that sends when a request names none. */
  defaultAccount: string;
  timezone: string;
  /**
   * Marketing due in this window is held in SQLite until it ends (decided before any job exists).
   * A function is read at every feed (quiet hours changed in the settings apply without a restart).
   */
  quietHours: Live<DailyWindow>;
  /**
   * Most jobs the `paced` lane of an account holds in Redis: what it can send in the next few
   * minutes. Default: 3 minutes of its budget (60 at 20/min), at least 20; 5,000 without a budget.
   */
  pacedJobsFor?: (account: string) => number;
  /**
   * The brand's accounts and who they reach: a request naming no account is routed (routing.ts). Absent,
   * or with one account in the registry, everything goes through that one account (reach is not read).
   */
  accounts?: OutboxAccounts;
}

const JOB_CHUNK = 1000;

/**
 * Rows due later than this get no job yet: they wait in SQLite and the feed gives them one when they
 * come within it. With the paced lane's cap, Redis holds minutes of work, never the day's.
 */
export const JOB_HORIZON_MS = 3 * 60_000;

/** How often the feed looks again by itself (besides being asked after enqueues and deferrals). */
export const FEED_EVERY_MS = 5_000;

/** An instant as epoch ms (null when absent), without a Date per row for numbers. */
function epochMs(t: Date | number | undefined): number | null {
  return t === undefined ? null : typeof t === 'number' ? t : t.getTime();
}

/** The BullMQ job that moves outbox row `id` in generation `gen`. Adding the same pair twice is one job. */
export function sendJobId(id: number, gen: number): string {
  return `ob-${id}-${gen}`;
}

/**
 * The one way out. Capabilities call `enqueue`; the row is written to SQLite first (the record).
 * The feed then gives rows jobs in the account's two Redis queues (the engine): replies and alerts at
 * once (lane `now`), everything else as far as the account can send soon (lane `paced`). Quiet hours
 * are decided here, in SQL, before a job exists. The account's Sender does the rest.
 * Emits `fed` (account, lane) after giving jobs, so a sender waiting in this process looks at once,
 * and `account-down` (DownReport) when a down account's grace has passed and its messages were handled.
 * With several accounts (`accounts`), each request naming none is routed to an account that reaches
 * its target (routing.ts), or recorded `unreachable`.
 */
export class Outbox extends EventEmitter {
  private readonly requests = new TurnBatch<EnqueueRequest, EnqueueResult>(
    (reqs) => this.enqueueMany(reqs),
    async (req) => (await this.enqueueMany([req]))[0]!,
  );
  private readonly accounts = new Set<string>();
  private readonly feeding = new Map<string, Promise<number>>();
  private readonly again = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly routing: AccountRouting | null;
  private readonly downWatch: DownWatch | null;
  private readonly reachFollower: ReachFollower | null;
  private unfollowReach: (() => void) | null = null;

  constructor(
    private readonly repo: OutboxRepo,
    private readonly queues: Queues,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: OutboxOptions,
  ) {
    super();
    this.accounts.add(opts.defaultAccount);
    this.routing = opts.accounts ? new AccountRouting(repo.db, opts.accounts, () => clock.now().getTime()) : null;
    this.downWatch = this.routing
      ? new DownWatch({ outbox: this, repo, routing: this.routing, clock, logger, graceMs: opts.accounts?.downGraceMs ?? 60_000, timezone: opts.timezone })
      : null;
    this.reachFollower = this.routing ? new ReachFollower({ repo, routing: this.routing, feed: (a) => this.feed(a), clock, logger }) : null;
    this.followReach();
  }

  /** Routes rows again when reach changes (ReachRepo.onChange); stopFeeding stops it. */
  private followReach(): void {
    const follower = this.reachFollower;
    if (follower && !this.unfollowReach) this.unfollowReach = this.opts.accounts!.reach.onChange((c) => follower.change(c));
  }

  get defaultAccount(): string {
    return this.opts.defaultAccount;
  }

  /**
   * Queues one message.
   * @example await outbox.enqueue({ key: `reply:${msg.id}`, target: { kind: 'contact', id }, content: { kind: 'text', text: '已为您开通会员' }, purpose: 'reply' })
   */
  enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    // Requests made in the same event-loop turn (a burst of replies) share one transaction and one
    // round-trip to Redis; each caller still gets its own result or error.
    return this.requests.add(req);
  }

  /** Queues many messages: one SQLite transaction, then the feed gives them jobs (replies at once). */
  async enqueueMany(reqs: EnqueueRequest[]): Promise<EnqueueResult[]> {
    const now = this.clock.now().getTime();
    const rows = reqs.map((r) => {
      if (!isPurpose(r.purpose)) throw new Error(`unknown outbox purpose "${String(r.purpose)}"; allowed: ${Object.keys(PURPOSES).join(', ')}`);
      if (!r.key) throw new Error('outbox key is required');
      return {
        key: r.key,
        account: r.account ?? this.opts.defaultAccount,
        targetKind: r.target.kind,
        targetId: r.target.id,
        content: JSON.stringify(r.content),
        purpose: r.purpose,
        priority: PURPOSES[r.purpose].priority,
        notBefore: epochMs(r.notBefore),
        expiresAt: epochMs(r.expiresAt),
        createdAt: now,
        updatedAt: now,
        status: 'queued' as OutboxStatus,
        reason: null as string | null,
      };
    });
    if (this.routing) {
      accountsFor(this.routing, reqs, this.opts.defaultAccount).forEach((t, i) => {
        const row = rows[i]!;
        row.account = t.account;
        row.targetId = t.targetId;
        if (t.unreachable !== undefined) {
          row.status = 'unreachable';
          row.reason = t.unreachable;
        }
      });
    }
    const results = this.repo.insertMany(rows);
    const touched = new Map<string, boolean>();
    results.forEach((r, i) => {
      const row = rows[i]!;
      if (r.created && r.status === 'queued') touched.set(row.account, (touched.get(row.account) ?? false) || PURPOSES[row.purpose].lane === 'now');
    });
    for (const [account, urgent] of touched) {
      // A reply's job is added before enqueue resolves; paced rows are fed in the background
      // (a campaign planned in chunks feeds a few times, not once per chunk).
      const fed = this.feed(account).catch((err: unknown) => {
        // The rows are safe in SQLite; the next feed (every few seconds) gives them their jobs.
        this.logger.warn({ err, account }, 'outbox rows recorded but not yet queued in Redis; the feed will queue them');
        return 0;
      });
      if (urgent) await fed;
    }
    return results;
  }

  /** Sends a `failed` row again (an operator's retry). False when the row is not failed. */
  async retry(id: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (!this.repo.requeueFailed(id, now)) return false;
    const row = this.repo.get(id)!;
    await this.feed(row.account);
    return true;
  }

  /**
   * Gives due rows of `account` their jobs: every due reply and alert, and paced rows up to what the
   * account can send soon. One feed per account at a time in this process; a call while one runs
   * makes it run once more. Returns how many jobs were added.
   */
  feed(account: string = this.opts.defaultAccount): Promise<number> {
    this.accounts.add(account);
    const running = this.feeding.get(account);
    if (running) {
      this.again.add(account);
      return running;
    }
    const run = (async () => {
      let added = 0;
      try {
        do {
          this.again.delete(account);
          added += await this.feedOnce(account);
        } while (this.again.has(account));
      } finally {
        this.feeding.delete(account);
      }
      return added;
    })();
    this.feeding.set(account, run);
    return run;
  }

  private async feedOnce(account: string): Promise<number> {
    const now = this.clock.now().getTime();
    const dueBy = now + JOB_HORIZON_MS;
    const quietEnd = quietUntil(now, { timezone: this.opts.timezone, quietHours: liveValue(this.opts.quietHours) });
    if (quietEnd !== null) {
      const held = this.repo.deferQuietMarketing(account, now, quietEnd);
      if (held) this.logger.info({ account, held, until: new Date(quietEnd).toISOString() }, 'marketing held for quiet hours (deferred, not dropped)');
    }
    let added = 0;
    for (const lane of LANES) {
      let room = Number.POSITIVE_INFINITY;
      if (lane === 'paced') {
        const counts = await this.queues.queue(queueNames.outbox(account, lane)).getJobCounts('waiting', 'prioritized', 'delayed', 'active');
        room = this.pacedJobs(account) - Object.values(counts).reduce((a, b) => a + b, 0);
        if (room <= 0) continue;
      }
      const rows: FeedRow[] = [];
      for (const priority of lanePriorities(lane)) {
        const limit = Number.isFinite(room) ? room - rows.length : 100_000;
        rows.push(...this.repo.feedable(account, priority, dueBy, limit));
      }
      const mine = this.repo.markFed(rows, now);
      if (mine.length === 0) continue;
      try {
        await this.addJobs(account, lane, mine, now);
      } catch (err) {
        this.repo.unmarkFed(mine);
        throw err;
      }
      added += mine.length;
      this.emit('fed', account, lane);
    }
    return added;
  }

  private pacedJobs(account: string): number {
    return this.opts.pacedJobsFor?.(account) ?? 5000;
  }

  /**
   * Makes Redis agree with the record. Rows a dead process left in `sending` become `unknown` (or are
   * resent when configured). When Redis lost its data (its marker key is gone), or at a start
   * (`refeed`: jobs a crashed process held are not waited for), every queued row's job is made anew
   * with a new generation, so an old job left behind is stale and dropped unsent. Then the feed runs.
   * Work is in proportion to what is due soon, not to everything queued.
   */
  async reconcile(inFlight: 'unknown' | 'queued', isAlive: (owner: string) => Promise<boolean>, opts: { refeed?: boolean } = {}): Promise<{ inFlight: number; queued: number }> {
    const now = this.clock.now().getTime();
    let settled = 0;
    for (const owner of this.repo.sendingOwners()) {
      if (!(await isAlive(owner))) settled += this.repo.settleInFlight(owner, inFlight, now);
    }
    const redis = this.queues.redis();
    let queued = 0;
    for (const s of this.opts.accounts?.view.list() ?? []) this.accounts.add(s.id);
    for (const account of this.accounts) {
      const marker = `${this.queues.prefix}:outbox-fed:${account}`;
      const lost = (await redis.set(marker, String(now), 'NX')) === 'OK';
      if (lost || opts.refeed) {
        const forgotten = this.repo.unfeedAll(account);
        if (forgotten && lost && !opts.refeed) this.logger.warn({ account, requeued: forgotten }, 'Redis lost the outbox jobs: re-queued them from SQLite');
        else if (forgotten) this.logger.info({ account, requeued: forgotten }, 'outbox jobs made anew at start');
      }
      queued += await this.feed(account);
    }
    if (settled) this.logger.info({ inFlightSettled: settled, as: inFlight, queued }, 'outbox reconciled with the queue');
    else if (queued) this.logger.debug({ queued }, 'outbox reconciled with the queue');
    return { inFlight: settled, queued };
  }

  /**
   * Removes the paced jobs of rows that were settled meanwhile (a campaign paused or cancelled, a
   * wake-up stopped by a reply), so they hold no place in Redis, then feeds. Reads at most the lane's
   * cap of jobs. Returns how many were removed.
   */
  async sweep(account: string = this.opts.defaultAccount): Promise<number> {
    const queue = this.queues.queue(queueNames.outbox(account, 'paced'));
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, this.pacedJobs(account) - 1);
    const stale = jobs.filter((j) => {
      const data = j?.data as SendJobData | undefined;
      if (!data) return false;
      const row = this.repo.get(data.id);
      return !row || row.status !== 'queued' || row.fedGen !== data.gen;
    });
    // A job another process holds (active) cannot be removed: its sender drops it unsent.
    const removed = await Promise.all(
      stale.map((j) =>
        j.remove().then(
          () => 1,
          () => 0,
        ),
      ),
    );
    const n = removed.reduce<number>((a, b) => a + b, 0);
    if (n) this.logger.debug({ account, removed: n }, 'outbox jobs of settled rows removed');
    await this.feed(account);
    return n;
  }

  /** Sweeps and feeds every known account every `everyMs` (Redis-loss checks run in reconcile, by the caller). */
  startFeeding(everyMs = FEED_EVERY_MS): void {
    this.followReach();
    this.timer ??= setInterval(() => {
      for (const account of this.accounts) {
        this.sweep(account).catch((err: unknown) => this.logger.debug({ err, account }, 'outbox feed failed; next time'));
      }
      this.checkDown().catch((err: unknown) => this.logger.warn({ err }, 'down accounts not handled; next time'));
    }, everyMs);
    this.timer.unref();
  }

  stopFeeding(): void {
    this.downWatch?.stop();
    this.unfollowReach?.();
    this.unfollowReach = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * An account went down (logged out, banned, disabled): after the grace (`accounts.downGraceMs`, 60 s)
   * its waiting messages re-route or wait per purpose (the account's `onDown`), and the admins are told
   * once. The hub calls this on its `down` event. No-op without routing.
   */
  accountDown(account: string, reason: string): void {
    this.downWatch?.down(account, reason);
  }

  /**
   * The account is up (the hub emits `up` after recording its login lists): it is routed to again, its
   * waiting messages are fed, and every `unreachable` row is routed again (it, or reach read meanwhile,
   * may reach them now; expired ones end `expired`).
   */
  async accountUp(account: string): Promise<void> {
    if (this.downWatch) await this.downWatch.up(account);
    if (this.reachFollower) await this.reachFollower.everything();
  }

  /** Resolves when reach changes noted so far have been handled (rows routed again, fed). */
  reachSettled(): Promise<void> {
    return this.reachFollower?.settled() ?? Promise.resolve();
  }

  /**
   * Where messages to `targets` would go now, per account with its budget, and how many no account
   * reaches; nothing is queued (capacity estimates: the 3+3+3 warning, `campaign check`). Null without
   * routing (one account from the environment: the caller uses its SEND_* budget).
   */
  routeShares(targets: readonly RouteRequest[], perTarget = 1): { shares: AccountShare[]; unreachable: number } | null {
    return this.routing ? sharesOf(this.routing, targets, perTarget) : null;
  }

  /**
   * The targets no enabled account reaches now (the campaign builder's preview); null without routing
   * or with one account (then reach is not consulted).
   */
  unreachableAmong(targets: readonly RouteRequest[]): Set<string> | null {
    return this.routing ? unreachableAmong(this.routing, targets) : null;
  }

  /** Accounts down now: since when, why, and whether their grace has passed (policies applied). */
  downAccounts(): { account: string; since: number; reason: string; applied: boolean }[] {
    return this.downWatch?.list() ?? [];
  }

  /** Applies the down policies of accounts whose grace has passed (the feed's timer calls it too). */
  checkDown(): Promise<DownReport[]> {
    return this.downWatch ? this.downWatch.check() : Promise.resolve([]);
  }

  private async addJobs(account: string, lane: Lane, rows: readonly FeedRow[], now: number): Promise<void> {
    const queue = this.queues.queue(queueNames.outbox(account, lane));
    for (let i = 0; i < rows.length; i += JOB_CHUNK) {
      await queue.addBulk(
        rows.slice(i, i + JOB_CHUNK).map((r) => ({
          name: 'send',
          data: { id: r.id, gen: r.gen } satisfies SendJobData,
          opts: {
            jobId: sendJobId(r.id, r.gen),
            priority: r.priority,
            delay: r.dueAt > now ? r.dueAt - now : undefined,
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      );
    }
  }
}

import type { ReachChange } from '../accounts/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { OutboxRepo, ReachRouteRow } from './outbox.repo.js';
import type { Purpose } from './purposes.js';
import { lostPlan, unreachablePlan } from './reroute.rules.js';
import type { AccountRouting } from './routing.js';

/** Rows routed per routing batch. */
const BATCH = 1000;

/** What one pass did. */
export interface ReachFollowReport {
  /** `unreachable` rows queued on an account that reaches their target now. */
  queued: number;
  /** `unreachable` rows past their expiry, ended `expired`. */
  expired: number;
  /** Queued rows whose account lost their target, moved to another account that reaches it. */
  moved: number;
  /** Queued rows whose account lost their target and no other account reaches: `unreachable`. */
  lost: number;
}

/**
 * Routes rows again when who reaches whom changes (ReachRepo.onChange) or an account comes up:
 * - an `unreachable` row to a target an account now reaches is queued on it (expired ones end `expired`);
 *   an account coming up (its lists just read, or enabled again) looks at every unreachable row;
 * - a queued row whose account lost its target (friend removed, left the group) moves to another account
 *   that reaches it, or becomes `unreachable` with the reason (a new job generation either way: the
 *   job left in the old account's queue is stale and dropped unsent).
 * Changes of one event-loop turn are handled together, after the write; SQLite only (indexed reads of
 * the changed targets, batched routing), then one feed per account that got rows.
 */
export class ReachFollower {
  /** kind → targets gained by some account. */
  private readonly added = new Map<'contact' | 'room', Set<string>>();
  /** account + kind → targets it lost. */
  private readonly removed = new Map<string, { account: string; kind: 'contact' | 'room'; ids: Set<string> }>();
  private all = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      repo: OutboxRepo;
      routing: AccountRouting;
      feed: (account: string) => Promise<number>;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** A reach change (the ReachRepo listener): noted now, handled after this turn. */
  change(c: ReachChange): void {
    if (c.added.length) {
      let s = this.added.get(c.kind);
      if (!s) this.added.set(c.kind, (s = new Set()));
      for (const id of c.added) s.add(id);
    }
    if (c.removed.length) {
      const k = `${c.kind}\u0000${c.account}`;
      let e = this.removed.get(k);
      if (!e) this.removed.set(k, (e = { account: c.account, kind: c.kind, ids: new Set() }));
      for (const id of c.removed) e.ids.add(id);
    }
    void this.schedule();
  }

  /** An account came up (its lists read, or enabled again): every unreachable row is routed again. */
  everything(): Promise<void> {
    this.all = true;
    return this.schedule();
  }

  /** Resolves when what was noted so far has been handled (tests, shutdown). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private pending(): boolean {
    return this.all || this.added.size > 0 || this.removed.size > 0;
  }

  private schedule(): Promise<void> {
    this.running ??= (async () => {
      try {
        await new Promise((r) => setImmediate(r));
        while (this.pending()) await this.pass();
      } catch (err) {
        this.deps.logger.warn({ err }, 'rows not routed again after a reach change; the next change or account up tries again');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** One pass over what was noted (taken at its start; what comes in meanwhile makes another pass). */
  async pass(): Promise<ReachFollowReport> {
    const added = [...this.added];
    const removed = [...this.removed.values()];
    const all = this.all;
    this.added.clear();
    this.removed.clear();
    this.all = false;
    const report: ReachFollowReport = { queued: 0, expired: 0, moved: 0, lost: 0 };
    const { repo, routing, logger } = this.deps;
    // One account (or none): everything goes through it and reach is not read (routing.ts accountsFor).
    if (routing.single() !== null || routing.view.list().length === 0) return report;
    const now = this.deps.clock.now().getTime();
    const fed = new Set<string>();

    for (const { account, kind, ids } of removed) {
      const rows = repo.queuedTo(account, kind, [...ids]);
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH);
        const plan = lostPlan(account, batch, routing.route(batch.map(ask)));
        report.moved += repo.reroute(plan.move, now);
        report.lost += repo.markUnreachable(plan.unreachable, now);
        for (const m of plan.move) fed.add(m.to);
      }
    }

    if ((all || added.length) && repo.anyUnreachable()) {
      const requeue = (batch: ReachRouteRow[]) => {
        const plan = unreachablePlan(batch, routing.route(batch.map(ask)), now);
        report.expired += repo.expireUnreachable(plan.expire, now);
        report.queued += repo.queueUnreachable(plan.queue, now);
        for (const q of plan.queue) fed.add(q.to);
      };
      if (all) {
        for (let after = 0; ;) {
          const page = repo.unreachablePage(after, BATCH);
          if (page.length === 0) break;
          requeue(page);
          after = page[page.length - 1]!.id;
        }
      } else {
        for (const [kind, ids] of added) {
          const list = [...ids];
          for (let i = 0; i < list.length; i += BATCH) {
            const rows = repo.unreachableTo(kind, list.slice(i, i + BATCH));
            for (let j = 0; j < rows.length; j += BATCH) requeue(rows.slice(j, j + BATCH));
          }
        }
      }
    }

    if (report.queued || report.expired || report.moved || report.lost) logger.info({ ...report }, 'rows routed again after a reach change');
    for (const a of fed) await this.deps.feed(a).catch((err: unknown) => logger.warn({ err, account: a }, 'rows routed again are recorded; the feed queues them next time'));
    return report;
  }
}

const ask = (r: ReachRouteRow) => ({ purpose: r.purpose as Purpose, kind: r.targetKind, id: r.targetId });

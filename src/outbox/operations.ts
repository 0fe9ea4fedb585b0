import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../platform/db/client.js';
import type { EnqueueRequest, EnqueueResult } from './outbox.js';
import { OutboxRepo, type HeldRow, type KeySelector } from './outbox.repo.js';
import { PURPOSES } from './purposes.js';

export type { HeldRow, KeySelector } from './outbox.repo.js';

/** The outbox's feed and sweep (outbox.ts): what gives rows their jobs and drops the jobs of settled rows. */
export interface OutboxFeed {
  feed(account?: string): Promise<number>;
  sweep(account?: string): Promise<number>;
}

/**
 * What a capability may do to messages already in the outbox, chosen by key prefix (a campaign's
 * `campaign:<id>:`) or by id (a wake-up's stage rows). Nothing outside the outbox writes outbox rows
 * or adds send jobs: capabilities enqueue (outbox.ts) and use these.
 *
 * - `cancel`: still-queued rows are settled `skipped` with a reason, never sent; rows held under the
 *   prefix become cancelled too. Their jobs are dropped.
 * - `hold`: still-queued rows are set aside (`skipped` with the hold's reason), keeping their place
 *   (not-before, priority); their jobs are dropped.
 * - `release`: held rows go back to the queue in their place, and are fed at once.
 * - `requeue`: held rows go back to the queue at new times (`plan`), and are fed at once.
 * - `retry`: a failed row goes back to the queue (an operator's retry).
 *
 * A row already sent (or in the sender's hand) is never touched, so none of these can duplicate a send.
 * Without a feed (the CLI, which does not reach Redis) the records change and the running bot's feed
 * gives the rows their jobs within seconds.
 * @example
 * const ops = outboxOperations(db, outbox, clock, logger)
 * ops.hold('campaign:spring:', 'paused')
 * await ops.release('campaign:spring:', 'paused')
 */
export class OutboxOperations {
  private readonly sweeps = new Set<string>();

  constructor(
    private readonly repo: OutboxRepo,
    private readonly outbox: OutboxFeed | null,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Settles the still-queued rows chosen as `skipped` with `reason`; with `held`, rows held under the
   * prefix with that reason get `reason` too. Returns how many rows were cancelled.
   */
  cancel(under: KeySelector, reason: string, opts: { held?: string } = {}): number {
    const now = this.clock.now().getTime();
    const r = this.repo.settleQueuedUnder(under, reason, now);
    const held = opts.held && 'prefix' in under ? this.repo.rewordHeld(under.prefix, opts.held, reason, now) : 0;
    this.dropJobs(r.accounts);
    return r.changed + held;
  }

  /** Sets the still-queued rows under `prefix` aside (`skipped` with `reason`), in their place. Returns how many. */
  hold(prefix: string, reason: string): number {
    const r = this.repo.settleQueuedUnder({ prefix }, reason, this.clock.now().getTime());
    this.dropJobs(r.accounts);
    return r.changed;
  }

  /** The rows held under `prefix` with `reason`, in their planned order. */
  held(prefix: string, reason: string): HeldRow[] {
    return this.repo.heldUnder(prefix, reason);
  }

  /** Puts the rows held under `prefix` back in the queue in their place and feeds them. Returns how many. */
  async release(prefix: string, reason: string): Promise<number> {
    const rows = this.repo.heldUnder(prefix, reason);
    return this.back(rows, rows, reason);
  }

  /**
   * Puts the rows held under `prefix` back in the queue at the times `plan` gives (one per row, in the
   * held order: spread over what is left of a window) and feeds them. Returns how many.
   */
  async requeue(prefix: string, reason: string, plan: (rows: readonly HeldRow[]) => readonly number[]): Promise<number> {
    const rows = this.repo.heldUnder(prefix, reason);
    if (rows.length === 0) return 0;
    const at = plan(rows);
    if (at.length !== rows.length) throw new Error(`outbox requeue: the plan gave ${at.length} time(s) for ${rows.length} held row(s)`);
    return this.back(
      rows,
      rows.map((r, i) => ({ ...r, notBefore: at[i]! })),
      reason,
    );
  }

  /** Sends a `failed` row again (an operator's retry), fed at once where Redis is reached. False when the row is not failed. */
  async retry(id: number): Promise<boolean> {
    if (!this.repo.requeueFailed(id, this.clock.now().getTime())) return false;
    await this.feedAccounts([this.repo.get(id)!.account]);
    return true;
  }

  private async back(rows: readonly HeldRow[], plan: readonly { id: number; notBefore: number | null }[], reason: string): Promise<number> {
    if (rows.length === 0) return 0;
    const changed = new Set(this.repo.unhold(plan, reason, this.clock.now().getTime()));
    await this.feedAccounts([...new Set(rows.filter((r) => changed.has(r.id)).map((r) => r.account))]);
    return changed.size;
  }

  private async feedAccounts(accounts: readonly string[]): Promise<void> {
    if (!this.outbox) return;
    try {
      for (const account of accounts) await this.outbox.feed(account);
    } catch (err) {
      this.logger.warn({ err }, 'outbox rows back in the queue but not yet queued in Redis; the feed will queue them');
    }
  }

  /**
   * Drops the jobs of rows just settled, so they hold no place in Redis (the sender drops them unsent
   * anyway): one sweep per account after this turn, however many operations ran in it.
   */
  private dropJobs(accounts: readonly string[]): void {
    if (!this.outbox || accounts.length === 0) return;
    const first = this.sweeps.size === 0;
    for (const a of accounts) this.sweeps.add(a);
    if (!first) return;
    setImmediate(() => {
      const due = [...this.sweeps];
      this.sweeps.clear();
      for (const account of due) {
        this.outbox!.sweep(account).catch((err: unknown) => this.logger.debug({ err, account }, 'outbox sweep after settling rows failed; the feed sweeps again'));
      }
    });
  }
}

/**
 * The operations over a database's outbox.
 * @param outbox the outbox's feed and sweep; null where Redis is not reached (the CLI).
 */
export function outboxOperations(db: Db, outbox: OutboxFeed | null, clock: Clock, logger: Logger): OutboxOperations {
  return new OutboxOperations(new OutboxRepo(db), outbox, clock, logger);
}

/**
 * The outbox where Redis is not reached (the CLI): rows recorded in SQLite only, with the same keys,
 * purposes and priorities as `Outbox.enqueueMany`; the running bot's feed gives queued rows their jobs
 * within seconds.
 */
export function recordOnlyOutbox(db: Db, defaultAccount: string, clock: Clock): { enqueueMany(reqs: EnqueueRequest[]): Promise<EnqueueResult[]> } {
  const repo = new OutboxRepo(db);
  return {
    enqueueMany: async (reqs) => {
      const at = clock.now().getTime();
      return repo.insertMany(
        reqs.map((r) => ({
          key: r.key,
          account: r.account ?? defaultAccount,
          targetKind: r.target.kind,
          targetId: r.target.id,
          content: JSON.stringify(r.content),
          purpose: r.purpose,
          priority: PURPOSES[r.purpose].priority,
          notBefore: toMs(r.notBefore),
          expiresAt: toMs(r.expiresAt),
          createdAt: at,
          updatedAt: at,
        })),
      );
    },
  };
}

const toMs = (t: Date | number | undefined | null) => (t === undefined || t === null ? null : typeof t === 'number' ? t : t.getTime());

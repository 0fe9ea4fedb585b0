import { and, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { TurnBatch } from '../core/turn-batch.js';
import type { Db } from '../platform/db/client.js';
import { optOuts, outbox, type OutboxStatus } from '../platform/db/schema.js';
import { MARKETING_PRIORITIES, MARKETING_PURPOSES } from './purposes.js';

/** A queued row the feed gives a job: its id, the generation of the new job, its priority and when it is due. */
export interface FeedRow {
  id: number;
  gen: number;
  priority: number;
  dueAt: number;
}

/** When a queued row may go: the later of its not-before and any deferral (0: now). */
const DUE = 'coalesce(deferred_until, not_before, 0)';

/** A row routed again when reach changes: what routing needs. */
export interface ReachRouteRow {
  id: number;
  account: string;
  targetKind: 'contact' | 'room';
  targetId: string;
  purpose: string;
  expiresAt: number | null;
}
const ROUTE_COLS = 'id, account, target_kind as targetKind, target_id as targetId, purpose, expires_at as expiresAt';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;

const p = (name: string) => sql.placeholder(name);
/** A placeholder inside `.set({...})`, which takes SQL rather than a bare placeholder. */
const pv = (name: string) => sql`${p(name)}`;

/**
 * The outbox table: the record of every outbound message and its fate. The statements of the
 * send path are prepared once (building a drizzle query and preparing it on every call cost more
 * than running it).
 */
export class OutboxRepo {
  private readonly insertStmt;
  private readonly byKeyStmt;
  private readonly byIdStmt;
  private readonly claimStmt;
  private readonly claimGenStmt;
  private readonly finishSentStmt;
  private readonly finishStmt;
  private readonly settleQueuedStmt;
  private readonly optedOutStmt;
  private readonly marketingSinceStmt;
  private readonly feedableStmt;
  private readonly markFedStmt;
  private readonly deferStmt;
  private readonly retryLaterStmt;
  private readonly deferQuietStmt;
  private readonly writes = new TurnBatch<() => unknown, unknown>(
    (ws) => this.db.$client.transaction(() => ws.map((w) => w()))(),
    (w) => w(),
  );

  constructor(readonly db: Db) {
    // Plain better-sqlite3 statements for the bulk insert: drizzle's placeholder filling cost more
    // than the insert itself at campaign scale (100,000 rows per occurrence).
    this.insertStmt = db.$client.prepare<[string, string, string, string, string, string, number, number | null, number | null, OutboxStatus, string | null, number, number]>(
      `insert into outbox (key, account, target_kind, target_id, content, purpose, priority, not_before, expires_at, status, reason, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
    );
    this.byKeyStmt = db.$client.prepare<[string], { id: number; status: OutboxStatus }>('select id, status from outbox where key = ?');
    this.byIdStmt = db
      .select()
      .from(outbox)
      .where(eq(outbox.id, p('id')))
      .prepare();
    this.claimStmt = db
      .update(outbox)
      .set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, updatedAt: pv('now'), claimedBy: pv('by') })
      .where(and(eq(outbox.id, p('id')), eq(outbox.status, 'queued')))
      .prepare();
    // A job claims its row only on its own generation: a row moved to another account meanwhile (its
    // account went down) is left to the new account's job.
    this.claimGenStmt = db.$client.prepare<[number, string, number, number]>(
      `update outbox set status = 'sending', attempts = attempts + 1, updated_at = ?, claimed_by = ? where id = ? and status = 'queued' and fed_gen = ?`,
    );
    this.finishSentStmt = db
      .update(outbox)
      .set({ status: 'sent', reason: pv('reason'), updatedAt: pv('now'), sentAt: pv('now') })
      .where(eq(outbox.id, p('id')))
      .prepare();
    this.finishStmt = db
      .update(outbox)
      .set({ status: pv('status') as SQL<OutboxStatus>, reason: pv('reason'), updatedAt: pv('now') })
      .where(eq(outbox.id, p('id')))
      .prepare();
    this.settleQueuedStmt = db
      .update(outbox)
      .set({ status: pv('status') as SQL<OutboxStatus>, reason: pv('reason'), updatedAt: pv('now') })
      .where(and(eq(outbox.id, p('id')), eq(outbox.status, 'queued')))
      .prepare();
    this.optedOutStmt = db
      .select({ c: optOuts.contactId })
      .from(optOuts)
      .where(eq(optOuts.contactId, p('id')))
      .prepare();
    this.marketingSinceStmt = db
      .select({ n: sql<number>`count(*)` })
      .from(outbox)
      .where(and(eq(outbox.targetId, p('id')), gte(outbox.sentAt, p('since')), eq(outbox.status, 'sent'), inArray(outbox.purpose, MARKETING_PURPOSES)))
      .prepare();
    // The feed reads one priority at a time along outbox_feed_idx (account, priority, due, id) where
    // status = 'queued' and fed_at is null: the WHERE repeats the index's own condition so SQLite uses it.
    this.feedableStmt = db.$client
      .prepare<[string, number, number, number], [number, number, number, number]>(
        `select id, fed_gen + 1, priority, ${DUE} from outbox
       where account = ? and priority = ? and status = 'queued' and fed_at is null and ${DUE} <= ?
       order by ${DUE}, id limit ?`,
      )
      .raw();
    this.markFedStmt = db.$client.prepare<[number, number, number, number]>(`update outbox set fed_at = ?, fed_gen = ? where id = ? and status = 'queued' and fed_gen = ?`);
    this.deferStmt = db.$client.prepare<[number, string, number, number | null, number, number]>(
      `update outbox set deferred_until = ?, deferred_why = ?, fed_at = null,
         expires_at = case when ? = 1 then ? else expires_at end, updated_at = ?
       where id = ? and status = 'queued'`,
    );
    this.retryLaterStmt = db.$client.prepare<[string, number, number, number]>(
      `update outbox set status = 'queued', reason = ?, deferred_until = ?, deferred_why = 'retry', fed_at = null, updated_at = ?
       where id = ?`,
    );
    // Runs at every feed during quiet hours: prepared once, like the rest of the send path.
    this.deferQuietStmt = db.$client.prepare<[{ account: string; now: number; end: number }]>(
      `update outbox set deferred_until = @end, deferred_why = 'quiet-hours', updated_at = @now,
         expires_at = case when expires_at is null then null else @end + max(0, expires_at - max(@now, ${DUE})) end
       where account = @account and priority in (${MARKETING_PRIORITIES.join(', ')}) and status = 'queued' and fed_at is null
         and ${DUE} < @end and (expires_at is null or expires_at > @now)`,
    );
  }

  /**
   * Queued rows of `account` at `priority` without a job, due by `dueBy`, earliest first: what the
   * feed gives jobs next. Each comes with the generation its new job carries.
   */
  feedable(account: string, priority: number, dueBy: number, limit: number): FeedRow[] {
    if (limit <= 0) return [];
    return this.feedableStmt.all(account, priority, dueBy, limit).map(([id, gen, pr, dueAt]) => ({ id, gen, priority: pr, dueAt }));
  }

  /**
   * Moves rows to their new job generation before the jobs exist (a job must never find its row on the
   * old generation, or it would be dropped as stale). Returns the rows this call moved: a row another
   * feed moved meanwhile is left to that feed.
   */
  markFed(rows: readonly FeedRow[], now: number): FeedRow[] {
    return this.db.$client.transaction(() => rows.filter((r) => this.markFedStmt.run(now, r.gen, r.id, r.gen - 1).changes === 1))();
  }

  /** Adding the jobs failed: the rows wait for the next feed (their generation stays moved on). */
  unmarkFed(rows: readonly FeedRow[]): void {
    const stmt = this.db.$client.prepare(`update outbox set fed_at = null where id = ? and fed_gen = ? and status = 'queued'`);
    this.db.$client.transaction(() => {
      for (const r of rows) stmt.run(r.id, r.gen);
    })();
  }

  /**
   * Holds a queued row back until `until` (its job is dropped; the feed gives it a new one when it
   * comes due). `expiresAt`, when given, replaces its expiry (quiet hours move it). False when not queued.
   */
  defer(id: number, until: number, why: string, now: number, expiresAt?: number | null): boolean {
    return this.deferStmt.run(until, why, expiresAt === undefined ? 0 : 1, expiresAt ?? null, now, id).changes === 1;
  }

  /** A failed attempt: back to queued, held until `until`, with what went wrong. */
  retryLater(id: number, until: number, reason: string, now: number): void {
    this.retryLaterStmt.run(reason, until, now, id);
  }

  /**
   * Quiet hours decided in SQL, before any job: marketing rows of `account` due before the window's end
   * `end` wait until it, their expiry moved by the same time (one range of the feed index per priority).
   * Returns how many.
   */
  deferQuietMarketing(account: string, now: number, end: number): number {
    return this.deferQuietStmt.run({ account, now, end }).changes;
  }

  /** Forgets every job of `account`'s queued rows (Redis lost them, or a start re-feeds them). Returns how many. */
  unfeedAll(account: string): number {
    return this.db.$client.prepare(`update outbox set fed_at = null where account = ? and status = 'queued' and fed_at is not null`).run(account).changes;
  }

  /** Queued rows of `account` with one of `purposes` (what a down account's re-routing looks at), oldest first. */
  queuedOf(account: string, purposes: readonly string[]): { id: number; targetKind: 'contact' | 'room'; targetId: string; purpose: string }[] {
    if (purposes.length === 0) return [];
    return this.db.$client
      .prepare(
        `select id, target_kind as targetKind, target_id as targetId, purpose from outbox
      where account = ? and status = 'queued' and purpose in (${purposes.map(() => '?').join(',')}) order by id`,
      )
      .all(account, ...purposes) as never;
  }

  /**
   * Moves queued rows to another account (theirs went down): a new account, maybe another contact id of
   * the same person, and a new job generation, so a job left in the old account's queue is stale and
   * dropped unsent. Returns how many moved (a row claimed or settled meanwhile stays where it is).
   */
  reroute(moves: readonly { id: number; from: string; to: string; targetId: string }[], now: number): number {
    const stmt = this.db.$client.prepare(`update outbox set account = ?, target_id = ?, fed_at = null, fed_gen = fed_gen + 1,
      rerouted = rerouted + 1, updated_at = ? where id = ? and account = ? and status = 'queued'`);
    return this.db.$client.transaction(() => moves.reduce((n, m) => n + stmt.run(m.to, m.targetId, now, m.id, m.from).changes, 0))();
  }

  /** Whether any row is `unreachable` (one step along outbox_status_idx): most reach changes stop here. */
  anyUnreachable(): boolean {
    return this.db.$client.prepare(`select 1 from outbox where status = 'unreachable' limit 1`).get() !== undefined;
  }

  /** `unreachable` rows after id `afterId`, in id order, `limit` at most (a pass over all of them, page by page). */
  unreachablePage(afterId: number, limit: number): ReachRouteRow[] {
    return this.db.$client.prepare(`select ${ROUTE_COLS} from outbox where status = 'unreachable' and id > ? order by id limit ?`).all(afterId, limit) as ReachRouteRow[];
  }

  /**
   * `unreachable` rows to any of `ids` (contacts: also to the other contact ids of the same member,
   * since routing reaches a person by any of them). Along outbox_target_sent_idx.
   */
  unreachableTo(kind: 'contact' | 'room', ids: readonly string[]): ReachRouteRow[] {
    if (ids.length === 0) return [];
    const c = this.db.$client;
    const json = JSON.stringify(ids);
    if (kind === 'room') {
      return c
        .prepare(`select ${ROUTE_COLS} from outbox where target_id in (select value from json_each(?)) and target_kind = 'room' and +status = 'unreachable' order by id`)
        .all(json) as ReachRouteRow[];
    }
    return c
      .prepare(
        `with added(id) as (select value from json_each(?)),
          mem(id) as (select id from members where contact_id in (select id from added) union select member_id from member_links where contact_id in (select id from added)),
          ids(id) as (select id from added union select contact_id from members where id in (select id from mem) and contact_id is not null
            union select contact_id from member_links where member_id in (select id from mem))
        select ${ROUTE_COLS} from outbox where target_id in (select id from ids) and target_kind = 'contact' and +status = 'unreachable' order by id`,
      )
      .all(json) as ReachRouteRow[];
  }

  /**
   * Queued rows of `account` to any of `ids` (it lost them: they route again). Along outbox_target_sent_idx
   * (`+status` keeps SQLite off outbox_status_idx, which would walk every queued row).
   */
  queuedTo(account: string, kind: 'contact' | 'room', ids: readonly string[]): ReachRouteRow[] {
    if (ids.length === 0) return [];
    return this.db.$client
      .prepare(`select ${ROUTE_COLS} from outbox where target_id in (select value from json_each(?)) and account = ? and target_kind = ? and +status = 'queued' order by id`)
      .all(JSON.stringify(ids), account, kind) as ReachRouteRow[];
  }

  /** `unreachable` rows an account reaches now: queued on it (a new job generation). Returns how many. */
  queueUnreachable(rows: readonly { id: number; to: string; targetId: string }[], now: number): number {
    const stmt = this.db.$client.prepare(`update outbox set status = 'queued', reason = null, account = ?, target_id = ?, fed_at = null, fed_gen = fed_gen + 1,
      updated_at = ? where id = ? and status = 'unreachable'`);
    return this.db.$client.transaction(() => rows.reduce((n, r) => n + stmt.run(r.to, r.targetId, now, r.id).changes, 0))();
  }

  /** `unreachable` rows past their expiry: `expired`. Returns how many. */
  expireUnreachable(ids: readonly number[], now: number): number {
    const stmt = this.db.$client.prepare(`update outbox set status = 'expired',
      reason = 'expired at ' || strftime('%Y-%m-%dT%H:%M:%fZ', expires_at / 1000.0, 'unixepoch') || ' while no enabled account reached its target',
      updated_at = ? where id = ? and status = 'unreachable'`);
    return this.db.$client.transaction(() => ids.reduce((n, id) => n + stmt.run(now, id).changes, 0))();
  }

  /**
   * Queued rows whose account lost their target and that no other account reaches: `unreachable` with
   * the reason (a new generation: a job left in the old account's queue is stale). Returns how many.
   */
  markUnreachable(rows: readonly { id: number; from: string; reason: string }[], now: number): number {
    const stmt = this.db.$client.prepare(`update outbox set status = 'unreachable', reason = ?, account = '', fed_at = null, fed_gen = fed_gen + 1,
      updated_at = ? where id = ? and account = ? and status = 'queued'`);
    return this.db.$client.transaction(() => rows.reduce((n, r) => n + stmt.run(r.reason, now, r.id, r.from).changes, 0))();
  }

  /**
   * Queued rows of a down `account` past their expiry become `expired` (its sender, paused, would only
   * find out when it is back). Returns how many.
   */
  expireWaiting(account: string, now: number): number {
    return this.db.$client
      .prepare(
        `update outbox set status = 'expired', reason = 'expired at ' || strftime('%Y-%m-%dT%H:%M:%fZ', expires_at / 1000.0, 'unixepoch') || ' while its account was down',
      updated_at = ? where account = ? and status = 'queued' and expires_at is not null and expires_at <= ?`,
      )
      .run(now, account, now).changes;
  }

  /** Queued rows of `account` (what waits for it when it is down). */
  queuedCount(account: string): number {
    return (this.db.$client.prepare(`select count(*) as n from outbox where account = ? and status = 'queued'`).get(account) as { n: number }).n;
  }

  /**
   * For the accounts page and /metrics: per account, messages it took over from a down account
   * (`rerouted` > 0); and messages no enabled account could send.
   */
  routingCounts(): { reroutedTo: Record<string, number>; unreachable: number } {
    const c = this.db.$client;
    const rows = c.prepare('select account, count(*) as n from outbox where rerouted > 0 group by account').all() as { account: string; n: number }[];
    const unreachable = c.prepare(`select count(*) from outbox where status = 'unreachable'`).pluck().get() as number;
    return { reroutedTo: Object.fromEntries(rows.map((r) => [r.account, r.n])), unreachable };
  }

  /** Queued rows of `account` that have a job now. */
  fedCount(account: string): number {
    return (this.db.$client.prepare(`select count(*) as n from outbox where account = ? and status = 'queued' and fed_at is not null`).get(account) as { n: number }).n;
  }

  /**
   * Inserts rows whose key is new, in one transaction. Returns, per input, the row id and whether
   * this call created it (false: the key existed, nothing changed).
   */
  insertMany(rows: NewOutboxRow[]): { id: number; created: boolean; status: OutboxStatus }[] {
    return this.db.$client.transaction(() =>
      rows.map((r) => {
        const status = r.status ?? 'queued';
        const ins = this.insertStmt.run(
          r.key,
          r.account,
          r.targetKind,
          r.targetId,
          r.content,
          r.purpose,
          r.priority,
          r.notBefore ?? null,
          r.expiresAt ?? null,
          status,
          r.reason ?? null,
          r.createdAt,
          r.createdAt,
        );
        if (ins.changes === 1) return { id: Number(ins.lastInsertRowid), created: true, status };
        const existing = this.byKeyStmt.get(r.key)!;
        return { id: existing.id, created: false, status: existing.status };
      }),
    )();
  }

  /**
   * Runs `write` in one transaction with the other writes queued in the same event-loop turn, and
   * resolves after that commit: many concurrent sends cost one commit instead of one each. When
   * the shared transaction fails, each write is retried alone so one bad write fails only itself.
   */
  batched<T>(write: () => T): Promise<T> {
    return this.writes.add(write) as Promise<T>;
  }

  get(id: number): OutboxRow | undefined {
    return this.byIdStmt.get({ id });
  }

  getByKey(key: string): OutboxRow | undefined {
    return this.db.select().from(outbox).where(eq(outbox.key, key)).get();
  }

  /**
   * Atomically moves a queued row to `sending`; false when another worker has it or it is done, or,
   * given the job's generation `gen`, when the row moved on to another one (re-routed, fed again).
   */
  claim(id: number, now: number, instanceId: string, gen?: number): boolean {
    if (gen !== undefined) return this.claimGenStmt.run(now, instanceId, id, gen).changes === 1;
    return this.claimStmt.run({ id, now, by: instanceId }).changes === 1;
  }

  /** Ends a row in a final state (or back to queued for a retry). */
  finish(id: number, status: OutboxStatus, now: number, reason: string | null = null): void {
    (status === 'sent' ? this.finishSentStmt : this.finishStmt).run({ id, status, now, reason });
  }

  /** Ends a queued row without sending (skipped or expired). False when it was not queued. */
  settleQueued(id: number, status: 'skipped' | 'expired', now: number, reason: string): boolean {
    return this.settleQueuedStmt.run({ id, status, now, reason }).changes === 1;
  }

  isOptedOut(contactId: string): boolean {
    return this.optedOutStmt.get({ id: contactId }) !== undefined;
  }

  /** Marketing messages sent to this target since `since` (epoch ms). */
  marketingSentSince(targetId: string, since: number): number {
    return this.marketingSinceStmt.get({ id: targetId, since })?.n ?? 0;
  }

  /** Processes that hold rows in `sending`. */
  sendingOwners(): string[] {
    return this.db
      .selectDistinct({ by: outbox.claimedBy })
      .from(outbox)
      .where(eq(outbox.status, 'sending'))
      .all()
      .map((r) => r.by ?? '');
  }

  /**
   * After a crash: rows a dead process left in `sending` become `unknown` (or `queued` to resend).
   * Returns how many.
   */
  settleInFlight(owner: string, to: 'unknown' | 'queued', now: number): number {
    const reason = to === 'unknown' ? 'in flight when its bot process died; not resent' : 'in flight when its bot process died; resending';
    const ownerCond = owner === '' ? sql`${outbox.claimedBy} is null` : eq(outbox.claimedBy, owner);
    return this.db
      .update(outbox)
      .set({ status: to, reason, updatedAt: now, fedAt: null })
      .where(and(eq(outbox.status, 'sending'), ownerCond))
      .run().changes;
  }

  /** Puts a failed row back in the queue with a fresh attempt count. False when it is not `failed`. */
  requeueFailed(id: number, now: number): boolean {
    return (
      this.db
        .update(outbox)
        .set({ status: 'queued', attempts: 0, reason: 'retried by an operator', updatedAt: now, fedAt: null, deferredUntil: null, deferredWhy: null })
        .where(and(eq(outbox.id, id), eq(outbox.status, 'failed')))
        .run().changes === 1
    );
  }

  /** Rows sent since `since` (epoch ms), for budget use. */
  sentSince(since: number): number {
    return (
      this.db
        .select({ n: sql<number>`count(*)` })
        .from(outbox)
        .where(gte(outbox.sentAt, since))
        .get()?.n ?? 0
    );
  }

  /** The latest rows, optionally of one status, newest first. */
  latest(limit: number, status?: OutboxStatus): OutboxRow[] {
    const q = this.db.select().from(outbox);
    return (status ? q.where(eq(outbox.status, status)) : q)
      .orderBy(sql`${outbox.id} desc`)
      .limit(limit)
      .all();
  }

  countByStatus(): Record<string, number> {
    const rows = this.db
      .select({ status: outbox.status, n: sql<number>`count(*)` })
      .from(outbox)
      .groupBy(outbox.status)
      .all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  // ── operations by key prefix (outbox/operations.ts) ─────────────────────────────────────────────

  /**
   * Settles the still-queued rows under a key prefix (`campaign:spring:`) or with these ids as
   * `skipped` with `reason`, keeping their place (not-before, priority). Returns the accounts touched
   * and how many rows changed.
   */
  settleQueuedUnder(under: KeySelector, reason: string, now: number): { changed: number; accounts: string[] } {
    const { where, args } = selectorSql(under);
    return this.db.$client.transaction(() => {
      const accounts = this.db.$client
        .prepare(`select distinct account from outbox where ${where} and status = 'queued'`)
        .pluck()
        .all(...args) as string[];
      const changed = this.db.$client
        .prepare(`update outbox set status = 'skipped', reason = ?, updated_at = ? where ${where} and status = 'queued'`)
        .run(reason, now, ...args).changes;
      return { changed, accounts };
    })();
  }

  /** Rows under a key prefix settled `skipped` with `reason` (held), in their planned order. */
  heldUnder(prefix: string, reason: string): HeldRow[] {
    return this.db.$client
      .prepare(
        `select id, key, account, priority, not_before as notBefore from outbox
      where key >= ? and key < ? and status = 'skipped' and reason = ? order by not_before, id`,
      )
      .all(prefix, keyPrefixEnd(prefix), reason) as HeldRow[];
  }

  /** Held rows under a key prefix (`skipped` with `from`) get the reason `to` instead (a hold becomes a cancel). Returns how many. */
  rewordHeld(prefix: string, from: string, to: string, now: number): number {
    return this.db.$client
      .prepare(`update outbox set reason = ?, updated_at = ? where key >= ? and key < ? and status = 'skipped' and reason = ?`)
      .run(to, now, prefix, keyPrefixEnd(prefix), from).changes;
  }

  /**
   * Puts held rows (still `skipped` with `reason`: a row sent meanwhile is never touched) back in the
   * queue, each at its `notBefore` (its old place, or a new time), without a job yet. Returns the rows changed.
   */
  unhold(rows: readonly { id: number; notBefore: number | null }[], reason: string, now: number): number[] {
    const stmt = this.db.$client
      .prepare(`update outbox set status = 'queued', reason = null, not_before = ?, updated_at = ?, fed_at = null, deferred_until = null, deferred_why = null
      where id = ? and status = 'skipped' and reason = ?`);
    return this.db.$client.transaction(() => rows.filter((r) => stmt.run(r.notBefore, now, r.id, reason).changes === 1).map((r) => r.id))();
  }
}

/** Rows chosen by a key prefix (every key that starts with it) or by id. */
export type KeySelector = { prefix: string } | { ids: readonly number[] };

/** A row held under a key prefix, with its place in the queue. */
export interface HeldRow {
  id: number;
  key: string;
  account: string;
  priority: number;
  notBefore: number | null;
}

/** The first key after every key starting with `prefix` (a range scan on the key index). */
const keyPrefixEnd = (prefix: string) => `${prefix}\uffff`;

function selectorSql(under: KeySelector): { where: string; args: (string | number)[] } {
  if ('prefix' in under) {
    if (!under.prefix) throw new Error('an outbox key prefix is required (an empty one would choose every message)');
    return { where: 'key >= ? and key < ?', args: [under.prefix, keyPrefixEnd(under.prefix)] };
  }
  return { where: 'id in (select value from json_each(?))', args: [JSON.stringify(under.ids)] };
}

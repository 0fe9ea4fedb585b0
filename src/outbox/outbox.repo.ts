import { and, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { TurnBatch } from '../core/turn-batch.js';
import type { Db } from '../platform/db/client.js';
import { optOuts, outbox, type OutboxStatus } from '../platform/db/schema.js';
import { MARKETING_PURPOSES } from './purposes.js';

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
  private readonly finishSentStmt;
  private readonly finishStmt;
  private readonly settleQueuedStmt;
  private readonly optedOutStmt;
  private readonly marketingSinceStmt;
  private readonly writes = new TurnBatch<() => unknown, unknown>(
    (ws) => this.db.$client.transaction(() => ws.map((w) => w()))(),
    (w) => w(),
  );

  constructor(private readonly db: Db) {
    // Plain better-sqlite3 statements for the bulk insert: drizzle's placeholder filling cost more
    // than the insert itself at campaign scale (100,000 rows per occurrence).
    this.insertStmt = db.$client.prepare<[string, string, string, string, string, string, number, number | null, number | null, number, number]>(
      `insert into outbox (key, account, target_kind, target_id, content, purpose, priority, not_before, expires_at, status, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) on conflict do nothing`);
    this.byKeyStmt = db.$client.prepare<[string], { id: number; status: OutboxStatus }>('select id, status from outbox where key = ?');
    this.byIdStmt = db.select().from(outbox).where(eq(outbox.id, p('id'))).prepare();
    this.claimStmt = db.update(outbox)
      .set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, updatedAt: pv('now'), claimedBy: pv('by') })
      .where(and(eq(outbox.id, p('id')), eq(outbox.status, 'queued'))).prepare();
    this.finishSentStmt = db.update(outbox).set({ status: 'sent', reason: pv('reason'), updatedAt: pv('now'), sentAt: pv('now') })
      .where(eq(outbox.id, p('id'))).prepare();
    this.finishStmt = db.update(outbox).set({ status: pv('status') as SQL<OutboxStatus>, reason: pv('reason'), updatedAt: pv('now') })
      .where(eq(outbox.id, p('id'))).prepare();
    this.settleQueuedStmt = db.update(outbox).set({ status: pv('status') as SQL<OutboxStatus>, reason: pv('reason'), updatedAt: pv('now') })
      .where(and(eq(outbox.id, p('id')), eq(outbox.status, 'queued'))).prepare();
    this.optedOutStmt = db.select({ c: optOuts.contactId }).from(optOuts).where(eq(optOuts.contactId, p('id'))).prepare();
    this.marketingSinceStmt = db.select({ n: sql<number>`count(*)` }).from(outbox).where(and(
      eq(outbox.targetId, p('id')), gte(outbox.sentAt, p('since')), eq(outbox.status, 'sent'),
      inArray(outbox.purpose, MARKETING_PURPOSES),
    )).prepare();
  }

  /**
   * Inserts rows whose key is new, in one transaction. Returns, per input, the row id and whether
   * this call created it (false: the key existed, nothing changed).
   */
  insertMany(rows: NewOutboxRow[]): { id: number; created: boolean; status: OutboxStatus }[] {
    return this.db.$client.transaction(() => rows.map((r) => {
      const ins = this.insertStmt.run(r.key, r.account, r.targetKind, r.targetId, r.content, r.purpose, r.priority,
        r.notBefore ?? null, r.expiresAt ?? null, r.createdAt, r.createdAt);
      if (ins.changes === 1) return { id: Number(ins.lastInsertRowid), created: true, status: 'queued' as const };
      const existing = this.byKeyStmt.get(r.key)!;
      return { id: existing.id, created: false, status: existing.status };
    }))();
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

  /** Atomically moves a queued row to `sending`; false when another worker has it or it is done. */
  claim(id: number, now: number, instanceId: string): boolean {
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
    return this.db.selectDistinct({ by: outbox.claimedBy }).from(outbox).where(eq(outbox.status, 'sending')).all()
      .map((r) => r.by ?? '');
  }

  /**
   * After a crash: rows a dead process left in `sending` become `unknown` (or `queued` to resend).
   * Returns how many.
   */
  settleInFlight(owner: string, to: 'unknown' | 'queued', now: number): number {
    const reason = to === 'unknown' ? 'in flight when its bot process died; not resent' : 'in flight when its bot process died; resending';
    const ownerCond = owner === '' ? sql`${outbox.claimedBy} is null` : eq(outbox.claimedBy, owner);
    return this.db.update(outbox).set({ status: to, reason, updatedAt: now })
      .where(and(eq(outbox.status, 'sending'), ownerCond)).run().changes;
  }

  /** Queued rows due by `dueBy` (epoch ms), oldest first, in pages. */
  queuedAfter(afterId: number, limit: number, dueBy: number): Pick<OutboxRow, 'id' | 'account' | 'priority' | 'notBefore'>[] {
    return this.db.select({ id: outbox.id, account: outbox.account, priority: outbox.priority, notBefore: outbox.notBefore })
      .from(outbox).where(and(
        eq(outbox.status, 'queued'), sql`${outbox.id} > ${afterId}`,
        sql`(${outbox.notBefore} is null or ${outbox.notBefore} <= ${dueBy})`,
      ))
      .orderBy(outbox.id).limit(limit).all();
  }

  /** Puts a failed row back in the queue with a fresh attempt count. False when it is not `failed`. */
  requeueFailed(id: number, now: number): boolean {
    return this.db.update(outbox).set({ status: 'queued', attempts: 0, reason: 'retried by an operator', updatedAt: now })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'failed'))).run().changes === 1;
  }

  /** Rows sent since `since` (epoch ms), for budget use. */
  sentSince(since: number): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(outbox).where(gte(outbox.sentAt, since)).get()?.n ?? 0;
  }

  /** The latest rows, optionally of one status, newest first. */
  latest(limit: number, status?: OutboxStatus): OutboxRow[] {
    const q = this.db.select().from(outbox);
    return (status ? q.where(eq(outbox.status, status)) : q).orderBy(sql`${outbox.id} desc`).limit(limit).all();
  }

  countByStatus(): Record<string, number> {
    const rows = this.db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}

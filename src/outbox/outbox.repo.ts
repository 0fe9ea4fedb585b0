import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { optOuts, outbox, type OutboxStatus } from '../platform/db/schema.js';
import { MARKETING_PURPOSES } from './purposes.js';

export type OutboxRow = typeof outbox.$inferSelect;
export type NewOutboxRow = typeof outbox.$inferInsert;

/** The outbox table: the record of every outbound message and its fate. */
export class OutboxRepo {
  constructor(private readonly db: Db) {}

  /**
   * Inserts rows whose key is new, in one transaction. Returns, per input, the row id and whether
   * this call created it (false: the key existed, nothing changed).
   */
  insertMany(rows: NewOutboxRow[]): { id: number; created: boolean; status: OutboxStatus }[] {
    const insert = this.db.insert(outbox).values({
      key: sql.placeholder('key'), account: sql.placeholder('account'), targetKind: sql.placeholder('targetKind'),
      targetId: sql.placeholder('targetId'), content: sql.placeholder('content'), purpose: sql.placeholder('purpose'),
      priority: sql.placeholder('priority'), notBefore: sql.placeholder('notBefore'), expiresAt: sql.placeholder('expiresAt'),
      status: 'queued', createdAt: sql.placeholder('createdAt'), updatedAt: sql.placeholder('createdAt'),
    }).onConflictDoNothing().returning({ id: outbox.id }).prepare();
    const byKey = this.db.select({ id: outbox.id, status: outbox.status }).from(outbox)
      .where(eq(outbox.key, sql.placeholder('key'))).prepare();
    return this.db.$client.transaction(() => rows.map((r) => {
      const created = insert.get({ ...r, notBefore: r.notBefore ?? null, expiresAt: r.expiresAt ?? null });
      if (created) return { id: created.id, created: true, status: 'queued' as const };
      const existing = byKey.get({ key: r.key })!;
      return { id: existing.id, created: false, status: existing.status };
    }))();
  }

  get(id: number): OutboxRow | undefined {
    return this.db.select().from(outbox).where(eq(outbox.id, id)).get();
  }

  getByKey(key: string): OutboxRow | undefined {
    return this.db.select().from(outbox).where(eq(outbox.key, key)).get();
  }

  /** Atomically moves a queued row to `sending`; false when another worker has it or it is done. */
  claim(id: number, now: number, instanceId: string): boolean {
    const res = this.db.update(outbox)
      .set({ status: 'sending', attempts: sql`${outbox.attempts} + 1`, updatedAt: now, claimedBy: instanceId })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'queued'))).run();
    return res.changes === 1;
  }

  /** Ends a row in a final state (or back to queued for a retry). */
  finish(id: number, status: OutboxStatus, now: number, reason: string | null = null): void {
    this.db.update(outbox)
      .set({ status, reason, updatedAt: now, ...(status === 'sent' ? { sentAt: now } : {}) })
      .where(eq(outbox.id, id)).run();
  }

  /** Ends a queued row without sending (skipped or expired). False when it was not queued. */
  settleQueued(id: number, status: 'skipped' | 'expired', now: number, reason: string): boolean {
    return this.db.update(outbox).set({ status, reason, updatedAt: now })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'queued'))).run().changes === 1;
  }

  isOptedOut(contactId: string): boolean {
    return this.db.select({ c: optOuts.contactId }).from(optOuts).where(eq(optOuts.contactId, contactId)).get() !== undefined;
  }

  /** Marketing messages sent to this target since `since` (epoch ms). */
  marketingSentSince(targetId: string, since: number): number {
    const r = this.db.select({ n: sql<number>`count(*)` }).from(outbox).where(and(
      eq(outbox.targetId, targetId), gte(outbox.sentAt, since), eq(outbox.status, 'sent'),
      inArray(outbox.purpose, MARKETING_PURPOSES),
    )).get();
    return r?.n ?? 0;
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

  /** Queued rows, oldest first, in pages. */
  queuedAfter(afterId: number, limit: number): Pick<OutboxRow, 'id' | 'account' | 'priority' | 'notBefore'>[] {
    return this.db.select({ id: outbox.id, account: outbox.account, priority: outbox.priority, notBefore: outbox.notBefore })
      .from(outbox).where(and(eq(outbox.status, 'queued'), sql`${outbox.id} > ${afterId}`))
      .orderBy(outbox.id).limit(limit).all();
  }

  countByStatus(): Record<string, number> {
    const rows = this.db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all();
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}

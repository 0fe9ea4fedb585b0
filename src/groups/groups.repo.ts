import { and, eq, gte, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { contacts, groups, rooms, staff, stores } from '../platform/db/schema.js';
import { groupAccounts, groupMemberships, groupSpam, groupWelcomeBatches, type SpellEnd, type SpellStart } from './groups.schema.js';
import type { OpenSpell, RecentEnd } from './membership.rules.js';

export type SpellRow = typeof groupMemberships.$inferSelect;
export type BatchRow = typeof groupWelcomeBatches.$inferSelect;
export type SpamRow = typeof groupSpam.$inferSelect;

/** A brand group with what the welcome and the alert need. */
export interface GroupInfo {
  roomId: string;
  name: string;
  storeCode: string | null;
  storeName: string;
  guideCode: string | null;
  guideName: string | null;
  guideContactId: string | null;
}

/** Reads and writes of group health. Callers wrap multi-step changes in `tx`. */
export class GroupsRepo {
  constructor(readonly db: Db) {}

  tx<T>(fn: () => T): T {
    return this.db.$client.transaction(fn).immediate();
  }

  // ── who is who ────────────────────────────────────────────────────────────

  /** Contact ids of active staff (roster) and of the bot accounts: their posts are staff posts. */
  staffIds(): Set<string> {
    const roster = this.db
      .select({ id: staff.contactId })
      .from(staff)
      .where(and(isNotNull(staff.contactId), eq(staff.active, true)))
      .all();
    return new Set([...roster.map((r) => r.id!), ...this.selfIds()]);
  }

  selfIds(): string[] {
    return this.db
      .select({ id: groupAccounts.selfId })
      .from(groupAccounts)
      .all()
      .map((r) => r.id);
  }

  setSelfId(account: string, selfId: string, at: number): void {
    this.db
      .insert(groupAccounts)
      .values({ account, selfId, updatedAt: at })
      .onConflictDoUpdate({ target: groupAccounts.account, set: { selfId, updatedAt: at } })
      .run();
  }

  /** The brand group (groups table), with store, guide and the guide's contact; null for other rooms. */
  group(roomId: string): GroupInfo | null {
    const r = this.db
      .select({
        roomId: groups.roomId,
        name: groups.name,
        storeCode: groups.storeCode,
        storeName: stores.name,
        guideCode: groups.guideCode,
        guideName: staff.name,
        guideContactId: staff.contactId,
        guideActive: staff.active,
      })
      .from(groups)
      .leftJoin(stores, eq(stores.code, groups.storeCode))
      .leftJoin(staff, eq(staff.code, groups.guideCode))
      .where(eq(groups.roomId, roomId))
      .get();
    if (!r) return null;
    const active = r.guideActive !== false;
    return {
      roomId: r.roomId,
      name: r.name,
      storeCode: r.storeCode,
      storeName: r.storeName ?? r.storeCode ?? '',
      guideCode: r.guideCode,
      guideName: active ? r.guideName : null,
      guideContactId: active ? r.guideContactId : null,
    };
  }

  /** Contact ids of a store's active managers. */
  storeManagerIds(storeCode: string): string[] {
    return this.db
      .select({ id: staff.contactId })
      .from(staff)
      .where(and(eq(staff.storeCode, storeCode), eq(staff.role, 'store-manager'), eq(staff.active, true), isNotNull(staff.contactId)))
      .all()
      .map((r) => r.id!);
  }

  /** A room's topic as last seen, for rooms outside the groups table. */
  roomTopic(roomId: string): string {
    return this.db.select({ topic: rooms.topic }).from(rooms).where(eq(rooms.id, roomId)).get()?.topic ?? '';
  }

  /** Names of contacts as last seen (messages, joins). */
  contactNames(ids: readonly string[]): Map<string, string> {
    if (!ids.length) return new Map();
    const out = new Map(
      this.db
        .select({ id: contacts.id, name: contacts.name })
        .from(contacts)
        .where(inArray(contacts.id, [...ids]))
        .all()
        .map((r) => [r.id, r.name]),
    );
    return out;
  }

  /** Rooms whose members are checked: the brand's groups, rooms seen in messages, rooms with open spells. */
  trackedRoomIds(): string[] {
    return this.db.$client
      .prepare(
        `select room_id from groups union select id from rooms
      union select distinct room_id from group_memberships where left_at is null`,
      )
      .pluck()
      .all() as string[];
  }

  // ── membership spells ─────────────────────────────────────────────────────

  openSpell(roomId: string, contactId: string): SpellRow | undefined {
    return this.db
      .select()
      .from(groupMemberships)
      .where(and(eq(groupMemberships.roomId, roomId), eq(groupMemberships.contactId, contactId), isNull(groupMemberships.leftAt)))
      .get();
  }

  openSpells(roomId: string): OpenSpell[] {
    return this.db
      .select({ id: groupMemberships.id, contactId: groupMemberships.contactId, joinedAt: groupMemberships.joinedAt })
      .from(groupMemberships)
      .where(and(eq(groupMemberships.roomId, roomId), isNull(groupMemberships.leftAt)))
      .all();
  }

  endsSince(roomId: string, since: number): RecentEnd[] {
    return this.db
      .select({ contactId: groupMemberships.contactId, leftAt: groupMemberships.leftAt })
      .from(groupMemberships)
      .where(and(eq(groupMemberships.roomId, roomId), gte(groupMemberships.leftAt, since)))
      .all()
      .map((r) => ({ contactId: r.contactId, leftAt: r.leftAt! }));
  }

  insertSpell(s: { roomId: string; contactId: string; contactName?: string; joinedAt: number; how: SpellStart; inviterId?: string | null; now: number }): number {
    const r = this.db
      .insert(groupMemberships)
      .values({
        roomId: s.roomId,
        contactId: s.contactId,
        contactName: s.contactName ?? '',
        joinedAt: s.joinedAt,
        how: s.how,
        inviterId: s.inviterId ?? null,
        createdAt: s.now,
        updatedAt: s.now,
      })
      .returning({ id: groupMemberships.id })
      .get();
    return r.id;
  }

  endSpell(id: number, leftAt: number, how: SpellEnd, removerId: string | null, now: number): void {
    this.db
      .update(groupMemberships)
      .set({ leftAt, leftHow: how, removerId, updatedAt: now })
      .where(and(eq(groupMemberships.id, id), isNull(groupMemberships.leftAt)))
      .run();
  }

  spell(id: number): SpellRow | undefined {
    return this.db.select().from(groupMemberships).where(eq(groupMemberships.id, id)).get();
  }

  /** When `contactId` was last named in a welcome that went out in `roomId`, or null. */
  lastWelcomedAt(roomId: string, contactId: string): number | null {
    const r = this.db
      .select({ at: sql<number | null>`max(${groupWelcomeBatches.closedAt})` })
      .from(groupMemberships)
      .innerJoin(groupWelcomeBatches, eq(groupWelcomeBatches.id, groupMemberships.welcomeBatchId))
      .where(and(eq(groupMemberships.roomId, roomId), eq(groupMemberships.contactId, contactId), eq(groupWelcomeBatches.status, 'queued')))
      .get();
    return r?.at ?? null;
  }

  // ── welcome batches ───────────────────────────────────────────────────────

  openBatch(roomId: string): BatchRow | undefined {
    return this.db
      .select()
      .from(groupWelcomeBatches)
      .where(and(eq(groupWelcomeBatches.roomId, roomId), eq(groupWelcomeBatches.status, 'open')))
      .get();
  }

  openBatches(): BatchRow[] {
    return this.db.select().from(groupWelcomeBatches).where(eq(groupWelcomeBatches.status, 'open')).all();
  }

  batch(id: number): BatchRow | undefined {
    return this.db.select().from(groupWelcomeBatches).where(eq(groupWelcomeBatches.id, id)).get();
  }

  createBatch(roomId: string, openedAt: number, dueAt: number): BatchRow {
    return this.db.insert(groupWelcomeBatches).values({ roomId, openedAt, dueAt }).returning().get();
  }

  assignBatch(spellId: number, batchId: number | null): void {
    this.db.update(groupMemberships).set({ welcomeBatchId: batchId }).where(eq(groupMemberships.id, spellId)).run();
  }

  /** The joins of a batch, oldest first. */
  batchSpells(batchId: number): SpellRow[] {
    return this.db.select().from(groupMemberships).where(eq(groupMemberships.welcomeBatchId, batchId)).orderBy(groupMemberships.id).all();
  }

  closeBatch(id: number, status: 'queued' | 'skipped', size: number, reason: string | null, at: number): boolean {
    return (
      this.db
        .update(groupWelcomeBatches)
        .set({ status, size, reason, closedAt: at })
        .where(and(eq(groupWelcomeBatches.id, id), eq(groupWelcomeBatches.status, 'open')))
        .run().changes > 0
    );
  }

  // ── spam ──────────────────────────────────────────────────────────────────

  /** Records a suspected spam message once (by message id). Returns false when it was already there. */
  insertSpam(row: typeof groupSpam.$inferInsert): boolean {
    return this.db.insert(groupSpam).values(row).onConflictDoNothing().run().changes > 0;
  }

  /** The spam rows waiting for digest `alertKey`, oldest first, with their group's name. */
  digestRows(alertKey: string): {
    alertedTo: string;
    roomId: string;
    groupName: string | null;
    talkerId: string;
    talkerName: string;
    kind: typeof groupSpam.$inferSelect.kind;
    detail: string;
    postedAt: number;
  }[] {
    return this.db.$client
      .prepare(
        `select s.alerted_to as alertedTo, s.room_id as roomId, g.name as groupName, s.talker_id as talkerId, s.talker_name as talkerName,
              s.kind, s.detail, s.posted_at as postedAt
       from group_spam s left join groups g on g.room_id = s.room_id
       where s.alert_key = ? and s.alerted_to is not null order by s.posted_at, s.rowid`,
      )
      .all(alertKey) as ReturnType<GroupsRepo['digestRows']>;
  }

  /** Digests due at or after `since`, each with its time: their jobs are (re-)added at start and login. */
  digestsSince(since: number): { alertKey: string; dueAt: number }[] {
    return this.db.$client
      .prepare('select alert_key as alertKey, min(digest_at) as dueAt from group_spam where digest_at is not null and digest_at >= ? group by alert_key')
      .all(since) as { alertKey: string; dueAt: number }[];
  }

  /** Whether an alert about `talkerId` in `roomId` went out at or after `since`. */
  alertedSince(roomId: string, talkerId: string, since: number): boolean {
    return Boolean(
      this.db
        .select({ id: groupSpam.messageId })
        .from(groupSpam)
        .where(and(eq(groupSpam.roomId, roomId), eq(groupSpam.talkerId, talkerId), isNotNull(groupSpam.alertedTo), gte(groupSpam.postedAt, since)))
        .get(),
    );
  }
}

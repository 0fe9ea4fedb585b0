import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { groups, staff, stores } from '../platform/db/schema.js';
import type { FriendsDirectory } from './attribution.rules.js';
import { friendRequests, friends, type FriendRequestStatus } from './friends.schema.js';

export type FriendRequestRow = typeof friendRequests.$inferSelect;
export type FriendRow = typeof friends.$inferSelect;
export type NewFriendRequest = typeof friendRequests.$inferInsert;

/** Statuses that use a day's accept budget. */
const USES_CAP: FriendRequestStatus[] = ['scheduled', 'accepted'];

/** The friends capability's store access (drizzle over the shared SQLite). */
export class FriendsRepo {
  constructor(readonly db: Db) {}

  /** Runs `fn` in one SQLite transaction (synchronous: nothing interleaves). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(() => fn());
  }

  request(id: string): FriendRequestRow | undefined {
    return this.db.select().from(friendRequests).where(eq(friendRequests.id, id)).get();
  }

  /** Inserts a request; false when its id was already recorded (a redelivered event). */
  insertRequest(row: NewFriendRequest): boolean {
    return this.db.insert(friendRequests).values(row).onConflictDoNothing().run().changes > 0;
  }

  /** Requests scheduled or accepted on day `day`'s cap for `account`. */
  usedOnDay(account: string, day: string): number {
    return this.db
      .select({ n: sql<number>`count(*)` })
      .from(friendRequests)
      .where(and(eq(friendRequests.account, account), eq(friendRequests.capDay, day), inArray(friendRequests.status, USES_CAP)))
      .get()!.n;
  }

  /** The contact's request waiting to be accepted (scheduled or capped), if any. */
  openRequestOf(account: string, contactId: string): FriendRequestRow | undefined {
    return this.db
      .select()
      .from(friendRequests)
      .where(and(eq(friendRequests.account, account), eq(friendRequests.contactId, contactId), inArray(friendRequests.status, ['scheduled', 'capped'])))
      .orderBy(asc(friendRequests.receivedAt))
      .get();
  }

  hasAnyRequest(contactId: string): boolean {
    return this.db.select({ id: friendRequests.id }).from(friendRequests).where(eq(friendRequests.contactId, contactId)).get() !== undefined;
  }

  friend(contactId: string): FriendRow | undefined {
    return this.db.select().from(friends).where(eq(friends.contactId, contactId)).get();
  }

  /** Scheduled requests of `account`, oldest first (for reconcile). */
  scheduled(account: string): FriendRequestRow[] {
    return this.db
      .select()
      .from(friendRequests)
      .where(and(eq(friendRequests.account, account), eq(friendRequests.status, 'scheduled')))
      .orderBy(asc(friendRequests.dueAt))
      .all();
  }

  /** The accounts that have requests in `status`. */
  accountsWith(status: FriendRequestStatus): string[] {
    return this.db
      .selectDistinct({ account: friendRequests.account })
      .from(friendRequests)
      .where(eq(friendRequests.status, status))
      .all()
      .map((r) => r.account);
  }

  /** Capped requests of `account`, oldest first. */
  capped(account: string): FriendRequestRow[] {
    return this.db
      .select()
      .from(friendRequests)
      .where(and(eq(friendRequests.account, account), eq(friendRequests.status, 'capped')))
      .orderBy(asc(friendRequests.receivedAt))
      .all();
  }

  schedule(id: string, capDay: string, dueAt: number, now: number): void {
    this.db.update(friendRequests).set({ status: 'scheduled', capDay, dueAt, updatedAt: now }).where(eq(friendRequests.id, id)).run();
  }

  setStatus(id: string, status: FriendRequestStatus, reason: string | null, now: number): void {
    this.db.update(friendRequests).set({ status, reason, updatedAt: now }).where(eq(friendRequests.id, id)).run();
  }

  /**
   * Records the accept and the friend (attribution of a first add; a returning contact keeps theirs,
   * is counted again and marked a friend again). One transaction.
   */
  markAccepted(r: FriendRequestRow, now: number, day: string): FriendRow {
    return this.tx(() => {
      this.db.update(friendRequests).set({ status: 'accepted', acceptedAt: now, acceptedDay: day, reason: null, updatedAt: now }).where(eq(friendRequests.id, r.id)).run();
      const before = this.friend(r.contactId);
      if (before) {
        this.db
          .update(friends)
          .set({
            status: 'friend',
            lastAddedAt: now,
            addCount: before.addCount + 1,
            removedAt: null,
            updatedAt: now,
            ...(r.contactName ? { name: r.contactName } : {}),
          })
          .where(eq(friends.contactId, r.contactId))
          .run();
      } else {
        this.db
          .insert(friends)
          .values({
            contactId: r.contactId,
            account: r.account,
            name: r.contactName,
            storeCode: r.storeCode,
            guideCode: r.guideCode,
            channel: r.channel,
            firstAddedAt: now,
            lastAddedAt: now,
            updatedAt: now,
          })
          .run();
      }
      return this.friend(r.contactId)!;
    });
  }

  markWelcomed(contactId: string, now: number): void {
    this.db.update(friends).set({ welcomedAt: now, updatedAt: now }).where(eq(friends.contactId, contactId)).run();
  }

  markConfirmed(contactId: string, now: number): void {
    this.db.update(friends).set({ confirmedAt: now, updatedAt: now }).where(eq(friends.contactId, contactId)).run();
  }

  /** Marks a friend as having removed the account; false when unknown or already marked. */
  markRemoved(contactId: string, now: number): boolean {
    return (
      this.db
        .update(friends)
        .set({ status: 'removed', removedAt: now, updatedAt: now })
        .where(and(eq(friends.contactId, contactId), eq(friends.status, 'friend')))
        .run().changes > 0
    );
  }

  /**
   * The stores and guides attribution can point at. A store's guides are numbered by `numbering`
   * when given, else its active guides in staff-code order.
   */
  directory(numbering: Readonly<Record<string, readonly string[]>>): FriendsDirectory {
    const staffRows = this.db
      .select({ code: staff.code, name: staff.name, role: staff.role, storeCode: staff.storeCode, active: staff.active })
      .from(staff)
      .orderBy(asc(staff.code))
      .all();
    const storeMap = new Map<string, { name: string; guides: string[] }>();
    for (const s of this.db.select({ code: stores.code, name: stores.name }).from(stores).all()) storeMap.set(s.code, { name: s.name, guides: [] });
    for (const s of staffRows) {
      if (s.role === 'guide' && s.active && s.storeCode) storeMap.get(s.storeCode)?.guides.push(s.code);
    }
    for (const [code, list] of Object.entries(numbering)) {
      const store = storeMap.get(code);
      if (store) store.guides = [...list];
    }
    return {
      stores: storeMap,
      staff: new Map(staffRows.map((s) => [s.code, { name: s.name, storeCode: s.storeCode }])),
    };
  }

  /** A group of the store to suggest: the guide's own first, else the store's first (by name). */
  groupFor(storeCode: string, guideCode: string | null): string | null {
    const rows = this.db.select({ name: groups.name, guideCode: groups.guideCode }).from(groups).where(eq(groups.storeCode, storeCode)).orderBy(asc(groups.name)).all();
    return (rows.find((g) => guideCode && g.guideCode === guideCode) ?? rows[0])?.name ?? null;
  }
}

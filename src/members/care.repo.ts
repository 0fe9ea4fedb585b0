import { and, asc, eq, gt, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../platform/db/client.js';
import { memberEvents, members, type MemberEventKind } from '../platform/db/schema.js';
import type { BirthdayKey } from './care.rules.js';

/** A member care can reach: linked to a contact and not opted out. */
export interface CareTarget {
  id: number;
  contactId: string;
  name: string;
}

export interface PendingEvent {
  id: number;
  memberId: number;
  kind: MemberEventKind;
  ref: string;
  data: { orderId?: string; points?: number; balance?: number; orderCount?: number; tierBefore?: string; tierAfter?: string; growth?: number };
  contactId: string | null;
  name: string;
}

/** Reads of lifecycle care: pending membership events and the members each routine reaches. */
export class CareRepo {
  constructor(private readonly db: Db) {}

  /** Unhandled events, oldest first. */
  pendingEvents(limit: number): PendingEvent[] {
    return this.db
      .select({
        id: memberEvents.id,
        memberId: memberEvents.memberId,
        kind: memberEvents.kind,
        ref: memberEvents.ref,
        data: memberEvents.data,
        contactId: members.contactId,
        name: members.name,
      })
      .from(memberEvents)
      .innerJoin(members, eq(members.id, memberEvents.memberId))
      .where(isNull(memberEvents.handledAt))
      .orderBy(asc(memberEvents.id))
      .limit(limit)
      .all()
      .map((r) => ({ ...r, data: JSON.parse(r.data) as PendingEvent['data'] }));
  }

  markHandled(ids: number[], now: number): void {
    if (ids.length) this.db.update(memberEvents).set({ handledAt: now }).where(inArray(memberEvents.id, ids)).run();
  }

  /** Reachable members whose birthday is one of `keys`. */
  birthdays(keys: BirthdayKey[]): CareTarget[] {
    if (keys.length === 0) return [];
    return this.db
      .select({ id: members.id, contactId: members.contactId, name: members.name })
      .from(members)
      .where(
        and(
          isNotNull(members.contactId),
          isNull(members.optedOutAt),
          or(...keys.map((k) => and(eq(members.birthdayKind, k.calendar), eq(members.birthMonth, k.month), eq(members.birthDay, k.day)))),
        ),
      )
      .all() as CareTarget[];
  }

  /** Reachable members after `afterId`, by id: for festival and member-day greetings. */
  reachable(afterId: number, limit: number): CareTarget[] {
    return this.db
      .select({ id: members.id, contactId: members.contactId, name: members.name })
      .from(members)
      .where(and(gt(members.id, afterId), isNotNull(members.contactId), isNull(members.optedOutAt)))
      .orderBy(asc(members.id))
      .limit(limit)
      .all() as CareTarget[];
  }

  /** Count of pending events (for tests and health). */
  pendingCount(): number {
    return (
      this.db
        .select({ n: sql<number>`count(*)` })
        .from(memberEvents)
        .where(isNull(memberEvents.handledAt))
        .get()?.n ?? 0
    );
  }
}
